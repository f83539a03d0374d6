"""Check the audit log's hash chain: `manage.py audit_verify`.

Exit 0 and "audit log OK: N rows verified", or exit 1 naming the first bad row.
"""

from django.core.management.base import BaseCommand

from linli.core import audit


class Command(BaseCommand):
    help = "Seal pending audit rows, then verify the audit log's hash chain."

    def handle(self, **options):
        result = audit.verify()
        if result.ok:
            self.stdout.write(f"audit log OK: {result.checked} rows verified")
            if result.anchor_seq:
                self.stdout.write(f"(the chain starts after purged seq {result.anchor_seq})")
            return
        self.stderr.write(f"audit log BROKEN after {result.checked} good rows: {result.problem}")
        raise SystemExit(1)
