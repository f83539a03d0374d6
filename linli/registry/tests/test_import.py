"""Residents from real spreadsheets: each awkward case as a small xlsx built here, the
preview's plan, the validation report, the job (twice, and after a crash in the middle)."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linli.core.errors import OutOfScope
from linli.core.models import AuditEntry
from linli.registry import importing, services
from linli.registry.demo import citizen_id_for
from linli.registry.importing import Planner, import_job_create, parse_date, read_upload, run_import
from linli.registry.models import EventKind, ImportJob, ImportStatus, Resident, ResidentEvent
from linli.registry.tests.helpers import household, resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


HEADER = [
    "姓名",
    "公民身份号码",
    "与户主关系",
    "性别",
    "出生日期",
    "民族",
    "联系电话",
    "住址/房号",
    "人口类型",
]
ID_1 = citizen_id_for("370811", datetime.date(1958, 3, 5), 123)
ID_2 = citizen_id_for("370811", datetime.date(1960, 7, 1), 246)
ID_X = next(
    n
    for n in (citizen_id_for("370811", datetime.date(1990, 1, 2), s) for s in range(1, 999))
    if n.endswith("X")
)


def xlsx(rows, *, title=None, merge=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    for cells in merge or []:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def plans_for(world, content: bytes, name="residents.xlsx"):
    sheet = read_upload(io.BytesIO(content), name)
    return {p.row: p for p in Planner(actor=world.root, root=world.grid_a, sheet=sheet).plan_all()}


def job_for(world, content: bytes, name="residents.xlsx", actor=None) -> ImportJob:
    return import_job_create(actor=actor or world.root, root=world.grid_a, filename=name, content=content)


@pytest.mark.parametrize(
    "text",
    [
        "1958-03-05",
        "1958.3.5",
        "1958/3/5",
        "1958年3月5日",
        "19580305",
        "一九五八".replace("一九五八", "1958") + ".03.05",
        "21249",
        "1958-03-05 00:00:00",
        "195８.３.５",
        "1958.〇3.〇5",
    ],
)
def test_dates_as_people_type_them(text):
    assert parse_date(text) == datetime.date(1958, 3, 5)


@pytest.mark.parametrize("text", ["1958.13.5", "昨天", "58.3.5"])
def test_dates_that_are_not_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_real_spreadsheet_cases(world):
    """A merged title above a header with merged cells, full-width digits, lower-case x,
    four date spellings, trailing spaces, 〇 for zero, the same person twice."""
    content = xlsx(
        [
            HEADER,
            [
                "张三丰 ",
                full_width(ID_1),
                "户主",
                "男",
                "1958.3.5",
                "汉族",
                "1389〇476521",
                "1号楼1单元101 ",
                "户籍人口",
            ],
            ["李四", ID_X.lower(), "配偶", "", "", "回族", "", "1-1-101", "常住人口"],
            ["王五", "", "子", "男", "2001年3月5日", "", "", "1号楼1单元101", ""],
            ["赵六", "", "户主", "女", "19620814", "", "", "1号楼1单元102室", "流动"],
            ["张三丰", ID_1, "户主", "", "", "", "", "1号楼1单元101", ""],
            ["钱七", "", "母亲", "女", 21249, "", "", "1号楼1单元102", ""],
        ],
        title="新世纪社区第一网格居民花名册",
    )
    plans = plans_for(world, content)
    assert sorted(plans) == [3, 4, 5, 6, 7, 8]  # row 1 is the merged title, row 2 the header
    first = plans[3]
    assert first.errors == {} and first.action == "create"
    assert first.fields["name"] == "张三丰" and first.fields["citizen_id"] == ID_1
    assert first.fields["phone"] == "13890476521"
    assert first.dwelling == world.dwelling_a
    assert plans[4].errors == {} and plans[4].fields["citizen_id"] == ID_X
    assert plans[4].fields["ethnicity"] == "03" and plans[4].fields["population_type"] == "resident"
    assert plans[5].fields["birth_date"] == datetime.date(2001, 3, 5)
    assert plans[6].dwelling == world.dwelling_a2 and plans[6].fields["population_type"] == "floating"
    assert set(plans[7].errors) == {"citizen_id"} and "row 3" in plans[7].errors["citizen_id"]
    assert plans[8].fields["birth_date"] == datetime.date(1958, 3, 5)

    job = job_for(world, content)
    run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.counts == {"create": 5, "error": 1}
    assert Resident.objects.filter(name="张三丰").count() == 1
    assert Resident.objects.get(name="王五").household == Resident.objects.get(name="张三丰").household
    assert Resident.objects.get(name="钱七").household == Resident.objects.get(name="赵六").household
    # A second householder for the same dwelling is refused by the service, row by row.
    again = xlsx([HEADER, ["孙八", ID_2, "户主", "", "", "", "", "1号楼1单元102", ""]])
    job = job_for(world, again)
    run_import(job.pk)
    job.refresh_from_db()
    assert job.counts == {"error": 1} and "relation" in job.outcomes[0]["errors"]


def test_merged_header_cells_and_group_headers(world):
    content = xlsx(
        [
            ["基本信息", None, None, "联系方式", None],
            ["姓名", "公民身份号码", "出生日期", "联系电话", "住址/房号"],
            ["孙八", ID_2, "1960-07-01", "13800001111", "1号楼1单元101"],
        ],
        merge=["A1:C1", "D1:E1"],
    )
    plans = plans_for(world, content)
    assert list(plans) == [3]
    assert plans[3].errors == {} and plans[3].action == "create"


def test_a_property_company_utility_list(world):
    content = xlsx([["房号", "户主", "电话", "水表读数"], ["1-1-101", "周大福", "13912345678", 1203]])
    sheet = read_upload(io.BytesIO(content), "水费.xlsx")
    assert set(sheet.columns) == {"address", "name", "phone"} and sheet.unknown_headers == ["水表读数"]
    job = job_for(world, content, "水费.xlsx")
    run_import(job.pk)
    person = Resident.objects.get(name="周大福")
    assert person.relation == "02" and person.phone == "13912345678" and person.node == world.dwelling_a


def test_gbk_csv(world):
    content = "姓名,住址/房号,联系电话\n吴九,1号楼1单元102,13700002222\n".encode("gbk")
    plans = plans_for(world, content, "list.csv")
    assert plans[2].errors == {} and plans[2].dwelling == world.dwelling_a2


def bad_rows_file() -> bytes:
    return xlsx(
        [
            HEADER,
            ["好人", ID_1, "户主", "", "", "", "13890476521", "1号楼1单元101", ""],
            [
                "坏号",
                ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1"),
                "配偶",
                "",
                "",
                "",
                "",
                "1号楼1单元101",
                "",
            ],
            ["没房", ID_2, "户主", "", "", "", "", "9号楼9单元909", ""],
            ["坏日", "", "子", "", "1958.13.40", "", "123", "1号楼1单元101", ""],
        ]
    )


def test_bad_rows_are_reported_per_cell_and_the_report_marks_them(world, login):
    content = bad_rows_file()
    plans = plans_for(world, content)
    assert plans[2].errors == {}
    assert set(plans[3].errors) == {"citizen_id"}
    assert set(plans[4].errors) == {"address"}
    assert set(plans[5].errors) == {"birth_date", "phone"}

    client = login(world.grid_worker_a)
    page = client.post(
        "/registry/import/",
        {"place": str(world.grid_a.public_id), "file": SimpleUploadedFile("bad.xlsx", content)},
    )
    assert page.status_code == 302
    job = ImportJob.objects.get()
    html = client.get(page.url).content.decode()
    assert ID_1 not in html and ID_2 not in html and "13890476521" not in html
    assert "370***********" in html and "cell-error" in html

    report = client.get(f"/registry/import/{job.public_id}/report.xlsx")
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    id_col = header.index("公民身份号码") + 1
    addr_col = header.index("住址/房号") + 1
    cells = [str(c.value or "") for row in sheet.iter_rows() for c in row]
    assert not any(ID_1 in c or ID_2 in c or "13890476521" in c for c in cells)
    good, bad_id, bad_addr = sheet.cell(2, id_col), sheet.cell(3, id_col), sheet.cell(4, addr_col)
    assert good.comment is None and good.fill.fgColor.rgb in (None, "00000000")
    assert bad_id.comment is not None and bad_id.fill.fgColor.rgb.endswith("F8B4B4")
    assert bad_addr.comment is not None and "9号楼9单元909" in bad_addr.comment.text

    # Run it: the good row goes in, the three bad ones are reported.
    assert client.post(f"/registry/import/{job.public_id}/run/").status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    run_import(job.pk)
    progress = client.get(f"/registry/import/{job.public_id}/progress/").content.decode()
    assert 'data-status="done"' in progress and "hx-trigger" not in progress
    job.refresh_from_db()
    assert job.counts == {"create": 1, "error": 3}
    assert list(Resident.objects.values_list("name", flat=True)) == ["好人"]


def test_two_imports_of_the_same_file_register_nobody_twice(world):
    content = xlsx(
        [HEADER]
        + [
            [
                f"居民{i}",
                citizen_id_for("370811", datetime.date(1970, 1, 1 + i), 100 + 2 * i),
                "户主" if i == 0 else "子",
                "",
                "",
                "",
                "",
                "1号楼1单元101",
                "",
            ]
            for i in range(5)
        ]
        + [["无证", "", "户主", "女", "1950-01-01", "", "", "1号楼1单元102", ""]]
    )
    for _ in range(2):
        job = job_for(world, content)
        run_import(job.pk)
    job.refresh_from_db()
    assert job.counts == {"unchanged": 6}
    assert Resident.objects.count() == 6


def test_crash_in_the_middle_then_resume_every_row_exactly_once(world, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_ROWS", 4)
    rows = [
        [
            f"居民{i}",
            citizen_id_for("370811", datetime.date(1970, 1, 1 + i), 100 + 2 * i),
            "户主" if i == 0 else "子",
            "",
            "",
            "",
            "",
            "1号楼1单元101",
            "",
        ]
        for i in range(10)
    ]
    job = job_for(world, xlsx([HEADER] + rows))

    class Crash(Exception):
        pass

    seen = []

    def crash_after_six(row):
        seen.append(row)
        if len(seen) == 6:
            raise Crash

    with pytest.raises(Crash):
        run_import(job.pk, row_hook=crash_after_six)
    job.refresh_from_db()
    # The first batch (rows 2–5) committed; the second rolled back with the crash.
    assert job.last_row == 5 and job.processed == 4 and job.status == ImportStatus.RUNNING
    assert Resident.objects.count() == 4

    run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.processed == 10
    assert [o["row"] for o in job.outcomes] == list(range(2, 12))
    assert job.counts == {"create": 10}
    assert Resident.objects.count() == 10
    created = ResidentEvent.objects.filter(kind=EventKind.CREATED)
    assert created.count() == 10 and created.values("resident").distinct().count() == 10
    assert AuditEntry.objects.filter(action="registry.resident.create").count() == 10


def test_a_known_person_is_updated_and_a_conflict_is_not_overwritten(world):
    hh = household(world)
    known = resident(world, household_=hh, name="张三丰", citizen_id=ID_1, phone="13890476521")
    other = resident(world, household_=hh, name="李梅", citizen_id=ID_2, relation="10")
    content = xlsx(
        [
            HEADER,
            ["张三丰", ID_1, "", "", "", "", "13911112222", "1号楼1单元101", "常住人口"],
            ["李四", ID_2, "", "", "", "", "", "1号楼1单元101", ""],
        ]
    )
    plans = plans_for(world, content)
    assert plans[2].action == "update"
    assert {c["field"]: (c["old"], c["new"]) for c in plans[2].changes} == {
        "phone": ("138****6521", "139****2222"),
        "population_type": ("registered", "resident"),
    }
    assert plans[3].action == "error" and set(plans[3].errors) == {"name"}

    run_import(job_for(world, content).pk)
    known.refresh_from_db()
    other.refresh_from_db()
    assert known.phone == "13911112222" and known.population_type == "resident"
    assert other.name == "李梅"


def test_outside_the_area_nothing_is_written(world):
    content = xlsx([HEADER, ["越界", ID_1, "户主", "", "", "", "", "1号楼1单元101", ""]])
    with pytest.raises(OutOfScope):
        job_for(world, content, actor=world.grid_worker_b)
    assert not ImportJob.objects.exists()


def test_cancel_stops_the_job(world, login):
    job = job_for(world, bad_rows_file())
    client = login(world.grid_worker_a)
    client.post(f"/registry/import/{job.public_id}/run/")
    client.post(f"/registry/import/{job.public_id}/cancel/")
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    run_import(job.pk)
    assert not Resident.objects.exists()


def test_template_has_the_headers_drop_downs_and_instructions(world, login):
    response = login(world.grid_worker_a).get("/registry/import/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data = book.worksheets[0]
    headers = [c.value for c in data[1]]
    assert headers[:3] == ["姓名*", "公民身份号码", "与户主关系"] and "住址/房号*" in headers
    assert any("户主" in (v.formula1 or "") for v in data.data_validations.dataValidation)
    # All 56 ethnic groups fit in an inline list (Excel's limit is 255 characters).
    ethnic = [v.formula1 for v in data.data_validations.dataValidation if "汉族" in (v.formula1 or "")]
    assert len(ethnic) == 1 and "基诺族" in ethnic[0]
    assert [ws.title for ws in book.worksheets] == ["居民信息", "Instructions"]
    # The template read back is a valid (empty after the example) import.
    sheet = read_upload(io.BytesIO(response.content), "t.xlsx")
    assert sheet.header_row == 1 and "address" in sheet.columns
    assert services  # the importer writes through the services


def test_the_background_task_runs_the_job(world):
    from linli.registry.tasks import run_import_task

    job = job_for(world, xlsx([HEADER, ["任务人", ID_1, "户主", "", "", "", "", "1号楼1单元101", ""]]))
    assert run_import_task.call(job.pk) == {"status": "done", "processed": 1}
    assert Resident.objects.get().name == "任务人"
