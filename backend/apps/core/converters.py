"""The ``rowid`` path converter: a URL segment that names a database row by its id.

It matches what ``str`` matches and hands the view the text, so that each view still checks
it with :func:`apps.core.api.database_id` and answers its own 404 ("No lesson with id x."),
JSON like every answer under /api/. What it adds is the declaration: the OpenAPI schema
(``SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"]``) describes every ``<rowid:...>`` as
:data:`ROW_ID_SCHEMA`, from this one place. No Django import: settings read this module.
"""

ROW_ID_MAX = 2**63 - 1  # the largest value of a 64-bit (BigAutoField) column
# What database_id accepts, for the schema: ids start at 1.
ROW_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ROW_ID_MAX}


class RowIdConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)
