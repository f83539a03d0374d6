"""Issue 5, item 10 in a browser: a community secretary downloads the template, imports it
with three bad rows, downloads the validation report (bad cells marked), fixes the rows,
imports again (the job runs; the progress bar polls until done), finds a resident by pinyin
initials and reveals the ID with a reason."""

import datetime
import io

import openpyxl
from playwright.sync_api import expect

from linli.registry.demo import citizen_id_for
from linli.registry.importing import run_import
from linli.registry.models import ImportJob, Resident
from tests.e2e.test_shell import log_in

ID_HEAD = citizen_id_for("370811", datetime.date(1958, 3, 5), 123)
ID_WIFE = citizen_id_for("370811", datetime.date(1960, 7, 1), 246)
ID_SON = citizen_id_for("370811", datetime.date(1985, 2, 3), 135)


def _filled(template: bytes, rows: list[list[str]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    sheet.delete_rows(2, sheet.max_row)  # the example row
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(name, number, relation, birth, address):
    return [name, number, relation, "", birth, "汉族", "", address, "户籍人口", "", "", ""]


def _upload(page, world, name: str, content: bytes):
    page.goto("/registry/import/")
    page.locator("#place").select_option(str(world.grid_a.public_id))
    page.locator("#file").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": content}
    )
    page.get_by_test_id("check").click()
    expect(page.get_by_test_id("mapping")).to_be_visible()


def test_import_with_bad_rows_fix_import_find_and_reveal(open_page, world):
    page = open_page()
    log_in(page, world.secretary)
    page.goto("/registry/")
    page.get_by_test_id("import").click()
    with page.expect_download() as info:
        page.get_by_test_id("template").click()
    template = info.value.path().read_bytes()

    good = _row("曾国藩", ID_HEAD, "户主", "1958.3.5", "1号楼1单元101")
    bad_rows = [
        _row("欧阳娜娜", ID_WIFE[:-1] + ("1" if ID_WIFE[-1] != "1" else "2"), "配偶", "", "1号楼1单元101"),
        _row("曾纪泽", ID_SON, "子", "1985年2月30日", "1号楼1单元101"),
        _row("曾小妹", "", "女", "", "9号楼9单元909"),
    ]
    _upload(page, world, "名单.xlsx", _filled(template, [good] + bad_rows))
    assert page.locator("tr[data-action=error]").count() == 3
    expect(page.locator("main")).not_to_contain_text(ID_HEAD)

    with page.expect_download() as info:
        page.get_by_test_id("report").click()
    report = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    marked = [cell for row in report.iter_rows(min_row=2) for cell in row if cell.comment is not None]
    assert sorted(cell.row for cell in marked) == [3, 4, 5]
    assert all(cell.fill.fgColor.rgb.endswith("F8B4B4") for cell in marked)

    fixed = [
        good,
        _row("欧阳娜娜", ID_WIFE, "配偶", "", "1号楼1单元101"),
        _row("曾纪泽", ID_SON, "子", "1985年2月3日", "1号楼1单元101"),
        _row("曾小妹", "", "女", "", "1号楼1单元101"),
    ]
    _upload(page, world, "名单-改.xlsx", _filled(template, fixed))
    assert page.locator("tr[data-action=error]").count() == 0
    page.get_by_test_id("run").click()
    expect(page.locator("#progress")).to_be_visible()
    # The worker's part, done here: the page keeps polling until the job is done.
    run_import(ImportJob.objects.get(filename="名单-改.xlsx").pk)
    expect(page.locator("#progress")).to_have_attribute("data-status", "done")
    assert Resident.objects.count() == 4

    page.goto("/registry/")
    page.locator("#id_q").fill("zgf")
    link = page.get_by_test_id("resident-link").filter(has_text="曾国藩")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_test_id("citizen-id")).not_to_contain_text(ID_HEAD)
    page.get_by_test_id("reveal-citizen_id").click()
    page.get_by_test_id("reveal-reason-citizen_id").fill("核对导入的户籍信息")
    page.get_by_test_id("reveal-submit-citizen_id").click()
    expect(page.get_by_test_id("revealed-citizen_id")).to_have_text(ID_HEAD)
