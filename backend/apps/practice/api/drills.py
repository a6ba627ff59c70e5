"""Listening drills: the next item, its audio, and the answer.

Nothing a client receives before answering tells which word is played: the two words come
under keys ("a", "b") shuffled per item, and the audio is streamed from an URL that names
only the item, never the file, the audio source or the word.
"""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from apps.core.api import database_id
from apps.curriculum.audio.playback import play_record
from apps.curriculum.audio.serializers import AccentField
from apps.curriculum.audio.voices import accent_validate
from apps.practice.api.base import (
    AnyAcceptNegotiation,
    LearnerApi,
    LessonIdField,
    PhonemeIdField,
    learner_errors,
)
from apps.practice.selectors import (
    drill_answer_words,
    drill_attempt_get,
    drill_explanation_vi,
    drill_kinds,
    drill_words,
)
from apps.practice.services.drills import (
    DrillAlreadyAnswered,
    DrillAudioUnavailable,
    DrillNotFound,
    NoDrillAvailable,
    OfflineAnswer,
    audio_bytes,
    drill_answer,
    drill_answers_offline_record,
    drill_audio_source,
    drill_pack_make,
    drill_start,
)

PROMPT_VI = "Bạn nghe thấy từ nào? Nghe rồi chọn một từ."
AUDIO_UNAVAILABLE = "Không có âm thanh cho bài này lúc này (audio unavailable): hãy thử bài khác."


class AudioUnavailable(APIException):
    status_code = 503
    default_detail = AUDIO_UNAVAILABLE
    default_code = "audio_unavailable"


class AlreadyAnswered(APIException):
    status_code = 409
    default_detail = "Bài này đã được trả lời rồi (already answered)."
    default_code = "already_answered"


def _attempt_or_404(request: Request, pk: str):
    row_id = database_id(pk)
    attempt = drill_attempt_get(request.user, row_id) if row_id is not None else None
    if attempt is None:
        raise NotFound(f"No drill item {pk}.")
    return attempt


class ChoiceSerializer(serializers.Serializer):
    key = serializers.CharField()
    word = serializers.CharField()
    ipa = serializers.CharField()


