"""Responsibilities: one grid chief at a time (service and database), history and
responsible_on, roles following duties, who may appoint, pages and API."""

import datetime
import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.accounts.models import RoleAssignment
from linli.core.errors import Conflict, OutOfScope, PermissionDenied, ValidationFailed
from linli.core.models import AuditEntry
from linli.territory import selectors
from linli.territory.models import Duty, Employment, PartyOrgKind, Responsibility
from linli.territory.responsibility_services import (
    area_lead_assign,
    responsibility_appoint,
    responsibility_end,
)
from linli.territory.tests.places_fixtures import CHIEF_A_NAME, chief_a
from linli.test import make_user

pytestmark = pytest.mark.django_db

D = datetime.date


def _chief(world, name, started_on, actor=None):
    return responsibility_appoint(
        actor=actor or world.secretary,
        node=world.grid_a,
        duty=Duty.GRID_CHIEF,
        person_name=name,
        started_on=started_on,
    )


def _current_chiefs(node):
    return Responsibility.objects.filter(node=node, duty=Duty.GRID_CHIEF, ended_at__isnull=True)


# --- one grid chief at a time -----------------------------------------------------------


def test_appointing_a_second_chief_ends_the_first(world):
    first = _chief(world, "张一", D(2023, 1, 1))
    second = _chief(world, "李二", D(2024, 3, 1))
    first.refresh_from_db()
    assert first.ended_on == D(2024, 3, 1) and first.ended_at is not None
    assert first.ended_by == world.secretary and first.end_reason
    assert list(_current_chiefs(world.grid_a)) == [second]
    actions = list(
        AuditEntry.objects.filter(action__startswith="territory.responsibility").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "territory.responsibility.appoint",
        "territory.responsibility.end",
        "territory.responsibility.appoint",
    ]


def test_grid_workers_are_many(world):
    for name in ("王一", "王二"):
        responsibility_appoint(
            actor=world.secretary,
            node=world.grid_a,
            duty=Duty.GRID_WORKER,
            person_name=name,
            employment=Employment.FULL_TIME,
        )
    assert Responsibility.objects.filter(node=world.grid_a, ended_at__isnull=True).count() == 2


