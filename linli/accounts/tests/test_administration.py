"""Account administration: who sees whom, who may grant what, and the pages and API."""

import pytest

from linli.accounts import selectors, services
from linli.accounts.forms import AccountCreateForm, RoleGrantForm
from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import GRANTS, Role
from linli.accounts.tests.helpers import bearer, post_json
from linli.core.errors import OutOfScope, PermissionDenied, ValidationFailed
from linli.core.models import AuditEntry
from linli.test import make_user

NEW_PASSWORD = "Quiet-river-2741"


@pytest.fixture
def other_worker(world):
    """A grid worker of the other community: outside the secretary's area."""
    return make_user("dongshan", Role.GRID_WORKER, world.other_grid)


# --- who is in my area -------------------------------------------------------------------


def test_secretary_sees_the_accounts_of_their_community_only(world, other_worker):
    visible = set(selectors.users_administrable(user=world.secretary).values_list("username", flat=True))
    assert {"grid_a", "grid_b", "louzhang", "resident", "secretary"} <= visible
    assert "dongshan" not in visible
    assert "street" not in visible
    assert "outsider" not in visible


def test_street_officer_sees_both_communities(world, other_worker):
    visible = set(selectors.users_administrable(user=world.street_officer).values_list("username", flat=True))
    assert {"grid_a", "dongshan", "secretary"} <= visible


def test_grid_worker_administers_nobody(world):
    assert not selectors.users_administrable(user=world.grid_worker_a).exists()


def test_an_ended_role_takes_the_account_out_of_the_area(world, other_worker):
    RoleAssignment.objects.create(user=other_worker, role=Role.VOLUNTEER, node=world.grid_a)
    assert selectors.users_administrable(user=world.secretary).filter(pk=other_worker.pk).exists()
    RoleAssignment.objects.filter(user=other_worker, node=world.grid_a).update(ended_at="2026-01-01T00:00Z")
    assert not selectors.users_administrable(user=world.secretary).filter(pk=other_worker.pk).exists()


# --- what may be granted -------------------------------------------------------------------


def test_secretary_can_grant_grid_worker_in_own_grid(world):
    assignment = services.role_grant(
        actor=world.secretary, user=world.grid_worker_b, role=Role.GRID_WORKER, node=world.grid_a
    )
    assert assignment.created_by == world.secretary
    assert world.grid_a.path in User.objects.get(pk=world.grid_worker_b.pk).grants.paths("resident", "add")
    entry = AuditEntry.objects.get(action="accounts.role.grant")
    assert entry.actor == world.secretary
    assert entry.node_path == world.grid_a.path


def test_secretary_cannot_grant_street_officer(world):
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=world.secretary, user=world.grid_worker_a, role=Role.STREET_OFFICER, node=world.grid_a
        )
    assert not RoleAssignment.objects.filter(role=Role.STREET_OFFICER, user=world.grid_worker_a).exists()


def test_secretary_cannot_make_another_secretary_of_their_own_community(world):
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=world.secretary,
            user=world.grid_worker_a,
            role=Role.COMMUNITY_SECRETARY,
            node=world.community,
        )


def test_street_officer_can_make_a_community_secretary(world):
    services.role_grant(
        actor=world.street_officer,
        user=world.grid_worker_a,
        role=Role.COMMUNITY_SECRETARY,
        node=world.community,
    )
    assert RoleAssignment.objects.filter(
        user=world.grid_worker_a, role=Role.COMMUNITY_SECRETARY, ended_at__isnull=True
    ).exists()


def test_street_officer_cannot_make_a_street_officer_of_their_own_street(world):
    assert not selectors.can_grant(actor=world.street_officer, role=Role.STREET_OFFICER, node=world.street)
    assert selectors.can_grant(actor=world.root, role=Role.STREET_OFFICER, node=world.street)


def test_never_more_than_the_granter_holds(world, monkeypatch):
    """With the real table every role fits inside a secretary's; narrow the secretary's row
    to see the subset rule bite: a granter who cannot work on appeals may not hand out a
    role that does."""
    monkeypatch.setitem(
        GRANTS,
        Role.COMMUNITY_SECRETARY,
        {"territory": {"view"}, "account": {"administer"}, "resident": {"view", "add", "change"}},
    )
    secretary = User.objects.get(pk=world.secretary.pk)  # grants are cached per instance
    assert selectors.can_grant(actor=secretary, role=Role.VOLUNTEER, node=world.grid_a)
    assert not selectors.can_grant(actor=secretary, role=Role.GRID_WORKER, node=world.grid_a)
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=secretary, user=world.grid_worker_b, role=Role.GRID_WORKER, node=world.grid_a
        )


def test_secretary_cannot_grant_in_the_other_community(world, other_worker):
    with pytest.raises(OutOfScope):
        services.role_grant(
            actor=world.secretary, user=other_worker, role=Role.VOLUNTEER, node=world.other_grid
        )
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=world.secretary, user=world.grid_worker_a, role=Role.VOLUNTEER, node=world.other_grid
        )


