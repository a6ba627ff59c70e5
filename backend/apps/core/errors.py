"""Every answer under /api/ is JSON, errors included.

DRF answers its own errors in JSON, but some never reach it: Django's resolver answers an
unknown URL, and a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` raises ``RequestDataTooBig``
while DRF parses it, which Django turns into an HTML 400 (a debug page with DEBUG on). This
middleware answers those in JSON, ``{"detail": "..."}`` like DRF's, with the same status (413
for a body over the limit). Responses DRF rendered itself (the browsable API in DEBUG) are
left as they are.

A database that stops answering after start (``OperationalError``, ``InterfaceError``) is a
fault the product survives: every request that meets it gets 503 with ``Retry-After``, JSON
under /api/ and a short page in Vietnamese elsewhere, never a 500. The middleware answers the
faults raised in views; :func:`server_error` (``handler500``) those raised in other
middleware (a session saved after the view).
"""

import logging
import sys
from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from apps.core.outages import OutageLog

logger = logging.getLogger(__name__)
database_outage = OutageLog(logger)

API_PREFIX = "/api/"
# Headers of an error answer that still mean something once its body is JSON.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")
# A restarted or failed-over database is usually back within this many seconds.
DATABASE_RETRY_AFTER = 30
DATABASE_DOWN_DETAIL = (
    "Máy chủ tạm thời không truy cập được cơ sở dữ liệu; hãy thử lại sau ít phút. "
    "(The database is unavailable; try again shortly.)"
)
DATABASE_FAULTS = (OperationalError, InterfaceError)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    return content_type == "application/json" or content_type.endswith("+json")


def json_error(status: int, detail: str | None = None) -> JsonResponse:
    """``{"detail": ...}`` with ``status``; the detail defaults to the status's phrase."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return JsonResponse({"detail": detail or f"{phrase}."}, status=status)


def database_unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """503 with ``Retry-After`` for a request that met a database fault: JSON under /api/,
    a short Vietnamese page elsewhere. Rendered without the request's context (its session
    and user need the database). The fault is logged once a minute, not per request."""
    database_outage("Database unavailable: %s: %s", type(exception).__name__, exception)
    if _is_api(request):
        response = json_error(503, DATABASE_DOWN_DETAIL)
    else:
        body = render_to_string(
            "core/database_unavailable.html", {"minutes": 1, "detail": DATABASE_DOWN_DETAIL}
        )
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 when the uncaught exception is a database fault (one raised outside
    a view, which the middleware cannot see), else Django's own 500 (JSON under /api/ by
    the middleware)."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_FAULTS):
        return database_unavailable(request, exception)
    return defaults.server_error(request)


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not _is_api(request)
            or response.status_code < 400
            or _is_json(response)
            or hasattr(response, "accepted_renderer")  # DRF chose the type itself
        ):
            return response
        replacement = json_error(response.status_code)
        for name in _KEPT_HEADERS:
            if name in response:
                replacement[name] = response[name]
        # Django logs each error answer once, and marks the answer it logged; keep the mark
        # so that the replacement is not logged a second time.
        replacement._has_been_logged = getattr(response, "_has_been_logged", False)
        # Not response.close(): that sends request_finished, which closes the database
        # connection in the middle of the request.
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_FAULTS):
            return database_unavailable(request, exception)
        if not _is_api(request):
            return None
        if isinstance(exception, RequestDataTooBig):
            return json_error(413, "The request body is too large.")
        if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
            return json_error(400, "The request has too many fields or files.")
        return None
