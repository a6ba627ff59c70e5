"""A bare WSGI app that answers every request with the bytes of one file (BARE_BODY_FILE),
as JSON: the ceiling chart_bench.py measures the chart API against."""

import os
from pathlib import Path

BODY = Path(os.environ["BARE_BODY_FILE"]).read_bytes()
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
