"""Residents from spreadsheets (issue 5, item 5): the template, the header mapping, the
per-row plan shown in the preview, the validation report as xlsx, and the import job.

The same `Planner` decides what each row would do in the preview and does it in the job, so
the preview is what happens. Every row is idempotent: a person is found again by the blind
index of the citizen ID (or, without an ID, by name in the same dwelling), so a second run
of the same file, or a resumed run after a crash, updates or leaves them as they are instead
of registering them twice. A known ID under a different name is a conflict, reported and
never overwritten.

Crash safety: rows are applied in order in small transactions; the job's `last_row` is
written in the same transaction as the rows, so a resumed job starts exactly after the last
committed row.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core import audit, identity
from linli.core.crypto import blind_index
from linli.core.errors import DomainError, ValidationFailed
from linli.core.masking import mask_citizen_id, mask_phone
from linli.core.spreadsheets import Column, Sheet, read_sheet, template_workbook
from linli.registry import services
from linli.registry.choices import AddressKind, PopulationType, Relation
from linli.registry.models import Household, ImportJob, ImportStatus, Resident
from linli.territory.choices import NodeKind
from linli.territory.models import Node

RELATION_NAMES = {
    "户主": Relation.HOUSEHOLDER,
    "本人": Relation.HOUSEHOLDER,
    "配偶": Relation.SPOUSE,
    "夫": Relation.HUSBAND,
    "丈夫": Relation.HUSBAND,
    "妻": Relation.WIFE,
    "妻子": Relation.WIFE,
    "子": Relation.SON,
    "儿子": Relation.SON,
    "长子": Relation.SON,
    "次子": Relation.SON,
    "女婿": Relation.SON_IN_LAW,
    "女": Relation.DAUGHTER,
    "女儿": Relation.DAUGHTER,
    "长女": Relation.DAUGHTER,
    "次女": Relation.DAUGHTER,
    "儿媳": Relation.DAUGHTER_IN_LAW,
    "孙子": Relation.GRANDSON,
    "孙女": Relation.GRANDDAUGHTER,
    "外孙子": Relation.DAUGHTERS_SON,
    "外孙": Relation.DAUGHTERS_SON,
    "外孙女": Relation.DAUGHTERS_DAUGHTER,
    "父母": Relation.PARENT,
    "父亲": Relation.FATHER,
    "母亲": Relation.MOTHER,
    "公公": Relation.FATHER_IN_LAW,
    "婆婆": Relation.MOTHER_IN_LAW,
    "岳父": Relation.WIFES_FATHER,
    "岳母": Relation.WIFES_MOTHER,
    "祖父母": Relation.GRANDPARENT,
    "兄弟姐妹": Relation.SIBLING,
    "兄": Relation.SIBLING,
    "弟": Relation.SIBLING,
    "姐": Relation.SIBLING,
    "妹": Relation.SIBLING,
    "其他": Relation.OTHER,
    "其他亲属": Relation.OTHER_RELATIVE,
    "非亲属": Relation.NOT_RELATED,
}
RELATION_CHOICES = (
    "户主",
    "配偶",
    "子",
    "女",
    "父亲",
    "母亲",
    "儿媳",
    "女婿",
    "孙子",
    "孙女",
    "兄弟姐妹",
    "其他亲属",
    "非亲属",
)

# GB 3304 order: the code of the n-th name is n.
ETHNIC_NAMES = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
]
ETHNICITY_NAMES = {}
for _code, _name in enumerate(ETHNIC_NAMES, start=1):
    ETHNICITY_NAMES[_name] = ETHNICITY_NAMES[_name + "族"] = f"{_code:02d}"

POPULATION_NAMES = {
    "户籍": PopulationType.REGISTERED,
    "户籍人口": PopulationType.REGISTERED,
    "常住": PopulationType.RESIDENT,
    "常住人口": PopulationType.RESIDENT,
    "流动": PopulationType.FLOATING,
    "流动人口": PopulationType.FLOATING,
}
SEX_NAMES = {"男": "M", "女": "F", "m": "M", "f": "F"}

COLUMNS = [
    # "户主" is the name column of a property company's utility list (房号, 户主, 电话).
    Column("name", ("姓名", "户主", "户主姓名", "业主", "业主姓名", "name"), required=True),
    Column(
        "citizen_id",
        ("公民身份号码", "身份证号", "身份证号码", "身份证", "证件号码", "citizen_id"),
        help="18位；末位x可小写；全角数字也可",
    ),
    Column(
        "relation",
        ("与户主关系", "关系", "relation"),
        choices=RELATION_CHOICES,
        help="空着：户内第一人为户主",
    ),
    Column("sex", ("性别", "sex"), choices=("男", "女"), help="有身份证号时可不填"),
    Column(
        "birth_date",
        ("出生日期", "出生年月", "生日", "birth_date"),
        help="如 1958-03-05、1958.3.5、1958年3月5日",
    ),
    Column(
        "ethnicity",
        ("民族", "ethnicity"),
        choices=tuple(name + "族" for name in ETHNIC_NAMES),
        help="如 汉族、回族；空着为汉族",
    ),
    Column("phone", ("联系电话", "电话", "手机", "手机号码", "联系方式", "phone")),
    Column(
        "address",
        ("住址/房号", "住址", "房号", "门牌号", "地址", "房屋", "address"),
        required=True,
        help="楼号、单元、室号，如 2号楼4单元301 或 2-4-301",
    ),
    Column("population_type", ("人口类型", "population_type"), choices=("户籍人口", "常住人口", "流动人口")),
    Column("workplace", ("工作单位", "工作单位或学校", "工作单位/学校", "服务处所", "workplace")),
    Column("moved_in_on", ("入住日期", "迁入日期", "moved_in_on")),
    Column("note", ("备注", "note")),
]
COLUMN_LABELS = {c.key: c.names[0] for c in COLUMNS}
PERSONAL_COLUMNS = {"citizen_id": mask_citizen_id, "phone": mask_phone}
BATCH_ROWS = 20


def template_bytes() -> bytes:
    return template_workbook(
        title="居民信息",
        columns=COLUMNS,
        instructions=[
            "居民信息导入模板说明",
            "1. 每行一人。带*的列必填：姓名、住址/房号。",
            "2. 住址/房号按所选小区或网格内的房屋查找，写楼号、单元、室号，如“2号楼4单元301”或“2-4-301”。",
            "3. 公民身份号码：18位，末位X大小写均可；填写后性别、出生日期按号码自动得出。",
            "4. 与户主关系：从下拉列表选择；户内第一人可空着，视为户主。",
            "5. 出生日期可写 1958-03-05、1958.3.5、1958年3月5日 或 19580305。",
            "6. 人口类型：户籍人口、常住人口、流动人口；空着为户籍人口。",
            "7. 已登记的居民（同一身份证号）会按表格更新，预览中列出变化；姓名不一致的不会覆盖，请核对。",
            "8. 导入前先预览，可下载校验报告（问题单元格标红并附批注，身份证号和电话已遮蔽）。",
        ],
        examples=[
            ["张三丰", "", "户主", "男", "1958-03-05", "汉族", "", "1号楼1单元101", "户籍人口", "", "", ""],
        ],
    )


# --- reading cells -------------------------------------------------------------------------

_ZERO = str.maketrans({"〇": "0", "○": "0", "Ｏ": "0"})


def _digits_text(text: str) -> str:
    return text.translate(_ZERO).strip()


def parse_date(text: str) -> datetime.date | None:
    """1958-03-05, 1958.3.5, 1958/3/5, 1958年3月5日, 19580305, 一九五八年 with 〇, or an Excel
    serial number (days since 1899-12-30). Raises ValueError."""
    text = re.sub(r"\s+", "", _digits_text(text))
    if not text:
        return None
    text = re.sub(r"[T ]?00:00(:00)?$", "", text)
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text) or re.fullmatch(
        r"(\d{4})[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?", text
    )
    if match:
        return datetime.date(*(int(part) for part in match.groups()))
    if re.fullmatch(r"\d{2,5}(\.0+)?", text):
        serial = int(float(text))
        if 1 <= serial <= 80000:
            return datetime.date(1899, 12, 30) + datetime.timedelta(days=serial)
    raise ValueError(text)


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", _digits_text(text))]


def _first_number(name: str) -> int | None:
    found = _numbers(name)
    return found[0] if found else None


class DwellingIndex:
    """The dwellings under a place, found by (building, unit, room) numbers or (building,
    room) where a building has no units, e.g. "2号楼4单元301", "2-4-301", "2栋301"."""

    def __init__(self, root: Node):
        self.by_key: dict[tuple[int, ...], list[Node]] = {}
        nodes = Node.objects.filter(
            path__startswith=root.path, kind=NodeKind.DWELLING, retired_at__isnull=True
        ).select_related("parent__parent__parent")
        for dwelling in nodes:
            room = _first_number(dwelling.name)
            parent = dwelling.parent
            if room is None or parent is None:
                continue
            if parent.kind == NodeKind.UNIT and parent.parent is not None:
                key = (_first_number(parent.parent.name), _first_number(parent.name), room)
                compound = parent.parent.parent
            else:
                key = (_first_number(parent.name), room)
                compound = parent.parent
            if None in key:
                continue
            self.by_key.setdefault(key, []).append(dwelling)
            dwelling.compound_name = compound.name if compound is not None else ""

    def find(self, text: str) -> Node:
        numbers = _numbers(text)
        candidates: list[Node] = []
        for size in (3, 2):
            if len(numbers) >= size:
                candidates = self.by_key.get(tuple(numbers[-size:]), [])
                if candidates:
                    break
        if len(candidates) > 1:
            named = [d for d in candidates if d.compound_name and d.compound_name in text]
            candidates = named or candidates
        if not candidates:
            raise ValidationFailed(
                _("No dwelling %(address)s in the chosen place.") % {"address": text}, code="address_unknown"
            )
        if len(candidates) > 1:
            raise ValidationFailed(
                _("Several compounds have a dwelling %(address)s; write the compound name first.")
                % {"address": text},
                code="address_ambiguous",
            )
        return candidates[0]


# --- planning rows -------------------------------------------------------------------------


@dataclass
class RowPlan:
    row: int
    values: dict[str, str]  # the cells as read, by column key
    action: str = ""  # create, update, unchanged, error
    errors: dict[str, str] = field(default_factory=dict)
    changes: list[dict[str, str]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    dwelling: Node | None = None
    existing: Resident | None = None

    def masked(self, key: str) -> str:
        value = self.values.get(key, "")
        return PERSONAL_COLUMNS[key](value) if key in PERSONAL_COLUMNS else value


class Planner:
    def __init__(self, *, actor: User, root: Node, sheet: Sheet):
        self.actor = actor
        self.root = root
        self.sheet = sheet
        self.dwellings = DwellingIndex(root)
        # The first row of each ID number, for "the same person twice in the file".
        self.first_row: dict[str, int] = {}
        for number, values in sheet.rows:
            key = _id_key(values.get("citizen_id", ""))
            if key:
                self.first_row.setdefault(key, number)

    def plan(self, number: int, values: dict[str, str]) -> RowPlan:
        plan = RowPlan(row=number, values=values)
        fields: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for key in ("name", "workplace", "note"):
            if key in values:
                fields[key] = values[key]
        if "citizen_id" in values:
            fields["citizen_id"] = _digits_text(values["citizen_id"])
        if "phone" in values:
            fields["phone"] = _digits_text(values["phone"])
        for key in ("birth_date", "moved_in_on"):
            if values.get(key):
                try:
                    fields[key] = parse_date(values[key])
                except (ValueError, OverflowError):
                    errors[key] = _("%(value)s is not a date (write it as 1958-03-05).") % {
                        "value": values[key]
                    }
        if values.get("sex"):
            sex = SEX_NAMES.get(values["sex"].lower(), values["sex"])
            fields["sex"] = sex
        if values.get("ethnicity"):
            text = values["ethnicity"]
            fields["ethnicity"] = ETHNICITY_NAMES.get(text, text.zfill(2) if text.isdigit() else text)
        if values.get("population_type"):
            text = values["population_type"]
            fields["population_type"] = POPULATION_NAMES.get(text, text)
        if values.get("relation"):
            text = values["relation"]
            fields["relation"] = RELATION_NAMES.get(text, text.zfill(2) if text.isdigit() else text)
        try:
            plan.dwelling = self.dwellings.find(values.get("address", ""))
        except ValidationFailed as exc:
            errors["address"] = str(exc.message)

        check = services._Errors()
        cleaned = services._clean_person(fields, check)
        for key, (message, _code) in check.items.items():
            errors.setdefault(key, message)
        id_key = cleaned.get("citizen_id", "")
        if id_key and "citizen_id" not in errors and self.first_row.get(id_key, number) != number:
            errors["citizen_id"] = _("The same citizen ID number as row %(row)d.") % {
                "row": self.first_row[id_key]
            }
        plan.fields = cleaned
        if not errors:
            self._match(plan, errors)
        plan.errors = errors
        if errors:
            plan.action = "error"
        return plan

    def _match(self, plan: RowPlan, errors: dict[str, str]) -> None:
        cleaned = plan.fields
        existing = None
        if cleaned.get("citizen_id"):
            existing = (
                Resident.objects.active()
                .filter(citizen_id_index=blind_index(cleaned["citizen_id"], "citizen_id"))
                .select_related("node")
                .first()
            )
        elif plan.dwelling is not None:
            existing = Resident.objects.active().filter(node=plan.dwelling, name=cleaned["name"]).first()
        if existing is None:
            plan.action = "create"
            return
        if not Resident.objects.restrict(self.actor, "change").filter(pk=existing.pk).exists():
            errors["citizen_id"] = _(
                "This citizen ID number is registered to a resident outside your area; "
                "ask the community that holds the record to move it."
            )
            return
        if existing.name != cleaned["name"]:
            errors["name"] = _(
                "This citizen ID number is registered under another name; check the row. "
                "Nothing is overwritten."
            )
            return
        if plan.dwelling is not None and existing.node_id != plan.dwelling.pk:
            errors["address"] = _(
                "This person is registered at another address; move them on their page first."
            )
            return
        plan.existing = existing
        # Only the columns the sheet has and the row fills change a known person.
        for key, value in cleaned.items():
            if key == "relation" or value in (None, "") or key not in services.PERSON_FIELDS:
                continue
            old = getattr(existing, key)
            if value != old:
                plan.changes.append(
                    {"field": key, "old": services._display(key, old), "new": services._display(key, value)}
                )
        plan.action = "update" if plan.changes else "unchanged"

    def plan_all(self) -> list[RowPlan]:
        return [self.plan(number, values) for number, values in self.sheet.rows]

    def apply(self, plan: RowPlan) -> None:
        """Do what the plan says, in a savepoint: a row that fails leaves nothing behind."""
        if plan.action == "update":
            changed = {c["field"]: plan.fields[c["field"]] for c in plan.changes}
            services.resident_update(actor=self.actor, resident=plan.existing, **changed)
        elif plan.action == "create":
            household = (
                Household.objects.filter(dwelling=plan.dwelling, address_kind=AddressKind.RESIDENCE)
                .order_by("pk")
                .first()
            )
            if household is None:
                household = services.household_create(actor=self.actor, dwelling=plan.dwelling)
            values = {k: v for k, v in plan.fields.items() if v not in (None, "")}
            if not values.get("relation"):
                has_head = (
                    Resident.objects.active()
                    .filter(household=household, relation=Relation.HOUSEHOLDER)
                    .exists()
                )
                if has_head:
                    raise ValidationFailed(
                        _("Enter the relation to the householder."),
                        code="relation_required",
                        field="relation",
                    )
                values["relation"] = Relation.HOUSEHOLDER
            services.resident_create(actor=self.actor, household=household, **values)


def _id_key(text: str) -> str:
    """The normal form of an ID number (lower-case x, 15 digits, full width), or ""."""
    try:
        return identity.parse_citizen_id(_digits_text(text)).number
    except ValidationFailed:
        return ""


def read_upload(upload, filename: str) -> Sheet:
    return read_sheet(upload, filename, COLUMNS)


def read_job_sheet(job: ImportJob) -> Sheet:
    with job.file.open("rb") as handle:
        return read_upload(handle, job.filename)


# --- the validation report -----------------------------------------------------------------


def report_bytes(sheet: Sheet, plans: list[RowPlan]) -> bytes:
    """The rows as read, personal values masked, with each bad cell filled red and the
    problem in its comment, and a result column."""
    import xlsxwriter

    keys = [c.key for c in COLUMNS if c.key in sheet.columns]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet_out = workbook.add_worksheet("校验报告")
    bold = workbook.add_format({"bold": True, "bg_color": "#FDECEA", "border": 1})
    bad = workbook.add_format({"bg_color": "#F8B4B4", "border": 1, "num_format": "@"})
    plain = workbook.add_format({"num_format": "@"})
    headers = [_("Row")] + [COLUMN_LABELS[k] for k in keys] + [_("Result"), _("Problems")]
    for position, text in enumerate(headers):
        sheet_out.write_string(0, position, text, bold)
        sheet_out.set_column(position, position, 14)
    labels = action_labels()
    for index, plan in enumerate(plans, start=1):
        sheet_out.write_number(index, 0, plan.row)
        for position, key in enumerate(keys, start=1):
            message = plan.errors.get(key)
            sheet_out.write_string(index, position, plan.masked(key), bad if message else plain)
            if message:
                sheet_out.write_comment(index, position, message)
        sheet_out.write_string(index, len(keys) + 1, str(labels.get(plan.action, plan.action)))
        problems = [f"{COLUMN_LABELS.get(k, k)}: {m}" for k, m in plan.errors.items()]
        # A problem in a column the sheet does not have (e.g. relation when the list has none).
        sheet_out.write_string(index, len(keys) + 2, "；".join(problems))
    sheet_out.freeze_panes(1, 1)
    workbook.close()
    return buffer.getvalue()


def action_labels() -> dict[str, str]:
    return {
        "create": _("New"),
        "update": _("Update"),
        "unchanged": _("Unchanged"),
        "error": _("Error"),
    }


# --- the job -------------------------------------------------------------------------------


@transaction.atomic
def import_job_create(*, actor: User, root: Node, filename: str, content: bytes, request=None) -> ImportJob:
    """Store the upload after checking that it reads and has the needed columns."""
    if not (actor.is_superuser or actor.grants.allows("resident", "add", root.path)):
        from linli.core.errors import OutOfScope

        raise OutOfScope
    read_upload(io.BytesIO(content), filename)
    filename = "".join(ch for ch in filename if ch.isprintable())[:200] or "upload.xlsx"
    job = ImportJob(root=root, created_by=actor, filename=filename)
    job.file.save(f"{job.public_id}{_suffix(filename)}", ContentFile(content), save=False)
    job.save()
    audit.record(
        actor=actor,
        action="registry.import.upload",
        target=job,
        after={"filename": job.filename, "place": root.code},
        request=request,
    )
    return job


def _suffix(filename: str) -> str:
    match = re.search(r"\.[A-Za-z]{3,4}$", filename)
    return match.group(0).lower() if match else ".xlsx"


@transaction.atomic
def import_job_start(*, actor: User, job: ImportJob, request=None) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.UPLOADED:
        raise ValidationFailed(_("This import has already been started."), code="import_started")
    job.status = ImportStatus.QUEUED
    job.save(update_fields=["status"])
    audit.record(actor=actor, action="registry.import.start", target=job, request=request)
    from linli.core.tasks import enqueue_on_commit
    from linli.registry.tasks import run_import_task

    enqueue_on_commit(run_import_task, job.pk)
    return job


@transaction.atomic
def import_job_cancel(*, actor: User, job: ImportJob, request=None) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status in ImportStatus.FINISHED:
        return job
    job.cancel_requested = True
    if job.status in (ImportStatus.UPLOADED, ImportStatus.QUEUED):
        job.status = ImportStatus.CANCELLED
        job.finished_at = timezone.now()
    job.save(update_fields=["cancel_requested", "status", "finished_at"])
    audit.record(actor=actor, action="registry.import.cancel", target=job, request=request)
    return job


def run_import(job_id: int, *, row_hook: Callable[[int], None] | None = None) -> ImportJob:
    """Apply the job's rows after `last_row`, BATCH_ROWS per transaction. Safe to call again
    after a crash: it resumes after the last committed row."""
    job = ImportJob.objects.select_related("root", "created_by").get(pk=job_id)
    if job.status in ImportStatus.FINISHED:
        return job
    if job.cancel_requested:
        return _finish(job, ImportStatus.CANCELLED)
    try:
        sheet = read_job_sheet(job)
    except ValidationFailed as exc:
        job.error = str(exc.message)
        return _finish(job, ImportStatus.FAILED)
    planner = Planner(actor=job.created_by, root=job.root, sheet=sheet)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, total=len(sheet.rows), started_at=job.started_at or timezone.now()
    )
    pending = [(n, v) for n, v in sheet.rows if n > job.last_row]
    for start in range(0, len(pending), BATCH_ROWS):
        batch = pending[start : start + BATCH_ROWS]
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.cancel_requested:
                break
            if job.last_row >= batch[-1][0]:
                continue  # another worker committed these rows meanwhile
            for number, values in batch:
                if number <= job.last_row:
                    continue
                outcome = _apply_row(planner, number, values)
                job.outcomes.append(outcome)
                job.counts[outcome["result"]] = job.counts.get(outcome["result"], 0) + 1
                job.processed += 1
                if row_hook is not None:
                    row_hook(number)
            job.last_row = batch[-1][0]
            job.save(update_fields=["outcomes", "counts", "processed", "last_row"])
    job.refresh_from_db()
    return _finish(job, ImportStatus.CANCELLED if job.cancel_requested else ImportStatus.DONE)


def _apply_row(planner: Planner, number: int, values: dict[str, str]) -> dict[str, Any]:
    plan = planner.plan(number, values)
    if not plan.errors and plan.action in ("create", "update"):
        try:
            with transaction.atomic():
                planner.apply(plan)
        except ValidationFailed as exc:
            for key, message in (
                getattr(exc, "errors", None) or {exc.field or "name": str(exc.message)}
            ).items():
                plan.errors.setdefault(key, message)
            plan.action = "error"
        except DomainError as exc:
            plan.errors["address"] = str(getattr(exc, "message", "") or _("Not allowed here."))
            plan.action = "error"
    return {"row": number, "result": plan.action, "errors": plan.errors, "changes": plan.changes}


def _finish(job: ImportJob, status: str) -> ImportJob:
    job.status = status
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at", "error"])
    audit.record(
        actor=job.created_by,
        action="registry.import.finish",
        target=job,
        after={"status": status, "processed": job.processed, **job.counts},
    )
    return job
