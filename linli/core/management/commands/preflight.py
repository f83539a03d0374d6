"""Checks before script/server starts: the database answers, the port is free.
Each failure is one line that says what to fix."""

import socket

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import OperationalError


class Command(BaseCommand):
    help = "Check the database connection and that the port is free."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *, port: int, host: str, **options):
        try:
            connection.ensure_connection()
        except OperationalError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(f"the database cannot be reached ({reason}). Check DATABASE_URL.") from None
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                raise CommandError(
                    f"port {port} is already in use. Stop the other program or start with PORT=<another port>."
                ) from None
