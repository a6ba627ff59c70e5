"""Day numbers and answer times computed by the database itself.

Django's ``TruncDate``/``TruncWeek`` and datetime subtraction are Python functions on SQLite,
called once per row: on 50,000 attempts they cost a second. These expressions use the
database's own date arithmetic (``julianday`` on SQLite, ``AT TIME ZONE`` on PostgreSQL) and
answer plain integers, so a report groups 50,000 rows in milliseconds.
"""

from django.db.models import FloatField, Func, IntegerField
from django.utils import timezone

# The Julian day number of 0001-01-01, the first day of Python's proleptic ordinals.
_JDN_OF_ORDINAL_ZERO = 1721425


class LocalDay(Func):
    """The local calendar day of a datetime column as ``date.toordinal()`` (1 is 0001-01-01).

    The local day is the current time zone's. PostgreSQL converts each value exactly; SQLite
    applies today's UTC offset to every value (exact for zones without daylight saving time,
    such as Asia/Ho_Chi_Minh; elsewhere a day may start an hour off for part of the year).
    """

    output_field = IntegerField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        offset_days = timezone.localtime().utcoffset().total_seconds() / 86400
        return self.as_sql(
            compiler,
            connection,
            template=(
                f"(CAST(julianday(%(expressions)s) + {0.5 + offset_days!r} AS INTEGER)"
                f" - {_JDN_OF_ORDINAL_ZERO})"
            ),
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        zone = timezone.get_current_timezone_name()
        return (
            f"((({sql}) AT TIME ZONE %s)::date - DATE '0001-01-01' + 1)",
            (*params, zone),
        )


class AnswerSeconds(Func):
    """Seconds between two datetime columns (item shown, item answered), at most ``cap``."""

    output_field = FloatField()
    arity = 2

    def __init__(self, start, end, *, cap: float, **extra):
        self.cap = float(cap)
        super().__init__(start, end, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        (start, start_params), (end, end_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        return (
            f"MIN((julianday({end}) - julianday({start})) * 86400.0, {self.cap!r})",
            (*end_params, *start_params),
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        (start, start_params), (end, end_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        return (
            f"LEAST(EXTRACT(EPOCH FROM ({end} - {start})), {self.cap!r})",
            (*end_params, *start_params),
        )
