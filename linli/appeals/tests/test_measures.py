"""The measures and their formulas (linli/appeals/measures.py) on a known set of appeals."""

import datetime

import pytest
from django.utils import timezone

from linli.appeals import measures, services
from linli.appeals.choices import Rating
from linli.appeals.models import Appeal
from linli.appeals.tests.helpers import assigned, closed, handling, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(world):
    """Grid A: 6 appeals; grid B: 1. Registered ten days ago (inside this period)."""
    start = timezone.now() - datetime.timedelta(days=10)
    r = {"registered_at": start}
    a1 = closed(world, title="a1", **r)  # closed, then rated satisfied
    services.appeal_rate(appeal=a1, rating=Rating.SATISFIED, close_count=1)
    a2 = closed(world, title="a2", **r)  # dissatisfied → rework → closed → basically
    a2 = services.appeal_rate(appeal=a2, rating=Rating.DISSATISFIED, close_count=1)
    a2 = services.appeal_close(actor=world.grid_worker_a, appeal=a2, result="again")
    services.appeal_rate(appeal=a2, rating=Rating.BASICALLY, close_count=2)
    a3 = closed(world, title="a3", **r)  # closed, rated dissatisfied: back in handling
    services.appeal_rate(appeal=a3, rating=Rating.DISSATISFIED, close_count=1)
    handling(world, title="a4", **r)  # responded, open
    a5 = register(world, title="a5", **r)
    services.appeal_cancel(actor=world.secretary, appeal=a5, reason="撤回")
    a6 = register(world, title="a6", **r)
    a7 = register(world, title="a7", **r)
    services.appeal_merge(actor=world.secretary, appeal=a7, into=a6)
    register(world, title="b1", node=world.dwelling_b, actor=world.grid_worker_b, **r)
    # Registered 10 days ago, handled now: responded late, closed late.
    return start


def test_formulas(world, population):
    start, end = measures.period(None, None)
    start = population - datetime.timedelta(days=1)
    m = measures.measures(world.grid_a, start, end)
    assert m.volume == 6  # a7 merged into a6: counted once
    assert m.cancelled == 1 and m.base == 5
    assert m.closed == 2  # a1, a2 (a3 is back in handling)
    assert m.rated == 2 and m.satisfied == 2 and m.satisfaction_rate == 100.0
    assert m.closed_once == 3 and m.reworked == 2 and m.rework_rate == pytest.approx(66.7)
    assert m.closure_rate == 40.0
    # a1: 10 days for a 3-day limit, late. a2's last close came within the fresh limit its
    # rework started.
    assert m.closed_on_time == 1 and m.on_time_rate == 50.0
    assert m.responded_on_time == 0 and m.response_rate == 0.0
    assert m.avg_handle_hours > 20 and m.avg_response_hours > 20
    assert measures.measures(world.grid_b, start, end).volume == 1


def test_rates_with_nothing_to_divide_are_none(world):
    m = measures.measures(world.grid_a, *measures.period(None, None))
    assert m.volume == 0 and m.closure_rate is None and m.satisfaction_rate is None


def test_on_time_and_response_on_time(world):
    appeal = assigned(world)
    appeal = services.appeal_accept(actor=world.grid_worker_a, appeal=appeal)
    services.appeal_close(actor=world.grid_worker_a, appeal=appeal, result="x")
    m = measures.measures(world.community, *measures.period(None, None))
    assert (m.responded_on_time, m.closed_on_time) == (1, 1)
    assert m.response_rate == 100.0 and m.on_time_rate == 100.0


def test_units_and_months(world, population):
    start, end = population - datetime.timedelta(days=1), timezone.now() + datetime.timedelta(minutes=1)
    grids = {g.code: m.volume for g, m in measures.measures_by_unit(world.community, start, end)}
    assert grids == {world.grid_a.code: 6, world.grid_b.code: 1}
    communities = {c.code: m.volume for c, m in measures.measures_by_unit(world.street, start, end)}
    assert communities == {world.community.code: 7, world.other_community.code: 0}
    assert {g.code: m.volume for g, m in measures.measures_by_grid(world.street, start, end)}[
        world.grid_a.code
    ] == 6
    months = measures.monthly(world.community, months=3)
    assert len(months) == 3 and sum(m.volume for _, m in months) == 7


def test_period_defaults_and_order():
    today = datetime.date(2026, 3, 17)
    start, end = measures.period(None, None, today=today)
    assert (start.date(), end.date()) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 18))
    start, end = measures.period(datetime.date(2026, 3, 10), datetime.date(2026, 3, 1), today=today)
    assert (start.date(), end.date()) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 11))


def test_pages_and_api(world, population, login):
    client = login(world.secretary)
    page = client.get("/appeals/measures/").content.decode()
    assert world.grid_a.name in page and world.grid_b.name in page
    page = client.get(f"/appeals/measures/{world.community.public_id}/").content.decode()
    assert 'data-chart="trend"' in page and "echarts.min.js" in page and "<script>" not in page
    data = client.get(f"/appeals/measures/{world.community.public_id}/data.json").json()
    assert len(data["trend"]) == 12 and {r["code"] for r in data["ranking"]} == {
        world.grid_a.code,
        world.grid_b.code,
    }
    assert (
        login(world.grid_worker_a).get(f"/appeals/measures/{world.community.public_id}/").status_code == 404
    )
    page = login(world.grid_worker_a).get("/appeals/measures/").content.decode()
    assert world.grid_a.name in page and world.grid_b.name not in page
    assert Appeal.objects.filter(title="a7").get().merged_into is not None
