"""Staff pages: intake, list with clocks, detail with only the allowed actions, actions
through the one action view, photos, the supervision view, the import, the bell."""

import pytest

from linli.appeals.choices import Status
from linli.appeals.models import Appeal, AppealPhoto
from linli.appeals.tests.helpers import APPEAL_A_TITLE, assigned, department, handling, register
from linli.appeals.tests.scoping_fixtures import PNG, png
from linli.core.models import AuditEntry
from linli.notices.models import Notification

pytestmark = pytest.mark.django_db


def test_intake_form_registers_with_photos_and_redirects(world, login):
    client = login(world.grid_worker_a)
    response = client.post(
        "/appeals/new/",
        {
            "source": "visit",
            "title": "楼道堆放杂物",
            "description": "2单元一楼堆满纸箱",
            "category": "clutter",
            "urgency": "normal",
            "place": str(world.building_a.public_id),
            "reporter_name": "王阿姨",
            "reporter_phone": "138 0000 0003",
            "photos": [png()],
        },
    )
    appeal = Appeal.objects.get(title="楼道堆放杂物")
    assert response.status_code == 302 and response["Location"] == f"/appeals/{appeal.public_id}/"
    assert appeal.node == world.building_a and appeal.category.code == "clutter"
    assert AppealPhoto.objects.get(appeal=appeal).kind == "before"
    page = client.get(response["Location"]).content.decode()
    assert "楼道堆放杂物" in page and "138****0003" in page and "13800000003" not in page


def test_intake_form_errors_come_back_on_the_form(world, login):
    client = login(world.grid_worker_a)
    response = client.post("/appeals/new/", {"source": "visit", "title": "", "urgency": "normal"})
    assert response.status_code == 422
    assert Appeal.objects.count() == 0


def test_place_search_finds_by_words(world, login):
    client = login(world.grid_worker_a)
    page = client.get("/appeals/places/", {"find": "1号楼 101"}).content.decode()
    assert world.dwelling_a.code in page and world.dwelling_b.code not in page


