"""Your vowel on the chart: a learner records a vowel and sees where it fell.

The recording is checked exactly as staff uploads are (decoded in full, 0.1–10 s, size limit),
measured with Praat, and judged against the target for the accent and the learner's voice.
Recordings are private: their learner (and staff) may hear them; they expire after
PHATAM_LEARNER_RECORDING_DAYS.
"""

from django.urls import reverse
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import STORAGE_ERRORS, row_id_parameter, storage_fault, upload_data
from apps.core.recordings import RecordingRejected
from apps.core.storage import StorageUnavailable
from apps.core.throttles import ScopedWriteThrottle
from apps.curriculum.audio.serializers import ACCENT, AccentField
from apps.curriculum.audio.voices import accent_validate
from apps.practice.api.base import LearnerApi, PhonemeIdField, learner_errors
from apps.practice.api.recordings import LearnerRecordingAudioApi, LearnerRecordingDeleteApi
from apps.practice.selectors import learner_profile_get, vowel_recording_get, vowel_recordings_list
from apps.practice.services.recordings import (
    vowel_recording_add,
)
from apps.practice.vowels import NotAMonophthong, Refused, reference_vowels, vowel_target
from speech.acoustics import MeasurementError

NO_VOWEL = (
    "Không đo được nguyên âm trong bản ghi: hãy nói to, rõ và kéo dài âm khoảng 1 giây "
    "(no vowel could be measured)."
)


class NoVowel(APIException):
    status_code = 422
    default_detail = NO_VOWEL
    default_code = "no_vowel"


class ChartVowelSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    f1 = serializers.IntegerField()
    f2 = serializers.IntegerField()


class ChartSerializer(serializers.Serializer):
    """What the F1/F2 chart shows before any recording: the reference's vowels and where the
    target lies, for the accent and the learner's voice."""

    phoneme_id = serializers.IntegerField()
    ipa_symbol = serializers.CharField()
    accent = serializers.CharField()
    voice = serializers.CharField()
    reference = serializers.CharField()
    targets = ChartVowelSerializer(many=True)
    vowels = ChartVowelSerializer(many=True)


def _not_a_monophthong(phoneme) -> ValidationError:
    return ValidationError(
        {
            "phoneme": [
                f"/{phoneme.ipa_symbol}/ không phải nguyên âm đơn: chỉ đo được 12 nguyên âm đơn "
                "(only monophthongs are measured)."
            ]
        }
    )


def _chart(phoneme, *, accent: str, voice: str) -> dict:
    try:
        targets = vowel_target(phoneme.ipa_symbol, accent=accent, voice=voice)
    except NotAMonophthong:
        raise _not_a_monophthong(phoneme) from None
    reference, vowels = reference_vowels(accent=accent, voice=voice)
    return {
        "phoneme_id": phoneme.pk,
        "ipa_symbol": phoneme.ipa_symbol,
        "accent": accent,
        "voice": voice,
        "reference": reference,
        "targets": targets,
        "vowels": vowels,
    }


class PointSerializer(serializers.Serializer):
    """One past recording: where it fell and what was heard."""

    id = serializers.IntegerField()
    phoneme_id = serializers.IntegerField()
    ipa_symbol = serializers.CharField(source="phoneme.ipa_symbol")
    accent = serializers.CharField()
    voice = serializers.CharField()
    f1 = serializers.FloatField()
    f2 = serializers.FloatField()
    verdict = serializers.CharField()
    heard_as = serializers.CharField()
    distance_bark = serializers.FloatField()
    created_at = serializers.DateTimeField()
    audio_url = serializers.SerializerMethodField()

    def get_audio_url(self, recording) -> str | None:
        if not recording.file_name:
            return None  # expired
        return reverse("practice-api:vowel-recording-audio", args=[recording.pk])


