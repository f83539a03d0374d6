"""The appeal loop in the browser: a grid worker registers an appeal at the window, the
community routes it to the grid, the grid worker handles and closes it; the reporter rates
it 不满意 on a phone-sized screen, it comes back, is closed again, rated 满意 and appears on
the community's public board. Then the community's measures page draws its charts."""

from playwright.sync_api import expect

from linli.appeals import rating
from linli.appeals.models import Appeal
from tests.e2e.test_shell import SCREENSHOTS, log_in

TITLE = "1号楼1单元楼道灯不亮"


def _act(page, action: str, fields: dict[str, str] | None = None):
    panel = page.get_by_test_id(f"action-{action}")
    panel.locator("summary").click()
    for name, value in (fields or {}).items():
        field = panel.locator(f'[name="{action}-{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    panel.get_by_test_id(f"do-{action}").click()


def _rate(open_page, appeal: Appeal, value: str, comment: str = ""):
    phone = open_page(width=390, height=844)
    phone.goto(f"/board/rate/{rating.make_token(appeal)}/")
    expect(phone.get_by_test_id("rate-page")).to_be_visible()
    phone.get_by_test_id(f"rate-{value}").click()
    if comment:
        phone.locator("textarea[name=comment]").fill(comment)
    phone.get_by_test_id("submit-rating").click()
    expect(phone.get_by_test_id("rate-done")).to_be_visible()
    return phone


def test_register_route_handle_rate_rework_and_show(open_page, world):
    worker = open_page(width=390, height=844)
    log_in(worker, world.grid_worker_a)
    worker.goto("/appeals/new/")
    worker.locator("#id_title").fill(TITLE)
    worker.locator("#id_description").fill("声控灯坏了一周，晚上看不见台阶。")
    worker.locator("#id_category").select_option("stair_lights")
    worker.get_by_test_id("find-place").fill("1号楼 101")
    worker.locator(f'input[name=place][value="{world.dwelling_a.public_id}"]').check()
    worker.locator("#id_reporter_name").fill("翟大爷")
    worker.locator("#id_reporter_phone").fill("13890476521")
    worker.get_by_test_id("register").click()
    expect(worker.get_by_test_id("appeal-status")).to_have_attribute("data-status", "registered")
    appeal = Appeal.objects.get(title=TITLE)
    assert appeal.node == world.dwelling_a

    office = open_page()
    log_in(office, world.secretary)
    office.goto(f"/appeals/{appeal.public_id}/")
    _act(office, "study", {"handler": f"grid:{world.grid_a.public_id}"})
    expect(office.get_by_test_id("appeal-status")).to_have_attribute("data-status", "assigned")
    expect(office.get_by_test_id("handler")).to_contain_text(world.grid_a.name)

    worker.goto(f"/appeals/{appeal.public_id}/")
    expect(worker.get_by_test_id("action-study")).to_have_count(0)  # not offered to the handler now
    _act(worker, "accept")
    _act(worker, "close", {"result": "已更换声控灯"})
    expect(worker.get_by_test_id("appeal-status")).to_have_attribute("data-status", "closed")
    worker.screenshot(path=str(SCREENSHOTS / "e2e-appeal-closed.png"), full_page=True)

    phone = _rate(open_page, Appeal.objects.get(pk=appeal.pk), "dissatisfied", "灯还是时亮时不亮")
    phone.screenshot(path=str(SCREENSHOTS / "e2e-appeal-rated-dissatisfied.png"), full_page=True)
    worker.reload()
    expect(worker.get_by_test_id("appeal-status")).to_have_attribute("data-status", "handling")
    _act(worker, "close", {"result": "更换了线路和声控开关"})
    _rate(open_page, Appeal.objects.get(pk=appeal.pk), "satisfied")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rework_count, appeal.close_count) == ("rated", 1, 2)

    visitor = open_page(width=390, height=844)
    visitor.goto(f"/board/{world.community.public_id}/")
    item = visitor.get_by_test_id("board-item").filter(has_text="楼道灯不亮")
    expect(item).to_be_visible()
    expect(item).not_to_contain_text("翟大爷")
    expect(item).not_to_contain_text("101")
    visitor.screenshot(path=str(SCREENSHOTS / "e2e-board.png"), full_page=True)

    office.goto(f"/appeals/measures/{world.community.public_id}/")
    expect(office.locator('[data-chart="trend"][data-ready="1"]')).to_be_visible()
    expect(office.locator('[data-chart="ranking"][data-ready="1"]')).to_be_visible()
    office.screenshot(path=str(SCREENSHOTS / "e2e-appeal-measures.png"), full_page=True)
