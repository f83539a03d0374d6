import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.core.demo import demo_accounts_json


class Command(BaseCommand):
    help = "Print the demo accounts (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *, json: bool, **options):
        if not settings.LINLI_DEMO:
            raise CommandError("demo accounts exist only in demo mode.")
        accounts = demo_accounts_json()
        if json:
            self.stdout.write(_dumps(accounts))
            return
        for a in accounts:
            roles = ", ".join(f"{r['role']}@{r['territory']}" for r in a["roles"]) or "superuser"
            self.stdout.write(f"{a['username']:<10} {a['password']:<22} {roles}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
