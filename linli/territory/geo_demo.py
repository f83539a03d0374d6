"""Demo boundaries for 章丘区双山街道 (territory/demo.py): plausible, deterministic,
non-overlapping outlines near Zhangqiu, set through the same import a user runs.

The street is a rectangle of about 5.4 × 4.4 km, cut west→east into five communities by
wavy north-south lines; each community is cut into four grids, 2 × 2, numbered
west→east, north→south (001 north-west … 004 south-east) as the codes already are. Grids
share their edge vertices exactly, so they neither overlap nor leave gaps. Each
community's dedicated grid is a small hexagon inside it.
"""

from __future__ import annotations

import math
import random

from linli.accounts.models import User
from linli.territory import coords

WEST, EAST = 117.500, 117.560
NORTH, SOUTH = 36.730, 36.690
LEVELS = [NORTH, 36.720, 36.710, 36.700, SOUTH]  # north, m1, middle, m2, south
COMMUNITIES = 5


def _feature(code: str, ring: list[tuple[float, float]]) -> dict:
    ring = [[round(x, 6), round(y, 6)] for x, y in ring]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return {
        "type": "Feature",
        "properties": {"code": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def demo_feature_collection(street_code: str, seed: int = 20260412) -> dict:
    rng = random.Random(seed)
    step = (EAST - WEST) / COMMUNITIES
    # North-south dividing lines as longitudes per latitude level; the outer two straight.
    lines = []
    for k in range(COMMUNITIES + 1):
        base = WEST + k * step
        wobble = 0 if k in (0, COMMUNITIES) else 0.0015
        lines.append([base + rng.uniform(-wobble, wobble) for _ in LEVELS])
    n, m1, mid, m2, s = range(5)
    features = [_feature(street_code, [(WEST, NORTH), (EAST, NORTH), (EAST, SOUTH), (WEST, SOUTH)])]
    for c in range(1, COMMUNITIES + 1):
        code = f"{street_code}{c:03d}"
        left = [(lines[c - 1][i], LEVELS[i]) for i in range(5)]
        right = [(lines[c][i], LEVELS[i]) for i in range(5)]
        top = ((left[n][0] + right[n][0]) / 2 + rng.uniform(-0.001, 0.001), NORTH)
        bottom = ((left[s][0] + right[s][0]) / 2 + rng.uniform(-0.001, 0.001), SOUTH)
        centre = (
            (left[mid][0] + right[mid][0]) / 2 + rng.uniform(-0.001, 0.001),
            LEVELS[mid] + rng.uniform(-0.001, 0.001),
        )
        features.append(
            _feature(
                code,
                [left[n], top, right[n], right[m1], right[mid], right[m2], right[s], bottom]
                + [left[s], left[m2], left[mid], left[m1]],
            )
        )
        grids = [
            [left[n], top, centre, left[mid], left[m1]],  # 001 north-west
            [top, right[n], right[m1], right[mid], centre],  # 002 north-east
            [left[mid], centre, bottom, left[s], left[m2]],  # 003 south-west
            [centre, right[mid], right[m2], right[s], bottom],  # 004 south-east
        ]
        for g, ring in enumerate(grids, start=1):
            features.append(_feature(f"{code}{g:03d}", ring))
        # The dedicated grid: a hexagon of about 100 m inside the south-east grid.
        cx, cy = centre[0] + 0.0025, centre[1] - 0.005
        hexagon = [
            (cx + 0.0012 * math.cos(a * math.pi / 3), cy + 0.0009 * math.sin(a * math.pi / 3))
            for a in range(6)
        ]
        features.append(_feature(f"{code}005", hexagon))
    return {"type": "FeatureCollection", "features": features}


def load_demo_boundaries(actor: User, street_code: str) -> None:
    from linli.territory.geo_services import boundaries_import

    report = boundaries_import(actor=actor, data=demo_feature_collection(street_code), crs=coords.WGS84)
    if not report.ok:
        problems = [(f.code, [p.message for p in f.errors]) for f in report.features if f.errors]
        raise RuntimeError(f"demo boundaries do not validate: {report.errors} {problems}")
