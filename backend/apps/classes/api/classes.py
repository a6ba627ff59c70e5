"""Classes: a teacher creates them, learners join with the code, leave, and share their
recordings with the teacher if they choose; the teacher removes learners."""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from apps.classes.api.base import refusal, taught_or_404
from apps.classes.selectors import classrooms_joined, classrooms_taught
from apps.classes.services import (
    ClassError,
    classroom_create,
    classroom_join,
    consent_set,
    member_remove,
    membership_leave,
)
from apps.core.api import database_id
from apps.practice.api.base import LearnerApi, learner_errors


@extend_schema_serializer(component_name="ClassOutput")
class ClassSerializer(serializers.Serializer):
    """A class as its teacher or one of its learners sees it in a list."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    join_code = serializers.CharField()
    role = serializers.ChoiceField(
        choices=["teacher", "learner"], help_text="The caller's place in the class."
    )
    teacher = serializers.CharField(help_text="The teacher's username.")
    member_count = serializers.IntegerField(
        allow_null=True, help_text="Learners in the class (for its teacher only)."
    )
    share_recordings = serializers.BooleanField(
        allow_null=True, help_text="Whether the caller shares recordings (learners only)."
    )


def _taught(classroom) -> dict:
    return {
        "id": classroom.pk,
        "name": classroom.name,
        "join_code": classroom.join_code,
        "role": "teacher",
        "teacher": classroom.teacher.get_username(),
        "member_count": getattr(classroom, "member_count", None),
        "share_recordings": None,
    }


def _joined(membership) -> dict:
    classroom = membership.classroom
    return {
        "id": classroom.pk,
        "name": classroom.name,
        "join_code": classroom.join_code,
        "role": "learner",
        "teacher": classroom.teacher.get_username(),
        "member_count": None,
        "share_recordings": membership.share_recordings,
    }


class ClassListApi(LearnerApi):
    """``GET``: the classes the caller teaches, then the ones they joined. ``POST`` (teachers
    only: the ``teachers`` group, or staff): a new class with its join code."""

    @extend_schema_serializer(component_name="ClassCreateInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    @extend_schema_serializer(component_name="ClassCreateOutput")
    class CreatedSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        join_code = serializers.CharField()

    @extend_schema(responses={200: ClassSerializer(many=True), **learner_errors(401)})
    def get(self, request: Request) -> Response:
        taught = classrooms_taught(request.user).select_related("teacher")
        rows = [_taught(c) for c in taught] + [_joined(m) for m in classrooms_joined(request.user)]
        return Response(ClassSerializer(rows, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: CreatedSerializer, **learner_errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        form = self.InputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            classroom = classroom_create(request.user, name=form.validated_data["name"])
        except ClassError as exc:
            raise refusal(exc) from None
        return Response(self.CreatedSerializer(classroom).data, status=status.HTTP_201_CREATED)


class ClassJoinApi(LearnerApi):
    """Join the class whose code is ``code`` (case and spaces do not matter; joining twice
    is harmless). 404 for a code no class has."""

    @extend_schema_serializer(component_name="ClassJoinInput")
    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=40)

    @extend_schema(
        request=InputSerializer,
        responses={200: ClassSerializer, **learner_errors(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        form = self.InputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            membership = classroom_join(request.user, code=form.validated_data["code"])
        except ClassError as exc:
            raise refusal(exc) from None
        return Response(ClassSerializer(_joined(membership)).data)


class ClassDetailApi(LearnerApi):
    """A class for its teacher: its code and learners. ``DELETE`` ends the class (its
    memberships, consents and assignments go with it; learners keep their own practice)."""

    @extend_schema_serializer(component_name="ClassMember")
    class MemberSerializer(serializers.Serializer):
        user_id = serializers.IntegerField()
        username = serializers.CharField(source="user.username")
        joined_at = serializers.DateTimeField()
        share_recordings = serializers.BooleanField()

    @extend_schema_serializer(component_name="ClassDetailOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        join_code = serializers.CharField()
        created_at = serializers.DateTimeField()
        members = serializers.SerializerMethodField()

        def get_members(self, classroom) -> list[dict]:
            memberships = classroom.memberships.select_related("user").order_by("user__username")
            return ClassDetailApi.MemberSerializer(memberships, many=True).data

    @extend_schema(responses={200: OutputSerializer, **learner_errors(401, 404)})
    def get(self, request: Request, pk: str) -> Response:
        return Response(self.OutputSerializer(taught_or_404(request, pk)).data)

    @extend_schema(responses={204: None, **learner_errors(401, 403, 404)})
    def delete(self, request: Request, pk: str) -> Response:
        taught_or_404(request, pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipMeApi(LearnerApi):
    """Leave the class. Sharing with its teacher stops with it."""

    @extend_schema(responses={204: None, **learner_errors(401, 403, 404)})
    def delete(self, request: Request, pk: str) -> Response:
        row_id = database_id(pk)
        if row_id is None:
            raise NotFound(f"Không có lớp {pk} (no such class).")
        try:
            membership_leave(request.user, row_id)
        except ClassError as exc:
            raise refusal(exc) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsentApi(LearnerApi):
    """Whether the class's teacher may hear the caller's recent recordings (with the app's
    verdict). Off until the learner turns it on; ``PUT`` with ``false`` revokes it."""

    @extend_schema_serializer(component_name="ClassConsent")
    class ConsentSerializer(serializers.Serializer):
        share_recordings = serializers.BooleanField()

    def _membership(self, request: Request, pk: str):
        row_id = database_id(pk)
        membership = (
            classrooms_joined(request.user).filter(classroom_id=row_id).first()
            if row_id is not None
            else None
        )
        if membership is None:
            raise NotFound("Bạn không ở trong lớp này (you are not in this class).")
        return membership

    @extend_schema(responses={200: ConsentSerializer, **learner_errors(401, 404)})
    def get(self, request: Request, pk: str) -> Response:
        return Response(self.ConsentSerializer(self._membership(request, pk)).data)

    @extend_schema(
        request=ConsentSerializer,
        responses={200: ConsentSerializer, **learner_errors(400, 401, 403, 404)},
    )
    def put(self, request: Request, pk: str) -> Response:
        membership = self._membership(request, pk)
        form = self.ConsentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        membership = consent_set(
            request.user, membership.classroom_id, share=form.validated_data["share_recordings"]
        )
        return Response(self.ConsentSerializer(membership).data)


class MemberApi(LearnerApi):
    """The teacher takes a learner out of the class."""

    @extend_schema(responses={204: None, **learner_errors(401, 403, 404)})
    def delete(self, request: Request, pk: str, user_id: str) -> HttpResponse:
        classroom = taught_or_404(request, pk)
        row_id = database_id(user_id)
        try:
            if row_id is None:
                raise NotFound(f"Không có học viên {user_id} (no such learner).")
            member_remove(classroom, row_id)
        except ClassError as exc:
            raise refusal(exc) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
