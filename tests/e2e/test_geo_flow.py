"""Boundaries in the browser: import a GeoJSON file with one bad feature, read the report,
fix the file, import it, then click a grid on the map and see its card."""

import json
from pathlib import Path

from playwright.sync_api import expect

from linli.territory.models import Boundary
from tests.e2e.test_shell import SCREENSHOTS, log_in

SAMPLE = (
    Path(__file__).resolve().parents[2] / "linli" / "territory" / "tests" / "data" / "grids_one_bad.geojson"
)


def test_import_a_bad_file_fix_it_and_open_a_grid_card_on_the_map(open_page, world, tmp_path):
    page = open_page()
    log_in(page, world.secretary)
    page.get_by_test_id("nav-map").click()
    page.get_by_test_id("map-import").click()

    # The sample's second feature has a ring that is not closed.
    page.locator("#id_file").set_input_files(str(SAMPLE))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-failed")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "e2e-import-report.png"), full_page=True)
    bad_row = page.locator(f'[data-testid="feature-row"][data-code="{world.grid_b.code}"]')
    expect(bad_row.locator('[data-problem="ring_not_closed"]')).to_be_visible()
    assert not Boundary.objects.exists()

    data = json.loads(SAMPLE.read_text("utf-8"))
    ring = data["features"][1]["geometry"]["coordinates"][0]
    ring.append(ring[0])
    fixed = tmp_path / "grids_fixed.geojson"
    fixed.write_text(json.dumps(data), "utf-8")
    page.locator("#id_file").set_input_files(str(fixed))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-done")).to_be_visible()
    assert Boundary.objects.count() == 2

    page.get_by_test_id("nav-map").click()
    shape = page.locator(f'path[data-code="{world.grid_a.code}"]')
    expect(shape).to_be_visible()
    shape.click()
    card = page.get_by_test_id("grid-card")
    expect(card).to_be_visible()
    expect(page.get_by_test_id("grid-card-code")).to_have_text(world.grid_a.code)
    expect(page.get_by_test_id("grid-card-dwellings")).to_have_text("2")
    page.screenshot(path=str(SCREENSHOTS / "e2e-map.png"), full_page=True)

    # The list beside the map opens the other grid's card.
    page.locator(f'[data-map-card="{world.grid_b.public_id}"]').click()
    expect(page.get_by_test_id("grid-card-code")).to_have_text(world.grid_b.code)


def test_a_grid_worker_sees_only_their_grid_on_the_map(open_page, world):
    from linli.territory.tests.geo_fixtures import world_boundaries

    world_boundaries(world)
    page = open_page()
    log_in(page, world.grid_worker_a)
    page.get_by_test_id("nav-map").click()
    expect(page.locator(f'path[data-code="{world.grid_a.code}"]')).to_be_visible()
    expect(page.locator("path[data-code]")).to_have_count(1)
    expect(page.get_by_test_id("map-import")).to_have_count(0)
