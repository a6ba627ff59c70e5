"""The learners' REST API. Thin: parse the request, call one selector or service, render."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.curriculum.api.serializers import (
    AudioAnswerSerializer,
    CategorySerializer,
    MinimalPairSerializer,
    PhonemeSerializer,
    PlayCountSerializer,
)
from apps.curriculum.models import AudioSource, MinimalPair, Phoneme, PhonemeCategory
from apps.curriculum.selectors import audio_best_for_phonemes, phonemes_for_chart
from apps.curriculum.services.audio import ALL_TIERS, audio_for_phoneme, play_record
from apps.curriculum.tts import accents

ACCENT = OpenApiParameter(
    "accent", OpenApiTypes.STR, enum=["en-US", "en-GB"], description="Default en-US."
)
WORD = OpenApiParameter(
    "word", OpenApiTypes.STR, description="An example word (or minimal-pair word) instead."
)


def accent_param(request: Request) -> str:
    accent = request.query_params.get("accent") or settings.PHATAM_DEFAULT_ACCENT
    if accent not in accents():
        raise ValidationError({"accent": f"'{accent}' is not one of {', '.join(accents())}."})
    return accent


class PhonemeViewSet(viewsets.ReadOnlyModelViewSet):
    """The 44 phonemes in chart order, each with its best stored audio for the accent."""

    serializer_class = PhonemeSerializer
    queryset = Phoneme.objects.none()  # for the schema; get_queryset is the real one

    def get_queryset(self):
        return phonemes_for_chart()

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "accent": accent_param(self.request)}

    @extend_schema(parameters=[ACCENT])
    def list(self, request: Request, *args, **kwargs) -> Response:
        phonemes = list(self.get_queryset())
        return Response(self._serialize(phonemes, many=True))

    @extend_schema(parameters=[ACCENT])
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(self._serialize(self.get_object()))

    @extend_schema(parameters=[ACCENT], responses=PhonemeSerializer)
    @action(detail=False, url_path=r"ipa/(?P<symbol>[^/]+)")
    def by_ipa(self, request: Request, symbol: str) -> Response:
        """Look a phoneme up by its IPA symbol (URL-encoded; ``i:`` finds ``iː``)."""
        try:
            phoneme = self.get_queryset().get(ipa_symbol=symbol)
        except Phoneme.DoesNotExist:
            raise NotFound(f"No phoneme /{symbol}/.") from None
        return Response(self._serialize(phoneme))

    @extend_schema(parameters=[ACCENT, WORD], responses=AudioAnswerSerializer)
    @action(detail=True)
    def audio(self, request: Request, pk: str) -> Response:
        """What a learner hears, through the whole fallback chain (generating on demand)."""
        phoneme = self.get_object()
        try:
            answer = audio_for_phoneme(
                phoneme,
                accent=accent_param(request),
                word=request.query_params.get("word", "").strip(),
            )
        except ValueError as exc:
            raise ValidationError({"word": str(exc)}) from None
        return Response(AudioAnswerSerializer(answer).data)

    def get_object(self) -> Phoneme:
        pk = self.kwargs["pk"]
        if not str(pk).isdigit():
            raise NotFound(f"No phoneme with id {pk!r}.")
        try:
            return self.get_queryset().get(pk=int(pk))
        except Phoneme.DoesNotExist:
            raise NotFound(f"No phoneme with id {pk}.") from None

    def _serialize(self, phonemes, many: bool = False) -> "dict | list[dict]":
        context = self.get_serializer_context()
        items = phonemes if many else [phonemes]
        context["best_audio"] = audio_best_for_phonemes(
            items, language=context["accent"], source_types=ALL_TIERS
        )
        return PhonemeSerializer(phonemes, many=many, context=context).data


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    queryset = PhonemeCategory.objects.all()
    pagination_class = None


class MinimalPairViewSet(viewsets.ReadOnlyModelViewSet):
    """Minimal pairs; ``?phoneme=<id>`` keeps the pairs in which that phoneme takes part."""

    serializer_class = MinimalPairSerializer

    @extend_schema(
        parameters=[OpenApiParameter("phoneme", OpenApiTypes.INT, description="A phoneme id.")]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        pairs = MinimalPair.objects.select_related("phoneme_1", "phoneme_2")
        raw = self.request.query_params.get("phoneme")
        if raw is None:
            return pairs
        if not raw.isdigit():
            raise ValidationError({"phoneme": f"'{raw}' is not a phoneme id."})
        phoneme = get_object_or_404(Phoneme, pk=int(raw))
        return pairs.for_phoneme(phoneme)


class PlayView(APIView):
    """Count one play of an audio file (the page calls it when playback starts)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "plays"

    @extend_schema(request=None, responses={200: PlayCountSerializer})
    def post(self, request: Request, audio_source_id: int) -> Response:
        source = AudioSource.objects.filter(pk=audio_source_id).first()
        if source is None:
            raise NotFound(f"No audio source with id {audio_source_id}.")
        count = play_record(source)
        return Response({"audio_source_id": source.pk, "usage_count": count})


# drf-spectacular needs a serializer on APIViews without one.
PlayView.serializer_class = serializers.Serializer
