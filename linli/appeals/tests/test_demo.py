"""The demo appeals: every state, seed 004's stairwell lights as a project, some overdue."""

import pytest

from linli.accounts.models import User
from linli.appeals.choices import Alert, HandlerKind, Status
from linli.appeals.demo import build_appeals, tiny_png
from linli.appeals.models import Appeal, Project
from linli.territory.demo import build_territory

pytestmark = pytest.mark.django_db


def test_demo_appeals(client, settings):
    admin = User.objects.create_superuser(username="admin-demo", password="x" * 12)
    street = build_territory(admin)
    total = build_appeals(admin)
    assert total == Appeal.objects.count() > 60
    assert set(Status.values) <= set(Appeal.objects.values_list("status", flat=True))
    overdue = Appeal.objects.filter(alert=Alert.OVERDUE)
    assert overdue.count() >= 5
    assert overdue.filter(handler_kind=HandlerKind.COMMUNITY, escalation_count=1).exists()
    assert Appeal.objects.filter(alert=Alert.WARNING).exists()
    assert Appeal.objects.filter(source="hotline").exclude(source_ref="").exists()
    lights = Appeal.objects.get(title="金星苑2号楼4单元楼道照明设施老化")
    assert lights.status == Status.RATED and lights.node.name == "4单元"
    project = Project.objects.get(title="金星苑2号楼4单元楼道照明改造")
    assert project.status == "done" and project.progress == 100 and project.milestones.count() == 4
    assert project.appeal == lights
    page = client.get(f"/board/{project.community.public_id}/projects/").content.decode()
    assert "金星苑2号楼4单元楼道照明改造" in page and "金星苑 2号楼 4单元" in page
    board = client.get(f"/board/{project.community.public_id}/").content.decode()
    assert "金星苑2号楼4单元楼道照明设施老化" in board
    # Deterministic: the same script gives the same titles in the same places.
    first = list(Appeal.objects.order_by("id").values_list("title", "node__code", "status")[:20])
    assert street.code == "370114002" and len(first) == 20


def test_tiny_png_is_a_png():
    data = tiny_png((1, 2, 3))
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
