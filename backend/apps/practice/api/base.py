"""What the learner endpoints share: who may call them, ids from the query, extra errors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from apps.core.api import DETAIL, database_id, errors
from apps.core.converters import ROW_ID_SCHEMA
from apps.curriculum.models import Phoneme, PronunciationLesson
from apps.curriculum.selectors import phonemes_for_chart


class LearnerApi(APIView):
    """A learner's own data: logged in through the session (pages) or a token (clients).

    The token comes first so that an anonymous call is answered 401 with
    ``WWW-Authenticate: Token``.
    """

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]


class AnyAcceptNegotiation(BaseContentNegotiation):
    """For views that answer audio: whatever ``Accept`` says, the first renderer (errors are
    JSON); an ``<audio>`` element's Accept header must not turn into a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def learner_errors(*codes: int) -> dict:
    """:func:`errors` plus the answers only learner endpoints give (409, 422, 503)."""
    extra = {
        409: OpenApiResponse(
            DETAIL,
            description="Already answered (an item is answered once), or a lesson whose "
            "completion rule the learner's answers do not meet yet.",
        ),
        422: OpenApiResponse(DETAIL, description="No vowel could be measured in the recording."),
        503: OpenApiResponse(DETAIL, description="No audio could be had; try another item."),
    }
    return {
        **errors(*[code for code in codes if code not in extra]),
        **{code: extra[code] for code in codes if code in extra},
    }


@extend_schema_field(ROW_ID_SCHEMA)
class PhonemeIdField(serializers.CharField):
    """A phoneme id (as query parameters and form fields send it) → the Phoneme."""

    def to_internal_value(self, data) -> Phoneme:
        value = super().to_internal_value(data)
        row_id = database_id(value)
        phoneme = phonemes_for_chart().filter(pk=row_id).first() if row_id is not None else None
        if phoneme is None:
            raise serializers.ValidationError(f"No phoneme with id {value}.")
        return phoneme


@extend_schema_field(ROW_ID_SCHEMA)
class LessonIdField(serializers.CharField):
    """A published lesson's id → the PronunciationLesson."""

    def to_internal_value(self, data) -> PronunciationLesson:
        value = super().to_internal_value(data)
        row_id = database_id(value)
        lesson = (
            PronunciationLesson.objects.filter(pk=row_id, is_published=True).first()
            if row_id is not None
            else None
        )
        if lesson is None:
            raise serializers.ValidationError(f"No lesson with id {value}.")
        return lesson
