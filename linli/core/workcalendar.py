"""The Chinese working-day calendar: public holidays, make-up workdays (调休上班) and office
hours, for time limits counted in working days or working hours.

The dates live in an editable data file (linli/core/data/holidays_cn.toml, format
documented at its top; LINLI_HOLIDAYS_FILE points at another). Office hours come from
LINLI_OFFICE_HOURS ("08:30-12:00,13:30-17:30" by default, 7.5 hours a day).

Every datetime in and out is timezone-aware; results are in settings.TIME_ZONE. A naive
datetime is refused: guessing its zone would shift a deadline by hours without anyone
noticing.
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from linli.core.env import ConfigError

logger = logging.getLogger(__name__)

BUNDLED_FILE = Path(__file__).resolve().parent / "data" / "holidays_cn.toml"
DEFAULT_OFFICE_HOURS = "08:30-12:00,13:30-17:30"

# A sanity bound: the longest break in any notice is 10 days; a month-long range is a typo.
_MAX_HOLIDAY_DAYS = 31
# Days scanned before giving up looking for working time: ten years of nothing means the
# calendar is broken, and an endless loop would be worse than an error.
_MAX_SCAN_DAYS = 3660

_warned_years: set[int] = set()


@dataclass(frozen=True)
class HolidayCalendar:
    holidays: dict[date, str]  # day off -> holiday name
    makeup_workdays: dict[date, str]  # weekend day that is worked -> holiday it makes up for
    official_years: frozenset[int]
    provisional_years: frozenset[int]
    path: Path

    @property
    def years(self) -> frozenset[int]:
        return self.official_years | self.provisional_years


# --- loading the data file ------------------------------------------------------------------


def holidays_path() -> Path:
    override = getattr(settings, "LINLI_HOLIDAYS_FILE", None)
    # No resolve(): this runs on every lookup, and the cache key needs no canonical form.
    return Path(override).expanduser() if override else BUNDLED_FILE


def calendar() -> HolidayCalendar:
    """The calendar in use, loaded once per process and file."""
    return load_holidays(holidays_path())


@functools.lru_cache(maxsize=4)
def load_holidays(path: Path) -> HolidayCalendar:
    """Read and check a holidays file; any mistake is a ConfigError naming the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"holidays file {path} cannot be read ({exc.strerror}).") from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"holidays file {path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"holidays file {path} is not valid TOML: {exc}.") from None
    return _parse(document, path)


def _parse(document: dict, path: Path) -> HolidayCalendar:
    def fail(message: str) -> ConfigError:
        return ConfigError(f"holidays file {path}: {message}")

    if not document:
        raise fail(
            "no year is listed; add a table such as [2026] (see the format at the top of the bundled file)."
        )
    holidays: dict[date, str] = {}
    makeup: dict[date, str] = {}
    official: set[int] = set()
    provisional: set[int] = set()
    for key, section in document.items():
        if not (isinstance(key, str) and len(key) == 4 and key.isdigit()):
            raise fail(f"[{key}] is not a year; every table is named by its year, like [2026].")
        year = int(key)
        where = f"[{year}]"
        if not isinstance(section, dict):
            raise fail(f"{key} must be a table ([{key}]), not a single value.")
        _no_unknown_keys(section, {"provisional", "source", "holidays", "makeup_workdays"}, where, fail)
        if not isinstance(section.get("provisional"), bool):
            raise fail(
                f"{where} needs provisional = false (dates from the State Council notice) "
                "or provisional = true (derived, to be confirmed)."
            )
        if "source" in section and not isinstance(section["source"], str):
            raise fail(f"{where} source must be text.")
        (provisional if section["provisional"] else official).add(year)

        for index, entry in enumerate(_list_of_tables(section, "holidays", where, fail), start=1):
            at = f"{where} holidays entry {index}"
            _no_unknown_keys(entry, {"name", "start", "end"}, at, fail)
            name = _name(entry, at, fail)
            start = _date(entry.get("start"), year, f"{at} ({name}) start", fail)
            end = _date(entry.get("end"), year, f"{at} ({name}) end", fail)
            if end < start:
                raise fail(f"{at} ({name}) ends {end} before it starts {start}.")
            if (end - start).days + 1 > _MAX_HOLIDAY_DAYS:
                raise fail(f"{at} ({name}) runs from {start} to {end}, longer than {_MAX_HOLIDAY_DAYS} days.")
            for day in _iter_days(start, end):
                if day in holidays:
                    raise fail(f"{day} is listed twice as a holiday ({holidays[day]} and {name}).")
                holidays[day] = name

        for index, entry in enumerate(_list_of_tables(section, "makeup_workdays", where, fail), start=1):
            at = f"{where} makeup_workdays entry {index}"
            _no_unknown_keys(entry, {"date", "name"}, at, fail)
            name = _name(entry, at, fail)
            day = _date(entry.get("date"), year, f"{at} ({name}) date", fail)
            if day.weekday() < 5:
                raise fail(
                    f"make-up workday {day} ({name}) is a {day.strftime('%A')}; "
                    "only a Saturday or Sunday can be a make-up workday."
                )
            if day in makeup:
                raise fail(f"make-up workday {day} is listed twice.")
            makeup[day] = name

    both = sorted(holidays.keys() & makeup.keys())
    if both:
        day = both[0]
        raise fail(f"{day} is both a holiday ({holidays[day]}) and a make-up workday ({makeup[day]}).")
    return HolidayCalendar(
        holidays=holidays,
        makeup_workdays=makeup,
        official_years=frozenset(official),
        provisional_years=frozenset(provisional),
        path=path,
    )


