from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from linli.accounts.models import User
from linli.appeals.demo import build_appeals
from linli.core.demo import create_demo_accounts
from linli.registry.demo import build_caigongjie
from linli.territory.demo import build_territory
from linli.territory.demo_jianxuejie import build_jianxuejie
from linli.territory.demo_yucheng import build_yucheng
from linli.territory.models import Node
from linli.territory.responsibility_services import responsibilities_for_role_holders


class Command(BaseCommand):
    help = (
        "Load the demo data (章丘区双山街道 with its appeals; 任城区财工街社区 with its registry; "
        "禹城市市中街道 and 俭学街社区 with their grids, people and places) and the demo accounts. "
        "Demo mode only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when data exists.")

    def handle(self, *, if_empty: bool, **options):
        if not settings.LINLI_DEMO:
            raise CommandError("demo data is only loaded in demo mode (LINLI_MODE=demo).")
        if Node.objects.exists():
            if if_empty:
                return
            raise CommandError("the database already holds territory data; use a fresh LINLI_DATA_DIR.")
        with transaction.atomic():
            admin, _ = User.objects.get_or_create(
                username="admin", defaults={"is_superuser": True, "is_staff": True}
            )
            build_territory(admin)
            build_caigongjie(admin)
            build_yucheng(admin)
            build_jianxuejie(admin)
            create_demo_accounts()
            # The demo accounts' grid and building roles become their duties too.
            responsibilities_for_role_holders(actor=admin)
            build_appeals(admin)
        self.stdout.write(f"demo data loaded: {Node.objects.count()} places")
