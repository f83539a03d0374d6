"""GeoJSON in and out: the validation of an import, the export, the grid numbering.

Validation reads the whole file and the database and reports every problem per feature
before anything is written (geo_services.boundaries_import writes only a clean report).
Problems carry a stable machine `code` for the API and an English msgid `message`.

Geometry is compared in metres in a local equirectangular projection around the
features' latitude: at the size of a street (a few km) its area error is far below the
tolerances used here, and it needs no projection library.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from linli.accounts.models import User
from linli.core.errors import ValidationFailed
from linli.territory import coords
from linli.territory.choices import ALLOWED_PARENTS, DedicatedKind, NodeKind
from linli.territory.codes import normalise_code, validate_code
from linli.territory.models import Boundary, Node

# Mainland China with its islands, in degrees (a plausibility check, not a border).
CHINA_LNG = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)
# Kinds that have an outline; units and dwellings are inside buildings.
KINDS_WITH_BOUNDARY = {
    NodeKind.DISTRICT,
    NodeKind.STREET,
    NodeKind.COMMUNITY,
    NodeKind.GRID,
    NodeKind.DEDICATED_GRID,
    NodeKind.COMPOUND,
    NodeKind.BUILDING,
}
# A child may stick out of its parent by this much (drawing slop along shared edges).
INSIDE_BUFFER_M = 1.0
INSIDE_SHARE = 0.995
# Ordinary grids of one community may share edges; overlaps above this are errors.
OVERLAP_TOLERANCE_M2 = 1.0
# Uncovered parts of a community below this are rounding, not gaps.
GAP_TOLERANCE_M2 = 1.0
# The foreign member an export writes so that a re-import cannot mistake its system.
CRS_MEMBER = "coordinate_system"

_M_PER_DEG = math.pi * coords.EARTH_RADIUS_M / 180.0


# --- the report ---------------------------------------------------------------------------


@dataclass
class Problem:
    code: str
    message: str
    area_m2: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.area_m2 is not None:
            out["area_m2"] = round(self.area_m2, 1)
        return out


@dataclass
class FeatureReport:
    index: int  # position in the file's "features" array, from 0
    code: str = ""
    name: str = ""
    kind: str = ""
    parent_code: str = ""
    dedicated_kind: str = ""
    action: str = ""  # "create" or "update" once the feature is understood
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    suggested_number: int | None = None
    area_m2: float | None = None
    geometry: BaseGeometry | None = None  # WGS-84, when the geometry is usable
    node: Node | None = None  # the existing node, for updates
    # Known, permitted, and placed in the tree: takes part in the checks between places.
    placed: bool = False

    @property
    def kind_label(self) -> str:
        return NodeKind(self.kind).label if self.kind in NodeKind.values else self.kind

    def error(self, code: str, message: str, area_m2: float | None = None) -> None:
        self.errors.append(Problem(code, message, area_m2))

    def warn(self, code: str, message: str, area_m2: float | None = None) -> None:
        self.warnings.append(Problem(code, message, area_m2))

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "parent_code": self.parent_code,
            "action": self.action,
            "area_m2": round(self.area_m2, 1) if self.area_m2 is not None else None,
            "suggested_number": self.suggested_number,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


@dataclass
class ImportReport:
    crs: str
    features: list[FeatureReport] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)  # about the file as a whole
    warnings: list[dict[str, Any]] = field(default_factory=list)  # about places not in the file
    # community code -> [(grid code, suggested number)], north-west first
    numbering: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not any(f.errors for f in self.features)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(len(f.errors) for f in self.features)

    @property
    def warning_count(self) -> int:
        return len(self.warnings) + sum(len(f.warnings) for f in self.features)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "imported": self.imported,
            "crs": self.crs,
            "created": self.created,
            "updated": self.updated,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": self.warnings,
            "features": [f.as_dict() for f in self.features],
            "numbering": {
                community: [{"code": code, "number": number} for code, number in items]
                for community, items in self.numbering.items()
            },
        }


# --- geometry helpers ---------------------------------------------------------------------


def metric(geom: BaseGeometry, lat0: float) -> BaseGeometry:
    """The geometry in metres, x east and y north of (0, lat0)."""
    kx = _M_PER_DEG * math.cos(math.radians(lat0))

    def scale(xy: np.ndarray) -> np.ndarray:
        return np.column_stack((xy[:, 0] * kx, (xy[:, 1] - lat0) * _M_PER_DEG))

    return shapely.transform(geom, scale)


def area_m2(geom: BaseGeometry) -> float:
    if geom.is_empty:
        return 0.0
    return metric(geom, geom.centroid.y).area


def convert(geom: BaseGeometry, to_wgs84_from: str | None = None, from_wgs84_to: str | None = None):
    """Convert every vertex between WGS-84 and another system."""
    if to_wgs84_from in (None, coords.WGS84) and from_wgs84_to in (None, coords.WGS84):
        return geom

    def move(xy: np.ndarray) -> np.ndarray:
        if to_wgs84_from:
            lng, lat = coords.to_wgs84(xy[:, 0], xy[:, 1], to_wgs84_from)
        else:
            lng, lat = coords.from_wgs84(xy[:, 0], xy[:, 1], from_wgs84_to)
        return np.column_stack((lng, lat))

    return shapely.transform(geom, move)


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A plain-JSON GeoJSON geometry, exterior rings counter-clockwise (RFC 7946)."""
    geom = shapely.orient_polygons(geom)
    return _lists(shapely.geometry.mapping(geom))


