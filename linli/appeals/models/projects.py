"""为民办实事清单: practical projects a community commits to, each led by a two-committee
member, with milestones. Public: they are listed on the community's board."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.appeals.choices import ProjectSource, ProjectStatus
from linli.core.scoping import ScopedModel


class Project(ScopedModel):
    record_kind = "appeal"
    scope_path_lookup = "node__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "territory.Node",
        on_delete=models.PROTECT,
        related_name="appeal_projects",
        verbose_name=_("community"),
    )
    # Where it is: a building (金星苑 2号楼), or the community itself. The scope: the grid
    # worker of that building's grid sees it; the public board names it to building level.
    node = models.ForeignKey(
        "territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("came from"), max_length=12, choices=ProjectSource.choices)
    appeal = models.ForeignKey(
        "appeals.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("led by"),
    )
    # The lead's name as shown publicly (a two-committee member's name is public by office).
    lead_name = models.CharField(_("lead's name"), max_length=50)
    lead_title = models.CharField(_("lead's office"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    started_on = models.DateField(_("started"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    public = models.BooleanField(_("public"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="project_progress_at_most_100")
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=120)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.title
