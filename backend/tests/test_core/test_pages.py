"""Every HTML page that reads ``?accent=`` (the studio, a lesson) sends an empty or unknown
one back to the same URL without it (``apps.core.pages.page_query_checked``): the reader gets
the page, in the accent that leaving it out means (the default in the studio, the learner's
own in a lesson), under an address that says so. Never the API's JSON 400, never an English
error page. (The chart reads no accent from its URL: its script keeps the choice.)"""

from django.test import TestCase

from apps.practice.models import LearnerProfile
from tests.factories import make_category, make_user
from tests.test_practice.helpers import make_contrast, make_lesson, make_pair
from tests.test_studio.helpers import make_staff


class AccentOnPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        long_i, short_i = make_contrast(category=make_category("vowel"))
        lesson = make_lesson([long_i, short_i], [make_pair(long_i, short_i)])
        cls.staff = make_staff()
        cls.learner = make_user()
        # The learner chose British English: a lesson without ?accent= is in en-GB.
        LearnerProfile.objects.update_or_create(user=cls.learner, defaults={"accent": "en-GB"})
        # (who reads the page, its path, the accent it shows when none is given)
        cls.pages = [
            (cls.staff, "/studio/", "en-US"),
            (cls.learner, f"/hoc/bai-hoc/{lesson.pk}/", "en-GB"),
        ]

    def shown_accent(self, response) -> str:
        context = response.context
        return context["chart"].accent if "chart" in context else context["accent"]

    def test_an_empty_accent_goes_to_the_page_without_it(self):
        for user, path, _ in self.pages:
            with self.subTest(path):
                self.client.force_login(user)
                response = self.client.get(f"{path}?accent=")
                self.assertRedirects(response, path, fetch_redirect_response=False)

    def test_an_unknown_accent_goes_there_too_and_other_parameters_stay(self):
        for user, path, _ in self.pages:
            for query in ("accent=fr-FR", "accent=en-US&accent=", "x=1&accent=xx&y=%C3%A2"):
                with self.subTest(path=path, query=query):
                    self.client.force_login(user)
                    response = self.client.get(f"{path}?{query}")
                    expected = f"{path}?x=1&y=%C3%A2" if query.startswith("x=") else path
                    self.assertRedirects(response, expected, fetch_redirect_response=False)

    def test_the_page_it_lands_on_shows_the_accent_that_leaving_it_out_means(self):
        for user, path, default in self.pages:
            with self.subTest(path):
                self.client.force_login(user)
                response = self.client.get(f"{path}?accent=", follow=True)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.redirect_chain, [(path, 302)])
                self.assertEqual(self.shown_accent(response), default)

    def test_a_known_accent_is_shown_and_left_out_means_the_default(self):
        for user, path, default in self.pages:
            with self.subTest(path):
                self.client.force_login(user)
                chosen = "en-US" if default == "en-GB" else "en-GB"
                response = self.client.get(path, {"accent": chosen})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(self.shown_accent(response), chosen)
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(self.shown_accent(response), default)
