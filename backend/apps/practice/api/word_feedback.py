"""Say the word: a learner records one word of a minimal pair (a drill or lesson item) and
hears whether they made the contrast the pair trains, beside the model word.

The recording is checked as every upload is (decoded in full, length and size limits); the
verdict comes from :mod:`speech.wordchecks` through :mod:`apps.practice.wordfeedback`.
Recordings are private (their learner and staff), deletable, and expire after
PHATAM_LEARNER_RECORDING_DAYS.
"""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import (
    STORAGE_ERRORS,
    database_id,
    row_id_parameter,
    storage_fault,
    upload_data,
)
from apps.core.converters import ROW_ID_SCHEMA
from apps.core.recordings import RecordingRejected
from apps.core.storage import StorageUnavailable
from apps.core.throttles import ScopedWriteThrottle
from apps.curriculum.audio.serializers import ACCENT, AccentField
from apps.curriculum.audio.voices import accent_validate
from apps.curriculum.models import MinimalPair
from apps.practice.api.base import AnyAcceptNegotiation, LearnerApi, learner_errors
from apps.practice.api.recordings import LearnerRecordingAudioApi, LearnerRecordingDeleteApi
from apps.practice.wordfeedback import (
    NoWordCheck,
    drill_item_word,
    model_word_mp3,
    word_recording_add,
    word_recording_get,
    word_recordings_list,
    word_task_for,
)
from speech.tts.base import TTSError

NO_CHECK = (
    "Từ này chưa có bài kiểm tra phát âm tự động (no word check for this item): hãy nghe và "
    "so sánh với giọng mẫu."
)


class ModelUnavailable(APIException):
    status_code = 503
    default_detail = "Giọng mẫu tạm thời không có (the model word is unavailable)."
    default_code = "model_unavailable"


@extend_schema_field(ROW_ID_SCHEMA)
class PairIdField(serializers.CharField):
    """A minimal pair's id → the MinimalPair."""

    def to_internal_value(self, data) -> MinimalPair:
        value = super().to_internal_value(data)
        row_id = database_id(value)
        pair = MinimalPair.objects.filter(pk=row_id).first() if row_id is not None else None
        if pair is None:
            raise serializers.ValidationError(f"No pair with id {value}.")
        return pair


class WordChoiceSerializer(serializers.Serializer):
    """Which word: ``pair`` and ``word`` (1 or 2), or an answered drill ``item``."""

    pair = PairIdField(required=False)
    word = serializers.ChoiceField(choices=[1, 2], required=False)
    item = serializers.CharField(required=False, min_length=1)
    accent = AccentField()

    def validate(self, values: dict) -> dict:
        if "item" in values:
            row_id = database_id(values["item"])
            found = drill_item_word(self.context["user"], row_id) if row_id is not None else None
            if found is None:
                raise ValidationError({"item": ["No answered drill item with this id."]})
            values["pair"], values["word"] = found
        elif "pair" not in values or "word" not in values:
            raise ValidationError({"pair": ["Give pair and word (1 or 2), or item."]})
        values["accent"] = accent_validate(values.get("accent"))
        return values


def _no_check() -> ValidationError:
    return ValidationError({"pair": [NO_CHECK]})


