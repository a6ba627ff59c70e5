"""Phonemes for the chart: the list, one phoneme, lookup by IPA and the audio fallback chain."""

from datetime import datetime

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.curriculum.api.cache import payload_name, payload_response
from apps.curriculum.api.common import (
    ACCENT,
    WORD,
    AccentField,
    accent_from,
    errors,
    phoneme_or_404,
    row_id_parameter,
)
from apps.curriculum.api.serializers import AudioAnswerSerializer, PhonemeSerializer
from apps.curriculum.audio.playback import ALL_TIERS, audio_best_for_phonemes, audio_for_phoneme
from apps.curriculum.models import Phoneme
from apps.curriculum.selectors import UnknownWord, phoneme_get_by_ipa, phonemes_for_chart


def phoneme_payload(
    request: Request, phonemes, *, many: bool = False, accent: str | None = None
) -> "dict | list[dict]":
    """Phonemes serialized with their best stored audio for the request's accent."""
    return _phoneme_data(phonemes, many=many, accent=accent or accent_from(request))[0]


def _phoneme_data(phonemes, *, many: bool, accent: str) -> tuple[object, datetime | None]:
    """The serialized phonemes, and when the audio they name first expires."""
    items = phonemes if many else [phonemes]
    best = audio_best_for_phonemes(items, language=accent, source_types=ALL_TIERS)
    context = {"accent": accent, "best_audio": best}
    expiries = [s.cached_until for s in best.values() if s is not None and s.cached_until]
    data = PhonemeSerializer(phonemes, many=many, context=context).data
    return data, min(expiries, default=None)


PHONEME_ID = row_id_parameter("id", location=OpenApiParameter.PATH, description="A phoneme id.")


class PhonemeViewSet(viewsets.ViewSet):
    """The 44 phonemes in chart order, each with its best stored audio for the accent."""

    class AudioQuery(serializers.Serializer):
        accent = AccentField()
        word = serializers.CharField(required=False, allow_blank=True, max_length=64)

    @extend_schema(
        parameters=[ACCENT], responses={200: PhonemeSerializer(many=True), **errors(400)}
    )
    def list(self, request: Request) -> HttpResponse:
        accent = accent_from(request)
        return payload_response(
            request,
            payload_name("phonemes", accent=accent),
            lambda: _phoneme_data(list(phonemes_for_chart()), many=True, accent=accent),
        )

    @extend_schema(
        parameters=[PHONEME_ID, ACCENT], responses={200: PhonemeSerializer, **errors(400, 404)}
    )
    def retrieve(self, request: Request, pk: str) -> HttpResponse:
        accent = accent_from(request)
        phoneme = phoneme_or_404(pk)
        return payload_response(
            request,
            payload_name("phoneme", pk=phoneme.pk, accent=accent),
            lambda: _phoneme_data(phoneme, many=False, accent=accent),
        )

    @extend_schema(parameters=[ACCENT], responses={200: PhonemeSerializer, **errors(400, 404)})
    @action(detail=False, url_path=r"ipa/(?P<symbol>.+)")
    def by_ipa(self, request: Request, symbol: str) -> Response:
        """Look a phoneme up by its IPA symbol (URL-encoded; ``i:`` finds ``iː``)."""
        try:
            if "\x00" in symbol:
                raise Phoneme.DoesNotExist
            phoneme = phoneme_get_by_ipa(symbol)
        except Phoneme.DoesNotExist:
            raise NotFound(f"No phoneme /{symbol}/.") from None
        accent = accent_from(request)
        return payload_response(
            request,
            payload_name("phoneme", pk=phoneme.pk, accent=accent),
            lambda: _phoneme_data(phoneme, many=False, accent=accent),
        )

    @extend_schema(
        parameters=[PHONEME_ID, ACCENT, WORD],
        responses={200: AudioAnswerSerializer, **errors(400, 404)},
    )
    @action(detail=True)
    def audio(self, request: Request, pk: str) -> Response:
        """What a learner hears, through the whole fallback chain (generating on demand)."""
        phoneme = phoneme_or_404(pk)
        query = self.AudioQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            answer = audio_for_phoneme(
                phoneme,
                accent=query.validated_data.get("accent"),
                word=query.validated_data.get("word", "").strip(),
            )
        except UnknownWord as exc:
            raise ValidationError({"word": [str(exc)]}) from None
        return Response(AudioAnswerSerializer(answer).data)
