"""The audit page: who may see it, which rows each person sees, filters, htmx, pages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core import audit
from linli.core.models import AuditEntry
from linli.core.selectors import audit_entries_visible

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    return {int(x) for x in re.findall(r'data-entry="(\d+)"', response.content.decode())}


def _node_row(node) -> AuditEntry:
    return AuditEntry.objects.get(action="territory.node.create", target_id=str(node.pk))


def _get(client, **params):
    return client.get("/audit/", params)


@pytest.fixture
def logins(world):
    """A login row for several people, written the way the login receiver writes them."""
    return {
        name: audit.record(actor=user, action="auth.login")
        for name, user in {
            "grid_a": world.grid_worker_a,
            "street": world.street_officer,
            "outsider": world.outsider,
            "root": world.root,
        }.items()
    } | {"unknown": audit.record(actor=None, actor_username="ab***", action="auth.login_failed")}


def test_secretary_sees_her_community_and_not_the_other(client, world, logins):
    client.force_login(world.secretary)
    response = _get(client)
    assert response.status_code == 200
    seen = _ids(response)
    assert _node_row(world.grid_a).pk in seen
    assert _node_row(world.dwelling_b).pk in seen
    assert _node_row(world.other_grid).pk not in seen
    assert _node_row(world.other_community).pk not in seen
    assert _node_row(world.street).pk not in seen  # above her community
    # Logins: her grid worker's, not the street officer's above her, nor people without a role.
    assert logins["grid_a"].pk in seen
    assert {logins[n].pk for n in ("street", "outsider", "root", "unknown")}.isdisjoint(seen)


def test_street_officer_sees_both_communities(client, world, logins):
    client.force_login(world.street_officer)
    seen = _ids(_get(client))
    assert {_node_row(world.grid_a).pk, _node_row(world.other_grid).pk, logins["grid_a"].pk} <= seen
    assert logins["street"].pk in seen  # his own
    assert _node_row(world.district).pk not in seen
    assert {logins[n].pk for n in ("outsider", "root", "unknown")}.isdisjoint(seen)


def test_someone_who_also_works_elsewhere_is_hidden_from_the_secretary(world, logins):
    from linli.accounts.models import RoleAssignment
    from linli.accounts.roles import Role

    assert logins["grid_a"] in audit_entries_visible(user=world.secretary)
    RoleAssignment.objects.create(user=world.grid_worker_a, role=Role.GRID_WORKER, node=world.other_grid)
    assert logins["grid_a"] not in audit_entries_visible(user=world.secretary)
    assert logins["grid_a"] in audit_entries_visible(user=world.street_officer)


def test_superuser_sees_everything(client, world, logins):
    client.force_login(world.root)
    seen = _ids(_get(client))
    assert {row.pk for row in logins.values()} <= seen
    assert audit_entries_visible(user=world.root).count() == AuditEntry.objects.count()


@pytest.mark.parametrize("persona", ["grid_worker_a", "building_head", "resident", "outsider"])
def test_everyone_else_gets_a_404(client, world, persona):
    client.force_login(world.personas()[persona])
    assert client.get("/audit/").status_code == 404
    assert not audit_entries_visible(user=world.personas()[persona]).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get("/audit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_nav_link_shows_only_to_those_who_may_view(client, world):
    client.force_login(world.secretary)
    assert 'data-testid="nav-audit"' in client.get("/").content.decode()
    client.force_login(world.grid_worker_a)
    assert 'data-testid="nav-audit"' not in client.get("/").content.decode()


def test_filters_by_person_record_action_and_date(client, world, logins):
    client.force_login(world.secretary)
    renamed = audit.record(actor=world.grid_worker_b, action="test.rename", target=world.grid_b)

    assert _ids(_get(client, person="GRID_B")) == {renamed.pk}
    assert _ids(_get(client, record="第二网格")) == {renamed.pk, _node_row(world.grid_b).pk}
    assert _ids(_get(client, record=str(world.grid_b.pk), action="test.rename")) == {renamed.pk}
    own_login = AuditEntry.objects.get(action="auth.login", actor=world.secretary)  # force_login
    assert _ids(_get(client, action="auth.login")) == {logins["grid_a"].pk, own_login.pk}

    AuditEntry.objects.filter(pk=renamed.pk).update(created_at=timezone.now() - timedelta(days=10))
    day = timezone.localdate() - timedelta(days=10)
    assert _ids(_get(client, date_from=day.isoformat(), date_to=day.isoformat())) == {renamed.pk}
    assert renamed.pk not in _ids(_get(client, date_from=(day + timedelta(days=1)).isoformat()))
    assert renamed.pk not in _ids(_get(client, date_to=(day - timedelta(days=1)).isoformat()))


def test_the_action_filter_offers_only_visible_actions(client, world, logins):
    audit.record(actor=world.root, action="test.elsewhere", target=world.other_grid)
    client.force_login(world.secretary)
    page = _get(client).content.decode()
    assert 'value="auth.login"' in page and 'value="territory.node.create"' in page
    assert "test.elsewhere" not in page


def test_a_bad_date_is_reported_and_does_not_hide_rows(client, world):
    client.force_login(world.secretary)
    response = _get(client, date_from="2024-02-30")
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert _node_row(world.grid_a).pk in _ids(response)


def test_htmx_gets_only_the_results_and_the_page_works_without_it(client, world):
    client.force_login(world.secretary)
    full = _get(client, action="territory.node.create")
    assert "<html" in full.content.decode() and 'id="audit-results"' in full.content.decode()
    assert 'hx-get="/audit/"' in full.content.decode() and 'hx-push-url="true"' in full.content.decode()
    partial = client.get("/audit/", {"action": "territory.node.create"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<section class="card" id="audit-results"')
    assert _ids(partial) == _ids(full)
    assert "HX-Request" in partial["Vary"]
    restore = client.get("/audit/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


def test_fifty_rows_a_page_and_the_filters_survive_paging(client, world):
    for i in range(60):
        audit.record(actor=world.secretary, action="test.bulk", target=world.grid_a, reason=f"r{i}")
    client.force_login(world.secretary)
    first = _get(client, action="test.bulk")
    assert len(_ids(first)) == 50
    assert "?action=test.bulk&amp;page=2" in first.content.decode()
    second = _get(client, action="test.bulk", page=2)
    assert len(_ids(second)) == 10
    assert _ids(first).isdisjoint(_ids(second))
    assert _ids(first) | _ids(second) == set(
        AuditEntry.objects.filter(action="test.bulk").values_list("pk", flat=True)
    )


def test_personal_values_are_masked(client, world):
    audit.record(
        actor=world.secretary, action="test.phone", target=world.grid_a, after={"phone": "13812345678"}
    )
    # A row written past record() is masked on the way out as well.
    AuditEntry.objects.create(
        actor_username="legacy",
        action="test.raw",
        node_path=world.grid_a.path,
        changes={"before": {"citizen_id": "110101199003077777"}, "after": {"name": "ok"}},
    )
    client.force_login(world.secretary)
    page = _get(client, record="").content.decode()
    assert "13812345678" not in page and "110101199003077777" not in page
    assert "phone: ***" in page and "citizen_id: *** → —" in page
