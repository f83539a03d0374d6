import datetime

import pytest
from django.utils import timezone

from linli.accounts.roles import Role
from linli.registry import services
from linli.registry.choices import ArchiveReason, PartyRelation, PopulationType, TagKind
from linli.registry.selectors import registry_stats
from linli.registry.tests.helpers import household, new_citizen_id, resident
from linli.test import make_user

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 10) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


@pytest.fixture
def registry(world):
    h1 = household(world)
    old = resident(world, household_=h1, name="高龄甲", citizen_id=new_citizen_id(years_ago(85)))
    kid = resident(world, household_=h1, name="孩子", citizen_id=new_citizen_id(years_ago(10)))
    resident(world, household_=h1, name="无证者", citizen_id="", population_type=PopulationType.RESIDENT)
    h2 = household(world, world.dwelling_a2)
    adult = resident(world, household_=h2, name="成年乙", citizen_id=new_citizen_id(years_ago(40)))
    gone = resident(world, household_=h2, name="迁出者", citizen_id=new_citizen_id(years_ago(70)))
    hb = household(world, world.dwelling_b)
    floating = resident(
        world,
        household_=hb,
        name="流动丙",
        citizen_id=new_citizen_id(years_ago(65)),
        population_type="floating",
    )
    tag = services.tag_set
    tag(actor=world.root, resident=old, kind=TagKind.PARTY_MEMBER, subtype=PartyRelation.DIRECT)
    tag(actor=world.root, resident=old, kind=TagKind.VERY_OLD)
    tag(actor=world.root, resident=adult, kind=TagKind.PARTY_MEMBER, subtype=PartyRelation.RESIDENT)
    tag(actor=world.root, resident=floating, kind=TagKind.PARTY_MEMBER, subtype=PartyRelation.RESIDENT)
    ended = tag(actor=world.root, resident=kid, kind=TagKind.LEFT_BEHIND_CHILD, started_on=years_ago(2))
    services.tag_end(actor=world.root, tag=ended)
    tag(actor=world.root, resident=gone, kind=TagKind.PARTY_MEMBER, subtype=PartyRelation.DIRECT)
    services.resident_archive(actor=world.root, resident=gone, reason=ArchiveReason.MOVED_AWAY)
    # Building heads: grid A's (in the world) and one for grid B's building; an ended role
    # does not count.
    make_user("louzhang_b", Role.BUILDING_HEAD, world.dwelling_b.parent.parent)
    ended_head = make_user("louzhang_old", Role.BUILDING_HEAD, world.building_a)
    ended_head.role_assignments.update(ended_at=timezone.now())
    return world


def test_counts_per_community_and_grid(registry):
    w = registry
    community = registry_stats(user=w.secretary, node=w.community)
    assert (community.households, community.residents) == (3, 5)
    assert community.by_population_type == {"registered": 3, "resident": 1, "floating": 1}
    assert community.by_age_band == {"0-17": 1, "18-59": 1, "60-79": 1, "80+": 1}
    assert community.age_unknown == 1
    assert (community.party_members, community.party_direct, community.party_resident) == (3, 1, 2)
    assert community.tags["very_old"] == 1 and community.tags["left_behind_child"] == 0
    assert community.building_heads == 2
    grid_a = registry_stats(user=w.grid_worker_a, node=w.grid_a)
    assert (grid_a.households, grid_a.residents, grid_a.party_direct, grid_a.party_resident) == (2, 4, 1, 1)
    assert grid_a.building_heads == 1
    street = registry_stats(user=w.street_officer, node=w.street)
    assert (street.households, street.residents) == (3, 5)


def test_tags_are_not_counted_for_building_heads(registry):
    stats = registry_stats(user=registry.building_head, node=registry.building_a)
    assert stats.tags is None and stats.party_direct is None
    assert stats.residents == 4


def test_stats_page_and_api(registry, login):
    w = registry
    client = login(w.secretary)
    assert client.get("/registry/stats/").url == f"/registry/stats/{w.community.public_id}/"
    html = client.get(f"/registry/stats/{w.community.public_id}/").content.decode()
    for testid, value in [
        ("stat-households", 3),
        ("stat-residents", 5),
        ("stat-party-direct", 1),
        ("stat-party-resident", 2),
        ("stat-building-heads", 2),
        ("stat-type-floating", 1),
        ("stat-age-80+", 1),
    ]:
        assert f'data-testid="{testid}">{value}<' in html, testid
    assert "第一网格" in html and "第二网格" in html  # the grids below, one row each
    rows = client.get(f"/api/v1/registry/stats?node_id={w.community.public_id}").json()
    assert [r["node_code"] for r in rows] == [w.community.code, w.grid_a.code, w.grid_b.code]
    assert rows[0]["households"] == 3 and rows[0]["party_resident"] == 2 and rows[0]["building_heads"] == 2
    grid_worker = login(w.grid_worker_b)
    assert grid_worker.get(f"/registry/stats/{w.community.public_id}/").status_code == 404
    assert grid_worker.get(f"/api/v1/registry/stats?node_id={w.grid_a.public_id}").status_code == 404
    own = grid_worker.get("/api/v1/registry/stats").json()
    assert [r["node_code"] for r in own] == [w.grid_b.code] and own[0]["residents"] == 1
