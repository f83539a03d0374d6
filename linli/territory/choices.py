from django.db import models
from django.utils.translation import gettext_lazy as _


class NodeKind(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    DEDICATED_GRID = "dedicated_grid", _("Dedicated grid")
    COMPOUND = "compound", _("Compound")
    BUILDING = "building", _("Building")
    UNIT = "unit", _("Unit")
    DWELLING = "dwelling", _("Dwelling")


class DedicatedKind(models.TextChoices):
    SCHOOL = "school", _("School")
    MARKET = "market", _("Market")
    OFFICE = "office", _("Office building")
    COMMERCIAL_STREET = "commercial_street", _("Commercial street")
    OTHER = "other", _("Other")


GRID_KINDS = {NodeKind.GRID, NodeKind.DEDICATED_GRID}

# Which kinds may stand directly under which. A grid belongs to a community, never
# directly to a street; a building may sit in a compound or straight in a grid.
ALLOWED_PARENTS: dict[str, set[str]] = {
    NodeKind.DISTRICT: set(),
    NodeKind.STREET: {NodeKind.DISTRICT},
    NodeKind.COMMUNITY: {NodeKind.STREET},
    NodeKind.GRID: {NodeKind.COMMUNITY},
    NodeKind.DEDICATED_GRID: {NodeKind.COMMUNITY},
    NodeKind.COMPOUND: {NodeKind.GRID, NodeKind.DEDICATED_GRID},
    NodeKind.BUILDING: {NodeKind.COMPOUND, NodeKind.GRID, NodeKind.DEDICATED_GRID},
    NodeKind.UNIT: {NodeKind.BUILDING},
    NodeKind.DWELLING: {NodeKind.UNIT, NodeKind.BUILDING},
}

# Digits a kind adds to its parent's code. District: the 6-digit GB/T 2260 division;
# street: 3 more; community: 3 more (the 12-digit statistical code); grid: a 3-digit
# number; then compound 2, building 3, unit 2, dwelling 4 (room number, zero-padded).
CODE_SUFFIX_DIGITS: dict[str, int] = {
    NodeKind.DISTRICT: 6,
    NodeKind.STREET: 3,
    NodeKind.COMMUNITY: 3,
    NodeKind.GRID: 3,
    NodeKind.DEDICATED_GRID: 3,
    NodeKind.COMPOUND: 2,
    NodeKind.BUILDING: 3,
    NodeKind.UNIT: 2,
    NodeKind.DWELLING: 4,
}
