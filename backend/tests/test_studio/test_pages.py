"""The studio's pages: who may see them, the profile asked on the first visit, the 44
phonemes of an accent with their audio, and the progress of the native recordings."""

from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from apps.curriculum.models import Phoneme, PhonemeCategory
from apps.studio.models import StudioProfile
from tests.factories import make_audio, make_phoneme, make_user
from tests.test_studio.helpers import StudioDirsMixin, make_staff


class StudioAccessTests(TestCase):
    def test_anonymous_visitors_are_sent_to_the_admin_login(self):
        response = self.client.get("/studio/?accent=en-GB")
        self.assertRedirects(
            response, "/admin/login/?next=/studio/%3Faccent%3Den-GB", fetch_redirect_response=False
        )

    def test_logged_in_learners_are_refused_without_a_traceback_in_the_log(self):
        self.client.force_login(make_user())
        for url in ("/studio/", "/studio/profile/"):
            with self.subTest(url), self.assertLogs("django.request", "WARNING") as logs:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 403)
            self.assertIn("giáo viên", response.content.decode())
            self.assertEqual([record.exc_info for record in logs.records], [None])

    def test_staff_see_the_studio(self):
        self.client.force_login(make_staff())
        self.assertEqual(self.client.get("/studio/").status_code, 200)

    def test_an_unknown_accent_goes_to_the_studio_without_it(self):
        self.client.force_login(make_staff())
        response = self.client.get("/studio/?accent=fr-FR")
        self.assertRedirects(response, "/studio/", fetch_redirect_response=False)


