"""Offline on a phone, in Chromium (see tests/browser.py): the chart downloaded for offline
plays its sounds with no network, a downloaded drill pack is answered with immediate
feedback, and the answers reach the server once each, marked offline, when the network
returns, even when the first sync's reply is lost."""

from io import StringIO

from django.core.files.base import ContentFile
from django.core.management import call_command

from apps.curriculum.models import AudioSource, Phoneme
from apps.practice.models import DrillAttempt, ReviewCard
from tests.browser import AXE_JS, BrowserTestCase, OneRequestAtATime, serious_axe_violations
from tests.factories import make_user

SYNC = "**/api/drills/offline-answers/"


class OfflinePhoneTests(BrowserTestCase):
    server_thread_class = OneRequestAtATime
    service_workers = "allow"
    viewport = {"width": 390, "height": 844}

    def setUp(self):
        super().setUp()
        call_command("seed_curriculum", stdout=StringIO())
        call_command(
            "generate_audio", "--phoneme", "iː", "--no-words", stdout=StringIO(), stderr=StringIO()
        )
        # Every phoneme gets a playable file of its own (the bytes of /iː/: enough to play).
        sample = AudioSource.objects.get(phoneme__ipa_symbol="iː", language="en-US")
        data = sample.audio_file.read()
        for phoneme in Phoneme.objects.exclude(pk=sample.phoneme_id):
            source = AudioSource(
                phoneme=phoneme, source_type=sample.source_type, language="en-US",
                voice_id=sample.voice_id,
            )  # fmt: skip
            source.audio_file.save(f"offline-{phoneme.pk}.mp3", ContentFile(data), save=False)
            source.save()
        make_user("hoa")

    def log_in(self) -> None:
        self.open("/hoc/dang-nhap/")
        self.page.fill("#id_username", "hoa")
        self.page.fill("#id_password", "a-long-test-password")
        self.page.click('main button[type="submit"]')
        self.page.wait_for_url("**/hoc/")

    def play(self, ipa: str) -> str:
        self.page.locator(f'.phoneme[data-ipa="{ipa}"]').click()
        # The status names what plays once the file has started ("playing").
        self.page.wait_for_function(
            "(ipa) => { const s = document.getElementById('status');"
            " return window.phatamAudio && window.phatamAudio.error === null"
            " && s.dataset.lastSrc && window.phatamAudio.src.endsWith(s.dataset.lastSrc)"
            " && s.textContent.startsWith('Đang phát /' + ipa + '/'); }",
            arg=ipa,
        )
        return self.page.evaluate("window.phatamAudio.src")

    def test_download_go_offline_play_three_sounds_answer_five_drills_and_sync_once(self):
        self.log_in()
        self.open("/")
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        self.page.click("#download")
        self.page.wait_for_selector('#download-status[data-done="1"]', timeout=60_000)
        self.assertIn("44 âm thanh", self.page.text_content("#download-status"))
        self.assertIn("bài luyện nghe ngoại tuyến", self.page.text_content("#download-status"))

        self.context.set_offline(True)
        self.page.reload()
        self.assertTrue(self.page.is_visible("#network"))
        self.assertIn("ngoại tuyến", self.page.text_content("#network"))
        if AXE_JS.exists():
            self.assertEqual(serious_axe_violations(self.page), [], "the chart, offline")
        played = [self.play(ipa) for ipa in ("iː", "æ", "θ")]
        self.assertEqual(len(set(played)), 3)

        self.page.goto(f"{self.live_server_url}/hoc/ngoai-tuyen/")
        self.assertTrue(self.page.is_visible("#network"))
        for number in range(1, 6):
            self.page.wait_for_selector("#offline-choices button")
            self.page.click("#offline-play")
            self.page.click("#offline-choices button >> nth=0")
            self.page.wait_for_function(
                "() => document.getElementById('offline-feedback').textContent !== ''"
            )
            self.assertRegex(
                self.page.text_content("#offline-feedback"), r"^(Đúng rồi!|Chưa đúng\.)"
            )
            self.page.wait_for_selector(f'#offline-queue[data-queued="{number}"]')
            if number == 1 and AXE_JS.exists():
                self.assertEqual(serious_axe_violations(self.page), [], "the offline drills")
            self.page.click("#offline-next")
        answered = DrillAttempt.objects.filter(user__username="hoa", answered_at__isnull=False)
        self.assertEqual(answered.count(), 0)

        # The first sync reaches the server but its reply is lost: the phone sends it again,
        # and the server records nothing twice.
        replies: list[dict] = []

        def lose_first_reply(route):
            reply = route.fetch()
            replies.append(reply.json())
            if len(replies) == 1:
                route.abort()
            else:
                route.fulfill(response=reply)

        self.page.route(SYNC, lose_first_reply)
        syncs = int(self.page.get_attribute("#offline-queue", "data-syncs") or 0)
        self.context.set_offline(False)
        self.page.wait_for_selector(f'#offline-queue[data-syncs="{syncs + 1}"]')
        self.assertEqual(self.page.get_attribute("#offline-queue", "data-queued"), "5")
        self.page.evaluate("window.dispatchEvent(new Event('online'))")
        self.page.wait_for_selector('#offline-queue[data-queued="0"]')

        self.assertEqual(
            [set(r["results"].values()) for r in replies], [{"recorded"}, {"duplicate"}]
        )
        self.assertEqual(answered.count(), 5)
        self.assertTrue(all(row.offline for row in answered))
        self.assertEqual(len({row.client_key for row in answered}), 5)
        self.assertEqual(
            sum(ReviewCard.objects.filter(user__username="hoa").values_list("reviews", flat=True)),
            5,
        )
        self.assertFalse(self.page.is_visible("#network"))
        self.assertEqual(self.errors, [])
