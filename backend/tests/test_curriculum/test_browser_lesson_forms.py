"""In Chromium: a lesson page shows the transcriptions of the accent the learner listens to,
switches them with the accent, prints each between one pair of slashes, and stays accessible."""

from apps.curriculum.models import PronunciationLesson
from tests.factories import make_user
from tests.test_practice.test_browser_practice import LearnerBrowserTestCase


class LessonAccentFormsBrowserTests(LearnerBrowserTestCase):
    def test_the_lesson_follows_the_accent_switch(self):
        make_user("mai")
        self.log_in("mai")
        lesson = PronunciationLesson.objects.get(slug="diphthongs")
        self.open(f"/hoc/bai-hoc/{lesson.pk}/")
        self.page.wait_for_selector('#drill[data-state="ready"]')
        goat = self.page.locator('li.step h2 .accent-form[data-ipa-en-gb="əʊ"]')
        examples = self.page.locator(".word-button .accent-form")

        self.page.check('input[name="drill-accent"][value="en-US"]')
        self.assertEqual(goat.text_content(), "/oʊ/")
        self.assertIn("/ɡoʊ/", examples.all_text_contents())

        self.page.check('input[name="drill-accent"][value="en-GB"]')
        self.assertEqual(goat.text_content(), "/əʊ/")
        self.assertIn("/ɡəʊ/", examples.all_text_contents())
        for text in self.page.locator(".accent-form").all_text_contents():
            self.assertRegex(text, r"^/[^/]+/$")
        self.assertIn("luyện:", self.page.locator("p.trains").text_content())
        self.assert_accessible("a lesson page in the British accent")
        self.assertEqual(self.errors, [])
