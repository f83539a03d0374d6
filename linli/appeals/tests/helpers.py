"""Appeals on the test world (linli/test.py), made through the services."""

from __future__ import annotations

from linli.accounts.roles import Role
from linli.appeals import routing, services
from linli.appeals.choices import DepartmentKind, HandlerKind, Source
from linli.appeals.models import Appeal, Category, Department, DepartmentLiaison
from linli.test import World, make_user

APPEAL_A_TITLE = "1号楼楼道灯不亮"


def category(code: str = "stair_lights") -> Category:
    # Transactional tests flush the tables, the seeded categories with them.
    return Category.objects.get_or_create(code=code, defaults={"name": code})[0]


def register(w: World, *, actor=None, node=None, title: str = APPEAL_A_TITLE, **extra) -> Appeal:
    values = {
        "source": Source.WINDOW,
        "description": "1单元楼道的声控灯坏了一个星期，晚上看不见台阶。",
        "category": category(),
        "reporter_name": "翟大爷",
        "reporter_phone": "13890476521",
    }
    values.update(extra)
    appeal, _ = services.appeal_register(
        actor=actor or w.grid_worker_a, node=node or w.dwelling_a, title=title, **values
    )
    return appeal


def option(actor, appeal: Appeal, kind: str, **match):
    for choice in routing.handler_options(actor, appeal):
        if choice.kind != kind:
            continue
        if all(getattr(choice, key) == value for key, value in match.items()):
            return choice
    raise AssertionError(f"no {kind} handler option for {actor}")


def assigned(w: World, *, actor=None, kind: str = HandlerKind.GRID, **extra) -> Appeal:
    """An appeal of grid A, studied and assigned (by default to grid A)."""
    actor = actor or w.secretary
    appeal = register(w, **extra)
    return services.appeal_study(
        actor=actor,
        appeal=appeal,
        category=appeal.category,
        urgency=appeal.urgency,
        handler=option(actor, appeal, kind),
        assign=True,
    )


def handling(w: World, **extra) -> Appeal:
    appeal = assigned(w, **extra)
    return services.appeal_accept(actor=w.grid_worker_a, appeal=appeal)


def closed(w: World, **extra) -> Appeal:
    appeal = handling(w, **extra)
    return services.appeal_close(
        actor=w.grid_worker_a, appeal=appeal, result="已更换声控灯，居民确认恢复照明。"
    )


def department(w: World, name: str = "民政办", kind: str = DepartmentKind.OUTSIDE):
    """A department serving the street, with a liaison account."""
    dept = Department.objects.create(name=name, kind=kind, node=w.street)
    liaison = make_user(f"liaison-{dept.pk}", Role.DEPARTMENT_LIAISON, w.street)
    DepartmentLiaison.objects.create(department=dept, user=liaison)
    return dept, liaison
