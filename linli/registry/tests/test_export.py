"""Export to xlsx: scoped, masked unless full values are asked for with a reason, audited
with the row count."""

import io

import openpyxl
import pytest

from linli.core.models import AuditEntry
from linli.registry.tests.helpers import (
    RESIDENT_A_ID,
    RESIDENT_A_MASKED_ID,
    RESIDENT_A_NAME,
    resident,
    resident_a,
)

pytestmark = pytest.mark.django_db


def cells(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[str(c.value or "") for c in row] for row in sheet.iter_rows()]


def test_masked_export_of_the_secretary_community(world, login):
    resident_a(world)
    resident(world, household_=None, name="东山人", actor=world.root)  # also grid A (default dwelling)
    client = login(world.secretary)
    response = client.post("/registry/export/", {"place": str(world.grid_a.public_id)})
    assert response.status_code == 200
    rows = cells(response.content)
    assert rows[0][:2] == ["姓名", "公民身份号码"]
    flat = [c for row in rows for c in row]
    assert RESIDENT_A_NAME in flat and RESIDENT_A_MASKED_ID in flat
    assert RESIDENT_A_ID not in flat and "13890476521" not in flat
    entry = AuditEntry.objects.filter(action="registry.export").get()
    assert entry.changes["after"]["rows"] == len(rows) - 1 == 2
    assert entry.node_path == world.grid_a.path


def test_full_values_need_a_reason_and_are_audited(world, login):
    resident_a(world)
    client = login(world.secretary)
    refused = client.post(
        "/registry/export/", {"place": str(world.grid_a.public_id), "full": "1", "reason": ""}
    )
    assert (
        refused.status_code == 422
        and not AuditEntry.objects.filter(action__startswith="registry.export").exists()
    )
    response = client.post(
        "/registry/export/", {"place": str(world.grid_a.public_id), "full": "1", "reason": "报送民政局核对"}
    )
    flat = [c for row in cells(response.content) for c in row]
    assert RESIDENT_A_ID in flat and "13890476521" in flat
    entry = AuditEntry.objects.get(action="registry.export.full")
    assert entry.reason == "报送民政局核对" and entry.changes["after"]["rows"] == 1
    assert RESIDENT_A_ID not in str(entry.changes)


def test_grid_workers_may_not_export_and_others_do_not_see_the_place(world, login):
    resident_a(world)
    assert (
        login(world.grid_worker_a)
        .post("/registry/export/", {"place": str(world.grid_a.public_id)})
        .status_code
        == 403
    )
    assert (
        login(world.grid_worker_b)
        .post("/registry/export/", {"place": str(world.grid_a.public_id)})
        .status_code
        == 404
    )


def test_the_export_link_is_for_those_who_may_export(world, login):
    assert 'data-testid="export"' in login(world.secretary).get("/registry/").content.decode()
    assert 'data-testid="export"' not in login(world.grid_worker_a).get("/registry/").content.decode()
