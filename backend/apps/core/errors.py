"""Every answer under /api/ is JSON, errors included.

DRF answers its own errors in JSON, but some never reach it: Django's resolver answers an
unknown URL, and a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` raises ``RequestDataTooBig``
while DRF parses it, which Django turns into an HTML 400 (a debug page with DEBUG on). This
middleware answers those in JSON, ``{"detail": "..."}`` like DRF's, with the same status (413
for a body over the limit). Responses DRF rendered itself (the browsable API in DEBUG) are
left as they are.
"""

from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
# Headers of an error answer that still mean something once its body is JSON.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


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
        if not _is_api(request):
            return None
        if isinstance(exception, RequestDataTooBig):
            return json_error(413, "The request body is too large.")
        if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
            return json_error(400, "The request has too many fields or files.")
        return None