class DrillNextApi(LearnerApi):
    """The learner's next listening item: reviews that are due first, then new contrasts.

    Play ``audio_url`` (it answers the audio itself), show the choices, post the key picked
    to the answer URL.
    """

    # Per learner (each item writes a row): PHATAM_DRILL_NEXT_RATE.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "drill_next"

    @extend_schema_serializer(component_name="DrillNextInput")
    class InputSerializer(serializers.Serializer):
        accent = AccentField()
        kind = serializers.ChoiceField(choices=drill_kinds(), required=False, allow_blank=True)
        phoneme = PhonemeIdField(required=False)
        lesson = LessonIdField(required=False)

    @extend_schema_serializer(component_name="DrillNextOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        accent = serializers.CharField()
        audio_url = serializers.CharField()
        answer_url = serializers.CharField()
        choices = ChoiceSerializer(many=True)
        prompt_vi = serializers.CharField()

    @extend_schema(
        parameters=[InputSerializer],
        responses={200: OutputSerializer, **learner_errors(400, 401, 404, 429, 503)},
    )
    def get(self, request: Request) -> Response:
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        try:
            attempt = drill_start(
                request.user,
                accent=accent_validate(values.get("accent")),
                kind=values.get("kind") or None,
                phoneme=values.get("phoneme"),
                lesson=values.get("lesson"),
            )
        except NoDrillAvailable:
            raise NotFound("Không có bài luyện nào phù hợp (no drill item matches).") from None
        except DrillAudioUnavailable:
            raise AudioUnavailable() from None
        output = {
            "id": attempt.pk,
            "kind": attempt.pair.kind,
            "accent": attempt.accent,
            "audio_url": reverse("practice-api:drill-audio", args=[attempt.pk]),
            "answer_url": reverse("practice-api:drill-answer", args=[attempt.pk]),
            "choices": [
                {"key": word.key, "word": word.word, "ipa": word.ipa}
                for word in drill_words(attempt)
            ],
            "prompt_vi": PROMPT_VI,
        }
        return Response(self.OutputSerializer(output).data)


class DrillKindsApi(LearnerApi):
    """The drill sets a learner can ask for with ``?kind=``."""

    @extend_schema_serializer(component_name="DrillKindsOutput")
    class OutputSerializer(serializers.Serializer):
        kind = serializers.CharField()
        label = serializers.CharField()

    @extend_schema(responses={200: OutputSerializer(many=True), **learner_errors(401)})
    def get(self, request: Request) -> Response:
        kinds = [{"kind": kind, "label": label} for kind, label in drill_kinds()]
        return Response(self.OutputSerializer(kinds, many=True).data)


class DrillAudioApi(LearnerApi):
    """The item's audio (the attempt's owner only), streamed so that no URL names the file.
    ``Cache-Control: private, no-store``."""

    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        responses={
            (200, "audio/mpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The audio."),
            **learner_errors(401, 404, 503),
        }
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        attempt = _attempt_or_404(request, pk)
        source = drill_audio_source(attempt)
        if source is None:
            raise AudioUnavailable()
        try:
            data, content_type = audio_bytes(source)
        except OSError:
            raise AudioUnavailable() from None
        play_record(source)
        response = HttpResponse(data, content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class WordSerializer(serializers.Serializer):
    key = serializers.CharField()
    word = serializers.CharField()
    ipa = serializers.CharField()
    phoneme_id = serializers.IntegerField(source="phoneme.pk")
    phoneme_ipa = serializers.CharField(source="phoneme.ipa_symbol")
    vietnamese_approx = serializers.CharField(source="phoneme.vietnamese_approx")


class DrillAnswerApi(LearnerApi):
    """Answer an item once (a second answer is 409). Says whether it was right, which word
    was played, why, and the learner's progress on that sound and its next review."""

    # Per learner: PHATAM_DRILL_ANSWER_RATE.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "drill_answer"

    @extend_schema_serializer(component_name="DrillAnswerInput")
    class InputSerializer(serializers.Serializer):
        choice = serializers.ChoiceField(choices=["a", "b"])

    @extend_schema_serializer(component_name="DrillAnswerProgress")
    class ProgressSerializer(serializers.Serializer):
        phoneme_id = serializers.IntegerField()
        attempts = serializers.IntegerField()
        correct = serializers.IntegerField()
        mastery = serializers.IntegerField()

    @extend_schema_serializer(component_name="DrillAnswerReview")
    class ReviewSerializer(serializers.Serializer):
        due = serializers.DateTimeField()
        reviews = serializers.IntegerField()

    @extend_schema_serializer(component_name="DrillAnswerLessonProgress")
    class LessonProgressSerializer(serializers.Serializer):
        lesson_id = serializers.IntegerField()
        status = serializers.CharField()
        score = serializers.IntegerField()

    @extend_schema_serializer(component_name="DrillAnswerOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        correct = serializers.BooleanField()
        choice = serializers.CharField()
        answer = WordSerializer()
        other = WordSerializer()
        explanation_vi = serializers.CharField()
        note_vi = serializers.CharField()
        progress = serializers.SerializerMethodField()
        review = serializers.SerializerMethodField()
        lesson = serializers.SerializerMethodField()

        def get_progress(self, result) -> dict:
            return DrillAnswerApi.ProgressSerializer(result["progress"]).data

        def get_review(self, result) -> dict:
            return DrillAnswerApi.ReviewSerializer(result["card"]).data

        def get_lesson(self, result) -> dict | None:
            progress = result["lesson_progress"]
            return DrillAnswerApi.LessonProgressSerializer(progress).data if progress else None

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, **learner_errors(400, 401, 403, 404, 409, 429)},
    )
    def post(self, request: Request, pk: str) -> Response:
        form = self.InputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row_id = database_id(pk)
        if row_id is None:
            raise NotFound(f"No drill item {pk}.")
        try:
            result = drill_answer(request.user, row_id, choice=form.validated_data["choice"])
        except DrillNotFound:
            raise NotFound(f"No drill item {pk}.") from None
        except DrillAlreadyAnswered:
            raise AlreadyAnswered() from None
        attempt = result.attempt
        heard, other = drill_answer_words(attempt)
        output = {
            "id": attempt.pk,
            "correct": result.correct,
            "choice": attempt.choice,
            "answer": heard,
            "other": other,
            "explanation_vi": drill_explanation_vi(attempt, correct=result.correct),
            "note_vi": attempt.pair.note_vi,
            "progress": result.progress,
            "card": result.card,
            "lesson_progress": result.lesson_progress,
        }
        return Response(self.OutputSerializer(output).data)


class DrillPackItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    accent = serializers.CharField()
    audio_url = serializers.CharField()
    choices = ChoiceSerializer(many=True)
    answer_key = serializers.CharField()
    right_vi = serializers.CharField()
    wrong_vi = serializers.CharField()


class DrillPackApi(LearnerApi):
    """A pack of listening items to take offline (the "Tải về để học khi không có mạng"
    button), each with its public audio URL and its answer, for feedback with no network.

    Because the pack carries its answers, its items are marked ``offline``: answered later
    through ``/api/drills/offline-answers/``, they count for the learner's progress and
    review schedule, never for a lesson. Online drills (``/api/drills/next/``) still send
    nothing that tells the word before the answer.
    """

    # A pack writes up to ten rows: under the same per-learner rate as the next item.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "drill_next"

    @extend_schema_serializer(component_name="DrillPackInput")
    class InputSerializer(serializers.Serializer):
        accent = AccentField()

    @extend_schema_serializer(component_name="DrillPackOutput")
    class OutputSerializer(serializers.Serializer):
        prompt_vi = serializers.CharField()
        items = DrillPackItemSerializer(many=True)

    @extend_schema(
        parameters=[InputSerializer],
        responses={200: OutputSerializer, **learner_errors(400, 401, 429)},
    )
    def get(self, request: Request) -> Response:
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        accent = accent_validate(query.validated_data.get("accent"))
        items = [
            {
                "id": attempt.pk,
                "kind": attempt.pair.kind,
                "accent": attempt.accent,
                "audio_url": attempt.audio_source.audio_file.url,
                "choices": [
                    {"key": word.key, "word": word.word, "ipa": word.ipa}
                    for word in drill_words(attempt)
                ],
                "answer_key": attempt.answer_key,
                "right_vi": drill_explanation_vi(attempt, correct=True),
                "wrong_vi": drill_explanation_vi(attempt, correct=False),
            }
            for attempt in drill_pack_make(request.user, accent=accent)
        ]
        response = Response(self.OutputSerializer({"prompt_vi": PROMPT_VI, "items": items}).data)
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema_serializer(component_name="DrillOfflineAnswer")
class OfflineAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)
    choice = serializers.ChoiceField(choices=["a", "b"])
    # A random UUID made on the phone, one per answer.
    client_key = serializers.RegexField(r"^[A-Za-z0-9-]{8,64}$")
    answered_at = serializers.DateTimeField(required=False)


