"""Boundaries for the test world (linli/test.py), WGS-84, near Zhangqiu:

   117.50      117.515     117.53                117.56
36.73 ┌───────────┬───────────┬─────────────────────┐
      │  grid_a   │  grid_b   │     other_grid      │   street: the whole rectangle
      │           │           │                     │   community: west half
36.69 └───────────┴───────────┴─────────────────────┘   other_community: east half
"""

from linli.territory.geo_services import boundary_set
from linli.territory.models import Boundary
from linli.test import World

NORTH, SOUTH = 36.73, 36.69
IN_GRID_A = (117.505, 36.71)
IN_GRID_B = (117.52, 36.71)
IN_OTHER_GRID = (117.545, 36.71)
OUTSIDE = (117.60, 36.71)


def rect(west: float, east: float, south: float = SOUTH, north: float = NORTH) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def world_boundaries(world: World) -> World:
    """Give the world's street, communities and grids their outlines (idempotent)."""
    if Boundary.objects.filter(node=world.grid_a).exists():
        return world
    for node, geometry in (
        (world.street, rect(117.50, 117.56)),
        (world.community, rect(117.50, 117.53)),
        (world.other_community, rect(117.53, 117.56)),
        (world.grid_a, rect(117.50, 117.515)),
        (world.grid_b, rect(117.515, 117.53)),
        (world.other_grid, rect(117.53, 117.56)),
    ):
        boundary_set(actor=world.root, node=node, geometry=geometry)
    return world
