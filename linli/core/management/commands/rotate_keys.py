"""Re-encrypt stored personal data under the current data key and algorithm.

Key rotation: put a new key first in LINLI_DATA_KEYS (keep the old ones after it), restart,
run this command; once it reports nothing left, the old keys can be removed. Switching
LINLI_CRYPTO between aes and sm works the same way.

Resumable by construction: each batch selects the values that do not start with the current
"<key_id>:<alg>:" prefix, so a run that was stopped simply continues on the next run.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ExpressionWrapper, F, Q, TextField

from linli.core import crypto
from linli.core.fields import encrypted_fields


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value that is not under the current data key and algorithm."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        prefix = crypto.current_prefix()
        targets = [
            (model, field)
            for model in apps.get_models()
            if not model._meta.proxy
            for field in encrypted_fields(model)
        ]
        if not targets:
            self.stdout.write("No model has encrypted fields; nothing to re-encrypt.")
            return
        rotated = failed = changed = 0
        for model, field in targets:
            label = f"{model._meta.label}.{field.name}"
            done, bad, moved = self._rotate_column(model, field.name, prefix, batch_size, label)
            self.stdout.write(f"{label}: {done} re-encrypted.")
            rotated += done
            failed += bad
            changed += moved
        self.stdout.write(
            f"Re-encrypted {rotated} value(s) under {prefix.rstrip(':')}; "
            f"{changed} changed meanwhile and were left as written; {failed} failed."
        )
        if failed:
            raise CommandError(f"{failed} value(s) could not be decrypted; see the messages above.")

    def _rotate_column(self, model, name: str, prefix: str, batch_size: int, label: str):
        manager = model._base_manager
        pending = (
            manager.filter(~Q(**{f"{name}__startswith": prefix}), **{f"{name}__isnull": False})
            .exclude(**{name: ""})
            # The stored text as is: a plain TextField output has no decrypting converter.
            .annotate(stored_value=ExpressionWrapper(F(name), output_field=TextField()))
            .order_by("pk")
        )
        done = bad = moved = 0
        last_pk = None
        while True:
            page = pending if last_pk is None else pending.filter(pk__gt=last_pk)
            rows = list(page.values_list("pk", "stored_value")[:batch_size])
            if not rows:
                return done, bad, moved
            with transaction.atomic():
                for pk, stored in rows:
                    try:
                        plaintext = crypto.decrypt(stored)
                    except crypto.CryptoError as exc:
                        bad += 1
                        self.stderr.write(f"{label} pk={pk}: {exc}")
                        continue
                    # Only if the row still holds what was read: a concurrent save wins.
                    updated = manager.filter(pk=pk, **{name: crypto.Ciphertext(stored)}).update(
                        **{name: crypto.encrypt(plaintext)}
                    )
                    done += updated
                    moved += 1 - updated
            # Rows that failed stay unrotated; paging by pk keeps this run from looping on them.
            last_pk = rows[-1][0]
            self.stdout.write(f"{label}: {done} re-encrypted so far…")