def _no_unknown_keys(table: dict, allowed: set[str], where: str, fail) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise fail(f"{where} has unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}.")


def _list_of_tables(section: dict, key: str, where: str, fail) -> list[dict]:
    value = section.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise fail(f"{where} {key} must be a list of {{ ... }} entries.")
    return value


def _name(entry: dict, where: str, fail) -> str:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail(f'{where} needs a name, e.g. name = "国庆节".')
    return name.strip()


def _date(value: object, year: int, where: str, fail) -> date:
    # tomllib gives datetime for 2025-10-01T00:00; datetime is a subclass of date, so
    # check it first: a time of day has no meaning here.
    if isinstance(value, datetime):
        raise fail(f"{where} is {value}; write the date alone (YYYY-MM-DD).")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise fail(f"{where} is {value!r}, not a date written YYYY-MM-DD.") from None
    if not isinstance(value, date):
        raise fail(f"{where} is missing or not a date (write YYYY-MM-DD).")
    if abs(value.year - year) > 1:
        raise fail(f"{where} is {value}, which is not in or next to {year}.")
    return value


# --- office hours ------------------------------------------------------------------------------


def office_hours() -> tuple[tuple[time, time], ...]:
    """The working periods of a working day, from LINLI_OFFICE_HOURS or the default."""
    configured = getattr(settings, "LINLI_OFFICE_HOURS", None) or DEFAULT_OFFICE_HOURS
    if isinstance(configured, str):
        return parse_office_hours(configured)
    try:
        key = ",".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in configured)
    except (TypeError, ValueError):
        raise ConfigError(
            f"LINLI_OFFICE_HOURS={configured!r} must be text like {DEFAULT_OFFICE_HOURS!r} "
            "or a list of (start, end) pairs."
        ) from None
    return parse_office_hours(key)


def _hhmm(value: time | str) -> str:
    return value.strftime("%H:%M") if isinstance(value, time) else str(value)


@functools.lru_cache(maxsize=8)
def parse_office_hours(text: str) -> tuple[tuple[time, time], ...]:
    """Parse and check office hours written like 08:30-12:00,13:30-17:30."""
    example = f"write it like {DEFAULT_OFFICE_HOURS!r}"
    periods: list[tuple[time, time]] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            start_text, end_text = (piece.strip() for piece in part.split("-"))
            start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
        except ValueError:
            raise ConfigError(
                f"LINLI_OFFICE_HOURS: {part!r} is not a period HH:MM-HH:MM; {example}."
            ) from None
        if start.tzinfo or end.tzinfo:
            raise ConfigError(f"LINLI_OFFICE_HOURS: {part!r} must not name a time zone; {example}.")
        if end <= start:
            raise ConfigError(f"LINLI_OFFICE_HOURS: {part!r} ends before it starts.")
        if periods and start < periods[-1][1]:
            raise ConfigError(
                f"LINLI_OFFICE_HOURS: {part!r} overlaps or precedes the period before it; "
                "list the periods of the day in order."
            )
        periods.append((start, end))
    if not periods:
        raise ConfigError(f"LINLI_OFFICE_HOURS is empty; {example}.")
    return tuple(periods)


def check_configuration() -> None:
    """Load the holidays file and office hours now, so a mistake stops start-up (for a
    system check or AppConfig.ready) rather than the first appeal that needs a deadline."""
    calendar()
    office_hours()


def clear_cache() -> None:
    """Forget the loaded file and the warnings given (tests; a reload after an edit)."""
    load_holidays.cache_clear()
    parse_office_hours.cache_clear()
    _warned_years.clear()


# --- days ----------------------------------------------------------------------------------


