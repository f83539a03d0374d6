"""Demo community of seed 003: 郑州市金水区文化路街道俭学街社区, deterministic.

The report: 0.36 km² on both sides of 俭学街, across 文化路, from 农业路 in the south to
白庙前街 in the north; 20 residential courtyards (居民楼院), 7 co-building units, 3 office
buildings and 160 street shops, many of them "五小" shops, with building heads (楼长).

Four ordinary grids are cut by the two streets; the shops along them form two commercial
street dedicated grids and the office buildings one office dedicated grid. Every place is
recorded through places_services with its location, so its grid comes from locate() the
way a user's entry would.
"""

from __future__ import annotations

import datetime
import random

from linli.accounts.models import User
from linli.core import audit
from linli.territory import coords
from linli.territory.choices import DedicatedKind, NodeKind
from linli.territory.demo_yucheng import People
from linli.territory.models import Duty, Employment, Node, PartyOrgKind, PlaceKind, SmallShopKind
from linli.territory.places_services import ContactData, credit_code_check_character, place_create
from linli.territory.responsibility_services import responsibility_appoint
from linli.territory.services import node_create

DISTRICT = ("410105", "郑州市金水区")
STREET = ("410105002", "文化路街道")
COMMUNITY = ("410105002003", "俭学街社区")
COURTYARDS = 20
CO_BUILDING_UNITS = 7
OFFICE_BUILDINGS = 3
STREET_SHOPS = 160
SMALL_SHOPS = 104

# WGS-84. 文化路 runs north-south at WENHUA, 俭学街 east-west at JIANXUE.
WEST, EAST, SOUTH, NORTH = 113.6620, 113.6686, 34.7870, 34.7924
WENHUA, JIANXUE = 113.6653, 34.7897
STRIP = 0.00020  # half the width of a commercial street's dedicated grid (about 20 m)
END = 0.00030  # the strips stop short of the community's edge

COURTYARD_NAMES = [
    "省农科院家属院",
    "文化路1号院",
    "俭学街3号院",
    "建行家属院",
    "地质二院家属院",
    "俭学街11号院",
    "电力小区",
    "文化路45号院",
    "农业路宿舍",
    "白庙前街7号院",
    "省建院家属院",
    "邮电宿舍",
    "俭学街27号院",
    "文化路77号院",
    "粮食局家属院",
    "俭学街35号院",
    "文化苑",
    "金水嘉园",
    "农科苑",
    "俭学街49号院",
]
CO_BUILDING_NAMES = [
    "河南省农业科学院",
    "金水区文化路第一小学",
    "省建筑设计研究院",
    "市供电公司文化路营业厅",
    "省地质矿产勘查开发局第二地质队",
    "金水区文化路街道社区卫生服务中心",
    "郑州市第十一中学",
]
OFFICE_NAMES = ["文化路国际大厦", "俭学街商务中心", "农业路金融广场"]
SMALL_SHOP_NAMES = {
    SmallShopKind.RESTAURANT: ["烩面馆", "饺子馆", "胡辣汤", "包子铺", "砂锅店", "拉面馆", "米线店"],
    SmallShopKind.SHOP: ["便利店", "烟酒店", "水果店", "文具店", "五金店", "日杂店"],
    SmallShopKind.HOTEL: ["快捷宾馆", "旅社"],
    SmallShopKind.ENTERTAINMENT: ["棋牌室", "网吧"],
    SmallShopKind.HAIR_SALON: ["理发店", "美发工作室"],
}
SMALL_SHOP_WEIGHTS = {
    SmallShopKind.RESTAURANT: 40,
    SmallShopKind.SHOP: 34,
    SmallShopKind.HOTEL: 8,
    SmallShopKind.ENTERTAINMENT: 6,
    SmallShopKind.HAIR_SALON: 16,
}
OTHER_SHOP_NAMES = [
    "大药房",
    "眼镜店",
    "手机店",
    "服装店",
    "花店",
    "打印店",
    "洗衣店",
    "母婴店",
    "茶叶店",
    "口腔诊所",
]
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(rng: random.Random, prefix: str) -> str:
    """A well-formed unified social credit code: prefix (authority, category, division),
    nine characters, the check character."""
    body = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice(CREDIT_CHARS)
    first17 = (prefix + body)[:17]
    return first17 + credit_code_check_character(first17)


def _rect(west: float, east: float, south: float, north: float) -> list[list[float]]:
    return [
        [round(x, 6), round(y, 6)]
        for x, y in ((west, north), (east, north), (east, south), (west, south), (west, north))
    ]


