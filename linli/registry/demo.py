"""Demo registry: 济宁市任城区济阳街道财工街社区 (seed 002), deterministic.

The report gives the community's figures, which the statistics page must show exactly:
2,870 households, 8,437 residents, 41 directly managed party members (直管党员), 186
resident party members (住社区党员) and 40 building heads, in three residential compounds
beside a kindergarten, a primary school, a bank and a shopping area.

The places above the dwellings go through territory's node_create like a user's would; the
2,976 dwellings, the households, residents, tags and timeline rows are written in bulk
(8,437 people one by one through the services would take minutes). The bulk path does what
the services do for each row: normalised values, encryption (by the fields), blind indexes,
pinyin keys, last-four columns, a "registered" timeline entry; one audit row records the load.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.core import audit
from linli.core.fields import fill_blind_indexes
from linli.core.identity import check_character
from linli.registry.choices import (
    AddressKind,
    Ethnicity,
    PartyRelation,
    PopulationType,
    Relation,
    Separation,
    TagKind,
    age_on,
    years_before,
)
from linli.registry.models import EventKind, Household, Resident, ResidentEvent, ResidentTag
from linli.registry.pinyin import name_keys
from linli.territory.choices import DedicatedKind, NodeKind
from linli.territory.models import Node
from linli.territory.services import node_create

DISTRICT = ("370811", "济宁市任城区")
STREET = ("370811004", "济阳街道")
COMMUNITY = ("370811004006", "财工街社区")

HOUSEHOLDS = 2870
RESIDENTS = 8437
PARTY_DIRECT = 41
PARTY_RESIDENT = 186
BUILDING_HEADS = 40

# (compound, buildings, units per building, floors, doors per floor): 14 old walk-ups,
# 20 mid-rise and 6 high-rise buildings, 2,976 dwellings for 2,870 households.
COMPOUNDS = [
    ("财工小区", 14, 4, 6, 2),
    ("金桥花园", 20, 2, 12, 3),
    ("运河华府", 6, 2, 18, 4),
]
DEDICATED = [
    (DedicatedKind.SCHOOL, "财工街小学幼儿园专属网格"),
    (DedicatedKind.COMMERCIAL_STREET, "财工街商圈专属网格"),
    (DedicatedKind.OFFICE, "银行网点专属网格"),
]

# Surnames by frequency in Shandong (weights are rough shares per mille).
SURNAMES = [
    ("王", 95),
    ("张", 80),
    ("李", 78),
    ("刘", 62),
    ("陈", 30),
    ("杨", 30),
    ("赵", 28),
    ("孙", 28),
    ("周", 20),
    ("吴", 15),
    ("徐", 22),
    ("马", 18),
    ("胡", 12),
    ("朱", 16),
    ("郭", 16),
    ("高", 20),
    ("何", 8),
    ("林", 8),
    ("宋", 14),
    ("韩", 12),
    ("冯", 9),
    ("曹", 10),
    ("董", 10),
    ("于", 14),
    ("田", 9),
    ("孔", 12),
    ("颜", 6),
    ("孟", 9),
    ("曾", 4),
    ("吕", 7),
    ("魏", 7),
    ("姜", 10),
    ("崔", 7),
    ("程", 6),
    ("丁", 6),
    ("袁", 5),
    ("任", 6),
    ("史", 5),
    ("侯", 5),
    ("邵", 4),
    ("贾", 6),
    ("薛", 4),
    ("闫", 5),
    ("段", 3),
    ("单", 3),
    ("庞", 3),
    ("解", 2),
    ("仇", 2),
    ("翟", 3),
    ("乐", 2),
    ("盖", 2),
    ("欧阳", 1),
    ("司马", 1),
    ("诸葛", 1),
    ("上官", 1),
]
# Given-name characters by sex and by the decade people were born in.
GIVEN = {
    ("M", "old"): "建国明华军德福永文志学庆玉金海春生林山宝忠广成",
    ("F", "old"): "秀英兰桂芳凤玉珍梅淑荣华霞琴云翠萍香菊",
    ("M", "mid"): "伟强磊军勇涛斌刚鹏辉杰峰超波亮健宁东明刚",
    ("F", "mid"): "丽娟静敏燕艳红霞玲萍莉颖洁娜婷慧",
    ("M", "young"): "浩宇轩子涵博泽睿俊晨一航铭嘉奕然昊天",
    ("F", "young"): "欣怡梓涵雨萱诗思佳悦可馨琪瑶彤婉曦",
}
LOCAL_DIVISIONS = ["370811"] * 9 + ["370802"]  # 370802: the old 市中区 code, retired in 2013
SHANDONG_DIVISIONS = ["370830", "370881", "370826", "370828", "370829", "370832", "370883", "371302"]
OTHER_DIVISIONS = ["411302", "320321", "341221", "130682", "410527", "340421", "411425"]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
]
WORKPLACES = [
    "济宁市第一人民医院",
    "济宁银座商城",
    "山推工程机械股份有限公司",
    "如意科技集团",
    "济宁学院",
    "任城区人民政府",
    "中国银行济宁分行",
    "济宁市公交公司",
    "个体经营",
    "自由职业",
    "济宁高新区企业",
    "济宁市税务局",
    "任城区实验小学",
    "济宁市市场监督管理局",
    "济宁港航发展集团",
    "快递网点",
]
SCHOOLS_PRIMARY = ["财工街小学", "任城区实验小学"]
SCHOOLS_SECONDARY = ["济宁市第十三中学", "济宁市第一中学", "济宁市育才中学"]
KINDERGARTEN = "财工街幼儿园"


def citizen_id_for(division: str, birth: datetime.date, sequence: int) -> str:
    """A well-formed GB 11643 number: division, birth date, 3-digit sequence (odd: male),
    check character."""
    first17 = f"{division}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17)


@dataclass
class Person:
    name: str
    sex: str
    birth: datetime.date
    relation: str
    division: str
    tags: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, subtype, evidence)


class _Generator:
    def __init__(self, seed: int, today: datetime.date):
        self.rng = random.Random(seed)
        self.today = today
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        names, weights = zip(*SURNAMES, strict=True)
        self.surnames = list(names)
        self.surname_weights = list(weights)

    def surname(self) -> str:
        return self.rng.choices(self.surnames, self.surname_weights)[0]

    def given(self, sex: str, birth: datetime.date) -> str:
        era = "old" if birth.year < 1965 else "mid" if birth.year < 1990 else "young"
        pool = GIVEN[(sex, era)]
        if self.rng.random() < 0.3:
            return self.rng.choice(pool)
        return self.rng.choice(pool) + self.rng.choice(pool)

    def birth(self, age: int) -> datetime.date:
        """A birth date of someone who is `age` years old today."""
        latest = years_before(self.today, max(0, age))
        return latest - datetime.timedelta(days=self.rng.randrange(0, 365))

    def citizen_id(self, division: str, birth: datetime.date, sex: str) -> str:
        while True:
            sequence = self.rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            number = citizen_id_for(division, birth, sequence)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(0, 10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def person(self, *, surname: str, sex: str, age: int, relation: str, division: str) -> Person:
        birth = self.birth(age)
        return Person(surname + self.given(sex, birth), sex, birth, relation, division)

    def household(self, size: int, division: str, young: bool = False) -> list[Person]:
        """A plausible family of `size` people; the householder first. `young`: people who
        came here to work (floating population), so no elderly couples."""
        rng = self.rng
        other = "F" if rng.random() < 0.82 else "M"  # householders are mostly men here
        head_sex = "M" if other == "F" else "F"
        family = self.surname()
        people: list[Person] = []

        def add(sex: str, age: int, relation: str, surname: str | None = None) -> Person:
            person = self.person(
                surname=surname or family, sex=sex, age=age, relation=relation, division=division
            )
            people.append(person)
            return person

        def spouse(age: int) -> None:
            add(other, age + rng.randint(-4, 3), Relation.SPOUSE, self.surname())

        def child(parent_age: int) -> None:
            sex = rng.choice("MF")
            add(
                sex,
                max(0, parent_age - rng.randint(23, 36)),
                Relation.SON if sex == "M" else Relation.DAUGHTER,
            )

        if size == 1:
            old = rng.random() < (0 if young else 0.6)
            add(head_sex, rng.randint(66, 92) if old else rng.randint(22, 60), Relation.HOUSEHOLDER)
        elif size == 2:
            roll = rng.random() * (0.45 if young else 1) + (0.55 if young else 0)
            if roll < 0.55:
                age = rng.randint(62, 88)
                add(head_sex, age, Relation.HOUSEHOLDER)
                spouse(age)
            elif roll < 0.8:
                age = rng.randint(26, 58)
                add(head_sex, age, Relation.HOUSEHOLDER)
                spouse(age)
            else:
                age = rng.randint(40, 75)
                add(head_sex, age, Relation.HOUSEHOLDER)
                child(age)
        elif size == 3 and rng.random() < 0.04:
            # Grandparents raising a grandchild whose parents work far away (留守儿童).
            age = rng.randint(58, 72)
            add(head_sex, age, Relation.HOUSEHOLDER)
            spouse(age)
            kid = add(rng.choice("MF"), rng.randint(4, 14), Relation.GRANDCHILD)
            kid.tags.append((TagKind.LEFT_BEHIND_CHILD, "", "父母在外务工，由祖父母照料"))
        else:
            age = rng.randint(30, 56) if size >= 3 else rng.randint(26, 58)
            add(head_sex, age, Relation.HOUSEHOLDER)
            spouse(age)
            children = {3: 1, 4: 2, 5: 1, 6: 2}[size]
            parents = {3: 0, 4: 0, 5: 2, 6: 2}[size]
            if size == 4 and rng.random() < 0.4:
                children, parents = 1, 1
            for _ in range(children):
                child(age)
            for i in range(parents):
                sex = "M" if i == 0 else "F"
                relation = Relation.FATHER if sex == "M" else Relation.MOTHER
                add(sex, age + rng.randint(24, 33), relation, family if sex == "M" else self.surname())
        return people


def _sizes(rng: random.Random) -> list[int]:
    sizes = rng.choices([1, 2, 3, 4, 5, 6], [16, 29, 26, 16, 9, 4], k=HOUSEHOLDS)
    total = sum(sizes)
    while total != RESIDENTS:
        i = rng.randrange(HOUSEHOLDS)
        if total < RESIDENTS and 2 <= sizes[i] < 6:
            sizes[i] += 1
            total += 1
        elif total > RESIDENTS and sizes[i] > 2:
            sizes[i] -= 1
            total -= 1
    return sizes


def _update_column(model, column: str, rows: list[tuple]) -> None:
    """UPDATE one column of many rows: [(value, pk)]. bulk_update builds one CASE per batch,
    which is several times slower for thousands of rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s", rows)  # noqa: S608


