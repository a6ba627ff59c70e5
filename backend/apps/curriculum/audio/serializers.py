"""The curriculum's serializer parts other apps' APIs use: the accent parameter, and a
playable file with its provenance."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from apps.curriculum.audio.provenance import audio_provenance
from apps.curriculum.audio.voices import UnknownAccent, accent_validate
from apps.curriculum.models import AudioSource

ACCENT = OpenApiParameter(
    "accent", OpenApiTypes.STR, enum=["en-US", "en-GB"], description="Default en-US."
)


class AccentField(serializers.CharField):
    """An accent of PHATAM_VOICES ("en-US", "en-GB"); empty means the default accent."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        try:
            return accent_validate(value)
        except UnknownAccent as exc:
            raise serializers.ValidationError(str(exc)) from None


class AccentQuery(serializers.Serializer):
    accent = AccentField()

    def validated_accent(self) -> str:
        self.is_valid(raise_exception=True)
        return self.validated_data.get("accent") or accent_validate("")


def accent_from(request) -> str:
    """The request's ``?accent=``, validated (400 otherwise)."""
    return AccentQuery(data=request.query_params).validated_accent()


class ProvenanceSerializer(serializers.Serializer):
    """Who or what made a clip; ``text_vi`` says it to a learner in one short sentence."""

    kind = serializers.ChoiceField(choices=["native", "tts", "generated"])
    speaker = serializers.CharField(help_text="The speaker's name (native recordings).")
    engine = serializers.CharField(help_text="The TTS engine (synthesized audio).")
    voice = serializers.CharField(help_text="The engine's voice (synthesized audio).")
    date = serializers.CharField(help_text="ISO date recorded or generated; may be empty.")
    licence = serializers.CharField()
    text_vi = serializers.CharField()


class AudioSerializer(serializers.Serializer):
    """A playable file: where it is, what it is and who or what made it."""

    url = serializers.CharField(source="get_url")
    source_type = serializers.CharField()
    quality_score = serializers.IntegerField(source="get_quality_score")
    voice_id = serializers.CharField()
    language = serializers.CharField()
    word = serializers.CharField()
    duration = serializers.FloatField(source="audio_duration")
    audio_source_id = serializers.IntegerField(source="pk")
    provenance = serializers.SerializerMethodField()

    @extend_schema_field(ProvenanceSerializer)
    def get_provenance(self, source: AudioSource) -> dict:
        return ProvenanceSerializer(audio_provenance(source)).data