def _lists(value):
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def from_geojson(geometry: dict[str, Any]) -> BaseGeometry:
    return shape(geometry)


# --- raw checks: what shapely would silently repair or refuse -----------------------------


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _polygons(geometry: dict[str, Any]) -> list | None:
    """The list of polygons (each a list of rings) or None when the structure is wrong."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list):
        return None
    if kind == "Polygon":
        return [coordinates]
    if kind == "MultiPolygon":
        return coordinates
    return None


def check_raw_geometry(report: FeatureReport, geometry: Any) -> bool:
    """Structure, closed rings, positions in China. True when shapely may read it."""
    if not isinstance(geometry, dict):
        report.error("geometry_missing", _("The feature has no geometry."))
        return False
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        report.error(
            "geometry_type",
            _("A boundary must be a Polygon or a MultiPolygon, not %(type)s.")
            % {"type": geometry.get("type") or "—"},
        )
        return False
    polygons = _polygons(geometry)
    if not polygons:
        report.error("geometry_empty", _("The geometry has no coordinates."))
        return False
    ok = True
    outside_reported = False
    for p_index, rings in enumerate(polygons, start=1):
        if not isinstance(rings, list) or not rings:
            report.error("geometry_empty", _("Polygon %(p)d has no rings.") % {"p": p_index})
            ok = False
            continue
        for r_index, ring in enumerate(rings, start=1):
            where = {"p": p_index, "r": r_index}
            if not isinstance(ring, list) or not all(
                isinstance(pos, list | tuple) and len(pos) in (2, 3) and all(_is_number(v) for v in pos)
                for pos in ring
            ):
                report.error(
                    "bad_position",
                    _("Polygon %(p)d, ring %(r)d: every position must be [longitude, latitude].") % where,
                )
                ok = False
                continue
            if len(ring) < 4:
                report.error(
                    "ring_too_short",
                    _("Polygon %(p)d, ring %(r)d has %(n)d positions; a closed ring needs at least 4.")
                    % {**where, "n": len(ring)},
                )
                ok = False
                continue
            if list(ring[0][:2]) != list(ring[-1][:2]):
                report.error(
                    "ring_not_closed",
                    _(
                        "Polygon %(p)d, ring %(r)d is not closed: its last position must repeat the "
                        "first (%(first)s)."
                    )
                    % {**where, "first": _pos(ring[0])},
                )
                ok = False
            if not outside_reported:
                outside_reported = _check_china(report, ring)
                ok = ok and not outside_reported
    return ok


def _pos(position) -> str:
    return f"{position[0]:.6f}, {position[1]:.6f}"


def _in_china(lng: float, lat: float) -> bool:
    return CHINA_LNG[0] <= lng <= CHINA_LNG[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]


def _check_china(report: FeatureReport, ring: list) -> bool:
    """Report the first position outside China; True when one was reported."""
    for position in ring:
        lng, lat = position[0], position[1]
        if _in_china(lng, lat):
            continue
        if _in_china(lat, lng):
            report.error(
                "swapped_coordinates",
                _(
                    "The position (%(pos)s) lies outside China: latitude and longitude look swapped "
                    "(GeoJSON writes longitude first)."
                )
                % {"pos": _pos(position)},
            )
        else:
            report.error(
                "outside_china",
                _("The position (%(pos)s) lies outside China (longitude 73–136, latitude 3–54).")
                % {"pos": _pos(position)},
            )
        return True
    return False


# --- the validation -----------------------------------------------------------------------


@dataclass
class _Place:
    """A node as it will be after the import: from the file, the database, or both."""

    code: str
    kind: str
    parent_code: str
    geometry: BaseGeometry | None
    feature: FeatureReport | None


def _can_draw(actor: User, parent_path: str | None) -> bool:
    """A boundary is decided one level up: the street office draws its communities, the
    community its grids. Places without a parent are the superuser's."""
    if actor.is_superuser:
        return True
    if parent_path is None:
        return False
    return actor.grants.allows("territory", "change", parent_path)


