"""Assignments: a teacher gives a class a lesson by a date; each learner sees the assignments
of their classes with a state that follows the lesson's completion rule."""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from apps.classes.models import Assignment
from apps.practice.services import drill_answer, drill_start
from tests.factories import make_user
from tests.test_classes.helpers import (
    api_as,
    lesson_done,
    lesson_started,
    make_classroom,
    make_teacher,
)
from tests.test_practice.helpers import give_audio, make_contrast, make_lesson, make_pair


class AssignTests(TestCase):
    def setUp(self):
        self.long_i, self.short_i = make_contrast()
        self.pairs = [make_pair(self.long_i, self.short_i) for _ in range(2)]
        self.lesson = make_lesson([self.long_i, self.short_i], self.pairs, is_published=True)
        self.classroom = make_classroom()
        self.url = f"/api/classes/{self.classroom.pk}/assignments/"

    def test_the_teacher_assigns_a_lesson_by_a_date(self):
        response = api_as(self.classroom.teacher).post(
            self.url, {"lesson": self.lesson.pk, "due": "2030-01-31"}, format="json"
        )
        self.assertEqual(response.status_code, 201)
        assignment = Assignment.objects.get()
        self.assertEqual(assignment.lesson, self.lesson)
        self.assertEqual(timezone.localtime(assignment.due).date().isoformat(), "2030-01-31")
        self.assertEqual(response.json()["lesson"]["id"], self.lesson.pk)

    def test_a_due_date_and_time_is_kept(self):
        response = api_as(self.classroom.teacher).post(
            self.url, {"lesson": self.lesson.pk, "due": "2030-01-31T08:00:00Z"}, format="json"
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(Assignment.objects.get().due.isoformat(), "2030-01-31T08:00:00+00:00")

    def test_assigning_again_moves_the_date(self):
        client = api_as(self.classroom.teacher)
        client.post(self.url, {"lesson": self.lesson.pk, "due": "2030-01-31"}, format="json")
        response = client.post(
            self.url, {"lesson": self.lesson.pk, "due": "2030-02-28"}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Assignment.objects.count(), 1)

    def test_bad_input_is_a_400_by_field(self):
        client = api_as(self.classroom.teacher)
        for data, field in [
            ({"lesson": 999999, "due": "2030-01-31"}, "lesson"),
            ({"lesson": "abc", "due": "2030-01-31"}, "lesson"),
            ({"lesson": self.lesson.pk, "due": "next week"}, "due"),
            ({"due": "2030-01-31"}, "lesson"),
        ]:
            with self.subTest(data=data):
                response = client.post(self.url, data, format="json")
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        self.assertFalse(Assignment.objects.exists())

    def test_an_unpublished_lesson_cannot_be_assigned(self):
        hidden = make_lesson([self.long_i], self.pairs, is_published=False)
        response = api_as(self.classroom.teacher).post(
            self.url, {"lesson": hidden.pk, "due": "2030-01-31"}, format="json"
        )
        self.assertEqual(response.status_code, 400)

    def test_a_learner_of_the_class_or_another_teacher_cannot_assign(self):
        learner = make_user()
        make_classroom(learners=[learner])
        for who in (learner, make_teacher()):
            response = api_as(who).post(
                self.url, {"lesson": self.lesson.pk, "due": "2030-01-31"}, format="json"
            )
            self.assertEqual(response.status_code, 404)
        self.assertFalse(Assignment.objects.exists())

    def test_the_teacher_lists_the_class_assignments(self):
        Assignment.objects.create(classroom=self.classroom, lesson=self.lesson, due=timezone.now())
        body = api_as(self.classroom.teacher).get(self.url).json()
        self.assertEqual([a["lesson"]["id"] for a in body], [self.lesson.pk])


class LearnerAssignmentTests(TestCase):
    def setUp(self):
        self.long_i, self.short_i = make_contrast()
        self.pairs = [make_pair(self.long_i, self.short_i) for _ in range(2)]
        for pair in self.pairs:
            give_audio(pair)
        self.lesson = make_lesson([self.long_i, self.short_i], self.pairs, is_published=True)
        self.learner = make_user()
        self.classroom = make_classroom(learners=[self.learner])
        self.assignment = Assignment.objects.create(
            classroom=self.classroom, lesson=self.lesson, due=timezone.now() + timedelta(days=7)
        )

    def states(self) -> list[str]:
        return [a["state"] for a in api_as(self.learner).get("/api/assignments/").json()]

    def test_one_lucky_answer_is_in_progress_not_done(self):
        """A real drill of the lesson, answered right: the lesson's completion rule is not
        met by one answer, whatever else it asks."""
        attempt = drill_start(self.learner, accent="en-US", lesson=self.lesson)
        drill_answer(self.learner, attempt.pk, choice=attempt.answer_key)
        self.assertEqual(self.states(), ["in_progress"])

    def test_the_state_is_the_lessons_recorded_completion(self):
        lesson_started(self.learner, self.lesson)
        self.assertEqual(self.states(), ["in_progress"])
        lesson_done(self.learner, self.lesson)
        self.assertEqual(self.states(), ["done"])

    def test_answers_outside_the_lesson_do_not_start_it(self):
        attempt = drill_start(self.learner, accent="en-US")
        drill_answer(self.learner, attempt.pk, choice=attempt.answer_key)
        self.assertEqual(self.states(), ["not_started"])

    def test_what_is_left_comes_before_what_is_done_soonest_due_first(self):
        later = make_lesson([self.long_i], self.pairs, is_published=True)
        sooner = make_lesson([self.short_i], self.pairs, is_published=True)
        now = timezone.now()
        Assignment.objects.create(
            classroom=self.classroom, lesson=later, due=now + timedelta(days=30)
        )
        Assignment.objects.create(
            classroom=self.classroom, lesson=sooner, due=now - timedelta(days=1)
        )
        lesson_done(self.learner, self.lesson)
        body = api_as(self.learner).get("/api/assignments/").json()
        self.assertEqual(
            [(a["lesson"]["id"], a["state"]) for a in body],
            [(sooner.pk, "not_started"), (later.pk, "not_started"), (self.lesson.pk, "done")],
        )
        self.assertTrue(body[0]["overdue"])

    def test_a_learner_sees_only_the_assignments_of_their_classes(self):
        self.assertEqual(api_as(make_user()).get("/api/assignments/").json(), [])

    def test_leaving_the_class_drops_its_assignments(self):
        api_as(self.learner).delete(f"/api/classes/{self.classroom.pk}/members/me/")
        self.assertEqual(self.states(), [])
