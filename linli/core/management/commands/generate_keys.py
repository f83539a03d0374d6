from django.core.management.base import BaseCommand

from linli.core.keys import generate_env_lines


class Command(BaseCommand):
    help = "Print fresh production keys as environment lines (keep them secret, back them up)."

    def handle(self, **options):
        for line in generate_env_lines():
            self.stdout.write(line)
