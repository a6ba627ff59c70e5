"""Staff: play analytics (the same numbers as the admin's analytics page)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.curriculum.api.common import errors
from apps.curriculum.audio.analytics import audio_analytics


class PlayedSourceSerializer(serializers.Serializer):
    audio_source_id = serializers.IntegerField(source="pk")
    phoneme = serializers.CharField(source="phoneme.ipa_symbol")
    source_type = serializers.CharField()
    voice_id = serializers.CharField()
    word = serializers.CharField()
    usage_count = serializers.SerializerMethodField()
    last_accessed_at = serializers.SerializerMethodField()

    def get_usage_count(self, source) -> int:
        cache = getattr(source, "cache", None)
        return cache.usage_count if cache is not None else 0

    def get_last_accessed_at(self, source) -> str | None:
        cache = getattr(source, "cache", None)
        return (
            serializers.DateTimeField().to_representation(cache.last_accessed_at) if cache else None
        )


class SourceTypeShareSerializer(serializers.Serializer):
    source_type = serializers.CharField()
    label = serializers.CharField()
    files = serializers.IntegerField()
    bytes = serializers.IntegerField()
    plays = serializers.IntegerField()
    share = serializers.FloatField()


class PhonemePlaysSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ipa_symbol = serializers.CharField()
    plays = serializers.IntegerField()


class AnalyticsView(APIView):
    permission_classes = [IsAdminUser]

    class AnalyticsSerializer(serializers.Serializer):
        total_plays = serializers.IntegerField()
        total_bytes = serializers.IntegerField()
        by_type = SourceTypeShareSerializer(many=True)
        most_played = PlayedSourceSerializer(many=True)
        never_played_count = serializers.IntegerField()
        unused = PlayedSourceSerializer(many=True)
        cleanup_would_remove = serializers.IntegerField()
        plays_per_phoneme = PhonemePlaysSerializer(many=True, source="per_phoneme")

    @extend_schema(responses={200: AnalyticsSerializer, **errors(403)})
    def get(self, request: Request) -> Response:
        return Response(self.AnalyticsSerializer(audio_analytics()).data)
