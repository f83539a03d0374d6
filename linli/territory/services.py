"""Writes on the territory tree. Every one checks scope and leaves an audit row."""

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import PermissionDenied, ValidationFailed
from linli.core.scoping import ensure_in_scope
from linli.territory.choices import ALLOWED_PARENTS, GRID_KINDS, NodeKind
from linli.territory.codes import validate_code
from linli.territory.models import Node, Place, Responsibility


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


@transaction.atomic
def node_move(*, actor: User, node: Node, new_parent: Node, new_code: str, request=None) -> Node:
    """Move a place and everything under it to a new parent.

    Paths and depths of the whole subtree follow in one UPDATE, so everyone's scope follows
    too. Codes extend their parent's code, so the moved place gets a new code under its new
    parent and the codes below it are rewritten by replacing the old prefix.
    """
    node = Node.objects.select_for_update().get(pk=node.pk)
    if node.parent_id is None:
        raise ValidationFailed(_("The top of the tree cannot be moved."))
    if new_parent.pk == node.parent_id:
        raise ValidationFailed(_("The place is already there."), field="parent")
    if new_parent.path.startswith(node.path):
        raise ValidationFailed(_("A place cannot be moved under itself."), field="parent")
    _check_parent(node.kind, new_parent)
    for place, action in ((node, "change"), (new_parent, "add")):
        if not (actor.is_superuser or actor.grants.allows("territory", action, place.path)):
            raise PermissionDenied
    new_code = validate_code(kind=node.kind, code=new_code, parent_code=new_parent.code)
    old_path, old_code = node.path, node.code
    new_path = f"{new_parent.path}{node.pk}/"
    subtree = Node.objects.filter(path__startswith=old_path)
    if new_code != old_code:
        renamed = {new_code + code[len(old_code) :] for code in subtree.values_list("code", flat=True)}
        clash = Node.objects.filter(code__in=renamed).exclude(path__startswith=old_path).first()
        if clash is not None:
            raise ValidationFailed(
                _("The code %(code)s is already in use.") % {"code": clash.code}, field="code"
            )
    # Codes first through a temporary prefix: unique codes must not collide mid-update.
    depth_change = new_parent.depth + 1 - node.depth
    subtree.update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        code=Concat(Value("~" + new_code), Substr("code", len(old_code) + 1)),
        depth=F("depth") + depth_change,
    )
    Node.objects.filter(path__startswith=new_path).update(code=Substr("code", 2))
    Node.objects.filter(pk=node.pk).update(parent=new_parent)
    _tree_changed()
    node.refresh_from_db()
    ensure_in_scope(node, actor, "change")
    audit.record(
        actor=actor,
        action="territory.node.move",
        target=node,
        before={"parent": old_path, "code": old_code},
        after={"parent": new_parent.path, "code": new_code},
        request=request,
    )
    return node


@transaction.atomic
def node_retire(*, actor: User, node: Node, request=None) -> Node:
    """Retire a place: it stays for history (records keep pointing at it) but leaves lists,
    grants on it stop working, and nothing new can be placed under it."""
    node = Node.objects.select_for_update().get(pk=node.pk)
    if node.retired_at is not None:
        raise ValidationFailed(_("The place has already been retired."))
    if not (actor.is_superuser or actor.grants.allows("territory", "delete", node.path)):
        raise PermissionDenied
    if Node.objects.filter(parent=node, retired_at__isnull=True).exists():
        raise ValidationFailed(_("Retire or move the places under it first."))
    if Responsibility.objects.filter(node=node, ended_at__isnull=True).exists():
        raise ValidationFailed(_("End the duties of the people responsible for it first."))
    if Place.objects.filter(grid=node, retired_at__isnull=True).exists():
        raise ValidationFailed(_("Retire or move the places of its grid first."))
    Node.objects.filter(pk=node.pk).update(retired_at=timezone.now())
    _tree_changed()
    node.refresh_from_db()
    audit.record(actor=actor, action="territory.node.retire", target=node, request=request)
    return node


def _tree_changed() -> None:
    """Tell every process's locate index that the tree moved (geo_services imports this
    module, hence the late import)."""
    from linli.territory.geo_services import boundaries_changed

    boundaries_changed()
