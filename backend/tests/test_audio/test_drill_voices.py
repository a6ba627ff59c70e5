"""The listening drills' pool of voices: configured per accent, pre-generated with the rest."""

from io import StringIO

import numpy as np
import parselmouth
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase, override_settings

from apps.curriculum.audio.voices import drill_voices_for, voice_made
from apps.curriculum.models import AudioSource, MinimalPair
from speech.decoding import decode_bytes
from speech.tts.base import SynthesisRequest
from speech.tts.espeak import ESpeakEngine
from tests.factories import TempMediaMixin, make_category, make_phoneme
from tests.hermetic import EDGE_OFFLINE, LOCMEM, real_espeak


class DrillVoicePoolTests(SimpleTestCase):
    def test_each_accent_has_at_least_three_offline_voices_of_both_sexes(self):
        for accent in settings.PHATAM_VOICES:
            with self.subTest(accent):
                offline = [v for v in drill_voices_for(accent) if v.voice.engine == "espeak"]
                self.assertGreaterEqual(len(offline), 3)
                self.assertEqual({v.sex for v in offline}, {"female", "male"})
                self.assertEqual(len({v.key for v in offline}), len(offline))

    def test_online_voices_are_at_least_three_per_accent_of_both_sexes_when_configured(self):
        for accent in settings.PHATAM_VOICES:
            online = [v for v in drill_voices_for(accent) if v.voice.engine == "edge"]
            if online:
                self.assertGreaterEqual(len(online), 3)
                self.assertEqual({v.sex for v in online}, {"female", "male"})

    def test_the_feedback_names_a_voice_in_vietnamese(self):
        labels = {v.key: v.label_vi for v in drill_voices_for("en-US")}
        self.assertEqual(labels["espeak:en-us+f3"], "eSpeak f3 (giọng nữ, máy đọc)")
        if "edge:en-US-GuyNeural" in labels:
            self.assertEqual(labels["edge:en-US-GuyNeural"], "Guy (giọng nam, máy đọc)")

    @override_settings(PHATAM_DRILL_VOICES={"en-US": [("espeak:en-us", "robot")]})
    def test_a_bad_entry_is_a_configuration_error(self):
        with self.assertRaises(ImproperlyConfigured):
            drill_voices_for("en-US")

    def test_files_of_a_drill_voice_belong_to_a_configured_voice(self):
        voice = voice_made(language="en-US", engine="locmem", voice_id="en-us+f3")
        self.assertIsNotNone(voice)
        self.assertEqual(voice.key, "espeak:en-us+f3")


@override_settings(
    PHATAM_VOICES={"en-US": ["espeak:en-us"]},
    PHATAM_TTS_ENGINES={"espeak": LOCMEM, "edge": EDGE_OFFLINE},
    PHATAM_DRILL_VOICES={
        "en-US": [
            ("edge:en-US-AriaNeural", "female"),
            ("espeak:en-us", "male"),
            ("espeak:en-us+f3", "female"),
            ("espeak:en-us+m3", "male"),
        ]
    },
)
class GenerateDrillVoicesTests(TempMediaMixin, TestCase):
    def setUp(self):
        category = make_category()
        see, sit = [{"word": "see", "ipa": "siː"}], [{"word": "sit", "ipa": "sɪt"}]
        long_i = make_phoneme("iː", category=category, example_words=see)
        short_i = make_phoneme("ɪ", category=category, example_words=sit)
        MinimalPair.objects.create(
            phoneme_1=long_i, phoneme_2=short_i, word_1="sheep", word_1_ipa="ʃiːp",
            word_2="ship", word_2_ipa="ʃɪp",
        )  # fmt: skip

    def test_pair_words_are_pregenerated_in_every_drill_voice_and_offline_ones_are_skipped(self):
        out = StringIO()
        call_command("generate_audio", stdout=out, stderr=StringIO())

        pair_words = AudioSource.objects.filter(word__in=["sheep", "ship"])
        self.assertEqual(
            set(pair_words.values_list("word", "voice_id")),
            {(w, v) for w in ("sheep", "ship") for v in ("en-us", "en-us+f3", "en-us+m3")},
        )
        self.assertIn("2 skipped offline", out.getvalue())
        self.assertIn("skipped (no connection", out.getvalue())
        self.assertIn("edge:en-US-AriaNeural", out.getvalue())
        # Example words stay in the fallback chain's voices only.
        self.assertEqual(
            set(AudioSource.objects.filter(word="see").values_list("voice_id", flat=True)),
            {"en-us"},
        )


@real_espeak
class ESpeakVariantTests(SimpleTestCase):
    """The offline floor is real: eSpeak NG's variants are different voices, of both sexes."""

    def test_every_offline_drill_voice_says_a_word_women_higher_than_men(self):
        engine = ESpeakEngine()
        for accent in settings.PHATAM_VOICES:
            pitches: dict[str, list[float]] = {"female": [], "male": []}
            for drill_voice in drill_voices_for(accent):
                if drill_voice.voice.engine != "espeak":
                    continue
                with self.subTest(drill_voice.key):
                    result = engine.synthesize(
                        SynthesisRequest(voice=drill_voice.voice, ipa="ʃɪp", word="ship")
                    )
                    info = decode_bytes(result.audio)
                    pitch = parselmouth.Sound(info.samples, info.sample_rate).to_pitch()
                    voiced = pitch.selected_array["frequency"]
                    pitches[drill_voice.sex].append(float(np.median(voiced[voiced > 0])))
            self.assertGreater(min(pitches["female"]), max(pitches["male"]) * 1.4, pitches)
