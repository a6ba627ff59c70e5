"""What a teacher sees of a class: each learner's results and confusions, each assignment's
completion, the weakest contrasts and the weekly trend (JSON, or CSV with ``?format=csv``);
one learner in detail, and the recordings that learner shares."""

import csv
import io

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.classes.api.base import taught_or_404
from apps.classes.api.renderers import CsvRenderer
from apps.classes.selectors import (
    ClassReport,
    class_report,
    learner_report,
    shared_recording_get,
    shared_recordings,
)
from apps.core.api import database_id
from apps.practice.api.base import AnyAcceptNegotiation, LearnerApi, learner_errors
from apps.practice.services import learner_recordings_storage

FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "csv"], description="``csv``: the export."
)


@extend_schema_serializer(component_name="ReportConfusion")
class ConfusionSerializer(serializers.Serializer):
    played = serializers.CharField(help_text="The sound played (IPA).")
    chosen = serializers.CharField(help_text="What the learner picked instead (IPA).")
    count = serializers.IntegerField()


@extend_schema_serializer(component_name="ReportContrast")
class ContrastSerializer(serializers.Serializer):
    played = serializers.CharField(help_text="The sound played (IPA).")
    other = serializers.CharField(help_text="The sound it is contrasted with (IPA).")
    attempts = serializers.IntegerField()
    correct = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True, help_text="Percent right, 0–100.")


@extend_schema_serializer(component_name="ReportLearnerAssignment")
class LearnerStateSerializer(serializers.Serializer):
    lesson_id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["not_started", "in_progress", "done"])


@extend_schema_serializer(component_name="ReportLearner")
class LearnerSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    attempts = serializers.IntegerField(help_text="Drills answered.")
    correct = serializers.IntegerField()
    accuracy = serializers.FloatField(
        allow_null=True, help_text="Percent right, 0–100; null before any answer."
    )
    recent_attempts = serializers.IntegerField(help_text="Drills answered in the last 14 days.")
    recent_accuracy = serializers.FloatField(allow_null=True)
    practice_minutes = serializers.IntegerField()
    days_active = serializers.IntegerField()
    last_active = serializers.DateField(allow_null=True, help_text="The last day practised.")
    share_recordings = serializers.BooleanField()
    confusions = ConfusionSerializer(many=True)
    contrasts = ContrastSerializer(source="directions", many=True)
    assignments = serializers.SerializerMethodField()

    def get_assignments(self, learner) -> list[dict]:
        rows = [{"lesson_id": k, "state": v} for k, v in learner.states.items()]
        return LearnerStateSerializer(rows, many=True).data


@extend_schema_serializer(component_name="ReportAssignment")
class AssignmentCompletionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="assignment.pk")
    lesson_id = serializers.IntegerField(source="assignment.lesson_id")
    lesson_title_vi = serializers.CharField(source="assignment.lesson.title_vi")
    due = serializers.DateTimeField(source="assignment.due")
    done = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    not_started = serializers.IntegerField()


@extend_schema_serializer(component_name="ReportWeek")
class WeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The Monday of the week.")
    attempts = serializers.IntegerField()
    correct = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)
    learners = serializers.IntegerField(help_text="Learners who practised that week.")


@extend_schema_serializer(component_name="ClassReport")
class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="classroom.pk")
    name = serializers.CharField(source="classroom.name")
    learners = LearnerSerializer(many=True)
    assignments = AssignmentCompletionSerializer(many=True)
    weakest = ContrastSerializer(many=True, help_text="Lowest accuracy first.")
    weeks = WeekSerializer(many=True)


def _percent(value: float | None) -> float | None:
    return None if value is None else float(value)


def _direction(d) -> dict:
    return {
        "played": d.played,
        "other": d.other,
        "attempts": d.attempts,
        "correct": d.correct,
        "accuracy": _percent(d.accuracy),
    }


def learner_json(learner) -> dict:
    """What :class:`LearnerSerializer` gives, built directly: a report of 200 learners has
    tens of thousands of fields, and DRF's per-field serialization took longer than the
    queries (``test_report`` checks that both give the same)."""
    return {
        "user_id": learner.user_id,
        "username": learner.username,
        "attempts": learner.attempts,
        "correct": learner.correct,
        "accuracy": _percent(learner.accuracy),
        "recent_attempts": learner.recent_attempts,
        "recent_accuracy": _percent(learner.recent_accuracy),
        "practice_minutes": learner.practice_minutes,
        "days_active": learner.days_active,
        "last_active": learner.last_active.isoformat() if learner.last_active else None,
        "share_recordings": learner.share_recordings,
        "confusions": [
            {"played": c.played, "chosen": c.chosen, "count": c.count} for c in learner.confusions
        ],
        "contrasts": [_direction(d) for d in learner.directions],
        "assignments": [{"lesson_id": k, "state": v} for k, v in learner.states.items()],
    }


def report_json(report: ClassReport) -> dict:
    """What :class:`ReportSerializer` gives (its schema documents this), built directly."""
    return {
        "id": report.classroom.pk,
        "name": report.classroom.name,
        "learners": [learner_json(learner) for learner in report.learners],
        "assignments": AssignmentCompletionSerializer(report.assignments, many=True).data,
        "weakest": [_direction(d) for d in report.weakest],
        "weeks": WeekSerializer(report.weeks, many=True).data,
    }


