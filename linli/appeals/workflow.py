"""The appeal loop as a table: which action may happen in which status, who may take it,
and the one function that changes an appeal's status.

    接办 register ─► 研办 study ─► 交办 assign ─► accept / progress ─► 办结 close ─► 评价 rate
                                      ▲   │ return (退回, limited)        │ 不满意 → back to
                                      └───┘ escalate (up the tree)      │ handling (返工)
    postpone (缓办) ⇄ resume · request/decide extension · urge (督办/催办) · cancel · merge

Who may act, relative to the appeal (decided here, from the actor's grants, never by a
template):
- router: holds "change" on the appeal's place (the grid worker of its grid, the
  community, the street). Studies, assigns, cancels, merges, records a return visit.
- handler: whoever the appeal is assigned to: an account whose area contains the handling
  grid/community/street, a liaison of the handling department, or the named proxy.
- upper: "supervise" one level above the handler (grid → community → street); approves
  extensions and postponements ("approved one level up").
- supervisor: "supervise" on the appeal's place; urges (催办).

The table and the checks are pure; `change()` is the only code that writes a status, with
a conditional update on (status, version) so that of two people acting at once exactly
one wins and the other gets a Conflict (HTTP 409).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.appeals.choices import OPEN_STATUSES, HandlerKind, Status
from linli.appeals.models import Appeal, AppealTransition, liaison_department_ids
from linli.core.errors import Conflict, PermissionDenied

ROUTER = "router"
HANDLER = "handler"
UPPER = "upper"
SUPERVISOR = "supervisor"
RESIDENT = "resident"  # through a rating link: no account
SYSTEM = "system"  # the supervision scan

S = Status
ACTIVE = (S.ASSIGNED, S.HANDLING)


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the status does not change (or the service decides, see rate)
    who: tuple[str, ...]


STEPS: dict[str, Step] = {
    step.action: step
    for step in [
        Step(
            "study",
            gettext_lazy("Study and route"),
            (S.REGISTERED, S.RETURNED, S.STUDIED),
            S.STUDIED,
            (ROUTER,),
        ),
        Step("assign", gettext_lazy("Assign"), (S.STUDIED,), S.ASSIGNED, (ROUTER,)),
        Step("accept", gettext_lazy("Accept"), (S.ASSIGNED,), S.HANDLING, (HANDLER,)),
        Step("progress", gettext_lazy("Add progress"), ACTIVE, S.HANDLING, (HANDLER,)),
        Step("close", gettext_lazy("Close with a result"), (S.HANDLING,), S.CLOSED, (HANDLER,)),
        # rate: to RATED, or back to HANDLING when dissatisfied (the service chooses).
        Step("rate", gettext_lazy("Record the rating"), (S.CLOSED,), None, (ROUTER, RESIDENT)),
        Step("return", gettext_lazy("Return as wrongly routed"), ACTIVE, S.RETURNED, (HANDLER,)),
        Step("escalate", gettext_lazy("Escalate one level up"), ACTIVE, S.ASSIGNED, (HANDLER, UPPER, SYSTEM)),
        Step("request_extension", gettext_lazy("Ask for more time"), ACTIVE, None, (HANDLER,)),
        Step("decide_extension", gettext_lazy("Decide on more time"), (*ACTIVE, S.POSTPONED), None, (UPPER,)),
        Step("postpone", gettext_lazy("Postpone"), ACTIVE, S.POSTPONED, (UPPER,)),
        Step("resume", gettext_lazy("Resume"), (S.POSTPONED,), S.HANDLING, (HANDLER, UPPER, SYSTEM)),
        Step("cancel", gettext_lazy("Cancel"), OPEN_STATUSES, S.CANCELLED, (ROUTER,)),
        Step(
            "urge",
            gettext_lazy("Urge"),
            (S.STUDIED, S.REGISTERED, *ACTIVE, S.RETURNED, S.POSTPONED),
            None,
            (SUPERVISOR,),
        ),
        Step("merge", gettext_lazy("Merge into another appeal"), OPEN_STATUSES, S.MERGED, (ROUTER,)),
        Step("edit", gettext_lazy("Edit"), OPEN_STATUSES, None, (ROUTER,)),
    ]
}

# The order buttons appear in on the detail page.
PAGE_ACTIONS = [
    "study",
    "assign",
    "accept",
    "progress",
    "close",
    "rate",
    "request_extension",
    "decide_extension",
    "escalate",
    "return",
    "postpone",
    "resume",
    "urge",
    "cancel",
]


def max_returns() -> int:
    return settings.LINLI_APPEAL_MAX_RETURNS


# --- who is who -------------------------------------------------------------------------------


def parent_path(path: str) -> str:
    """ "/1/2/3/" → "/1/2/": paths are made of ids, so a parent's path needs no query."""
    parts = path.strip("/").split("/")
    return "/" + "/".join(parts[:-1]) + "/" if len(parts) > 1 else path


def _is_active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _allows(user, action: str, path: str) -> bool:
    return user.is_superuser or user.grants.allows("appeal", action, path)


def is_router(user, appeal: Appeal) -> bool:
    return _allows(user, "change", appeal.node.path)


