"""The public board (晒事) and practical-projects list: what is shown without login.

Anonymisation: an item carries no reporter name, no phone, no exact dwelling; the place is
named down to the building at most (compound + building), coordinates are not shown.
Titles and results are written by staff but may quote a resident, so before display:
the reporters' names are masked wherever they appear (张三丰 → 张*丰), runs of five or
more digits (phone, ID and ticket numbers) become "*****", and room numbers ("401室",
"401号") become "***室". Only closed appeals marked published (the default, switched off on
close for private matters) appear, with their before/after photos.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from linli.appeals.choices import DONE_STATUSES, PhotoKind
from linli.appeals.models import Appeal, AppealPhoto, Project
from linli.core.masking import mask_name
from linli.core.scoping import path_prefix_condition
from linli.territory.choices import NodeKind
from linli.territory.models import Node

BOARD_LIMIT = 60
_DIGITS = re.compile(r"\d{5,}")
_ROOM = re.compile(r"\d{2,4}\s*(室|号房|户)")
_ID = re.compile(r"\d{17}[\dXx]")
PUBLIC_KINDS = (NodeKind.COMPOUND, NodeKind.BUILDING)


def anonymise(text: str, names: list[str]) -> str:
    text = text or ""
    for name in sorted({n for n in names if n and len(n) > 1}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    text = _ID.sub("******", text)
    text = _DIGITS.sub("*****", text)
    return _ROOM.sub(lambda m: "***" + m.group(1), text)


@dataclass(frozen=True)
class BoardItem:
    public_id: str
    category: str
    title: str
    result: str
    place: str
    registered_on: str
    closed_on: str
    handle_hours: float | None
    rating: str
    rework: bool
    before: list[str]
    after: list[str]


def communities_public() -> QuerySet[Node]:
    return Node.objects.filter(kind=NodeKind.COMMUNITY, retired_at__isnull=True)


def _public_place(node: Node, names: dict[int, tuple[str, str]], kinds=PUBLIC_KINDS) -> str:
    parts = [names[i][1] for i in node.ancestor_ids() if i in names and names[i][0] in kinds]
    return " ".join(parts)


def board_items(community: Node, limit: int = BOARD_LIMIT) -> list[BoardItem]:
    appeals = list(
        Appeal.objects.filter(
            path_prefix_condition("node__path", [community.path]),
            public_condition(),
            status__in=DONE_STATUSES,
        )
        .select_related("node", "category")
        .prefetch_related("photos", "merged_appeals")
        .order_by("-closed_at", "-id")[:limit]
    )
    ids = {i for a in appeals for i in a.node.ancestor_ids()}
    names = {n.pk: (n.kind, n.name) for n in Node.objects.filter(pk__in=ids).only("pk", "kind", "name")}
    items = []
    for appeal in appeals:
        reporters = [appeal.reporter_name, *(m.reporter_name for m in appeal.merged_appeals.all())]
        photos = list(appeal.photos.all())
        items.append(
            BoardItem(
                public_id=str(appeal.public_id),
                category=appeal.category.name if appeal.category_id else "",
                title=anonymise(appeal.title, reporters),
                result=anonymise(appeal.result, reporters),
                place=_public_place(appeal.node, names),
                registered_on=appeal.registered_at.date().isoformat(),
                closed_on=appeal.closed_at.date().isoformat() if appeal.closed_at else "",
                handle_hours=appeal.handle_hours,
                rating=appeal.get_rating_display() if appeal.rating else "",
                rework=appeal.rework_count > 0,
                before=[str(p.public_id) for p in photos if p.kind == PhotoKind.BEFORE],
                after=[str(p.public_id) for p in photos if p.kind == PhotoKind.AFTER],
            )
        )
    return items


def public_condition(prefix: str = "") -> Q:
    """Appeals that may be shown publicly: published, not merged away, not of a private
    category (assistance, disputes, elderly care)."""
    return Q(**{f"{prefix}published": True, f"{prefix}merged_into__isnull": True}) & (
        Q(**{f"{prefix}category__isnull": True}) | Q(**{f"{prefix}category__public": True})
    )


def public_photo(photo_id) -> AppealPhoto | None:
    """A photo shown on the board: before/after, of a published closed appeal."""
    return (
        AppealPhoto.objects.filter(
            public_condition("appeal__"),
            public_id=photo_id,
            kind__in=[PhotoKind.BEFORE, PhotoKind.AFTER],
            appeal__status__in=DONE_STATUSES,
        )
        .select_related("appeal")
        .first()
    )


def projects_public(community: Node) -> QuerySet[Project]:
    return (
        Project.objects.filter(community=community, public=True)
        .select_related("node")
        .prefetch_related("milestones")
        .order_by("status", "-created_at")
    )


def project_place(project: Project) -> str:
    if project.node_id == project.community_id:
        return project.community.name
    ids = project.node.ancestor_ids()
    names = {n.pk: (n.kind, n.name) for n in Node.objects.filter(pk__in=ids).only("pk", "kind", "name")}
    # A project may name its stairwell (金星苑 2号楼 4单元): a unit is not a home.
    return _public_place(project.node, names, (*PUBLIC_KINDS, NodeKind.UNIT)) or project.community.name
