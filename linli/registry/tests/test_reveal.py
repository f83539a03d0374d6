import json

import pytest

from linli.core.errors import PermissionDenied, ValidationFailed
from linli.core.models import AuditEntry
from linli.core.reveal import reveal_field
from linli.registry.tests.helpers import resident

pytestmark = pytest.mark.django_db

PHONE = "13890476521"


@pytest.fixture
def person(world):
    return resident(world, name="孙大妈", phone=PHONE)


def test_secretary_reveals_with_a_reason_and_the_audit_row_holds_no_value(world, person, login):
    client = login(world.secretary)
    page = client.get(f"/registry/residents/{person.public_id}/").content.decode()
    assert 'data-testid="reveal-citizen_id"' in page
    response = client.post(
        f"/registry/residents/{person.public_id}/reveal/citizen_id/",
        {"reason": "办理低保核对身份"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert person.citizen_id in response.content.decode()
    assert "<html" not in response.content.decode()
    row = AuditEntry.objects.get(action="pii.reveal")
    assert row.actor == world.secretary
    assert row.reason == "办理低保核对身份"
    assert row.changes == {"extra": {"field": "citizen_id"}}
    assert row.target_id == str(person.pk)
    assert row.node_path == world.dwelling_a.path
    flat = json.dumps([row.changes, row.reason, row.target_repr], ensure_ascii=False)
    assert person.citizen_id not in flat and person.citizen_id[-4:] not in flat


def test_reason_is_required(world, person, login):
    client = login(world.street_officer)
    for reason in ["", "  ", "看看"]:
        response = client.post(f"/registry/residents/{person.public_id}/reveal/phone/", {"reason": reason})
        assert response.status_code == 422
        assert PHONE not in response.content.decode()
    api = client.post(
        f"/api/v1/registry/residents/{person.public_id}/reveal",
        json.dumps({"field": "phone", "reason": "abc"}),
        content_type="application/json",
    )
    assert api.status_code == 422 and api.json()["field"] == "reason"
    assert not AuditEntry.objects.filter(action="pii.reveal").exists()
    ok = client.post(
        f"/api/v1/registry/residents/{person.public_id}/reveal",
        json.dumps({"field": "phone", "reason": "联系家属"}),
        content_type="application/json",
    )
    assert ok.json() == {"field": "phone", "value": PHONE}
    assert AuditEntry.objects.filter(action="pii.reveal", reason="联系家属").count() == 1


def test_others_do_not_see_the_button_and_are_refused(world, person, login):
    for user, status in [(world.grid_worker_a, 403), (world.building_head, 403), (world.grid_worker_b, 404)]:
        client = login(user)
        page = client.get(f"/registry/residents/{person.public_id}/")
        if page.status_code == 200:
            assert 'data-testid="reveal-citizen_id"' not in page.content.decode()
        response = client.post(
            f"/registry/residents/{person.public_id}/reveal/citizen_id/", {"reason": "我想看看号码"}
        )
        assert response.status_code == status
        assert person.citizen_id not in response.content.decode()
        api = client.post(
            f"/api/v1/registry/residents/{person.public_id}/reveal",
            json.dumps({"field": "citizen_id", "reason": "我想看看号码"}),
            content_type="application/json",
        )
        assert api.status_code == status
    assert not AuditEntry.objects.filter(action="pii.reveal").exists()


def test_only_encrypted_fields_can_be_revealed(world, person, login):
    with pytest.raises(ValidationFailed):
        reveal_field(actor=world.secretary, obj=person, field="name", reason="测试原因")
    with pytest.raises(PermissionDenied):
        reveal_field(actor=world.grid_worker_a, obj=person, field="phone", reason="测试原因")
    assert reveal_field(actor=world.street_officer, obj=person, field="phone", reason="测试原因") == PHONE
    client = login(world.secretary)
    assert (
        client.post(
            f"/registry/residents/{person.public_id}/reveal/name/", {"reason": "测试原因"}
        ).status_code
        == 404
    )
