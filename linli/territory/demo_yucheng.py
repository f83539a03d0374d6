"""Demo territory of seed 001: 德州市禹城市市中街道, deterministic.

The report's figures, which the street's page must show exactly: 10 communities divided
into 154 grids and 133 dedicated grids, with 301 full-time grid workers.

Outlines: one lattice of 20 × 8 cells over the street (about 7 × 4.4 km), its inner points
jittered, so that neighbouring cells share their vertices exactly (no gaps, no overlaps).
Each community is a block of 4 × 4 cells; in the six communities with 15 grids the last
two cells of the bottom row are one grid. Grids are numbered west→east, north→south, as
the numbering check suggests. Dedicated grids are small hexagons inside ordinary grids.
Places and outlines go through the same import and services a user's actions use.

People: a grid chief per grid (twenty grids also keep their previous chief's ended term,
so "who was responsible when" has an answer to show), 301 full-time grid workers (three
of them with accounts, appointed through the service so that they receive the grid
worker role), part-time workers, a party branch per ordinary grid and four two-committee
members in charge (包片) per community. The name-only rows are written in bulk; one audit
row records the load.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from linli.accounts.models import User
from linli.core import audit
from linli.core.fields import fill_blind_indexes
from linli.territory import coords
from linli.territory.choices import DedicatedKind, NodeKind
from linli.territory.models import Duty, Employment, Node, PartyOrgKind, Responsibility
from linli.territory.responsibility_services import responsibility_appoint
from linli.territory.services import node_create

DISTRICT = ("371482", "德州市禹城市")
STREET = ("371482001", "市中街道")
COMMUNITIES = [
    "鬲津社区",
    "新湖社区",
    "红旗社区",
    "群贤居社区",
    "泺清社区",
    "糖城社区",
    "汉槐社区",
    "禹王亭社区",
    "行政街社区",
    "齐鲁社区",
]
ORDINARY_GRIDS = 154
DEDICATED_GRIDS = 133
FULL_TIME_WORKERS = 301
# Per community, in code order: 4 × 16 + 6 × 15 = 154 and 3 × 14 + 7 × 13 = 133.
ORDINARY_PER_COMMUNITY = [16, 16, 16, 16, 15, 15, 15, 15, 15, 15]
DEDICATED_PER_COMMUNITY = [14, 14, 14, 13, 13, 13, 13, 13, 13, 13]
WORKERS_WITH_ACCOUNTS = 3

WEST, NORTH = 116.600, 36.955
DX, DY = 0.0035, 0.0055  # one cell: about 310 m × 610 m
COLUMNS, ROWS = 20, 8  # 5 × 2 communities of 4 × 4 cells
JITTER = 0.18

DEDICATED_NAMES: dict[str, list[str]] = {
    DedicatedKind.SCHOOL: ["{c}小学", "{c}实验幼儿园", "{c}中学", "{c}第二幼儿园"],
    DedicatedKind.MARKET: ["{c}农贸市场", "{c}便民市场"],
    DedicatedKind.OFFICE: ["{c}商务楼", "{c}金融大厦"],
    DedicatedKind.COMMERCIAL_STREET: ["{c}商业街", "{c}步行街", "{c}夜市街"],
    DedicatedKind.OTHER: ["{c}卫生服务站", "{c}敬老院", "{c}公园"],
}
DEDICATED_CYCLE = [
    DedicatedKind.SCHOOL,
    DedicatedKind.COMMERCIAL_STREET,
    DedicatedKind.MARKET,
    DedicatedKind.SCHOOL,
    DedicatedKind.OFFICE,
    DedicatedKind.OTHER,
    DedicatedKind.COMMERCIAL_STREET,
]

SURNAMES = "王张李刘陈杨赵孙周吴徐马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田于董袁潘蒋蔡魏薛"
GIVEN = "丽娜敏静秀英华芳红霞燕玲桂兰凤伟强磊军洋勇杰涛明超刚平辉鹏建国志文晓宇浩然淑晨雪梅海峰"
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "176",
    "177",
    "180",
    "182",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
]


class People:
    """Plausible names and mobile numbers, deterministic for a seed."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.phones: set[str] = set()

    def name(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def day(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randrange((last - first).days + 1))


def _lattice(rng: random.Random) -> list[list[tuple[float, float]]]:
    """(ROWS + 1) × (COLUMNS + 1) points, row 0 in the north; border points move only
    along the border, corners not at all."""
    points = []
    for r in range(ROWS + 1):
        row = []
        for c in range(COLUMNS + 1):
            dx = 0.0 if c in (0, COLUMNS) else rng.uniform(-JITTER, JITTER) * DX
            dy = 0.0 if r in (0, ROWS) else rng.uniform(-JITTER, JITTER) * DY
            row.append((round(WEST + c * DX + dx, 6), round(NORTH - r * DY + dy, 6)))
        points.append(row)
    return points


def _outline(points, r0: int, c0: int, rows: int, cols: int) -> list[tuple[float, float]]:
    """The ring around a block of cells through every lattice point on its border."""
    ring = [points[r0][c] for c in range(c0, c0 + cols)]
    ring += [points[r][c0 + cols] for r in range(r0, r0 + rows)]
    ring += [points[r0 + rows][c] for c in range(c0 + cols, c0, -1)]
    ring += [points[r][c0] for r in range(r0 + rows, r0, -1)]
    return ring


def _feature(code: str, name: str, kind: str, parent_code: str, ring, dedicated_kind: str = "") -> dict:
    ring = [list(p) for p in ring]
    ring.append(ring[0])
    return {
        "type": "Feature",
        "properties": {
            "code": code,
            "name": name,
            "kind": kind,
            "parent_code": parent_code,
            "dedicated_kind": dedicated_kind,
        },
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _hexagon(ring) -> list[tuple[float, float]]:
    import math

    cx = sum(p[0] for p in ring) / len(ring)
    cy = sum(p[1] for p in ring) / len(ring)
    return [
        (
            round(cx + 0.2 * DX * math.cos(a * math.pi / 3), 6),
            round(cy + 0.14 * DY * math.sin(a * math.pi / 3), 6),
        )
        for a in range(6)
    ]


def feature_collection(seed: int = 20230518) -> tuple[dict, list[dict]]:
    """The street, its communities and grids as a FeatureCollection, and per community
    the plan of its grids: [{"code", "ordinary": [(code, row)], "dedicated": [(code, row)]}]."""
    rng = random.Random(seed)
    points = _lattice(rng)
    street_code = STREET[0]
    features = [
        _feature(street_code, STREET[1], NodeKind.STREET, DISTRICT[0], _outline(points, 0, 0, ROWS, COLUMNS))
    ]
    plan = []
    for index, name in enumerate(COMMUNITIES):
        code = f"{street_code}{index + 1:03d}"
        r0, c0 = 4 * (index // 5), 4 * (index % 5)
        features.append(_feature(code, name, NodeKind.COMMUNITY, street_code, _outline(points, r0, c0, 4, 4)))
        short = name.removesuffix("社区")
        cells = [(r, c, 1) for r in range(4) for c in range(4)]
        if ORDINARY_PER_COMMUNITY[index] == 15:
            cells = cells[:14] + [(3, 2, 2)]  # the last two cells of the bottom row, one grid
        ordinary = []
        rings = []
        for number, (r, c, width) in enumerate(cells, start=1):
            ring = _outline(points, r0 + r, c0 + c, 1, width)
            grid_code = f"{code}{number:03d}"
            features.append(_feature(grid_code, f"{short}第{number}网格", NodeKind.GRID, code, ring))
            ordinary.append((grid_code, r))
            rings.append((ring, r))
        dedicated = []
        hosts = rng.sample(range(len(rings)), DEDICATED_PER_COMMUNITY[index])
        for offset, host in enumerate(sorted(hosts)):
            number = len(cells) + offset + 1
            kind = DEDICATED_CYCLE[(index + offset) % len(DEDICATED_CYCLE)]
            names = DEDICATED_NAMES[kind]
            label = names[(index + offset) % len(names)].format(c=short)
            grid_code = f"{code}{number:03d}"
            features.append(
                _feature(
                    grid_code,
                    f"{label}专属网格",
                    NodeKind.DEDICATED_GRID,
                    code,
                    _hexagon(rings[host][0]),
                    kind,
                )
            )
            dedicated.append((grid_code, rings[host][1]))
        plan.append({"code": code, "name": name, "ordinary": ordinary, "dedicated": dedicated})
    return {"type": "FeatureCollection", "features": features}, plan


def build_yucheng(actor: User, seed: int = 20230518) -> Node:
    from linli.territory.geo_services import boundaries_import

    if not Node.objects.filter(code=DISTRICT[0]).exists():
        node_create(actor=actor, kind=NodeKind.DISTRICT, code=DISTRICT[0], name=DISTRICT[1], parent=None)
    collection, plan = feature_collection(seed)
    report = boundaries_import(actor=actor, data=collection, crs=coords.WGS84)
    if not report.ok:
        problems = [(f.code, [p.message for p in f.errors]) for f in report.features if f.errors]
        raise RuntimeError(f"demo boundaries of 禹城 do not validate: {report.errors} {problems}")
    street = Node.objects.get(code=STREET[0])
    _people(actor, street, plan, random.Random(seed + 1))
    return street


def _people(actor: User, street: Node, plan: list[dict], rng: random.Random) -> None:
    people = People(rng)
    nodes = {n.code: n for n in Node.objects.filter(path__startswith=street.path)}
    today = timezone.localdate()
    rows: list[Responsibility] = []

    def add(node: Node, duty: str, started_on: datetime.date, **extra) -> Responsibility:
        row = Responsibility(
            node=node,
            duty=duty,
            person_name=extra.pop("person_name", None) or people.name(),
            phone=people.phone(),
            started_on=started_on,
            appointed_by=actor,
            **extra,
        )
        fill_blind_indexes(row)
        rows.append(row)
        return row

    all_grids = [code for p in plan for code, _row in p["ordinary"] + p["dedicated"]]
    ordinary = [code for p in plan for code, _row in p["ordinary"]]
    # Grid chiefs; twenty grids changed chief at the 2023 re-election (换届).
    changed = set(rng.sample(all_grids, 20))
    for code in all_grids:
        if code in changed:
            succession = people.day(datetime.date(2023, 3, 1), datetime.date(2023, 4, 30))
            previous = add(
                nodes[code],
                Duty.GRID_CHIEF,
                people.day(datetime.date(2019, 3, 1), datetime.date(2020, 12, 31)),
            )
            previous.ended_on = succession
            previous.ended_at = timezone.now()
            previous.ended_by = actor
            previous.end_reason = "换届"
            add(nodes[code], Duty.GRID_CHIEF, succession)
        else:
            add(
                nodes[code],
                Duty.GRID_CHIEF,
                people.day(datetime.date(2021, 3, 1), datetime.date(2024, 6, 30)),
            )
    # 301 full-time grid workers: one per grid, a second in fourteen busy ordinary grids;
    # the first few of them have accounts (below).
    workers = all_grids + sorted(rng.sample(ordinary, FULL_TIME_WORKERS - len(all_grids)))
    with_accounts = workers[:WORKERS_WITH_ACCOUNTS]
    for code in workers[WORKERS_WITH_ACCOUNTS:]:
        add(
            nodes[code],
            Duty.GRID_WORKER,
            people.day(datetime.date(2021, 6, 1), today),
            employment=Employment.FULL_TIME,
        )
    for code in sorted(rng.sample(ordinary, len(ordinary) // 2)):
        add(
            nodes[code],
            Duty.GRID_WORKER,
            people.day(datetime.date(2022, 1, 1), today),
            employment=Employment.PART_TIME,
        )
    # 党组织网格化: a party branch in every ordinary grid.
    for code in ordinary:
        add(
            nodes[code],
            Duty.PARTY_ORG,
            datetime.date(2021, 7, 1),
            org_kind=PartyOrgKind.BRANCH,
            org_name=f"{nodes[code].name}党支部",
        )
    # 包片: per community four two-committee members, each in charge of one row of grids.
    for community in plan:
        for row_index in range(4):
            member = people.name()
            phone_owner = people.phone()
            started = people.day(datetime.date(2021, 3, 1), datetime.date(2021, 12, 31))
            for code, row in community["ordinary"] + community["dedicated"]:
                if row == row_index:
                    lead = add(nodes[code], Duty.AREA_LEAD, started, person_name=member)
                    lead.phone = phone_owner
                    fill_blind_indexes(lead)
    Responsibility.objects.bulk_create(rows, batch_size=500)
    for index, code in enumerate(with_accounts, start=1):
        user = User(username=f"yucheng-grid-{index:02d}", full_name=people.name())
        user.set_unusable_password()
        user.save()
        responsibility_appoint(
            actor=actor,
            node=nodes[code],
            duty=Duty.GRID_WORKER,
            user=user,
            phone=people.phone(),
            employment=Employment.FULL_TIME,
            started_on=datetime.date(2022, 9, 1),
        )
    audit.record(
        actor=actor,
        action="territory.demo.load",
        target=street,
        after={"responsibilities": len(rows) + len(with_accounts), "grids": len(all_grids)},
    )
