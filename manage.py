#!/usr/bin/env python
"""Django's command-line utility, with operator-friendly errors for bad configuration."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    from linli.core.env import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as exc:
        sys.exit(f"linli: configuration error: {exc}")
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.exit(f"linli: the database cannot be reached ({first_line}). Check DATABASE_URL.")


if __name__ == "__main__":
    main()
