"""The teacher's report of a class: per learner results and confusions by direction, per
assignment completion, the weakest contrasts, the weekly trend, the CSV export, and a fixed
number of queries whatever the size of the class."""

import csv
import io
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.classes.api.reports import ReportSerializer, report_json
from apps.classes.models import Assignment, Membership
from apps.classes.selectors import class_report
from apps.practice.models import DrillAttempt
from tests.factories import make_user
from tests.test_classes.helpers import (
    answer,
    answers_bulk,
    api_as,
    lesson_done,
    make_classroom,
)
from tests.test_practice.helpers import make_contrast, make_lesson, make_pair


class ReportTests(TestCase):
    def setUp(self):
        # word 1 "sheep" has /iː/, word 2 "ship" has /ɪ/.
        self.long_i, self.short_i = make_contrast()
        self.sheep_ship = make_pair(self.long_i, self.short_i)
        self.lan, self.minh = make_user("lan"), make_user("minh")
        self.classroom = make_classroom(learners=[self.lan, self.minh])
        self.url = f"/api/classes/{self.classroom.pk}/report/"

    def report(self) -> dict:
        response = api_as(self.classroom.teacher).get(self.url)
        self.assertEqual(response.status_code, 200)
        return response.json()

    def learner(self, body: dict, username: str) -> dict:
        return next(row for row in body["learners"] if row["username"] == username)

    def test_heard_ship_when_sheep_was_played_counts_in_that_direction(self):
        answer(self.lan, self.sheep_ship, played=1, chosen=2)  # sheep played, ship picked
        answer(self.lan, self.sheep_ship, played=1, chosen=2)
        answer(self.lan, self.sheep_ship, played=2, chosen=2)  # ship played, ship picked
        answer(self.lan, self.sheep_ship, played=1, chosen=1)
        row = self.learner(self.report(), "lan")
        self.assertEqual(row["attempts"], 4)
        self.assertEqual(row["correct"], 2)
        self.assertEqual(row["accuracy"], 50.0)
        self.assertEqual(row["confusions"], [{"played": "iː", "chosen": "ɪ", "count": 2}])
        contrasts = {(c["played"], c["other"]): c for c in row["contrasts"]}
        self.assertEqual(contrasts[("iː", "ɪ")]["attempts"], 3)
        self.assertEqual(contrasts[("iː", "ɪ")]["correct"], 1)
        self.assertEqual(contrasts[("ɪ", "iː")]["accuracy"], 100.0)

    def test_a_learner_without_answers_has_no_accuracy_yet(self):
        row = self.learner(self.report(), "minh")
        self.assertEqual((row["attempts"], row["accuracy"], row["confusions"]), (0, None, []))

    def test_unanswered_items_do_not_count(self):
        answer(self.lan, self.sheep_ship, played=1, chosen=1)
        DrillAttempt.objects.create(
            user=self.lan, pair=self.sheep_ship, answer_word=1, word_1_key="a", accent="en-US"
        )
        self.assertEqual(self.learner(self.report(), "lan")["attempts"], 1)

    def test_the_weakest_contrast_direction_comes_first(self):
        th, t = make_contrast("θ", "t")
        think_tink = make_pair(th, t)
        for _ in range(3):
            answer(self.lan, self.sheep_ship, played=1, chosen=2)
            answer(self.minh, think_tink, played=1, chosen=1)
        answer(self.minh, think_tink, played=1, chosen=2)
        weakest = self.report()["weakest"]
        self.assertEqual([(w["played"], w["other"]) for w in weakest], [("iː", "ɪ"), ("θ", "t")])
        self.assertEqual(weakest[0]["accuracy"], 0.0)
        self.assertEqual(weakest[1]["accuracy"], 75.0)

    def test_recent_accuracy_practice_time_and_days_active(self):
        answer(self.lan, self.sheep_ship, played=1, chosen=2, ago=timedelta(days=40))
        answer(self.lan, self.sheep_ship, played=1, chosen=1, ago=timedelta(days=1))
        answer(self.lan, self.sheep_ship, played=2, chosen=2, ago=timedelta(days=1, minutes=5))
        # An item left open for an hour counts one minute at most.
        late = answer(self.lan, self.sheep_ship, played=2, chosen=2, ago=timedelta(days=2))
        late.created_at = late.answered_at - timedelta(hours=1)
        late.save(update_fields=["created_at"])
        row = self.learner(self.report(), "lan")
        self.assertEqual(row["attempts"], 4)
        self.assertEqual(row["accuracy"], 75.0)
        self.assertEqual((row["recent_attempts"], row["recent_accuracy"]), (3, 100.0))
        self.assertEqual(row["days_active"], 3)
        self.assertEqual(row["practice_minutes"], round((3 * 5 + 60) / 60))

    def test_the_trend_by_week(self):
        answer(self.lan, self.sheep_ship, played=1, chosen=2, ago=timedelta(days=14))
        answer(self.lan, self.sheep_ship, played=1, chosen=1, ago=timedelta(hours=1))
        answer(self.minh, self.sheep_ship, played=1, chosen=1, ago=timedelta(hours=1))
        weeks = self.report()["weeks"]
        self.assertEqual(len(weeks), 2)
        self.assertEqual(
            [(w["attempts"], w["accuracy"], w["learners"]) for w in weeks],
            [(1, 0.0, 1), (2, 100.0, 2)],
        )
        self.assertLess(weeks[0]["week"], weeks[1]["week"])

    def test_completion_of_each_assignment(self):
        lesson = make_lesson([self.long_i, self.short_i], [self.sheep_ship], is_published=True)
        Assignment.objects.create(classroom=self.classroom, lesson=lesson, due=timezone.now())
        lesson_done(self.lan, lesson)
        body = self.report()
        self.assertEqual(
            [
                (a["lesson_id"], a["done"], a["in_progress"], a["not_started"])
                for a in body["assignments"]
            ],
            [(lesson.pk, 1, 0, 1)],
        )
        self.assertEqual(
            self.learner(body, "lan")["assignments"], [{"lesson_id": lesson.pk, "state": "done"}]
        )

    def test_outsiders_answers_and_a_removed_learners_data_are_not_in_the_report(self):
        outsider = make_user("outsider")
        answer(outsider, self.sheep_ship, played=1, chosen=2)
        answer(self.minh, self.sheep_ship, played=1, chosen=2)
        Membership.objects.filter(user=self.minh).delete()
        body = self.report()
        self.assertEqual([row["username"] for row in body["learners"]], ["lan"])
        self.assertEqual(body["weeks"], [])
        self.assertEqual(body["weakest"], [])
        response = api_as(self.classroom.teacher).get(
            f"/api/classes/{self.classroom.pk}/members/{self.minh.pk}/report/"
        )
        self.assertEqual(response.status_code, 404)

    def test_the_csv_export_has_one_row_per_learner(self):
        answer(self.lan, self.sheep_ship, played=1, chosen=2)
        response = api_as(self.classroom.teacher).get(self.url, {"format": "csv"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/csv"))
        self.assertIn("attachment", response["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
        self.assertEqual([row["username"] for row in rows], ["lan", "minh"])
        self.assertEqual(rows[0]["attempts"], "1")
        self.assertEqual(rows[0]["confusions"], "iː→ɪ ×1")

    def test_one_learner_in_detail(self):
        answer(self.lan, self.sheep_ship, played=1, chosen=2)
        response = api_as(self.classroom.teacher).get(
            f"/api/classes/{self.classroom.pk}/members/{self.lan.pk}/report/"
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["username"], "lan")
        self.assertEqual(body["confusions"], [{"played": "iː", "chosen": "ɪ", "count": 1}])
        self.assertEqual(body["recordings"], [])


class QueryCountTests(TestCase):
    """The report is the same few GROUP BY queries for a class of 3 or 12 learners with 10 or
    40 answers each."""

    def setUp(self):
        self.pairs = [make_pair(*make_contrast(f"a{n}", f"b{n}")) for n in range(3)]

    def queries_for(self, learners: int, answers: int) -> int:
        users = [make_user() for _ in range(learners)]
        classroom = make_classroom(learners=users)
        lesson = make_lesson([], self.pairs, is_published=True)
        Assignment.objects.create(classroom=classroom, lesson=lesson, due=timezone.now())
        lesson_done(users[0], lesson)
        answers_bulk(users, self.pairs, answers)
        client = api_as(classroom.teacher)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/classes/{classroom.pk}/report/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.json()["learners"]), learners)
        return len(captured)

    def test_queries_do_not_grow_with_learners_or_answers(self):
        small = self.queries_for(3, 10)
        large = self.queries_for(12, 40)
        self.assertEqual(small, large)

    def test_the_selector_takes_six_queries(self):
        users = [make_user() for _ in range(5)]
        classroom = make_classroom(learners=users)
        Assignment.objects.create(
            classroom=classroom,
            lesson=make_lesson([], self.pairs, is_published=True),
            due=timezone.now(),
        )
        answers_bulk(users, self.pairs, 20)
        with self.assertNumQueries(6):
            report = class_report(classroom)
        self.assertEqual(sum(learner.attempts for learner in report.learners), 100)


class LocalDayTests(TestCase):
    """Days and weeks are the learner's local ones (Vietnam, UTC+7), not UTC's."""

    def test_answers_either_side_of_local_midnight_are_two_days_and_two_weeks(self):
        learner = make_user()
        classroom = make_classroom(learners=[learner])
        pair = make_pair(*make_contrast())
        # Sunday 2026-11-29 23:30 and Monday 2026-11-30 00:30 in Hà Nội: the same UTC day.
        for moment in (
            datetime(2026, 11, 29, 16, 30, tzinfo=UTC),
            datetime(2026, 11, 29, 17, 30, tzinfo=UTC),
        ):
            attempt = answer(learner, pair, played=1, chosen=1)
            DrillAttempt.objects.filter(pk=attempt.pk).update(
                created_at=moment - timedelta(seconds=3), answered_at=moment
            )
        report = class_report(classroom, now=datetime(2026, 12, 1, tzinfo=UTC))
        self.assertEqual(report.learners[0].days_active, 2)
        self.assertEqual(report.learners[0].practice_seconds, 6)
        self.assertEqual(report.learners[0].last_active.isoformat(), "2026-11-30")
        self.assertEqual(
            [week.week.isoformat() for week in report.weeks], ["2026-11-23", "2026-11-30"]
        )


class ReportJsonTests(TestCase):
    def test_the_fast_json_is_what_the_documented_serializer_gives(self):
        long_i, short_i = make_contrast()
        pair = make_pair(long_i, short_i)
        lan = make_user("lan")
        classroom = make_classroom(learners=[lan, make_user("minh")])
        lesson = make_lesson([long_i], [pair], is_published=True)
        Assignment.objects.create(classroom=classroom, lesson=lesson, due=timezone.now())
        for played, chosen in ((1, 2), (1, 2), (2, 2), (1, 1)):
            answer(lan, pair, played=played, chosen=chosen)
        report = class_report(classroom)
        self.assertEqual(report_json(report), ReportSerializer(report).data)
