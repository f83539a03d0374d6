"""Writes on the territory tree. Every one checks scope and leaves an audit row."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import PermissionDenied, ValidationFailed
from linli.core.scoping import ensure_in_scope
from linli.territory.choices import ALLOWED_PARENTS, GRID_KINDS, NodeKind
from linli.territory.codes import validate_code
from linli.territory.models import Node


def _check_parent(kind: str, parent: Node | None) -> None:
    allowed = ALLOWED_PARENTS[kind]
    if parent is None and allowed:
        raise ValidationFailed(_("A %(kind)s needs a parent.") % {"kind": NodeKind(kind).label})
    if parent is not None and parent.kind not in allowed:
        raise ValidationFailed(
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {"kind": NodeKind(kind).label, "parent": NodeKind(parent.kind).label},
            field="parent",
        )
    if parent is not None and parent.retired_at is not None:
        raise ValidationFailed(_("The parent has been retired."), field="parent")


@transaction.atomic
def node_create(
    *,
    actor: User,
    kind: str,
    code: str,
    name: str,
    parent: Node | None,
    dedicated_kind: str = "",
    request=None,
) -> Node:
    if kind not in NodeKind.values:
        raise ValidationFailed(_("Unknown kind of place."), field="kind")
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A name is required."), field="name")
    _check_parent(kind, parent)
    if parent is None and not actor.is_superuser:
        raise PermissionDenied
    if parent is not None and not (
        actor.is_superuser or actor.grants.allows("territory", "add", parent.path)
    ):
        raise PermissionDenied
    if kind == NodeKind.DEDICATED_GRID and not dedicated_kind:
        raise ValidationFailed(_("Say what the dedicated grid serves."), field="dedicated_kind")
    if kind not in GRID_KINDS or kind == NodeKind.GRID:
        dedicated_kind = ""
    code = validate_code(kind=kind, code=code, parent_code=parent.code if parent else None)
    if Node.objects.filter(code=code).exists():
        raise ValidationFailed(_("The code %(code)s is already in use.") % {"code": code}, field="code")
    node = Node(
        kind=kind,
        code=code,
        name=name,
        parent=parent,
        dedicated_kind=dedicated_kind,
        depth=(parent.depth + 1) if parent else 0,
        # Unique placeholder until the id is known; replaced in the same transaction.
        path=f"~{code}",
    )
    try:
        node.save()
    except IntegrityError:
        raise ValidationFailed(_("The code %(code)s is already in use.") % {"code": code}) from None
    node.path = f"{parent.path if parent else '/'}{node.pk}/"
    Node.objects.filter(pk=node.pk).update(path=node.path)
    ensure_in_scope(node, actor, "add")
    audit.record(
        actor=actor,
        action="territory.node.create",
        target=node,
        after={"kind": kind, "code": code, "name": name},
        request=request,
    )
    return node


@transaction.atomic
def node_rename(*, actor: User, node: Node, name: str, request=None) -> Node:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A name is required."), field="name")
    ensure_in_scope(node, actor, "change")
    before = {"name": node.name}
    Node.objects.filter(pk=node.pk).update(name=name)
    node.name = name
    audit.record(
        actor=actor,
        action="territory.node.rename",
        target=node,
        before=before,
        after={"name": name},
        request=request,
    )
    return node