def may_import(actor: User) -> bool:
    return actor.is_superuser or bool(actor.grants.paths("territory", "change"))


def validate_collection(data: Any, *, crs: str, actor: User) -> ImportReport:
    report = ImportReport(crs=crs)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        report.errors.append(
            Problem("not_feature_collection", _("The file is not a GeoJSON FeatureCollection."))
        )
        return report
    declared = data.get(CRS_MEMBER)
    if declared:
        try:
            in_file = coords.normalise_crs(str(declared))
        except ValueError:
            in_file = None
        if in_file != crs:
            report.errors.append(
                Problem(
                    "crs_mismatch",
                    _("The file says its coordinates are %(file)s, but %(chosen)s was chosen.")
                    % {"file": declared, "chosen": coords.CRS_LABELS[crs]},
                )
            )
            return report
    raw_features = data.get("features")
    if not isinstance(raw_features, list) or not raw_features:
        report.errors.append(Problem("no_features", _("The file holds no features.")))
        return report

    _read_features(report, raw_features, crs)
    features = [
        f for f in report.features if f.code and not any(p.code == "duplicate_code" for p in f.errors)
    ]
    existing = {
        n.code: n for n in Node.objects.filter(code__in=[f.code for f in features]).select_related("parent")
    }
    parent_codes = {f.parent_code for f in features if f.parent_code} | {
        n.parent.code for n in existing.values() if n.parent_id
    }
    parents_in_db = {n.code: n for n in Node.objects.filter(code__in=parent_codes)}
    in_file = {f.code: f for f in features}
    for feature in features:
        before = len(feature.errors)
        _resolve(feature, existing, parents_in_db, in_file, actor)
        identity_errors = [p for p in feature.errors[before:] if p.code != "name_missing"]
        feature.placed = bool(feature.action and feature.kind) and not identity_errors
    _check_relations(report, actor)
    return report


def _read_features(report: ImportReport, raw_features: list, crs: str) -> None:
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_features):
        feature = FeatureReport(index=index)
        report.features.append(feature)
        if not isinstance(raw, dict) or raw.get("type") != "Feature":
            feature.error("not_a_feature", _("This entry is not a GeoJSON Feature."))
            continue
        props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
        feature.code = normalise_code(str(props.get("code") or ""))
        feature.name = str(props.get("name") or "").strip()
        feature.kind = str(props.get("kind") or "").strip()
        feature.parent_code = normalise_code(str(props.get("parent_code") or props.get("parent") or ""))
        feature.dedicated_kind = str(props.get("dedicated_kind") or "").strip()
        if not feature.code:
            feature.error("code_missing", _('The feature has no code (property "code").'))
        elif feature.code in seen:
            feature.error(
                "duplicate_code",
                _("The code %(code)s appears again: it is already feature #%(first)d.")
                % {"code": feature.code, "first": seen[feature.code] + 1},
            )
        else:
            seen[feature.code] = index
        if feature.kind and feature.kind not in NodeKind.values:
            feature.error("unknown_kind", _("Unknown kind %(kind)s.") % {"kind": feature.kind})
        elif feature.kind and feature.kind not in KINDS_WITH_BOUNDARY:
            feature.error(
                "kind_without_boundary",
                _("A %(kind)s has no boundary of its own.") % {"kind": NodeKind(feature.kind).label},
            )
        if feature.dedicated_kind and feature.dedicated_kind not in DedicatedKind.values:
            feature.error(
                "unknown_dedicated_kind",
                _("Unknown dedicated grid type %(value)s.") % {"value": feature.dedicated_kind},
            )
        geometry = raw.get("geometry")
        if check_raw_geometry(feature, geometry):
            _read_geometry(feature, geometry, crs)


