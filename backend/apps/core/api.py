"""What every app's API views share: row ids, errors and their schema, the answers for an
upload that is too large or that storage could not take, and DRF's exception handler."""

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException, Throttled
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.converters import ROW_ID_MAX, ROW_ID_SCHEMA
from apps.core.storage import StorageUnavailable
from apps.core.throttles import TooManyRequests
from apps.core.uploads import too_large_message

_ID = re.compile(r"[0-9]{1,19}")

DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})
FIELD_ERRORS = inline_serializer(
    "FieldErrors",
    {"field": serializers.ListField(child=serializers.CharField(), required=False)},
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The 4xx answers of an operation, for the schema."""
    described = {
        400: OpenApiResponse(FIELD_ERRORS, description="Invalid input: errors by field name."),
        401: OpenApiResponse(DETAIL, description="Not logged in."),
        403: OpenApiResponse(DETAIL, description="Not allowed (staff only, or no CSRF token)."),
        404: OpenApiResponse(DETAIL, description="No such object."),
        405: OpenApiResponse(DETAIL, description="Method not allowed."),
        413: OpenApiResponse(DETAIL, description="The upload is over the size limit."),
        429: OpenApiResponse(DETAIL, description="Too many requests; try again later."),
    }
    return {code: described[code] for code in codes}


def database_id(raw) -> int | None:
    """``raw`` as a row id, or ``None`` when it cannot be one (not ASCII digits, 0, or too
    big for a 64-bit column: "²", "١", "99999999999999999999"). The schema says the same
    (:data:`ROW_ID_SCHEMA`)."""
    if not _ID.fullmatch(str(raw) if raw is not None else ""):
        return None
    value = int(raw)
    return value if 1 <= value <= ROW_ID_MAX else None


def row_id_parameter(
    name: str, *, location: str = OpenApiParameter.QUERY, required: bool = False, **kwargs
) -> OpenApiParameter:
    """A parameter that names a row by its id, as :func:`database_id` reads it, for the
    schema: query parameters, and the path ids of router viewsets (other paths say
    ``<rowid:...>``)."""
    if location == OpenApiParameter.PATH:
        required = True
    return OpenApiParameter(name, dict(ROW_ID_SCHEMA), location, required=required, **kwargs)


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = "The upload is too large."
    default_code = "payload_too_large"


class InsufficientStorage(APIException):
    status_code = 507
    default_code = "insufficient_storage"


class StorageFailing(APIException):
    status_code = 503
    default_code = "storage_unavailable"


def storage_fault(exc: StorageUnavailable, *, learner: bool = False) -> APIException:
    """507 when the disk is full, 503 when storage is read-only or failing; ``{"detail": ...}``
    says to try again later (to a learner in Vietnamese, the English in brackets)."""
    if learner:
        state = "đã đầy" if exc.disk_full else "tạm thời không ghi được"
        detail = f"Bộ nhớ của máy chủ {state}: bản ghi chưa được lưu. Hãy thử lại sau. ({exc})"
    else:
        detail = f"{exc} Try again later, or tell the site's administrators."
    return InsufficientStorage(detail) if exc.disk_full else StorageFailing(detail)


# The answers of an endpoint that stores an upload, when storage fails (see storage_fault).
STORAGE_ERRORS = {
    503: OpenApiResponse(DETAIL, description="Storage is read-only or failing."),
    507: OpenApiResponse(DETAIL, description="Storage is full."),
}


def upload_data(request):
    """The request's parsed body; raises ``PayloadTooLarge`` (413) when parsing stopped at
    the upload size limit (``SizeLimitUploadHandler``)."""
    data = request.data
    if request.upload_too_large:
        raise PayloadTooLarge(too_large_message())
    return data


def exception_handler(exc, context):
    """DRF's handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``), with every 429 worded for a
    learner: DRF's own ``Throttled`` (any throttled view, whatever its base class) becomes
    :class:`TooManyRequests`, which says in Vietnamese how many seconds to wait; DRF still
    sets ``Retry-After`` from the wait. A ``TooManyRequests`` raised with its own words (a
    login lockout) keeps them."""
    if isinstance(exc, Throttled) and not isinstance(exc, TooManyRequests):
        exc = TooManyRequests(exc.wait)
    return drf_exception_handler(exc, context)
