"""Revealing one personal value in full: a permission, a reason, an audit row.

Screens and the API show masked values (linli.core.masking). Seeing the full value is the
("<record kind>", "reveal") grant on the record's place in the tree; the caller gives a
reason, and the audit log gets a "pii.reveal" row naming the field and the reason, never
the value. Any app's encrypted field can be revealed through this one function:

    value = reveal_field(actor=request.user, obj=resident, field="citizen_id",
                         reason=form.cleaned_data["reason"], request=request)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.errors import PermissionDenied, ValidationFailed
from linli.core.fields import encrypted_fields

if TYPE_CHECKING:
    from linli.accounts.models import User
    from linli.core.scoping import ScopedModel

MIN_REASON_LENGTH = 4
MAX_REASON_LENGTH = 500
REVEAL_ACTION = "reveal"


def may_reveal(user: User | None, obj: ScopedModel) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.grants.allows(obj.record_kind, REVEAL_ACTION, obj.scope_path())


def revealable_fields(model) -> set[str]:
    """Encrypted fields of the model (and its parents): the only ones that can be revealed."""
    names = set()
    for klass in model._meta.get_parent_list() + [model]:
        names.update(f.name for f in encrypted_fields(klass))
    return names


def clean_reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if len(text) < MIN_REASON_LENGTH:
        raise ValidationFailed(
            _("Give a reason of at least %(n)d characters for seeing the full value.")
            % {"n": MIN_REASON_LENGTH},
            code="reason_required",
            field="reason",
        )
    return text[:MAX_REASON_LENGTH]


@transaction.atomic
def reveal_field(*, actor: User, obj: ScopedModel, field: str, reason: str, request=None) -> str:
    """Return the plain value of `obj.<field>` and record that `actor` saw it, and why.

    The caller has loaded `obj` with get_scoped_or_404 (so it is in the actor's view scope);
    lacking the reveal grant is a PermissionDenied (403), a missing or short reason a
    ValidationFailed (422); either way no audit row claims a reveal that did not happen.
    """
    if field not in revealable_fields(type(obj)):
        raise ValidationFailed(_("This field cannot be revealed."), code="not_revealable", field="field")
    if not may_reveal(actor, obj):
        raise PermissionDenied
    reason = clean_reason(reason)
    audit.record(
        actor=actor,
        action="pii.reveal",
        target=obj,
        reason=reason,
        extra={"field": field},
        request=request,
    )
    # The stored value, not whatever the caller's copy of the object holds.
    obj.refresh_from_db(fields=[field])
    return getattr(obj, field) or ""
