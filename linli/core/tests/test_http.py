"""The HTTP shell: health, readiness, error pages in the user's language, CSP, language choice."""

import pytest
from django.utils import timezone

from linli.core.models import WorkerHeartbeat


def test_healthz_answers_without_login(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_needs_a_recent_worker_heartbeat(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert any(item.startswith("worker:") for item in response.json()["missing"])
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=timezone.now())
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()


@pytest.mark.django_db
def test_readyz_reports_a_stale_heartbeat(client):
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=timezone.now() - timezone.timedelta(minutes=5))
    assert client.get("/readyz").status_code == 503


@pytest.mark.django_db
def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_csp_forbids_inline_script(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_html_404_page_is_rendered_in_the_chosen_language(client, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(world.grid_worker_a)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert 'data-testid="error-page"' in response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    world.grid_worker_a.language = "en"
    world.grid_worker_a.save()
    response = client.get("/no/such/page/")
    assert response["Content-Language"] == "en"
    assert "Not found" in response.content.decode()


@pytest.mark.django_db
def test_api_404_outside_the_router_is_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_language_choice_is_remembered_per_user(client, world):
    client.force_login(world.secretary)
    response = client.post("/accounts/language/", {"language": "en", "next": "/territory/"})
    assert response.status_code == 302 and response["Location"] == "/territory/"
    world.secretary.refresh_from_db()
    assert world.secretary.language == "en"
    # A fresh browser (no cookie) still gets English for this user.
    client.cookies.clear()
    client.force_login(world.secretary)
    assert client.get("/")["Content-Language"] == "en"


@pytest.mark.django_db
def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/accounts/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_anonymous_default_is_chinese_whatever_the_browser_says(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_a_nul_character_is_refused_at_the_door(client, world):
    client.force_login(world.secretary)
    response = client.get("/api/v1/territory/nodes?kind=grid%00")
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    assert client.get("/territory/?q=%00").status_code == 400
    assert client.post("/accounts/language/", {"language": "en\x00"}).status_code == 400
