"""GeoJSON import: every validation, all-or-nothing, conversion, numbering, export."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linli.core.errors import PermissionDenied
from linli.core.models import AuditEntry
from linli.territory import coords, geojson
from linli.territory.geo_services import boundaries_import, boundaries_visible
from linli.territory.models import Boundary, Node
from linli.territory.tests.geo_fixtures import rect, world_boundaries

NEW_COMMUNITY = "370114002003"


def feature(code, geometry, **properties):
    return {"type": "Feature", "properties": {"code": code, **properties}, "geometry": geometry}


def collection(*features, **members):
    return {"type": "FeatureCollection", "features": list(features), **members}


def check(actor, data, crs=coords.WGS84):
    return boundaries_import(actor=actor, data=data, crs=crs, dry_run=True)


def codes(report, index):
    return [p.code for p in report.features[index].errors]


@pytest.fixture
def drawn(world):
    return world_boundaries(world)


def snapshot():
    return (
        Node.objects.count(),
        sorted(Boundary.objects.values_list("node_id", "version")),
    )


# --- per-feature validations ----------------------------------------------------------------


def test_ring_not_closed(drawn):
    open_ring = {
        "type": "Polygon",
        "coordinates": [[[117.50, 36.69], [117.51, 36.69], [117.51, 36.70], [117.50, 36.70]]],
    }
    report = check(drawn.root, collection(feature(drawn.grid_a.code, open_ring)))
    assert codes(report, 0) == ["ring_not_closed"]
    assert "not closed" in report.features[0].errors[0].message


def test_self_intersection_names_shapelys_reason(drawn):
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[117.50, 36.69], [117.51, 36.70], [117.51, 36.69], [117.50, 36.70], [117.50, 36.69]]
        ],
    }
    report = check(drawn.root, collection(feature(drawn.grid_a.code, bow_tie)))
    assert codes(report, 0) == ["invalid_geometry"]
    assert "Self-intersection" in report.features[0].errors[0].message


def test_a_new_grid_outside_its_community(drawn):
    # Half of it lies in the other community.
    grid = feature(
        "370114002001007",
        rect(117.52, 117.54),
        kind="grid",
        name="越界网格",
        parent_code=drawn.community.code,
    )
    report = check(drawn.root, collection(grid))
    assert "outside_parent" in codes(report, 0)
    problem = next(p for p in report.features[0].errors if p.code == "outside_parent")
    assert problem.area_m2 > 1_000_000
    assert drawn.community.code in problem.message


def test_a_child_within_a_metre_of_its_parent_is_inside(drawn):
    # 0.5 m beyond the community's western edge: drawing slop, not an error.
    half_metre = 0.5 / (111_319.5 * 0.8018)  # degrees of longitude at 36.7°
    grid = rect(117.50 - half_metre, 117.515)
    report = check(drawn.root, collection(feature(drawn.grid_a.code, grid)))
    assert report.ok, report.as_dict()


def test_a_redrawn_parent_that_leaves_stored_children_outside(drawn):
    report = check(drawn.root, collection(feature(drawn.community.code, rect(117.50, 117.52))))
    assert codes(report, 0) == ["outside_parent"]
    assert drawn.grid_b.code in report.features[0].errors[0].message


def test_ordinary_grids_of_one_community_may_not_overlap(drawn):
    grown = rect(117.50, 117.52)  # grid A eaten 0.005° into grid B
    report = check(drawn.root, collection(feature(drawn.grid_a.code, grown)))
    assert codes(report, 0) == ["overlap"]
    assert drawn.grid_b.code in report.features[0].errors[0].message


def test_both_overlapping_grids_in_the_file_are_reported(drawn):
    report = check(
        drawn.root,
        collection(
            feature(drawn.grid_a.code, rect(117.50, 117.52)), feature(drawn.grid_b.code, rect(117.51, 117.53))
        ),
    )
    assert codes(report, 0) == ["overlap"] and codes(report, 1) == ["overlap"]


def test_a_dedicated_grid_may_overlap_ordinary_grids(drawn):
    school = feature(
        "370114002001009",
        rect(117.51, 117.52, 36.70, 36.71),
        kind="dedicated_grid",
        dedicated_kind="school",
        name="学校专属网格",
        parent_code=drawn.community.code,
    )
    report = check(drawn.root, collection(school))
    assert report.ok, report.as_dict()


def test_unknown_code(drawn):
    report = check(drawn.root, collection(feature("370114002001099", rect(117.50, 117.51))))
    assert codes(report, 0) == ["unknown_code"]


def test_duplicate_code(drawn):
    report = check(
        drawn.root,
        collection(
            feature(drawn.grid_a.code, rect(117.50, 117.515)),
            feature(drawn.grid_a.code, rect(117.50, 117.51)),
        ),
    )
    assert codes(report, 0) == []
    assert codes(report, 1) == ["duplicate_code"]
    assert "#1" in report.features[1].errors[0].message


def test_unknown_parent_code(drawn):
    grid = feature("370114002009001", rect(117.50, 117.51), kind="grid", name="x", parent_code="370114002009")
    report = check(drawn.root, collection(grid))
    assert codes(report, 0) == ["unknown_parent"]


def test_invalid_new_code_is_reported_with_the_tree_rule(drawn):
    grid = feature(
        "3701140020010", rect(117.50, 117.51), kind="grid", name="x", parent_code=drawn.community.code
    )
    report = check(drawn.root, collection(grid))
    assert codes(report, 0) == ["invalid_code"]
    assert "15 digits" in report.features[0].errors[0].message


def test_outside_china(drawn):
    paris = rect(2.30, 2.40, 48.80, 48.90)
    report = check(drawn.root, collection(feature(drawn.grid_a.code, paris)))
    assert codes(report, 0) == ["outside_china"]


def test_swapped_latitude_and_longitude_are_named(drawn):
    swapped = {
        "type": "Polygon",
        "coordinates": [
            [[36.69, 117.50], [36.69, 117.51], [36.70, 117.51], [36.70, 117.50], [36.69, 117.50]]
        ],
    }
    report = check(drawn.root, collection(feature(drawn.grid_a.code, swapped)))
    assert codes(report, 0) == ["swapped_coordinates"]
    assert "latitude and longitude look swapped" in report.features[0].errors[0].message


def test_not_a_polygon(drawn):
    point = {"type": "Point", "coordinates": [117.5, 36.7]}
    report = check(drawn.root, collection(feature(drawn.grid_a.code, point)))
    assert codes(report, 0) == ["geometry_type"]


def test_kind_and_parent_of_an_existing_place_must_match(drawn):
    report = check(
        drawn.root,
        collection(
            feature(drawn.grid_a.code, rect(117.50, 117.515), kind="community"),
            feature(drawn.grid_b.code, rect(117.515, 117.53), parent_code=drawn.other_community.code),
        ),
    )
    assert codes(report, 0) == ["kind_mismatch"]
    assert codes(report, 1) == ["parent_mismatch"]


def test_not_a_feature_collection(drawn):
    report = check(drawn.root, {"type": "Feature"})
    assert [p.code for p in report.errors] == ["not_feature_collection"]
    assert not report.ok


# --- warnings and suggestions ---------------------------------------------------------------


def test_gaps_between_a_communitys_grids_are_a_warning_with_their_area(drawn):
    # Grid A shrinks from 117.500–117.515 to 117.500–117.510: a strip nobody covers.
    report = check(drawn.root, collection(feature(drawn.grid_a.code, rect(117.50, 117.51))))
    assert report.ok
    (gap,) = report.warnings
    assert gap["code"] == "gaps" and gap["place"] == drawn.community.code
    strip = geojson.area_m2(geojson.from_geojson(rect(117.51, 117.515)))
    assert gap["area_m2"] == pytest.approx(strip, rel=0.01)


def test_no_gap_warning_when_the_grids_cover_the_community(drawn):
    report = check(drawn.root, collection(feature(drawn.grid_a.code, rect(117.50, 117.515))))
    assert report.ok and report.warning_count == 0


def _two_by_two(community_code):
    """Four grids of a new community, in the file in a scrambled order."""
    cells = {
        "south-east": rect(117.545, 117.56, 36.69, 36.71),
        "north-west": rect(117.53, 117.545, 36.71, 36.73),
        "south-west": rect(117.53, 117.545, 36.69, 36.71),
        "north-east": rect(117.545, 117.56, 36.71, 36.73),
    }
    return [
        feature(f"{community_code}{n:03d}", geometry, kind="grid", name=where, parent_code=community_code)
        for n, (where, geometry) in enumerate(cells.items(), start=1)
    ]


def test_grid_numbering_west_to_east_north_to_south(drawn):
    community = feature(
        NEW_COMMUNITY, rect(117.53, 117.56), kind="community", name="新社区", parent_code=drawn.street.code
    )
    # The new community overlaps the stored other community: that is not a grid overlap.
    report = check(drawn.root, collection(community, *_two_by_two(NEW_COMMUNITY)))
    assert report.ok, report.as_dict()
    by_name = {f.name: f.suggested_number for f in report.features[1:]}
    assert by_name == {"north-west": 1, "north-east": 2, "south-west": 3, "south-east": 4}
    assert [number for _, number in report.numbering[NEW_COMMUNITY]] == [1, 2, 3, 4]


def test_numbering_tolerates_ragged_rows():
    # Centroids of one row a little apart in latitude stay one row.
    grids = [
        ("a", geojson.from_geojson(rect(117.50, 117.51, 36.700, 36.710))),
        ("b", geojson.from_geojson(rect(117.51, 117.52, 36.702, 36.711))),
        ("c", geojson.from_geojson(rect(117.50, 117.51, 36.690, 36.700))),
    ]
    assert geojson.suggest_numbers(grids) == {"a": 1, "b": 2, "c": 3}


# --- writing --------------------------------------------------------------------------------


def test_one_bad_feature_imports_nothing(drawn):
    before = snapshot()
    good = feature(
        NEW_COMMUNITY, rect(117.53, 117.56), kind="community", name="新社区", parent_code=drawn.street.code
    )
    bad = feature(drawn.grid_a.code, rect(117.50, 117.52))  # overlaps grid B
    report = boundaries_import(actor=drawn.root, data=collection(good, bad), crs=coords.WGS84)
    assert not report.ok and not report.imported
    assert snapshot() == before
    assert not Node.objects.filter(code=NEW_COMMUNITY).exists()


def test_import_creates_places_through_the_tree_service_and_converts_to_wgs84(drawn):
    wgs = [*_two_by_two(NEW_COMMUNITY)]
    community = feature(
        NEW_COMMUNITY, rect(117.53, 117.56), kind="community", name="新社区", parent_code=drawn.street.code
    )
    gcj = json.loads(json.dumps(collection(community, *wgs)))
    for f in gcj["features"]:
        ring = f["geometry"]["coordinates"][0]
        f["geometry"]["coordinates"][0] = [list(coords.wgs84_to_gcj02(x, y)) for x, y in ring]
    report = boundaries_import(actor=drawn.street_officer, data=gcj, crs=coords.GCJ02)
    assert report.ok and report.imported, report.as_dict()
    assert (report.created, report.updated) == (5, 0)
    created = Node.objects.get(code=f"{NEW_COMMUNITY}001")
    assert created.parent.code == NEW_COMMUNITY and created.kind == "grid"
    assert AuditEntry.objects.filter(action="territory.node.create", target_id=str(created.pk)).exists()
    assert AuditEntry.objects.filter(action="territory.boundary.set", target_id=str(created.pk)).exists()
    stored = geojson.from_geojson(created.boundary.geometry)
    expected = geojson.from_geojson(wgs[0]["geometry"])  # code …001, the first in the file
    assert stored.hausdorff_distance(expected) < 1e-7  # about a centimetre
    assert created.boundary.source_crs == "gcj02"
    assert created.boundary.min_lng == pytest.approx(117.545)


def test_updating_a_boundary_bumps_its_version(drawn):
    before = Boundary.objects.get(node=drawn.grid_a).version
    report = boundaries_import(
        actor=drawn.secretary, data=collection(feature(drawn.grid_a.code, rect(117.50, 117.515))), crs="wgs84"
    )
    assert report.imported and report.updated == 1
    assert Boundary.objects.get(node=drawn.grid_a).version == before + 1


def test_dedicated_grid_without_a_type_is_stored_as_other_with_a_warning(drawn):
    dedicated = feature(
        "370114002001009",
        rect(117.51, 117.52, 36.70, 36.71),
        kind="dedicated_grid",
        name="x",
        parent_code=drawn.community.code,
    )
    report = boundaries_import(actor=drawn.root, data=collection(dedicated), crs="wgs84")
    assert report.imported
    assert [p.code for p in report.features[0].warnings] == ["dedicated_kind_missing"]
    assert Node.objects.get(code="370114002001009").dedicated_kind == "other"


# --- permissions ----------------------------------------------------------------------------


def test_a_place_outside_ones_area_is_an_unknown_code(drawn):
    report = check(drawn.secretary, collection(feature(drawn.other_grid.code, rect(117.53, 117.56))))
    assert codes(report, 0) == ["unknown_code"]


def test_a_boundary_is_drawn_one_level_up(drawn):
    # The community secretary draws the grids, not the community itself.
    report = check(drawn.secretary, collection(feature(drawn.community.code, rect(117.50, 117.53))))
    assert codes(report, 0) == ["not_permitted"]
    assert check(drawn.street_officer, collection(feature(drawn.community.code, rect(117.50, 117.53)))).ok


def test_who_may_not_change_places_may_not_import(drawn):
    with pytest.raises(PermissionDenied):
        check(drawn.grid_worker_a, collection(feature(drawn.grid_a.code, rect(117.50, 117.515))))


# --- export ---------------------------------------------------------------------------------


def test_export_round_trips_in_another_coordinate_system(drawn):
    exported = geojson.feature_collection(boundaries_visible(user=drawn.secretary), coords.GCJ02)
    assert exported["coordinate_system"] == "gcj02"
    assert {f["properties"]["code"] for f in exported["features"]} == {
        drawn.community.code,
        drawn.grid_a.code,
        drawn.grid_b.code,
    }
    grid = next(f for f in exported["features"] if f["properties"]["code"] == drawn.grid_a.code)
    assert grid["properties"]["parent_code"] == drawn.community.code
    assert grid["geometry"]["coordinates"][0][0][0] != pytest.approx(117.50, abs=1e-4)  # moved by GCJ-02
    # Only grids the secretary may draw: the community itself is the street's to draw.
    grids_only = {
        **exported,
        "features": [f for f in exported["features"] if f["properties"]["kind"] == "grid"],
    }
    report = boundaries_import(actor=drawn.secretary, data=grids_only, crs=coords.GCJ02)
    assert report.imported, report.as_dict()
    back = geojson.from_geojson(Boundary.objects.get(node=drawn.grid_a).geometry)
    assert back.hausdorff_distance(geojson.from_geojson(rect(117.50, 117.515))) < 1e-7


def test_an_export_is_not_reimported_in_the_wrong_system(drawn):
    exported = geojson.feature_collection(boundaries_visible(user=drawn.root), coords.GCJ02)
    report = check(drawn.root, exported, crs=coords.WGS84)
    assert [p.code for p in report.errors] == ["crs_mismatch"]


# --- API and page ---------------------------------------------------------------------------


def test_api_reports_problems_per_feature_with_index_and_code(drawn, client):
    client.force_login(drawn.secretary)
    body = collection(
        feature(drawn.grid_a.code, rect(117.50, 117.515)),
        feature(drawn.grid_b.code, rect(117.50, 117.53)),  # swallows grid A
    )
    response = client.post("/api/v1/geo/import", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "geojson_invalid" and "nothing was imported" in data["message"]
    second = data["features"][1]
    assert second["index"] == 1 and second["code"] == drawn.grid_b.code
    assert [e["code"] for e in second["errors"]] == ["overlap"]
    assert {"code", "message"} <= set(second["errors"][0])


def test_api_imports_a_clean_file(drawn, client):
    client.force_login(drawn.secretary)
    body = collection(feature(drawn.grid_a.code, rect(117.50, 117.515)))
    response = client.post("/api/v1/geo/import?crs=wgs84", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["imported"] is True and response.json()["updated"] == 1


def test_api_refuses_an_unknown_coordinate_system(drawn, client):
    client.force_login(drawn.secretary)
    body = collection(feature(drawn.grid_a.code, rect(117.50, 117.515)))
    response = client.post(
        "/api/v1/geo/import?crs=mercator", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def _upload(data, name="grids.geojson"):
    return SimpleUploadedFile(name, json.dumps(data).encode(), content_type="application/geo+json")


def test_import_page_shows_the_report_then_imports_the_fixed_file(drawn, client):
    client.force_login(drawn.secretary)
    bad = collection(feature(drawn.grid_a.code, rect(117.50, 117.52)))
    response = client.post(
        "/territory/map/import/", {"file": _upload(bad), "crs": "wgs84", "action": "import"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-problem="overlap"' in page and "nothing was imported" in page
    assert Boundary.objects.get(node=drawn.grid_a).version == 1

    good = collection(feature(drawn.grid_a.code, rect(117.50, 117.515)))
    response = client.post(
        "/territory/map/import/", {"file": _upload(good), "crs": "wgs84", "action": "check"}
    )
    assert response.status_code == 200 and 'data-testid="import-checked"' in response.content.decode()
    assert Boundary.objects.get(node=drawn.grid_a).version == 1  # only checked

    response = client.post(
        "/territory/map/import/", {"file": _upload(good), "crs": "wgs84", "action": "import"}
    )
    assert response.status_code == 200 and 'data-testid="import-done"' in response.content.decode()
    assert Boundary.objects.get(node=drawn.grid_a).version == 2


def test_import_page_refuses_a_file_that_is_not_json(drawn, client):
    client.force_login(drawn.secretary)
    upload = SimpleUploadedFile("x.geojson", b"\xff\xfe not json", content_type="application/json")
    response = client.post("/territory/map/import/", {"file": upload, "crs": "wgs84", "action": "check"})
    assert response.status_code == 422
    assert "not valid JSON" in response.content.decode()


def test_sample_file_with_one_bad_feature(drawn):
    """The sample in tests/data (also for the browser flow): one feature overlaps."""
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "data" / "grids_one_bad.geojson").read_text("utf-8"))
    report = check(drawn.secretary, data)
    assert [f.code for f in report.features if f.errors] == [drawn.grid_b.code]
