"""A learner's stored recordings (vowels and words): deleted by their learner, played back
to their learner and staff. Each kind's API names the selector that finds its rows."""

from collections.abc import Callable

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import database_id
from apps.practice.api.base import AnyAcceptNegotiation, LearnerApi, learner_errors
from apps.practice.services import learner_recording_bytes, learner_recording_delete


class LearnerRecordingApi(LearnerApi):
    """Base of the recording views: ``recording_get(user, pk, *, staff_too)`` finds a row."""

    recording_get: Callable

    def recording_or_404(self, request: Request, pk: str, *, staff_too: bool = False):
        row_id = database_id(pk)
        recording = (
            self.recording_get(request.user, row_id, staff_too=staff_too)
            if row_id is not None
            else None
        )
        if recording is None:
            raise NotFound(f"No recording {pk}.")
        return recording


class LearnerRecordingDeleteApi(LearnerRecordingApi):
    @extend_schema(responses={204: None, **learner_errors(401, 403, 404)})
    def delete(self, request: Request, pk: str) -> Response:
        learner_recording_delete(self.recording_or_404(request, pk))
        return Response(status=204)


class LearnerRecordingAudioApi(LearnerRecordingApi):
    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        responses={
            (200, "audio/mpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The audio."),
            **learner_errors(401, 404),
        }
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        recording = self.recording_or_404(request, pk, staff_too=True)
        data = learner_recording_bytes(recording)
        if data is None:
            raise NotFound("Bản ghi đã hết hạn và được xoá (the recording has expired).")
        response = HttpResponse(data, content_type=recording.content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
