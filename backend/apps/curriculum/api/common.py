"""What the curriculum's API views share: the accent and word parameters, and phonemes by
id. What every app's API shares (row ids, errors and their schema) is in :mod:`apps.core.api`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound

from apps.core.api import (
    DETAIL,
    FIELD_ERRORS,
    PayloadTooLarge,
    database_id,
    errors,
    row_id_parameter,
)
from apps.curriculum.audio.serializers import ACCENT, AccentField, AccentQuery, accent_from
from apps.curriculum.audio.voices import accents
from apps.curriculum.models import Phoneme
from apps.curriculum.selectors import phonemes_for_chart

WORD = OpenApiParameter(
    "word", OpenApiTypes.STR, description="An example word (or minimal-pair word) instead."
)


def phoneme_or_404(pk) -> Phoneme:
    """The phoneme with id ``pk`` (with its category), or a JSON 404."""
    phoneme = None
    if (row_id := database_id(pk)) is not None:
        phoneme = phonemes_for_chart().filter(pk=row_id).first()
    if phoneme is None:
        raise NotFound(f"No phoneme with id {pk}.")
    return phoneme


__all__ = [
    "ACCENT",
    "DETAIL",
    "FIELD_ERRORS",
    "WORD",
    "AccentField",
    "AccentQuery",
    "PayloadTooLarge",
    "accent_from",
    "accents",
    "database_id",
    "errors",
    "phoneme_or_404",
    "row_id_parameter",
]
