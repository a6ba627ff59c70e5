"""Who can see what: a learner's recordings reach a teacher only while the learner shares
them with that class; leaving the class stops it; deleting an account deletes its attempts,
recordings and memberships."""

from django.core.files.base import ContentFile
from django.test import TestCase

from apps.classes.models import Classroom, Membership
from apps.classes.services import class_data_delete
from apps.core.accounts import account_delete
from apps.core.hooks import account_delete_hooks
from apps.practice.models import DrillAttempt, VowelRecording
from apps.practice.services import learner_recordings_storage
from tests.factories import make_user
from tests.test_classes.helpers import answer, api_as, make_classroom, make_teacher
from tests.test_practice.helpers import PrivateRecordingsMixin, make_contrast, make_pair

WAV = b"RIFF$\x00\x00\x00WAVEfmt " + b"\x00" * 28


def make_recording(user, phoneme) -> VowelRecording:
    name = learner_recordings_storage().save("test/rec.wav", ContentFile(WAV))
    return VowelRecording.objects.create(
        user=user,
        phoneme=phoneme,
        accent="en-US",
        voice="male",
        file_name=name,
        content_type="audio/wav",
        duration=1.0,
        f1=300,
        f2=2300,
        verdict="heard_as",
        heard_as="ɪ",
        distance_bark=1.2,
    )


class ConsentTests(PrivateRecordingsMixin, TestCase):
    def setUp(self):
        self.long_i, self.short_i = make_contrast()
        self.learner = make_user("lan")
        self.classroom = make_classroom(learners=[self.learner])
        self.recording = make_recording(self.learner, self.long_i)
        self.teacher = api_as(self.classroom.teacher)
        self.me = api_as(self.learner)
        self.detail = f"/api/classes/{self.classroom.pk}/members/{self.learner.pk}/report/"
        self.audio = (
            f"/api/classes/{self.classroom.pk}/members/{self.learner.pk}"
            f"/recordings/vowel/{self.recording.pk}/audio/"
        )
        self.consent = f"/api/classes/{self.classroom.pk}/members/me/consent/"

    def share(self, value: bool):
        return self.me.put(self.consent, {"share_recordings": value}, format="json")

    def test_nothing_is_shared_before_the_learner_agrees(self):
        self.assertEqual(self.me.get(self.consent).json(), {"share_recordings": False})
        self.assertEqual(self.teacher.get(self.detail).json()["recordings"], [])
        self.assertEqual(self.teacher.get(self.audio).status_code, 404)

    def test_after_agreeing_the_teacher_hears_the_recordings_with_the_verdict(self):
        self.assertEqual(self.share(True).json(), {"share_recordings": True})
        recordings = self.teacher.get(self.detail).json()["recordings"]
        self.assertEqual(len(recordings), 1)
        self.assertEqual(recordings[0]["label"], "/iː/")
        self.assertEqual(recordings[0]["verdict"], "heard_as")
        self.assertEqual(recordings[0]["audio_url"], self.audio)
        response = self.teacher.get(self.audio)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, WAV)
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_revoking_stops_sharing_at_once(self):
        self.share(True)
        self.share(False)
        self.assertEqual(self.teacher.get(self.detail).json()["recordings"], [])
        self.assertEqual(self.teacher.get(self.audio).status_code, 404)

    def test_consent_is_per_class(self):
        other = make_classroom(learners=[self.learner])
        self.share(True)
        other_audio = self.audio.replace(f"/classes/{self.classroom.pk}/", f"/classes/{other.pk}/")
        self.assertEqual(api_as(other.teacher).get(other_audio).status_code, 404)

    def test_leaving_the_class_stops_sharing(self):
        self.share(True)
        self.me.delete(f"/api/classes/{self.classroom.pk}/members/me/")
        self.assertEqual(self.teacher.get(self.audio).status_code, 404)
        self.assertEqual(self.teacher.get(self.detail).status_code, 404)
        # Coming back starts without consent again.
        self.me.post("/api/classes/join/", {"code": self.classroom.join_code}, format="json")
        self.assertEqual(self.teacher.get(self.audio).status_code, 404)

    def test_being_removed_stops_sharing(self):
        self.share(True)
        self.teacher.delete(f"/api/classes/{self.classroom.pk}/members/{self.learner.pk}/")
        self.assertEqual(self.teacher.get(self.audio).status_code, 404)

    def test_another_teacher_never_hears_it(self):
        self.share(True)
        self.assertEqual(api_as(make_teacher()).get(self.audio).status_code, 404)

    def test_only_the_learners_own_recordings_through_their_class(self):
        self.share(True)
        stranger = make_recording(make_user(), self.long_i)
        url = self.audio.replace(f"/vowel/{self.recording.pk}/", f"/vowel/{stranger.pk}/")
        self.assertEqual(self.teacher.get(url).status_code, 404)
        self.assertEqual(
            self.teacher.get(self.audio.replace("/vowel/", "/other/")).status_code, 404
        )

    def test_consent_needs_a_membership_and_a_boolean(self):
        outsider = api_as(make_user())
        self.assertEqual(
            outsider.put(self.consent, {"share_recordings": True}, format="json").status_code, 404
        )
        self.assertEqual(self.me.put(self.consent, {}, format="json").status_code, 400)


