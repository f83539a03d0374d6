"""The loop, transition by transition: each one allowed, refused out of order (409), refused
to the wrong person (403/404), and written as a transition row and an audit row."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from linli.appeals import services, workflow
from linli.appeals.choices import ExtensionState, HandlerKind, Rating, Source, Status
from linli.appeals.models import Appeal, AppealTransition
from linli.appeals.tests.helpers import assigned, closed, department, handling, option, register
from linli.core.errors import Conflict, OutOfScope, PermissionDenied, ValidationFailed
from linli.core.models import AuditEntry
from linli.notices.models import Notification
from linli.territory.tests.geo_fixtures import IN_GRID_A, world_boundaries

pytestmark = pytest.mark.django_db


def actions(appeal):
    return list(
        AppealTransition.objects.filter(appeal=appeal).values_list("action", "from_status", "to_status")
    )


def test_register_places_the_appeal_and_sets_its_clock(world):
    appeal = register(world)
    assert appeal.status == Status.REGISTERED
    assert appeal.node == world.dwelling_a and appeal.grid == world.grid_a
    assert appeal.registered_at < appeal.response_due_at < appeal.handle_due_at
    assert appeal.handle_warn_at < appeal.handle_due_at
    assert actions(appeal) == [("register", "", Status.REGISTERED)]
    assert AuditEntry.objects.filter(action="appeal.register", target_id=str(appeal.pk)).exists()
    # The phone is stored encrypted and searchable through its blind index only.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM appeals_appeal WHERE id = %s", [appeal.pk])
        raw = cursor.fetchone()[0]
    assert "13890476521" not in raw and appeal.reporter_phone_index


def test_register_by_point_uses_locate(world):
    world_boundaries(world)
    appeal, created = services.appeal_register(
        actor=world.grid_worker_a,
        source=Source.PATROL,
        title="垃圾桶满溢",
        lng=IN_GRID_A[0],
        lat=IN_GRID_A[1],
    )
    assert created and appeal.node == world.grid_a and appeal.grid == world.grid_a
    assert appeal.crs == "wgs84" and appeal.lng == pytest.approx(IN_GRID_A[0])


def test_register_by_gcj02_point_is_stored_in_wgs84(world):
    from linli.territory import coords

    world_boundaries(world)
    lng, lat = coords.wgs84_to_gcj02(*IN_GRID_A)
    appeal, _ = services.appeal_register(
        actor=world.secretary, source=Source.WECHAT, title="占道停车", lng=lng, lat=lat, crs="gcj02"
    )
    assert appeal.grid == world.grid_a and appeal.crs == "gcj02"
    assert appeal.lng == pytest.approx(IN_GRID_A[0], abs=1e-6)


def test_register_outside_the_actors_area_is_refused(world):
    world_boundaries(world)
    with pytest.raises(OutOfScope):
        register(world, actor=world.grid_worker_b)
    with pytest.raises(ValidationFailed) as exc:
        services.appeal_register(
            actor=world.grid_worker_b, source=Source.PATROL, title="x", lng=IN_GRID_A[0], lat=IN_GRID_A[1]
        )
    assert exc.value.code == "not_located"
    with pytest.raises(ValidationFailed) as exc:
        services.appeal_register(actor=world.grid_worker_a, source=Source.PATROL, title="no place")
    assert exc.value.code == "place_required"


def test_same_source_reference_twice_is_one_appeal(world):
    first = register(world, source=Source.HOTLINE, source_ref="12345-2026-000017")
    again, created = services.appeal_register(
        actor=world.grid_worker_a,
        source=Source.HOTLINE,
        source_ref="12345-2026-000017",
        title="重复推送",
        node=world.dwelling_a,
    )
    assert not created and again.pk == first.pk
    assert Appeal.objects.count() == 1


def test_the_whole_loop(world, django_capture_on_commit_callbacks):
    appeal = register(world)
    grid_a = option(world.secretary, appeal, HandlerKind.GRID)
    appeal = services.appeal_study(
        actor=world.secretary, appeal=appeal, category=appeal.category, urgency="normal", handler=grid_a
    )
    assert appeal.status == Status.STUDIED and appeal.handler_node == world.grid_a
    appeal = services.appeal_assign(actor=world.secretary, appeal=appeal)
    assert Notification.objects.filter(user=world.grid_worker_a, kind="appeal.assigned").exists()
    appeal = services.appeal_accept(actor=world.grid_worker_a, appeal=appeal)
    assert appeal.responded_at is not None and appeal.response_hours is not None
    appeal = services.appeal_progress(actor=world.grid_worker_a, appeal=appeal, note="已联系物业电工")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        appeal = services.appeal_close(actor=world.grid_worker_a, appeal=appeal, result="已更换声控灯")
    assert len(callbacks) >= 1  # the reporter's text goes out after commit
    assert appeal.status == Status.CLOSED and appeal.close_count == 1 and appeal.closed_on_time
    appeal = services.appeal_rate(appeal=appeal, rating=Rating.SATISFIED, close_count=1)
    assert appeal.status == Status.RATED and appeal.rating_channel == "link"
    assert [a for a, _, _ in actions(appeal)] == [
        "register",
        "study",
        "assign",
        "accept",
        "progress",
        "close",
        "rate",
    ]
    assert (
        list(AppealTransition.objects.filter(appeal=appeal).values_list("to_status", flat=True))[-1]
        == Status.RATED
    )
    assert AuditEntry.objects.filter(target_type="appeals.appeal", target_id=str(appeal.pk)).count() == 7


@pytest.mark.parametrize(
    ("action", "status_maker"),
    [
        ("assign", register),
        ("accept", register),
        ("close", assigned),
        ("rate", handling),
        ("resume", handling),
        ("decide_extension", register),
        ("return", closed),
        ("escalate", closed),
    ],
)
def test_out_of_order_is_a_conflict_with_a_clear_message(world, action, status_maker):
    appeal = status_maker(world)
    calls = {
        "assign": lambda: services.appeal_assign(actor=world.secretary, appeal=appeal),
        "accept": lambda: services.appeal_accept(actor=world.secretary, appeal=appeal),
        "close": lambda: services.appeal_close(actor=world.secretary, appeal=appeal, result="done"),
        "rate": lambda: services.appeal_rate(appeal=appeal, rating=Rating.SATISFIED),
        "resume": lambda: services.appeal_resume(actor=world.secretary, appeal=appeal),
        "decide_extension": lambda: services.appeal_decide_extension(
            actor=world.street_officer, appeal=appeal, approve=True
        ),
        "return": lambda: services.appeal_return(actor=world.secretary, appeal=appeal, reason="not ours"),
        "escalate": lambda: services.appeal_escalate(actor=world.secretary, appeal=appeal),
    }
    version = Appeal.objects.get(pk=appeal.pk).version
    with pytest.raises(Conflict) as exc:
        calls[action]()
    assert exc.value.code == "transition_not_allowed"
    assert "not possible now" in str(exc.value.message)
    assert Appeal.objects.get(pk=appeal.pk).version == version


def test_cancelled_appeal_refuses_everything(world):
    appeal = register(world)
    with pytest.raises(ValidationFailed):
        services.appeal_cancel(actor=world.grid_worker_a, appeal=appeal, reason="  ")
    appeal = services.appeal_cancel(actor=world.grid_worker_a, appeal=appeal, reason="居民撤回诉求")
    assert appeal.status == Status.CANCELLED
    for action in workflow.PAGE_ACTIONS:
        assert workflow.refusal(appeal, action, world.secretary) is not None


def test_only_the_handler_handles(world):
    appeal = assigned(world)  # to grid A
    with pytest.raises(OutOfScope):
        services.appeal_accept(actor=world.grid_worker_b, appeal=appeal)
    with pytest.raises(PermissionDenied):
        services.appeal_accept(actor=world.building_head, appeal=appeal)  # sees it, may not act
    community = assigned(world, kind=HandlerKind.COMMUNITY, title="小区南门消防通道被占")
    with pytest.raises(PermissionDenied):
        services.appeal_accept(actor=world.grid_worker_a, appeal=community)
    assert services.appeal_accept(actor=world.secretary, appeal=community).status == Status.HANDLING


def test_a_grid_worker_routes_only_inside_the_grid(world):
    appeal = register(world)
    kinds = {o.kind for o in services.routing.handler_options(world.grid_worker_a, appeal)}
    assert kinds == {HandlerKind.GRID, HandlerKind.PROXY}
    secretary_kinds = {o.kind for o in services.routing.handler_options(world.secretary, appeal)}
    assert {HandlerKind.GRID, HandlerKind.COMMUNITY} <= secretary_kinds
    assert HandlerKind.STREET not in secretary_kinds
    assert HandlerKind.STREET in {
        o.kind for o in services.routing.handler_options(world.street_officer, appeal)
    }
    street = option(world.street_officer, appeal, HandlerKind.STREET)
    with pytest.raises(ValidationFailed):
        services.appeal_study(
            actor=world.secretary, appeal=appeal, category=None, urgency="normal", handler=street
        )


def test_dissatisfied_rating_is_rework(world):
    appeal = closed(world, registered_at=timezone.now() - datetime.timedelta(days=20))
    first_due = appeal.handle_due_at
    appeal = services.appeal_rate(
        appeal=appeal, rating=Rating.DISSATISFIED, comment="灯还是不亮", close_count=1
    )
    assert appeal.status == Status.HANDLING and appeal.rework_count == 1
    assert appeal.handle_due_at > first_due  # a fresh handling limit from now
    assert Notification.objects.filter(user=world.grid_worker_a, kind="appeal.rework").exists()
    appeal = services.appeal_close(actor=world.grid_worker_a, appeal=appeal, result="更换了线路")
    assert appeal.close_count == 2
    with pytest.raises(Conflict):
        services.appeal_rate(appeal=appeal, rating=Rating.SATISFIED, close_count=1)  # the old link
    appeal = services.appeal_rate(appeal=appeal, rating=Rating.BASICALLY, actor=world.grid_worker_a)
    assert appeal.status == Status.RATED and appeal.rating_channel == "visit"


def test_return_is_limited(world, settings):
    settings.LINLI_APPEAL_MAX_RETURNS = 1
    appeal = assigned(world)
    appeal = services.appeal_return(actor=world.grid_worker_a, appeal=appeal, reason="不属于本网格")
    assert appeal.status == Status.RETURNED and appeal.handler_kind == "" and appeal.return_count == 1
    assert Notification.objects.filter(user=world.secretary, kind="appeal.returned").exists()
    with pytest.raises(Conflict) as exc:
        services.appeal_assign(actor=world.secretary, appeal=appeal)
    assert exc.value.code == "transition_not_allowed"
    appeal = services.appeal_study(
        actor=world.secretary,
        appeal=appeal,
        category=appeal.category,
        urgency=appeal.urgency,
        handler=option(world.secretary, appeal, HandlerKind.GRID),
        assign=True,
    )
    with pytest.raises(Conflict) as exc:
        services.appeal_return(actor=world.grid_worker_a, appeal=appeal, reason="again")
    assert exc.value.code == "return_limit"


def test_escalation_goes_up_the_tree_and_stops_at_the_street(world):
    appeal = handling(world)
    appeal = services.appeal_escalate(actor=world.grid_worker_a, appeal=appeal, note="需要社区协调物业")
    assert (appeal.handler_kind, appeal.handler_node, appeal.status) == (
        HandlerKind.COMMUNITY,
        world.community,
        Status.ASSIGNED,
    )
    appeal = services.appeal_escalate(actor=world.secretary, appeal=appeal)
    assert (appeal.handler_kind, appeal.handler_node) == (HandlerKind.STREET, world.street)
    with pytest.raises(Conflict) as exc:
        services.appeal_escalate(actor=world.street_officer, appeal=appeal)
    assert exc.value.code == "top_level"
    assert appeal.escalation_count == 2


def test_extension_is_decided_one_level_up(world):
    appeal = handling(world)
    due = appeal.handle_due_at
    services.appeal_request_extension(
        actor=world.grid_worker_a, appeal=appeal, amount=2, unit="days", reason="等待配件"
    )
    with pytest.raises(Conflict):
        services.appeal_request_extension(
            actor=world.grid_worker_a, appeal=appeal, amount=1, unit="days", reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.appeal_decide_extension(actor=world.grid_worker_a, appeal=appeal, approve=True)
    extension = services.appeal_decide_extension(
        actor=world.secretary, appeal=appeal, approve=True, note="同意"
    )
    assert extension.state == ExtensionState.APPROVED
    appeal.refresh_from_db()
    assert appeal.handle_due_at > due
    with pytest.raises(Conflict):
        services.appeal_decide_extension(actor=world.secretary, appeal=appeal, approve=True)


def test_postpone_stops_the_clock_and_resume_restarts_it(world):
    appeal = handling(world)
    tomorrow = timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.appeal_postpone(actor=world.grid_worker_a, appeal=appeal, reason="x", until=tomorrow)
    appeal = services.appeal_postpone(
        actor=world.secretary, appeal=appeal, reason="待业委会表决", until=tomorrow
    )
    assert appeal.status == Status.POSTPONED and appeal.paused_remaining is not None
    with pytest.raises(Conflict):
        services.appeal_close(actor=world.grid_worker_a, appeal=appeal, result="x")
    appeal = services.appeal_resume(actor=world.grid_worker_a, appeal=appeal)
    assert appeal.status == Status.HANDLING and appeal.paused_remaining is None


def test_urging_needs_supervise_and_tells_the_handler(world):
    appeal = assigned(world)
    with pytest.raises(PermissionDenied):
        services.appeal_urge(actor=world.grid_worker_a, appeal=appeal, note="快点")
    appeal = services.appeal_urge(actor=world.secretary, appeal=appeal, note="请今天内回复居民")
    assert appeal.urge_count == 1 and appeal.status == Status.ASSIGNED
    note = Notification.objects.get(user=world.grid_worker_a, kind="appeal.urged")
    assert note.body == "请今天内回复居民"


def test_department_liaison_sees_only_what_is_assigned_to_the_department(world):
    dept, liaison = department(world)
    other = register(world, title="别的诉求")
    appeal = register(world, title="申请临时救助")
    assert not Appeal.objects.restrict(liaison).exists()
    choice = option(world.street_officer, appeal, HandlerKind.DEPARTMENT, department=dept)
    appeal = services.appeal_study(
        actor=world.street_officer,
        appeal=appeal,
        category=None,
        urgency="normal",
        handler=choice,
        assign=True,
    )
    assert list(Appeal.objects.restrict(liaison)) == [appeal]
    assert other not in Appeal.objects.restrict(liaison)
    assert Notification.objects.filter(user=liaison, kind="appeal.assigned").exists()
    appeal = services.appeal_accept(actor=liaison, appeal=appeal)
    appeal = services.appeal_close(actor=liaison, appeal=appeal, result="已批准临时救助")
    assert appeal.status == Status.CLOSED
    # Routed elsewhere, it disappears from the liaison's view.
    appeal = services.appeal_rate(appeal=appeal, rating=Rating.DISSATISFIED)
    services.appeal_escalate(actor=liaison, appeal=appeal)
    assert not Appeal.objects.restrict(liaison).exists()
    with pytest.raises(OutOfScope):
        services.appeal_accept(actor=liaison, appeal=other)


def test_proxy_handling_by_a_named_staff_member(world):
    appeal = register(world)
    proxy = option(world.secretary, appeal, HandlerKind.PROXY, user=world.grid_worker_a)
    appeal = services.appeal_study(
        actor=world.secretary, appeal=appeal, category=None, urgency="normal", handler=proxy, assign=True
    )
    assert appeal.handler_user == world.grid_worker_a
    assert "grid_worker_a" not in [u.username for u in []]
    with pytest.raises(PermissionDenied):
        services.appeal_accept(actor=world.building_head, appeal=appeal)
    assert services.appeal_accept(actor=world.grid_worker_a, appeal=appeal).status == Status.HANDLING


def test_merge_keeps_every_reporter(world, django_capture_on_commit_callbacks):
    first = register(world, reporter_name="甲", reporter_phone="13800000001")
    second = register(world, reporter_name="乙", reporter_phone="13800000002", title="楼道灯坏了")
    survivor = services.appeal_merge(actor=world.secretary, appeal=second, into=first, note="同一问题")
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == survivor == first
    assert [a.reporter_name for a in services.reporters_of(survivor)] == ["甲", "乙"]
    with pytest.raises(Conflict):
        services.appeal_merge(actor=world.secretary, appeal=second, into=first)
    appeal = handling(world, title="第三个")
    services.appeal_merge(actor=world.secretary, appeal=first, into=appeal)
    second.refresh_from_db()
    assert second.merged_into == appeal  # what was merged follows
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.appeal_close(actor=world.grid_worker_a, appeal=appeal, result="修好了")
    assert len(callbacks) == 3  # a text per reporter: the survivor's and the two merged


def test_allowed_actions_are_what_the_services_accept(world):
    appeal = register(world)
    assert workflow.allowed_actions(appeal, world.grid_worker_a) == ["study", "cancel"]
    assert workflow.allowed_actions(appeal, world.secretary) == ["study", "urge", "cancel"]
    assert workflow.allowed_actions(appeal, world.building_head) == []
    appeal = handling(world)
    assert set(workflow.allowed_actions(appeal, world.grid_worker_a)) == {
        "progress",
        "close",
        "request_extension",
        "escalate",
        "return",
        "cancel",
    }
    assert "postpone" in workflow.allowed_actions(appeal, world.secretary)
    assert "close" in workflow.allowed_actions(appeal, world.secretary)  # the community is above grid A
