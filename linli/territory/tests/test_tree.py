import pytest

from linli.core.errors import PermissionDenied, ValidationFailed
from linli.core.models import AuditEntry
from linli.territory.choices import NodeKind
from linli.territory.codes import validate_code
from linli.territory.models import Node
from linli.territory.services import node_create, node_rename


def test_paths_are_materialised_from_ids(world):
    assert world.grid_a.path == f"{world.community.path}{world.grid_a.pk}/"
    assert world.dwelling_a.path.startswith(world.grid_a.path)
    assert world.dwelling_a.depth == 7


@pytest.mark.parametrize(
    ("kind", "code", "parent_code", "message"),
    [
        (NodeKind.COMMUNITY, "37011400200", "370114002", "12-digit"),
        (NodeKind.COMMUNITY, "3701140020011", "370114002", "12-digit"),
        (NodeKind.COMMUNITY, "370114003001", "370114002", "begin with"),
        (NodeKind.COMMUNITY, "370114002000", "370114002", "cannot all be zero"),
        (NodeKind.GRID, "37011400200101", "370114002001", "must have 15 digits"),
        (NodeKind.GRID, "37011400200100A", "370114002001", "digits only"),
    ],
)
def test_bad_codes_are_refused_with_a_reason(kind, code, parent_code, message):
    with pytest.raises(ValidationFailed, match=message):
        validate_code(kind=kind, code=code, parent_code=parent_code)


def test_full_width_digits_are_normalised():
    assert validate_code(
        kind=NodeKind.COMMUNITY, code="３７０１１４００２００３", parent_code="370114002"
    ) == ("370114002003")


def test_grid_cannot_hang_directly_under_a_street(world):
    with pytest.raises(ValidationFailed, match="cannot be placed under"):
        node_create(actor=world.root, kind=NodeKind.GRID, code="370114002009", name="x", parent=world.street)
    assert not Node.objects.filter(code="370114002009").exists()


def test_duplicate_code_is_refused(world):
    with pytest.raises(ValidationFailed, match="already in use"):
        node_create(
            actor=world.root, kind=NodeKind.GRID, code=world.grid_a.code, name="again", parent=world.community
        )


def test_create_writes_an_audit_row(world):
    node = node_create(
        actor=world.secretary,
        kind=NodeKind.GRID,
        code="370114002001003",
        name="第三网格",
        parent=world.community,
    )
    entry = AuditEntry.objects.get(action="territory.node.create", target_id=str(node.pk))
    assert entry.actor == world.secretary
    assert entry.node_path == node.path


def test_grid_worker_cannot_create_places(world):
    with pytest.raises(PermissionDenied):
        node_create(
            actor=world.grid_worker_a,
            kind=NodeKind.COMPOUND,
            code=f"{world.grid_a.code}09",
            name="x",
            parent=world.grid_a,
        )


def test_secretary_cannot_add_under_another_community(world):
    with pytest.raises(PermissionDenied):
        node_create(
            actor=world.secretary,
            kind=NodeKind.GRID,
            code="370114002002005",
            name="x",
            parent=world.other_community,
        )


def test_rename_is_audited_with_before_and_after(world):
    node_rename(actor=world.secretary, node=world.grid_a, name="一网格")
    entry = AuditEntry.objects.get(action="territory.node.rename")
    assert entry.changes == {"before": {"name": "第一网格"}, "after": {"name": "一网格"}}