class StudioProfileTests(TestCase):
    def setUp(self):
        self.staff = make_user(is_staff=True)
        self.client.force_login(self.staff)

    def test_the_first_visit_asks_for_the_profile_once(self):
        response = self.client.get("/studio/?accent=en-GB")
        self.assertRedirects(
            response, "/studio/profile/?next=%2Fstudio%2F%3Faccent%3Den-GB",
            fetch_redirect_response=False,
        )  # fmt: skip
        form = self.client.get(response["Location"])
        self.assertContains(form, 'name="speaker_name"')
        saved = self.client.post(
            "/studio/profile/",
            {
                "speaker_name": " Lan ", "gender": "female", "speaker_accent": "Southern British",
                "licence": "CC-BY-4.0", "next": "/studio/?accent=en-GB",
            },
        )  # fmt: skip
        self.assertRedirects(saved, "/studio/?accent=en-GB", fetch_redirect_response=False)
        profile = StudioProfile.objects.get(user=self.staff)
        self.assertEqual(
            (profile.speaker_name, profile.gender, profile.speaker_accent, profile.licence),
            ("Lan", "female", "Southern British", "CC-BY-4.0"),
        )
        self.assertEqual(self.client.get("/studio/?accent=en-GB").status_code, 200)

    def test_the_profile_can_be_changed_and_stays_one_per_user(self):
        make_staff_profile = {"speaker_name": "Lan", "gender": "female", "licence": "owned"}
        self.client.post("/studio/profile/", make_staff_profile)
        self.client.post("/studio/profile/", {**make_staff_profile, "speaker_name": "Lan N."})
        self.assertEqual(StudioProfile.objects.get(user=self.staff).speaker_name, "Lan N.")
        self.assertEqual(StudioProfile.objects.count(), 1)

    def test_bad_values_are_refused_and_nothing_is_saved(self):
        response = self.client.post(
            "/studio/profile/", {"speaker_name": "", "gender": "robot", "licence": "mine"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            set(response.context["form"].errors), {"speaker_name", "gender", "licence"}
        )
        self.assertFalse(StudioProfile.objects.exists())

    def test_next_may_not_lead_to_another_site(self):
        response = self.client.post(
            "/studio/profile/",
            {"speaker_name": "Lan", "gender": "female", "licence": "owned",
             "next": "https://evil.example/"},
        )  # fmt: skip
        self.assertRedirects(response, "/studio/", fetch_redirect_response=False)


class StudioPageTests(StudioDirsMixin, TestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_curriculum", stdout=StringIO())
        self.client.force_login(make_staff(name="Lan", gender="female"))
        self.long_i = Phoneme.objects.get(ipa_symbol="iː")
        self.short_i = Phoneme.objects.get(ipa_symbol="ɪ")

    def rows(self, accent: str = "en-US") -> list[str]:
        html = self.client.get("/studio/", {"accent": accent}).content.decode()
        return html.split('class="phoneme-row')[1:]

    def test_the_44_phonemes_come_in_chart_order_with_what_a_teacher_needs(self):
        response = self.client.get("/studio/", {"accent": "en-US"})
        rows = response.content.decode().split('class="phoneme-row')[1:]
        self.assertEqual(len(rows), 44)
        chart_order = list(Phoneme.objects.chart_order().values_list("ipa_symbol", flat=True))
        self.assertEqual([r.split('data-ipa="')[1].split('"')[0] for r in rows], chart_order)
        first = rows[0]
        self.assertIn(self.long_i.description_vi[:20], first)
        self.assertIn(self.long_i.example_words[0]["word"], first)
        self.assertIn('data-action="record"', first)
        for action in ("record", "stop", "next"):
            self.assertContains(response, f'data-action="{action}"')
        self.assertContains(response, "studio/studio.js")
        self.assertNotContains(response, "<script>")  # no inline script (CSP)
        self.assertNotContains(response, " onclick=")

    def test_us_symbols_and_words_are_shown_in_the_us_accent(self):
        goat = next(r for r in self.rows("en-US") if 'data-ipa="əʊ"' in r)
        self.assertIn("/oʊ/", goat)
        goat_uk = next(r for r in self.rows("en-GB") if 'data-ipa="əʊ"' in r)
        self.assertIn("/əʊ/", goat_uk)

    def test_each_row_says_how_its_current_audio_sounds(self):
        make_audio(self.long_i, "tts", language="en-US", voice_id="en-us", engine="espeak-ng")
        make_audio(
            self.short_i, "native", language="en-US", voice_id="native:Tom",
            metadata={"speaker_name": "Tom", "recorded_date": "2026-11-24"},
        )  # fmt: skip
        rows = self.rows("en-US")
        self.assertIn("Giọng máy eSpeak (Mỹ), tạo tự động", rows[0])
        self.assertIn('data-tier="tts"', rows[0])
        self.assertIn("<audio controls", rows[0])
        self.assertIn("Giọng thật của Tom (giọng Mỹ), ghi âm 24/11/2026", rows[1])
        self.assertIn("Chưa có tệp", rows[2])

    def test_progress_counts_native_recordings_per_accent_and_names_the_failing(self):
        make_audio(self.long_i, "native", language="en-US", acoustic_verdict="passed")
        make_audio(
            self.short_i, "native", language="en-US", acoustic_verdict="failed",
            acoustic_heard_as="iː",
        )  # fmt: skip
        make_audio(self.long_i, "native", language="en-GB", acoustic_verdict="passed")
        make_audio(self.long_i, "tts", language="en-GB", voice_id="en-gb-x-rp")
        response = self.client.get("/studio/", {"accent": "en-US"})
        us, gb = response.context["chart"].progress
        self.assertEqual((us.accent, us.recorded, us.total), ("en-US", 2, 44))
        self.assertEqual([p.ipa_symbol for p in us.failing], ["ɪ"])
        self.assertEqual(us.next_missing.ipa_symbol, Phoneme.objects.chart_order()[2].ipa_symbol)
        self.assertEqual((gb.accent, gb.recorded, gb.failing), ("en-GB", 1, []))
        self.assertContains(response, '<span class="recorded">2</span>/<span class="total">44')
        html = response.content.decode()
        self.assertIn('data-natives="1" data-native-verdict="failed"', html)

    def test_the_page_costs_the_same_queries_for_44_and_88_phonemes(self):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get("/studio/").status_code, 200)
            return len(captured)

        for phoneme in Phoneme.objects.all()[:10]:
            make_audio(phoneme, "native", language="en-US")
        at_44 = queries()
        category = PhonemeCategory.objects.first()
        for n in range(44):
            phoneme = make_phoneme(f"q{n}", category=category)
            make_audio(phoneme, "native", language="en-GB")
        self.assertEqual(Phoneme.objects.count(), 88)
        self.assertEqual(queries(), at_44)
