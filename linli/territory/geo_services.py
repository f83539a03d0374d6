"""Boundaries and locate: writes (set, clear, import) and the locate functions other apps
call (appeals, visits, places get their grid from `locate_point`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import PermissionDenied, ValidationFailed
from linli.core.scoping import ensure_in_scope
from linli.territory import coords, geojson, locate
from linli.territory.models import Boundary, BoundaryRevision, Node
from linli.territory.services import node_create


def boundaries_changed() -> None:
    """Tell every process's locate index that boundaries changed (locate.py explains how).
    Call it in the transaction of any write that changes which node a point falls in:
    a boundary set or cleared, and also a node moved or retired."""
    values = {"token": uuid.uuid4(), "changed_at": timezone.now()}
    if not BoundaryRevision.objects.filter(pk=1).update(**values):
        try:
            with transaction.atomic():
                BoundaryRevision.objects.create(pk=1, **values)
        except IntegrityError:  # another process created it first
            BoundaryRevision.objects.filter(pk=1).update(**values)
    locate.boundaries_changed_locally()


def _bbox_fields(geom: BaseGeometry) -> dict[str, float]:
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    return {"min_lng": min_lng, "min_lat": min_lat, "max_lng": max_lng, "max_lat": max_lat}


@transaction.atomic
def boundary_set(
    *,
    actor: User,
    node: Node,
    geometry: BaseGeometry | dict[str, Any],
    source_crs: str = coords.WGS84,
    request=None,
    announce: bool = True,
) -> Boundary:
    """Store a node's outline. `geometry` is in WGS-84 (convert first: geojson.convert).
    `announce=False` lets a caller that sets many boundaries announce the change once."""
    geom = geometry if isinstance(geometry, BaseGeometry) else geojson.from_geojson(geometry)
    geom = shapely.force_2d(geom)
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise ValidationFailed(_("A boundary must be a Polygon or a MultiPolygon."), code="geometry_type")
    if not geom.is_valid:
        raise ValidationFailed(
            _("The boundary is not a valid polygon: %(reason)s") % {"reason": shapely.is_valid_reason(geom)},
            code="invalid_geometry",
        )
    _ensure_may_draw(actor, node)
    fields = {
        "geometry": geojson.to_geojson(geom),
        "area_m2": geojson.area_m2(geom),
        "source_crs": source_crs,
        "updated_by": actor if actor.is_authenticated else None,
        **_bbox_fields(geom),
    }
    boundary = Boundary.objects.select_for_update().filter(node=node).first()
    created = boundary is None
    if created:
        boundary = Boundary.objects.create(node=node, **fields)
    else:
        before_area = boundary.area_m2
        for key, value in fields.items():
            setattr(boundary, key, value)
        boundary.version += 1
        boundary.save()
    ensure_in_scope(boundary, actor, "change")
    audit.record(
        actor=actor,
        action="territory.boundary.set",
        target=node,
        before=None if created else {"area_m2": round(before_area, 1)},
        after={"area_m2": round(boundary.area_m2, 1), "version": boundary.version, "source_crs": source_crs},
        request=request,
    )
    if announce:
        boundaries_changed()
    return boundary


@transaction.atomic
def boundary_clear(*, actor: User, node: Node, request=None) -> None:
    _ensure_may_draw(actor, node)
    deleted, _count = Boundary.objects.filter(node=node).delete()
    if deleted:
        audit.record(actor=actor, action="territory.boundary.clear", target=node, request=request)
        boundaries_changed()


def _ensure_may_draw(actor: User, node: Node) -> None:
    """A boundary is drawn one level up (geojson._can_draw); out of sight is not found."""
    if actor.is_superuser:
        return
    if not actor.grants.allows("territory", "view", node.path):
        from linli.core.errors import OutOfScope

        raise OutOfScope
    parent_path = node.path.rsplit("/", 2)[0] + "/" if node.parent_id else None
    if not geojson._can_draw(actor, parent_path):
        raise PermissionDenied(_("The boundary of a place is drawn by the level above it."))


@transaction.atomic
def boundaries_import(
    *, actor: User, data: Any, crs: str = coords.WGS84, dry_run: bool = False, request=None
) -> geojson.ImportReport:
    """Validate the whole FeatureCollection; write only when nothing is wrong: the nodes
    that do not exist yet (node_create: codes checked, audited), then every boundary."""
    if not geojson.may_import(actor):
        raise PermissionDenied
    report = geojson.validate_collection(data, crs=crs, actor=actor)
    if not report.ok or dry_run:
        return report
    nodes: dict[str, Node] = {}
    # Parents before children: a code extends its parent's code, so shorter comes first.
    for feature in sorted(report.features, key=lambda f: (len(f.code), f.index)):
        if feature.action == "create":
            parent = nodes.get(feature.parent_code) or Node.objects.get(code=feature.parent_code)
            node = node_create(
                actor=actor,
                kind=feature.kind,
                code=feature.code,
                name=feature.name,
                parent=parent,
                dedicated_kind=feature.dedicated_kind,
                request=request,
            )
            report.created += 1
        else:
            node = feature.node
            report.updated += 1
        nodes[feature.code] = node
        boundary_set(
            actor=actor, node=node, geometry=feature.geometry, source_crs=crs, request=request, announce=False
        )
    boundaries_changed()
    audit.record(
        actor=actor,
        action="territory.boundary.import",
        target_type="territory.boundary",
        target_repr=f"{len(report.features)} features",
        extra={"crs": crs, "created": report.created, "updated": report.updated},
        request=request,
    )
    report.imported = True
    return report


# --- locate: reads for other apps ---------------------------------------------------------


def _allowed_paths(user: User | None) -> tuple[str, ...] | None:
    if user is None or user.is_superuser:
        return None
    if not user.is_authenticated or not user.is_active:
        return ()
    return tuple(user.grants.paths("territory", "view"))


def locate_ids(lng, lat, crs: str = coords.WGS84, *, user: User | None = None) -> np.ndarray:
    """Node ids (locate.NOT_FOUND where none) for arrays of coordinates: the bulk path for
    imports of appeals or visits. `user` None: unscoped (the system placing a record)."""
    return locate.get_index().locate(lng, lat, crs, _allowed_paths(user))


def locate_points(
    points: Sequence[tuple[float, float]], crs: str = coords.WGS84, *, user: User | None = None
) -> list[Node | None]:
    """The deepest node containing each (lng, lat), or None; scoped when `user` is given."""
    if not points:
        return []
    array = np.asarray(points, dtype=float).reshape(-1, 2)
    ids = locate_ids(array[:, 0], array[:, 1], crs, user=user)
    wanted = {int(i) for i in ids if i != locate.NOT_FOUND}
    nodes = {}
    if wanted:
        # The database has the last word: a stale index never shows what the user may not
        # see, nor a node retired since it was built.
        queryset = Node.objects.all() if user is None else Node.objects.restrict(user, "view")
        nodes = {n.pk: n for n in queryset.filter(pk__in=wanted, retired_at__isnull=True).order_by()}
    return [nodes.get(int(i)) for i in ids]


def locate_point(lng: float, lat: float, crs: str = coords.WGS84, *, user: User | None = None) -> Node | None:
    """The deepest territory node whose boundary contains the point, or None."""
    return locate_points([(lng, lat)], crs, user=user)[0]


def boundaries_visible(*, user: User, root: Node | None = None, kinds: Sequence[str] | None = None):
    """The boundaries of live nodes the user may see (the map, the export)."""
    queryset = (
        Boundary.objects.restrict(user, "view")
        .filter(node__retired_at__isnull=True)
        .select_related("node", "node__parent")
        .order_by("node__path")
    )
    if root is not None:
        queryset = queryset.filter(node__path__startswith=root.path)
    if kinds:
        queryset = queryset.filter(node__kind__in=list(kinds))
    return queryset
