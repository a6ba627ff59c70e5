"""Listening drills: the next item, its audio, and the answer.

Nothing a client receives before answering tells which word is played: the two words come
under keys ("a", "b") shuffled per item (a three-way item's keys "a", "b", "c" are the three
sounds' positions), the audio is streamed from an URL that names only the item, never the
file, the audio source, the voice or the word, and its bytes are rendered for that play, so
they match no public file. The voice is named with the answer.
"""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from apps.core.api import database_id
from apps.curriculum.audio.serializers import AccentField
from apps.curriculum.audio.voices import accent_validate
from apps.curriculum.selectors import tips_for
from apps.practice.api.base import (
    AnyAcceptNegotiation,
    LearnerApi,
    LessonIdField,
    PhonemeIdField,
    learner_errors,
)
from apps.practice.drill_audio import voice_label_vi
from apps.practice.onboarding import learner_accent, learner_dialect
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
    drill_answer,
    drill_answers_offline_record,
    drill_audio_render,
    drill_pack_make,
    drill_start,
)

PROMPT_VI = "Bạn nghe thấy từ nào? Nghe rồi chọn một từ."
PROMPT_ODDITY_VI = (
    "Bạn sẽ nghe ba tiếng, mỗi tiếng một giọng khác nhau: hai tiếng là cùng một từ, một tiếng "
    "là từ kia. Tiếng nào khác?"
)
POSITION_LABELS_VI = {"a": "Tiếng 1", "b": "Tiếng 2", "c": "Tiếng 3"}
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
    label = serializers.CharField(help_text="What the button says (a stress pair: its stress).")
    word = serializers.CharField(allow_blank=True, help_text="Empty for a three-way item.")
    ipa = serializers.CharField(allow_blank=True)


class PairWordSerializer(serializers.Serializer):
    label = serializers.CharField()
    word = serializers.CharField()
    ipa = serializers.CharField()


