"""Play analytics for staff: the numbers (audio_analytics), the admin page that draws them,
GET /api/analytics/, and agreement with what `cleanup_audio` really deletes."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template.defaultfilters import filesizeformat
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from apps.curriculum.audio.analytics import audio_analytics
from apps.curriculum.models import AudioCache, AudioSource, Phoneme
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme, make_user

NATIVE = AudioSource.SourceType.NATIVE
TTS = AudioSource.SourceType.TTS
GENERATED = AudioSource.SourceType.GENERATED
PAGE = reverse("admin:curriculum_audio_analytics")
API = "/api/analytics/"
BAR = re.compile(r'<rect class="bar" data-ipa="([^"]+)" data-plays="(\d+)"([^>]*)>')


def played(source: AudioSource, plays: int, *, size: int = 0, days_ago: float = 0) -> AudioSource:
    AudioCache.objects.create(
        audio_source=source,
        usage_count=plays,
        file_size=size,
        last_accessed_at=timezone.now() - timedelta(days=days_ago),
    )
    return source


def size(number: int) -> str:
    """The page's storage cell (filesizeformat, in the site's language)."""
    return filesizeformat(number).replace("\xa0", " ")


def created_days_ago(source: AudioSource, days: int) -> AudioSource:
    AudioSource.objects.filter(pk=source.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    return source


class TierRows(HTMLParser):
    """The cells of the "by source type" table, by tier: {"native": ["Native…", "2", …]}."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._tier = None

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "tr" and classes.startswith("tier-"):
            self._tier = classes.removeprefix("tier-")
            self.rows[self._tier] = []
        elif tag == "td" and self._tier:
            self.rows[self._tier].append("")

    def handle_endtag(self, tag):
        if tag == "tr":
            self._tier = None

    def handle_data(self, data):
        if self._tier and self.rows[self._tier]:
            self.rows[self._tier][-1] += data.replace("\xa0", " ")