class VowelFeedbackApi(LearnerApi):
    """``POST`` a recording of a vowel (multipart: ``file``, ``phoneme``, ``accent``) to see
    where it falls on the F1/F2 chart; ``GET`` the learner's past points (``?phoneme=``)."""

    parser_classes = [MultiPartParser]
    # Per learner, uploads only: PHATAM_FEEDBACK_RATE.
    throttle_classes = [ScopedWriteThrottle]
    throttle_scope = "feedback"

    @extend_schema_serializer(component_name="VowelFeedbackInput")
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True)  # the decoder says "empty" itself
        phoneme = PhonemeIdField()
        accent = AccentField()

    class HistoryQuery(serializers.Serializer):
        phoneme = PhonemeIdField(required=False)

    @extend_schema_serializer(component_name="VowelFeedbackOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="recording.pk")
        phoneme_id = serializers.IntegerField(source="recording.phoneme_id")
        ipa_symbol = serializers.CharField(source="feedback.phoneme")
        accent = serializers.CharField(source="recording.accent")
        voice = serializers.CharField(source="recording.voice")
        f1 = serializers.FloatField(source="recording.f1")
        f2 = serializers.FloatField(source="recording.f2")
        verdict = serializers.ChoiceField(
            choices=["ok", "close", "heard_as"], source="feedback.verdict"
        )
        heard_as = serializers.CharField(source="feedback.heard_as")
        target = ChartVowelSerializer(source="feedback.target")
        nearest = ChartVowelSerializer(source="feedback.nearest")
        distance_bark = serializers.FloatField(source="feedback.distance_bark")
        advice_vi = serializers.ListField(
            child=serializers.CharField(), source="feedback.advice_vi"
        )
        tip_vi = serializers.CharField(source="recording.phoneme.tip_vi")
        reference = serializers.CharField(source="feedback.reference")
        normalised = serializers.BooleanField(source="feedback.normalised")
        length_ok = serializers.BooleanField(source="feedback.length_ok")
        vowels = ChartVowelSerializer(many=True, source="feedback.vowels")
        audio_url = serializers.SerializerMethodField()
        created_at = serializers.DateTimeField(source="recording.created_at")

        def get_audio_url(self, result) -> str:
            return reverse("practice-api:vowel-recording-audio", args=[result["recording"].pk])

    @extend_schema(
        parameters=[row_id_parameter("phoneme", description="One vowel only.")],
        responses={200: PointSerializer(many=True), **learner_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        query = self.HistoryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        recordings = vowel_recordings_list(
            request.user, phoneme=query.validated_data.get("phoneme")
        )
        return Response(PointSerializer(recordings, many=True).data)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={
            201: OutputSerializer,
            **learner_errors(400, 401, 403, 413, 422, 429),
            **STORAGE_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        data = upload_data(request)
        form = self.InputSerializer(data=data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        phoneme, upload = values["phoneme"], values["file"]
        try:
            recording, feedback = vowel_recording_add(
                request.user,
                phoneme,
                upload,
                name=upload.name,
                accent=accent_validate(values.get("accent")),
            )
        except NotAMonophthong:
            raise _not_a_monophthong(phoneme) from None
        except RecordingRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        except Refused as exc:
            raise NoVowel(str(exc)) from None
        except MeasurementError:
            raise NoVowel() from None
        except StorageUnavailable as exc:
            raise storage_fault(exc, learner=True) from None
        output = {"recording": recording, "feedback": feedback}
        return Response(self.OutputSerializer(output).data, status=201)


class VowelChartApi(LearnerApi):
    """The F1/F2 chart for a vowel before recording: the reference vowels and the target."""

    @extend_schema_serializer(component_name="VowelChartInput")
    class InputSerializer(serializers.Serializer):
        phoneme = PhonemeIdField()
        accent = AccentField()

    @extend_schema(
        parameters=[row_id_parameter("phoneme", required=True), ACCENT],
        responses={200: ChartSerializer, **learner_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        accent = accent_validate(query.validated_data.get("accent"))
        voice = learner_profile_get(request.user).voice
        chart = _chart(query.validated_data["phoneme"], accent=accent, voice=voice)
        return Response(ChartSerializer(chart).data)


class VowelRecordingApi(LearnerRecordingDeleteApi):
    """Delete one of the learner's recordings (its file and its point)."""

    recording_get = staticmethod(vowel_recording_get)


class VowelRecordingAudioApi(LearnerRecordingAudioApi):
    """A recording's audio, for its learner and staff only; 404 once it has expired."""

    recording_get = staticmethod(vowel_recording_get)
