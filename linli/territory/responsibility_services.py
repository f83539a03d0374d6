"""Appointing and ending responsibilities: grid chiefs, grid workers, building heads,
party organisations of grids, two-committee members in charge of grids (包片).

Who may appoint: whoever may change the place one level up (the community for a grid, the
grid or compound for a building), as boundaries are drawn by the level above. A grid chief
cannot make or unmake themselves, a community can.

Roles follow duties. When the person has an account, appointing a grid chief, grid
worker or building head grants the matching role on the same node through
accounts.services.role_grant (its rules apply: the appointer must be allowed to grant
it), unless the account holds that role there already; ending the duty ends the role
through role_end. role_end keeps an account's last role (an account without a role drops
out of every area): the duty still ends, the role stays, and the caller is told
(`role_kept`) so that an administrator can disable the account or give it another role.
Party organisations and members in charge grant nothing: the two-committee member's
role comes from the community, where account administration grants it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts import selectors as account_selectors
from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.core import audit
from linli.core.errors import Conflict, OutOfScope, PermissionDenied, ValidationFailed
from linli.core.fields import fill_blind_indexes
from linli.core.identity import normalise_phone
from linli.core.scoping import ensure_in_scope
from linli.territory.choices import GRID_KINDS, NodeKind
from linli.territory.models import Duty, Employment, Node, PartyOrgKind, Responsibility
from linli.territory.models.responsibility import SINGLE_HOLDER_DUTIES
from linli.territory.places_services import text

# Where each duty may be held.
DUTY_NODE_KINDS: dict[str, set[str]] = {
    Duty.GRID_CHIEF: set(GRID_KINDS),
    Duty.GRID_WORKER: set(GRID_KINDS),
    Duty.PARTY_ORG: set(GRID_KINDS),
    Duty.AREA_LEAD: set(GRID_KINDS),
    Duty.BUILDING_HEAD: {NodeKind.BUILDING, NodeKind.UNIT},
}

# The role an account receives with the duty.
DUTY_ROLES: dict[str, str] = {
    Duty.GRID_CHIEF: Role.GRID_CHIEF,
    Duty.GRID_WORKER: Role.GRID_WORKER,
    Duty.BUILDING_HEAD: Role.BUILDING_HEAD,
}


def duties_for(node: Node) -> list[str]:
    return [duty for duty in Duty.values if node.kind in DUTY_NODE_KINDS[duty]]


def may_appoint(actor: User, node: Node) -> bool:
    if actor.is_superuser:
        return True
    if node.parent_id is None:
        return False
    parent_path = node.path.rsplit("/", 2)[0] + "/"
    return actor.grants.allows("territory", "change", parent_path)


def _ensure_may_appoint(actor: User, node: Node) -> None:
    if not (actor.is_superuser or actor.grants.allows("territory", "view", node.path)):
        raise OutOfScope
    if not may_appoint(actor, node):
        raise PermissionDenied(_("Responsibilities here are assigned by the level above."))


def _check_dates(started_on: datetime.date, today: datetime.date) -> None:
    if started_on > today:
        raise ValidationFailed(_("The start date cannot be in the future."), field="started_on")


@transaction.atomic
def responsibility_appoint(
    *,
    actor: User,
    node: Node,
    duty: str,
    user: User | None = None,
    person_name: str = "",
    phone: str = "",
    employment: str = "",
    org_kind: str = "",
    org_name: str = "",
    started_on: datetime.date | None = None,
    request=None,
) -> Responsibility:
    """Appoint someone. For a duty held by one person at a time, the current holder's term
    ends on the day the new one begins, in the same transaction."""
    node = Node.objects.get(pk=node.pk)
    _ensure_may_appoint(actor, node)
    if duty not in Duty.values:
        raise ValidationFailed(_("Unknown duty."), field="duty")
    if node.retired_at is not None:
        raise ValidationFailed(_("This place has been retired."), field="node")
    if node.kind not in DUTY_NODE_KINDS[duty]:
        raise ValidationFailed(
            _("A %(duty)s cannot be appointed to a %(kind)s.")
            % {"duty": Duty(duty).label, "kind": NodeKind(node.kind).label},
            field="duty",
        )
    today = timezone.localdate()
    started_on = started_on or today
    _check_dates(started_on, today)

    if user is not None and not user.is_active:
        raise ValidationFailed(_("This account is disabled."), field="user")
    person_name = text(person_name) or (str(user) if user is not None else "")
    if not person_name:
        raise ValidationFailed(_("Choose an account or give the person's name."), field="person_name")
    phone = normalise_phone(phone, field="phone") if (phone or "").strip() else ""
    if duty in (Duty.GRID_WORKER, Duty.GRID_CHIEF):
        if employment and employment not in Employment.values:
            raise ValidationFailed(_("Unknown kind of employment."), field="employment")
        if duty == Duty.GRID_WORKER and not employment:
            raise ValidationFailed(
                _("Say whether the grid worker is full-time or part-time."), field="employment"
            )
    else:
        employment = ""
    if duty == Duty.PARTY_ORG:
        org_name = text(org_name)
        if org_kind not in PartyOrgKind.values:
            raise ValidationFailed(_("Say whether it is a party branch or a party group."), field="org_kind")
        if not org_name:
            raise ValidationFailed(_("Give the name of the party organisation."), field="org_name")
    else:
        org_kind, org_name = "", ""

    role_kept: list[Responsibility] = []
    if duty in SINGLE_HOLDER_DUTIES:
        current = (
            Responsibility.objects.select_for_update()
            .filter(node=node, duty=duty, ended_at__isnull=True)
            .first()
        )
        if current is not None:
            if started_on < current.started_on:
                raise ValidationFailed(
                    _("The current holder began on %(day)s; the new term cannot begin before that.")
                    % {"day": current.started_on.isoformat()},
                    field="started_on",
                )
            if _end(actor, current, started_on, _("Succeeded"), request):
                role_kept.append(current)

    responsibility = Responsibility(
        node=node,
        duty=duty,
        user=user,
        person_name=person_name[:50],
        phone=phone,
        employment=employment,
        org_kind=org_kind,
        org_name=org_name[:100],
        started_on=started_on,
        appointed_by=actor if actor.is_authenticated else None,
    )
    fill_blind_indexes(responsibility)
    try:
        with transaction.atomic():
            responsibility.save()
    except IntegrityError:
        # Someone appointed the same duty at the same moment, or the account holds it already.
        if (
            user is not None
            and Responsibility.objects.filter(node=node, duty=duty, user=user, ended_at__isnull=True).exists()
        ):
            raise ValidationFailed(_("This person already holds this duty here."), field="user") from None
        raise Conflict(_("Someone else has just appointed to this duty; reload and try again.")) from None
    if user is not None and duty in DUTY_ROLES:
        responsibility.role_assignment = _grant_role(actor, user, DUTY_ROLES[duty], node, request)
        Responsibility.objects.filter(pk=responsibility.pk).update(
            role_assignment=responsibility.role_assignment
        )
    ensure_in_scope(responsibility, actor, "change")
    audit.record(
        actor=actor,
        action="territory.responsibility.appoint",
        target=responsibility,
        after={
            "node": node.code,
            "duty": duty,
            "person": responsibility.person_name,
            "account": user.username if user is not None else "",
            "employment": employment,
            "org_name": org_name,
            "started_on": started_on.isoformat(),
        },
        request=request,
    )
    responsibility.succeeded_role_kept = role_kept
    return responsibility


def _grant_role(actor: User, user: User, role: str, node: Node, request) -> RoleAssignment:
    existing = RoleAssignment.objects.filter(user=user, role=role, node=node, ended_at__isnull=True).first()
    if existing is not None:
        return existing
    if not account_selectors.can_grant(actor=actor, role=role, node=node):
        raise PermissionDenied(
            _(
                "Appointing an account grants it the role %(role)s here, which you may not grant. "
                "Give the person's name and phone instead."
            )
            % {"role": Role(role).label},
            field="user",
        )
    from linli.accounts.services import role_grant

    return role_grant(actor=actor, user=user, role=role, node=node, request=request)


def _end(actor: User, responsibility: Responsibility, ended_on: datetime.date, reason: str, request) -> bool:
    """End one term; returns True when its role had to be kept (the account's last)."""
    now = timezone.now()
    updated = Responsibility.objects.filter(pk=responsibility.pk, ended_at__isnull=True).update(
        ended_at=now,
        ended_on=ended_on,
        ended_by=actor if actor.is_authenticated else None,
        end_reason=reason[:200],
    )
    if not updated:
        raise Conflict(_("This responsibility has already been ended."))
    responsibility.ended_at, responsibility.ended_on, responsibility.end_reason = now, ended_on, reason[:200]
    role_kept = _end_role(actor, responsibility, request)
    audit.record(
        actor=actor,
        action="territory.responsibility.end",
        target=responsibility,
        before={"person": responsibility.person_name, "duty": responsibility.duty},
        after={"ended_on": ended_on.isoformat(), "role_kept": role_kept},
        reason=reason,
        request=request,
    )
    return role_kept


def _end_role(actor: User, responsibility: Responsibility, request) -> bool:
    assignment = responsibility.role_assignment
    if assignment is None or assignment.ended_at is not None:
        return False
    assignment.refresh_from_db()
    if assignment.ended_at is not None:
        return False
    # Another current duty may rest on the same role (a grid worker who is also chief of
    # the same grid holds two roles, so this is about duplicates): keep it then.
    if (
        Responsibility.objects.filter(role_assignment=assignment, ended_at__isnull=True)
        .exclude(pk=responsibility.pk)
        .exists()
    ):
        return False
    from linli.accounts.services import role_end

    if not account_selectors.can_grant(actor=actor, role=assignment.role, node=assignment.node):
        raise PermissionDenied(
            _("Ending this duty also ends the role of %(name)s's account, which you may not do.")
            % {"name": responsibility.person_name}
        )
    try:
        with transaction.atomic():
            role_end(actor=actor, assignment=assignment, request=request)
    except ValidationFailed:
        # The account's last role: role_end refuses on purpose (see the module doc).
        return True
    return False


@transaction.atomic
def responsibility_end(
    *,
    actor: User,
    responsibility: Responsibility,
    ended_on: datetime.date | None = None,
    reason: str = "",
    request=None,
) -> Responsibility:
    responsibility = (
        # of=self: the role assignment is an outer join, which PostgreSQL will not lock.
        Responsibility.objects.select_for_update(of=("self",))
        .select_related("node", "role_assignment")
        .get(pk=responsibility.pk)
    )
    _ensure_may_appoint(actor, responsibility.node)
    if responsibility.ended_at is not None:
        raise Conflict(_("This responsibility has already been ended."))
    today = timezone.localdate()
    ended_on = ended_on or today
    if ended_on > today:
        raise ValidationFailed(_("The end date cannot be in the future."), field="ended_on")
    if ended_on < responsibility.started_on:
        raise ValidationFailed(_("The end date cannot be before the start date."), field="ended_on")
    responsibility.role_kept = _end(actor, responsibility, ended_on, text(reason), request)
    return responsibility


@transaction.atomic
def area_lead_assign(
    *,
    actor: User,
    grids: Iterable[Node],
    user: User | None = None,
    person_name: str = "",
    phone: str = "",
    started_on: datetime.date | None = None,
    request=None,
) -> list[Responsibility]:
    """包片: one two-committee member in charge of a set of grids, one term per grid; the
    member in charge of each grid before is succeeded."""
    grids = list(grids)
    if not grids:
        raise ValidationFailed(_("Choose at least one grid."), field="grids")
    return [
        responsibility_appoint(
            actor=actor,
            node=grid,
            duty=Duty.AREA_LEAD,
            user=user,
            person_name=person_name,
            phone=phone,
            started_on=started_on,
            request=request,
        )
        for grid in grids
    ]


@transaction.atomic
def responsibilities_for_role_holders(*, actor: User, root: Node | None = None) -> int:
    """Record a duty for every account that holds a grid chief, grid worker or building
    head role without one (data from before responsibilities existed, or accounts created
    in account administration): the role's start is the term's start, a grid worker
    counts as full-time. A one-at-a-time duty already held by someone else is left alone.
    Returns how many were recorded."""
    roles = {role: duty for duty, role in DUTY_ROLES.items()}
    assignments = (
        RoleAssignment.objects.filter(
            role__in=list(roles), ended_at__isnull=True, node__retired_at__isnull=True
        )
        .exclude(
            pk__in=Responsibility.objects.filter(role_assignment__isnull=False).values("role_assignment")
        )
        .select_related("user", "node")
        .order_by("pk")
    )
    if root is not None:
        assignments = assignments.filter(node__path__startswith=root.path)
    held = set(
        Responsibility.objects.filter(ended_at__isnull=True, duty__in=SINGLE_HOLDER_DUTIES).values_list(
            "node_id", "duty"
        )
    )
    rows = []
    for assignment in assignments:
        duty = roles[assignment.role]
        if assignment.node.kind not in DUTY_NODE_KINDS[duty] or (assignment.node_id, duty) in held:
            continue
        if duty in SINGLE_HOLDER_DUTIES:
            held.add((assignment.node_id, duty))
        rows.append(
            Responsibility(
                node=assignment.node,
                duty=duty,
                user=assignment.user,
                person_name=(str(assignment.user) or assignment.user.username)[:50],
                employment=Employment.FULL_TIME if duty == Duty.GRID_WORKER else "",
                started_on=timezone.localdate(assignment.created_at),
                appointed_by=assignment.created_by,
                role_assignment=assignment,
            )
        )
    Responsibility.objects.bulk_create(rows)
    if rows:
        audit.record(
            actor=actor,
            action="territory.responsibility.from_roles",
            target_type="territory.responsibility",
            target_repr=f"{len(rows)} responsibilities",
            node_path=root.path if root is not None else "",
        )
    return len(rows)