class StaffTestCase(TempMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser(
            "admin", "admin@example.com", "a-long-test-password"
        )

    def setUp(self):
        self.client.force_login(self.admin)

    def page(self):
        response = self.client.get(PAGE)
        self.assertEqual(response.status_code, 200)
        return response


class AnalyticsTests(StaffTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Chart order is category, then order: /p/ is made first but comes last.
        consonants = make_category("consonant", order=2)
        vowels = make_category("vowel", order=1)
        cls.p = make_phoneme("p", category=consonants, order=1)
        cls.long_i = make_phoneme("iː", category=vowels, order=2)
        cls.short_i = make_phoneme("ɪ", category=vowels, order=1)

    def setUp(self):
        super().setUp()
        self.native_i = played(make_audio(self.long_i, NATIVE), 5, size=1000)
        self.tts_i = played(make_audio(self.long_i, TTS, expires_in_days=20), 2, size=300)
        self.tts_short = played(make_audio(self.short_i, TTS, expires_in_days=20), 9, size=400)
        self.generated = played(make_audio(self.short_i, GENERATED, expires_in_days=5), 0, size=50)
        self.native_p = make_audio(self.p, NATIVE)  # no AudioCache row at all

    def test_most_played_comes_first(self):
        data = audio_analytics()
        self.assertEqual(data["most_played"], [self.tts_short, self.native_i, self.tts_i])
        self.assertEqual(audio_analytics(top=2)["most_played"], [self.tts_short, self.native_i])
        response = self.page()
        content = response.content.decode()
        links = [
            reverse("admin:curriculum_audiosource_change", args=[source.pk])
            for source in (self.tts_short, self.native_i, self.tts_i)
        ]
        positions = [content.index(f'href="{link}"') for link in links]
        self.assertEqual(positions, sorted(positions))

    def test_never_played_counts_sources_without_plays_or_without_a_cache_row(self):
        data = audio_analytics()
        self.assertEqual(data["never_played_count"], 2)
        self.assertEqual(set(data["never_played"]), {self.generated, self.native_p})
        self.assertContains(self.page(), "Never played <small>(2)</small>", html=True)

    def test_storage_and_plays_are_summed_by_source_type(self):
        by_type = {row["source_type"]: row for row in audio_analytics()["by_type"]}
        self.assertEqual(
            {tier: (row["files"], row["bytes"], row["plays"]) for tier, row in by_type.items()},
            {"native": (2, 1000, 5), "tts": (2, 700, 11), "generated": (1, 50, 0)},
        )
        self.assertEqual(audio_analytics()["total_bytes"], 1750)
        self.assertEqual(audio_analytics()["total_plays"], 16)
        parser = TierRows()
        parser.feed(self.page().content.decode())
        self.assertEqual(
            {tier: cells[1:] for tier, cells in parser.rows.items()},
            {
                "native": ["2", size(1000), "5", "31 %"],
                "tts": ["2", size(700), "11", "69 %"],
                "generated": ["1", size(50), "0", "0 %"],
            },
        )

    def test_shares_of_plays_sum_to_one(self):
        shares = {row["source_type"]: row["share"] for row in audio_analytics()["by_type"]}
        self.assertAlmostEqual(sum(shares.values()), 1.0)
        self.assertEqual(shares, {"native": 5 / 16, "tts": 11 / 16, "generated": 0.0})

    def test_with_no_plays_every_share_is_zero(self):
        AudioCache.objects.update(usage_count=0)
        data = audio_analytics()
        self.assertEqual([row["share"] for row in data["by_type"]], [0.0, 0.0, 0.0])
        self.assertEqual(data["total_plays"], 0)
        self.assertEqual(data["most_played"], [])
        response = self.page()
        self.assertContains(response, "Nothing played yet.")
        self.assertContains(response, "0 %", count=3)

    def test_plays_per_phoneme_follow_the_chart(self):
        per_phoneme = [(p.ipa_symbol, p.plays) for p in audio_analytics()["per_phoneme"]]
        self.assertEqual(per_phoneme, [("ɪ", 9), ("iː", 7), ("p", 0)])

    def test_the_chart_has_one_bar_per_phoneme_with_its_sources_plays(self):
        bars = BAR.findall(self.page().content.decode())
        self.assertEqual(
            [(ipa, int(plays)) for ipa, plays, _ in bars], [("ɪ", 9), ("iː", 7), ("p", 0)]
        )
        self.assertEqual(len(bars), Phoneme.objects.count())

    def test_the_page_is_linked_from_the_audio_lists(self):
        for changelist in ("audiosource", "audiocache"):
            response = self.client.get(reverse(f"admin:curriculum_{changelist}_changelist"))
            self.assertContains(response, f'href="{PAGE}"')

    def test_the_page_takes_a_constant_number_of_queries(self):
        self.page()
        with self.assertNumQueries(10) as small:
            self.page()
        for number in range(10):
            phoneme = make_phoneme(f"z{number}", category=self.p.category)
            played(make_audio(phoneme, TTS, expires_in_days=20), number + 1, size=10)
        with self.assertNumQueries(len(small.captured_queries)):
            self.page()


class AnalyticsChartTests(StaffTestCase):
    def test_the_bars_stand_on_a_common_baseline(self):
        vowels = make_category("vowel")
        for plays, ipa in [(1, "iː"), (4, "ɪ"), (2, "æ")]:
            played(make_audio(make_phoneme(ipa, category=vowels)), plays)
        bars = BAR.findall(self.page().content.decode())
        attributes = [dict(re.findall(r'(\w+)="([^"]*)"', rest)) for _, _, rest in bars]
        heights = [int(a["height"]) for a in attributes]
        self.assertEqual(heights, [40, 160, 80])  # scaled to the most played
        self.assertEqual([a["y"] for a in attributes if not a["y"]], [], "bars without a y")
        baselines = {float(a["y"]) + float(a["height"]) for a in attributes}
        self.assertEqual(len(baselines), 1, baselines)


class CleanupAgreementTests(StaffTestCase):
    """The page's "would delete" numbers are cleanup_audio's own plan, and then true."""

    def setUp(self):
        super().setUp()
        vowels = make_category("vowel")
        ipas = ["iː", "ɪ", "e", "æ", "ʌ", "ɑː", "ɒ", "ɔː"]
        p = {ipa: make_phoneme(ipa, category=vowels) for ipa in ipas}
        synth = {"engine": "locmem", "tts_rate": "-30%", "voice_id": "en-us"}
        self.expired = [
            make_audio(p["iː"], TTS, expires_in_days=-1, **synth),
            played(make_audio(p["ɪ"], GENERATED, expires_in_days=-2, **synth), 4, days_ago=60),
        ]
        self.unused = [
            played(make_audio(p["e"], TTS, expires_in_days=20, **synth), 3, days_ago=45),
            created_days_ago(make_audio(p["æ"], GENERATED, expires_in_days=5, **synth), 40),
        ]
        self.kept = [
            played(make_audio(p["ʌ"], TTS, expires_in_days=20, **synth), 6, days_ago=2),
            created_days_ago(make_audio(p["ɑː"], NATIVE), 400),  # never played, never deleted
            created_days_ago(make_audio(p["ɒ"], TTS, expires_in_days=20, **synth), 90),
        ]
        pinned = self.kept[-1]
        Phoneme.objects.filter(pk=pinned.phoneme_id).update(preferred_audio_source=pinned)
        self.native = self.kept[1]

    def dry_run(self) -> dict[str, list[str]]:
        """cleanup_audio --dry-run's sections: {"Would delete (expired)": [repr, ...], ...}."""
        out = StringIO()
        call_command("cleanup_audio", "--dry-run", stdout=out)
        sections: dict[str, list[str]] = {}
        items: list[str] = []
        for line in out.getvalue().splitlines():
            if line.startswith("  "):
                items.append(line.strip())
            elif ": " in line:
                items = sections[line.rsplit(": ", 1)[0]] = []
        return sections

    def page_unused(self, content: str) -> list[str]:
        section = content.split("Not played for the unused window", 1)[1]
        items = re.search(r"<ul>(.*?)</ul>", section, flags=re.S).group(1)
        return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", items)]

    def test_the_page_would_delete_what_cleanup_audio_lists(self):
        plan = self.dry_run()
        expired = plan["Would delete (expired)"]
        unused = plan["Would delete (not played for 30 days)"]
        self.assertEqual(sorted(expired), sorted(repr(s) for s in self.expired))
        self.assertEqual(sorted(unused), sorted(repr(s) for s in self.unused))
        self.assertEqual(plan["Would regenerate (expiring, still played)"], [])

        data = audio_analytics()
        self.assertEqual(data["cleanup_would_remove"], len(expired) + len(unused))
        self.assertEqual([repr(s) for s in data["unused"]], unused)
        self.assertEqual([repr(s) for s in data["expired"]], expired)
        content = self.page().content.decode()
        self.assertIn("would delete 4 source(s) now (2 expired, 2 unused)", content)
        self.assertEqual(
            self.page_unused(content),
            [f"{s} ({s.voice_id})" for s in data["unused"]],
        )
        self.assertEqual(len(self.page_unused(content)), len(unused))

    def test_after_cleanup_audio_those_sources_are_gone_and_native_stays(self):
        would_remove = audio_analytics()["cleanup_would_remove"]
        doomed = self.expired + self.unused
        files = [source.audio_file.name for source in doomed]
        storage = self.native.audio_file.storage
        with self.captureOnCommitCallbacks(execute=True):
            call_command("cleanup_audio", stdout=StringIO(), stderr=StringIO())
        self.assertEqual(would_remove, 4)
        self.assertFalse(AudioSource.objects.filter(pk__in=[s.pk for s in doomed]).exists())
        self.assertEqual([name for name in files if storage.exists(name)], [])
        self.assertEqual(
            set(AudioSource.objects.values_list("pk", flat=True)), {s.pk for s in self.kept}
        )
        self.assertTrue(storage.exists(self.native.audio_file.name))
        after = audio_analytics()
        self.assertEqual((after["cleanup_would_remove"], after["unused"]), (0, []))
        self.assertIn("would delete 0 source(s) now", self.page().content.decode())

    def test_cleanup_audio_reports_the_number_of_sources_it_deleted(self):
        would_remove = audio_analytics()["cleanup_would_remove"]
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("cleanup_audio", stdout=out, stderr=StringIO())
        self.assertIn(f"deleted {would_remove} audio sources", out.getvalue())


class AnalyticsApiTests(StaffTestCase):
    def setUp(self):
        super().setUp()
        vowels = make_category("vowel")
        long_i = make_phoneme("iː", category=vowels)
        short_i = make_phoneme("ɪ", category=vowels)
        self.native = played(make_audio(long_i, NATIVE), 3, size=2048)
        self.tts = played(make_audio(short_i, TTS, expires_in_days=20), 1, size=512)
        make_audio(short_i, GENERATED, expires_in_days=5)

    def test_staff_get_the_same_numbers_as_the_page(self):
        response = self.client.get(API)
        self.assertEqual(response.status_code, 200)
        body, data = response.json(), audio_analytics()
        self.assertEqual((body["total_plays"], body["total_bytes"]), (4, 2560))
        self.assertEqual(
            (body["total_plays"], body["total_bytes"], body["never_played_count"]),
            (data["total_plays"], data["total_bytes"], data["never_played_count"]),
        )
        self.assertEqual(body["cleanup_would_remove"], data["cleanup_would_remove"])
        self.assertEqual(body["by_type"], data["by_type"])
        self.assertAlmostEqual(sum(row["share"] for row in body["by_type"]), 1.0)
        self.assertEqual(
            [row["audio_source_id"] for row in body["most_played"]], [self.native.pk, self.tts.pk]
        )
        self.assertEqual(
            [(row["ipa_symbol"], row["plays"]) for row in body["plays_per_phoneme"]],
            [(p.ipa_symbol, p.plays) for p in data["per_phoneme"]],
        )
        page = self.page().content.decode()
        self.assertEqual(
            [(ipa, int(plays)) for ipa, plays, _ in BAR.findall(page)],
            [(row["ipa_symbol"], row["plays"]) for row in body["plays_per_phoneme"]],
        )

    def test_a_learner_is_forbidden(self):
        self.client.force_login(make_user())
        with self.assertLogs("django.request", level="WARNING"):
            response = self.client.get(API)
        self.assertEqual(response.status_code, 403)

    def test_an_anonymous_visitor_is_forbidden(self):
        self.client.logout()
        with self.assertLogs("django.request", level="WARNING"):
            response = self.client.get(API)
        self.assertEqual(response.status_code, 403)

    def test_a_learner_cannot_open_the_admin_page(self):
        self.client.force_login(make_user())
        response = self.client.get(PAGE)
        self.assertRedirects(response, f"{reverse('admin:login')}?next={PAGE}")
