"""The working-day calendar: holidays and make-up workdays from the data file, office hours,
deadlines in working days and hours, and refusals of what would give a wrong deadline."""

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from linli.core import workcalendar
from linli.core.env import ConfigError
from linli.core.workcalendar import (
    add_working_days,
    add_working_hours,
    holiday_name,
    is_workday,
    working_hours_between,
    year_status,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def fresh_calendar():
    workcalendar.clear_cache()
    yield
    workcalendar.clear_cache()


@pytest.fixture
def holidays_file(tmp_path, settings):
    """Writes a holidays file and makes it the one in use."""

    def _write(text: str):
        path = tmp_path / "holidays.toml"
        path.write_text(text, encoding="utf-8")
        settings.LINLI_HOLIDAYS_FILE = str(path)
        return path

    return _write


def test_bundled_file_says_which_years_are_official():
    assert year_status(2025) == "official"
    assert year_status(2026) == "official"
    assert year_status(2027) == "provisional"
    assert year_status(2030) == "uncovered"


def test_national_day_2025_with_the_make_up_saturday():
    assert not is_workday(date(2025, 10, 1))
    assert not is_workday(date(2025, 10, 8))  # a Wednesday, still inside the break
    assert is_workday(date(2025, 9, 28))  # Sunday worked before the break
    assert is_workday(date(2025, 10, 11))  # Saturday worked after it
    assert holiday_name(date(2025, 10, 3)) == "国庆节、中秋节"
    # 5 working days from Monday 2025-09-29 09:00, counted by hand:
    #   Tue 09-30 = 1; Wed 10-01 .. Wed 10-08 holiday (国庆节、中秋节);
    #   Thu 10-09 = 2; Fri 10-10 = 3; Sat 10-11 (make-up workday) = 4;
    #   Sun 10-12 off; Mon 10-13 = 5  ->  2025-10-13 09:00.
    # Plain Monday-Friday would give 10-06; ignoring the make-up Saturday, 10-14.
    assert add_working_days(at(2025, 9, 29, 9), 5) == at(2025, 10, 13, 9)


def test_spring_festival_2026():
    assert not is_workday(date(2026, 2, 16))  # 除夕, a Monday
    assert not is_workday(date(2026, 2, 23))  # 正月初七, a Monday, last day off
    assert is_workday(date(2026, 2, 14)) and is_workday(date(2026, 2, 28))  # Saturdays worked
    # Thu 02-12 10:00 + 2: Fri 02-13 = 1, Sat 02-14 (make-up) = 2.
    assert add_working_days(at(2026, 2, 12, 10), 2) == at(2026, 2, 14, 10)
    # Fri 02-13 10:00 + 3: Sat 02-14 = 1; 02-15 .. 02-23 off; Tue 02-24 = 2; Wed 02-25 = 3.
    assert add_working_days(at(2026, 2, 13, 10), 3) == at(2026, 2, 25, 10)


def test_working_hours_skip_the_lunch_break():
    # Monday 11:00 + 2 h: 11:00-12:00 is one hour, lunch 12:00-13:30 does not count, 13:30-14:30.
    assert add_working_hours(at(2025, 11, 3, 11), 2) == at(2025, 11, 3, 14, 30)
    # A limit that runs out when the morning closes ends at 12:00, not after lunch.
    assert add_working_hours(at(2025, 11, 3, 11), 1) == at(2025, 11, 3, 12)
    assert working_hours_between(at(2025, 11, 3, 11), at(2025, 11, 3, 14, 30)) == timedelta(hours=2)


def test_working_hours_skip_the_weekend_but_not_a_make_up_day():
    # Friday 2025-11-07 16:30 + 3 h: one hour on Friday, the weekend is off, two on Monday.
    assert add_working_hours(at(2025, 11, 7, 16, 30), 3) == at(2025, 11, 10, 10, 30)
    assert working_hours_between(at(2025, 11, 7, 16, 30), at(2025, 11, 10, 10, 30)) == timedelta(hours=3)
    # Friday 2025-09-26 16:30 + 3 h: Sunday 09-28 is a make-up workday, so the limit ends there.
    assert add_working_hours(at(2025, 9, 26, 16, 30), 3) == at(2025, 9, 28, 10, 30)
    # A full working day is 7.5 hours with the default office hours.
    assert working_hours_between(at(2025, 11, 3, 0), at(2025, 11, 4, 0)) == timedelta(hours=7, minutes=30)


def test_a_start_on_a_holiday_counts_from_the_next_working_day():
    # Filed Friday 2025-10-03 15:00, inside the National Day break: the clock starts at
    # Thursday 10-09 08:30, the first opening after the break.
    assert add_working_days(at(2025, 10, 3, 15), 1) == at(2025, 10, 10, 8, 30)
    assert add_working_hours(at(2025, 10, 3, 15), 2) == at(2025, 10, 9, 10, 30)
    assert working_hours_between(at(2025, 10, 3, 15), at(2025, 10, 9, 10, 30)) == timedelta(hours=2)
    # Filed on a working day after closing: the same time of day, one working day later.
    assert add_working_days(at(2025, 11, 3, 20), 1) == at(2025, 11, 4, 20)
    assert add_working_hours(at(2025, 11, 3, 20), 1) == at(2025, 11, 4, 9, 30)


def test_adding_and_measuring_agree():
    for start in (
        at(2025, 9, 26, 16, 30),
        at(2025, 10, 3, 15),
        at(2026, 2, 13, 12, 45),
        at(2025, 12, 31, 17),
    ):
        for hours in (0.5, 7.5, 20, 75):
            end = add_working_hours(start, hours)
            assert working_hours_between(start, end) == timedelta(hours=hours)
            assert working_hours_between(end, start) == -timedelta(hours=hours)


def test_other_time_zones_are_converted_and_results_are_local():
    start = datetime(2025, 9, 29, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    deadline = add_working_days(start, 5)
    assert deadline == at(2025, 10, 13, 9)
    assert deadline.utcoffset() == timedelta(hours=8)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2025, 9, 29, 9), 5)  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_hours(datetime(2025, 9, 29, 9), 1)  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        working_hours_between(at(2025, 9, 29), datetime(2025, 9, 30, 9))  # noqa: DTZ001


