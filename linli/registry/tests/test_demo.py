"""The demo community of seed 002 (财工街社区): the generator itself, and the five numbers
on its statistics page."""

import pytest

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.core.identity import parse_citizen_id
from linli.registry import demo
from linli.registry.models import Resident
from linli.test import make_user

pytestmark = pytest.mark.django_db


def test_caigongjie_shows_the_numbers_of_the_report(client):
    root = User.objects.create_superuser(username="root-demo", password="x" * 12)
    community = demo.build_caigongjie(root)
    secretary = make_user("hufenghua", Role.COMMUNITY_SECRETARY, community)
    client.force_login(secretary)
    html = client.get(f"/registry/stats/{community.public_id}/").content.decode()
    assert 'data-testid="stat-households">2870<' in html
    assert 'data-testid="stat-residents">8437<' in html
    assert 'data-testid="stat-party-direct">41<' in html
    assert 'data-testid="stat-party-resident">186<' in html
    assert 'data-testid="stat-building-heads">40<' in html
    # Every generated ID number is valid and unique; names are searchable by pinyin.
    sample = list(Resident.objects.order_by("pk"))[::42]
    for person in sample:
        parsed = parse_citizen_id(person.citizen_id)
        assert (parsed.birth_date, parsed.sex) == (person.birth_date, person.sex)
        assert person.name_initials and person.citizen_id_index
    assert Resident.objects.values("citizen_id_index").distinct().count() == 8437
    person = sample[7]
    query = f"{person.name_initials.split()[0]} {person.citizen_id[-4:]}"
    html = client.post("/registry/search/", {"q": query}).content.decode()
    assert f'data-testid="resident-link">{person.name}<' in html


def test_citizen_id_for_makes_valid_numbers():
    import datetime

    number = demo.citizen_id_for("370811", datetime.date(1958, 3, 5), 123)
    parsed = parse_citizen_id(number)
    assert parsed.number == number and parsed.sex == "M" and parsed.birth_date == datetime.date(1958, 3, 5)
