"""12345 hotline tickets: one at a time from the JSON webhook, or many from the ticket
spreadsheet the hotline centre sends (xlsx/xls/ods read with python-calamine, or CSV in
UTF-8 or GBK). Either way each ticket goes through services.appeal_register with source
"hotline" and the ticket number as its reference: the same ticket twice is one appeal.

The place is taken, in this order, from a territory code column, from coordinates, or
from the address text matched against the names of compounds, buildings, units and
dwellings in the importer's area (selectors.place_for_address).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.appeals import selectors, services
from linli.appeals.choices import Source, Urgency
from linli.appeals.models import Appeal, Category
from linli.core.errors import Conflict, DomainError, OutOfScope, ValidationFailed
from linli.territory.models import Node

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024

# Column headings as hotline exports spell them → our field names.
HEADINGS = {
    "ticket": ["工单编号", "工单号", "工单号码", "ticket", "ticket_no"],
    "title": ["标题", "诉求标题", "工单标题", "title"],
    "description": ["诉求内容", "内容", "来电内容", "问题描述", "description"],
    "category": ["分类", "诉求分类", "问题分类", "category"],
    "urgency": ["紧急程度", "urgency"],
    "address": ["地址", "事发地址", "诉求地址", "address"],
    "place_code": ["地点编码", "网格编码", "区划编码", "place_code"],
    "lng": ["经度", "lng", "longitude"],
    "lat": ["纬度", "lat", "latitude"],
    "reporter_name": ["来电人", "联系人", "姓名", "reporter_name"],
    "reporter_phone": ["来电号码", "联系电话", "电话", "reporter_phone"],
    "received_at": ["受理时间", "来电时间", "received_at"],
}
URGENCY_WORDS = {
    "一般": Urgency.NORMAL,
    "紧急": Urgency.URGENT,
    "特急": Urgency.CRITICAL,
    **{u: u for u in Urgency.values},
}


@dataclass
class Ticket:
    ticket: str
    title: str = ""
    description: str = ""
    category: str = ""
    urgency: str = ""
    address: str = ""
    place_code: str = ""
    lng: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    reporter_name: str = ""
    reporter_phone: str = ""
    received_at: datetime.datetime | None = None


def _category(value: str) -> Category | None:
    value = (value or "").strip()
    if not value:
        return None
    # "物业管理/电梯故障" or "电梯故障" or a code.
    name = value.replace("／", "/").split("/")[-1].strip()
    return (
        Category.objects.filter(code=value, active=True).first()
        or Category.objects.filter(name=name, active=True).order_by("parent_id").first()
    )


def _place(actor: User, ticket: Ticket) -> Node | None:
    if ticket.place_code:
        node = Node.objects.restrict(actor, "view").filter(code=ticket.place_code.strip()).first()
        if node is None:
            # Outside the caller's area and non-existent look the same (404).
            raise OutOfScope(_("No place with this code in your area."))
        return node
    if ticket.lng is not None and ticket.lat is not None:
        return None  # located from the point by the service
    node = selectors.place_for_address(user=actor, address=ticket.address)
    if node is None:
        raise ValidationFailed(
            _("The address matches no place in your area; add a place code column."),
            code="place_not_found",
            field="address",
        )
    return node


def intake_ticket(*, actor: User, ticket: Ticket, request=None) -> tuple[Appeal, bool]:
    """Register one hotline ticket (idempotent on the ticket number)."""
    number = (ticket.ticket or "").strip()
    if not number:
        raise ValidationFailed(_("The ticket number is missing."), code="ticket_required", field="ticket")
    urgency = URGENCY_WORDS.get((ticket.urgency or "").strip(), Urgency.NORMAL)
    existing = services._existing(Source.HOTLINE, number[:64], actor)
    if existing is not None:
        return existing, False
    return services.appeal_register(
        actor=actor,
        source=Source.HOTLINE,
        source_ref=number,
        title=ticket.title or (ticket.description or "")[:40],
        description=ticket.description,
        category=_category(ticket.category),
        urgency=urgency,
        node=_place(actor, ticket),
        lng=ticket.lng,
        lat=ticket.lat,
        crs=ticket.crs,
        address=ticket.address,
        reporter_name=ticket.reporter_name,
        reporter_phone=ticket.reporter_phone,
        registered_at=_received(ticket.received_at),
        request=request,
    )


MAX_AGE_DAYS = 366


def _received(value: datetime.datetime | None) -> datetime.datetime | None:
    """The hotline's own intake time (the clock started there), never in the future and
    not more than a year back (older is a typing mistake, not a ticket)."""
    if value is None:
        return None
    if value.year < 2000:
        raise ValidationFailed(
            _("The intake time is not plausible."), code="time_invalid", field="received_at"
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    now = timezone.now()
    if value < now - datetime.timedelta(days=MAX_AGE_DAYS):
        raise ValidationFailed(
            _("The intake time is more than a year ago."), code="time_invalid", field="received_at"
        )
    return min(value, now)


# --- the spreadsheet ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    existing: int = 0
    dry_run: bool = True
    errors: list[tuple[int, str]] = field(default_factory=list)


def read_rows(upload) -> list[list]:
    name = (getattr(upload, "name", "") or "").lower()
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_("The file is larger than 10 MB."), code="file_too_large", field="file")
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(
                _("The CSV file is neither UTF-8 nor GBK."), code="file_encoding", field="file"
            )
        return list(csv.reader(io.StringIO(text)))
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 - calamine raises several kinds for a broken file
        raise ValidationFailed(
            _("The file cannot be read as a spreadsheet (.xlsx, .xls, .ods or .csv)."),
            code="file_unreadable",
            field="file",
        ) from None


def _columns(heading_row: list) -> dict[str, int]:
    found = {}
    for index, heading in enumerate(heading_row):
        text = str(heading or "").strip().lower()
        for key, names in HEADINGS.items():
            if text in [n.lower() for n in names] and key not in found:
                found[key] = index
    if "ticket" not in found or not ({"title", "description"} & found.keys()):
        raise ValidationFailed(
            _(
                "The first row must name the columns; a ticket number and a title or content column are needed."
            ),
            code="headings_missing",
            field="file",
        )
    return found


def _cell(row: list, index: int | None):
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def _text_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # ticket numbers and phones read as numbers
    return str(value)


def _float_cell(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("Longitude and latitude must be numbers."), code="point_invalid", field="lng"
        ) from None


def _time_cell(value) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(9, 0))
    try:
        return datetime.datetime.fromisoformat(str(value).replace("/", "-"))
    except ValueError:
        raise ValidationFailed(
            _("The intake time is not a date and time."), code="time_invalid", field="received_at"
        ) from None


def ticket_from_row(row: list, columns: dict[str, int]) -> Ticket:
    get = lambda key: _cell(row, columns.get(key))  # noqa: E731
    return Ticket(
        ticket=_text_cell(get("ticket")),
        title=_text_cell(get("title")),
        description=_text_cell(get("description")),
        category=_text_cell(get("category")),
        urgency=_text_cell(get("urgency")),
        address=_text_cell(get("address")),
        place_code=_text_cell(get("place_code")),
        lng=_float_cell(get("lng")),
        lat=_float_cell(get("lat")),
        reporter_name=_text_cell(get("reporter_name")),
        reporter_phone=_text_cell(get("reporter_phone")),
        received_at=_time_cell(get("received_at")),
    )


def import_tickets(*, actor: User, upload, dry_run: bool = True, request=None) -> ImportReport:
    """Register every ticket of a spreadsheet, each row on its own (a bad row is reported
    and skipped). A dry run checks every row in a transaction that is rolled back."""
    rows = read_rows(upload)
    report = ImportReport(dry_run=dry_run)
    if not rows:
        return report
    columns = _columns(rows[0])
    body = [r for r in rows[1:] if any(str(c or "").strip() for c in r)]
    if len(body) > MAX_ROWS:
        raise ValidationFailed(
            _("At most %(n)d tickets per file.") % {"n": MAX_ROWS}, code="too_many_rows", field="file"
        )

    class _DryRun(Exception):
        pass

    try:
        with transaction.atomic():
            for number, row in enumerate(body, start=2):
                report.rows += 1
                try:
                    with transaction.atomic():
                        _appeal, created = intake_ticket(
                            actor=actor, ticket=ticket_from_row(row, columns), request=request
                        )
                except (DomainError, Conflict) as exc:
                    report.errors.append((number, str(exc.message)))
                    continue
                if created:
                    report.created += 1
                else:
                    report.existing += 1
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report
