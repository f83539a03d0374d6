"""Reading the spreadsheets people really keep: xlsx, xls and csv, with the header row found
by its names wherever it sits (titles and merged group headers above it are skipped), cells
normalised (full-width letters and digits, stray spaces), and every data row numbered as
the user sees it in Excel.

Writing templates: `template_workbook` builds an xlsx with Chinese headers, drop-down lists
and an instructions sheet, so people who live in Excel get their mistakes caught while typing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from django.utils.translation import gettext as _

from linli.core.errors import ValidationFailed

MAX_BYTES = 50 * 1024 * 1024
HEADER_SEARCH_ROWS = 15


@dataclass(frozen=True)
class Column:
    key: str
    # Header texts that mean this column, compared after normalisation; the first is the
    # one written into templates.
    names: tuple[str, ...]
    required: bool = False
    # Values offered as a drop-down in the template.
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass
class Sheet:
    columns: dict[str, int]  # column key -> index in the row
    header_row: int  # 1-based row number of the header, as Excel shows it
    rows: list[tuple[int, dict[str, str]]]  # (Excel row number, values by column key)
    unknown_headers: list[str]


def normalise_cell(value) -> str:
    """Text of a cell: full-width characters folded (NFKC), 〇 read as zero in numbers,
    surrounding and non-breaking spaces removed; dates as YYYY-MM-DD; whole floats without .0."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = unicodedata.normalize("NFKC", str(value)).replace("\u00a0", " ").strip()
    return text


def _header_key(text: str) -> str:
    return "".join(normalise_cell(text).split()).lower().rstrip("*：:")


def _raw_rows(upload: IO[bytes], filename: str) -> list[list]:
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        from python_calamine import CalamineError, load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data))
            sheet = workbook.get_sheet_by_index(0)
            return sheet.to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OSError) as exc:
            raise ValidationFailed(
                _("The spreadsheet cannot be read (%(reason)s). Save it again as .xlsx and retry.")
                % {"reason": type(exc).__name__}
            ) from None
    if name.endswith((".csv", ".txt")):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(_("The CSV file is neither UTF-8 nor GBK text."))
        dialect = csv.excel_tab if text.count("\t") > text.count(",") else csv.excel
        return list(csv.reader(io.StringIO(text), dialect))
    raise ValidationFailed(_("Upload an .xlsx, .xls or .csv file."))


def read_sheet(upload: IO[bytes], filename: str, columns: Iterable[Column]) -> Sheet:
    """Find the header row, map it onto `columns`, and return the data rows.

    Raises ValidationFailed naming the missing required columns when no row looks like a
    header."""
    columns = list(columns)
    lookup = {_header_key(name): column.key for column in columns for name in column.names}
    raw = _raw_rows(upload, filename)
    best_index, best_map, best_unknown = -1, {}, []
    for index, row in enumerate(raw[:HEADER_SEARCH_ROWS]):
        mapping, unknown = {}, []
        for position, cell in enumerate(row):
            key = lookup.get(_header_key(cell)) if cell not in (None, "") else None
            if key and key not in mapping:
                mapping[key] = position
            elif cell not in (None, ""):
                unknown.append(normalise_cell(cell))
        if len(mapping) > len(best_map):
            best_index, best_map, best_unknown = index, mapping, unknown
    missing = [c for c in columns if c.required and c.key not in best_map]
    if best_index < 0 or missing:
        names = "、".join(c.names[0] for c in (missing or [c for c in columns if c.required]))
        raise ValidationFailed(
            _("No header row with the columns %(names)s was found in the first %(n)d rows.")
            % {"names": names, "n": HEADER_SEARCH_ROWS}
        )
    rows = []
    for index in range(best_index + 1, len(raw)):
        row = raw[index]
        values = {key: normalise_cell(row[pos]) if pos < len(row) else "" for key, pos in best_map.items()}
        if any(values.values()):
            rows.append((index + 1, values))
    return Sheet(columns=best_map, header_row=best_index + 1, rows=rows, unknown_headers=best_unknown)


def template_workbook(
    *, title: str, columns: list[Column], instructions: list[str], examples: list[list[str]]
) -> bytes:
    """An xlsx template: a data sheet with bold Chinese headers, drop-downs for columns with
    choices, example rows, and an instructions sheet."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#FDECEA", "border": 1})
    required = workbook.add_format({"bold": True, "bg_color": "#F5C6C0", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    for position, column in enumerate(columns):
        sheet.write_string(
            0,
            position,
            column.names[0] + ("*" if column.required else ""),
            required if column.required else bold,
        )
        sheet.set_column(position, position, max(12, len(column.names[0]) * 3), text)
        if column.help:
            sheet.write_comment(0, position, column.help)
        if column.choices:
            sheet.data_validation(
                1, position, 10000, position, {"validate": "list", "source": list(column.choices)}
            )
    for row_index, example in enumerate(examples, start=1):
        for position, value in enumerate(example):
            sheet.write_string(row_index, position, value)
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet(_("Instructions")[:31])
    notes.set_column(0, 0, 100)
    for row_index, line in enumerate(instructions):
        notes.write_string(row_index, 0, line)
    workbook.close()
    return buffer.getvalue()
