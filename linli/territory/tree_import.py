"""The territory tree from a spreadsheet: one row per place (street, community, grid,
compound, building, unit, dwelling), with its kind, code, name and parent code.

Every row is checked first and the answer is given row by row; places are created only when
no row has an error, in one transaction, through node_create (codes validated, audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core.errors import DomainError
from linli.core.spreadsheets import Column, read_sheet, template_workbook
from linli.territory.choices import ALLOWED_PARENTS, DedicatedKind, NodeKind
from linli.territory.codes import normalise_code
from linli.territory.models import Node
from linli.territory.services import node_create

IMPORTABLE = [
    NodeKind.STREET,
    NodeKind.COMMUNITY,
    NodeKind.GRID,
    NodeKind.DEDICATED_GRID,
    NodeKind.COMPOUND,
    NodeKind.BUILDING,
    NodeKind.UNIT,
    NodeKind.DWELLING,
]
# Chinese labels people type, besides the values and the translated labels.
KIND_ALIASES = {
    "街道": NodeKind.STREET,
    "社区": NodeKind.COMMUNITY,
    "网格": NodeKind.GRID,
    "基础网格": NodeKind.GRID,
    "专属网格": NodeKind.DEDICATED_GRID,
    "小区": NodeKind.COMPOUND,
    "楼院": NodeKind.COMPOUND,
    "小区/楼院": NodeKind.COMPOUND,
    "楼栋": NodeKind.BUILDING,
    "楼": NodeKind.BUILDING,
    "单元": NodeKind.UNIT,
    "房屋": NodeKind.DWELLING,
    "户": NodeKind.DWELLING,
}
DEDICATED_ALIASES = {
    "学校": "school",
    "市场": "market",
    "写字楼": "office",
    "商业街": "commercial_street",
    "其他": "other",
}

COLUMNS = [
    Column(
        "kind",
        ("类型", "层级", "kind"),
        required=True,
        choices=("街道", "社区", "网格", "专属网格", "小区", "楼栋", "单元", "房屋"),
    ),
    Column(
        "code",
        ("编码", "代码", "code"),
        required=True,
        help="社区为12位统计用区划代码；下级在上级编码后追加：网格3位、小区2位、楼栋3位、单元2位、房屋4位",
    ),
    Column("name", ("名称", "name"), required=True),
    Column("parent_code", ("上级编码", "上级代码", "parent_code", "parent code"), required=True),
    Column("dedicated_kind", ("专属网格类型", "dedicated_kind"), choices=tuple(DEDICATED_ALIASES)),
]


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class TreeImportReport:
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False


def _kind(value: str) -> str | None:
    value = value.strip()
    if value in NodeKind.values:
        return value
    if value in KIND_ALIASES:
        return KIND_ALIASES[value]
    for kind in NodeKind:
        if value == str(kind.label):
            return kind.value
    return None


def tree_import(*, actor: User, upload, filename: str, dry_run: bool, request=None) -> TreeImportReport:
    sheet = read_sheet(upload, filename, COLUMNS)
    report = TreeImportReport(rows=len(sheet.rows))
    planned: dict[str, tuple[int, dict]] = {}
    for row_number, values in sheet.rows:
        kind = _kind(values["kind"])
        code = normalise_code(values["code"])
        parent_code = normalise_code(values["parent_code"])
        if kind is None or kind not in IMPORTABLE:
            report.errors.append(
                RowError(row_number, "类型", _("Unknown kind %(kind)s.") % {"kind": values["kind"] or "—"})
            )
            continue
        if not code:
            report.errors.append(RowError(row_number, "编码", _("A code is required.")))
            continue
        if not values["name"]:
            report.errors.append(RowError(row_number, "名称", _("A name is required.")))
        if code in planned:
            report.errors.append(
                RowError(
                    row_number,
                    "编码",
                    _("The code %(code)s is already on row %(row)d.")
                    % {"code": code, "row": planned[code][0]},
                )
            )
            continue
        dedicated = DEDICATED_ALIASES.get(values.get("dedicated_kind", ""), values.get("dedicated_kind", ""))
        if kind == NodeKind.DEDICATED_GRID and dedicated not in DedicatedKind.values:
            report.errors.append(
                RowError(row_number, "专属网格类型", _("Say what the dedicated grid serves."))
            )
        planned[code] = (
            row_number,
            {
                "kind": kind,
                "code": code,
                "name": values["name"],
                "parent_code": parent_code,
                "dedicated_kind": dedicated,
            },
        )

    existing = {
        n.code: n
        for n in Node.objects.filter(code__in=[p["parent_code"] for _, p in planned.values()] + list(planned))
    }
    for code, (row_number, place) in planned.items():
        if code in existing:
            report.errors.append(
                RowError(row_number, "编码", _("The code %(code)s is already in use.") % {"code": code})
            )
        parent_code = place["parent_code"]
        if parent_code in planned:
            parent_kind = planned[parent_code][1]["kind"]
        elif parent_code in existing:
            parent = existing[parent_code]
            parent_kind = parent.kind
            if not (actor.is_superuser or actor.grants.allows("territory", "add", parent.path)):
                report.errors.append(
                    RowError(
                        row_number,
                        "上级编码",
                        _("You may not add places under %(code)s.") % {"code": parent_code},
                    )
                )
                continue
        else:
            report.errors.append(
                RowError(
                    row_number,
                    "上级编码",
                    _("The parent code %(code)s is neither in the file nor a place in your area.")
                    % {"code": parent_code or "—"},
                )
            )
            continue
        if parent_kind not in ALLOWED_PARENTS[place["kind"]]:
            report.errors.append(
                RowError(
                    row_number,
                    "类型",
                    _("A %(kind)s cannot be placed under a %(parent)s.")
                    % {"kind": NodeKind(place["kind"]).label, "parent": NodeKind(parent_kind).label},
                )
            )
    if report.errors or dry_run:
        report.errors.sort(key=lambda e: e.row)
        return report
    with transaction.atomic():
        created: dict[str, Node] = {}
        for code, (row_number, place) in _parents_first(planned):
            # Kinds only ever nest downwards, so rows that name each other as parents were
            # already refused above: every parent is created before its children or exists.
            parent = created.get(place["parent_code"]) or existing[place["parent_code"]]
            try:
                created[code] = node_create(
                    actor=actor,
                    kind=place["kind"],
                    code=code,
                    name=place["name"],
                    parent=parent,
                    dedicated_kind=place["dedicated_kind"],
                    request=request,
                )
            except DomainError as exc:
                report.errors.append(RowError(row_number, "编码", str(exc.message)))
        if report.errors:
            # All or nothing: a half-written tree is worse than none.
            transaction.set_rollback(True)
            return report
    report.created = len(created)
    report.imported = True
    return report


def _parents_first(planned: dict[str, tuple[int, dict]]):
    pending = dict(planned)
    while pending:
        ready = [code for code, (_, p) in pending.items() if p["parent_code"] not in pending]
        for code in sorted(ready, key=lambda c: pending[c][0]):
            yield code, pending.pop(code)
        if not ready:  # a cycle of parent codes: leave them for the row errors
            for code in list(pending):
                row, place = pending.pop(code)
                yield code, (row, place)


def template_xlsx() -> bytes:
    return template_workbook(
        title="辖区",
        columns=COLUMNS,
        instructions=[
            "每行一个地点：街道、社区、网格、专属网格、小区、楼栋、单元、房屋。",
            "类型、编码、名称、上级编码为必填；专属网格另填专属网格类型（学校、市场、写字楼、商业街、其他）。",
            "社区编码为12位统计用区划代码（6位行政区划+3位街道+3位社区）。",
            "下级编码在上级编码后追加：网格3位（自西向东、自北向南编号）、小区2位、楼栋3位、单元2位、房屋4位（如301室写0301）。",
            "上级可以是系统中已有的地点，也可以是本表中的另一行，顺序不限。",
            "只要有一行出错，整张表都不会导入；请按检查结果逐行修改后再导入。",
        ],
        examples=[
            ["网格", "370114002001006", "新世纪第六网格", "370114002001", ""],
            ["小区", "37011400200100601", "幸福小区", "370114002001006", ""],
            ["楼栋", "37011400200100601001", "1号楼", "37011400200100601", ""],
        ],
    )
