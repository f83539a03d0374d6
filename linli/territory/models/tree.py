import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.scoping import ScopedModel
from linli.territory.choices import DedicatedKind, NodeKind


class Node(ScopedModel):
    """A place in the territory tree: district → street → community → grid → compound →
    building → unit → dwelling. `path` is the materialised path of ids ("/3/17/52/"),
    which every scoped query matches by prefix."""

    record_kind = "territory"
    scope_path_lookup = "path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=NodeKind.choices)
    dedicated_kind = models.CharField(
        _("dedicated grid type"), max_length=20, choices=DedicatedKind.choices, blank=True
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField(default=0)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "path"]),
            models.Index(fields=["parent", "code"]),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]
