"""The tree from a spreadsheet: real-world files, row-by-row answers, all or nothing."""

import io

import openpyxl
import pytest

from linli.core.errors import ValidationFailed
from linli.core.models import AuditEntry
from linli.territory.models import Node
from linli.territory.tree_import import template_xlsx, tree_import

HEADER = ["类型", "编码", "名称", "上级编码", "专属网格类型"]


def xlsx(rows, *, title_rows=0, merged_title=False) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["新世纪社区辖区台账"])
    if merged_title:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def run(actor, rows, dry_run=False, **kw):
    return tree_import(actor=actor, upload=xlsx(rows, **kw), filename="tree.xlsx", dry_run=dry_run)


def test_a_real_sheet_with_title_full_width_digits_and_spaces_imports(world):
    report = run(
        world.secretary,
        [
            ["小区", "３７０１１４００２００１００１０２ ", " 幸福小区 ", "370114002001001", ""],
            ["楼栋", "37011400200100102001", "1号楼", "37011400200100102", ""],
            ["网格", "370114002001003", "第三网格", "370114002001", ""],
            ["专属网格", "370114002001004", "双山小学专属网格", "370114002001", "学校"],
        ],
        title_rows=1,
        merged_title=True,
    )
    assert report.errors == [] and report.imported and report.created == 4
    compound = Node.objects.get(code="37011400200100102")
    assert compound.name == "幸福小区" and compound.parent == world.grid_a
    assert Node.objects.get(code="37011400200100102001").parent == compound
    assert Node.objects.get(code="370114002001004").dedicated_kind == "school"
    assert AuditEntry.objects.filter(action="territory.node.create", actor=world.secretary).count() == 4


def test_errors_are_reported_per_row_and_nothing_is_created(world):
    before = Node.objects.count()
    report = run(
        world.secretary,
        [
            ["小区", "37011400200100102", "好的小区", "370114002001001", ""],
            ["飞船", "1", "x", "370114002001", ""],
            ["网格", "370114002001003", "", "370114002001", ""],
            ["网格", "370114002002003", "别的社区", "370114002002", ""],
            ["楼栋", "370114002001009", "挂错层级", "370114002001", ""],
            ["小区", "37011400200100102", "重复", "370114002001001", ""],
            ["单元", "3701140020010010300101", "1单元", "9999", ""],
        ],
    )
    assert not report.imported
    by_row = {(e.row, e.column): e.message for e in report.errors}
    assert "Unknown kind" in by_row[(3, "类型")]
    assert by_row[(4, "名称")] == "A name is required."
    assert "may not add places under 370114002002" in by_row[(5, "上级编码")]
    assert "cannot be placed under" in by_row[(6, "类型")]
    assert "already on row 2" in by_row[(7, "编码")]
    assert "neither in the file nor a place in your area" in by_row[(8, "上级编码")]
    assert Node.objects.count() == before


def test_a_code_that_breaks_the_code_rules_rolls_back_every_row(world):
    before = Node.objects.count()
    report = run(
        world.secretary,
        [
            ["小区", "37011400200100102", "好的小区", "370114002001001", ""],
            ["楼栋", "3701140020010010201", "编码太短", "37011400200100102", ""],
        ],
    )
    assert not report.imported and "must have 20 digits" in report.errors[0].message
    assert report.errors[0].row == 3
    assert Node.objects.count() == before


def test_dry_run_checks_without_writing(world):
    report = run(world.secretary, [["网格", "370114002001003", "第三网格", "370114002001", ""]], dry_run=True)
    assert report.errors == [] and not report.imported
    assert not Node.objects.filter(code="370114002001003").exists()


def test_csv_in_gbk_with_header_aliases(world):
    text = "层级,代码,名称,上级代码\n网格,370114002001003,第三网格,370114002001\n"
    report = tree_import(
        actor=world.secretary, upload=io.BytesIO(text.encode("gbk")), filename="tree.csv", dry_run=False
    )
    assert report.imported and Node.objects.filter(code="370114002001003").exists()


def test_a_file_without_the_columns_is_refused_with_their_names(world):
    with pytest.raises(ValidationFailed, match="类型、编码、名称、上级编码"):
        tree_import(actor=world.secretary, upload=io.BytesIO(b"a,b\n1,2\n"), filename="x.csv", dry_run=True)
    with pytest.raises(ValidationFailed, match=r"\.xlsx, \.xls or \.csv"):
        tree_import(actor=world.secretary, upload=io.BytesIO(b"x"), filename="x.pdf", dry_run=True)


def test_template_has_headers_choices_and_instructions():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:4] == ["类型*", "编码*", "名称*", "上级编码*"]
    assert sheet.data_validations.dataValidation, "the kind column offers a drop-down"
    assert len(book.worksheets) == 2


def test_import_page(client, world):
    client.force_login(world.secretary)
    assert client.get("/territory/import/").status_code == 200
    response = client.get("/territory/import/template.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = xlsx([["网格", "370114002001003", "第三网格", "370114002001", ""]])
    upload.name = "tree.xlsx"
    response = client.post("/territory/import/", {"file": upload, "check": "1"})
    assert response.status_code == 200 and "can be imported" in response.content.decode()
    upload.seek(0)
    response = client.post("/territory/import/", {"file": upload, "import": "1"})
    assert "1 places created" in response.content.decode()
    assert Node.objects.filter(code="370114002001003").exists()


def test_import_through_the_api(client, world):
    from linli.accounts.services import token_issue

    raw, _ = token_issue(user=world.secretary)
    upload = xlsx([["网格", "370114002001003", "第三网格", "370114002001", ""], ["网格", "1", "", "2", ""]])
    upload.name = "tree.xlsx"
    response = client.post("/api/v1/territory/import", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["imported"] is False
    assert {e["row"] for e in response.json()["errors"]} == {3}
    upload = xlsx([["网格", "370114002001003", "第三网格", "370114002001", ""]])
    upload.name = "tree.xlsx"
    response = client.post(
        "/api/v1/territory/import?dry_run=false", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200 and response.json()["created"] == 1


def test_rows_naming_each_other_as_parents_are_refused(world):
    before = Node.objects.count()
    report = run(
        world.secretary,
        [
            ["小区", "37011400200100102", "甲", "37011400200100103", ""],
            ["小区", "37011400200100103", "乙", "37011400200100102", ""],
        ],
    )
    assert not report.imported
    assert {e.row for e in report.errors} == {2, 3}
    assert Node.objects.count() == before
