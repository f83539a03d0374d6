"""The registry's forms, driven through the pages as a grid worker would on a phone."""

import pytest

from linli.registry.models import Household, Resident
from linli.registry.tests.helpers import household, new_citizen_id, resident

pytestmark = pytest.mark.django_db


def test_household_and_members_through_the_forms(world, login):
    client = login(world.grid_worker_a)
    # Find the dwelling (htmx fragment), then create the household there.
    fragment = client.get("/registry/households/new/", {"find": "1号楼1单元102"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert str(world.dwelling_a2.public_id) in fragment.content.decode()
    assert str(world.dwelling_b.public_id) not in fragment.content.decode()
    response = client.post(
        "/registry/households/new/",
        {"dwelling": str(world.dwelling_a2.public_id), "address_kind": "registered"},
    )
    assert response.status_code == 302
    hh = Household.objects.get(dwelling=world.dwelling_a2)
    assert response.url == f"/registry/households/{hh.public_id}/add/"
    # A bad ID number and a bad phone come back on their fields, all at once.
    bad = client.post(
        response.url,
        {
            "name": "周杰",
            "relation": "02",
            "citizen_id": "37081119580305123",
            "phone": "12345",
            "ethnicity": "01",
            "population_type": "registered",
        },
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "has 18 characters" in html and "mobile number" in html
    number = new_citizen_id()
    ok = client.post(
        response.url,
        {
            "name": "周杰",
            "relation": "02",
            "citizen_id": number,
            "phone": "13712345678",
            "ethnicity": "01",
            "population_type": "registered",
        },
    )
    assert ok.status_code == 302
    person = Resident.objects.get(name="周杰")
    assert person.citizen_id == number and person.household_id == hh.pk
    page = client.get(f"/registry/households/{hh.public_id}/").content.decode()
    assert "周杰" in page and number not in page


def test_edit_keeps_the_id_when_left_empty_and_shows_the_timeline(world, login):
    person = resident(world, name="刘德华", phone="13812345678")
    number = person.citizen_id
    client = login(world.grid_worker_a)
    form = client.get(f"/registry/residents/{person.public_id}/edit/").content.decode()
    assert number not in form and "13812345678" not in form
    response = client.post(
        f"/registry/residents/{person.public_id}/edit/",
        {
            "name": "刘德华",
            "relation": "02",
            "citizen_id": "",
            "phone": "",
            "ethnicity": "03",
            "population_type": "resident",
            "workplace": "济宁学院",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.citizen_id, person.phone, person.ethnicity, person.workplace) == (
        number,
        "13812345678",
        "03",
        "济宁学院",
    )
    page = client.get(f"/registry/residents/{person.public_id}/").content.decode()
    assert 'data-testid="event-updated"' in page and "济宁学院" in page and "Hui" in page
    cleared = client.post(
        f"/registry/residents/{person.public_id}/edit/",
        {
            "name": "刘德华",
            "relation": "02",
            "phone_clear": "on",
            "ethnicity": "03",
            "population_type": "resident",
        },
    )
    assert cleared.status_code == 302
    person.refresh_from_db()
    assert person.phone == "" and person.citizen_id == number


def test_move_archive_and_tags_through_the_pages(world, login):
    target = household(world, world.dwelling_a2)
    resident(world, household_=target, name="户主乙")
    person = resident(world, name="搬家人")
    client = login(world.secretary)
    picker = client.get(
        f"/registry/residents/{person.public_id}/move/", {"find": "户主乙"}, HTTP_HX_REQUEST="true"
    )
    assert str(target.public_id) in picker.content.decode()
    moved = client.post(
        f"/registry/residents/{person.public_id}/move/",
        {"household": str(target.public_id), "relation": "10", "note": "结婚"},
    )
    assert moved.status_code == 302
    person.refresh_from_db()
    assert person.household_id == target.pk
    tag = client.post(f"/registry/residents/{person.public_id}/tags/", {"kind": "party_member"})
    assert tag.status_code == 422 and "subtype" in tag.content.decode().lower()
    tag = client.post(
        f"/registry/residents/{person.public_id}/tags/",
        {"kind": "party_member", "subtype": "resident", "evidence": "报到证明"},
    )
    assert tag.status_code == 302
    page = client.get(f"/registry/residents/{person.public_id}/").content.decode()
    assert "Party member" in page and "lives in the community" in page and "报到证明" in page
    current = person.tags.get()
    assert client.post(f"/registry/tags/{current.public_id}/end/").status_code == 302
    archived = client.post(
        f"/registry/residents/{person.public_id}/archive/", {"reason": "moved_away", "note": "迁往济南"}
    )
    assert archived.status_code == 302
    page = client.get(f"/registry/residents/{person.public_id}/").content.decode()
    assert 'data-testid="archived"' in page
    for kind in ["created", "moved", "tag_set", "tag_ended", "archived"]:
        assert f'data-testid="event-{kind}"' in page, kind
    assert 'data-testid="edit"' not in page  # history, not editable
    assert client.get(f"/registry/residents/{person.public_id}/edit/").status_code == 403
    # The archived person stays findable among the archived.
    listing = client.get("/registry/", {"status": "archived"}).content.decode()
    assert "搬家人" in listing
    assert "搬家人" not in client.get("/registry/").content.decode()


def test_navigation_shows_the_registry_only_to_those_with_access(world, login):
    assert 'data-testid="nav-registry"' in login(world.grid_worker_a).get("/").content.decode()
    assert 'data-testid="nav-registry"' not in login(world.outsider).get("/").content.decode()
