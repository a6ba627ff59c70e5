"""What every API view shares: the accent parameter, row ids, errors and their schema."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound

from apps.curriculum.audio.voices import UnknownAccent, accent_validate, accents
from apps.curriculum.models import Phoneme
from apps.curriculum.selectors import phonemes_for_chart

_ID = re.compile(r"[0-9]{1,19}")

ACCENT = OpenApiParameter(
    "accent", OpenApiTypes.STR, enum=["en-US", "en-GB"], description="Default en-US."
)
WORD = OpenApiParameter(
    "word", OpenApiTypes.STR, description="An example word (or minimal-pair word) instead."
)

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


class AccentField(serializers.CharField):
    """An accent of PHATAM_VOICES ("en-US", "en-GB"); empty means the default accent."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        try:
            return accent_validate(value)
        except UnknownAccent as exc:
            raise serializers.ValidationError(str(exc)) from None


class AccentQuery(serializers.Serializer):
    accent = AccentField()

    def validated_accent(self) -> str:
        self.is_valid(raise_exception=True)
        return self.validated_data.get("accent") or accent_validate("")


def accent_from(request) -> str:
    """The request's ``?accent=``, validated (400 otherwise)."""
    return AccentQuery(data=request.query_params).validated_accent()


def database_id(raw) -> int | None:
    """``raw`` as a row id, or ``None`` when it cannot be one (not ASCII digits, or too big
    for a 64-bit column: "²", "١", "99999999999999999999")."""
    if not _ID.fullmatch(str(raw) if raw is not None else ""):
        return None
    value = int(raw)
    return value if value < 2**63 else None


def phoneme_or_404(pk) -> Phoneme:
    """The phoneme with id ``pk`` (with its category), or a JSON 404."""
    phoneme = None
    if (row_id := database_id(pk)) is not None:
        phoneme = phonemes_for_chart().filter(pk=row_id).first()
    if phoneme is None:
        raise NotFound(f"No phoneme with id {pk}.")
    return phoneme


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = "The upload is too large."
    default_code = "payload_too_large"


__all__ = ["ACCENT", "WORD", "AccentField", "accent_from", "accents", "errors"]