def test_list_shows_the_clock_and_filters(world, login):
    register(world)
    assigned(world, title="消防通道被占用", category=None)
    client = login(world.secretary)
    page = client.get("/appeals/").content.decode()
    assert APPEAL_A_TITLE in page and 'data-testid="clock"' in page
    page = client.get("/appeals/", {"status": "assigned"}).content.decode()
    assert "消防通道被占用" in page and APPEAL_A_TITLE not in page
    fragment = client.get("/appeals/", {"q": "消防"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "消防通道被占用" in fragment


def test_detail_offers_only_what_the_workflow_allows(world, login):
    appeal = handling(world)
    page = login(world.grid_worker_a).get(f"/appeals/{appeal.public_id}/").content.decode()
    for action in ("progress", "close", "request_extension", "escalate", "return"):
        assert f'data-testid="action-{action}"' in page
    for action in ("study", "assign", "accept", "rate", "postpone", "urge", "decide_extension"):
        assert f'data-testid="action-{action}"' not in page
    page = login(world.building_head).get(f"/appeals/{appeal.public_id}/").content.decode()
    assert 'data-testid="actions"' not in page


def test_actions_through_the_page(world, login):
    appeal = register(world)
    client = login(world.secretary)
    response = client.post(
        f"/appeals/{appeal.public_id}/act/study/",
        {"study-urgency": "normal", "study-handler": f"grid:{world.grid_a.public_id}", "study-assign": "on"},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.ASSIGNED
    client = login(world.grid_worker_a)
    response = client.post(
        f"/appeals/{appeal.public_id}/act/progress/",
        {"progress-note": "已到现场", "progress-photos": [png()]},
    )
    assert response.status_code == 302
    assert AppealPhoto.objects.filter(appeal=appeal, kind="progress").count() == 1
    response = client.post(f"/appeals/{appeal.public_id}/act/close/", {"close-result": ""})
    assert response.status_code == 422  # the result is required
    response = client.post(
        f"/appeals/{appeal.public_id}/act/close/",
        {"close-result": "已换灯", "close-published": "on", "close-photos": [png("after.png")]},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.photos.filter(kind="after").exists()
    # Closing again: someone else already did → 409 with the reason on the page.
    response = client.post(f"/appeals/{appeal.public_id}/act/close/", {"close-result": "again"})
    assert response.status_code == 409 and "not possible now" in response.content.decode()


def test_a_refused_action_is_403_and_an_unknown_one_404(world, login):
    appeal = assigned(world)
    client = login(world.grid_worker_a)
    assert client.post(f"/appeals/{appeal.public_id}/act/urge/", {"urge-note": "快"}).status_code == 403
    assert client.post(f"/appeals/{appeal.public_id}/act/delete/", {}).status_code == 404


def test_photo_that_is_not_an_image_is_refused(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    appeal = assigned(world)
    fake = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>", content_type="image/png")
    response = login(world.grid_worker_a).post(
        f"/appeals/{appeal.public_id}/act/progress/", {"progress-note": "x", "progress-photos": [fake]}
    )
    assert response.status_code == 422 and not AppealPhoto.objects.exists()


def test_photos_are_served_to_those_who_see_the_appeal(world, login, client):
    appeal = assigned(world, photos=[png()])
    photo = AppealPhoto.objects.get(appeal=appeal)
    response = login(world.grid_worker_a).get(f"/appeals/photos/{photo.public_id}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert login(world.grid_worker_b).get(f"/appeals/photos/{photo.public_id}/").status_code == 404


def test_revealing_the_reporters_phone_needs_a_reason_and_is_audited(world, login):
    appeal = register(world)
    client = login(world.grid_worker_a)
    assert client.post(f"/appeals/{appeal.public_id}/reveal/", {"reason": "x"}).status_code == 422
    response = client.post(f"/appeals/{appeal.public_id}/reveal/", {"reason": "回访核实"})
    assert "13890476521" in response.content.decode()
    assert AuditEntry.objects.filter(action="pii.reveal", reason="回访核实").exists()
    assert (
        login(world.building_head)
        .post(f"/appeals/{appeal.public_id}/reveal/", {"reason": "看看号码"})
        .status_code
        == 403
    )


def test_liaison_page_lists_only_the_departments_appeals(world, login):
    from linli.appeals import services
    from linli.appeals.choices import HandlerKind
    from linli.appeals.tests.helpers import option

    dept, liaison = department(world)
    other = register(world, title="别处的诉求")
    appeal = register(world, title="申请低保")
    services.appeal_study(
        actor=world.street_officer,
        appeal=appeal,
        category=None,
        urgency="normal",
        handler=option(world.street_officer, appeal, HandlerKind.DEPARTMENT, department=dept),
        assign=True,
    )
    client = login(liaison)
    page = client.get("/appeals/", {"status": ""}).content.decode()
    assert "申请低保" in page and "别处的诉求" not in page
    assert client.get(f"/appeals/{other.public_id}/").status_code == 404
    assert 'data-testid="action-accept"' in client.get(f"/appeals/{appeal.public_id}/").content.decode()


def test_supervision_page_lists_late_appeals(world, login):
    from linli.appeals.choices import Alert

    late = assigned(world, title="超期的诉求")
    assigned(world, title="按时的诉求")
    Appeal.objects.filter(pk=late.pk).update(alert=Alert.OVERDUE)
    page = login(world.secretary).get("/appeals/supervision/").content.decode()
    assert "超期的诉求" in page and "按时的诉求" not in page


def test_the_bell_counts_and_marks_read(world, login):
    assigned(world)  # tells grid A's worker
    client = login(world.grid_worker_a)
    page = client.get("/appeals/").content.decode()
    assert 'data-testid="unread"' in page
    note = Notification.objects.filter(user=world.grid_worker_a).first()
    response = client.post("/notices/read/", {"id": str(note.public_id), "next": note.url})
    assert response.status_code == 302 and response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.post("/notices/read/", {"next": "https://evil.example/"})["Location"] == "/notices/"
