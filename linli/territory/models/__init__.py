"""Territory models, one module per topic: the tree, boundaries, places, responsibilities."""

from linli.territory.models.geometry import Boundary, BoundaryRevision
from linli.territory.models.tree import Node

__all__ = ["Boundary", "BoundaryRevision", "Node"]
