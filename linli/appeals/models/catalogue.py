"""The catalogue: categories (an editable tree) and time limits per category and urgency.

Both are configuration, edited by the superuser in /admin/ (and seeded by a data
migration); they belong to no place in the tree, so they are not scoped.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.appeals.choices import LimitUnit, Urgency


class Category(models.Model):
    # Stable and ASCII: it is the Open311 service_code, and it outlives renamings.
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Words that suggest this category on intake (besides its name), separated by spaces.
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    # Private matters (assistance, disputes, care of the elderly) are never shown publicly:
    # not on the board, not in Open311's public list.
    public = models.BooleanField(_("shown publicly"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name

    def clean(self) -> None:
        seen, node = {self.pk}, self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("A category cannot be placed under itself.")})
            seen.add(node.pk)
            node = node.parent

    def lineage(self) -> list["Category"]:
        """This category, then its parent, up to the top."""
        chain, node = [], self
        while node is not None and len(chain) < 20:
            chain.append(node)
            node = node.parent
        return chain


class TimeLimit(models.Model):
    """How long the response (签收) and the handling (办结) may take. A category without its
    own row uses its parent's, then the row without a category, then the built-in defaults
    (linli/appeals/deadlines.py)."""

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="time_limits",
        verbose_name=_("category"),
        help_text=_("Empty: the default for every category without its own limit."),
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    response_amount = models.PositiveSmallIntegerField(_("response within"))
    response_unit = models.CharField(
        _("unit"), max_length=5, choices=LimitUnit.choices, default=LimitUnit.HOURS
    )
    handle_amount = models.PositiveSmallIntegerField(_("handling within"))
    handle_unit = models.CharField(_("unit"), max_length=5, choices=LimitUnit.choices, default=LimitUnit.DAYS)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "urgency"], name="one_time_limit_per_category_urgency"
            ),
            models.UniqueConstraint(
                fields=["urgency"],
                condition=models.Q(category__isnull=True),
                name="one_default_time_limit_per_urgency",
            ),
            models.CheckConstraint(
                condition=models.Q(response_amount__gt=0, handle_amount__gt=0), name="time_limits_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} · {self.get_urgency_display()}"
