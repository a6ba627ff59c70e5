"""How long a teacher waits for the report of a big class.

Builds, in a throw-away SQLite database, a class of 200 learners with 50,000 answered drills
over 20 contrasts and 8 weeks, and 3 assignments; then renders the class report (the JSON API,
the CSV export and the teacher's HTML page) through Django's test client, several times each,
and prints the median wall and CPU time and the number of queries. Goal: under 300 ms of CPU
time (what the render costs on an idle machine). Exits 1 over it.

    .venv/bin/python bench/class_report_bench.py [--learners 200] [--attempts 50000] [--runs 7]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOAL_MS = 300


def setup_django(var: str) -> None:
    sys.path.insert(0, str(REPO / "backend"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-not-secret",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "testserver",
            "PHATAM_VAR_DIR": var,
            "PHATAM_ONLINE_TTS": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    import django
    from django.conf import settings

    django.setup()
    # Static URLs without collectstatic's manifest: the page's own work is what is timed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def build(learners: int, attempts: int):
    """The class, its learners, their answers; returns (teacher, classroom)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from apps.classes.models import Assignment, Membership
    from apps.classes.services import classroom_create, teacher_add
    from apps.curriculum.models import (
        MinimalPair,
        Phoneme,
        PhonemeCategory,
        PronunciationLesson,
        UserPronunciationLessonProgress,
    )
    from apps.practice.models import DrillAttempt

    users = get_user_model()
    teacher = users.objects.create_user("teacher")  # no password: the client forces a login
    teacher_add("teacher")
    classroom = classroom_create(teacher, name="Bench class")
    category = PhonemeCategory.objects.create(
        category_type="vowel", name="Vowels", name_vi="Nguyên âm"
    )
    phonemes = [
        Phoneme.objects.create(
            category=category, ipa_symbol=f"p{n}", vietnamese_approx="a", order=n
        )
        for n in range(40)
    ]
    pairs = [
        MinimalPair.objects.create(
            phoneme_1=phonemes[2 * n],
            phoneme_2=phonemes[2 * n + 1],
            word_1=f"word{n}a",
            word_1_ipa="wa",
            word_2=f"word{n}b",
            word_2_ipa="wb",
        )
        for n in range(20)
    ]
    learners_rows = users.objects.bulk_create(
        users(username=f"learner{n:03}") for n in range(learners)
    )
    Membership.objects.bulk_create(Membership(classroom=classroom, user=u) for u in learners_rows)
    now = timezone.now()
    lessons = []
    for n in range(3):
        lesson = PronunciationLesson.objects.create(
            slug=f"bench-{n}", title=f"Lesson {n}", title_vi=f"Bài {n}", order=n, is_published=True
        )
        Assignment.objects.create(classroom=classroom, lesson=lesson, due=now + timedelta(days=n))
        lessons.append(lesson)
    UserPronunciationLessonProgress.objects.bulk_create(
        UserPronunciationLessonProgress(
            user=u, lesson=lessons[0], status="completed", score=90, completed_at=now
        )
        for u in learners_rows[: learners // 2]
    )
    rows = []
    for index in range(attempts):
        played = 1 + index % 2
        chosen = played if index % 5 else 3 - played
        answered = now - timedelta(minutes=index % (8 * 7 * 24 * 60 // 10) * 10)
        rows.append(
            DrillAttempt(
                user=learners_rows[index % learners],
                pair=pairs[(index // learners) % len(pairs)],
                answer_word=played,
                word_1_key="a",
                accent="en-US",
                created_at=answered - timedelta(seconds=4),
                answered_at=answered,
                choice="a" if chosen == 1 else "b",
                correct=played == chosen,
            )
        )
    DrillAttempt.objects.bulk_create(rows, batch_size=5000)
    return teacher, classroom


def timed(client, url: str, runs: int) -> tuple[float, float, int, int]:
    """(median wall ms, median CPU ms, queries, bytes) of ``runs`` GETs of ``url``. SQLite
    runs in this process, so CPU time is the work itself: on a machine shared with other
    jobs, wall time also counts the time spent waiting for a core."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walls, cpus = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(walls), statistics.median(cpus), len(captured), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="phatam-bench-") as var:
        setup_django(var)
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", "--no-input", verbosity=0)
        start = time.perf_counter()
        teacher, classroom = build(options.learners, options.attempts)
        print(
            f"== built a class of {options.learners} learners with {options.attempts} answers "
            f"in {time.perf_counter() - start:.1f} s (SQLite)"
        )
        client = Client()
        client.force_login(teacher)
        worst_wall = worst_cpu = 0.0
        for label, url in [
            ("report API (JSON)", f"/api/classes/{classroom.pk}/report/"),
            ("report CSV export", f"/api/classes/{classroom.pk}/report/?format=csv"),
            ("teacher's page (HTML)", f"/giao-vien/lop/{classroom.pk}/"),
        ]:
            client.get(url)  # warm: templates, URL resolvers
            wall, cpu, queries, size = timed(client, url, options.runs)
            worst_wall, worst_cpu = max(worst_wall, wall), max(worst_cpu, cpu)
            print(
                f"{label:24} median {wall:7.1f} ms wall {cpu:7.1f} ms CPU"
                f"  {queries:2} queries  {size / 1024:6.1f} KiB"
            )
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"load average {load} on {os.cpu_count()} cores")
        # The goal is for an idle machine: CPU time is what the render costs; wall time on a
        # busy one adds the wait for a core.
        verdict = "OK" if worst_cpu < GOAL_MS else "OVER"
        print(
            f"slowest median: {worst_cpu:.1f} ms CPU, {worst_wall:.1f} ms wall; "
            f"goal < {GOAL_MS} ms: {verdict}"
        )
        sys.exit(0 if worst_cpu < GOAL_MS else 1)


if __name__ == "__main__":
    main()
