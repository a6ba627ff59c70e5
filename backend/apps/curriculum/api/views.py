"""The learners' REST API. Thin: parse the request, call one selector or service, render."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.curriculum.analytics import audio_analytics
from apps.curriculum.api.serializers import (
    AudioAnswerSerializer,
    AudioSerializer,
    CategorySerializer,
    MinimalPairSerializer,
    PhonemeSerializer,
    PlayCountSerializer,
)
from apps.curriculum.forms import NativeRecordingForm
from apps.curriculum.models import AudioSource, MinimalPair, Phoneme, PhonemeCategory
from apps.curriculum.selectors import audio_best_for_phonemes, phonemes_for_chart
from apps.curriculum.services.audio import ALL_TIERS, audio_for_phoneme, play_record
from apps.curriculum.services.recordings import (
    GENDERS,
    LICENCES,
    RecordingRejected,
    phoneme_pin_audio,
)
from apps.curriculum.tts import accents
from apps.curriculum.uploads import too_large_message

_ID = re.compile(r"[0-9]{1,19}")
ACCENT = OpenApiParameter(
    "accent", OpenApiTypes.STR, enum=["en-US", "en-GB"], description="Default en-US."
)
WORD = OpenApiParameter(
    "word", OpenApiTypes.STR, description="An example word (or minimal-pair word) instead."
)


def accent_param(request: Request) -> str:
    accent = text_param(request, "accent") or settings.PHATAM_DEFAULT_ACCENT
    if accent not in accents():
        raise ValidationError({"accent": f"'{accent}' is not one of {', '.join(accents())}."})
    return accent


def database_id(raw: str) -> int | None:
    """``raw`` as a row id, or ``None`` when it cannot be one (not ASCII digits, or too big
    for a 64-bit column: "²", "١", "99999999999999999999")."""
    if not _ID.fullmatch(raw or ""):
        return None
    value = int(raw)
    return value if value < 2**63 else None


def text_param(request: Request, name: str) -> str:
    """A query parameter as text; NUL characters (which PostgreSQL refuses) are a 400."""
    value = request.query_params.get(name, "")
    if "\x00" in value:
        raise ValidationError({name: "must not contain NUL characters."})
    return value.strip()


def phoneme_or_404(pk: str) -> Phoneme:
    phoneme = None
    if (row_id := database_id(str(pk))) is not None:
        phoneme = phonemes_for_chart().filter(pk=row_id).first()
    if phoneme is None:
        raise NotFound(f"No phoneme with id {pk}.")
    return phoneme


def phoneme_payload(request: Request, phonemes, *, many: bool = False) -> "dict | list[dict]":
    """Phonemes serialized with their best stored audio for the request's accent."""
    accent = accent_param(request)
    items = phonemes if many else [phonemes]
    best = audio_best_for_phonemes(items, language=accent, source_types=ALL_TIERS)
    context = {"request": request, "accent": accent, "best_audio": best}
    return PhonemeSerializer(phonemes, many=many, context=context).data


class PhonemeViewSet(viewsets.ReadOnlyModelViewSet):
    """The 44 phonemes in chart order, each with its best stored audio for the accent."""

    serializer_class = PhonemeSerializer
    queryset = Phoneme.objects.none()  # for the schema; get_queryset is the real one

    def get_queryset(self):
        return phonemes_for_chart()

    @extend_schema(parameters=[ACCENT])
    def list(self, request: Request, *args, **kwargs) -> Response:
        phonemes = list(self.get_queryset())
        return Response(self._serialize(phonemes, many=True))

    @extend_schema(parameters=[ACCENT])
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(self._serialize(self.get_object()))

    @extend_schema(parameters=[ACCENT], responses=PhonemeSerializer)
    @action(detail=False, url_path=r"ipa/(?P<symbol>.+)")
    def by_ipa(self, request: Request, symbol: str) -> Response:
        """Look a phoneme up by its IPA symbol (URL-encoded; ``i:`` finds ``iː``)."""
        try:
            if "\x00" in symbol:
                raise Phoneme.DoesNotExist
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
                word=text_param(request, "word"),
            )
        except ValueError as exc:
            raise ValidationError({"word": str(exc)}) from None
        return Response(AudioAnswerSerializer(answer).data)

    def get_object(self) -> Phoneme:
        return phoneme_or_404(self.kwargs["pk"])

    def _serialize(self, phonemes, many: bool = False) -> "dict | list[dict]":
        return phoneme_payload(self.request, phonemes, many=many)


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
        pk = database_id(raw)
        if pk is None:
            raise ValidationError({"phoneme": f"{raw!r} is not a phoneme id."})
        phoneme = get_object_or_404(Phoneme, pk=pk)
        return pairs.for_phoneme(phoneme)


