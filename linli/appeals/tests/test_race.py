"""Two people acting on one appeal at once: exactly one wins, the other gets a Conflict."""

import threading

import pytest
from django.db import connection, connections

from linli.appeals import services, workflow
from linli.appeals.choices import Rating, Status
from linli.appeals.models import Appeal, AppealTransition
from linli.appeals.tests.helpers import assigned, closed
from linli.core.errors import Conflict


@pytest.mark.django_db
def test_two_conditional_updates_from_the_same_read_only_one_wins(world):
    appeal = assigned(world)
    first, second = Appeal.objects.get(pk=appeal.pk), Appeal.objects.get(pk=appeal.pk)
    workflow.change(first, action="accept", actor=world.grid_worker_a)
    with pytest.raises(Conflict) as exc:
        # The second person read the same row: their update matches nothing.
        workflow.change(second, action="accept", actor=world.secretary)
    assert exc.value.code == "concurrent_change"
    assert AppealTransition.objects.filter(appeal=appeal, action="accept").count() == 1
    assert Appeal.objects.get(pk=appeal.pk).version == first.version


@pytest.mark.django_db
def test_a_note_on_a_stale_copy_is_refused_too(world):
    appeal = assigned(world)
    stale = Appeal.objects.get(pk=appeal.pk)
    services.appeal_urge(actor=world.secretary, appeal=appeal, note="请尽快")
    with pytest.raises(Conflict):
        workflow.change(
            stale, action="urge", actor=world.secretary, updates={"urge_count": stale.urge_count + 1}
        )
    assert Appeal.objects.get(pk=appeal.pk).urge_count == 1


@pytest.mark.django_db
def test_rating_link_and_return_visit_at_once(world):
    appeal = closed(world)
    staff_copy = Appeal.objects.get(pk=appeal.pk)
    services.appeal_rate(appeal=appeal, rating=Rating.SATISFIED, close_count=1)
    with pytest.raises(Conflict):
        services.appeal_rate(appeal=staff_copy, rating=Rating.DISSATISFIED, actor=world.grid_worker_a)
    assert Appeal.objects.get(pk=appeal.pk).status == Status.RATED


def _race(world, calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_threads_close_at_once_exactly_one_wins(world):
    if connection.vendor != "postgresql":
        pytest.skip(
            "threads with their own connections need PostgreSQL; the sequential tests above cover SQLite"
        )
    appeal = services.appeal_accept(actor=world.grid_worker_a, appeal=assigned(world))
    results = _race(
        world,
        [
            lambda: services.appeal_close(actor=world.grid_worker_a, appeal=appeal, result="网格员办结"),
            lambda: services.appeal_close(actor=world.secretary, appeal=appeal, result="社区办结"),
        ],
    )
    wins = [r for r in results if isinstance(r, Appeal)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    assert AppealTransition.objects.filter(appeal=appeal, action="close").count() == 1
    assert Appeal.objects.get(pk=appeal.pk).close_count == 1


@pytest.mark.django_db(transaction=True)
def test_rating_link_and_return_visit_in_two_threads(world):
    if connection.vendor != "postgresql":
        pytest.skip("threads with their own connections need PostgreSQL")
    appeal = closed(world)
    results = _race(
        world,
        [
            lambda: services.appeal_rate(appeal=appeal, rating=Rating.SATISFIED, close_count=1),
            lambda: services.appeal_rate(appeal=appeal, rating=Rating.DISSATISFIED, actor=world.secretary),
        ],
    )
    assert sum(isinstance(r, Appeal) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert AppealTransition.objects.filter(appeal=appeal, action="rate").count() == 1
