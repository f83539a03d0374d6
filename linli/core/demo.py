"""Demo accounts: one per persona, with fixed passwords. They exist only in demo mode."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.territory.models import Node


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    full_name: str
    role: str | None  # None: superuser
    territory_code: str | None


DEMO_ACCOUNTS = [
    DemoAccount("admin", "linli-admin-2026", "系统管理员", None, None),
    DemoAccount("street", "linli-street-2026", "曲晓明", Role.STREET_OFFICER, "370114002"),
    DemoAccount("secretary", "linli-secretary-2026", "徐艳霞", Role.COMMUNITY_SECRETARY, "370114002001"),
    DemoAccount("grid1", "linli-grid1-2026", "毛文秀", Role.GRID_WORKER, "370114002001001"),
    DemoAccount("grid2", "linli-grid2-2026", "张晓菲", Role.GRID_WORKER, "370114002001002"),
    DemoAccount("louzhang", "linli-louzhang-2026", "周杰", Role.BUILDING_HEAD, "37011400200100101001"),
    DemoAccount("resident", "linli-resident-2026", "翟大爷", Role.RESIDENT, "3701140020010010100101"),
    # 财工街社区 (seed 002), whose registry linli/registry/demo.py builds.
    DemoAccount("caigongjie", "linli-caigongjie-2026", "胡凤华", Role.COMMUNITY_SECRETARY, "370811004006"),
    # 禹城市市中街道 (seed 001) and 俭学街社区 (seed 003): linli/territory/demo_*.py.
    DemoAccount("yucheng", "linli-yucheng-2026", "李晓", Role.STREET_OFFICER, "371482001"),
    DemoAccount("jianxuejie", "linli-jianxuejie-2026", "师浩然", Role.COMMUNITY_SECRETARY, "410105002003"),
]


@transaction.atomic
def create_demo_accounts() -> None:
    assert settings.LINLI_DEMO, "demo accounts exist only in demo mode"
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=account.username)
        user.full_name = account.full_name
        user.is_superuser = user.is_staff = account.role is None
        user.set_password(account.password)
        user.save()
        if account.role:
            node = Node.objects.get(code=account.territory_code)
            RoleAssignment.objects.get_or_create(user=user, role=account.role, node=node, ended_at=None)


def demo_accounts_json() -> list[dict]:
    return [
        {
            "username": a.username,
            "password": a.password,
            "roles": [{"role": a.role, "territory": a.territory_code}] if a.role else [],
        }
        for a in DEMO_ACCOUNTS
    ]