def _read_geometry(feature: FeatureReport, geometry: dict, crs: str) -> None:
    try:
        geom = shapely.force_2d(from_geojson(geometry))
    except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as exc:
        feature.error("invalid_geometry", _("The geometry cannot be read: %(reason)s") % {"reason": exc})
        return
    if not geom.is_valid:
        # The reason names the place in the file's own coordinates, where the user can find it.
        feature.error(
            "invalid_geometry",
            _("The boundary is not a valid polygon: %(reason)s") % {"reason": shapely.is_valid_reason(geom)},
        )
        return
    wgs = convert(geom, to_wgs84_from=crs)
    if not wgs.is_valid:
        feature.error(
            "invalid_geometry",
            _("The boundary is not valid once converted to WGS-84: %(reason)s")
            % {"reason": shapely.is_valid_reason(wgs)},
        )
        return
    feature.area_m2 = area_m2(wgs)
    if feature.area_m2 <= 0:
        feature.error("geometry_empty", _("The boundary encloses no area."))
        return
    feature.geometry = wgs


def _resolve(
    feature: FeatureReport,
    existing: dict[str, Node],
    parents_in_db: dict[str, Node],
    in_file: dict[str, FeatureReport],
    actor: User,
) -> None:
    """Decide create or update and check codes, kinds, parents and permissions."""
    node = existing.get(feature.code)
    if node is not None:
        if not (actor.is_superuser or actor.grants.allows("territory", "view", node.path)):
            # The same answer as a code nobody uses: nothing is learnt about other areas.
            feature.error(
                "unknown_code",
                _("The code %(code)s is not a place in your area.") % {"code": feature.code},
            )
            return
        feature.node = node
        feature.action = "update"
        if node.retired_at is not None:
            feature.error("retired", _("%(code)s has been retired.") % {"code": feature.code})
        if feature.kind and feature.kind != node.kind:
            feature.error(
                "kind_mismatch",
                _("%(code)s is a %(stored)s, not a %(given)s.")
                % {
                    "code": feature.code,
                    "stored": NodeKind(node.kind).label,
                    "given": NodeKind(feature.kind).label
                    if feature.kind in NodeKind.values
                    else feature.kind,
                },
            )
        feature.kind = node.kind
        stored_parent = node.parent.code if node.parent_id else ""
        if feature.parent_code and feature.parent_code != stored_parent:
            feature.error(
                "parent_mismatch",
                _(
                    "%(code)s belongs to %(stored)s, not %(given)s; move places in the tree, not by "
                    "importing a boundary."
                )
                % {"code": feature.code, "stored": stored_parent or "—", "given": feature.parent_code},
            )
        feature.parent_code = stored_parent
        if node.kind not in KINDS_WITH_BOUNDARY:
            feature.error(
                "kind_without_boundary",
                _("A %(kind)s has no boundary of its own.") % {"kind": NodeKind(node.kind).label},
            )
        elif not feature.errors and not _can_draw(actor, node.parent.path if node.parent_id else None):
            feature.error(
                "not_permitted",
                _("You may not draw the boundary of %(code)s: that is done one level up.")
                % {"code": feature.code},
            )
        if not feature.name:
            feature.name = node.name
        elif feature.name != node.name:
            feature.warn(
                "name_differs",
                _(
                    "The name in the file (%(file)s) differs from the stored name %(stored)s; the name is not changed."
                )
                % {"file": feature.name, "stored": node.name},
            )
        return

    feature.action = "create"
    if not feature.kind:
        feature.error(
            "unknown_code",
            _(
                "The code %(code)s is not a place in your area; to create it, give its kind, name and parent code."
            )
            % {"code": feature.code},
        )
        return
    if feature.kind not in KINDS_WITH_BOUNDARY:
        return  # reported when the feature was read
    if not feature.name:
        feature.error("name_missing", _('A new place needs a name (property "name").'))
    if not feature.parent_code:
        feature.error("parent_missing", _('A new place needs its parent\'s code (property "parent_code").'))
        return
    parent_kind, parent_path = _parent_of(feature.parent_code, parents_in_db, in_file, actor)
    if parent_kind is None:
        feature.error(
            "unknown_parent",
            _("The parent code %(code)s is neither in the file nor a place in your area.")
            % {"code": feature.parent_code},
        )
        return
    if feature.kind in ALLOWED_PARENTS and parent_kind not in ALLOWED_PARENTS[feature.kind]:
        feature.error(
            "bad_parent",
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {"kind": NodeKind(feature.kind).label, "parent": NodeKind(parent_kind).label},
        )
        return
    try:
        validate_code(kind=feature.kind, code=feature.code, parent_code=feature.parent_code)
    except ValidationFailed as exc:
        feature.error("invalid_code", str(exc.message))
        return
    if feature.kind == NodeKind.DEDICATED_GRID and not feature.dedicated_kind:
        feature.dedicated_kind = DedicatedKind.OTHER
        feature.warn(
            "dedicated_kind_missing",
            _('No dedicated grid type given (property "dedicated_kind"); it is stored as "other".'),
        )
    if not actor.is_superuser and (
        parent_path is None or not actor.grants.allows("territory", "add", parent_path)
    ):
        feature.error(
            "not_permitted",
            _("You may not add places under %(code)s.") % {"code": feature.parent_code},
        )