class DrillNextApi(LearnerApi):
    """The learner's next listening item: the weakest due review first, then new contrasts in
    course order; ``placement=1``: the placement test's next item.

    ``format`` "identify": play ``audio_url`` (one word) and post the key of the word heard.
    ``format`` "oddity" (items inside a lesson): ``audio_url`` plays three sounds in three
    voices, two of one word of ``words`` and one of the other; post the key of the odd one's
    position ("a", "b", "c"). ``accent`` defaults to the learner's own.
    """

    # Per learner (each item writes a row): PHATAM_DRILL_NEXT_RATE.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "drill_next"

    @extend_schema_serializer(component_name="DrillNextInput")
    class InputSerializer(serializers.Serializer):
        accent = AccentField(required=False)
        kind = serializers.ChoiceField(choices=drill_kinds(), required=False, allow_blank=True)
        phoneme = PhonemeIdField(required=False)
        lesson = LessonIdField(required=False)
        placement = serializers.BooleanField(required=False, default=False)

    @extend_schema_serializer(component_name="DrillNextOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        format = serializers.ChoiceField(choices=["identify", "oddity"])
        accent = serializers.CharField()
        audio_url = serializers.CharField()
        answer_url = serializers.CharField()
        choices = ChoiceSerializer(many=True)
        words = PairWordSerializer(many=True, help_text="The pair's two words (both formats).")
        prompt_vi = serializers.CharField()

    @extend_schema(
        parameters=[InputSerializer],
        responses={200: OutputSerializer, **learner_errors(400, 401, 404, 429, 503)},
    )
    def get(self, request: Request) -> Response:
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        accent = values.get("accent") or learner_accent(request.user)
        try:
            attempt = drill_start(
                request.user,
                accent=accent_validate(accent),
                kind=values.get("kind") or None,
                phoneme=values.get("phoneme"),
                lesson=values.get("lesson"),
                placement=values["placement"],
            )
        except NoDrillAvailable:
            raise NotFound("Không có bài luyện nào phù hợp (no drill item matches).") from None
        except DrillAudioUnavailable:
            raise AudioUnavailable() from None
        words = drill_words(attempt)
        if attempt.is_oddity:
            choices = [
                {"key": key, "label": label, "word": "", "ipa": ""}
                for key, label in POSITION_LABELS_VI.items()
            ]
        else:
            choices = [
                {"key": word.key, "label": word.label, "word": word.word, "ipa": word.ipa}
                for word in words
            ]
        output = {
            "id": attempt.pk,
            "kind": attempt.pair.kind,
            "format": attempt.item_format,
            "accent": attempt.accent,
            "audio_url": reverse("practice-api:drill-audio", args=[attempt.pk]),
            "answer_url": reverse("practice-api:drill-answer", args=[attempt.pk]),
            "choices": choices,
            "words": [{"label": w.label, "word": w.word, "ipa": w.ipa} for w in words],
            "prompt_vi": PROMPT_ODDITY_VI if attempt.is_oddity else PROMPT_VI,
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
    """The item's audio (the attempt's owner only), streamed so that no URL names the file,
    rendered afresh for each play (a tiny random gain and lead silence): its bytes are never
    those of a public file. ``Cache-Control: private, no-store``."""

    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        responses={
            (200, "audio/mpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The audio."),
            **learner_errors(401, 404, 503),
        }
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        attempt = _attempt_or_404(request, pk)
        try:
            data = drill_audio_render(attempt)
        except DrillAudioUnavailable:
            raise AudioUnavailable() from None
        response = HttpResponse(data, content_type="audio/mpeg")
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class WordSerializer(serializers.Serializer):
    key = serializers.CharField(allow_blank=True)
    label = serializers.CharField()
    word = serializers.CharField()
    ipa = serializers.CharField()
    phoneme_id = serializers.IntegerField(source="phoneme.pk")
    phoneme_ipa = serializers.CharField(source="sound", help_text="In the item's accent.")
    vietnamese_approx = serializers.CharField(source="phoneme.vietnamese_approx")


@extend_schema_serializer(component_name="DrillAnswerLessonProgress")
class LessonProgressSerializer(serializers.Serializer):
    lesson_id = serializers.IntegerField()
    status = serializers.CharField()
    score = serializers.IntegerField()
    answered = serializers.IntegerField()
    window_correct = serializers.IntegerField()
    confirm_correct = serializers.IntegerField()
    voices = serializers.IntegerField()
    complete = serializers.BooleanField()
    needed_vi = serializers.CharField(allow_blank=True)


@extend_schema_serializer(component_name="DrillAnswerPlacement")
class PlacementSerializer(serializers.Serializer):
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    done = serializers.BooleanField()
    first_lesson_id = serializers.IntegerField(allow_null=True)
    first_lesson_url = serializers.CharField(allow_null=True)


class DrillAnswerApi(LearnerApi):
    """Answer an item once (a second answer is 409). Says whether it was right, which word
    was played (and, for a three-way item, where), which voice said it, why, tips for the
    learner's dialect first, the contrast's recent mastery, its next review, the lesson's
    completion and the placement test's progress."""

    # Per learner: PHATAM_DRILL_ANSWER_RATE.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "drill_answer"

    @extend_schema_serializer(component_name="DrillAnswerInput")
    class InputSerializer(serializers.Serializer):
        choice = serializers.ChoiceField(choices=["a", "b", "c"])

    @extend_schema_serializer(component_name="DrillAnswerProgress")
    class ProgressSerializer(serializers.Serializer):
        phoneme_id = serializers.IntegerField()
        attempts = serializers.IntegerField()
        correct = serializers.IntegerField()
        mastery = serializers.IntegerField()

    @extend_schema_serializer(component_name="DrillAnswerMastery")
    class MasterySerializer(serializers.Serializer):
        answered = serializers.IntegerField(help_text="Answers on the contrast lately (≤ 10).")
        correct = serializers.IntegerField()
        percent = serializers.IntegerField(
            allow_null=True, help_text="Null until 5 answers say anything."
        )

    @extend_schema_serializer(component_name="DrillAnswerReview")
    class ReviewSerializer(serializers.Serializer):
        due = serializers.DateTimeField()
        reviews = serializers.IntegerField()

    @extend_schema_serializer(component_name="DrillAnswerOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        format = serializers.ChoiceField(choices=["identify", "oddity"])
        correct = serializers.BooleanField()
        choice = serializers.CharField()
        odd_position = serializers.IntegerField(allow_null=True)
        answer = WordSerializer()
        other = WordSerializer()
        voice = serializers.CharField(help_text="The voice that said the answer (its key).")
        voice_label_vi = serializers.CharField()
        voices = serializers.ListField(
            child=serializers.CharField(), help_text="Every sound's voice, in play order."
        )
        explanation_vi = serializers.CharField()
        note_vi = serializers.CharField()
        tips_vi = serializers.ListField(
            child=serializers.CharField(), help_text="The learner's dialect's tips first."
        )
        progress = serializers.SerializerMethodField()
        mastery = serializers.SerializerMethodField()
        review = serializers.SerializerMethodField()
        lesson = serializers.SerializerMethodField()
        placement = serializers.SerializerMethodField()

        def get_progress(self, result) -> dict:
            return DrillAnswerApi.ProgressSerializer(result["progress"]).data

        def get_mastery(self, result) -> dict:
            return DrillAnswerApi.MasterySerializer(result["mastery"]).data

        def get_review(self, result) -> dict:
            return DrillAnswerApi.ReviewSerializer(result["card"]).data

        @extend_schema_field(LessonProgressSerializer(allow_null=True))
        def get_lesson(self, result) -> dict | None:
            progress, completion = result["lesson_progress"], result["completion"]
            if progress is None:
                return None
            row = {
                "lesson_id": progress.lesson_id,
                "status": progress.status,
                "score": progress.score,
                "answered": completion.answered,
                "window_correct": completion.window_correct,
                "confirm_correct": completion.confirm_correct,
                "voices": completion.voices,
                "complete": completion.complete,
                "needed_vi": completion.needed_vi,
            }
            return LessonProgressSerializer(row).data

        @extend_schema_field(PlacementSerializer(allow_null=True))
        def get_placement(self, result) -> dict | None:
            state = result["placement"]
            if state is None:
                return None
            first = state.first_lesson
            row = {
                "answered": state.answered,
                "total": state.total,
                "done": state.done,
                "first_lesson_id": first.pk if first else None,
                "first_lesson_url": reverse("practice:lesson", args=[first.pk]) if first else None,
            }
            return PlacementSerializer(row).data

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
        except ValueError:
            raise ValidationError(
                {"choice": ["Bài này chỉ có hai lựa chọn: a hoặc b (only a or b)."]}
            ) from None
        attempt = result.attempt
        heard, other = drill_answer_words(attempt)
        dialect = learner_dialect(request.user)
        tips = [tip.text_vi for tip in tips_for(heard.phoneme, dialect=dialect)]
        tips = tips or ([heard.phoneme.tip_vi] if heard.phoneme.tip_vi else [])
        output = {
            "id": attempt.pk,
            "format": attempt.item_format,
            "correct": result.correct,
            "choice": attempt.choice,
            "odd_position": attempt.odd_position,
            "answer": heard,
            "other": other,
            "voice": attempt.voice,
            "voice_label_vi": voice_label_vi(attempt.voice, accent=attempt.accent),
            "voices": [voice_label_vi(v, accent=attempt.accent) for _, _, v in attempt.clips],
            "explanation_vi": drill_explanation_vi(attempt, correct=result.correct),
            "note_vi": attempt.pair.note_vi,
            "tips_vi": tips,
            "progress": result.progress,
            "mastery": result.mastery,
            "card": result.card,
            "lesson_progress": result.lesson_progress,
            "completion": result.completion,
            "placement": result.placement,
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
                    {"key": word.key, "label": word.label, "word": word.word, "ipa": word.ipa}
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
