"""Staff: native-speaker recordings (upload) and pinning the audio learners hear."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import (
    STORAGE_ERRORS,
    database_id,
    errors,
    storage_fault,
    upload_data,
)
from apps.core.storage import StorageUnavailable
from apps.curriculum.api.common import phoneme_or_404
from apps.curriculum.api.phonemes import phoneme_payload
from apps.curriculum.api.serializers import AudioSerializer, PhonemeSerializer
from apps.curriculum.audio.playback import audio_source_get
from apps.curriculum.audio.recordings import (
    GENDERS,
    LICENCES,
    RecordingRejected,
    Speaker,
    native_recording_add,
    phoneme_pin_audio,
    recorded_date_check,
)
from apps.curriculum.audio.serializers import AccentField


class JSONIntegerField(serializers.IntegerField):
    """An integer as JSON writes one: ``12``, not ``"12"``, ``12.0`` or ``true``."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class AcousticCheckSerializer(serializers.Serializer):
    """The acoustic check of a recording: ``passed`` is null when it could not be judged."""

    verdict = serializers.CharField(source="acoustic_verdict")
    passed = serializers.SerializerMethodField()
    heard_as = serializers.CharField(source="acoustic_heard_as")
    f1 = serializers.SerializerMethodField()
    f2 = serializers.SerializerMethodField()

    def get_passed(self, source) -> bool | None:
        return {"passed": True, "failed": False}.get(source.acoustic_verdict)

    def _measured(self, source, name: str) -> float | None:
        acoustic = (source.metadata or {}).get("acoustic") or {}
        return acoustic.get(name)

    def get_f1(self, source) -> float | None:
        return self._measured(source, "f1")

    def get_f2(self, source) -> float | None:
        return self._measured(source, "f2")


class NativeRecordingUploadView(APIView):
    """Staff: upload a native-speaker recording of a phoneme (multipart/form-data).

    The file is checked from its content (MP3, WAV, OGG or M4A; the name's extension must
    agree; 0.1–10 s) and stored under a generated name. Several speakers per phoneme are fine.
    """

    permission_classes = [IsAdminUser]
    parser_classes = [MultiPartParser]

    class NativeRecordingUploadSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True)  # the service says "empty" itself
        language = AccentField(required=True, allow_blank=False)
        speaker_name = serializers.CharField(max_length=80)
        speaker_gender = serializers.ChoiceField(choices=GENDERS)
        speaker_accent = serializers.CharField(max_length=40, required=False, allow_blank=True)
        licence = serializers.ChoiceField(choices=LICENCES)
        recorded_date = serializers.DateField(required=False, allow_null=True)

        def validate_recorded_date(self, value):
            try:
                recorded_date_check(value)
            except ValueError as exc:
                raise serializers.ValidationError(str(exc)) from None
            return value

    class NativeRecordingSerializer(AudioSerializer):
        acoustic_check = AcousticCheckSerializer(source="*")

    @extend_schema(
        request={"multipart/form-data": NativeRecordingUploadSerializer},
        responses={
            201: NativeRecordingSerializer,
            **errors(400, 403, 404, 413),
            **STORAGE_ERRORS,
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        phoneme = phoneme_or_404(pk)
        data = upload_data(request)
        form = self.NativeRecordingUploadSerializer(data=data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        upload = values["file"]
        try:
            source = native_recording_add(
                phoneme,
                upload,
                name=upload.name,
                speaker=Speaker(
                    name=values["speaker_name"].strip(),
                    gender=values["speaker_gender"],
                    accent=values.get("speaker_accent", "").strip(),
                    licence=values["licence"],
                    recorded_date=values.get("recorded_date"),
                ),
                language=values["language"],
                uploaded_by=request.user.get_username(),
            )
        except RecordingRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        except StorageUnavailable as exc:
            raise storage_fault(exc) from None
        return Response(self.NativeRecordingSerializer(source).data, status=201)


class PreferredAudioView(APIView):
    """Staff: pin the audio learners hear for a phoneme (``null`` unpins)."""

    permission_classes = [IsAdminUser]
    parser_classes = [JSONParser]

    class PreferredAudioSerializer(serializers.Serializer):
        audio_source_id = JSONIntegerField(
            allow_null=True,
            min_value=1,
            max_value=2**63 - 1,
            error_messages={"invalid": "Must be an integer or null."},
        )

        def validate_audio_source_id(self, value: int | None):
            if value is None:
                return None
            source = audio_source_get(value) if database_id(value) is not None else None
            if source is None:
                raise serializers.ValidationError(f"No audio source with id {value}.")
            return source

    @extend_schema(
        request=PreferredAudioSerializer,
        responses={200: PhonemeSerializer, **errors(400, 403, 404)},
    )
    def put(self, request: Request, pk: str) -> Response:
        phoneme = phoneme_or_404(pk)
        form = self.PreferredAudioSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            phoneme = phoneme_pin_audio(phoneme, form.validated_data["audio_source_id"])
        except DjangoValidationError as exc:
            raise ValidationError({"audio_source_id": exc.messages}) from None
        return Response(phoneme_payload(request, phoneme))
