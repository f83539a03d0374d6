"""The shell every page shares: logging in, the interface language, logging out, the phone menu."""

import os
import tempfile
from pathlib import Path

from playwright.sync_api import expect

from linli.test import PASSWORD

SCREENSHOTS = Path(os.environ.get("LINLI_E2E_SCREENSHOTS", tempfile.gettempdir()))
LINLI_RED = "rgb(192, 57, 43)"


def log_in(page, user):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("logout")).to_be_visible()


def home_link(page):
    return page.locator('#mainnav a[href="/"]')


def expect_chinese(page):
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(home_link(page)).to_have_text("首页")
    expect(page.get_by_test_id("switch-language")).to_have_text("English")


def expect_english(page):
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(home_link(page)).to_have_text("Home")
    expect(page.get_by_test_id("switch-language")).to_have_text("中文")


def test_secretary_logs_in_in_chinese_switches_to_english_and_logs_out(open_page, live_server, world):
    page = open_page()
    page.goto("/accounts/login/")
    # Chinese is the default for everyone, whatever the browser asks for.
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    log_in(page, world.secretary)
    expect(page).to_have_url(f"{live_server.url}/")
    expect_chinese(page)
    expect(page.get_by_test_id("current-place")).to_contain_text("新世纪社区")
    # The stylesheet and the script both load (a missing one would also fail the page watch).
    expect(page.locator("header.topbar")).to_have_css("background-color", LINLI_RED)
    page.screenshot(path=str(SCREENSHOTS / "e2e-shell.png"), full_page=True)

    page.get_by_test_id("switch-language").click()
    expect_english(page)
    page.reload()
    expect_english(page)

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("#id_username")).to_be_visible()

    # A new browser has no language cookie: the login page is Chinese again, and logging in
    # brings back the choice saved on the account.
    other = open_page()
    other.goto("/accounts/login/")
    expect(other.locator("html")).to_have_attribute("lang", "zh-CN")
    log_in(other, world.secretary)
    expect_english(other)


def test_phone_width_menu_opens_the_nav(open_page, world):
    page = open_page(width=360, height=740)
    log_in(page, world.secretary)

    toggle = page.locator(".menu-toggle")
    nav = page.locator("#mainnav")
    expect(toggle).to_be_visible()
    expect(nav).to_be_hidden()
    toggle.click()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(home_link(page)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "e2e-shell-phone.png"), full_page=True)

    # Nothing sticks out sideways at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    toggle.click()
    expect(nav).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
