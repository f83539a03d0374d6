"""Demo appeals in 章丘区双山街道 (linli/territory/demo.py), made through the same services a
user's actions go through, deterministically (a seeded generator; times relative to the
moment of loading, so the clocks are live).

What it makes:
- the street's departments (综治办, 城管办, 社会事务办; 民政, 人社, 司法所, 住建, 12345热线);
- appeals in every state in every community: registered, studied, assigned, being
  handled, returned, postponed, closed awaiting rating, rated (satisfied, basically, and
  dissatisfied → rework → closed again), cancelled, merged; hotline tickets with their
  numbers; a few past their limit, which the supervision scan marks overdue and escalates;
- seed 004's stairwell lights of 金星苑 2号楼4单元: the appeal found on a visit, closed and
  rated, and the practical project (为民办实事清单) with its milestones; and a project in
  progress on 金星苑's parking, from deliberation;
- small before/after photos for the public board.
"""

from __future__ import annotations

import datetime
import random
import struct
import zlib
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.appeals import projects, routing, services, supervision
from linli.appeals.choices import (
    DepartmentKind,
    HandlerKind,
    ProjectSource,
    ProjectStatus,
    Rating,
    Source,
    Urgency,
)
from linli.appeals.models import Appeal, Category, Department
from linli.core import workcalendar
from linli.territory.choices import NodeKind
from linli.territory.models import Node

STREET_CODE = "370114002"
DEPARTMENTS = [
    ("综治办", DepartmentKind.STREET),
    ("城管办", DepartmentKind.STREET),
    ("社会事务办", DepartmentKind.STREET),
    ("民政局", DepartmentKind.OUTSIDE),
    ("人社局", DepartmentKind.OUTSIDE),
    ("司法所", DepartmentKind.OUTSIDE),
    ("住建局", DepartmentKind.OUTSIDE),
    ("12345热线办", DepartmentKind.OUTSIDE),
]

# (category code, title, description)
PROBLEMS = [
    ("garbage", "垃圾桶满溢无人清运", "小区东门垃圾桶两天没清运，气味很大。"),
    ("clutter", "楼道堆放杂物", "一楼楼道堆满纸箱和旧家具，影响通行。"),
    ("fire_lane", "消防通道被车辆占用", "晚上总有私家车停在消防通道上。"),
    ("stair_lights", "楼道声控灯不亮", "三楼到五楼的声控灯坏了，老人上下楼不方便。"),
    ("parking", "小区停车难", "车位不够，车辆乱停堵住出口。"),
    ("noise", "夜间装修噪音扰民", "楼上晚上十点以后还在装修。"),
    ("neighbour_dispute", "邻里漏水纠纷", "楼上卫生间漏水到楼下，双方协商不成。"),
    ("elevator", "电梯经常停运", "电梯一周坏了两次，有人被困过。"),
    ("leak", "屋顶漏水", "下雨时顶楼屋顶渗水。"),
    ("greening", "枯树存在安全隐患", "院里一棵枯树有倒伏危险。"),
    ("elderly_care", "独居老人需要助餐", "独居老人行动不便，希望社区提供助餐。"),
    ("assistance", "申请临时救助", "家庭遭遇变故，申请临时救助。"),
    ("utilities", "冬季暖气不热", "暖气温度不够，屋里只有十几度。"),
    ("safety", "井盖破损", "小区主路一个井盖破了，晚上容易踩空。"),
    ("property", "物业服务不到位", "保洁不及时，门禁坏了一个月没人修。"),
]
NAMES = [
    "王秀兰",
    "李建国",
    "张桂英",
    "刘志强",
    "陈玉梅",
    "杨德胜",
    "赵淑珍",
    "孙立军",
    "周秀英",
    "吴振华",
    "郑海燕",
    "冯玉兰",
]
RESULTS = [
    "已联系物业当天处理完毕，居民现场确认。",
    "网格员会同物业排查后维修完成。",
    "协调相关部门处理，已回复居民。",
    "已清理完毕，并建立每日巡查。",
]

# What happens to each appeal after intake, spread over the communities.
SCRIPT = [
    "registered",
    "studied",
    "assigned",
    "handling",
    "closed",
    "rated_satisfied",
    "rated_basically",
    "rework_closed",
    "rework_open",
    "returned",
    "postponed",
    "cancelled",
    "merged",
    "overdue",
    "overdue",
    "warning",
    "department",
    "hotline",
]


