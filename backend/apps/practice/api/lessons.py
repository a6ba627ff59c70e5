"""Lessons with the learner's progress. A lesson is a path: each phoneme's explanation and
its sound, then listening drills on the lesson's contrasts; all of them answered right once
(or ``complete``) completes it."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import database_id
from apps.practice.api.base import LearnerApi, learner_errors
from apps.practice.selectors import lesson_get, lesson_path, lessons_list
from apps.practice.services.lessons import lesson_complete


class LessonProgressSerializer(serializers.Serializer):
    status = serializers.CharField()
    score = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


NOT_STARTED = {"status": "not_started", "score": 0, "started_at": None, "completed_at": None}


def _progress(lesson) -> dict:
    rows = lesson.learner_progress
    return LessonProgressSerializer(rows[0]).data if rows else NOT_STARTED


class LessonPhonemeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="phoneme.pk")
    ipa_symbol = serializers.CharField(source="phoneme.ipa_symbol")


class LessonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    title_vi = serializers.CharField()
    description_vi = serializers.CharField()
    order = serializers.IntegerField()
    phonemes = LessonPhonemeSerializer(source="phoneme_links", many=True)
    pair_count = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    def get_pair_count(self, lesson) -> int:
        return len(lesson.pair_links)

    def get_progress(self, lesson) -> dict:
        return _progress(lesson)


class LessonListApi(LearnerApi):
    """Published lessons in course order, each with the learner's progress."""

    @extend_schema(responses={200: LessonSerializer(many=True), **learner_errors(401)})
    def get(self, request: Request) -> Response:
        return Response(LessonSerializer(lessons_list(request.user), many=True).data)


def _lesson_or_404(request: Request, pk: str):
    row_id = database_id(pk)
    lesson = lesson_get(request.user, row_id) if row_id is not None else None
    if lesson is None:
        raise NotFound(f"No lesson {pk}.")
    return lesson


class ExampleWordSerializer(serializers.Serializer):
    word = serializers.CharField()
    ipa = serializers.CharField()


class LessonDetailApi(LearnerApi):
    """One lesson as a path: ``steps`` in order (each phoneme's explanation, then listening to
    it, then the drills), the phonemes with the learner's progress, the contrasts drilled and
    how the drills went (``drills.url`` serves them)."""

    @extend_schema_serializer(component_name="LessonDetailPhoneme")
    class PhonemeSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="phoneme.pk")
        ipa_symbol = serializers.CharField(source="phoneme.ipa_symbol")
        us_ipa_symbol = serializers.CharField(source="phoneme.us_ipa_symbol")
        vietnamese_approx = serializers.CharField(source="phoneme.vietnamese_approx")
        description_vi = serializers.CharField(source="phoneme.description_vi")
        tip_vi = serializers.CharField(source="phoneme.tip_vi")
        accent_notes = serializers.CharField(source="phoneme.accent_notes")
        example_words = ExampleWordSerializer(source="phoneme.example_words", many=True)
        audio_url = serializers.SerializerMethodField()
        attempts = serializers.IntegerField()
        correct = serializers.IntegerField()
        mastery = serializers.IntegerField()

        def get_audio_url(self, row) -> str:
            return reverse("phoneme-audio", args=[row.phoneme.pk])

    @extend_schema_serializer(component_name="LessonDetailPair")
    class PairSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        word_1 = serializers.CharField()
        word_1_ipa = serializers.CharField()
        word_2 = serializers.CharField()
        word_2_ipa = serializers.CharField()
        phoneme_1 = serializers.CharField(source="phoneme_1.ipa_symbol")
        phoneme_2 = serializers.CharField(source="phoneme_2.ipa_symbol")
        note_vi = serializers.CharField()

    @extend_schema_serializer(component_name="LessonDetailDrills")
    class DrillsSerializer(serializers.Serializer):
        url = serializers.SerializerMethodField()
        answered = serializers.IntegerField()
        correct = serializers.IntegerField()
        pairs_correct = serializers.IntegerField()
        pairs_total = serializers.IntegerField()

        def get_url(self, stats) -> str:
            return f"{reverse('practice-api:drill-next')}?lesson={self.context['lesson'].pk}"

    @extend_schema_serializer(component_name="LessonDetailStep")
    class StepSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=["explanation", "listen", "drills"])
        phoneme_id = serializers.IntegerField(required=False)

    @extend_schema_serializer(component_name="LessonDetailOutput")
    class OutputSerializer(serializers.Serializer):
        lesson = LessonSerializer()
        phonemes = serializers.SerializerMethodField()
        pairs = serializers.SerializerMethodField()
        drills = serializers.SerializerMethodField()
        steps = serializers.SerializerMethodField()

        def get_phonemes(self, path) -> list[dict]:
            return LessonDetailApi.PhonemeSerializer(path.phonemes, many=True).data

        def get_pairs(self, path) -> list[dict]:
            return LessonDetailApi.PairSerializer(path.pairs, many=True).data

        def get_drills(self, path) -> dict:
            context = {"lesson": path.lesson}
            return LessonDetailApi.DrillsSerializer(path.drills, context=context).data

        def get_steps(self, path) -> list[dict]:
            steps = []
            for row in path.phonemes:
                steps.append({"type": "explanation", "phoneme_id": row.phoneme.pk})
                steps.append({"type": "listen", "phoneme_id": row.phoneme.pk})
            steps.append({"type": "drills"})
            return LessonDetailApi.StepSerializer(steps, many=True).data

    @extend_schema(responses={200: OutputSerializer, **learner_errors(401, 404)})
    def get(self, request: Request, pk: str) -> Response:
        row_id = database_id(pk)
        path = lesson_path(request.user, row_id) if row_id is not None else None
        if path is None:
            raise NotFound(f"No lesson {pk}.")
        return Response(self.OutputSerializer(path).data)


class LessonCompleteApi(LearnerApi):
    """Mark the lesson completed. ``score`` (0–100) is optional: without it, the share of
    right answers in the lesson's drills. The best score is kept."""

    @extend_schema_serializer(component_name="LessonCompleteInput")
    class InputSerializer(serializers.Serializer):
        score = serializers.IntegerField(min_value=0, max_value=100, required=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: LessonProgressSerializer, **learner_errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: str) -> Response:
        lesson = _lesson_or_404(request, pk)
        form = self.InputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        progress = lesson_complete(request.user, lesson, score=form.validated_data.get("score"))
        return Response(LessonProgressSerializer(progress).data)
