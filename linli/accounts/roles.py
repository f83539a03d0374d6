"""Roles and what they may do: the one readable table of grants.

A role assignment binds a role to one territory node; every grant applies to that node's
subtree. Actions: view, add, change, delete, reveal (see personal data in full), export,
supervise (urge, escalate, compare), administer (accounts and roles).

The registry (linli/registry) has three kinds of record: "household", "resident" and
"resident_tag". Tags (独居老人, 低保, 残疾人, 党员 ...) are sensitive personal information:
only the roles that do casework with them see them in their area (street officer,
community secretary, two-committee member, social worker, grid chief, grid worker).
Building heads see the households and residents of their building, masked, and no tags.
Revealing a full citizen ID or phone ("resident", "reveal") is for the street officer and
the community secretary only.

Appeals (linli/appeals): "appeal" covers appeals, departments and practical projects. The
roles that handle appeals may reveal a reporter's phone ("appeal", "reveal": they have to
call back), with a reason and an audit row. Department liaisons hold no "appeal" grant:
they see and work on the appeals assigned to their department (AppealQuerySet.restrict).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

ACTIONS = ("view", "add", "change", "delete", "reveal", "export", "supervise", "administer")


class Role(models.TextChoices):
    STREET_OFFICER = "street_officer", _("Street officer")
    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary")
    COMMITTEE_MEMBER = "committee_member", _("Two-committee member")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    GRID_CHIEF = "grid_chief", _("Grid chief")
    GRID_WORKER = "grid_worker", _("Grid worker")
    BUILDING_HEAD = "building_head", _("Building head")
    VOLUNTEER = "volunteer", _("Volunteer")
    MEDIATOR = "mediator", _("Mediator")
    DEPARTMENT_LIAISON = "department_liaison", _("Department liaison")
    PARTNER_CONTACT = "partner_contact", _("Partner contact")
    RESIDENT = "resident", _("Resident")


ALL = set(ACTIONS)
RUN = {"view", "add", "change", "delete", "export", "supervise"}
WORK = {"view", "add", "change"}
SEE = {"view"}

# role -> record kind -> actions. A kind missing from a role's row means no access.
GRANTS: dict[str, dict[str, set[str]]] = {
    Role.STREET_OFFICER: {
        "territory": RUN,
        "account": {"view", "add", "change", "administer"},
        "audit": SEE,
        "household": RUN,
        "resident": RUN | {"reveal"},
        "resident_tag": RUN,
        "appeal": RUN | {"reveal"},
        "visit": RUN,
    },
    Role.COMMUNITY_SECRETARY: {
        "territory": RUN,
        "account": {"view", "add", "change", "administer"},
        "audit": SEE,
        "household": RUN,
        "resident": RUN | {"reveal"},
        "resident_tag": RUN,
        "appeal": RUN | {"reveal"},
        "visit": RUN,
    },
    Role.COMMITTEE_MEMBER: {
        "territory": SEE,
        "household": WORK,
        "resident": WORK | {"export"},
        "resident_tag": WORK,
        "appeal": WORK | {"supervise", "reveal"},
        "visit": WORK,
    },
    Role.SOCIAL_WORKER: {
        "territory": SEE,
        "household": WORK,
        "resident": WORK,
        "resident_tag": WORK,
        "appeal": WORK | {"reveal"},
        "visit": WORK,
    },
    Role.GRID_CHIEF: {
        "territory": WORK,
        "household": WORK,
        "resident": WORK,
        "resident_tag": WORK,
        "appeal": WORK | {"reveal"},
        "visit": WORK,
    },
    Role.GRID_WORKER: {
        "territory": SEE,
        "household": WORK,
        "resident": WORK,
        "resident_tag": WORK,
        "appeal": WORK | {"reveal"},
        "visit": WORK,
    },
    Role.BUILDING_HEAD: {
        "territory": SEE,
        # Their building's households and residents, masked; no tags (see the top).
        "household": SEE,
        "resident": SEE,
        "appeal": {"view", "add"},
    },
    Role.VOLUNTEER: {"territory": SEE},
    Role.MEDIATOR: {"territory": SEE},
    # Liaisons see only what is routed to them (appeals): nothing of the territory's records.
    Role.DEPARTMENT_LIAISON: {"territory": SEE},
    Role.PARTNER_CONTACT: {"territory": SEE},
    Role.RESIDENT: {},
}

# Roles that administer others must use two-factor authentication (LINLI_REQUIRE_2FA).
ADMINISTRATOR_ROLES = {Role.STREET_OFFICER, Role.COMMUNITY_SECRETARY}


def actions_for(role: str, kind: str) -> set[str]:
    return GRANTS.get(role, {}).get(kind, set())


class Grants:
    """The user's grants, computed once per request (cached on the user object)."""

    def __init__(self, assignments: list[tuple[str, str]]):
        # [(role, node_path)], only active assignments on active nodes.
        self.assignments = assignments
        self._cache: dict[tuple[str, str], list[str]] = {}

    def paths(self, kind: str, action: str) -> list[str]:
        key = (kind, action)
        if key not in self._cache:
            paths = sorted({path for role, path in self.assignments if action in actions_for(role, kind)})
            # A path already covered by a shorter one adds nothing to the filter.
            self._cache[key] = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
        return self._cache[key]

    def allows(self, kind: str, action: str, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths(kind, action))

    def roles(self) -> set[str]:
        return {role for role, _ in self.assignments}