def _bulk_dwellings(unit: Node, floors: int, doors: int) -> list[Node]:
    rows = [
        Node(
            kind=NodeKind.DWELLING,
            code=f"{unit.code}{floor * 100 + door:04d}",
            name=f"{floor * 100 + door}室",
            parent=unit,
            depth=unit.depth + 1,
            path=f"~{unit.code}{floor * 100 + door:04d}",
        )
        for floor in range(1, floors + 1)
        for door in range(1, doors + 1)
    ]
    return rows


def _build_places(actor: User) -> tuple[Node, list[Node], list[tuple[Node, list[Node]]]]:
    """The tree down to the dwellings: the community, its grids, and per building its
    dwellings."""
    district = Node.objects.filter(code=DISTRICT[0]).first() or node_create(
        actor=actor, kind=NodeKind.DISTRICT, code=DISTRICT[0], name=DISTRICT[1], parent=None
    )
    street = Node.objects.filter(code=STREET[0]).first() or node_create(
        actor=actor, kind=NodeKind.STREET, code=STREET[0], name=STREET[1], parent=district
    )
    community = node_create(
        actor=actor, kind=NodeKind.COMMUNITY, code=COMMUNITY[0], name=COMMUNITY[1], parent=street
    )
    grids: list[Node] = []
    buildings: list[tuple[Node, list[Node]]] = []
    pending: list[Node] = []
    for index, (compound_name, n_buildings, units, floors, doors) in enumerate(COMPOUNDS, start=1):
        grid = node_create(
            actor=actor,
            kind=NodeKind.GRID,
            code=f"{community.code}{index:03d}",
            name=f"财工街第{index}网格",
            parent=community,
        )
        grids.append(grid)
        compound = node_create(
            actor=actor, kind=NodeKind.COMPOUND, code=f"{grid.code}01", name=compound_name, parent=grid
        )
        for b in range(1, n_buildings + 1):
            building = node_create(
                actor=actor,
                kind=NodeKind.BUILDING,
                code=f"{compound.code}{b:03d}",
                name=f"{b}号楼",
                parent=compound,
            )
            dwellings: list[Node] = []
            for u in range(1, units + 1):
                unit = node_create(
                    actor=actor,
                    kind=NodeKind.UNIT,
                    code=f"{building.code}{u:02d}",
                    name=f"{u}单元",
                    parent=building,
                )
                rows = _bulk_dwellings(unit, floors, doors)
                dwellings.extend(rows)
                pending.extend(rows)
            buildings.append((building, dwellings))
    for offset, (kind, name) in enumerate(DEDICATED, start=len(COMPOUNDS) + 1):
        node_create(
            actor=actor,
            kind=NodeKind.DEDICATED_GRID,
            code=f"{community.code}{offset:03d}",
            name=name,
            parent=community,
            dedicated_kind=kind,
        )
    Node.objects.bulk_create(pending, batch_size=1000)
    for node in pending:
        node.path = f"{node.parent.path}{node.pk}/"
    _update_column(Node, "path", [(node.path, node.pk) for node in pending])
    return community, grids, buildings


