from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from apps.curriculum.selectors import CHART_ROWS, chart_sections, phonemes_for_chart


class ChartPageTests(TestCase):
    def test_empty_curriculum_says_how_to_load_it(self):
        response = self.client.get(reverse("curriculum:chart"))
        self.assertContains(response, "seed_curriculum")

    def test_the_44_phonemes_are_laid_out_like_the_classic_chart(self):
        call_command("seed_curriculum", stdout=StringIO())
        with self.assertNumQueries(1):
            response = self.client.get(reverse("curriculum:chart"))
        self.assertContains(response, 'class="phoneme', count=44)
        self.assertContains(response, 'data-ipa="iː"', count=1)
        self.assertContains(response, "Nguyên âm đơn")
        self.assertContains(response, "Phụ âm")
        sections = chart_sections(list(phonemes_for_chart()))
        rows = {s["category"].category_type: [len(r) for r in s["rows"]] for s in sections}
        self.assertEqual(rows, {kind: list(sizes) for kind, sizes in CHART_ROWS.items()})
        first_row = [p.ipa_symbol for p in sections[0]["rows"][0]]
        self.assertEqual(first_row, ["iː", "ɪ", "ʊ", "uː"])

    def test_the_page_sets_the_csrf_cookie_for_the_play_counter(self):
        response = self.client.get(reverse("curriculum:chart"))
        self.assertIn("csrftoken", response.cookies)
