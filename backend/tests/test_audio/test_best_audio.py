"""Which stored audio is the best for a phoneme: pinned, then the acoustic verdict, then the
tier, then the voice order, the newest first; one query for the whole chart."""

from datetime import timedelta

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from apps.curriculum.audio.playback import audio_best_for_phonemes
from apps.curriculum.models import AcousticVerdict, AudioSource, Phoneme
from apps.curriculum.selectors import phonemes_for_chart
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme
from tests.hermetic import EDGE_OFFLINE, ESPEAK

NATIVE = AudioSource.SourceType.NATIVE
TTS = AudioSource.SourceType.TTS
GENERATED = AudioSource.SourceType.GENERATED


class FallbackOrderTests(TempMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.phoneme = make_phoneme("ɜː")

    def test_no_audio_gives_none(self):
        self.assertIsNone(self.phoneme.get_audio())

    def test_native_beats_cached_tts(self):
        native = make_audio(self.phoneme, NATIVE)
        make_audio(self.phoneme, TTS, expires_in_days=30)
        self.assertEqual(self.phoneme.get_audio(), native)

    def test_cached_tts_is_used_without_native(self):
        tts = make_audio(self.phoneme, TTS, expires_in_days=30)
        self.assertEqual(self.phoneme.get_audio(), tts)

    def test_expired_tts_is_not_used(self):
        make_audio(self.phoneme, TTS, expires_in_days=-1)
        self.assertIsNone(self.phoneme.get_audio())

    def test_on_demand_audio_is_left_to_the_audio_service(self):
        make_audio(self.phoneme, GENERATED, expires_in_days=1)
        self.assertIsNone(self.phoneme.get_audio())

    def test_newest_native_recording_first(self):
        make_audio(self.phoneme, NATIVE, voice_id="older")
        newer = make_audio(self.phoneme, NATIVE, voice_id="newer")
        self.assertEqual(self.phoneme.get_audio(), newer)

    def test_word_audio_is_not_phoneme_audio(self):
        make_audio(self.phoneme, NATIVE, word="bird")
        self.assertIsNone(self.phoneme.get_audio())

    def test_language_filter(self):
        us = make_audio(self.phoneme, TTS, language="en-US", voice_id="us")
        uk = make_audio(self.phoneme, TTS, language="en-GB", voice_id="uk")
        self.assertEqual(
            audio_best_for_phonemes([self.phoneme], language="en-GB")[self.phoneme.pk], uk
        )
        self.assertEqual(
            audio_best_for_phonemes([self.phoneme], language="en-US")[self.phoneme.pk], us
        )
        self.assertIsNone(
            audio_best_for_phonemes([self.phoneme], language="en-AU")[self.phoneme.pk]
        )

    def test_pinned_source_of_another_phoneme_is_ignored(self):
        other = make_phoneme("ɔː")
        foreign = make_audio(other, NATIVE)
        own = make_audio(self.phoneme, TTS)
        Phoneme.objects.filter(pk=self.phoneme.pk).update(preferred_audio_source=foreign)
        self.phoneme.refresh_from_db()
        self.assertEqual(self.phoneme.get_audio(), own)

    def test_selector_can_include_on_demand_audio(self):
        generated = make_audio(self.phoneme, GENERATED, expires_in_days=1)
        best = audio_best_for_phonemes([self.phoneme], source_types=[NATIVE, TTS, GENERATED])
        self.assertEqual(best[self.phoneme.pk], generated)


class ChartQueryCountTests(TempMediaMixin, TestCase):
    """Resolving the chart's audio costs the same few queries at any size."""

    def build(self, count: int) -> None:
        category = make_category()
        start = Phoneme.objects.count()
        for index in range(start, start + count):
            phoneme = make_phoneme(f"p{index}", category=category)
            make_audio(phoneme, TTS, expires_in_days=30)
            make_audio(phoneme, NATIVE)
            if index % 3 == 0:
                pinned = make_audio(phoneme, NATIVE, voice_id="pinned")
                phoneme.preferred_audio_source = pinned
                phoneme.save()

    def resolve_chart(self) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            phonemes = list(phonemes_for_chart())
            best = audio_best_for_phonemes(phonemes)
            rendered = [(str(p), p.category.name, str(best[p.pk])) for p in phonemes]
        self.assertEqual(len(rendered), len(phonemes))
        return len(queries), best

    def test_query_count_does_not_grow_with_phonemes(self):
        self.build(44)
        queries_44, best_44 = self.resolve_chart()
        self.build(44)
        queries_88, best_88 = self.resolve_chart()
        self.assertEqual(len(best_44), 44)
        self.assertEqual(len(best_88), 88)
        self.assertEqual(queries_44, 2)
        self.assertEqual(queries_88, 2)
        self.assertTrue(all(source.is_native() for source in best_88.values()))


# The shipped engines' names, so stored rows can say which engine made them.
VOICES = override_settings(
    PHATAM_TTS_ENGINES={"edge": EDGE_OFFLINE, "espeak": ESPEAK},
    PHATAM_VOICES={"en-US": ["edge:en-US-AriaNeural", "espeak:en-us"]},
)


class VoiceOrderTests(TempMediaMixin, TestCase):
    """Within a tier, the voice PHATAM_VOICES lists first for the language wins."""

    @classmethod
    def setUpTestData(cls):
        cls.phoneme = make_phoneme("iː", example_words=[{"word": "see", "ipa": "/siː/"}])

    @VOICES
    def test_a_neural_voice_listed_first_beats_a_newer_espeak_file(self):
        neural = make_audio(
            self.phoneme, TTS, word="see", voice_id="en-US-AriaNeural", engine="edge-tts"
        )
        make_audio(self.phoneme, TTS, word="see", voice_id="en-us", engine="espeak-ng")
        best = audio_best_for_phonemes([self.phoneme], language="en-US", word="see")
        self.assertEqual(best[self.phoneme.pk], neural)

    @VOICES
    def test_a_voice_is_known_by_its_engine_and_its_id(self):
        # Same voice id, another engine: not the voice listed first.
        make_audio(self.phoneme, TTS, word="see", voice_id="en-US-AriaNeural", engine="other")
        espeak = make_audio(self.phoneme, TTS, word="see", voice_id="en-us", engine="espeak-ng")
        AudioSource.objects.filter(pk=espeak.pk).update(
            created_at=espeak.created_at - timedelta(hours=1)
        )
        best = audio_best_for_phonemes([self.phoneme], language="en-US", word="see")
        self.assertEqual(best[self.phoneme.pk], espeak)

    @VOICES
    def test_a_passed_acoustic_check_outranks_the_voice_order(self):
        make_audio(
            self.phoneme, TTS, voice_id="en-US-AriaNeural", engine="edge-tts",
            acoustic_verdict=AcousticVerdict.FAILED, acoustic_heard_as="ɪ",
        )  # fmt: skip
        checked = make_audio(
            self.phoneme, TTS, voice_id="en-us", engine="espeak-ng",
            acoustic_verdict=AcousticVerdict.PASSED,
        )  # fmt: skip
        best = audio_best_for_phonemes([self.phoneme], language="en-US")
        self.assertEqual(best[self.phoneme.pk], checked)
