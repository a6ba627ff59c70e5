from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import OperationalError


class Command(BaseCommand):
    help = (
        "Create the PostgreSQL database DATABASE_URL names when it does not exist (and the "
        "server allows it); on SQLite there is nothing to do. `make run` calls it."
    )

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            return
        name = connection.settings_dict["NAME"]
        try:
            connection.ensure_connection()
            return  # it exists and answers
        except OperationalError as exc:
            if "does not exist" not in str(exc):
                raise CommandError(f"Cannot connect to PostgreSQL: {_first_line(exc)}") from None
        # Connect to the server's maintenance database to create ours.
        with connection._nodb_cursor() as cursor:
            try:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
            except Exception as exc:  # noqa: BLE001  (permissions, a race: say it in one line)
                raise CommandError(
                    f"Database {name!r} does not exist and could not be created: "
                    f"{_first_line(exc)}. Create it with: createdb {name}"
                ) from None
        self.stdout.write(f"Created the PostgreSQL database {name!r}.")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