def test_negative_limits_are_refused():
    with pytest.raises(ValueError, match="forward"):
        add_working_days(at(2025, 9, 29), -1)
    with pytest.raises(ValueError, match="forward"):
        add_working_hours(at(2025, 9, 29), -2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[2025]\nprovisional = false\nholidays = [{ name = "国庆节", start = 2025-10-01, end = 2025-10-08 }]\n'
            'makeup_workdays = [{ date = 2025-10-04, name = "国庆节" }]\n',
            r"2025-10-04 is both a holiday \(国庆节\) and a make-up workday",
        ),
        ("[2025\nprovisional = false\n", "not valid TOML"),
        ("[2025]\nholidays = []\n", r"\[2025\] needs provisional = false"),
        (
            '[2025]\nprovisional = false\nmakeup_workdays = [{ date = 2025-10-10, name = "国庆节" }]\n',
            "2025-10-10 .* is a Friday; only a Saturday or Sunday",
        ),
        (
            '[2025]\nprovisional = false\nholidays = [{ name = "春节", start = "2025-01-28", end = "2025-02-31" }]\n',
            "'2025-02-31', not a date written YYYY-MM-DD",
        ),
        (
            '[2025]\nprovisional = false\nholidays = [{ name = "春节", start = 2025-02-04, end = 2025-01-28 }]\n',
            "ends 2025-01-28 before it starts 2025-02-04",
        ),
        ("[2025]\nprovisional = false\nholiday = []\n", r"unknown key\(s\) holiday"),
        ("[next]\nprovisional = false\n", r"\[next\] is not a year"),
    ],
    ids=[
        "holiday-and-make-up",
        "toml-syntax",
        "no-provisional",
        "weekday-make-up",
        "bad-date",
        "reversed",
        "typo",
        "not-a-year",
    ],
)
def test_a_bad_holidays_file_is_refused_with_a_message(holidays_file, text, message):
    path = holidays_file(text)
    with pytest.raises(ConfigError, match=message) as caught:
        is_workday(date(2025, 10, 10))
    assert str(path) in str(caught.value)


def test_a_missing_holidays_file_is_reported(settings, tmp_path):
    settings.LINLI_HOLIDAYS_FILE = str(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="cannot be read"):
        workcalendar.check_configuration()


def test_a_deployment_can_ship_its_own_file(holidays_file):
    holidays_file(
        "[2025]\nprovisional = false\n"
        'holidays = [{ name = "本地假日", start = 2025-11-03, end = 2025-11-03 }]\n'
        'makeup_workdays = [{ date = 2025-11-08, name = "本地假日" }]\n'
    )
    assert not is_workday(date(2025, 11, 3))
    assert is_workday(date(2025, 11, 8))
    assert is_workday(date(2025, 10, 1))  # not a holiday in this file
    assert holiday_name(date(2025, 11, 3)) == "本地假日"


def test_outside_the_covered_years_monday_to_friday_with_one_warning(caplog):
    caplog.set_level(logging.WARNING, logger="linli.core.workcalendar")
    assert is_workday(date(2030, 1, 1))  # a Tuesday; the real 元旦 is unknown to the file
    assert not is_workday(date(2030, 1, 5))  # a Saturday
    assert add_working_days(at(2030, 1, 4, 9), 1) == at(2030, 1, 7, 9)  # Friday -> Monday
    warnings = [r for r in caplog.records if "does not cover 2030" in r.getMessage()]
    assert len(warnings) == 1


def test_a_provisional_year_is_used_and_flagged_once(caplog):
    caplog.set_level(logging.WARNING, logger="linli.core.workcalendar")
    assert not is_workday(date(2027, 10, 4))
    assert is_workday(date(2027, 10, 9))
    warnings = [r for r in caplog.records if "2027 are provisional" in r.getMessage()]
    assert len(warnings) == 1


def test_office_hours_come_from_the_setting(settings):
    settings.LINLI_OFFICE_HOURS = "09:00-17:00"
    assert add_working_hours(at(2025, 11, 7, 16), 2) == at(2025, 11, 10, 10)
    assert working_hours_between(at(2025, 11, 3, 0), at(2025, 11, 4, 0)) == timedelta(hours=8)
    # A start on a day off opens at the configured time.
    assert add_working_days(at(2025, 11, 8, 15), 1) == at(2025, 11, 11, 9)
    settings.LINLI_OFFICE_HOURS = [("08:00", "11:30"), ("14:00", "18:00")]
    assert add_working_hours(at(2025, 11, 3, 11), 1) == at(2025, 11, 3, 14, 30)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("8:30-12", "is not a period HH:MM-HH:MM"),
        ("12:00-08:30", "ends before it starts"),
        ("13:30-17:30,08:30-12:00", "list the periods of the day in order"),
        (" , ", "is empty"),
    ],
)
def test_bad_office_hours_are_refused(settings, value, message):
    settings.LINLI_OFFICE_HOURS = value
    with pytest.raises(ConfigError, match=message):
        workcalendar.check_configuration()
