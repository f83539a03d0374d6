"""The door-to-door census: states per dwelling of a building, visits by grid workers in
their own grid only, progress per grid and community."""

import pytest

from linli.core.errors import OutOfScope, ValidationFailed
from linli.core.models import AuditEntry
from linli.registry.census import building_census, census_progress, census_record
from linli.registry.models import CensusVisit
from linli.registry.tests.helpers import household

pytestmark = pytest.mark.django_db


def test_states_of_a_building_follow_the_latest_visit(world):
    building = world.dwelling_a.parent.parent
    household(world, world.dwelling_a)
    census_record(actor=world.grid_worker_a, dwelling=world.dwelling_a, state="nobody_home")
    census_record(
        actor=world.grid_worker_a, dwelling=world.dwelling_a, state="verified", note="户主\x00在家\n"
    )
    rows = {r.dwelling: r for r in building_census(user=world.grid_worker_a, building=building)}
    assert rows[world.dwelling_a].state == "verified" and rows[world.dwelling_a].households == 1
    assert rows[world.dwelling_a2].state == "not_visited"
    assert CensusVisit.objects.count() == 2
    assert CensusVisit.objects.first().note == "户主 在家"
    assert AuditEntry.objects.filter(action="registry.census.visit").count() == 2


def test_a_worker_cannot_record_in_another_grid_and_states_are_checked(world):
    with pytest.raises(OutOfScope):
        census_record(actor=world.grid_worker_b, dwelling=world.dwelling_a, state="verified")
    with pytest.raises(ValidationFailed):
        census_record(actor=world.grid_worker_a, dwelling=world.dwelling_a, state="maybe")
    assert not CensusVisit.objects.exists()


def test_progress_per_community_and_grid(world):
    census_record(actor=world.grid_worker_a, dwelling=world.dwelling_a, state="vacant")
    community = world.grid_a.parent
    lines = {p.node: p for p in census_progress(user=world.secretary, node=community)}
    assert lines[community].total == 3 and lines[community].visited == 1
    assert lines[world.grid_a].total == 2 and lines[world.grid_a].by_state == {"vacant": 1}
    assert lines[world.grid_a].percent == 50
    assert lines[world.grid_b].visited == 0


def test_the_phone_page_records_a_visit(world, login):
    client = login(world.grid_worker_a)
    building = world.dwelling_a.parent.parent
    page = client.get(f"/registry/census/buildings/{building.public_id}/")
    assert page.status_code == 200 and page.content.decode().count('data-state="not_visited"') == 2
    response = client.post(f"/registry/census/dwellings/{world.dwelling_a2.public_id}/", {"state": "refused"})
    assert response.status_code == 302
    page = client.get(response.url)
    assert 'data-state="refused"' in page.content.decode()
    progress = client.get(f"/registry/census/progress/{world.grid_a.public_id}/").content.decode()
    assert "50%" in progress


def test_census_and_import_in_the_api(world, client):
    from linli.accounts.services import token_issue

    raw, _ = token_issue(user=world.grid_worker_a)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/registry/census/dwellings/{world.dwelling_a.public_id}"
    assert client.post(url, {"state": "changed"}, content_type="application/json", **auth).status_code == 201
    bad = client.post(url, {"state": "maybe"}, content_type="application/json", **auth)
    assert bad.status_code == 422
    progress = client.get(f"/api/v1/registry/census/progress/{world.grid_a.public_id}", **auth).json()
    assert progress[0]["code"] == world.grid_a.code and progress[0]["by_state"] == {"changed": 1}
    assert progress[0]["dwellings"] == 2 and progress[0]["visited"] == 1
    raw_b, _ = token_issue(user=world.grid_worker_b)
    other = client.post(
        url, {"state": "changed"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw_b}"
    )
    assert other.status_code == 404
