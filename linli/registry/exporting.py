"""Residents to xlsx (issue 5, item 6): the residents under one place that the user may see,
in the import template's columns (so an export can be edited and imported again), masked
unless the user may reveal and asks for full values with a reason. Every export is an
audit row with its row count; a full-value export is also a "pii.reveal"-like row with the
reason, never the values."""

from __future__ import annotations

import io

from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import OutOfScope, PermissionDenied
from linli.core.masking import mask_citizen_id, mask_phone
from linli.core.reveal import REVEAL_ACTION, clean_reason
from linli.registry.choices import Ethnicity, PopulationType, Sex
from linli.registry.importing import ETHNIC_NAMES, RELATION_NAMES
from linli.registry.models import Resident
from linli.registry.selectors import ADDRESS_SELECT, address_label
from linli.territory.models import Node

HEADERS = [
    "姓名",
    "公民身份号码",
    "与户主关系",
    "性别",
    "出生日期",
    "民族",
    "联系电话",
    "住址/房号",
    "人口类型",
    "工作单位",
]
RELATION_LABELS = {}
for _name, _code in RELATION_NAMES.items():
    RELATION_LABELS.setdefault(_code, _name)
POPULATION_LABELS = {
    PopulationType.REGISTERED: "户籍人口",
    PopulationType.RESIDENT: "常住人口",
    PopulationType.FLOATING: "流动人口",
}
SEX_LABELS = {Sex.MALE: "男", Sex.FEMALE: "女"}


def may_export(user: User, place: Node) -> bool:
    return user.is_superuser or user.grants.allows("resident", "export", place.path)


def may_export_full(user: User, place: Node) -> bool:
    return user.is_superuser or user.grants.allows("resident", REVEAL_ACTION, place.path)


def _ethnic_label(code: str) -> str:
    try:
        return ETHNIC_NAMES[int(code) - 1] + "族"
    except (ValueError, IndexError):
        return str(Ethnicity(code).label) if code in Ethnicity.values else code


@transaction.atomic
def export_residents(
    *, actor: User, place: Node, full: bool = False, reason: str = "", request=None
) -> tuple[bytes, int]:
    """The xlsx and its row count."""
    if not Node.objects.restrict(actor, "view").filter(pk=place.pk).exists():
        raise OutOfScope
    if not may_export(actor, place):
        raise PermissionDenied
    if full:
        if not may_export_full(actor, place):
            raise PermissionDenied
        reason = clean_reason(reason)
    residents = (
        Resident.objects.restrict(actor, "view")
        .active()
        .filter(node__path__startswith=place.path)
        .select_related(ADDRESS_SELECT)
        .order_by("node__path", "household_id", "relation", "pk")
    )
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = workbook.add_worksheet("居民")
    bold = workbook.add_format({"bold": True})
    for position, text in enumerate(HEADERS):
        sheet.write_string(0, position, text, bold)
        sheet.set_column(position, position, 14)
    count = 0
    for count, person in enumerate(residents.iterator(chunk_size=2000), start=1):
        citizen_id = person.citizen_id if full else mask_citizen_id(person.citizen_id)
        phone = person.phone if full else mask_phone(person.phone)
        values = [
            person.name,
            citizen_id,
            RELATION_LABELS.get(person.relation, person.relation),
            SEX_LABELS.get(person.sex, ""),
            person.birth_date.isoformat() if person.birth_date else "",
            _ethnic_label(person.ethnicity),
            phone,
            address_label(person.node),
            POPULATION_LABELS.get(person.population_type, person.population_type),
            person.workplace,
        ]
        for position, value in enumerate(values):
            sheet.write_string(count, position, value or "")
    workbook.close()
    audit.record(
        actor=actor,
        action="registry.export.full" if full else "registry.export",
        target=place,
        after={"rows": count, "full": full},
        reason=reason,
        request=request,
    )
    return buffer.getvalue(), count


def export_error_message() -> str:
    return _("You may not export residents here.")