def test_nobody_changes_their_own_roles(world):
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=world.secretary, user=world.secretary, role=Role.GRID_WORKER, node=world.grid_a
        )


def test_grant_form_offers_only_what_the_actor_may_grant(world):
    form = RoleGrantForm(actor=world.secretary)
    roles = {value for value, _ in form.fields["role"].choices if value}
    assert Role.GRID_WORKER in roles
    assert Role.STREET_OFFICER not in roles
    nodes = set(form.fields["node"].queryset)
    assert world.grid_a in nodes and world.community in nodes
    assert world.other_grid not in nodes and world.street not in nodes
    refused = RoleGrantForm({"role": Role.GRID_WORKER, "node": world.other_grid.pk}, actor=world.secretary)
    assert not refused.is_valid() and "node" in refused.errors


def test_form_refuses_a_role_the_node_does_not_allow(world):
    # Granting a secretary needs an administering role strictly above the node: the
    # secretary's own community is not below it.
    form = RoleGrantForm(
        {"role": Role.COMMUNITY_SECRETARY, "node": world.community.pk}, actor=world.secretary
    )
    assert not form.is_valid()
    assert "role" in form.errors


# --- create, end ------------------------------------------------------------------------------


def test_create_account_with_first_role(world):
    user = services.user_create(
        actor=world.secretary,
        username="wangfang",
        full_name="王芳",
        password=NEW_PASSWORD,
        role=Role.GRID_WORKER,
        node=world.grid_b,
    )
    assert user.check_password(NEW_PASSWORD)
    assert user.password_changed_at is None  # chosen by the administrator
    assert list(user.role_assignments.values_list("role", "node")) == [(Role.GRID_WORKER, world.grid_b.pk)]
    entry = AuditEntry.objects.get(action="accounts.user.create")
    assert NEW_PASSWORD not in str(entry.changes)
    assert entry.changes["after"]["username"] == "wangfang"
    assert entry.node_path == world.grid_b.path


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("grid_a", NEW_PASSWORD, "username"),
        ("GRID_A", NEW_PASSWORD, "username"),
        ("has space", NEW_PASSWORD, "username"),
        ("newperson", "short1!", "password"),
        ("newperson", "password123", "password"),
        ("newperson", "1234567890123", "password"),
    ],
)
def test_create_refuses_bad_usernames_and_passwords(world, username, password, field):
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(
            actor=world.secretary,
            username=username,
            full_name="",
            password=password,
            role=Role.GRID_WORKER,
            node=world.grid_a,
        )
    assert exc.value.field == field


def test_create_refuses_a_role_beyond_the_actor(world):
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=world.secretary,
            username="boss",
            full_name="",
            password=NEW_PASSWORD,
            role=Role.STREET_OFFICER,
            node=world.grid_a,
        )
    assert not User.objects.filter(username="boss").exists()


def test_create_form_checks_password_validators(world):
    form = AccountCreateForm(
        {
            "username": "li",
            "full_name": "",
            "password": "abc",
            "role": Role.GRID_WORKER,
            "node": world.grid_a.pk,
        },
        actor=world.secretary,
    )
    assert not form.is_valid()
    assert "password" in form.errors


def test_end_role_and_not_the_last_one(world):
    extra = services.role_grant(
        actor=world.secretary, user=world.grid_worker_a, role=Role.VOLUNTEER, node=world.grid_b
    )
    services.role_end(actor=world.secretary, assignment=extra)
    extra.refresh_from_db()
    assert extra.ended_at is not None
    last = world.grid_worker_a.role_assignments.get(ended_at__isnull=True)
    with pytest.raises(ValidationFailed, match="last role"):
        services.role_end(actor=world.secretary, assignment=last)
    assert AuditEntry.objects.filter(action="accounts.role.end").count() == 1


def test_secretary_cannot_end_a_street_officer_role_inside_the_community(world):
    officer_here = RoleAssignment.objects.create(
        user=world.grid_worker_a, role=Role.STREET_OFFICER, node=world.grid_a
    )
    with pytest.raises(PermissionDenied):
        services.role_end(actor=world.secretary, assignment=officer_here)


# --- pages ------------------------------------------------------------------------------------


