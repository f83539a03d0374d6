"""Appeals in grid A for the generic scoping test, one per state a route needs. Each helper
returns the same record for the same world (a write case's changes are rolled back after
every persona, so each meets the same state)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from linli.appeals import routing, services
from linli.appeals.choices import Alert, HandlerKind, Source
from linli.appeals.models import Appeal, Project
from linli.test import World

APPEAL_A_TITLE = "网格甲诉求标记"
SIMILAR_A_TITLE = "网格甲相似诉求标记"


def _get(w: World, title: str, make) -> Appeal:
    found = Appeal.objects.filter(title=title).first()
    return found if found is not None else make()


def _register(w: World, title: str, **extra) -> Appeal:
    appeal, _ = services.appeal_register(
        actor=w.root,
        source=Source.WINDOW,
        title=title,
        description="三号楼门口垃圾桶满溢，无人清运",
        node=w.dwelling_a,
        reporter_name="网格甲报告人",
        reporter_phone="13800000011",
        **extra,
    )
    return appeal


def _grid_a(w: World, appeal: Appeal):
    return next(o for o in routing.handler_options(w.root, appeal) if o.kind == HandlerKind.GRID)


def appeal_a(w: World) -> Appeal:
    return _get(w, APPEAL_A_TITLE, lambda: _register(w, APPEAL_A_TITLE))


def similar_a(w: World) -> Appeal:
    appeal_a(w)
    return _get(w, SIMILAR_A_TITLE, lambda: _register(w, SIMILAR_A_TITLE))


def studied_a(w: World) -> Appeal:
    def make():
        appeal = _register(w, "网格甲已研判")
        return services.appeal_study(
            actor=w.root, appeal=appeal, category=None, urgency="normal", handler=_grid_a(w, appeal)
        )

    return _get(w, "网格甲已研判", make)


def assigned_a(w: World) -> Appeal:
    def make():
        appeal = _register(w, "网格甲已交办")
        return services.appeal_study(
            actor=w.root,
            appeal=appeal,
            category=None,
            urgency="normal",
            handler=_grid_a(w, appeal),
            assign=True,
        )

    return _get(w, "网格甲已交办", make)


def handling_a(w: World) -> Appeal:
    def make():
        appeal = _register(w, "网格甲办理中")
        appeal = services.appeal_study(
            actor=w.root,
            appeal=appeal,
            category=None,
            urgency="normal",
            handler=_grid_a(w, appeal),
            assign=True,
        )
        return services.appeal_accept(actor=w.root, appeal=appeal)

    return _get(w, "网格甲办理中", make)


def closed_a(w: World) -> Appeal:
    def make():
        appeal = _register(w, "网格甲已办结")
        appeal = services.appeal_study(
            actor=w.root,
            appeal=appeal,
            category=None,
            urgency="normal",
            handler=_grid_a(w, appeal),
            assign=True,
        )
        appeal = services.appeal_accept(actor=w.root, appeal=appeal)
        return services.appeal_close(actor=w.root, appeal=appeal, result="已清运")

    return _get(w, "网格甲已办结", make)


def extension_a(w: World) -> Appeal:
    """Handling, with a request for more time waiting (asked by the superuser)."""

    def make():
        appeal = _register(w, "网格甲申请延期")
        appeal = services.appeal_study(
            actor=w.root,
            appeal=appeal,
            category=None,
            urgency="normal",
            handler=_grid_a(w, appeal),
            assign=True,
        )
        services.appeal_request_extension(
            actor=w.root, appeal=appeal, amount=2, unit="days", reason="等待配件"
        )
        return Appeal.objects.get(pk=appeal.pk)

    return _get(w, "网格甲申请延期", make)


def postponed_a(w: World) -> Appeal:
    def make():
        appeal = _register(w, "网格甲缓办")
        appeal = services.appeal_study(
            actor=w.root,
            appeal=appeal,
            category=None,
            urgency="normal",
            handler=_grid_a(w, appeal),
            assign=True,
        )
        until = timezone.localdate() + datetime.timedelta(days=5)
        return services.appeal_postpone(actor=w.root, appeal=appeal, reason="等待表决", until=until)

    return _get(w, "网格甲缓办", make)


def overdue_a(w: World) -> Appeal:
    appeal = assigned_a(w)
    Appeal.objects.filter(pk=appeal.pk).update(alert=Alert.OVERDUE)
    return appeal


def grid_a_key(w: World) -> str:
    return f"grid:{w.grid_a.public_id}"


def project_a(w: World) -> Project:
    from linli.appeals import projects

    found = Project.objects.filter(title="网格甲实事标记").first()
    if found is not None:
        return found
    return projects.project_create(
        actor=w.root,
        community=w.community,
        place=w.building_a,
        title="网格甲实事标记",
        description="更换楼道照明",
        source="visit",
        lead_name="徐艳霞",
        lead_title="社区书记",
    )


# A 1×1 PNG: the smallest real image, so the upload checks pass.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def png(name: str = "photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


def photo_a(w: World):
    from linli.appeals.models import AppealPhoto

    appeal = assigned_a(w)
    found = AppealPhoto.objects.filter(appeal=appeal).first()
    if found is not None:
        return found
    services.appeal_progress(actor=w.root, appeal=appeal, note="现场照片", photos=[png()])
    return AppealPhoto.objects.filter(appeal=appeal).first()
