"""The studio's JSON endpoints, for staff in a browser session (CSRF token required): judge a
take, play it back, save it."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException, NotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import (
    STORAGE_ERRORS,
    errors,
    storage_fault,
    upload_data,
)
from apps.core.storage import StorageUnavailable
from apps.curriculum.audio.serializers import AccentField, AudioSerializer
from apps.curriculum.models import Phoneme
from apps.curriculum.selectors import phoneme_symbol_for_accent, phonemes_for_chart
from apps.studio.models import StudioProfile
from apps.studio.selectors import accent_progress, phoneme_now_playing, studio_profile_get
from apps.studio.services import (
    FailedTakePinRefused,
    RecordingRejected,
    Take,
    TakeNotFound,
    take_audio_path,
    take_get,
    take_record,
    take_save,
)

FAILED_PIN = (
    "Lần ghi này chưa đạt kiểm tra âm học: chỉ ghim khi bạn xác nhận (confirm_failed), "
    "hoặc lưu mà không ghim. (A take that failed the check is pinned only when confirmed.)"
)
NO_PROFILE = "Hãy điền hồ sơ studio trước khi ghi âm. (Fill in your studio profile first.)"


class Refused(APIException):
    """400 with ``{"detail": "..."}``: what was asked cannot be done, and why."""

    status_code = 400
    default_code = "refused"


class StudioApi(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAdminUser]


class TakeSerializer(serializers.Serializer):
    """A judged take, waiting for its owner to save it."""

    token = serializers.CharField()
    phoneme_id = serializers.IntegerField()
    accent = serializers.CharField()
    verdict = serializers.ChoiceField(choices=["passed", "failed", "not_checked"])
    heard_as = serializers.CharField()
    message_vi = serializers.SerializerMethodField()
    duration = serializers.FloatField(help_text="Seconds, after trimming.")
    recorded_seconds = serializers.FloatField(help_text="Seconds, as recorded.")
    gain_db = serializers.FloatField(help_text="Gain normalisation applied.")
    expires_at = serializers.DateTimeField()
    audio_url = serializers.SerializerMethodField()
    save_url = serializers.SerializerMethodField()

    def get_message_vi(self, take: Take) -> str:
        return take.verdict_vi(self.context["symbol"])

    def get_audio_url(self, take: Take) -> str:
        return reverse("studio:take-audio", args=[take.token])

    def get_save_url(self, take: Take) -> str:
        return reverse("studio:take-save", args=[take.token])


class ProgressSerializer(serializers.Serializer):
    accent = serializers.CharField()
    total = serializers.IntegerField()
    recorded = serializers.IntegerField()
    failing = serializers.SerializerMethodField()
    next_missing_id = serializers.SerializerMethodField()

    def get_failing(self, progress) -> list[dict]:
        return [{"id": p.pk, "ipa_symbol": p.ipa_symbol} for p in progress.failing]

    def get_next_missing_id(self, progress) -> int | None:
        return progress.next_missing.pk if progress.next_missing else None


class TakeCreateApi(StudioApi):
    """Record a take (multipart: ``file``, a WAV or other accepted audio; ``phoneme``, an
    id; ``accent``): trimmed, normalised and checked like every upload, judged acoustically,
    and kept an hour for the teacher to save. Nothing is stored in the media yet."""

    parser_classes = [MultiPartParser]

    class TakeInputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True)  # the decoder says "empty" itself
        phoneme = serializers.PrimaryKeyRelatedField(queryset=phonemes_for_chart())
        accent = AccentField(required=True, allow_blank=False)

    @extend_schema(
        request={"multipart/form-data": TakeInputSerializer},
        responses={
            201: TakeSerializer,
            **errors(403, 413),
            400: OpenApiResponse(
                inline_serializer(
                    "TakeRefused",
                    {"detail": serializers.CharField(), "message_vi": serializers.CharField()},
                ),
                description="Not audio, too short or long, silent, noise; or invalid fields.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = upload_data(request)
        form = self.TakeInputSerializer(data=data)
        form.is_valid(raise_exception=True)
        profile = studio_profile_get(request.user)
        if profile is None:
            raise Refused(NO_PROFILE)
        values = form.validated_data
        phoneme: Phoneme = values["phoneme"]
        try:
            take = take_record(
                values["file"],
                name=values["file"].name,
                phoneme=phoneme,
                accent=values["accent"],
                owner=request.user,
                gender=profile.gender,
            )
        except RecordingRejected as exc:
            return Response(
                {"detail": str(exc), "message_vi": f"Bản ghi bị từ chối (refused): {exc}"},
                status=400,
            )
        symbol = phoneme_symbol_for_accent(phoneme, accent=values["accent"])
        return Response(TakeSerializer(take, context={"symbol": symbol}).data, status=201)


class TakeAudioApi(StudioApi):
    """The edited take as MP3, for its owner only."""

    @extend_schema(
        responses={
            (200, "audio/mpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(403, 404),
        }
    )
    def get(self, request: Request, token: str) -> FileResponse:
        try:
            take = take_get(token, owner=request.user)
            audio = take_audio_path(take).open("rb")
        except (TakeNotFound, OSError):
            raise NotFound("No such take (it may have expired or been saved).") from None
        response = FileResponse(audio, content_type="audio/mpeg")
        response["Cache-Control"] = "private, no-store"
        return response


class TakeSaveApi(StudioApi):
    """Save a take as a native recording spoken by the teacher (their studio profile), and
    with ``pin`` make it what learners hear for the phoneme. The chart plays it at its next
    request."""

    parser_classes = [JSONParser]

    class TakeSaveInputSerializer(serializers.Serializer):
        pin = serializers.BooleanField(default=False)
        confirm_failed = serializers.BooleanField(
            default=False,
            help_text="Required (true) to pin a take that failed the acoustic check.",
        )

    class TakeSavedSerializer(serializers.Serializer):
        audio = AudioSerializer(help_text="The stored recording.")
        verdict = serializers.CharField()
        heard_as = serializers.CharField()
        pinned = serializers.BooleanField()
        now_playing = AudioSerializer(
            allow_null=True, help_text="What the chart plays for the phoneme now."
        )
        progress = ProgressSerializer()

    @extend_schema(
        request=TakeSaveInputSerializer,
        responses={
            201: TakeSavedSerializer,
            **errors(400, 403, 404),
            **STORAGE_ERRORS,
        },
    )
    def post(self, request: Request, token: str) -> Response:
        form = self.TakeSaveInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        pin = form.validated_data["pin"]
        try:
            source = take_save(
                token,
                owner=request.user,
                pin=pin,
                confirm_failed=form.validated_data["confirm_failed"],
            )
        except FailedTakePinRefused:
            raise Refused(FAILED_PIN) from None
        except TakeNotFound:
            raise NotFound("No such take (it may have expired or been saved).") from None
        except StudioProfile.DoesNotExist:
            raise Refused(NO_PROFILE) from None
        except RecordingRejected as exc:
            raise Refused(str(exc)) from None
        except DjangoValidationError as exc:
            raise Refused("; ".join(exc.messages)) from None
        except StorageUnavailable as exc:
            raise storage_fault(exc) from None
        result = {
            "audio": source,
            "verdict": source.acoustic_verdict,
            "heard_as": source.acoustic_heard_as,
            "pinned": pin,
            "now_playing": phoneme_now_playing(source.phoneme, accent=source.language),
            "progress": accent_progress(source.language),
        }
        return Response(self.TakeSavedSerializer(result).data, status=201)
