"""A bare WSGI app that answers every request with the bytes of one file (BARE_BODY_FILE),
as JSON, or of its Brotli copy (BARE_BR_FILE) when the client accepts Brotli: the ceiling
chart_bench.py measures the chart API against."""

import os
from pathlib import Path

BODY = Path(os.environ["BARE_BODY_FILE"]).read_bytes()
BR = Path(os.environ["BARE_BR_FILE"]).read_bytes()
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
BR_HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Encoding", "br"),
    ("Content-Length", str(len(BR))),
]


def application(environ, start_response):
    if "br" in environ.get("HTTP_ACCEPT_ENCODING", ""):
        start_response("200 OK", BR_HEADERS)
        return [BR]
    start_response("200 OK", HEADERS)
    return [BODY]