class AccountDeletionTests(PrivateRecordingsMixin, TestCase):
    def test_deleting_an_account_deletes_its_attempts_recordings_and_memberships(self):
        long_i, short_i = make_contrast()
        learner, classmate = make_user(), make_user()
        classroom = make_classroom(learners=[learner, classmate])
        pair = make_pair(long_i, short_i)
        answer(learner, pair, played=1, chosen=2)
        answer(classmate, pair, played=1, chosen=1)
        recording = make_recording(learner, long_i)
        Membership.objects.filter(user=learner).update(share_recordings=True)

        with self.captureOnCommitCallbacks(execute=True):
            account_delete(learner)

        self.assertFalse(DrillAttempt.objects.filter(user_id=learner.pk).exists())
        self.assertFalse(VowelRecording.objects.filter(user_id=learner.pk).exists())
        self.assertFalse(learner_recordings_storage().exists(recording.file_name))
        self.assertFalse(Membership.objects.filter(user_id=learner.pk).exists())
        body = api_as(classroom.teacher).get(f"/api/classes/{classroom.pk}/report/").json()
        self.assertEqual([row["user_id"] for row in body["learners"]], [classmate.pk])
        self.assertEqual(body["learners"][0]["attempts"], 1)

    def test_the_classes_hook_is_registered(self):
        self.assertIn("apps.classes.services.class_data_delete", account_delete_hooks.names())

    def test_the_account_deletion_hook_deletes_memberships_and_classes_taught(self):
        learner, teacher = make_user(), make_teacher()
        taught = make_classroom(teacher, learners=[make_user()])
        make_classroom(learners=[learner])
        class_data_delete(learner)
        class_data_delete(teacher)
        self.assertFalse(Membership.objects.filter(user=learner).exists())
        self.assertFalse(Classroom.objects.filter(pk=taught.pk).exists())
        self.assertEqual(Classroom.objects.count(), 1)

    def test_deleting_a_teacher_deletes_their_classes(self):
        learner = make_user()
        classroom = make_classroom(learners=[learner])
        account_delete(classroom.teacher)
        self.assertFalse(Membership.objects.exists())
        self.assertEqual(api_as(learner).get("/api/classes/").json(), [])


class SharedWordRecordingTests(PrivateRecordingsMixin, TestCase):
    """Word recordings (practice's WordRecording) are shared like vowels: with the app's
    verdict, only while the learner agrees."""

    def test_a_shared_word_recording_with_its_verdict(self):
        from apps.practice.models import WordRecording

        long_i, short_i = make_contrast()
        pair = make_pair(long_i, short_i, word_1="sheep", word_2="ship")
        learner = make_user()
        classroom = make_classroom(learners=[learner])
        name = learner_recordings_storage().save("test/word.wav", ContentFile(WAV))
        recording = WordRecording.objects.create(
            user=learner,
            pair=pair,
            word_number=1,
            word="sheep",
            accent="en-US",
            check_name="vowel_length",
            verdict="not_ok",
            file_name=name,
            content_type="audio/wav",
            duration=0.8,
        )
        teacher = api_as(classroom.teacher)
        detail = f"/api/classes/{classroom.pk}/members/{learner.pk}/report/"
        member = f"/api/classes/{classroom.pk}/members/{learner.pk}"
        audio = f"{member}/recordings/word/{recording.pk}/audio/"
        self.assertEqual(teacher.get(audio).status_code, 404)
        consent = f"/api/classes/{classroom.pk}/members/me/consent/"
        api_as(learner).put(consent, {"share_recordings": True}, format="json")
        rows = teacher.get(detail).json()["recordings"]
        self.assertEqual(
            [(r["kind"], r["label"], r["verdict"], r["verdict_vi"]) for r in rows],
            [("word", "sheep", "not_ok", "Chưa đúng")],
        )
        self.assertEqual(teacher.get(audio).content, WAV)
