"""Demo territory: 章丘区双山街道 and its five communities (seed 000), built through the
same service a user's actions go through, deterministically."""

import random

from linli.accounts.models import User
from linli.territory.choices import DedicatedKind, NodeKind
from linli.territory.geo_demo import load_demo_boundaries
from linli.territory.models import Node
from linli.territory.services import node_create

DISTRICT = ("370114", "济南市章丘区")
STREET = ("370114002", "双山街道")
COMMUNITIES = ["新世纪社区", "东山社区", "龙盘山社区", "唐王山社区", "文化路社区"]
COMPOUND_NAMES = [
    "惠民小区",
    "福泰花园",
    "明珠苑",
    "山泉小区",
    "阳光家园",
    "丽景苑",
    "东泰小区",
    "翠湖园",
    "和谐家园",
    "金星苑",
    "泉韵小区",
    "书香苑",
    "绣水苑",
    "康居小区",
    "锦绣园",
    "龙盘新村",
    "唐王佳苑",
    "文昌苑",
    "新苑小区",
    "山水华庭",
]
DEDICATED = [
    (DedicatedKind.SCHOOL, "双山小学专属网格"),
    (DedicatedKind.MARKET, "农贸市场专属网格"),
    (DedicatedKind.COMMERCIAL_STREET, "商业街专属网格"),
    (DedicatedKind.OFFICE, "写字楼专属网格"),
    (DedicatedKind.SCHOOL, "实验幼儿园专属网格"),
]

GRIDS_PER_COMMUNITY = 4
BUILDINGS_PER_COMPOUND = 3
UNITS_PER_BUILDING = 2
FLOORS = 6
DOORS_PER_FLOOR = 2


def build_territory(actor: User, seed: int = 20260412) -> Node:
    rng = random.Random(seed)
    names = COMPOUND_NAMES[:]
    rng.shuffle(names)
    district = node_create(
        actor=actor, kind=NodeKind.DISTRICT, code=DISTRICT[0], name=DISTRICT[1], parent=None
    )
    street = node_create(actor=actor, kind=NodeKind.STREET, code=STREET[0], name=STREET[1], parent=district)
    for c_index, c_name in enumerate(COMMUNITIES, start=1):
        community = node_create(
            actor=actor,
            kind=NodeKind.COMMUNITY,
            code=f"{street.code}{c_index:03d}",
            name=c_name,
            parent=street,
        )
        # Grids numbered west→east, north→south: 001 is the north-west one.
        for g_index in range(1, GRIDS_PER_COMMUNITY + 1):
            grid = node_create(
                actor=actor,
                kind=NodeKind.GRID,
                code=f"{community.code}{g_index:03d}",
                name=f"{c_name.removesuffix('社区')}第{g_index}网格",
                parent=community,
            )
            compound = node_create(
                actor=actor, kind=NodeKind.COMPOUND, code=f"{grid.code}01", name=names.pop(), parent=grid
            )
            for b_index in range(1, BUILDINGS_PER_COMPOUND + 1):
                building = node_create(
                    actor=actor,
                    kind=NodeKind.BUILDING,
                    code=f"{compound.code}{b_index:03d}",
                    name=f"{b_index}号楼",
                    parent=compound,
                )
                for u_index in range(1, UNITS_PER_BUILDING + 1):
                    unit = node_create(
                        actor=actor,
                        kind=NodeKind.UNIT,
                        code=f"{building.code}{u_index:02d}",
                        name=f"{u_index}单元",
                        parent=building,
                    )
                    for floor in range(1, FLOORS + 1):
                        for door in range(1, DOORS_PER_FLOOR + 1):
                            room = floor * 100 + door
                            node_create(
                                actor=actor,
                                kind=NodeKind.DWELLING,
                                code=f"{unit.code}{room:04d}",
                                name=f"{room}室",
                                parent=unit,
                            )
        kind, d_name = DEDICATED[c_index - 1]
        node_create(
            actor=actor,
            kind=NodeKind.DEDICATED_GRID,
            code=f"{community.code}{GRIDS_PER_COMMUNITY + 1:03d}",
            name=d_name,
            parent=community,
            dedicated_kind=kind,
        )
    load_demo_boundaries(actor, street.code)
    return street
