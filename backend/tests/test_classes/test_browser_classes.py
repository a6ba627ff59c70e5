"""A class in Chromium (see tests/browser.py): a teacher creates a class and assigns a lesson,
a learner joins with the code and does the lesson (one wrong answer on the way), and the
teacher's page shows that learner's confusion; axe-core on every page."""

from apps.curriculum.models import PronunciationLesson, UserPronunciationLessonProgress
from apps.practice.models import DrillAttempt
from tests.factories import make_user
from tests.test_classes.helpers import make_teacher
from tests.test_practice.test_browser_practice import LearnerBrowserTestCase

MAX_ITEMS = 40


class ClassJourneyTests(LearnerBrowserTestCase):
    def test_teacher_creates_a_class_learner_joins_does_the_lesson_teacher_sees_confusions(self):
        make_teacher("co-mai")
        lesson = (
            PronunciationLesson.objects.filter(
                is_published=True, pronunciationlessonpair__isnull=False
            )
            .order_by("order")
            .first()
        )
        teacher_page = self.page

        # The teacher: a class, its code, one lesson assigned.
        self.log_in("co-mai")
        self.open("/giao-vien/lop/")
        self.assert_accessible("the teacher's classes page")
        self.page.fill("#id_name", "Lớp 10A1")
        self.page.click('main button[type="submit"]')
        self.page.wait_for_selector("#join-code")
        code = self.page.locator("#join-code").text_content().strip()
        self.page.select_option("#id_lesson", str(lesson.pk))
        self.page.fill("#id_due", "2030-01-31")
        self.page.click('main form.account-form button[type="submit"]')
        self.page.wait_for_selector("text=Đã giao bài.")
        self.assert_accessible("the teacher's class page, empty")

        # The learner, in another browser context: joins by code, sees the assignment first.
        learner_context = self.new_context()
        self.page = learner_context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        make_user("lan")
        self.log_in("lan")
        self.page.click("header >> text=Lớp học")
        self.page.fill("#id_code", code.lower())
        self.page.click('main form.account-form button[type="submit"]')
        self.page.wait_for_selector("text=Bạn đã vào lớp")
        self.assertEqual(
            self.page.locator(".assignment .state").text_content().strip(), "Chưa bắt đầu"
        )
        self.assert_accessible("the learner's classes page")
        self.page.click(".assignment a")
        self.page.wait_for_selector('#drill[data-state="ready"]')

        # The lesson's drills: the first answer wrong, then right until the lesson is done.
        item = None
        for number in range(MAX_ITEMS):
            item = self.wait_for_item(item)
            attempt = DrillAttempt.objects.get(pk=item)
            miss = next(key for key in "ab" if key != attempt.answer_key)
            key = attempt.answer_key if number else miss
            self.page.click(f'.choice[data-key="{key}"]')
            self.page.wait_for_selector('#drill[data-state="answered"]')
            done = UserPronunciationLessonProgress.objects.filter(
                user__username="lan", lesson=lesson, status="completed"
            ).exists()
            if done:
                break
            self.page.keyboard.press("Enter")
        self.assertTrue(done, "the lesson completes once every contrast is answered right")
        self.open("/hoc/lop/")
        self.assertEqual(self.page.locator(".assignment .state").text_content().strip(), "Đã xong")

        wrong = DrillAttempt.objects.get(user__username="lan", correct=False)
        pair = wrong.pair
        played, chosen = (
            (pair.phoneme_1, pair.phoneme_2)
            if wrong.answer_word == 1
            else (pair.phoneme_2, pair.phoneme_1)
        )

        # The teacher's page: the learner, the lesson done, the confusion.
        self.page = teacher_page
        self.page.reload()
        row = self.page.locator('tr[data-username="lan"]')
        self.assertIn("Đã xong", row.text_content())
        confusion = row.locator(".confusion").first.text_content()
        self.assertIn(f"/{played.ipa_symbol}/", confusion)
        self.assertIn(f"/{chosen.ipa_symbol}/", confusion)
        self.assertIn("×1", confusion)
        self.assert_accessible("the teacher's class page with a learner")
        self.screenshot("class-report.png")
        row.locator("th a").click()
        self.page.wait_for_selector("text=Ma trận nhầm lẫn")
        self.assert_accessible("the teacher's page of one learner")
        learner_context.close()
        self.assertEqual(self.errors, [])
