"""Delete audit rows older than LINLI_AUDIT_RETENTION_DAYS: `manage.py audit_purge`.

The scheduler runs the same purge daily (core/jobs.py). The chain stays verifiable: its
anchor moves to the last purged row in the same transaction.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from linli.core import audit


class Command(BaseCommand):
    help = "Purge sealed audit rows older than the retention period, keeping the chain verifiable."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say how many rows would go.")

    def handle(self, *, dry_run: bool, **options):
        try:
            result = audit.purge(dry_run=dry_run)
        except audit.AuditChainBroken as exc:
            self.stderr.write(f"nothing purged: the rows to purge fail verification: {exc.problem}")
            raise SystemExit(1) from None
        days = settings.LINLI_AUDIT_RETENTION_DAYS
        verb = "would purge" if dry_run else "purged"
        self.stdout.write(
            f"{verb} {result.purged} rows older than {result.cutoff:%Y-%m-%d %H:%M} UTC "
            f"({days} days); anchor at seq {result.anchor_seq}"
        )