def _feature(code: str, name: str, kind: str, parent: str, rings: list, dedicated_kind: str = "") -> dict:
    geometry = (
        {"type": "Polygon", "coordinates": [rings[0]]}
        if len(rings) == 1
        else {"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]}
    )
    return {
        "type": "Feature",
        "properties": {
            "code": code,
            "name": name,
            "kind": kind,
            "parent_code": parent,
            "dedicated_kind": dedicated_kind,
        },
        "geometry": geometry,
    }


def feature_collection() -> dict:
    c = COMMUNITY[0]
    features = [
        _feature(c, COMMUNITY[1], NodeKind.COMMUNITY, STREET[0], [_rect(WEST, EAST, SOUTH, NORTH)]),
        # Ordinary grids, west→east, north→south, cut along the two streets' centre lines.
        _feature(f"{c}001", "俭学街第1网格", NodeKind.GRID, c, [_rect(WEST, WENHUA, JIANXUE, NORTH)]),
        _feature(f"{c}002", "俭学街第2网格", NodeKind.GRID, c, [_rect(WENHUA, EAST, JIANXUE, NORTH)]),
        _feature(f"{c}003", "俭学街第3网格", NodeKind.GRID, c, [_rect(WEST, WENHUA, SOUTH, JIANXUE)]),
        _feature(f"{c}004", "俭学街第4网格", NodeKind.GRID, c, [_rect(WENHUA, EAST, SOUTH, JIANXUE)]),
        # 俭学街's shops on both sides, in two parts either side of 文化路's strip.
        _feature(
            f"{c}005",
            "俭学街商业街专属网格",
            NodeKind.DEDICATED_GRID,
            c,
            [
                _rect(WEST + END, WENHUA - STRIP, JIANXUE - STRIP, JIANXUE + STRIP),
                _rect(WENHUA + STRIP, EAST - END, JIANXUE - STRIP, JIANXUE + STRIP),
            ],
            DedicatedKind.COMMERCIAL_STREET,
        ),
        _feature(
            f"{c}006",
            "文化路商业街专属网格",
            NodeKind.DEDICATED_GRID,
            c,
            [_rect(WENHUA - STRIP, WENHUA + STRIP, SOUTH + END, NORTH - END)],
            DedicatedKind.COMMERCIAL_STREET,
        ),
        _feature(
            f"{c}007",
            "写字楼专属网格",
            NodeKind.DEDICATED_GRID,
            c,
            [_rect(113.6662, 113.6676, 34.7906, 34.7916)],
            DedicatedKind.OFFICE,
        ),
    ]
    return {"type": "FeatureCollection", "features": features}


def _shop_positions(rng: random.Random) -> list[tuple[float, float, str]]:
    """160 shop fronts: 90 along 俭学街, 70 along 文化路, both sides, with house numbers."""
    positions = []
    west_len = (WENHUA - STRIP) - (WEST + END)
    east_len = (EAST - END) - (WENHUA + STRIP)
    for i in range(90):
        side = 1 if i % 2 == 0 else -1
        t = (i // 2 + 0.5) / 45
        along = t * (west_len + east_len)
        lng = WEST + END + along if along < west_len else WENHUA + STRIP + (along - west_len)
        lat = JIANXUE + side * STRIP * rng.uniform(0.35, 0.8)
        positions.append((lng, lat, f"俭学街{i + 1}号"))
    for i in range(70):
        side = 1 if i % 2 == 0 else -1
        t = (i // 2 + 0.5) / 35
        lat = NORTH - END - t * (NORTH - SOUTH - 2 * END)
        if abs(lat - JIANXUE) < STRIP * 1.5:
            lat -= STRIP * 2  # no shop in the middle of the crossing
        lng = WENHUA + side * STRIP * rng.uniform(0.35, 0.8)
        positions.append((lng, lat, f"文化路{101 + i}号"))
    return positions


def build_jianxuejie(actor: User, seed: int = 20141030) -> Node:
    from linli.territory.geo_services import boundaries_import

    rng = random.Random(seed)
    people = People(rng)
    district = Node.objects.filter(code=DISTRICT[0]).first() or node_create(
        actor=actor, kind=NodeKind.DISTRICT, code=DISTRICT[0], name=DISTRICT[1], parent=None
    )
    if not Node.objects.filter(code=STREET[0]).exists():
        node_create(actor=actor, kind=NodeKind.STREET, code=STREET[0], name=STREET[1], parent=district)
    report = boundaries_import(actor=actor, data=feature_collection(), crs=coords.WGS84)
    if not report.ok:
        problems = [(f.code, [p.message for p in f.errors]) for f in report.features if f.errors]
        raise RuntimeError(f"demo boundaries of 俭学街 do not validate: {report.errors} {problems}")
    community = Node.objects.get(code=COMMUNITY[0])
    grids = list(Node.objects.filter(parent=community).order_by("code"))
    ordinary = [g for g in grids if g.kind == NodeKind.GRID]

    # 20 courtyards, five per ordinary grid, each with one to three buildings and a 楼长.
    buildings = []
    for index, name in enumerate(COURTYARD_NAMES[:COURTYARDS]):
        grid = ordinary[index % len(ordinary)]
        number = index // len(ordinary) + 1
        courtyard = node_create(
            actor=actor, kind=NodeKind.COMPOUND, code=f"{grid.code}{number:02d}", name=name, parent=grid
        )
        for b in range(1, rng.randint(1, 3) + 1):
            buildings.append(
                node_create(
                    actor=actor,
                    kind=NodeKind.BUILDING,
                    code=f"{courtyard.code}{b:03d}",
                    name=f"{b}号楼",
                    parent=courtyard,
                )
            )

    started = datetime.date(2014, 6, 1)  # the 四城联创 campaign began in June 2014
    for grid in grids:
        responsibility_appoint(
            actor=actor,
            node=grid,
            duty=Duty.GRID_CHIEF,
            person_name=people.name(),
            phone=people.phone(),
            started_on=started,
        )
        responsibility_appoint(
            actor=actor,
            node=grid,
            duty=Duty.GRID_WORKER,
            person_name=people.name(),
            phone=people.phone(),
            employment=Employment.FULL_TIME,
            started_on=started,
        )
    for grid in ordinary:
        responsibility_appoint(
            actor=actor,
            node=grid,
            duty=Duty.PARTY_ORG,
            person_name=people.name(),
            phone=people.phone(),
            org_kind=PartyOrgKind.GROUP,
            org_name=f"{grid.name}党小组",
            started_on=started,
        )
    for pair in (grids[0:2] + grids[4:5], grids[2:4] + grids[5:7]):
        member, phone = people.name(), people.phone()
        for grid in pair:
            responsibility_appoint(
                actor=actor,
                node=grid,
                duty=Duty.AREA_LEAD,
                person_name=member,
                phone=phone,
                started_on=started,
            )
    for building in buildings:
        responsibility_appoint(
            actor=actor,
            node=building,
            duty=Duty.BUILDING_HEAD,
            person_name=people.name(),
            phone=people.phone(),
            started_on=people.day(started, datetime.date(2024, 12, 31)),
        )

    def record(kind: str, name: str, lng: float, lat: float, address: str, code: str, **extra) -> None:
        place_create(
            actor=actor,
            kind=kind,
            name=name,
            lng=lng,
            lat=lat,
            crs=coords.WGS84,
            address=address,
            credit_code=code,
            contacts=[ContactData(people.name(), extra.pop("role", "负责人"), people.phone())],
            **extra,
        )

    for index, name in enumerate(CO_BUILDING_NAMES[:CO_BUILDING_UNITS]):
        grid_box = [
            (WEST, WENHUA, JIANXUE, NORTH),
            (WENHUA, EAST, JIANXUE, NORTH),
            (WEST, WENHUA, SOUTH, JIANXUE),
            (WENHUA, EAST, SOUTH, JIANXUE),
        ][index % 4]
        lng = grid_box[0] + (grid_box[1] - grid_box[0]) * rng.uniform(0.3, 0.7)
        # North of 俭学街: between its shops and the office buildings' grid.
        low, high = (0.12, 0.25) if index % 4 < 2 else (0.3, 0.7)
        lat = grid_box[2] + (grid_box[3] - grid_box[2]) * rng.uniform(low, high)
        record(
            PlaceKind.CO_BUILDING_UNIT,
            name,
            lng,
            lat,
            f"文化路{index * 12 + 5}号",
            credit_code(rng, "12410000"),
            role="共建联络人",
        )
    for index, name in enumerate(OFFICE_NAMES[:OFFICE_BUILDINGS]):
        record(
            PlaceKind.OFFICE_BUILDING,
            name,
            113.6665 + index * 0.0004,
            34.7911,
            f"文化路{60 + index * 2}号",
            credit_code(rng, "91410105"),
            role="物业经理",
        )

    kinds = rng.sample([True] * SMALL_SHOPS + [False] * (STREET_SHOPS - SMALL_SHOPS), STREET_SHOPS)
    small_kinds = list(SMALL_SHOP_WEIGHTS)
    weights = [SMALL_SHOP_WEIGHTS[k] for k in small_kinds]
    for index, ((lng, lat, address), small) in enumerate(zip(_shop_positions(rng), kinds, strict=True)):
        owner = people.name()
        if small:
            small_kind = rng.choices(small_kinds, weights)[0]
            name = f"{owner[0]}记{rng.choice(SMALL_SHOP_NAMES[small_kind])}"
        else:
            small_kind = ""
            name = f"{rng.choice(['康', '福', '佳', '华', '惠', '鑫', '好', '新'])}{rng.choice(['民', '源', '美', '亿', '家', '乐'])}{rng.choice(OTHER_SHOP_NAMES)}"
        # Some licences predate the unified code (2015): only the old registration number.
        old = index % 16 == 0
        place_create(
            actor=actor,
            kind=PlaceKind.STREET_SHOP,
            name=name,
            small_shop_kind=small_kind,
            lng=lng,
            lat=lat,
            crs=coords.WGS84,
            address=address,
            credit_code="" if old else credit_code(rng, "92410105"),
            old_registration_number=f"410105600{rng.randrange(10**6):06d}" if old else "",
            contacts=[ContactData(owner, "店主", people.phone())],
        )
    audit.record(
        actor=actor,
        action="territory.demo.load",
        target=community,
        after={"courtyards": COURTYARDS, "places": CO_BUILDING_UNITS + OFFICE_BUILDINGS + STREET_SHOPS},
    )
    return community