class DrillOfflineAnswersApi(LearnerApi):
    """Answers made offline to pack items, sent when the connection returns. Each answer
    carries a ``client_key`` made on the phone: a sync repeated (a lost reply, two tabs)
    records nothing twice. Says, per key, ``recorded``, ``duplicate`` or ``not_found``."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "drill_answer"

    @extend_schema_serializer(component_name="DrillOfflineAnswer")
    class AnswerSerializer(serializers.Serializer):
        id = serializers.IntegerField(min_value=1)
        choice = serializers.ChoiceField(choices=["a", "b"])
        client_key = serializers.RegexField(r"^[A-Za-z0-9-]{8,64}$")
        answered_at = serializers.DateTimeField(required=False)

    @extend_schema_serializer(component_name="DrillOfflineAnswersInput")
    class InputSerializer(serializers.Serializer):
        answers = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=200)

        def validate_answers(self, value):
            rows = DrillOfflineAnswersApi.AnswerSerializer(data=value, many=True)
            rows.is_valid(raise_exception=True)
            return rows.validated_data

    @extend_schema_serializer(component_name="DrillOfflineAnswersOutput")
    class OutputSerializer(serializers.Serializer):
        results = serializers.DictField(child=serializers.CharField())

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, **learner_errors(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        form = self.InputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        answers = [
            OfflineAnswer(
                attempt_id=row["id"],
                choice=row["choice"],
                client_key=row["client_key"],
                answered_at=row.get("answered_at"),
            )
            for row in form.validated_data["answers"]
        ]
        results = drill_answers_offline_record(request.user, answers)
        return Response(self.OutputSerializer({"results": results}).data)
