"""Assignments: a teacher gives a class a lesson with a due date; a learner sees the
assignments of all their classes with their state."""

from datetime import datetime, time

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.classes.api.base import taught_or_404
from apps.classes.selectors import assignments_for_learner
from apps.classes.services import assignment_set
from apps.practice.api.base import LearnerApi, LessonIdField, learner_errors


@extend_schema_field(OpenApiTypes.DATETIME)
class DueField(serializers.DateTimeField):
    """A date and time, or a date alone (due at the end of that day, in the site's zone)."""

    def to_internal_value(self, value) -> datetime:
        if isinstance(value, str) and len(value.strip()) == 10:
            day = serializers.DateField().to_internal_value(value.strip())
            return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
        return super().to_internal_value(value)


@extend_schema_serializer(component_name="AssignmentLesson")
class AssignmentLessonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    title_vi = serializers.CharField()


@extend_schema_serializer(component_name="AssignmentOutput")
class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    class_id = serializers.IntegerField(source="classroom_id")
    lesson = AssignmentLessonSerializer()
    due = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class ClassAssignmentsApi(LearnerApi):
    """The class's assignments (its teacher only). ``POST`` assigns a published lesson by a
    due date (a date alone means the end of that day); assigning it again moves the date
    (200 instead of 201)."""

    @extend_schema_serializer(component_name="AssignmentInput")
    class InputSerializer(serializers.Serializer):
        lesson = LessonIdField(help_text="A published lesson's id.")
        due = DueField()

    @extend_schema(responses={200: AssignmentSerializer(many=True), **learner_errors(401, 404)})
    def get(self, request: Request, pk: str) -> Response:
        classroom = taught_or_404(request, pk)
        rows = classroom.assignments.select_related("lesson").order_by("due", "pk")
        return Response(AssignmentSerializer(rows, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: AssignmentSerializer,
            200: AssignmentSerializer,
            **learner_errors(400, 401, 403, 404),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        classroom = taught_or_404(request, pk)
        form = self.InputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        assignment, created = assignment_set(classroom, **form.validated_data)
        return Response(
            AssignmentSerializer(assignment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class LearnerAssignmentsApi(LearnerApi):
    """The assignments of every class the caller is in: what is left to do first (soonest
    due first), then what is done. ``state`` is ``not_started``, ``in_progress`` or ``done``
    (the lesson's completion rule: every contrast of the lesson answered right)."""

    @extend_schema_serializer(component_name="LearnerAssignment")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="assignment.pk")
        class_id = serializers.IntegerField(source="assignment.classroom_id")
        class_name = serializers.CharField(source="assignment.classroom.name")
        lesson = AssignmentLessonSerializer(source="assignment.lesson")
        due = serializers.DateTimeField(source="assignment.due")
        state = serializers.ChoiceField(choices=["not_started", "in_progress", "done"])
        overdue = serializers.BooleanField()

    @extend_schema(responses={200: OutputSerializer(many=True), **learner_errors(401)})
    def get(self, request: Request) -> Response:
        rows = assignments_for_learner(request.user)
        return Response(self.OutputSerializer(rows, many=True).data)
