"""The trust layer in a browser: another grid's dwelling is a 404 page for a grid worker;
a community secretary reveals a resident's ID with a reason, and the reveal is on the audit page."""

import re

from playwright.sync_api import expect

from linli.registry.choices import Relation
from linli.registry.services import household_create, resident_create
from tests.e2e.test_shell import log_in

CITIZEN_ID = "11010519491231002X"


def test_grid_worker_typing_another_grids_dwelling_gets_the_404_page(open_page, world):
    page = open_page()
    log_in(page, world.grid_worker_a)
    own = page.goto(f"/registry/dwellings/{world.dwelling_a.public_id}/")
    assert own.status == 200
    other = page.goto(f"/registry/dwellings/{world.dwelling_b.public_id}/")
    assert other.status == 404
    expect(page.get_by_test_id("error-page")).to_be_visible()
    expect(page.get_by_test_id("error-page")).to_contain_text("404")


def test_secretary_reveals_an_id_with_a_reason_and_finds_it_on_the_audit_page(open_page, world):
    household = household_create(actor=world.secretary, dwelling=world.dwelling_a)
    resident = resident_create(
        actor=world.secretary,
        household=household,
        name="张三丰",
        relation=Relation.HOUSEHOLDER,
        citizen_id=CITIZEN_ID,
    )
    page = open_page()
    log_in(page, world.secretary)
    page.goto(f"/registry/residents/{resident.public_id}/")
    expect(page.get_by_test_id("citizen-id")).to_contain_text("110")
    expect(page.get_by_test_id("citizen-id")).not_to_contain_text(CITIZEN_ID)
    page.get_by_test_id("reveal-citizen_id").click()
    page.get_by_test_id("reveal-reason-citizen_id").fill("核对低保申请材料")
    page.get_by_test_id("reveal-submit-citizen_id").click()
    expect(page.get_by_test_id("revealed-citizen_id")).to_have_text(CITIZEN_ID)

    page.goto("/audit/")
    row = page.locator("tr, li, article").filter(has_text="pii.reveal").first
    expect(row).to_be_visible()
    expect(row).to_contain_text("核对低保申请材料")
    expect(page.locator("main")).not_to_contain_text(CITIZEN_ID)
    assert re.search("secretary", row.inner_text())
