"""Model fields for personal data encrypted at rest.

Pattern (a model of a later app):

    from linli.core.fields import BlindIndexField, EncryptedTextField, fill_blind_indexes

    class Resident(ScopedModel):
        citizen_id = EncryptedTextField(blank=True)
        citizen_id_index = BlindIndexField(source="citizen_id", purpose="citizen_id")
        phone = EncryptedTextField(blank=True)
        phone_index = BlindIndexField(source="phone", purpose="phone")

    # services.py, before every save of these values:
    resident.citizen_id = identity.normalise_citizen_id(raw)
    fill_blind_indexes(resident)
    resident.save()

    # selectors.py, equality search without plaintext:
    Resident.objects.restrict(user).filter(citizen_id_index=blind_index(query, "citizen_id"))

Bulk paths that skip the instance (QuerySet.update, bulk_update of other fields, COPY) must
compute `blind_index(value, purpose)` themselves.

EncryptedTextField refuses lookups that would compare plaintext with ciphertext (they would
silently match nothing): only isnull, exact with None/"" and startswith on the stored form
(for key ids, see rotate_keys) are allowed. Search through the blind index instead.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.lookups import Exact, IsNull, StartsWith

from linli.core import crypto


class _StoredExact(Exact):
    def get_prep_lookup(self):
        rhs = self.rhs
        if isinstance(rhs, str) and rhs and not isinstance(rhs, crypto.Ciphertext):
            raise TypeError(
                f"{self.lhs.output_field.name}: an encrypted column cannot be compared with a plaintext "
                "value; filter on its blind-index column instead."
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Stores "<key_id>:<alg>:<base64>" (see linli.core.crypto); Python sees the plaintext.

    None stays None (NULL) and "" stays "": neither is secret, and keeping them lets
    blank=True fields behave like ordinary text fields.
    """

    description = "Text encrypted at rest"

    _allowed_lookups = {"isnull": IsNull, "exact": _StoredExact, "startswith": StartsWith}

    def get_lookup(self, lookup_name):
        return self._allowed_lookups.get(lookup_name)

    def get_transform(self, lookup_name):
        return None

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        # Encrypting here and not in get_prep_value keeps startswith lookups on the stored
        # form (they only call get_prep_value), while saves, updates and bulk_update
        # (Value expressions) all pass through here.
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or value == "" or isinstance(value, crypto.Ciphertext):
            return value
        return crypto.encrypt(value)


class BlindIndexField(models.CharField):
    """The keyed HMAC of another field's normalised value, for equality search.

    `source` names the field it indexes and `purpose` the normalisation and index space
    (crypto.blind_index). Filled by fill_blind_indexes(), not by save(): the service decides.
    """

    description = "Blind index (keyed HMAC) of another field"

    _defaults = {"max_length": 64, "db_index": True, "editable": False, "null": True, "blank": True}

    def __init__(self, *args: Any, source: str, purpose: str, **kwargs: Any):
        self.source = source
        self.purpose = purpose
        for key, default in self._defaults.items():
            kwargs.setdefault(key, default)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        # Migrations only record what differs from this field's own defaults.
        for key, default in self._defaults.items():
            value = getattr(self, key)
            if value == default:
                kwargs.pop(key, None)
            else:
                kwargs[key] = value
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs


def fill_blind_indexes(instance: models.Model) -> list[str]:
    """Set every BlindIndexField of `instance` from its source; return their names
    (handy for save(update_fields=...))."""
    names = []
    for field in instance._meta.concrete_fields:
        if isinstance(field, BlindIndexField):
            setattr(
                instance, field.attname, crypto.blind_index(getattr(instance, field.source), field.purpose)
            )
            names.append(field.name)
    return names


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    """The encrypted columns in this model's own table (inherited ones belong to the parent)."""
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
