"""Territory models, one module per topic: the tree, boundaries, places, responsibilities."""

from linli.territory.models.geometry import Boundary, BoundaryRevision
from linli.territory.models.places import Place, PlaceContact, PlaceKind, SmallShopKind
from linli.territory.models.responsibility import Duty, Employment, PartyOrgKind, Responsibility
from linli.territory.models.tree import Node

__all__ = [
    "Boundary",
    "BoundaryRevision",
    "Duty",
    "Employment",
    "Node",
    "PartyOrgKind",
    "Place",
    "PlaceContact",
    "PlaceKind",
    "Responsibility",
    "SmallShopKind",
]