def _parent_of(
    code: str, parents_in_db: dict[str, Node], in_file: dict[str, FeatureReport], actor: User
) -> tuple[str | None, str | None]:
    """The parent's kind and the path of the nearest existing place at or above it (what
    permission to add is checked against)."""
    node = parents_in_db.get(code)
    if node is not None:
        if node.retired_at is None and (
            actor.is_superuser or actor.grants.allows("territory", "view", node.path)
        ):
            return node.kind, node.path
        return None, None
    parent_feature = in_file.get(code)
    if parent_feature is None or not parent_feature.kind:
        return None, None
    # A parent created by the same file: permission comes from its own parent. Its own
    # problems are reported on its own line.
    grand = parents_in_db.get(parent_feature.parent_code)
    return parent_feature.kind, grand.path if grand is not None else None


def _check_relations(report: ImportReport, actor: User) -> None:
    """Children inside parents, ordinary grids not overlapping, gaps, numbering: against the
    places as they will be after the import."""
    places: dict[str, _Place] = {}
    for feature in report.features:
        if feature.placed:
            places[feature.code] = _Place(
                feature.code, feature.kind, feature.parent_code, feature.geometry, feature
            )
    touched = set(places)
    # Stored boundaries of the parents and children of what the file touches, and of the
    # sibling grids of its grids.
    parent_codes = {p.parent_code for p in places.values() if p.parent_code}
    rows = (
        Boundary.objects.filter(node__retired_at__isnull=True)
        .filter(_q_codes(parent_codes | touched))
        .select_related("node", "node__parent")
    )
    for boundary in rows:
        node = boundary.node
        if node.code in places:
            continue
        places[node.code] = _Place(
            node.code,
            node.kind,
            node.parent.code if node.parent_id else "",
            from_geojson(boundary.geometry),
            None,
        )
    _check_inside_parents(places, touched)
    by_community: dict[str, list[_Place]] = defaultdict(list)
    for place in places.values():
        if place.kind == NodeKind.GRID and place.geometry is not None:
            by_community[place.parent_code].append(place)
    communities = {places[c].parent_code for c in touched if places[c].kind == NodeKind.GRID} | {
        c for c in touched if places[c].kind == NodeKind.COMMUNITY
    }
    for community in sorted(communities):
        grids = by_community.get(community, [])
        _check_overlaps(grids)
        _check_gaps(report, places.get(community), grids, community)
        numbers = suggest_numbers([(g.code, g.geometry) for g in grids])
        if numbers:
            report.numbering[community] = sorted(numbers.items(), key=lambda item: item[1])
        for grid in grids:
            if grid.feature is not None:
                grid.feature.suggested_number = numbers.get(grid.code)


def _q_codes(codes: Iterable[str]):
    """Boundaries of these nodes and of their children (path prefix would need paths of
    nodes that may not exist yet; codes extend their parent's code, parent links do not
    lie)."""
    from django.db.models import Q

    codes = sorted(codes)
    return Q(node__code__in=codes) | Q(node__parent__code__in=codes)


def _check_inside_parents(places: dict[str, _Place], touched: set[str]) -> None:
    buffered: dict[str, BaseGeometry] = {}
    for place in places.values():
        parent = places.get(place.parent_code)
        if place.geometry is None or parent is None or parent.geometry is None:
            continue
        if place.code not in touched and parent.code not in touched:
            continue
        outside = _outside_area(place.geometry, parent.geometry, buffered, parent.code)
        if outside is None:
            continue
        share = outside / max(area_m2(place.geometry), 1e-9)
        message = _("%(child)s sticks out of its parent %(parent)s by %(area).0f m² (%(share).1f%%).") % {
            "child": place.code,
            "parent": parent.code,
            "area": outside,
            "share": share * 100,
        }
        # Reported where the user can fix it: on the child when it is in the file, else on
        # the parent whose new outline leaves a stored child outside.
        target = place.feature if place.code in touched else parent.feature
        if target is not None:
            target.error("outside_parent", message, outside)


