"""Territory scoping: the one rule that must never break (README, "Scoping").

Every scoped model's default manager is a ScopedQuerySet. `restrict(user, action)` keeps
the rows whose territory path starts with one of the paths the user holds a grant for.
Out of scope and non-existent look the same to the caller: both are a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from linli.accounts.models import User


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: User | None, action: str = "view") -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        paths = user.grants.paths(self.model.record_kind, action)
        if not paths:
            return self.none()
        return self.filter(path_prefix_condition(self.model.scope_path_lookup, paths, self.db))


def path_prefix_condition(field: str, paths: list[str], using: str = "default") -> Q:
    """Rows whose materialised path starts with one of `paths`.

    On SQLite, LIKE 'p%' cannot use an index, so the prefix is written as the range
    p <= path < p[:-1] + "0": paths hold only digits and "/", and "/" sorts right before
    "0" in SQLite's binary collation (measured in bench/scoping: 0.67 → 0.9 of unscoped).
    PostgreSQL keeps LIKE, which its varchar_pattern_ops index serves in any collation.
    """
    condition = Q()
    if connections[using].vendor == "sqlite":
        for path in paths:
            condition |= Q(**{f"{field}__gte": path, f"{field}__lt": path[:-1] + "0"})
    else:
        for path in paths:
            condition |= Q(**{f"{field}__startswith": path})
    return condition


class ScopedModel(models.Model):
    """Base for every record that lives somewhere in the territory tree.

    Subclasses set `record_kind` (a key of the grants table in accounts/roles.py) and
    `scope_path_lookup` (the lookup that reaches the materialised path of the record's
    territory node, e.g. "node__path").
    """

    record_kind: str = ""
    scope_path_lookup: str = "node__path"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def scope_path(self) -> str:
        value: Any = self
        for part in self.scope_path_lookup.split("__"):
            value = getattr(value, part)
        return value


def get_scoped_or_404(
    queryset: models.QuerySet | type[models.Model],
    user: User,
    action: str = "view",
    request=None,
    **lookup: Any,
):
    """The only way a view or endpoint loads one object."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        return queryset.restrict(user, action).get(**lookup)
    except (ValueError, TypeError, ValidationError):
        raise Http404 from None  # a malformed id names nothing
    except queryset.model.DoesNotExist:
        # The record may exist outside the user's scope: leave a trace of the attempt.
        if queryset.filter(**lookup).exists():
            from linli.core import audit

            audit.record(
                actor=user,
                action="scope.denied",
                target_type=queryset.model._meta.label_lower,
                target_repr=str(lookup),
                request=request,
            )
        raise Http404 from None


def ensure_in_scope(obj: ScopedModel, user: User, action: str) -> None:
    """Re-check after a write, inside the same transaction: raise (and so roll back) when the
    object has left the actor's scope."""
    from linli.core.errors import OutOfScope

    if user.is_superuser:
        return
    path = obj.scope_path()
    if not any(path.startswith(p) for p in user.grants.paths(obj.record_kind, action)):
        raise OutOfScope