def is_handler(user, appeal: Appeal) -> bool:
    if user.is_superuser:
        return True
    kind = appeal.handler_kind
    if kind == HandlerKind.DEPARTMENT:
        return appeal.handler_department_id in liaison_department_ids(user)
    if kind == HandlerKind.PROXY:
        return appeal.handler_user_id == user.pk
    if kind and appeal.handler_node_id:
        return user.grants.allows("appeal", "change", appeal.handler_node.path)
    return False


def upper_path(appeal: Appeal) -> str | None:
    """The place one level above the handler, whose supervisors approve its requests."""
    kind = appeal.handler_kind
    if kind in (HandlerKind.GRID, HandlerKind.COMMUNITY) and appeal.handler_node_id:
        return parent_path(appeal.handler_node.path)
    if kind == HandlerKind.STREET and appeal.handler_node_id:
        # Nothing in Linli sits above a street's own leadership: they decide.
        return appeal.handler_node.path
    if kind == HandlerKind.DEPARTMENT and appeal.handler_department_id:
        return appeal.handler_department.node.path
    if kind == HandlerKind.PROXY and appeal.grid_id:
        return parent_path(appeal.grid.path)  # the community of the appeal's grid
    return None


def is_upper(user, appeal: Appeal) -> bool:
    path = upper_path(appeal)
    return path is not None and _allows(user, "supervise", path)


def is_supervisor(user, appeal: Appeal) -> bool:
    return _allows(user, "supervise", appeal.node.path)


_ROLE_CHECKS = {ROUTER: is_router, HANDLER: is_handler, UPPER: is_upper, SUPERVISOR: is_supervisor}


# --- the checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    status: int  # 409: not now (status, limits); 403: not you

    def exception(self):
        if self.status == 403:
            return PermissionDenied(self.message, code=self.code)
        return Conflict(self.message, code=self.code)


def status_refusal(appeal: Appeal, action: str) -> Refusal | None:
    step = STEPS[action]
    if appeal.status not in step.sources:
        return Refusal(
            "transition_not_allowed",
            _("This appeal is %(status)s: “%(action)s” is not possible now.")
            % {"status": appeal.get_status_display().lower(), "action": step.label},
            409,
        )
    if action == "assign" and not appeal.handler_kind:
        return Refusal("handler_required", _("Decide who handles it (study) before assigning."), 409)
    if action == "return" and appeal.return_count >= max_returns():
        return Refusal(
            "return_limit",
            _("This appeal was returned %(n)d times already: escalate it instead.")
            % {"n": appeal.return_count},
            409,
        )
    if action == "escalate" and appeal.handler_kind == HandlerKind.STREET:
        return Refusal("top_level", _("The street office is the highest level an appeal goes to."), 409)
    return None


def refusal(appeal: Appeal, action: str, user, *, as_who: str | None = None) -> Refusal | None:
    """Why `user` may not take `action` on `appeal` now, or None when they may.
    `as_who` SYSTEM or RESIDENT: the caller is not an account (scan, rating link)."""
    refused = status_refusal(appeal, action)
    if refused:
        return refused
    step = STEPS[action]
    if as_who is not None:
        if as_who in step.who:
            return None
    elif _is_active(user) and any(
        test(user, appeal) for who, test in _ROLE_CHECKS.items() if who in step.who
    ):
        return None
    return Refusal("forbidden", _("You may not do this to this appeal."), 403)


def check(appeal: Appeal, action: str, user, *, as_who: str | None = None) -> None:
    refused = refusal(appeal, action, user, as_who=as_who)
    if refused:
        raise refused.exception()


def allowed_actions(appeal: Appeal, user) -> list[str]:
    """The actions to offer `user` on the page: exactly those the services would accept."""
    return [action for action in PAGE_ACTIONS if refusal(appeal, action, user) is None]


# --- the one function that changes a status ------------------------------------------------------


def change(
    appeal: Appeal,
    *,
    action: str,
    actor=None,
    to: str | None = None,
    updates: dict | None = None,
    note: str = "",
    data: dict | None = None,
    actor_name: str = "",
) -> AppealTransition:
    """Move `appeal` by `action` (to `to`, or the step's target, or its current status) and
    write the transition row. The UPDATE only matches the row in the status and version the
    caller read: when someone else got there first it matches nothing and this raises
    Conflict, leaving the caller's transaction to roll back."""
    refused = status_refusal(appeal, action)
    if refused:
        raise refused.exception()
    step = STEPS[action]
    target = to or step.target or appeal.status
    values = {"status": target, **(updates or {})}
    won = Appeal.objects.filter(pk=appeal.pk, status=appeal.status, version=appeal.version).update(
        version=F("version") + 1, **values
    )
    if won != 1:
        raise Conflict(
            _("Someone else changed this appeal at the same moment; reload it and try again."),
            code="concurrent_change",
        )
    from_status = appeal.status
    for field, value in values.items():
        setattr(appeal, field, value)
    appeal.version += 1
    authenticated = actor is not None and actor.is_authenticated
    return AppealTransition.objects.create(
        appeal=appeal,
        action=action,
        from_status=from_status,
        to_status=target,
        actor=actor if authenticated else None,
        actor_name=(actor_name or (str(actor) if authenticated else ""))[:150],
        note=note,
        data=data or {},
        created_at=timezone.now(),
    )
