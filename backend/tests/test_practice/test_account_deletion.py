"""Deleting a learner's account deletes their recordings (rows and files) and drill attempts,
and nobody else's: through each app's account-deletion hook."""

from django.contrib.auth import get_user_model

from apps.core.accounts import account_delete
from apps.practice.models import DrillAttempt, VowelRecording
from apps.practice.services.recordings import learner_recordings_storage
from tests.factories import make_user
from tests.test_practice.helpers import make_contrast, make_pair
from tests.test_practice.test_vowel_feedback_api import VowelTestCase


class AccountDeletionTests(VowelTestCase):
    def setUp(self):
        super().setUp()
        self.other = make_user()
        pair = make_pair(*make_contrast("æ", "e"))
        for user in (self.learner, self.other):
            self.client.force_authenticate(user)
            self.assertEqual(self.record(self.long_i, self.wavs["iː", "en-US"]).status_code, 201)
            DrillAttempt.objects.create(user=user, pair=pair, answer_word=1, word_1_key="a")

    def test_deleting_an_account_deletes_its_recordings_files_and_attempts(self):
        storage = learner_recordings_storage()
        mine = VowelRecording.objects.get(user=self.learner).file_name
        theirs = VowelRecording.objects.get(user=self.other).file_name
        with self.captureOnCommitCallbacks(execute=True):
            account_delete(self.learner)
        self.assertFalse(get_user_model().objects.filter(pk=self.learner.pk).exists())
        self.assertFalse(storage.exists(mine))
        self.assertTrue(storage.exists(theirs))
        self.assertEqual(
            list(VowelRecording.objects.values_list("user", flat=True)), [self.other.pk]
        )
        self.assertEqual(list(DrillAttempt.objects.values_list("user", flat=True)), [self.other.pk])