def is_workday(day: date) -> bool:
    """True on a working day: a make-up Saturday or Sunday, or a weekday that is no holiday.
    Outside the years the file covers, Monday to Friday (with a warning, once per year)."""
    if isinstance(day, datetime):
        day = _local(day, "is_workday").date()
    cal = calendar()
    if day in cal.holidays:
        _note_provisional(cal, day.year)
        return False
    if day in cal.makeup_workdays:
        _note_provisional(cal, day.year)
        return True
    if day.year not in cal.years:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "holiday calendar %s does not cover %s: counting Monday to Friday as working days. "
                "Add %s from the State Council notice.",
                cal.path,
                day.year,
                day.year,
            )
    else:
        _note_provisional(cal, day.year)
    return day.weekday() < 5


def holiday_name(day: date) -> str | None:
    """The holiday a day off belongs to (国庆节 …), or None."""
    return calendar().holidays.get(day)


def year_status(year: int) -> str:
    """Whether the file has a year from its notice ("official"), derived dates to be
    confirmed ("provisional"), or nothing ("uncovered": Monday to Friday is assumed)."""
    cal = calendar()
    if year in cal.official_years:
        return "official"
    if year in cal.provisional_years:
        return "provisional"
    return "uncovered"


def _note_provisional(cal: HolidayCalendar, year: int) -> None:
    if year in cal.provisional_years and year not in _warned_years:
        _warned_years.add(year)
        logger.warning(
            "holiday calendar %s: the dates for %s are provisional (derived, not from the State "
            "Council notice); deadlines in %s may move when the notice is entered.",
            cal.path,
            year,
            year,
        )


def _next_workday(day: date) -> date:
    for _ in range(_MAX_SCAN_DAYS):
        if is_workday(day):
            return day
        day += timedelta(days=1)
    raise ConfigError(
        f"holiday calendar {calendar().path}: no working day within {_MAX_SCAN_DAYS} days of {day}."
    )


def add_working_days(start: datetime, days: int) -> datetime:
    """The deadline `days` working days after `start`, at the same time of day.

    A start on a day off counts from the opening of the next working day, so a limit of
    one working day from Saturday ends at Tuesday's opening (the close of Monday).
    """
    local = _local(start, "add_working_days")
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"add_working_days needs a whole number of days, got {days!r}.")
    if days < 0:
        raise ValueError(f"add_working_days counts forward only, got {days} days.")
    day = local.date()
    if not is_workday(day):
        day = _next_workday(day)
        local = _at(day, office_hours()[0][0])
    for _ in range(days):
        day = _next_workday(day + timedelta(days=1))
    return _at(day, local.time())


# --- hours ---------------------------------------------------------------------------------


def _periods_on(day: date) -> list[tuple[datetime, datetime]]:
    if not is_workday(day):
        return []
    return [(_at(day, start), _at(day, end)) for start, end in office_hours()]


def add_working_hours(start: datetime, hours: float | int | timedelta) -> datetime:
    """The moment when `hours` of office time have passed since `start`. Time outside office
    hours (nights, lunch, days off) does not count; a limit that runs out exactly at a
    period's end ends there (12:00, not 13:30)."""
    local = _local(start, "add_working_hours")
    if isinstance(hours, timedelta):
        remaining = hours
    elif isinstance(hours, int | float) and not isinstance(hours, bool):
        remaining = timedelta(hours=hours)
    else:
        raise TypeError(f"add_working_hours needs a number of hours or a timedelta, got {hours!r}.")
    if remaining < timedelta(0):
        raise ValueError(f"add_working_hours counts forward only, got {hours} hours.")
    if not remaining:
        return local
    day = local.date()
    for _ in range(_MAX_SCAN_DAYS):
        for period_start, period_end in _periods_on(day):
            begin = max(local, period_start)
            if begin >= period_end:
                continue
            available = period_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
    raise ConfigError(
        f"holiday calendar {calendar().path}: no working time within {_MAX_SCAN_DAYS} days of {start}."
    )


def working_hours_between(a: datetime, b: datetime) -> timedelta:
    """Office time between two moments (for response and handling times). Negative when
    `b` is before `a`, like a subtraction."""
    first, second = _local(a, "working_hours_between"), _local(b, "working_hours_between")
    if second < first:
        return -working_hours_between(second, first)
    total = timedelta(0)
    for day in _iter_days(first.date(), second.date()):
        for period_start, period_end in _periods_on(day):
            begin, end = max(first, period_start), min(second, period_end)
            if end > begin:
                total += end - begin
    return total


# --- time zones ------------------------------------------------------------------------------


def _local(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{what} needs a datetime, got {type(value).__name__}.")
    if timezone.is_naive(value):
        raise ValueError(
            f"{what} needs a timezone-aware datetime, got the naive {value.isoformat()}; "
            "use django.utils.timezone.now() or timezone.make_aware()."
        )
    return timezone.localtime(value)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=timezone.get_default_timezone())


def _iter_days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)
