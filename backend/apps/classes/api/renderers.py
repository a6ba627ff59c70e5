"""The CSV export of a class report (``?format=csv``)."""

import json

from rest_framework.renderers import BaseRenderer


class CsvRenderer(BaseRenderer):
    """Text the view already wrote as CSV, as is; anything else (an error) as JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, str):
            return data.encode(self.charset)
        return json.dumps(data, ensure_ascii=False).encode(self.charset)
