"""Every clip says who or what made it: in the chart's API (``audio.provenance``) and in the
admin's Audio Sources."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import TestCase

from apps.curriculum.audio.provenance import audio_provenance
from apps.curriculum.models import AudioSource
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme, make_user

NATIVE = {
    "speaker_name": "Lan", "speaker_gender": "female", "speaker_accent": "RP",
    "licence": "CC-BY-4.0", "recorded_date": "2026-11-24",
}  # fmt: skip


class ProvenanceApiTests(TempMediaMixin, TestCase):
    def setUp(self):
        self.long_i = make_phoneme("iː", category=make_category("vowel"))

    def audio(self, accent: str) -> dict:
        phonemes = self.client.get("/api/phonemes/", {"accent": accent}).json()
        return phonemes[0]["audio"]

    def test_a_native_recording_names_its_speaker_date_and_licence(self):
        make_audio(self.long_i, "native", language="en-GB", voice_id="native:Lan", metadata=NATIVE)
        self.assertEqual(
            self.audio("en-GB")["provenance"],
            {
                "kind": "native", "speaker": "Lan", "engine": "", "voice": "",
                "date": "2026-11-24", "licence": "CC-BY-4.0",
                "text_vi": "Giọng thật của Lan (giọng Anh), ghi âm 24/11/2026",
            },
        )  # fmt: skip

    def test_synthesized_audio_names_its_engine_and_voice(self):
        source = make_audio(
            self.long_i, "tts", language="en-US", voice_id="en-us", engine="espeak-ng"
        )
        made = source.created_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
        self.assertEqual(
            self.audio("en-US")["provenance"],
            {
                "kind": "tts", "speaker": "", "engine": "espeak-ng", "voice": "en-us",
                "date": made, "licence": "",
                "text_vi": "Giọng máy eSpeak (Mỹ), tạo tự động",
            },
        )  # fmt: skip

    def test_the_on_demand_answer_carries_the_provenance_too(self):
        source = make_audio(
            self.long_i, "generated", language="en-US", voice_id="en-US-AriaNeural",
            engine="edge-tts",
        )  # fmt: skip
        answer = self.client.get(f"/api/phonemes/{self.long_i.pk}/audio/", {"accent": "en-US"})
        provenance = answer.json()["audio"]["provenance"]
        self.assertEqual(provenance["kind"], "generated")
        self.assertEqual(provenance["text_vi"], "Giọng máy Microsoft Edge (Mỹ), tạo tự động")
        self.assertEqual(source.pk, answer.json()["audio"]["audio_source_id"])

    def test_a_recording_without_speaker_or_date_still_says_what_it_is(self):
        source = make_audio(self.long_i, "native", language="en-US", metadata={})
        source.created_at = datetime(2026, 1, 2, 3, tzinfo=ZoneInfo("UTC"))
        provenance = audio_provenance(source)
        self.assertEqual(
            provenance.text_vi, "Giọng thật của người bản xứ (giọng Mỹ), ghi âm 02/01/2026"
        )
        self.assertEqual(provenance.date, "2026-01-02")

    def test_the_schema_describes_the_provenance(self):
        schema = self.client.get("/api/schema/", {"format": "json"}).json()
        fields = schema["components"]["schemas"]["Provenance"]["properties"]
        self.assertEqual(
            set(fields), {"kind", "speaker", "engine", "voice", "date", "licence", "text_vi"}
        )


class ProvenanceAdminTests(TempMediaMixin, TestCase):
    def test_the_audio_sources_list_and_page_say_who_made_each_clip(self):
        phoneme = make_phoneme("iː", category=make_category("vowel"))
        native = make_audio(phoneme, "native", language="en-GB", metadata=NATIVE)
        make_audio(phoneme, "tts", language="en-US", voice_id="en-us", engine="espeak-ng")
        self.client.force_login(make_user(is_staff=True, is_superuser=True))
        listing = self.client.get("/admin/curriculum/audiosource/")
        self.assertContains(listing, "Made by")
        self.assertContains(listing, "Lan · 2026-11-24 · CC-BY-4.0")
        self.assertContains(listing, "espeak-ng en-us")
        self.assertContains(listing, 'title="Giọng máy eSpeak (Mỹ), tạo tự động"')
        page = self.client.get(f"/admin/curriculum/audiosource/{native.pk}/change/")
        self.assertContains(page, "Giọng thật của Lan (giọng Anh), ghi âm 24/11/2026")
        self.assertEqual(AudioSource.objects.count(), 2)