def test_list_page_shows_my_area_only(world, other_worker, login):
    client = login(world.secretary)
    response = client.get("/accounts/manage/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "grid_a" in body and "dongshan" not in body
    assert 'data-testid="nav-accounts"' in body


def test_list_page_searches_with_htmx(world, login):
    client = login(world.secretary)
    response = client.get("/accounts/manage/", {"q": "louz"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="account-list"' in body and "<html" not in body
    assert "louzhang" in body and "grid_a" not in body


def test_grid_worker_cannot_open_the_administration(world, login):
    client = login(world.grid_worker_a)
    assert client.get("/accounts/manage/").status_code == 403
    assert 'data-testid="nav-accounts"' not in client.get("/").content.decode()


def test_user_of_the_other_community_is_a_404(world, other_worker, login):
    client = login(world.secretary)
    assert client.get(f"/accounts/manage/{other_worker.public_id}/").status_code == 404
    assert client.post(f"/accounts/manage/{other_worker.public_id}/disable/").status_code == 404
    assert (
        client.post(
            f"/accounts/manage/{other_worker.public_id}/grant/",
            {"role": Role.VOLUNTEER, "node": world.grid_a.pk},
        ).status_code
        == 404
    )
    other_worker.refresh_from_db()
    assert other_worker.is_active
    assert AuditEntry.objects.filter(action="scope.denied", actor=world.secretary).exists()


def test_create_page_creates_and_redirects(world, login):
    client = login(world.secretary)
    assert client.get("/accounts/manage/new/").status_code == 200
    response = client.post(
        "/accounts/manage/new/",
        {
            "username": "zhaolei",
            "full_name": "赵磊",
            "password": NEW_PASSWORD,
            "role": Role.GRID_WORKER,
            "node": world.grid_b.pk,
        },
    )
    user = User.objects.get(username="zhaolei")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/manage/{user.public_id}/"


def test_create_page_does_not_offer_or_accept_street_officer(world, login):
    client = login(world.secretary)
    assert 'value="street_officer"' not in client.get("/accounts/manage/new/").content.decode()
    response = client.post(
        "/accounts/manage/new/",
        {"username": "boss", "password": NEW_PASSWORD, "role": Role.STREET_OFFICER, "node": world.grid_a.pk},
    )
    assert response.status_code == 422
    assert not User.objects.filter(username="boss").exists()


def test_detail_page_grant_and_end(world, login):
    client = login(world.secretary)
    url = f"/accounts/manage/{world.grid_worker_a.public_id}/"
    assert "第一网格" in client.get(url).content.decode()
    response = client.post(
        url + "grant/", {"role": Role.VOLUNTEER, "node": world.grid_b.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["HX-Redirect"] == url
    assignment = RoleAssignment.objects.get(user=world.grid_worker_a, role=Role.VOLUNTEER)
    response = client.post(f"{url}roles/{assignment.public_id}/end/")
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_at is not None


def test_detail_page_refused_grant_renders_the_form_again(world, login):
    client = login(world.secretary)
    url = f"/accounts/manage/{world.grid_worker_a.public_id}/grant/"
    response = client.post(
        url, {"role": Role.STREET_OFFICER, "node": world.grid_a.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert 'id="grant-form"' in response.content.decode()


# --- API --------------------------------------------------------------------------------------


def test_api_list_is_scoped(world, other_worker, client):
    response = client.get("/api/v1/accounts/users?limit=500", **bearer(world.secretary))
    assert response.status_code == 200
    names = {item["username"] for item in response.json()["items"]}
    assert "grid_a" in names and "dongshan" not in names
    grid_a = next(i for i in response.json()["items"] if i["username"] == "grid_a")
    assert grid_a["id"] == str(world.grid_worker_a.public_id)
    assert grid_a["roles"][0]["node_code"] == world.grid_a.code


def test_api_other_community_is_404(world, other_worker, client):
    auth = bearer(world.secretary)
    assert client.get(f"/api/v1/accounts/users/{other_worker.public_id}", **auth).status_code == 404
    response = post_json(client, f"/api/v1/accounts/users/{other_worker.public_id}/disable", **auth)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_api_create_grant_end(world, client):
    auth = bearer(world.secretary)
    response = post_json(
        client,
        "/api/v1/accounts/users",
        {
            "username": "sunli",
            "full_name": "孙丽",
            "password": NEW_PASSWORD,
            "role": Role.GRID_WORKER,
            "node_id": str(world.grid_a.public_id),
        },
        **auth,
    )
    assert response.status_code == 201, response.content
    user_id = response.json()["id"]
    response = post_json(
        client,
        f"/api/v1/accounts/users/{user_id}/roles",
        {"role": Role.VOLUNTEER, "node_id": str(world.grid_b.public_id)},
        **auth,
    )
    assert response.status_code == 201
    role_id = response.json()["id"]
    response = post_json(client, f"/api/v1/accounts/users/{user_id}/roles/{role_id}/end", **auth)
    assert response.status_code == 200
    assert RoleAssignment.objects.get(public_id=role_id).ended_at is not None


def test_api_refuses_street_officer_grant_with_403(world, client):
    response = post_json(
        client,
        f"/api/v1/accounts/users/{world.grid_worker_a.public_id}/roles",
        {"role": Role.STREET_OFFICER, "node_id": str(world.grid_a.public_id)},
        **bearer(world.secretary),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_api_node_outside_the_area_is_404(world, client):
    response = post_json(
        client,
        f"/api/v1/accounts/users/{world.grid_worker_a.public_id}/roles",
        {"role": Role.VOLUNTEER, "node_id": str(world.other_grid.public_id)},
        **bearer(world.secretary),
    )
    assert response.status_code == 404


def test_api_create_with_weak_password_is_422(world, client):
    response = post_json(
        client,
        "/api/v1/accounts/users",
        {
            "username": "weak",
            "password": "123",
            "role": Role.GRID_WORKER,
            "node_id": str(world.grid_a.public_id),
        },
        **bearer(world.secretary),
    )
    assert response.status_code == 422
    assert response.json()["field"] == "password"
