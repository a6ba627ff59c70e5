"""Counting plays of an audio file (the page calls it when playback starts)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.curriculum.api.common import database_id, errors
from apps.curriculum.audio.playback import audio_source_get, play_record


class PlayView(APIView):
    """Count one play of an audio file; throttled per client (PHATAM_PLAYS_RATE)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "plays"

    class PlayCountSerializer(serializers.Serializer):
        audio_source_id = serializers.IntegerField()
        usage_count = serializers.IntegerField()

    @extend_schema(request=None, responses={200: PlayCountSerializer, **errors(404, 405, 429)})
    def post(self, request: Request, audio_source_id: str) -> Response:
        pk = database_id(audio_source_id)
        source = audio_source_get(pk) if pk is not None else None
        if source is None:
            raise NotFound(f"No audio source with id {audio_source_id}.")
        count = play_record(source)
        return Response(
            self.PlayCountSerializer({"audio_source_id": source.pk, "usage_count": count}).data
        )
