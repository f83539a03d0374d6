from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """The channel an appeal came in through (DOMAIN.md §4)."""

    WINDOW = "window", _("One-stop window")
    VISIT = "visit", _("Grid visit")
    PATROL = "patrol", _("Patrol (found by staff)")
    HOTLINE = "hotline", _("12345 hotline")
    WECHAT = "wechat", _("WeChat group")
    PHONE = "phone", _("Resident's phone")
    OPEN311 = "open311", _("Open311 client")
    OTHER = "other", _("Other")


# What a member of staff may choose on the intake form; the others come in by machine.
STAFF_SOURCES = [Source.WINDOW, Source.VISIT, Source.PATROL, Source.HOTLINE, Source.WECHAT, Source.OTHER]


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 接办
    STUDIED = "studied", _("Studied")  # 研办: classified, handler decided
    ASSIGNED = "assigned", _("Assigned")  # 交办
    HANDLING = "handling", _("Being handled")  # 办理
    RETURNED = "returned", _("Returned for re-routing")  # 退回
    POSTPONED = "postponed", _("Postponed")  # 缓办
    CLOSED = "closed", _("Closed, awaiting rating")  # 办结
    RATED = "rated", _("Rated")  # 评价
    CANCELLED = "cancelled", _("Cancelled")
    MERGED = "merged", _("Merged into another appeal")


OPEN_STATUSES = (
    Status.REGISTERED,
    Status.STUDIED,
    Status.ASSIGNED,
    Status.HANDLING,
    Status.RETURNED,
    Status.POSTPONED,
)
# The statuses in which a handling clock runs (postponed stops it).
CLOCK_STATUSES = (Status.REGISTERED, Status.STUDIED, Status.ASSIGNED, Status.HANDLING, Status.RETURNED)
DONE_STATUSES = (Status.CLOSED, Status.RATED)


class HandlerKind(models.TextChoices):
    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street office")
    DEPARTMENT = "department", _("Department")
    PROXY = "proxy", _("Proxy handling by a staff member")


class DepartmentKind(models.TextChoices):
    STREET = "street", _("Street office department")
    OUTSIDE = "outside", _("Outside department")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class RatingChannel(models.TextChoices):
    LINK = "link", _("Rating link")
    VISIT = "visit", _("Return visit by staff")


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("working hours")
    DAYS = "days", _("working days")


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before")
    PROGRESS = "progress", _("During")
    AFTER = "after", _("After")


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Alert(models.TextChoices):
    """Where an appeal stands against its clock (set by the supervision scan)."""

    NONE = "", _("On time")
    WARNING = "warning", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class ProjectSource(models.TextChoices):
    VISIT = "visit", _("Visits")
    APPEAL = "appeal", _("Appeals")
    DELIBERATION = "deliberation", _("Deliberation")
    OTHER = "other", _("Other")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
