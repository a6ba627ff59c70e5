"""The learner's pages: logged-in only, in Vietnamese, English marked as English, no inline
script (the CSP forbids it)."""

import re

from django.test import TestCase
from django.utils import timezone

from apps.curriculum.progress import phoneme_attempt_record
from apps.practice.models import ReviewCard
from tests.factories import make_category, make_user
from tests.test_practice.helpers import make_contrast, make_lesson, make_pair

PAGES = ["/hoc/", "/hoc/tien-do/", "/hoc/bai-hoc/", "/hoc/nguyen-am/"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


class PageTests(TestCase):
    def setUp(self):
        self.long_i, self.short_i = make_contrast(category=make_category("vowel"))
        self.pair = make_pair(self.long_i, self.short_i, word_1="sheep", word_2="ship")
        self.lesson = make_lesson([self.long_i, self.short_i], [self.pair])
        self.learner = make_user()

    def test_pages_want_a_login(self):
        for page in [*PAGES, f"/hoc/bai-hoc/{self.lesson.pk}/"]:
            with self.subTest(page):
                self.assertRedirects(self.client.get(page), f"/hoc/dang-nhap/?next={page}")

    def test_pages_are_vietnamese_without_inline_script_or_style(self):
        self.client.force_login(self.learner)
        for page in [*PAGES, f"/hoc/bai-hoc/{self.lesson.pk}/", "/hoc/dang-xuat/"]:
            if page.endswith("dang-xuat/"):
                continue
            with self.subTest(page):
                response = self.client.get(page, HTTP_ACCEPT_LANGUAGE="en")
                self.assertEqual(response.status_code, 200)
                html = response.content.decode()
                self.assertIn('<html lang="vi">', html)
                self.assertIsNone(INLINE_SCRIPT.search(html))
                self.assertIsNone(INLINE_HANDLER.search(html))
                self.assertIsNone(INLINE_STYLE.search(html))
        self.client.logout()
        for page in ["/hoc/dang-ky/", "/hoc/dang-nhap/"]:
            html = self.client.get(page).content.decode()
            self.assertIsNone(INLINE_SCRIPT.search(html))

    def test_the_progress_picture_shows_mastery_with_labels(self):
        for _ in range(5):
            phoneme_attempt_record(self.learner, self.long_i, correct=True)
        ReviewCard.objects.create(user=self.learner, pair=self.pair, card={}, due=timezone.now())
        self.client.force_login(self.learner)
        response = self.client.get("/hoc/tien-do/")
        self.assertContains(response, 'class="cell band-high"', count=1)
        self.assertContains(response, "100% ✓")
        self.assertContains(response, 'lang="en-fonipa"')
        self.assertContains(response, '<strong id="total-attempts">5</strong>', html=False)
        self.assertContains(response, "Các âm có bài ôn đến hạn")

    def test_a_lesson_page_marks_english_and_ipa(self):
        self.client.force_login(self.learner)
        response = self.client.get(f"/hoc/bai-hoc/{self.lesson.pk}/")
        self.assertContains(response, '<span lang="en">sheep</span>', html=True)
        self.assertContains(response, f'data-next-url="/api/drills/next/?lesson={self.lesson.pk}"')

    def test_an_unknown_lesson_is_404(self):
        self.client.force_login(self.learner)
        self.assertEqual(self.client.get("/hoc/bai-hoc/999999/").status_code, 404)

    def test_the_chart_links_to_the_practice_pages(self):
        self.assertContains(self.client.get("/"), 'href="/hoc/"')
