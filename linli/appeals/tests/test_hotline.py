"""The hotline ticket spreadsheet: xlsx and CSV (UTF-8 or GBK), a dry run that imports
nothing, a row error that does not stop the others, the same ticket twice once."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.appeals import hotline, selectors
from linli.appeals.models import Appeal
from linli.appeals.tests.test_api import jinxingyuan
from linli.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

RECEIVED = (timezone.localtime() - datetime.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
HEAD = [
    "工单编号",
    "标题",
    "诉求内容",
    "分类",
    "紧急程度",
    "地址",
    "地点编码",
    "来电人",
    "来电号码",
    "受理时间",
]


def xlsx(rows) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return SimpleUploadedFile("tickets.xlsx", buffer.getvalue())


def rows(world, dwelling):
    return [
        HEAD,
        [
            "T-001",
            "2号楼4单元楼道灯不亮",
            "晚上一片黑",
            "楼道照明",
            "一般",
            "金星苑2号楼4单元401",
            "",
            "李女士",
            "13800000021",
            RECEIVED,
        ],
        ["T-002", "噪音扰民", "夜里装修", "噪音", "紧急", "", world.dwelling_a.code, "", "", ""],
        ["T-003", "地址不明", "", "", "", "某某路", "", "", "", ""],
        ["", "没有工单号", "", "", "", "", world.dwelling_a.code, "", "", ""],
    ]


def test_dry_run_checks_every_row_and_imports_nothing(world):
    dwelling = jinxingyuan(world)
    report = hotline.import_tickets(actor=world.secretary, upload=xlsx(rows(world, dwelling)), dry_run=True)
    assert (report.rows, report.created, report.existing) == (4, 2, 0)
    assert [row for row, _ in report.errors] == [4, 5]
    assert Appeal.objects.count() == 0


def test_import_then_import_again(world):
    dwelling = jinxingyuan(world)
    report = hotline.import_tickets(actor=world.secretary, upload=xlsx(rows(world, dwelling)), dry_run=False)
    assert (report.created, len(report.errors)) == (2, 2)
    lights = Appeal.objects.get(source_ref="T-001")
    assert (
        lights.node == dwelling
        and lights.category.code == "stair_lights"
        and lights.reporter_name == "李女士"
    )
    assert timezone.localtime(lights.registered_at).strftime("%Y-%m-%d %H:%M") == RECEIVED
    assert Appeal.objects.get(source_ref="T-002").urgency == "urgent"
    again = hotline.import_tickets(actor=world.secretary, upload=xlsx(rows(world, dwelling)), dry_run=False)
    assert (again.created, again.existing) == (0, 2)
    assert Appeal.objects.count() == 2


def test_gbk_csv(world):
    data = f"工单编号,标题,地点编码,来电号码\nC-9,垃圾清运不及时,{world.dwelling_a.code},13800000022\n"
    upload = SimpleUploadedFile("tickets.csv", data.encode("gbk"))
    report = hotline.import_tickets(actor=world.grid_worker_a, upload=upload, dry_run=False)
    assert report.created == 1 and Appeal.objects.get().title == "垃圾清运不及时"


def test_rows_outside_the_importers_area_are_refused(world):
    data = f"工单编号,标题,地点编码\nC-10,别处,{world.dwelling_a.code}\n"
    report = hotline.import_tickets(
        actor=world.grid_worker_b, upload=SimpleUploadedFile("t.csv", data.encode()), dry_run=False
    )
    assert report.created == 0 and len(report.errors) == 1


def test_headings_are_required():
    with pytest.raises(ValidationFailed):
        hotline.import_tickets(actor=None, upload=SimpleUploadedFile("t.csv", b"a,b\n1,2\n"), dry_run=True)


def test_address_matching_does_not_confuse_1_with_12(world):
    dwelling = jinxingyuan(world)
    assert selectors.place_for_address(user=world.secretary, address="金星苑2号楼4单元401") == dwelling
    twelve = selectors.place_for_address(user=world.secretary, address="金星苑12号楼")
    assert twelve.name == "12号楼"
    assert selectors.place_for_address(user=world.grid_worker_b, address="金星苑2号楼") is None


def test_import_page(world, login):
    dwelling = jinxingyuan(world)
    response = login(world.secretary).post(
        "/appeals/import/", {"file": xlsx(rows(world, dwelling)), "dry_run": ""}
    )
    assert response.status_code == 200 and 'data-testid="import-report"' in response.content.decode()
    assert Appeal.objects.count() == 2
