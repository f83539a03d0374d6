"""Similar open appeals: the same problem reported again (在同一网格, 相近的文字).

Candidates are the open appeals of the same grid registered within
LINLI_APPEAL_DUPLICATE_DAYS (at most CANDIDATES of the newest). Texts are compared by
character bigrams (Chinese has no spaces to split words on; two characters carry most of a
word): the Dice coefficient 2·|A∩B| / (|A|+|B|) of the two bigram sets, title and
description together. Pairs at or above LINLI_APPEAL_DUPLICATE_PERCENT are suggested,
those in the same building first. Suggesting is all this does: merging is a person's
decision (services.appeal_merge).
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from linli.appeals.choices import OPEN_STATUSES
from linli.appeals.models import Appeal
from linli.appeals.routing import grid_of
from linli.territory.choices import NodeKind
from linli.territory.models import Node

CANDIDATES = 300
SHOWN = 5


def bigrams(text: str) -> set[str]:
    chars = [c for c in unicodedata.normalize("NFKC", text or "").lower() if c.isalnum()]
    if len(chars) < 2:
        return set(chars)
    return {chars[i] + chars[i + 1] for i in range(len(chars) - 1)}


def similarity(a: str | set[str], b: str | set[str]) -> float:
    first = a if isinstance(a, set) else bigrams(a)
    second = b if isinstance(b, set) else bigrams(b)
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


@dataclass(frozen=True)
class Match:
    appeal: Appeal
    score: float
    same_building: bool

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _building_id(node: Node) -> int | None:
    ids = node.ancestor_ids()
    buildings = dict(Node.objects.filter(pk__in=ids, kind=NodeKind.BUILDING).values_list("pk", "path"))
    return next(iter(buildings), None)


def similar_open(*, user, node: Node, text: str, exclude: Appeal | None = None, now=None) -> list[Match]:
    grid = grid_of(node)
    if grid is None:
        return []
    now = now or timezone.now()
    since = now - datetime.timedelta(days=settings.LINLI_APPEAL_DUPLICATE_DAYS)
    queryset = (
        Appeal.objects.restrict(user, "view")
        .filter(grid=grid, status__in=OPEN_STATUSES, registered_at__gte=since)
        .select_related("node", "category")
        .order_by("-registered_at")
    )
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    wanted = bigrams(text)
    threshold = settings.LINLI_APPEAL_DUPLICATE_PERCENT / 100
    building = _building_id(node)
    matches = []
    for candidate in queryset[:CANDIDATES]:
        # Against the title alone too: a short new text next to a long description would
        # otherwise look less alike than it is.
        score = max(
            similarity(wanted, bigrams(candidate.title)),
            similarity(wanted, bigrams(f"{candidate.title} {candidate.description}")),
        )
        if score >= threshold:
            same = building is not None and building in candidate.node.ancestor_ids()
            matches.append(Match(candidate, score, same))
    matches.sort(key=lambda m: (not m.same_building, -m.score))
    return matches[:SHOWN]


def similar_for(*, appeal: Appeal, user) -> list[Match]:
    return similar_open(
        user=user, node=appeal.node, text=f"{appeal.title} {appeal.description}", exclude=appeal
    )