def _mark_tags(people: list[Person], households: list[list[Person]], gen: _Generator) -> None:
    rng = gen.rng
    today = gen.today

    def age(p: Person) -> int:
        return age_on(p.birth, today)

    for members in households:
        if len(members) == 1 and age(members[0]) >= 60:
            members[0].tags.append((TagKind.LIVING_ALONE, "", "入户走访核实：独自居住"))
        if len(members) == 2 and all(age(p) >= 60 for p in members):
            for p in members:
                p.tags.append((TagKind.EMPTY_NEST, "", "子女不在身边"))
        if rng.random() < 0.012:
            members[0].tags.append((TagKind.SUBSISTENCE, "", "低保证 任城区民政局认定"))
    for p in people:
        if age(p) >= 80:
            p.tags.append((TagKind.VERY_OLD, "", "高龄津贴名册"))
    adults = [p for p in people if age(p) >= 18]
    for p in rng.sample(adults, 190):
        p.tags.append((TagKind.DISABLED, "", f"残疾人证 {rng.choice('一二三四')}级"))
    elderly_alone = [p for p in people if age(p) >= 70 and any(t[0] == TagKind.LIVING_ALONE for t in p.tags)]
    for p in rng.sample(elderly_alone, min(6, len(elderly_alone))):
        p.tags.append((TagKind.EXTREME_POVERTY, "", "特困人员供养证"))
    men = [p for p in people if p.sex == "M" and age(p) >= 38]
    for p in rng.sample(men, 84):
        p.tags.append((TagKind.VETERAN, "", "退役军人优待证"))
    members = rng.sample([p for p in people if age(p) >= 25], PARTY_DIRECT + PARTY_RESIDENT)
    for i, p in enumerate(members):
        subtype = PartyRelation.DIRECT if i < PARTY_DIRECT else PartyRelation.RESIDENT
        note = "组织关系在社区党委" if subtype == PartyRelation.DIRECT else "在职党员，到社区报到"
        p.tags.append((TagKind.PARTY_MEMBER, subtype, note))
    five_elders = [p for p in members if age(p) >= 65]
    for p in five_elders[:24]:
        p.tags.append(
            (TagKind.FIVE_ELDERS, "", rng.choice(["老干部", "老战士", "老教师", "老专家", "老模范"]))
        )
    mothers = [p for p in people if p.sex == "F" and 45 <= age(p) <= 60]
    for p in rng.sample(mothers, 45):
        p.tags.append((TagKind.FAMILY_PLANNING, "", "独生子女父母奖励扶助"))


