"""The password policy: basic and strict (等保 2.0), expiry, and changing a password."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from linli.accounts import services
from linli.accounts.models import ApiToken, User
from linli.accounts.password_validation import character_classes, password_expired
from linli.accounts.roles import Role
from linli.accounts.tests.helpers import password_login, post_json
from linli.core.errors import ValidationFailed
from linli.core.models import AuditEntry

strict = override_settings(LINLI_PASSWORD_POLICY="strict", LINLI_PASSWORD_MAX_AGE_DAYS=90)


def test_character_classes():
    assert character_classes("abcDEF123!") == {"upper", "lower", "digit", "symbol"}
    assert character_classes("只有中文的密码") == set()
    assert character_classes("abc def") == {"lower", "symbol"}


@pytest.mark.parametrize("password", ["quiet-river-lamp", "QUIETRIVER2741", "quietriver2741"])
def test_basic_policy_accepts_two_classes(password):
    validate_password(password)


@strict
@pytest.mark.parametrize("password", ["quiet-river-lamp", "QUIETRIVER2741", "quietriver2741"])
def test_strict_policy_wants_three_classes(password):
    with pytest.raises(ValidationError, match="at least 3 of"):
        validate_password(password)


@strict
@pytest.mark.parametrize("password", ["Quiet-river-lamp", "quiet-river-2741", "QuietRiver2741"])
def test_strict_policy_accepts_three_classes(password):
    validate_password(password)


@strict
def test_strict_policy_still_applies_the_basic_rules():
    with pytest.raises(ValidationError):
        validate_password("Ab1!")


def test_password_changes_are_dated(world):
    assert world.grid_worker_a.password_changed_at is not None
    before = timezone.now()
    services.user_set_password(
        actor=world.grid_worker_a, user=world.grid_worker_a, password="Quiet-river-2741"
    )
    assert User.objects.get(pk=world.grid_worker_a.pk).password_changed_at >= before


@strict
def test_expiry(world):
    user = world.grid_worker_a
    assert not password_expired(user)
    user.password_changed_at = timezone.now() - timedelta(days=91)
    assert password_expired(user)
    user.password_changed_at = None
    assert password_expired(user)


def test_no_expiry_under_basic_policy(world):
    user = world.grid_worker_a
    user.password_changed_at = timezone.now() - timedelta(days=1000)
    assert not password_expired(user)


@strict
def test_expired_password_sends_the_user_to_the_change_page(world, client, password):
    User.objects.filter(pk=world.grid_worker_a.pk).update(
        password_changed_at=timezone.now() - timedelta(days=120)
    )
    response = password_login(client, "grid_a")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/password/?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'data-testid="password-expired"' in page.content.decode()
    assert client.get("/territory/").status_code == 302

    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Fresh-meadow-8812",
            "new_password2": "Fresh-meadow-8812",
            "next": "/territory/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/territory/"
    assert client.get("/").status_code == 200


@strict
def test_token_endpoint_refuses_an_expired_password(world, client, password):
    User.objects.filter(pk=world.grid_worker_a.pk).update(password_changed_at=None)
    response = post_json(client, "/api/v1/auth/token", {"username": "grid_a", "password": password})
    assert response.status_code == 403 and response.json()["code"] == "password_expired"


@strict
def test_account_created_by_an_administrator_must_change_its_password(world, client):
    services.user_create(
        actor=world.secretary,
        username="newbie",
        full_name="",
        password="Initial-pass-3390",
        role=Role.GRID_WORKER,
        node=world.grid_a,
    )
    response = password_login(client, "newbie", "Initial-pass-3390")
    assert client.get(response["Location"])["Location"].startswith("/accounts/password/")


def test_change_ends_other_sessions_and_tokens_but_keeps_this_one(world, login, password):
    other = Client()
    other.force_login(world.grid_worker_a)
    other.get("/")
    services.token_issue(user=world.grid_worker_a)
    client = login(world.grid_worker_a)
    client.get("/")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Fresh-meadow-8812",
            "new_password2": "Fresh-meadow-8812",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    gone = other.get("/")
    assert gone.status_code == 302 and "/accounts/login/" in gone["Location"]
    assert not ApiToken.objects.usable().filter(user=world.grid_worker_a).exists()
    entry = AuditEntry.objects.get(action="accounts.password.change")
    assert "Fresh-meadow-8812" not in str(entry.changes)


def test_change_page_refuses_a_weak_or_wrong_password(world, login, password):
    client = login(world.grid_worker_a)
    weak = client.post(
        "/accounts/password/", {"old_password": password, "new_password1": "12345", "new_password2": "12345"}
    )
    assert weak.status_code == 422
    wrong_old = client.post(
        "/accounts/password/",
        {
            "old_password": "not-it-at-all",
            "new_password1": "Fresh-meadow-8812",
            "new_password2": "Fresh-meadow-8812",
        },
    )
    assert wrong_old.status_code == 422
    assert User.objects.get(pk=world.grid_worker_a.pk).check_password(password)


def test_the_same_password_again_is_refused(world, password):
    with pytest.raises(ValidationFailed, match="different"):
        services.user_set_password(actor=world.grid_worker_a, user=world.grid_worker_a, password=password)


@strict
def test_administrator_reset_expires_the_password(world, login):
    client = login(world.secretary)
    response = client.post(
        f"/accounts/manage/{world.grid_worker_a.public_id}/password/",
        {"new_password1": "Handed-over-5521", "new_password2": "Handed-over-5521"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=world.grid_worker_a.pk)
    assert user.check_password("Handed-over-5521")
    assert password_expired(user)
    assert AuditEntry.objects.filter(action="accounts.password.reset", actor=world.secretary).exists()
