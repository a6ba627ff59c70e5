from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.curriculum.models import AudioSource, MinimalPair, Phoneme, PhonemeCategory


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = PhonemeCategory
        fields = ["id", "name", "name_vi", "category_type", "order"]


class AudioSerializer(serializers.Serializer):
    """A playable file: where it is and what it is."""

    url = serializers.CharField(source="get_url")
    source_type = serializers.CharField()
    quality_score = serializers.IntegerField(source="get_quality_score")
    voice_id = serializers.CharField()
    language = serializers.CharField()
    word = serializers.CharField()
    duration = serializers.FloatField(source="audio_duration")
    audio_source_id = serializers.IntegerField(source="pk")


class WebSpeechSerializer(serializers.Serializer):
    """What the browser's speech synthesis says when no file can be had: a word, never IPA."""

    text = serializers.CharField()
    lang = serializers.CharField()


class ExampleWordSerializer(serializers.Serializer):
    word = serializers.CharField()
    ipa = serializers.CharField()


class PhonemeSerializer(serializers.ModelSerializer):
    """A phoneme with the best stored audio for the requested accent.

    The view puts ``best_audio`` ({phoneme pk: AudioSource or None}) and ``accent`` in the
    context, so the whole list costs the same few queries.
    """

    category = CategorySerializer()
    example_words = ExampleWordSerializer(many=True)
    audio = serializers.SerializerMethodField()
    web_speech = serializers.SerializerMethodField()

    class Meta:
        model = Phoneme
        fields = [
            "id",
            "ipa_symbol",
            "us_ipa_symbol",
            "category",
            "vietnamese_approx",
            "description_vi",
            "tip_vi",
            "accent_notes",
            "is_voiced",
            "example_words",
            "order",
            "audio",
            "web_speech",
        ]

    def _source(self, phoneme: Phoneme) -> AudioSource | None:
        return self.context["best_audio"].get(phoneme.pk)

    @extend_schema_field(AudioSerializer(allow_null=True))
    def get_audio(self, phoneme: Phoneme) -> dict | None:
        source = self._source(phoneme)
        return AudioSerializer(source).data if source is not None else None

    @extend_schema_field(WebSpeechSerializer(allow_null=True))
    def get_web_speech(self, phoneme: Phoneme) -> dict | None:
        if self._source(phoneme) is not None:
            return None
        text = next((item["word"] for item in phoneme.example_words), "")
        return {"text": text, "lang": self.context["accent"]}


class AudioAnswerSerializer(serializers.Serializer):
    """Which tier answered (native, tts, generated or web_speech), why, and what to play."""

    tier = serializers.CharField()
    reason = serializers.CharField()
    audio = AudioSerializer(source="source", allow_null=True)
    web_speech = WebSpeechSerializer(allow_null=True)


class MinimalPairSerializer(serializers.ModelSerializer):
    phoneme_1 = serializers.SlugRelatedField(slug_field="ipa_symbol", read_only=True)
    phoneme_2 = serializers.SlugRelatedField(slug_field="ipa_symbol", read_only=True)
    phoneme_1_id = serializers.IntegerField(read_only=True)
    phoneme_2_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = MinimalPair
        fields = [
            "id",
            "phoneme_1",
            "phoneme_1_id",
            "word_1",
            "word_1_ipa",
            "phoneme_2",
            "phoneme_2_id",
            "word_2",
            "word_2_ipa",
            "note_vi",
        ]


class PlayCountSerializer(serializers.Serializer):
    audio_source_id = serializers.IntegerField()
    usage_count = serializers.IntegerField()
