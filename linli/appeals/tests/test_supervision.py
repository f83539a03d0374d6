"""The supervision scan: warning at the configured share, overdue at the limit, automatic
escalation one level up, notifications; once per event; run by the scheduler."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.appeals import services
from linli.appeals.choices import Alert, HandlerKind, Status
from linli.appeals.models import Appeal, AppealTransition
from linli.appeals.supervision import scan
from linli.appeals.tests.helpers import assigned, handling, register
from linli.core.management.commands.scheduler import run_due_jobs
from linli.notices.models import Notification

MINUTE = datetime.timedelta(minutes=1)


@pytest.mark.django_db
def test_warning_once_at_the_share_of_the_limit(world):
    appeal = assigned(world)
    assert scan(now=appeal.handle_warn_at - MINUTE).warned == 0
    result = scan(now=appeal.handle_warn_at + MINUTE)
    assert result.warned == 1 and result.overdue == 0
    appeal.refresh_from_db()
    assert appeal.alert == Alert.WARNING and appeal.handler_kind == HandlerKind.GRID
    assert Notification.objects.filter(user=world.grid_worker_a, kind="appeal.warning").count() == 1
    assert scan(now=appeal.handle_warn_at + 2 * MINUTE).warned == 0
    assert Notification.objects.filter(kind="appeal.warning").count() == 1


@pytest.mark.django_db
def test_overdue_escalates_one_level_up_and_tells_both(world):
    appeal = handling(world)
    result = scan(now=appeal.handle_due_at + MINUTE)
    assert (result.overdue, result.escalated) == (1, 1)
    appeal.refresh_from_db()
    assert appeal.alert == Alert.OVERDUE
    assert (appeal.handler_kind, appeal.handler_node, appeal.status) == (
        HandlerKind.COMMUNITY,
        world.community,
        Status.ASSIGNED,
    )
    escalation = AppealTransition.objects.get(appeal=appeal, action="escalate")
    assert escalation.actor is None and escalation.data["automatic"] is True
    assert Notification.objects.filter(user=world.grid_worker_a, kind="appeal.overdue").exists()
    assert Notification.objects.filter(user=world.secretary, kind="appeal.escalated").exists()
    # Once: the next scan leaves it alone.
    assert scan(now=appeal.handle_due_at + 10 * MINUTE).overdue == 0
    appeal.refresh_from_db()
    assert appeal.escalation_count == 1


@pytest.mark.django_db
def test_an_approved_extension_clears_the_alert(world):
    appeal = handling(world)
    scan(now=appeal.handle_warn_at + MINUTE)
    services.appeal_request_extension(
        actor=world.grid_worker_a, appeal=appeal, amount=3, unit="days", reason="等配件"
    )
    services.appeal_decide_extension(actor=world.secretary, appeal=appeal, approve=True)
    appeal.refresh_from_db()
    assert appeal.alert == Alert.NONE


@pytest.mark.django_db
def test_no_response_tells_the_supervisors(world):
    appeal = register(world)
    result = scan(now=appeal.response_due_at + MINUTE)
    assert result.response_overdue == 1
    appeal.refresh_from_db()
    assert appeal.response_overdue
    assert Notification.objects.filter(user=world.secretary, kind="appeal.response_overdue").exists()
    assert Notification.objects.filter(user=world.street_officer, kind="appeal.response_overdue").exists()
    assert scan(now=appeal.response_due_at + 2 * MINUTE).response_overdue == 0


@pytest.mark.django_db
def test_postponed_appeal_resumes_on_its_date(world):
    appeal = handling(world)
    until = timezone.localdate() + datetime.timedelta(days=2)
    services.appeal_postpone(actor=world.secretary, appeal=appeal, reason="待业委会表决", until=until)
    assert scan(now=timezone.now()).resumed == 0
    later = timezone.now() + datetime.timedelta(days=3)
    assert scan(now=later).resumed == 1
    appeal.refresh_from_db()
    assert appeal.status == Status.HANDLING and appeal.postponed_until is None


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_runs_the_scan_through_the_worker(world):
    appeal = handling(world, registered_at=timezone.now() - datetime.timedelta(days=40))
    assert "appeals.supervise" in run_due_jobs(timezone.now())
    call_command("worker", "--batch", "--interval", "0")
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.alert == Alert.OVERDUE and appeal.handler_kind == HandlerKind.COMMUNITY