class WordFeedbackApi(LearnerApi):
    """``POST`` a recording of one word (multipart: ``file``, ``pair`` and ``word``, or
    ``item``, and ``accent``) to hear whether the pair's contrast was made; ``GET`` the
    learner's past word recordings."""

    parser_classes = [MultiPartParser]
    # Per learner, uploads only, shared with vowel recordings: PHATAM_FEEDBACK_RATE.
    throttle_classes = [ScopedWriteThrottle]
    throttle_scope = "feedback"

    @extend_schema_serializer(component_name="WordFeedbackInput")
    class InputSerializer(WordChoiceSerializer):
        file = serializers.FileField(allow_empty_file=True)  # the decoder says "empty" itself

    @extend_schema_serializer(component_name="WordFeedbackOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="recording.pk")
        pair_id = serializers.IntegerField(source="recording.pair_id")
        word_number = serializers.IntegerField(source="recording.word_number")
        word = serializers.CharField(source="recording.word")
        ipa = serializers.CharField()
        accent = serializers.CharField(source="recording.accent")
        check = serializers.CharField(source="task.check")
        focus_vi = serializers.CharField(source="task.focus_vi")
        verdict = serializers.ChoiceField(
            choices=["ok", "not_ok", "cannot_judge"], source="verdict.verdict"
        )
        heard = serializers.CharField(source="verdict.heard")
        hint_vi = serializers.CharField()
        measurement = serializers.DictField(source="verdict.measurement")
        marks = serializers.DictField(source="verdict.marks")
        duration = serializers.FloatField(source="recording.duration")
        audio_url = serializers.SerializerMethodField()
        model_audio_url = serializers.SerializerMethodField()
        created_at = serializers.DateTimeField(source="recording.created_at")

        def get_audio_url(self, result) -> str:
            return reverse("practice-api:word-recording-audio", args=[result.recording.pk])

        def get_model_audio_url(self, result) -> str:
            recording = result.recording
            return (
                reverse("practice-api:word-model")
                + f"?pair={recording.pair_id}&word={recording.word_number}"
                + f"&accent={recording.accent}"
            )

    class HistorySerializer(serializers.Serializer):
        id = serializers.IntegerField()
        pair_id = serializers.IntegerField()
        word_number = serializers.IntegerField()
        word = serializers.CharField()
        accent = serializers.CharField()
        check = serializers.CharField(source="check_name")
        verdict = serializers.CharField()
        heard = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(responses={200: HistorySerializer(many=True), **learner_errors(401)})
    def get(self, request: Request) -> Response:
        recordings = word_recordings_list(request.user)
        return Response(self.HistorySerializer(recordings, many=True).data)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={
            201: OutputSerializer,
            **learner_errors(400, 401, 403, 413, 429),
            **STORAGE_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        data = upload_data(request)
        form = self.InputSerializer(data=data, context={"user": request.user})
        form.is_valid(raise_exception=True)
        values = form.validated_data
        upload = values["file"]
        try:
            feedback = word_recording_add(
                request.user,
                values["pair"],
                values["word"],
                upload,
                name=upload.name,
                accent=values["accent"],
            )
        except NoWordCheck:
            raise _no_check() from None
        except RecordingRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        except StorageUnavailable as exc:
            raise storage_fault(exc, learner=True) from None
        return Response(self.OutputSerializer(feedback).data, status=201)


class WordTaskApi(LearnerApi):
    """What a recording of this word would be checked for, before recording (``check`` is
    empty when no check judges it)."""

    class OutputSerializer(serializers.Serializer):
        check = serializers.CharField()
        focus_vi = serializers.CharField()
        model_audio_url = serializers.CharField()

    @extend_schema(
        parameters=[
            row_id_parameter("pair"),
            OpenApiParameter("word", OpenApiTypes.INT, enum=[1, 2]),
            row_id_parameter("item", description="An answered drill item's id."),
            ACCENT,
        ],
        responses={200: OutputSerializer, **learner_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        query = WordChoiceSerializer(data=request.query_params, context={"user": request.user})
        query.is_valid(raise_exception=True)
        values = query.validated_data
        pair, number, accent = values["pair"], values["word"], values["accent"]
        try:
            task = word_task_for(pair, number, accent=accent)
            check, focus = task.check, task.focus_vi
        except NoWordCheck:
            check, focus = "", NO_CHECK
        url = reverse("practice-api:word-model") + f"?pair={pair.pk}&word={number}&accent={accent}"
        return Response(
            self.OutputSerializer({"check": check, "focus_vi": focus, "model_audio_url": url}).data
        )


class WordModelAudioApi(LearnerApi):
    """The model word (eSpeak NG) to hear beside the learner's take."""

    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        parameters=[
            row_id_parameter("pair", required=True),
            OpenApiParameter("word", OpenApiTypes.INT, required=True, enum=[1, 2]),
            ACCENT,
        ],
        responses={
            (200, "audio/mpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The word."),
            **learner_errors(400, 401, 503),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        query = WordChoiceSerializer(data=request.query_params, context={"user": request.user})
        query.is_valid(raise_exception=True)
        values = query.validated_data
        try:
            data = model_word_mp3(values["pair"], values["word"], accent=values["accent"])
        except TTSError:
            raise ModelUnavailable() from None
        response = HttpResponse(data, content_type="audio/mpeg")
        response["Cache-Control"] = "private, max-age=86400"
        return response


class WordRecordingApi(LearnerRecordingDeleteApi):
    """Delete one of the learner's word recordings (its file and its verdict)."""

    recording_get = staticmethod(word_recording_get)


class WordRecordingAudioApi(LearnerRecordingAudioApi):
    """A word recording's audio, for its learner and staff only; 404 once it has expired."""

    recording_get = staticmethod(word_recording_get)
