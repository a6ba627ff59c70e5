"""The learner's journey in Chromium (see tests/browser.py): sign up, ten drills with the
keyboard, progress that changes, the vowel recorder with a fake microphone fed by eSpeak, what
the page says when the microphone is refused or missing; axe-core on every page."""

import re
import tempfile
import unittest
from io import StringIO
from pathlib import Path
from unittest import mock

import numpy as np
from django.core.management import call_command

from apps.curriculum.models import Phoneme
from apps.practice.models import (
    DrillAttempt,
    LearnerProfile,
    VowelCalibration,
    VowelRecording,
    WordRecording,
)
from apps.practice.onboarding import PLACEMENT_ITEMS
from tests.browser import (
    AXE_JS,
    BrowserTestCase,
    OneRequestAtATime,
    serious_axe_violations,
)
from tests.factories import make_user
from tests.speech_fixtures import espeak_word
from tests.test_practice.helpers import PrivateRecordingsMixin, espeak_vowel_wav, wav_bytes

PASSWORD = "mot-mat-khau-dai-2024"


class LearnerBrowserTestCase(PrivateRecordingsMixin, BrowserTestCase):
    server_thread_class = OneRequestAtATime

    def setUp(self):
        super().setUp()
        call_command("seed_curriculum", stdout=StringIO())

    def assert_accessible(self, what: str) -> None:
        """No serious or critical axe-core violation on the page as it is now. The script is
        evaluated (not added as a tag, which the CSP would refuse)."""
        if not AXE_JS.exists():
            return  # AxeInstalledTests is skipped, saying how to install it
        self.assertEqual(serious_axe_violations(self.page), [], f"axe-core on {what}")

    def sign_up(self, username: str) -> None:
        self.open("/hoc/dang-ky/")
        self.assert_accessible("the sign-up page")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password1", PASSWORD)
        self.page.fill("#id_password2", PASSWORD)
        self.page.click('button[type="submit"]')
        self.page.wait_for_url("**/hoc/bat-dau/")

    def choose(self, *, dialect: str = "nam", accent: str = "en-GB") -> None:
        """Onboarding: the learner's dialect and target accent; the placement test follows."""
        self.assert_accessible("the onboarding page")
        self.page.check(f'input[name="dialect"][value="{dialect}"]')
        self.page.check(f'input[name="accent"][value="{accent}"]')
        self.page.click('main button[type="submit"]')
        self.page.wait_for_url("**/hoc/kiem-tra/")

    def log_in(self, username: str) -> None:
        self.open("/hoc/dang-nhap/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "a-long-test-password")
        self.page.click('main button[type="submit"]')
        self.page.wait_for_url("**/hoc/")

    def wait_for_item(self, previous: str | None = None) -> str:
        self.page.wait_for_function(
            "(previous) => { const d = document.getElementById('drill');"
            " return d.dataset.state === 'ready' && d.dataset.itemId !== previous; }",
            arg=previous,
        )
        return self.page.get_attribute("#drill", "data-item-id")


@unittest.skipUnless(AXE_JS.exists(), "axe-core is missing: run scripts/install-axe.sh")
class AxeInstalledTests(unittest.TestCase):
    def test_axe_core_is_installed_for_the_accessibility_checks(self):
        self.assertGreater(AXE_JS.stat().st_size, 100_000)


class DrillJourneyTests(LearnerBrowserTestCase):
    def test_a_learner_signs_up_does_ten_drills_with_the_keyboard_and_sees_progress(self):
        self.sign_up("lan")
        self.choose(accent="en-US")
        self.open("/hoc/")
        item = self.wait_for_item()
        self.page.wait_for_function(
            "() => Number(document.getElementById('drill').dataset.played) >= 1"
        )
        self.page.keyboard.press(" ")  # Space replays
        self.page.wait_for_function(
            "() => Number(document.getElementById('drill').dataset.played) >= 2"
        )

        keys = ["1", "b", "2", "a", "A", "B", "1", "2", "a", "b"]
        for number, key in enumerate(keys, start=1):
            self.page.keyboard.press(key)
            self.page.wait_for_selector('#drill[data-state="answered"]')
            feedback = self.page.locator("#drill-feedback").text_content()
            self.assertRegex(feedback, r"^(✓ Đúng rồi!|✗ Chưa đúng\.)")
            self.assertIn("Từ được phát:", feedback)
            self.assertNotIn("Bạn nghe:", feedback)
            self.assertIn("Giọng đọc:", feedback)
            self.assertEqual(self.page.locator("#drill-done").text_content(), str(number))
            self.assertEqual(self.page.locator(".choice.correct").count(), 1)
            if number == 1:
                self.assert_accessible("the drill page with feedback")
            if number < len(keys):
                self.page.keyboard.press("Enter")
                item = self.wait_for_item(item)

        # (the placement page, left at once, made an item of its own)
        attempts = DrillAttempt.objects.filter(user__username="lan", placement=False)
        self.assertEqual(attempts.filter(answered_at__isnull=False).count(), 10)
        chosen = [attempt.choice for attempt in attempts.order_by("created_at", "pk")]
        self.assertEqual(chosen, [{"1": "a", "2": "b"}.get(k, k.lower()) for k in keys])
        right = attempts.filter(correct=True).count()
        self.assertEqual(self.page.locator("#drill-right").text_content(), str(right))

        self.open("/hoc/tien-do/")
        self.assertEqual(self.page.locator("#total-attempts").text_content(), "10")
        self.assertEqual(self.page.locator("#total-correct").text_content(), str(right))
        practised = self.page.locator("#mastery-grid .cell:not(.band-none)").count()
        self.assertGreaterEqual(practised, 1)
        self.assert_accessible("the progress page")
        self.screenshot("practice-progress.png")
        self.open("/hoc/bai-hoc/")
        self.assert_accessible("the lessons page")
        self.page.click(".lesson-card h2 a >> nth=0")
        self.page.wait_for_selector('#drill[data-state="ready"]')
        self.assert_accessible("a lesson page")
        self.assertEqual(self.errors, [])


class NewLearnerFlowTests(LearnerBrowserTestCase):
    """Sign up → dialect and accent → placement (all 20 items; 6 on the phone) → the first
    lesson, on a desktop and on a 390 px phone; after every answer the question and the accent
    switch are on screen and nothing covers them."""

    def visible_and_uncovered(self, selector: str) -> bool:
        return self.page.evaluate(
            """(selector) => {
                const el = document.querySelector(selector);
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.top < 0 || box.bottom > window.innerHeight) return false;
                const hit = document.elementFromPoint(box.left + box.width / 2,
                                                      box.top + box.height / 2);
                return el === hit || el.contains(hit);
            }""",
            selector,
        )

    def flow(self, username: str, items: int = PLACEMENT_ITEMS) -> None:
        self.sign_up(username)
        self.choose(dialect="nam", accent="en-GB")
        item = self.wait_for_item()
        self.assertTrue(self.page.is_checked('input[name="drill-accent"][value="en-GB"]'))
        self.assertTrue(self.page.locator("#drill-next").is_hidden(), "no 'next' before an answer")
        for number in range(1, items + 1):
            self.page.click('.choice[data-key="a"]')
            self.page.wait_for_selector('#drill[data-state="answered"]')
            for selector in ("#drill-prompt", ".drill-options .toggle"):
                self.assertTrue(self.visible_and_uncovered(selector), f"{selector} after {number}")
            feedback = self.page.locator("#drill-feedback").text_content()
            self.assertIn("Giọng đọc:", feedback)
            self.assertIn(f"Bài kiểm tra xếp lớp: {number}/{items}", feedback)
            self.assertNotRegex(feedback, r"thành thạo \d+ ?%")  # too few answers to say
            if number == 1:
                self.assert_accessible("the placement test with feedback")
            if number < items:
                self.page.click("#drill-next")
                item = self.wait_for_item(item)
        self.assertTrue(self.page.locator("#drill-next").is_hidden(), "the test is over")
        self.page.click("#placement-first-lesson")
        self.page.wait_for_url("**/hoc/bai-hoc/*/")
        self.page.wait_for_selector('#drill[data-state="ready"]')
        # The accent chosen at onboarding is still the one on the lesson page.
        self.assertTrue(self.page.is_checked('input[name="drill-accent"][value="en-GB"]'))
        self.assertEqual(self.page.locator(".choice:not([hidden])").count(), 3)
        self.page.click('.choice[data-key="c"]')
        self.page.wait_for_selector('#drill[data-state="answered"]')
        self.assertIn("Tiếng thứ", self.page.locator("#drill-feedback").text_content())
        self.assert_accessible("the first lesson with feedback")
        self.assertEqual(self.errors, [])
        profile = LearnerProfile.objects.get(user__username=username)
        self.assertEqual((profile.dialect, profile.accent), ("nam", "en-GB"))
        self.assertIsNotNone(profile.first_lesson_id)

    def test_a_new_learners_flow_on_a_desktop(self):
        self.page.set_viewport_size({"width": 1280, "height": 800})
        self.flow("hoa")

    def test_a_new_learners_flow_on_a_390_px_phone(self):
        self.context.close()
        self.context = self.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # The desktop test takes the whole placement test; on the phone, what is checked
        # after each answer is the layout, and six answers show it.
        with mock.patch("apps.practice.onboarding.PLACEMENT_ITEMS", 6):
            self.flow("vy", items=6)
        self.screenshot("practice-lesson-phone.png")

    def test_on_a_phone_the_feedback_stays_in_view_after_a_tap(self):
        self.context.close()
        self.context = self.new_context(viewport={"width": 375, "height": 667}, has_touch=True)
        self.page = self.context.new_page()
        make_user("minh")
        self.log_in("minh")
        self.wait_for_item()
        self.page.tap('.choice[data-key="a"]')
        self.page.wait_for_selector('#drill[data-state="answered"]')
        box = self.page.locator("#drill-feedback").bounding_box()
        self.assertGreaterEqual(box["y"], 0)
        self.assertLessEqual(box["y"] + 20, 667, "the feedback is on screen")
        self.assertEqual(self.page.get_attribute("#drill-feedback", "aria-live"), "polite")
        self.screenshot("practice-phone.png")


class MicrophoneMessageTests(LearnerBrowserTestCase):
    REFUSE = """navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException("denied", "%s"));"""

    def record_with(self, script: str) -> str:
        self.page.add_init_script(script)
        make_user("hoa")
        self.log_in("hoa")
        self.open("/hoc/nguyen-am/")
        self.page.click("#record")
        self.page.wait_for_selector('#recorder[data-state="error"]')
        return self.page.locator("#recorder-status").text_content()

    def test_a_refused_microphone_is_explained(self):
        said = self.record_with(self.REFUSE % "NotAllowedError")
        self.assertIn("Bạn đã từ chối quyền dùng micro", said)
        self.assertIn("tải lại trang", said)

    def test_a_missing_microphone_is_explained(self):
        said = self.record_with(self.REFUSE % "NotFoundError")
        self.assertIn("Không tìm thấy micro", said)

    def test_a_browser_that_cannot_record_is_explained(self):
        said = self.record_with(
            "Object.defineProperty(navigator, 'mediaDevices', {value: undefined});"
        )
        self.assertIn("không cho ghi âm", said)
        self.assertIn("luyện nghe", said)


class VowelRecorderTests(LearnerBrowserTestCase):
    """Chromium's fake microphone plays eSpeak NG's /iː/ (en-us), over and over."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._wav_dir = tempfile.TemporaryDirectory(prefix="phatam-mic-")
        wav = Path(cls._wav_dir.name) / "long-i.wav"
        wav.write_bytes(espeak_vowel_wav("iː", accent="en-US", repeat=6))
        cls.browser = cls.launch_browser(
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
        )

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._wav_dir.cleanup()

    def test_a_recorded_vowel_shows_on_the_chart(self):
        self.context.grant_permissions(["microphone"])
        make_user("hoa")
        self.log_in("hoa")
        self.open("/hoc/nguyen-am/")
        long_i = Phoneme.objects.get(ipa_symbol="iː")
        self.page.select_option("#vowel-phoneme", str(long_i.pk))
        self.page.check('input[name="vowel-accent"][value="en-US"]')
        self.page.wait_for_selector("#vowel-chart .target-region")
        self.assert_accessible("the vowel recorder")

        # The point comes with the result, not when the history has reloaded: that waits.
        history = re.compile(r"/api/feedback/vowel/\?phoneme=")
        held = []
        self.page.route(history, lambda route: held.append(route))
        self.page.click("#record")
        self.page.wait_for_selector('#recorder[data-state="done"]', timeout=30_000)

        point = self.page.locator("#vowel-chart .learner-point")
        self.assertEqual(point.count(), 1)
        for route in held:
            route.continue_()
        self.page.unroute(history)
        recording = VowelRecording.objects.get(user__username="hoa")
        self.assertEqual(recording.phoneme, long_i)
        self.assertAlmostEqual(float(point.get_attribute("data-f1")), recording.f1, places=0)
        verdict = self.page.get_attribute("#vowel-verdict", "data-verdict")
        self.assertEqual(verdict, recording.verdict)
        self.assertEqual(verdict, "ok", f"F1 {recording.f1}, F2 {recording.f2}")
        self.page.wait_for_selector("#vowel-history li")  # the history reloads after a result
        self.assertEqual(self.page.locator("#vowel-history li").count(), 1)
        self.assert_accessible("the vowel recorder with a result")
        self.screenshot("vowel-recorder.png")
        self.assertEqual(self.errors, [])

    def test_a_corner_vowel_is_recorded_for_calibration(self):
        self.context.grant_permissions(["microphone"])
        make_user("thu")
        self.log_in("thu")
        self.open("/hoc/nguyen-am/")
        self.page.click("#calibration summary")
        self.assert_accessible("the vowel page with calibration open")
        self.page.click('#calibration button[data-vowel="iː"]')
        self.page.wait_for_function(
            "() => document.querySelector('#calibration .done[data-for=\"iː\"]').textContent"
            " === '✓'",
            timeout=30_000,
        )
        (calibration,) = VowelCalibration.objects.filter(user__username="thu")
        self.assertEqual(calibration.vowel, "iː")
        self.assertIn("Chưa đủ", self.page.locator("#calibration-status").text_content())
        self.assertEqual(self.errors, [])


class WordRecorderTests(LearnerBrowserTestCase):
    """After a final-consonant drill item, the learner records the word: Chromium's fake
    microphone says eSpeak NG's "light" in one browser and "lie" (its final /t/ dropped) in
    the other, and the two get different answers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._wav_dir = tempfile.TemporaryDirectory(prefix="phatam-mic-")
        cls.browsers = {}
        for name, mnemonics in (("light", "l'aIt"), ("lie", "l'aI")):
            samples, rate = espeak_word(mnemonics, voice="en-us", wpm=150)
            silence = np.zeros(int(0.3 * rate))
            take = np.concatenate([silence, samples, np.zeros(int(2.5 * rate))])
            wav = Path(cls._wav_dir.name) / f"{name}.wav"
            wav.write_bytes(wav_bytes(take, rate))
            cls.browsers[name] = cls.launch_browser(
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}",
            )

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._wav_dir.cleanup()

    def answer_until_a_final_stop(self) -> DrillAttempt:
        """Answer final-consonant items until one whose word ends in a plosive."""
        first = self.wait_for_item()
        self.page.select_option("#drill-kind", "final_consonant")  # a new item of that kind
        self.page.locator("#drill-kind").blur()  # keys typed into a select answer nothing
        item = self.wait_for_item(first)
        for _ in range(15):
            self.page.keyboard.press("1")
            self.page.wait_for_selector('#drill[data-state="answered"]')
            attempt = DrillAttempt.objects.select_related("pair").get(pk=item)
            ipa = attempt.pair.word_1_ipa if attempt.answer_word == 1 else attempt.pair.word_2_ipa
            if attempt.pair.kind == "final_consonant" and ipa.strip("/")[-1] in "ptkbdg":
                self.page.wait_for_selector('#say-word[data-state="ready"]')
                return attempt
            self.page.keyboard.press("Enter")
            item = self.wait_for_item(item)
        self.fail("no final-stop item in 15 tries")

    def test_a_word_with_its_final_consonant_and_one_without_get_different_answers(self):
        verdicts = {}
        for name in ("light", "lie"):
            with self.subTest(name):
                self.context.close()
                self.context = self.new_context(self.browsers[name])
                self.context.grant_permissions(["microphone"])
                self.page = self.context.new_page()
                self.page.on("pageerror", lambda error: self.errors.append(str(error)))
                make_user(name)
                self.log_in(name)
                self.answer_until_a_final_stop()
                self.assertEqual(
                    self.page.get_attribute("#say-word", "data-check"), "final_consonant"
                )
                self.page.click("#say-word-record")
                self.page.wait_for_selector('#say-word[data-state="done"]', timeout=30_000)
                verdicts[name] = self.page.get_attribute("#say-word-verdict", "data-verdict")
                recording = WordRecording.objects.get(user__username=name)
                self.assertEqual(recording.verdict, verdicts[name])
                hint = self.page.locator("#say-word-hint").text_content()
                self.assertTrue(hint)
                self.assertNotIn(
                    "Hz", self.page.locator("#say-word-result > p").all_text_contents()[0]
                )
                self.assertGreater(self.page.locator("#say-word-wave .bar").count(), 10)
                self.assert_accessible(f"the drill page with a recorded word ({name})")
                self.screenshot(f"say-word-{name}.png")
        self.assertEqual(verdicts, {"light": "ok", "lie": "not_ok"})
        self.assertEqual(self.errors, [])