def _outside_area(
    child: BaseGeometry, parent: BaseGeometry, buffered: dict[str, BaseGeometry], key: str
) -> float | None:
    """Square metres of the child outside the parent, or None when within tolerance."""
    lat0 = parent.centroid.y
    if key not in buffered:
        buffered[key] = metric(parent, lat0)
    parent_m = buffered[key]
    child_m = metric(child, lat0)
    if child_m.within(parent_m):
        return None
    outside = child_m.difference(parent_m).area
    if child_m.within(parent_m.buffer(INSIDE_BUFFER_M)) or outside <= (1 - INSIDE_SHARE) * child_m.area:
        return None
    return outside


def _check_overlaps(grids: list[_Place]) -> None:
    if len(grids) < 2:
        return
    lat0 = grids[0].geometry.centroid.y
    shapes = [metric(g.geometry, lat0) for g in grids]
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        overlap = shapes[i].intersection(shapes[j]).area
        if overlap <= OVERLAP_TOLERANCE_M2:
            continue
        for me, other in ((grids[i], grids[j]), (grids[j], grids[i])):
            if me.feature is not None:
                me.feature.error(
                    "overlap",
                    _(
                        "Overlaps the grid %(other)s by %(area).0f m²; ordinary grids of one community may not overlap."
                    )
                    % {"other": other.code, "area": overlap},
                    overlap,
                )


def _check_gaps(report: ImportReport, community: _Place | None, grids: list[_Place], code: str) -> None:
    if community is None or community.geometry is None or not grids:
        return
    lat0 = community.geometry.centroid.y
    uncovered = metric(community.geometry, lat0).difference(
        shapely.union_all([metric(g.geometry, lat0) for g in grids])
    )
    parts = [p for p in getattr(uncovered, "geoms", [uncovered]) if p.area > GAP_TOLERANCE_M2]
    if not parts:
        return
    total = sum(p.area for p in parts)
    message = _(
        "%(n)d part(s) of community %(code)s, %(area).0f m² in all, are not covered by any ordinary grid."
    ) % {"n": len(parts), "code": code, "area": total}
    if community.feature is not None:
        community.feature.warn("gaps", message, total)
    else:
        report.warnings.append(
            {"code": "gaps", "message": message, "area_m2": round(total, 1), "place": code}
        )


def suggest_numbers(grids: list[tuple[str, BaseGeometry]]) -> dict[str, int]:
    """Number grids west→east, north→south by centroid: rows first (a centroid more than
    half a typical grid's height below the row's first starts a new row), then west to
    east within the row."""
    items = [(code, geom.centroid, geom.bounds) for code, geom in grids if geom is not None]
    if not items:
        return {}
    heights = sorted(bounds[3] - bounds[1] for _code, _centre, bounds in items)
    tolerance = heights[len(heights) // 2] / 2
    items.sort(key=lambda item: (-item[1].y, item[1].x))
    rows: list[list] = []
    anchor = None
    for item in items:
        if anchor is None or anchor - item[1].y > tolerance:
            rows.append([])
            anchor = item[1].y
        rows[-1].append(item)
    numbers = {}
    n = 0
    for row in rows:
        for code, _centre, _bounds in sorted(row, key=lambda item: item[1].x):
            n += 1
            numbers[code] = n
    return numbers


# --- export -------------------------------------------------------------------------------


def feature_collection(boundaries: Iterable[Boundary], crs: str = coords.WGS84) -> dict[str, Any]:
    """The FeatureCollection an import reads back (same properties), in `crs`."""
    features = []
    for boundary in boundaries:
        node = boundary.node
        geometry = boundary.geometry
        if crs != coords.WGS84:
            geometry = to_geojson(convert(from_geojson(geometry), from_wgs84_to=crs))
        features.append(
            {
                "type": "Feature",
                "id": str(node.public_id),
                "properties": {
                    "code": node.code,
                    "name": node.name,
                    "kind": node.kind,
                    "parent_code": node.parent.code if node.parent_id else "",
                    "dedicated_kind": node.dedicated_kind,
                },
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", CRS_MEMBER: crs, "features": features}