def _confusions_text(learner) -> str:
    return "; ".join(f"{c.played}→{c.chosen} ×{c.count}" for c in learner.confusions)


def report_csv(report: ClassReport) -> str:
    """One row per learner: results, each assignment's state, and confusions."""
    out = io.StringIO()
    writer = csv.writer(out)
    lessons = [row.assignment for row in report.assignments]
    writer.writerow(
        [
            "username",
            "attempts",
            "correct",
            "accuracy",
            "recent_accuracy",
            "practice_minutes",
            "days_active",
            *[f"assignment: {a.lesson.title_vi}" for a in lessons],
            "confusions",
        ]
    )
    for learner in report.learners:
        writer.writerow(
            [
                learner.username,
                learner.attempts,
                learner.correct,
                "" if learner.accuracy is None else learner.accuracy,
                "" if learner.recent_accuracy is None else learner.recent_accuracy,
                learner.practice_minutes,
                learner.days_active,
                *[learner.states[a.lesson_id] for a in lessons],
                _confusions_text(learner),
            ]
        )
    return out.getvalue()


class ClassReportApi(LearnerApi):
    """The class's report, for its teacher only (404 for anyone else). Per learner:
    ``username``, ``attempts``, ``accuracy`` (percent), recent accuracy, practice time, days
    active, assignment states and ``confusions`` (what they picked when wrong: ``played``,
    ``chosen``, ``count``); per assignment its completion; the weakest contrast directions;
    the trend by week. ``?format=csv``: one row per learner, as a file."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        parameters=[FORMAT],
        responses={
            (200, "application/json"): ReportSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The export."),
            **learner_errors(401, 404),
        },
    )
    def get(self, request: Request, pk: str) -> Response:
        classroom = taught_or_404(request, pk)
        report = class_report(classroom)
        if request.accepted_renderer.format == "csv":
            response = Response(report_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="lop-{classroom.pk}-{classroom.join_code}.csv"'
            )
            return response
        return Response(report_json(report))


@extend_schema_serializer(component_name="SharedRecording")
class RecordingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["vowel", "word"])
    id = serializers.IntegerField(source="pk")
    label = serializers.CharField(help_text="What was said: /vowel/ or the word.")
    verdict = serializers.CharField(help_text="The app's verdict.")
    verdict_vi = serializers.CharField()
    created_at = serializers.DateTimeField()
    audio_url = serializers.SerializerMethodField()

    def get_audio_url(self, recording) -> str | None:
        if not recording.has_audio:
            return None
        classroom, user_id = self.context["classroom"], self.context["user_id"]
        return reverse(
            "classes-api:recording-audio",
            args=[classroom.pk, user_id, recording.kind, recording.pk],
        )


class LearnerReportApi(LearnerApi):
    """One learner of the class (its teacher only): their results, confusion matrix rows
    (``contrasts``) and, only while they share them with this class, their recent
    recordings with the app's verdict."""

    @extend_schema_serializer(component_name="LearnerReportOutput")
    class OutputSerializer(LearnerSerializer):
        recordings = serializers.SerializerMethodField()

        def get_recordings(self, learner) -> list[dict]:
            rows = shared_recordings(self.context["classroom"], learner.user_id)
            context = {**self.context, "user_id": learner.user_id}
            return RecordingSerializer(rows, many=True, context=context).data

    @extend_schema(responses={200: OutputSerializer, **learner_errors(401, 404)})
    def get(self, request: Request, pk: str, user_id: str) -> Response:
        classroom = taught_or_404(request, pk)
        row_id = database_id(user_id)
        learner = learner_report(classroom, row_id) if row_id is not None else None
        if learner is None:
            raise NotFound(f"Không có học viên {user_id} trong lớp (no such learner).")
        return Response(self.OutputSerializer(learner, context={"classroom": classroom}).data)


class SharedRecordingAudioApi(LearnerApi):
    """A recording's audio, for the teacher of a class whose learner shares it now (404
    otherwise, and once it has expired). ``Cache-Control: private, no-store``."""

    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        responses={
            (200, "audio/wav"): OpenApiResponse(OpenApiTypes.BINARY, description="The audio."),
            **learner_errors(401, 404),
        }
    )
    def get(self, request: Request, pk: str, user_id: str, kind: str, rec: str) -> HttpResponse:
        classroom = taught_or_404(request, pk)
        learner_id, rec_id = database_id(user_id), database_id(rec)
        recording = (
            shared_recording_get(classroom, learner_id, kind, rec_id)
            if learner_id is not None and rec_id is not None
            else None
        )
        data = _recording_bytes(recording) if recording is not None else None
        if data is None:
            raise NotFound("Không có bản ghi này (no such recording).")
        response = HttpResponse(data, content_type=recording.content_type or "audio/wav")
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _recording_bytes(recording) -> bytes | None:
    name = getattr(recording, "file_name", "")
    if not name:
        return None
    try:
        with learner_recordings_storage().open(name, "rb") as file:
            return file.read()
    except OSError:
        return None
