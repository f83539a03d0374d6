"""Test personas on a small territory every test can use.

370114 章丘区
└─ 370114002 双山街道                      street officer: street
   ├─ 370114002001 新世纪社区              community secretary: secretary
   │  ├─ …001001 第一网格                  grid worker A: grid_a
   │  │  └─ 小区 › 1号楼 › 1单元 › 101, 102   building head: louzhang (1号楼)
   │  └─ …001002 第二网格                  grid worker B: grid_b
   │     └─ 小区 › 1号楼 › 1单元 › 101
   └─ 370114002002 东山社区
      └─ …002001 东山第一网格
resident: a resident of grid A's 101; outsider: an account with no role at all.
"""

from dataclasses import dataclass

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.territory.choices import NodeKind
from linli.territory.models import Node
from linli.territory.services import node_create

PASSWORD = "correct-horse-battery-9"


@dataclass
class World:
    root: User
    district: Node
    street: Node
    community: Node
    other_community: Node
    grid_a: Node
    grid_b: Node
    other_grid: Node
    building_a: Node
    dwelling_a: Node
    dwelling_a2: Node
    dwelling_b: Node
    street_officer: User
    secretary: User
    grid_worker_a: User
    grid_worker_b: User
    building_head: User
    resident: User
    outsider: User

    def personas(self) -> dict[str, User]:
        return {
            "street_officer": self.street_officer,
            "secretary": self.secretary,
            "grid_worker_a": self.grid_worker_a,
            "grid_worker_b": self.grid_worker_b,
            "building_head": self.building_head,
            "resident": self.resident,
            "outsider": self.outsider,
        }


def make_user(username: str, role: str | None = None, node: Node | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if role and node:
        RoleAssignment.objects.create(user=user, role=role, node=node)
    return user


def _chain(root: User, grid: Node, rooms: list[int]) -> tuple[Node, list[Node]]:
    compound = node_create(
        actor=root, kind=NodeKind.COMPOUND, code=f"{grid.code}01", name="小区", parent=grid
    )
    building = node_create(
        actor=root, kind=NodeKind.BUILDING, code=f"{compound.code}001", name="1号楼", parent=compound
    )
    unit = node_create(
        actor=root, kind=NodeKind.UNIT, code=f"{building.code}01", name="1单元", parent=building
    )
    dwellings = [
        node_create(
            actor=root, kind=NodeKind.DWELLING, code=f"{unit.code}{r:04d}", name=f"{r}室", parent=unit
        )
        for r in rooms
    ]
    return building, dwellings


def build_world() -> World:
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    district = node_create(actor=root, kind=NodeKind.DISTRICT, code="370114", name="章丘区", parent=None)
    street = node_create(actor=root, kind=NodeKind.STREET, code="370114002", name="双山街道", parent=district)
    community = node_create(
        actor=root, kind=NodeKind.COMMUNITY, code="370114002001", name="新世纪社区", parent=street
    )
    other_community = node_create(
        actor=root, kind=NodeKind.COMMUNITY, code="370114002002", name="东山社区", parent=street
    )
    grid_a = node_create(
        actor=root, kind=NodeKind.GRID, code="370114002001001", name="第一网格", parent=community
    )
    grid_b = node_create(
        actor=root, kind=NodeKind.GRID, code="370114002001002", name="第二网格", parent=community
    )
    other_grid = node_create(
        actor=root, kind=NodeKind.GRID, code="370114002002001", name="东山第一网格", parent=other_community
    )
    building_a, (dwelling_a, dwelling_a2) = _chain(root, grid_a, [101, 102])
    _, (dwelling_b,) = _chain(root, grid_b, [101])
    return World(
        root=root,
        district=district,
        street=street,
        community=community,
        other_community=other_community,
        grid_a=grid_a,
        grid_b=grid_b,
        other_grid=other_grid,
        building_a=building_a,
        dwelling_a=dwelling_a,
        dwelling_a2=dwelling_a2,
        dwelling_b=dwelling_b,
        street_officer=make_user("street", Role.STREET_OFFICER, street),
        secretary=make_user("secretary", Role.COMMUNITY_SECRETARY, community),
        grid_worker_a=make_user("grid_a", Role.GRID_WORKER, grid_a),
        grid_worker_b=make_user("grid_b", Role.GRID_WORKER, grid_b),
        building_head=make_user("louzhang", Role.BUILDING_HEAD, building_a),
        resident=make_user("resident", Role.RESIDENT, dwelling_a),
        outsider=make_user("outsider"),
    )
