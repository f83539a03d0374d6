"""Departments that receive appeals, and the liaison accounts that act for them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.appeals.choices import DepartmentKind
from linli.core.scoping import ScopedModel


class Department(ScopedModel):
    """A department of the street office (综治办, 城管办 …) or an outside one (民政, 人社,
    司法, 住建, 12345 …). `node` is the area it serves (usually the street or the district):
    an appeal can be sent to a department whose area contains the appeal."""

    record_kind = "appeal"
    scope_path_lookup = "node__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=DepartmentKind.choices)
    node = models.ForeignKey(
        "territory.Node",
        on_delete=models.PROTECT,
        related_name="appeal_departments",
        verbose_name=_("serves"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["node", "name"], name="department_name_unique_per_node")
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentLiaison(models.Model):
    """A department_liaison account acting for a department: it sees the appeals currently
    assigned to that department, and nothing else of the territory's records."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="liaisons")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeal_departments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("department liaison")
        verbose_name_plural = _("department liaisons")
        constraints = [
            models.UniqueConstraint(fields=["department", "user"], name="one_liaison_row_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"