def tiny_png(rgb: tuple[int, int, int], width: int = 48, height: int = 36) -> bytes:
    """A small solid-colour PNG (stands in for a before/after photo)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _photo(name: str, rgb: tuple[int, int, int]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_png(rgb), content_type="image/png")


BEFORE = (120, 120, 120)
AFTER = (80, 170, 110)


@dataclass
class _Ctx:
    admin: User
    rng: random.Random
    now: datetime.datetime
    departments: list[Department]
    count: int = 0


def _user(username: str, fallback: User) -> User:
    return User.objects.filter(username=username).first() or fallback


def _dwellings(grid: Node) -> list[Node]:
    return list(Node.objects.filter(path__startswith=grid.path, kind=NodeKind.DWELLING).order_by("code"))


def _register(
    ctx: _Ctx, grid: Node, *, days_ago: float = 0, source: str = Source.WINDOW, problem=None, at=None, **extra
) -> Appeal:
    ctx.count += 1
    code, title, description = problem or ctx.rng.choice(PROBLEMS)
    dwellings = _dwellings(grid)
    node = ctx.rng.choice(dwellings) if dwellings else grid
    reporter = ctx.rng.choice(NAMES)
    phone = f"13{ctx.rng.randint(0, 9)}{ctx.rng.randint(10000000, 99999999)}"
    appeal, _ = services.appeal_register(
        actor=extra.pop("actor", ctx.admin),
        source=source,
        title=title,
        description=description,
        category=Category.objects.filter(code=code).first(),
        urgency=extra.pop("urgency", Urgency.NORMAL),
        node=node,
        reporter_name=reporter,
        reporter_phone=phone,
        registered_at=at or ctx.now - datetime.timedelta(days=days_ago),
        photos=[_photo("before.png", BEFORE)] if ctx.rng.random() < 0.5 else [],
        **extra,
    )
    return appeal


def _route(
    ctx: _Ctx, appeal: Appeal, kind: str = HandlerKind.GRID, *, assign: bool = True, department=None
) -> Appeal:
    options = routing.handler_options(ctx.admin, appeal)
    if kind == HandlerKind.DEPARTMENT:
        choice = next(o for o in options if o.kind == kind and o.department == department)
    else:
        choice = next(o for o in options if o.kind == kind)
    return services.appeal_study(
        actor=ctx.admin,
        appeal=appeal,
        category=appeal.category,
        urgency=appeal.urgency,
        handler=choice,
        assign=assign,
    )


def _close(ctx: _Ctx, appeal: Appeal, actor: User) -> Appeal:
    appeal = services.appeal_accept(actor=actor, appeal=appeal)
    services.appeal_progress(actor=actor, appeal=appeal, note="已到现场查看，联系物业处理。")
    return services.appeal_close(
        actor=actor, appeal=appeal, result=ctx.rng.choice(RESULTS), photos=[_photo("after.png", AFTER)]
    )


def _play(ctx: _Ctx, step: str, grid: Node, worker: User, secretary: User) -> None:
    rng = ctx.rng
    if step == "registered":
        _register(ctx, grid, days_ago=0.1, source=Source.VISIT)
    elif step == "studied":
        _route(ctx, _register(ctx, grid, days_ago=0.5), assign=False)
    elif step == "assigned":
        _route(ctx, _register(ctx, grid, days_ago=1, source=Source.WECHAT))
    elif step == "handling":
        appeal = _route(ctx, _register(ctx, grid, days_ago=1.5, source=Source.PATROL))
        appeal = services.appeal_accept(actor=worker, appeal=appeal)
        services.appeal_progress(actor=worker, appeal=appeal, note="已联系物业，约定明天维修。")
    elif step == "closed":
        _close(ctx, _route(ctx, _register(ctx, grid, days_ago=2)), worker)
    elif step in ("rated_satisfied", "rated_basically"):
        appeal = _close(ctx, _route(ctx, _register(ctx, grid, days_ago=rng.choice([2, 3, 9]))), worker)
        rating = Rating.SATISFIED if step == "rated_satisfied" else Rating.BASICALLY
        services.appeal_rate(appeal=appeal, rating=rating, comment="处理及时，谢谢网格员。", close_count=1)
    elif step in ("rework_closed", "rework_open"):
        appeal = _close(ctx, _route(ctx, _register(ctx, grid, days_ago=4)), worker)
        appeal = services.appeal_rate(
            appeal=appeal, rating=Rating.DISSATISFIED, comment="问题没有彻底解决。", close_count=1
        )
        if step == "rework_closed":
            services.appeal_progress(actor=worker, appeal=appeal, note="返工：重新排查线路。")
            appeal = services.appeal_close(
                actor=worker, appeal=appeal, result="返工后彻底修复，居民确认满意。"
            )
            services.appeal_rate(appeal=appeal, rating=Rating.SATISFIED, close_count=2)
    elif step == "returned":
        appeal = _route(ctx, _register(ctx, grid, days_ago=1))
        services.appeal_return(actor=worker, appeal=appeal, reason="问题发生在相邻网格，请重新分派。")
    elif step == "postponed":
        appeal = _route(ctx, _register(ctx, grid, days_ago=2))
        until = timezone.localdate(ctx.now) + datetime.timedelta(days=10)
        services.appeal_postpone(
            actor=secretary, appeal=appeal, reason="需业委会表决维修基金使用。", until=until
        )
    elif step == "cancelled":
        services.appeal_cancel(
            actor=worker, appeal=_register(ctx, grid, days_ago=3), reason="居民已自行解决，撤回诉求。"
        )
    elif step == "merged":
        problem = ("fire_lane", "消防通道被车辆占用", "东门消防通道又被堵了。")
        first = _register(ctx, grid, days_ago=1, problem=problem)
        second = _register(ctx, grid, days_ago=0.5, problem=problem)
        services.appeal_merge(actor=secretary, appeal=second, into=first, note="同一问题，合并办理。")
    elif step == "overdue":
        # Garbage: 5 working days (37.5 working hours) by default; this one has had 1.5 times that.
        at = _working_hours_ago(ctx.now, rng.choice([45, 60, 75]))
        appeal = _route(ctx, _register(ctx, grid, at=at, problem=PROBLEMS[0]))
        services.appeal_accept(actor=worker, appeal=appeal)
    elif step == "warning":
        # 85 % of the 5 working days used: past the warning mark (75 %), not yet overdue.
        _route(ctx, _register(ctx, grid, at=_working_hours_ago(ctx.now, 32), problem=PROBLEMS[0]))
    elif step == "department":
        department = rng.choice(ctx.departments)
        appeal = _register(ctx, grid, days_ago=2, problem=PROBLEMS[11])
        _route(ctx, appeal, HandlerKind.DEPARTMENT, department=department)
    elif step == "hotline":
        number = f"SD12345-{timezone.localdate(ctx.now):%Y%m%d}-{ctx.count + 1:04d}"
        _route(ctx, _register(ctx, grid, days_ago=1, source=Source.HOTLINE, source_ref=number))


def _unit_four(ctx: _Ctx, building: Node) -> Node:
    """金星苑 2号楼 has four units in the report; the generic demo territory builds two per
    building, so the missing ones are added here, through the territory service."""
    from linli.territory.services import node_create

    unit = building.children.filter(name="4单元").first()
    if unit is not None:
        return unit
    for number in range(building.children.filter(kind=NodeKind.UNIT).count() + 1, 5):
        unit = node_create(
            actor=ctx.admin,
            kind=NodeKind.UNIT,
            code=f"{building.code}{number:02d}",
            name=f"{number}单元",
            parent=building,
        )
        for floor in range(1, 7):
            for door in (1, 2):
                room = floor * 100 + door
                node_create(
                    actor=ctx.admin,
                    kind=NodeKind.DWELLING,
                    code=f"{unit.code}{room:04d}",
                    name=f"{room}室",
                    parent=unit,
                )
    return unit


def _working_hours_ago(now: datetime.datetime, hours: float) -> datetime.datetime:
    """The moment `hours` of office time before `now` (for clocks that must read "due soon"
    or "overdue" whatever the day of loading, holidays included)."""
    start = now
    while workcalendar.working_hours_between(start, now).total_seconds() < hours * 3600:
        start -= datetime.timedelta(minutes=30)
    return start


def _jinxingyuan(ctx: _Ctx, street: Node) -> None:
    """Seed 004: 金星苑 2号楼4单元, the stairwell lighting found on a visit."""
    compound = Node.objects.filter(
        path__startswith=street.path, kind=NodeKind.COMPOUND, name="金星苑"
    ).first()
    if compound is None:
        return
    building = Node.objects.filter(parent=compound, kind=NodeKind.BUILDING, name="2号楼").first()
    if building is None:
        return
    unit = _unit_four(ctx, building)
    grid = routing.grid_of(compound)
    community = grid.parent
    lights = Category.objects.get(code="stair_lights")
    appeal, _ = services.appeal_register(
        actor=ctx.admin,
        source=Source.VISIT,
        title="金星苑2号楼4单元楼道照明设施老化",
        description="网格员走访了解到，2号楼4单元楼道照明设施老化，居民夜间出行不便。",
        category=lights,
        node=unit,
        reporter_name="居民代表",
        registered_at=ctx.now - datetime.timedelta(days=2),
        photos=[_photo("before.png", BEFORE)],
    )
    appeal = _route(ctx, appeal, HandlerKind.COMMUNITY)
    appeal = services.appeal_accept(actor=ctx.admin, appeal=appeal)
    services.appeal_progress(actor=ctx.admin, appeal=appeal, note="组织专业人员全面排查楼道照明线路。")
    services.appeal_progress(
        actor=ctx.admin, appeal=appeal, note="召开居民代表大会说明情况，沟通协调维修方案。"
    )
    appeal = services.appeal_close(
        actor=ctx.admin,
        appeal=appeal,
        result="已维修更换2号楼4单元楼道照明设施，居民夜间出行恢复正常。",
        photos=[_photo("after.png", AFTER)],
    )
    services.appeal_rate(
        appeal=appeal, rating=Rating.SATISFIED, comment="灯亮了，出门方便多了。", close_count=1
    )
    secretary = User.objects.filter(
        role_assignments__node=community, role_assignments__role="community_secretary"
    ).first()
    project = projects.project_create(
        actor=ctx.admin,
        community=community,
        place=unit,
        title="金星苑2号楼4单元楼道照明改造",
        description="常访问民需：网格员走访发现楼道照明设施老化，列入为民办实事清单，由社区“两委”领办。",
        source=ProjectSource.VISIT,
        appeal=appeal,
        lead=secretary,
        lead_name=(secretary.full_name if secretary else "") or "王红",
        lead_title="社区党委书记" if secretary else "社区居委会委员",
        status=ProjectStatus.IN_PROGRESS,
        started_on=timezone.localdate(ctx.now) - datetime.timedelta(days=12),
        due_on=timezone.localdate(ctx.now) + datetime.timedelta(days=3),
    )
    for title in (
        "网格员走访发现问题",
        "组织专业人员全面排查",
        "召开居民代表大会说明情况",
        "维修更换楼道照明设施",
    ):
        milestone = projects.milestone_add(actor=ctx.admin, project=project, title=title)
        projects.milestone_done(actor=ctx.admin, milestone=milestone)
    projects.project_update(actor=ctx.admin, project=project, status=ProjectStatus.DONE)

    parking = projects.project_create(
        actor=ctx.admin,
        community=community,
        place=compound,
        title="金星苑停车难综合治理",
        description="协商议事会商定：借老旧小区改造合理规划停车位；驻地单位非工作时间开放部分内部车位。",
        source=ProjectSource.DELIBERATION,
        lead_name="李明",
        lead_title="社区居委会委员",
        status=ProjectStatus.IN_PROGRESS,
        started_on=timezone.localdate(ctx.now) - datetime.timedelta(days=30),
        due_on=timezone.localdate(ctx.now) + datetime.timedelta(days=60),
    )
    steps = ["召开协商议事会", "与驻地单位签订错时共享车位协议", "改造方案规划新增车位", "施工并划线"]
    for index, title in enumerate(steps):
        milestone = projects.milestone_add(
            actor=ctx.admin,
            project=parking,
            title=title,
            due_on=timezone.localdate(ctx.now) + datetime.timedelta(days=15 * index),
        )
        if index < 2:
            projects.milestone_done(actor=ctx.admin, milestone=milestone)


HISTORY_MONTHS = 11
HISTORY_PER_MONTH = 3


def _history(ctx: _Ctx, community: Node, grids: list[Node]) -> None:
    """Closed and rated appeals of the past months, so the trends have a past: each is taken
    through the loop by the services, then its times are moved back (demo data only)."""
    rng = ctx.rng
    for month in range(1, HISTORY_MONTHS + 1):
        for index in range(HISTORY_PER_MONTH):
            grid = grids[(month + index) % len(grids)]
            appeal = _close(ctx, _route(ctx, _register(ctx, grid, days_ago=0)), ctx.admin)
            roll = rng.random()
            if roll < 0.12:
                appeal = services.appeal_rate(
                    appeal=appeal, rating=Rating.DISSATISFIED, comment="没有解决。", close_count=1
                )
                appeal = services.appeal_close(actor=ctx.admin, appeal=appeal, result="返工后修复。")
                services.appeal_rate(appeal=appeal, rating=Rating.SATISFIED, close_count=2)
            elif roll < 0.9:
                rating = Rating.SATISFIED if roll < 0.7 else Rating.BASICALLY
                services.appeal_rate(appeal=appeal, rating=rating, close_count=1)
            _backdate(ctx, appeal, days=month * 30 + rng.randint(-10, 10))


def _backdate(ctx: _Ctx, appeal: Appeal, *, days: int) -> None:
    """Move an appeal made just now into the past, with plausible response and handling
    times (0.5–12 working hours to respond, 1–7 working days to close)."""
    from django.db.models import F

    from linli.appeals import deadlines
    from linli.appeals.models import AppealPhoto, AppealTransition

    rng = ctx.rng
    appeal = Appeal.objects.select_related("category").get(pk=appeal.pk)
    registered = appeal.registered_at - datetime.timedelta(days=days)
    dues = deadlines.intake_dues(category=appeal.category, urgency=appeal.urgency, start=registered)
    responded = workcalendar.add_working_hours(registered, rng.uniform(0.5, 12))
    closed = workcalendar.add_working_days(responded, rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 7]))
    rated = closed + datetime.timedelta(hours=rng.randint(5, 40))
    Appeal.objects.filter(pk=appeal.pk).update(
        registered_at=registered,
        assigned_at=registered + datetime.timedelta(minutes=20),
        responded_at=responded,
        closed_at=closed,
        rated_at=rated if appeal.rated_at else None,
        response_hours=deadlines.working_hours(registered, responded),
        handle_hours=deadlines.working_hours(registered, closed),
        closed_on_time=closed <= dues["handle_due_at"],
        **dues,
    )
    moments = {
        "register": registered,
        "study": registered + datetime.timedelta(minutes=15),
        "assign": registered + datetime.timedelta(minutes=20),
        "accept": responded,
        "progress": responded + (closed - responded) / 2,
        "close": closed,
        "rate": rated,
    }
    for transition in AppealTransition.objects.filter(appeal=appeal).order_by("id"):
        AppealTransition.objects.filter(pk=transition.pk).update(
            created_at=moments.get(transition.action, closed)
        )
    AppealPhoto.objects.filter(appeal=appeal).update(
        created_at=F("created_at") - datetime.timedelta(days=days)
    )


@transaction.atomic
def build_appeals(admin: User, seed: int = 20260415) -> int:
    """The demo appeals of 双山街道; returns how many were made."""
    street = Node.objects.filter(code=STREET_CODE).first()
    if street is None:
        return 0
    ctx = _Ctx(admin=admin, rng=random.Random(seed), now=timezone.now(), departments=[])
    for name, kind in DEPARTMENTS:
        department, _ = Department.objects.get_or_create(node=street, name=name, defaults={"kind": kind})
        ctx.departments.append(department)
    communities = list(Node.objects.filter(parent=street, kind=NodeKind.COMMUNITY).order_by("code"))
    for c_index, community in enumerate(communities):
        grids = list(Node.objects.filter(parent=community, kind=NodeKind.GRID).order_by("code"))
        secretary = admin
        for g_index, grid in enumerate(grids):
            worker = admin
            if c_index == 0 and g_index < 2:
                # The demo accounts grid1/grid2/secretary act in 新世纪社区 themselves.
                worker = _user(f"grid{g_index + 1}", admin)
                secretary = _user("secretary", admin)
            # Each grid plays part of the script; together each community plays all of it.
            steps = (
                SCRIPT[g_index :: len(grids)]
                if c_index
                else SCRIPT[g_index :: len(grids)] + ["rated_satisfied"]
            )
            for step in steps:
                _play(ctx, step, grid, worker, secretary)
        _history(ctx, community, grids)
    _jinxingyuan(ctx, street)
    # The late ones: marked overdue and escalated one level up, as the scheduler would.
    supervision.scan(now=ctx.now)
    return Appeal.objects.filter(node__path__startswith=street.path).count()
