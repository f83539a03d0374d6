"""Time limits per category and urgency, counted on the Chinese working-day calendar."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from linli.appeals import deadlines
from linli.appeals.choices import LimitUnit, Urgency
from linli.appeals.models import Category, TimeLimit

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=TZ)


def test_category_then_parent_then_default():
    lights = Category.objects.get(code="stair_lights")
    assert deadlines.limits_for(lights, Urgency.NORMAL).handle == deadlines.Limit(3, LimitUnit.DAYS)
    # No row for stair lights × urgent: the default row.
    assert deadlines.limits_for(lights, Urgency.URGENT).handle == deadlines.Limit(2, LimitUnit.DAYS)
    child = Category.objects.create(code="lights_basement", name="地下室照明", parent=lights)
    assert deadlines.limits_for(child, Urgency.NORMAL).handle == deadlines.Limit(3, LimitUnit.DAYS)
    TimeLimit.objects.filter(category__isnull=True).delete()
    assert deadlines.limits_for(None, Urgency.CRITICAL) == deadlines.BUILT_IN[Urgency.CRITICAL]


def test_handling_limit_across_national_day_and_the_make_up_saturday():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days.
    start = at(2025, 9, 26, 10, 0)  # Friday
    lights = Category.objects.get(code="stair_lights")  # 3 working days
    dues = deadlines.intake_dues(category=lights, urgency=Urgency.NORMAL, start=start)
    # Sun 28 Sep (make-up) = 1, Mon 29 = 2, Tue 30 = 3.
    assert dues["handle_due_at"] == at(2025, 9, 30, 10, 0)
    start = at(2025, 9, 30, 16, 0)  # Tuesday, the last day before the holiday
    dues = deadlines.intake_dues(category=lights, urgency=Urgency.NORMAL, start=start)
    # 1–8 Oct off; Thu 9 = 1, Fri 10 = 2, Sat 11 (make-up) = 3.
    assert dues["handle_due_at"] == at(2025, 10, 11, 16, 0)
    # The response limit (8 working hours) runs over the holiday too: 1.5 h on 30 Sep,
    # then 6.5 h on 9 Oct from 08:30 → 16:30 (lunch 12:00–13:30 not counted).
    assert dues["response_due_at"] == at(2025, 10, 9, 16, 30)


def test_warning_comes_at_the_configured_share(settings):
    settings.LINLI_APPEAL_WARNING_PERCENT = 50
    start, due = at(2026, 3, 2, 8, 30), at(2026, 3, 3, 8, 30)  # one working day (7.5 h)
    assert deadlines.warn_at(start, due) == at(2026, 3, 2, 13, 45)  # 3.75 h: 3.5 before lunch


def test_an_extension_after_the_due_date_counts_from_now():
    due, now = at(2026, 3, 2, 9, 0), at(2026, 3, 4, 9, 0)
    assert deadlines.extended_dues(due=due, now=now, amount=1, unit=LimitUnit.DAYS)["handle_due_at"] == at(
        2026, 3, 5, 9, 0
    )
