#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

A bad setting or a database that cannot be reached is told in one line (and a non-zero
exit), not a traceback: they are an operator's mistakes to fix, not bugs.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.exit(f"PhatAm cannot start: {exc}")
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.exit(
            f"PhatAm cannot use the database: {first_line}\n"
            "Check DATABASE_URL; `python manage.py ensure_database` creates a missing "
            "PostgreSQL database when the server allows it."
        )


if __name__ == "__main__":
    main()
