"""Places and responsible people in the browser: a place is a marker on the map whose
popup leads to its page; on the grid's page a new grid chief is appointed through the
card (htmx) and replaces the current one."""

from playwright.sync_api import expect

from linli.territory.models import Duty, Responsibility
from linli.territory.tests.geo_fixtures import world_boundaries
from linli.territory.tests.places_fixtures import CHIEF_A_NAME, PLACE_A_NAME, chief_a, place_a
from tests.e2e.test_shell import SCREENSHOTS, log_in


def test_marker_to_place_page_and_appoint_a_grid_chief(open_page, world):
    world_boundaries(world)
    place_a(world)
    chief_a(world)
    page = open_page()
    log_in(page, world.secretary)

    page.get_by_test_id("nav-map").click()
    marker = page.get_by_test_id("map-place")
    expect(marker).to_have_count(1)
    marker.click(force=True)
    page.locator(".leaflet-popup a", has_text=PLACE_A_NAME).click()
    expect(page.get_by_test_id("place-name")).to_contain_text(PLACE_A_NAME)
    expect(page.get_by_test_id("contact")).to_contain_text("139****5678")

    page.goto(f"/territory/{world.grid_a.public_id}/")
    card = page.get_by_test_id("people-card")
    expect(card).to_contain_text(CHIEF_A_NAME)
    card.get_by_test_id("appoint-summary").click()
    form = page.get_by_test_id("appoint-form")
    form.locator("#id_duty").select_option("grid_chief")
    form.locator("#id_person_name").fill("周新任")
    form.locator("#id_phone").fill("13911112222")
    form.locator("button[type=submit]").click()
    expect(card).to_contain_text("周新任")
    expect(card).not_to_contain_text(CHIEF_A_NAME)
    page.screenshot(path=str(SCREENSHOTS / "e2e-people-card.png"), full_page=True)
    current = Responsibility.objects.filter(node=world.grid_a, duty=Duty.GRID_CHIEF, ended_at__isnull=True)
    assert [r.person_name for r in current] == ["周新任"]