def test_database_refuses_a_second_current_chief(world):
    _chief(world, "张一", D(2023, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Responsibility.objects.create(
            node=world.grid_a, duty=Duty.GRID_CHIEF, person_name="偷偷插入", started_on=D(2024, 1, 1)
        )
    # An ended term beside the current one is history, not a second chief.
    Responsibility.objects.create(
        node=world.grid_a,
        duty=Duty.GRID_CHIEF,
        person_name="以前的",
        started_on=D(2020, 1, 1),
        ended_on=D(2021, 1, 1),
        ended_at=timezone.now(),
    )
    # The same holds for the other one-at-a-time duties, not for grid workers.
    Responsibility.objects.create(
        node=world.grid_a, duty=Duty.PARTY_ORG, person_name="甲", started_on=D(2024, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Responsibility.objects.create(
            node=world.grid_a, duty=Duty.PARTY_ORG, person_name="乙", started_on=D(2024, 1, 1)
        )


def test_database_refuses_an_end_before_the_start(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Responsibility.objects.create(
            node=world.grid_a,
            duty=Duty.GRID_WORKER,
            person_name="倒着来",
            started_on=D(2024, 1, 1),
            ended_on=D(2023, 1, 1),
            ended_at=timezone.now(),
        )


def test_new_term_cannot_begin_before_the_current_one(world):
    _chief(world, "张一", D(2024, 1, 1))
    with pytest.raises(ValidationFailed) as raised:
        _chief(world, "李二", D(2023, 6, 1))
    assert raised.value.field == "started_on"
    assert _current_chiefs(world.grid_a).get().person_name == "张一"


def test_start_in_the_future_is_refused(world):
    with pytest.raises(ValidationFailed):
        _chief(world, "明天的", timezone.localdate() + datetime.timedelta(days=1))


# --- history ------------------------------------------------------------------------------


def test_responsible_on_answers_who_was_responsible_when(world):
    first = _chief(world, "张一", D(2023, 1, 1))
    second = _chief(world, "李二", D(2024, 3, 1))
    head = responsibility_appoint(
        actor=world.secretary,
        node=world.building_a,
        duty=Duty.BUILDING_HEAD,
        person_name="周楼长",
        started_on=D(2023, 6, 1),
    )
    assert selectors.responsible_on(world.grid_a, D(2022, 12, 31)) == []
    assert selectors.responsible_on(world.grid_a, D(2023, 1, 1)) == [first]
    assert selectors.responsible_on(world.grid_a, D(2024, 2, 29)) == [first]
    # The successor's first day is the predecessor's first day without the duty.
    assert selectors.responsible_on(world.grid_a, D(2024, 3, 1)) == [second]
    # A building: its own head first, then the grid's chief above it.
    assert selectors.responsible_on(world.building_a, D(2023, 7, 1), with_ancestors=True) == [head, first]
    assert selectors.responsible_on(world.building_a, D(2023, 7, 1)) == [head]
    # Scoped: a grid worker of another grid learns nothing.
    assert selectors.responsible_on(world.grid_a, D(2023, 7, 1), user=world.grid_worker_b) == []
    assert selectors.responsible_on(world.grid_a, D(2023, 7, 1), user=world.grid_worker_a) == [first]


def test_end_a_term_and_mistakes(world):
    row = _chief(world, "张一", D(2024, 1, 1))
    with pytest.raises(ValidationFailed):
        responsibility_end(actor=world.secretary, responsibility=row, ended_on=D(2023, 12, 31))
    ended = responsibility_end(
        actor=world.secretary, responsibility=row, ended_on=D(2024, 5, 1), reason="调离"
    )
    assert ended.ended_on == D(2024, 5, 1) and ended.end_reason == "调离"
    assert not _current_chiefs(world.grid_a).exists()
    with pytest.raises(Conflict):
        responsibility_end(actor=world.secretary, responsibility=row)
    # A term recorded by mistake ends on its first day: responsible on no day.
    wrong = _chief(world, "记错了", timezone.localdate())
    responsibility_end(actor=world.secretary, responsibility=wrong, ended_on=timezone.localdate())
    assert selectors.responsible_on(world.grid_a, timezone.localdate()) == []


# --- validation and permissions ---------------------------------------------------------


def test_duties_belong_to_the_right_places(world):
    with pytest.raises(ValidationFailed):
        responsibility_appoint(
            actor=world.secretary, node=world.grid_a, duty=Duty.BUILDING_HEAD, person_name="楼长"
        )
    with pytest.raises(ValidationFailed):
        responsibility_appoint(
            actor=world.secretary, node=world.building_a, duty=Duty.GRID_CHIEF, person_name="网格长"
        )
    with pytest.raises(ValidationFailed) as raised:
        responsibility_appoint(
            actor=world.secretary, node=world.grid_a, duty=Duty.GRID_WORKER, person_name="无类别"
        )
    assert raised.value.field == "employment"
    with pytest.raises(ValidationFailed):
        responsibility_appoint(actor=world.secretary, node=world.grid_a, duty=Duty.GRID_CHIEF, person_name="")
    with pytest.raises(ValidationFailed) as raised:
        responsibility_appoint(
            actor=world.secretary,
            node=world.grid_a,
            duty=Duty.GRID_CHIEF,
            person_name="电话错",
            phone="12345",
        )
    assert raised.value.field == "phone"
    party = responsibility_appoint(
        actor=world.secretary,
        node=world.grid_a,
        duty=Duty.PARTY_ORG,
        person_name="党支部书记",
        org_kind=PartyOrgKind.BRANCH,
        org_name="第一网格党支部",
    )
    assert party.org_name == "第一网格党支部"


def test_phone_is_encrypted_at_rest(world):
    row = responsibility_appoint(
        actor=world.secretary,
        node=world.grid_a,
        duty=Duty.GRID_CHIEF,
        person_name="张一",
        phone="138 0000 1111",
    )
    assert row.phone == "13800001111"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM territory_responsibility WHERE id = %s", [row.pk])
        stored = cursor.fetchone()[0]
    assert "13800001111" not in stored
    from linli.core.crypto import blind_index

    assert Responsibility.objects.get(phone_index=blind_index("13800001111", "phone")) == row


def test_who_may_appoint(world):
    # The level above appoints: a grid worker cannot, nor can anyone outside the area.
    with pytest.raises(PermissionDenied):
        _chief(world, "自己封的", D(2024, 1, 1), actor=world.grid_worker_a)
    with pytest.raises(OutOfScope):
        _chief(world, "外人封的", D(2024, 1, 1), actor=world.grid_worker_b)
    with pytest.raises(OutOfScope):
        _chief(world, "外人封的", D(2024, 1, 1), actor=world.outsider)
    # A grid chief appoints building heads in the grid, not the grid's own chief.
    grid_chief = make_user("chief_a", "grid_chief", world.grid_a)
    head = responsibility_appoint(
        actor=grid_chief, node=world.building_a, duty=Duty.BUILDING_HEAD, person_name="周楼长"
    )
    assert head.appointed_by == grid_chief
    with pytest.raises(PermissionDenied):
        _chief(world, "自己人", D(2024, 1, 1), actor=grid_chief)
    # ... and cannot give an account a role: the account grant rules apply.
    with pytest.raises(PermissionDenied) as raised:
        responsibility_appoint(
            actor=grid_chief, node=world.building_a, duty=Duty.BUILDING_HEAD, user=world.grid_worker_a
        )
    assert raised.value.field == "user"


# --- roles follow duties ----------------------------------------------------------------


def test_appointing_an_account_grants_the_role_and_ending_ends_it(world):
    user = world.grid_worker_a
    row = responsibility_appoint(actor=world.secretary, node=world.grid_a, duty=Duty.GRID_CHIEF, user=user)
    assert row.person_name == str(user)
    assignment = RoleAssignment.objects.get(
        user=user, role="grid_chief", node=world.grid_a, ended_at__isnull=True
    )
    assert row.role_assignment == assignment
    # A successor ends the term and the role with it.
    responsibility_appoint(actor=world.secretary, node=world.grid_a, duty=Duty.GRID_CHIEF, person_name="李二")
    assignment.refresh_from_db()
    assert assignment.ended_at is not None
    # The account's own grid worker role is untouched.
    assert RoleAssignment.objects.filter(user=user, role="grid_worker", ended_at__isnull=True).exists()


def test_an_existing_role_is_linked_and_the_last_role_is_kept(world):
    user = world.grid_worker_a  # already a grid worker of grid A, and nothing else
    before = RoleAssignment.objects.filter(user=user).count()
    row = responsibility_appoint(
        actor=world.secretary,
        node=world.grid_a,
        duty=Duty.GRID_WORKER,
        user=user,
        employment=Employment.FULL_TIME,
    )
    assert RoleAssignment.objects.filter(user=user).count() == before
    assert row.role_assignment.role == "grid_worker"
    ended = responsibility_end(actor=world.secretary, responsibility=row)
    # role_end keeps an account's last role: the duty ends, the role stays, the caller knows.
    assert ended.role_kept is True
    assert ended.ended_at is not None
    assert RoleAssignment.objects.filter(user=user, role="grid_worker", ended_at__isnull=True).exists()


def test_area_lead_for_a_set_of_grids(world):
    rows = area_lead_assign(actor=world.secretary, grids=[world.grid_a, world.grid_b], person_name="孙委员")
    assert {r.node for r in rows} == {world.grid_a, world.grid_b}
    assert all(r.duty == Duty.AREA_LEAD for r in rows)
    # Reassigning grid B to another member ends the first one's term there only.
    area_lead_assign(actor=world.secretary, grids=[world.grid_b], person_name="钱委员")
    current = Responsibility.objects.filter(duty=Duty.AREA_LEAD, ended_at__isnull=True)
    assert {(r.node_id, r.person_name) for r in current} == {
        (world.grid_a.pk, "孙委员"),
        (world.grid_b.pk, "钱委员"),
    }
    with pytest.raises(ValidationFailed):
        area_lead_assign(actor=world.secretary, grids=[], person_name="无")


# --- pages --------------------------------------------------------------------------------


def test_node_page_card_appoint_and_end_with_htmx(world, client):
    client.force_login(world.secretary)
    page = client.get(f"/territory/{world.grid_a.public_id}/").content.decode()
    assert 'data-testid="people-card"' in page and 'data-testid="appoint-form"' in page
    response = client.post(
        f"/territory/{world.grid_a.public_id}/responsibilities/appoint/",
        {"duty": "grid_chief", "person_name": "张一", "phone": "13800001111"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    card = response.content.decode()
    assert "张一" in card and "138****1111" in card and "13800001111" not in card
    assert "<html" not in card  # the card alone, for the swap
    row = _current_chiefs(world.grid_a).get()
    response = client.post(
        f"/territory/responsibilities/{row.public_id}/end/", {"reason": "调离"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "张一" not in response.content.decode()
    # Errors come back in the form, with 422.
    response = client.post(
        f"/territory/{world.grid_a.public_id}/responsibilities/appoint/",
        {"duty": "grid_worker", "person_name": "无类别"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422 and "full-time or part-time" in response.content.decode()


def test_grid_worker_sees_the_card_without_forms(world, client):
    chief_a(world)
    client.force_login(world.grid_worker_a)
    page = client.get(f"/territory/{world.grid_a.public_id}/").content.decode()
    assert CHIEF_A_NAME in page
    assert 'data-testid="appoint-form"' not in page and 'data-testid="end-responsibility"' not in page


def test_history_page_and_on_a_day(world, client):
    _chief(world, "张一", D(2023, 1, 1))
    _chief(world, "李二", D(2024, 3, 1))
    client.force_login(world.secretary)
    page = client.get(f"/territory/{world.grid_a.public_id}/responsibilities/").content.decode()
    assert "张一" in page and "李二" in page and "2024-03-01" in page
    page = client.get(f"/territory/{world.grid_a.public_id}/responsibilities/?on=2023-06-01").content.decode()
    assert "张一" in page and "李二" not in page


def test_community_page_assigns_area_leads(world, client):
    client.force_login(world.secretary)
    page = client.get(f"/territory/{world.community.public_id}/").content.decode()
    assert 'data-testid="area-lead-form"' in page
    response = client.post(
        f"/territory/{world.community.public_id}/area-leads/",
        {"grids": [str(world.grid_a.public_id), str(world.grid_b.public_id)], "person_name": "孙委员"},
    )
    assert response.status_code == 302
    assert Responsibility.objects.filter(duty=Duty.AREA_LEAD, person_name="孙委员").count() == 2
    page = client.get(f"/territory/{world.community.public_id}/").content.decode()
    lead = page[page.index('data-testid="area-lead"') :]
    assert "孙委员" in lead[:400] and world.grid_a.name in lead[:400] and world.grid_b.name in lead[:400]
    # A dwelling has no duties: no card at all.
    page = client.get(f"/territory/{world.dwelling_a.public_id}/").content.decode()
    assert 'data-testid="people-card"' not in page


def test_map_card_shows_the_responsible_people(world, client):
    chief_a(world)
    client.force_login(world.grid_worker_a)
    card = client.get(
        f"/territory/map/card/{world.grid_a.public_id}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert CHIEF_A_NAME in card and "138****1111" in card


# --- API ------------------------------------------------------------------------------------


def _api(client, user):
    from linli.accounts.services import token_issue

    raw, _ = token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_appoint_end_list_and_on(world, client):
    auth = _api(client, world.secretary)
    body = {
        "node_id": str(world.grid_a.public_id),
        "duty": "grid_chief",
        "person_name": "张一",
        "started_on": "2023-01-01",
    }
    first = client.post("/api/v1/responsibilities", json.dumps(body), content_type="application/json", **auth)
    assert first.status_code == 201, first.content
    body.update(person_name="李二", started_on="2024-03-01", phone="13800001111")
    second = client.post(
        "/api/v1/responsibilities", json.dumps(body), content_type="application/json", **auth
    )
    assert second.status_code == 201 and second.json()["phone"] == "138****1111"
    listed = client.get(
        f"/api/v1/responsibilities?node_id={world.grid_a.public_id}&status=all", **auth
    ).json()
    assert [(r["person_name"], r["current"]) for r in listed["items"]] == [("李二", True), ("张一", False)]
    on = client.get(
        f"/api/v1/responsibilities/on?node_id={world.grid_a.public_id}&on=2023-05-01", **auth
    ).json()
    assert [r["person_name"] for r in on] == ["张一"]
    ended = client.post(
        f"/api/v1/responsibilities/{second.json()['id']}/end",
        json.dumps({"reason": "调离"}),
        content_type="application/json",
        **auth,
    )
    assert ended.status_code == 200 and ended.json()["current"] is False
    again = client.post(
        f"/api/v1/responsibilities/{second.json()['id']}/end", "{}", content_type="application/json", **auth
    )
    assert again.status_code == 409


def test_api_account_outside_the_area_is_not_found(world, client):
    auth = _api(client, world.secretary)
    other = make_user("other_grid_worker", "grid_worker", world.other_grid)
    body = {"node_id": str(world.grid_a.public_id), "duty": "grid_chief", "account_id": str(other.public_id)}
    response = client.post(
        "/api/v1/responsibilities", json.dumps(body), content_type="application/json", **auth
    )
    assert response.status_code == 404


def test_duties_recorded_for_existing_role_holders(world):
    from linli.territory.responsibility_services import responsibilities_for_role_holders

    assert responsibilities_for_role_holders(actor=world.root) == 3
    rows = {(r.user, r.duty, r.node) for r in Responsibility.objects.all()}
    assert rows == {
        (world.grid_worker_a, Duty.GRID_WORKER, world.grid_a),
        (world.grid_worker_b, Duty.GRID_WORKER, world.grid_b),
        (world.building_head, Duty.BUILDING_HEAD, world.building_a),
    }
    assert all(r.role_assignment_id for r in Responsibility.objects.all())
    assert responsibilities_for_role_holders(actor=world.root) == 0
