"""Output serializers shared by several API views."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.curriculum.audio.playback import web_speech_for
from apps.curriculum.audio.serializers import AudioSerializer
from apps.curriculum.models import AudioSource, MinimalPair, Phoneme, PhonemeCategory
from apps.curriculum.selectors import phoneme_symbol_for_accent


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = PhonemeCategory
        fields = ["id", "name", "name_vi", "category_type", "order"]


class WebSpeechSerializer(serializers.Serializer):
    """What the browser's speech synthesis says when no file can be had: a word, never IPA."""

    text = serializers.CharField()
    lang = serializers.CharField()


class ExampleWordSerializer(serializers.Serializer):
    word = serializers.CharField()
    ipa = serializers.CharField(help_text="British IPA.")
    ipa_us = serializers.CharField(
        required=False,
        help_text="General American IPA; absent for a word stored before the curriculum had it.",
    )


class PhonemeSerializer(serializers.ModelSerializer):
    """A phoneme with the best stored audio for the requested accent.

    The view puts ``best_audio`` ({phoneme pk: AudioSource or None}) and ``accent`` in the
    context, so the whole list costs the same few queries.
    """

    category = CategorySerializer()
    example_words = ExampleWordSerializer(many=True)
    display_symbol = serializers.SerializerMethodField()
    audio = serializers.SerializerMethodField()
    web_speech = serializers.SerializerMethodField()

    class Meta:
        model = Phoneme
        fields = [
            "id",
            "ipa_symbol",
            "us_ipa_symbol",
            "display_symbol",
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

    def get_display_symbol(self, phoneme: Phoneme) -> str:
        """The symbol the chart shows in the requested accent (/oʊ/ for /əʊ/ in en-US)."""
        return phoneme_symbol_for_accent(phoneme, accent=self.context["accent"])

    @extend_schema_field(AudioSerializer(allow_null=True))
    def get_audio(self, phoneme: Phoneme) -> dict | None:
        source = self._source(phoneme)
        return AudioSerializer(source).data if source is not None else None

    @extend_schema_field(WebSpeechSerializer(allow_null=True))
    def get_web_speech(self, phoneme: Phoneme) -> dict | None:
        if self._source(phoneme) is not None:
            return None
        return WebSpeechSerializer(web_speech_for(phoneme, accent=self.context["accent"])).data


class AudioAnswerSerializer(serializers.Serializer):
    """Which tier answered (native, tts, generated or web_speech), why, and what to play."""

    tier = serializers.CharField()
    reason = serializers.CharField()
    audio = AudioSerializer(source="source", allow_null=True)
    web_speech = WebSpeechSerializer(allow_null=True)


class MinimalPairSerializer(serializers.ModelSerializer):
    """A minimal pair or drill pair (``kind``), with each word's British and American IPA
    (``word_N_ipa_us`` is empty when the curriculum has no American form)."""

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
            "word_1_ipa_us",
            "word_2_ipa_us",
            "kind",
            "note_vi",
        ]
