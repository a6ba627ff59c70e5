"""Accessibility of the phonemic chart and of the staff analytics and upload pages: axe-core in
Chromium (see tests/browser.py; no serious or critical violation), the keyboard path from a key
to its panel, and, without a browser, the language marks, the non-colour voicing cue, the
analytics table and the upload form's help-text ids."""

import re
import unittest
from html.parser import HTMLParser
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from apps.curriculum.models import AudioCache, AudioSource, Phoneme
from tests.browser import AXE_JS, BrowserTestCase, serious_axe_violations
from tests.factories import TempMediaMixin, make_audio

PASSWORD = "mot-mat-khau-dai-2024"
ANALYTICS = reverse("admin:curriculum_audio_analytics")
UPLOAD = reverse("admin:curriculum_audiosource_upload")


@unittest.skipUnless(AXE_JS.exists(), "axe-core is missing: run scripts/install-axe.sh")
class ChartAxeTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_curriculum", stdout=StringIO())
        self.context.route("**/media/**", lambda route: route.abort())
        # No sound is needed here: the browser's voice is a silent stand-in.
        self.page.add_init_script("window.speechSynthesis.speak = () => {};")

    def assert_accessible(self, what: str) -> None:
        self.assertEqual(serious_axe_violations(self.page), [], f"axe-core on {what}")

    def log_in_as_staff(self) -> None:
        get_user_model().objects.create_superuser("teacher", "teacher@example.com", PASSWORD)
        self.open("/admin/login/?next=/admin/")
        self.page.fill("#id_username", "teacher")
        self.page.fill("#id_password", PASSWORD)
        self.page.click('input[type="submit"]')
        self.page.wait_for_url("**/admin/")

    def test_the_chart_has_no_serious_violations_before_and_after_opening_a_panel(self):
        self.open("/")
        self.assert_accessible("the chart")
        self.page.locator('.phoneme[data-ipa="iː"]').focus()
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector("#detail:not([hidden]) #detail-words .word-button")
        self.page.wait_for_function(
            "() => document.getElementById('status').textContent.includes('/iː/')"
        )
        self.assert_accessible("the chart with the /iː/ panel open")
        self.assertEqual(self.errors, [])

    def test_the_keyboard_reaches_the_panel_from_the_key_and_back(self):
        self.page.set_viewport_size({"width": 390, "height": 800})  # a phone
        self.open("/")
        self.page.locator('.phoneme[data-ipa="ʒ"]').focus()
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector("#to-detail:not([hidden])")
        # A "Xem chi tiết" link follows the key's row: a few Tab stops, not 44.
        tabs = 0
        while (
            tabs < 8
            and self.page.evaluate("() => document.activeElement.parentElement.id") != "to-detail"
        ):
            self.page.keyboard.press("Tab")
            tabs += 1
        self.assertLess(tabs, 8)
        self.assertIn("/ʒ/", self.page.locator("#to-detail").text_content())
        self.page.keyboard.press("Enter")
        # The panel's heading takes the focus and is on screen.
        self.page.wait_for_function("() => document.activeElement.id === 'detail-heading'")
        self.assertIn("/ʒ/", self.page.locator("#detail-heading").text_content())
        self.page.wait_for_function(
            "() => { const r = document.getElementById('detail-heading').getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight; }"
        )
        # The next Tab is the panel's first example word, marked as English.
        self.page.keyboard.press("Tab")
        self.assertEqual(
            self.page.evaluate("() => document.activeElement.className"), "word-button"
        )
        self.assertEqual(self.page.evaluate("() => document.activeElement.lang"), "en")
        # "Back to the chart" returns to the key that opened the panel.
        self.page.locator("#detail-back").focus()
        self.page.keyboard.press("Enter")
        self.page.wait_for_function("() => document.activeElement.dataset.ipa === 'ʒ'")
        self.assertEqual(self.errors, [])

    def test_the_analytics_and_upload_pages_have_no_serious_violations(self):
        source = make_audio(
            Phoneme.objects.get(ipa_symbol="iː"), AudioSource.SourceType.TTS, language="en-US"
        )
        AudioCache.objects.create(audio_source=source, usage_count=3)
        self.log_in_as_staff()
        self.open(ANALYTICS)
        self.assertEqual(self.page.locator("#plays-table tbody tr").count(), 44)
        self.assert_accessible("the analytics page")
        self.open(UPLOAD)
        self.assert_accessible("the upload page")
        self.page.click('input[type="submit"][value="Upload"]')  # empty: errors on the fields
        self.page.wait_for_selector(".errorlist")
        self.assert_accessible("the upload page with errors")


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside each element with an id."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **attrs) -> list[dict]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


class ChartMarkupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_curriculum", stdout=StringIO())

    def setUp(self):
        self.html = self.client.get("/").content.decode()
        self.tags = parse(self.html)

    def test_each_key_is_named_by_its_symbol_and_example_word(self):
        keys = self.tags.find("button", type="button")
        keys = [k for k in keys if "phoneme" in k.get("class", "").split()]
        self.assertEqual(len(keys), 44)
        for key in keys:
            # No aria-label hides the visible example word from the accessible name.
            self.assertNotIn("aria-label", key)
        self.assertRegex(
            self.html,
            r'<span class="ipa" lang="en-fonipa">iː</span>\s*'
            r'<span class="word" lang="en">see</span>',
        )

    def test_english_and_ipa_are_marked_with_their_language(self):
        self.assertEqual(len(self.tags.find("span", **{"class": "ipa", "lang": "en-fonipa"})), 45)
        self.assertEqual(len(self.tags.find("span", **{"class": "word", "lang": "en"})), 44)
        # The panel's symbol and its word lists (filled in by chart.js) carry the marks too.
        self.assertTrue(self.tags.find("span", id="detail-ipa", lang="en-fonipa"))
        self.assertTrue(self.tags.find("div", id="detail-words", lang="en"))
        self.assertTrue(self.tags.find("div", id="detail-pairs", lang="en"))
        for english in self.tags.find("span", **{"class": "en"}):
            self.assertEqual(english.get("lang"), "en")

    def test_voicing_has_a_cue_besides_colour(self):
        consonants = Phoneme.objects.filter(category__category_type="consonant")
        voiced = consonants.filter(is_voiced=True).count()
        voiceless = consonants.filter(is_voiced=False).count()
        self.assertEqual(self.html.count('<span class="visually-hidden">hữu thanh</span>'), voiced)
        self.assertEqual(
            self.html.count('<span class="visually-hidden">vô thanh</span>'), voiceless
        )
        self.assertEqual(len(self.tags.find("span", **{"class": "voicing-mark"})), voiceless + 1)
        self.assertIn('class="legend"', self.html)

    def test_the_panel_can_be_reached_and_announces_the_sound(self):
        self.assertTrue(self.tags.find("h2", id="detail-heading", tabindex="-1"))
        self.assertTrue(self.tags.find("a", id="detail-back", href="#chart"))
        self.assertTrue(self.tags.find("p", id="to-detail"))
        self.assertTrue(self.tags.find("a", href="#detail-heading"))
        self.assertTrue(self.tags.find("div", id="chart"))
        self.assertFalse(re.search(r"\son[a-z]+=", self.html))  # the CSP: no inline handlers
        self.assertNotIn("<script>", self.html)


class StaffPageMarkupTests(TempMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_curriculum", stdout=StringIO())
        cls.staff = get_user_model().objects.create_superuser("teacher", "t@example.com", PASSWORD)

    def setUp(self):
        self.client.force_login(self.staff)

    def test_the_analytics_chart_has_a_table_with_the_same_numbers(self):
        phoneme = Phoneme.objects.get(ipa_symbol="iː")
        source = make_audio(phoneme, AudioSource.SourceType.TTS, language="en-US")
        AudioCache.objects.create(audio_source=source, usage_count=7)
        html = self.client.get(ANALYTICS).content.decode()
        tags = parse(html)
        svg = tags.find("svg", id="plays-chart")[0]
        self.assertEqual(svg["role"], "img")
        self.assertIn("aria-describedby", svg)
        self.assertIn("plays-table", svg["aria-describedby"].split() + [svg.get("aria-details")])
        self.assertTrue(tags.find("table", id="plays-table"))
        bars = dict(re.findall(r'data-ipa="([^"]+)" data-plays="(\d+)"', html))
        rows = re.findall(
            r'<tr><th scope="row"><span lang="en-fonipa">/([^/<]+)/</span></th>'
            r"<td>(\d+)</td></tr>",
            html,
        )
        self.assertEqual(len(rows), 44)
        self.assertEqual(dict(rows), bars)
        self.assertEqual(dict(rows)["iː"], "7")

    def test_the_upload_forms_help_texts_have_the_ids_the_fields_point_at(self):
        for html in (
            self.client.get(UPLOAD).content.decode(),
            self.client.post(UPLOAD, {}).content.decode(),  # with errors
        ):
            tags = parse(html)
            ids = {a["id"] for _, a in tags.tags if "id" in a}
            described = [a for _, a in tags.tags if "aria-describedby" in a]
            self.assertGreaterEqual(len(described), 3)
            for attrs in described:
                for target in attrs["aria-describedby"].split():
                    self.assertIn(target, ids, f"aria-describedby of {attrs.get('name')}")