class PlayView(APIView):
    """Count one play of an audio file (the page calls it when playback starts)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "plays"
    serializer_class = serializers.Serializer  # for the schema; the answer is PlayCountSerializer

    @extend_schema(request=None, responses={200: PlayCountSerializer})
    def post(self, request: Request, audio_source_id: int) -> Response:
        source = None
        if database_id(str(audio_source_id)) is not None:
            source = AudioSource.objects.filter(pk=audio_source_id).first()
        if source is None:
            raise NotFound(f"No audio source with id {audio_source_id}.")
        count = play_record(source)
        return Response({"audio_source_id": source.pk, "usage_count": count})


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = "The upload is too large."
    default_code = "payload_too_large"


def form_errors(form) -> dict:
    return {
        field: [str(message) for message in messages] for field, messages in form.errors.items()
    }


class NativeRecordingUploadView(APIView):
    """Staff: upload a native-speaker recording of a phoneme (multipart/form-data).

    The file is checked from its content (MP3, WAV, OGG or M4A; the name's extension must
    agree; 0.1–10 s) and stored under a generated name. Several speakers per phoneme are fine.
    """

    permission_classes = [IsAdminUser]
    parser_classes = [MultiPartParser]
    serializer_class = AudioSerializer

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "NativeRecordingUpload",
                {
                    "file": serializers.FileField(),
                    "language": serializers.ChoiceField(choices=["en-US", "en-GB"]),
                    "speaker_name": serializers.CharField(),
                    "speaker_gender": serializers.ChoiceField(choices=list(GENDERS)),
                    "speaker_accent": serializers.CharField(required=False),
                    "licence": serializers.ChoiceField(choices=list(LICENCES)),
                    "recorded_date": serializers.DateField(required=False),
                },
            )
        },
        responses={201: AudioSerializer},
    )
    def post(self, request: Request, pk: str) -> Response:
        phoneme = phoneme_or_404(pk)
        data, files = request.data, request.FILES  # parsing the body may stop at the size limit
        if getattr(request._request, "upload_too_large", False):
            raise PayloadTooLarge(too_large_message())
        form = NativeRecordingForm(data, files)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        try:
            source = form.store(phoneme, uploaded_by=request.user.get_username())
        except RecordingRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        body = dict(AudioSerializer(source).data)
        body["acoustic_check"] = source.metadata.get("acoustic_check")
        return Response(body, status=201)


class PreferredAudioView(APIView):
    """Staff: pin the audio learners hear for a phoneme (``null`` unpins)."""

    permission_classes = [IsAdminUser]
    parser_classes = [JSONParser]
    serializer_class = PhonemeSerializer

    @extend_schema(
        request=inline_serializer(
            "PreferredAudio", {"audio_source_id": serializers.IntegerField(allow_null=True)}
        ),
        responses=PhonemeSerializer,
    )
    def put(self, request: Request, pk: str) -> Response:
        phoneme = phoneme_or_404(pk)
        if not isinstance(request.data, dict) or "audio_source_id" not in request.data:
            raise ValidationError(
                {"audio_source_id": ["Give an audio source id, or null to unpin."]}
            )
        raw = request.data["audio_source_id"]
        source = None
        if raw is not None:
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise ValidationError({"audio_source_id": ["Must be an integer or null."]})
            if database_id(str(raw)) is not None:
                source = AudioSource.objects.filter(pk=raw).first()
            if source is None:
                raise ValidationError({"audio_source_id": [f"No audio source with id {raw}."]})
        try:
            phoneme = phoneme_pin_audio(phoneme, source)
        except DjangoValidationError as exc:
            raise ValidationError({"audio_source_id": exc.messages}) from None
        return Response(phoneme_payload(request, phoneme))


class AnalyticsView(APIView):
    """Staff: play analytics (the same numbers as the admin's analytics page)."""

    permission_classes = [IsAdminUser]
    serializer_class = serializers.Serializer

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        data = audio_analytics()

        def source(item: AudioSource) -> dict:
            cache = getattr(item, "cache", None)
            return {
                "audio_source_id": item.pk,
                "phoneme": item.phoneme.ipa_symbol,
                "source_type": item.source_type,
                "voice_id": item.voice_id,
                "word": item.word,
                "usage_count": cache.usage_count if cache else 0,
                "last_accessed_at": cache.last_accessed_at if cache else None,
            }

        return Response(
            {
                "total_plays": data["total_plays"],
                "total_bytes": data["total_bytes"],
                "by_type": data["by_type"],
                "most_played": [source(s) for s in data["most_played"]],
                "never_played_count": data["never_played_count"],
                "unused": [source(s) for s in data["unused"]],
                "cleanup_would_remove": data["cleanup_would_remove"],
                "plays_per_phoneme": [
                    {"id": p.pk, "ipa_symbol": p.ipa_symbol, "plays": plays}
                    for p, plays in data["per_phoneme"]
                ],
            }
        )
