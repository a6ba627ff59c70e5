"""Chores that span apps run through hooks each app registers: ``cleanup_audio`` runs every
cleanup hook, and deleting an account runs every account-deletion hook."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

from apps.core.accounts import account_delete
from apps.core.hooks import Hooks, account_delete_hooks, cleanup_hooks
from tests.factories import make_user
from tests.test_practice.helpers import PrivateRecordingsMixin
from tests.test_studio.helpers import StudioDirsMixin


class RegisteredHooksTests(SimpleTestCase):
    def test_practice_and_studio_register_their_own_cleanup_and_account_deletion(self):
        self.assertIn(
            "apps.practice.services.recordings.learner_recordings_cleanup", cleanup_hooks.names()
        )
        self.assertIn("apps.studio.services.takes_cleanup", cleanup_hooks.names())
        self.assertIn(
            "apps.practice.services.accounts.learner_data_delete", account_delete_hooks.names()
        )
        self.assertIn("apps.studio.services.takes_of_user_delete", account_delete_hooks.names())

    def test_registering_a_hook_twice_keeps_one(self):
        hooks = Hooks("test")

        def hook(**_):
            return ""

        hooks.register(hook)
        hooks.register(hook)
        self.assertEqual(len(list(hooks)), 1)


class CleanupHookTests(PrivateRecordingsMixin, StudioDirsMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.calls = []

        def failing(*, now):
            raise RuntimeError("bucket gone")

        def counting(*, now):
            self.calls.append(now)
            return "Counted 3 thing(s)."

        cleanup_hooks.register(failing, name="test.failing")
        cleanup_hooks.register(counting, name="test.counting")
        self.addCleanup(cleanup_hooks.unregister, "test.failing")
        self.addCleanup(cleanup_hooks.unregister, "test.counting")

    def test_cleanup_audio_runs_every_hook_even_after_one_fails(self):
        out = StringIO()
        with self.assertLogs("apps.core.hooks", "ERROR"):
            call_command("cleanup_audio", stdout=out, stderr=StringIO())
        self.assertEqual(len(self.calls), 1)
        self.assertIn("Counted 3 thing(s).", out.getvalue())
        self.assertIn("failed: bucket gone", out.getvalue())
        self.assertIn("Deleted 0 expired studio take(s).", out.getvalue())
        self.assertIn("Expired 0 learner recording(s).", out.getvalue())


class AccountDeleteTests(TestCase):
    def test_a_failing_hook_deletes_nothing(self):
        user = make_user()

        def failing(user):
            raise RuntimeError("storage gone")

        account_delete_hooks.register(failing, name="test.failing")
        self.addCleanup(account_delete_hooks.unregister, "test.failing")
        with self.assertRaises(RuntimeError):
            account_delete(user)
        self.assertTrue(get_user_model().objects.filter(pk=user.pk).exists())