def _workplace(gen: _Generator, years: int) -> str:
    if years < 3:
        return ""
    if years < 6:
        return KINDERGARTEN
    if years < 12:
        return gen.rng.choice(SCHOOLS_PRIMARY)
    if years < 18:
        return gen.rng.choice(SCHOOLS_SECONDARY)
    if years < 60 and gen.rng.random() < 0.85:
        return gen.rng.choice(WORKPLACES)
    return ""


@transaction.atomic
def build_caigongjie(actor: User, seed: int = 20201108) -> Node:
    """Build 财工街社区 with its registry. Returns the community node."""
    today = timezone.localdate()
    gen = _Generator(seed, today)
    rng = gen.rng
    community, grids, buildings = _build_places(actor)

    all_dwellings = [d for _, dwellings in buildings for d in dwellings]
    vacant = set(rng.sample(range(len(all_dwellings)), len(all_dwellings) - HOUSEHOLDS))
    occupied = [d for i, d in enumerate(all_dwellings) if i not in vacant]

    families: list[list[Person]] = []
    kinds: list[str] = []
    for size in _sizes(rng):
        roll = rng.random()
        kind = (
            PopulationType.REGISTERED
            if roll < 0.84
            else PopulationType.RESIDENT
            if roll < 0.94
            else PopulationType.FLOATING
        )
        if kind == PopulationType.REGISTERED:
            division = rng.choice(LOCAL_DIVISIONS)
        elif kind == PopulationType.RESIDENT:
            division = rng.choice(SHANDONG_DIVISIONS)
        else:
            division = rng.choice(OTHER_DIVISIONS)
        families.append(gen.household(size, division, young=kind == PopulationType.FLOATING))
        kinds.append(kind)
    people = [p for family in families for p in family]
    assert len(people) == RESIDENTS, len(people)
    _mark_tags(people, families, gen)

    households = [
        Household(
            dwelling=dwelling,
            address_kind=AddressKind.REGISTERED
            if kind == PopulationType.REGISTERED
            else AddressKind.RESIDENCE,
            created_by=actor,
        )
        for dwelling, kind in zip(occupied, kinds, strict=True)
    ]
    Household.objects.bulk_create(households, batch_size=1000)

    pinyin_cache: dict[str, tuple[str, str]] = {}
    residents: list[Resident] = []
    tag_rows: list[tuple[int, tuple[str, str, str]]] = []
    for household, family, kind in zip(households, families, kinds, strict=True):
        moved_in = today - datetime.timedelta(days=rng.randrange(200, 365 * 30))
        for person in family:
            years = age_on(person.birth, today)
            number = gen.citizen_id(person.division, person.birth, person.sex)
            phone = gen.phone() if years >= 16 and rng.random() < (0.9 if years < 75 else 0.6) else ""
            separation = (
                Separation.HERE
                if kind != PopulationType.REGISTERED
                else (Separation.AWAY if rng.random() < 0.02 else Separation.NONE)
            )
            if person.name not in pinyin_cache:
                pinyin_cache[person.name] = name_keys(person.name)
            resident = Resident(
                household=household,
                node=household.dwelling,
                relation=person.relation,
                name=person.name,
                citizen_id=number,
                birth_date=person.birth,
                sex=person.sex,
                ethnicity=Ethnicity.HUI if rng.random() < 0.012 else Ethnicity.HAN,
                phone=phone,
                population_type=kind,
                separation=separation,
                workplace=_workplace(gen, years),
                moved_in_on=max(moved_in, person.birth),
            )
            resident.name_pinyin, resident.name_initials = pinyin_cache[person.name]
            resident.citizen_id_last4 = number[-4:]
            resident.phone_last4 = phone[-4:]
            fill_blind_indexes(resident)
            residents.append(resident)
            for tag in person.tags:
                tag_rows.append((len(residents) - 1, tag))
    Resident.objects.bulk_create(residents, batch_size=1000)

    _update_column(
        Household,
        "householder_id",
        [(r.pk, r.household.pk) for r in residents if r.relation == Relation.HOUSEHOLDER],
    )

    now = timezone.now()
    tags = []
    for index, (kind, subtype, evidence) in tag_rows:
        tag = ResidentTag(
            resident=residents[index],
            kind=kind,
            subtype=subtype,
            evidence=evidence,
            started_on=today - datetime.timedelta(days=rng.randrange(30, 3650)),
            set_by=actor,
            set_at=now,
        )
        fill_blind_indexes(tag)
        tags.append(tag)
    ResidentTag.objects.bulk_create(tags, batch_size=1000)
    name = actor.full_name or actor.username
    ResidentEvent.objects.bulk_create(
        [
            ResidentEvent(
                resident=r, kind=EventKind.CREATED, actor=actor, actor_name=name, at=now, note="demo data"
            )
            for r in residents
        ],
        batch_size=2000,
    )

    heads = _building_heads(buildings, residents, gen)
    audit.record(
        actor=actor,
        action="registry.demo.load",
        target=community,
        after={
            "households": len(households),
            "residents": len(residents),
            "tags": len(tags),
            "building_heads": heads,
        },
    )
    return community


def _building_heads(
    buildings: list[tuple[Node, list[Node]]], residents: list[Resident], gen: _Generator
) -> int:
    """One building head (楼长) per building, a resident of it, as an account without a
    password: they are people in the data, not demo logins."""
    by_building: dict[int, list[Resident]] = {}
    dwelling_building = {d.pk: b.pk for b, dwellings in buildings for d in dwellings}
    for r in residents:
        years = age_on(r.birth_date, gen.today)
        if 45 <= years <= 72:
            by_building.setdefault(dwelling_building[r.node_id], []).append(r)
    users = []
    for index, (building, _dwellings) in enumerate(buildings, start=1):
        person = gen.rng.choice(by_building[building.pk])
        user = User(username=f"cgj-louzhang-{index:02d}", full_name=person.name)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith="cgj-louzhang-").order_by("username"))
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=user, role=Role.BUILDING_HEAD, node=building)
            for user, (building, _d) in zip(users, buildings, strict=True)
        ]
    )
    return len(users)
