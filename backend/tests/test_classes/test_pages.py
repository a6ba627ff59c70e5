"""The class pages in Vietnamese: a learner joins, shares, leaves; a teacher creates a class,
assigns a lesson, reads the report and removes a learner; nobody else reaches those pages."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.test import TestCase
from django.utils import timezone

from apps.classes.models import Assignment, Classroom, Membership
from tests.factories import make_user
from tests.test_classes.helpers import answer, make_classroom, make_teacher
from tests.test_practice.helpers import make_contrast, make_lesson, make_pair


class LearnerPageTests(TestCase):
    def setUp(self):
        self.learner = make_user("lan")
        self.client.force_login(self.learner)
        self.classroom = make_classroom(name="Lớp 10A1")

    def test_the_page_wants_a_login(self):
        self.client.logout()
        response = self.client.get("/hoc/lop/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/hoc/dang-nhap/", response["Location"])

    def test_a_learner_joins_by_code_from_the_page(self):
        response = self.client.post(
            "/hoc/lop/", {"code": self.classroom.join_code.lower()}, follow=True
        )
        self.assertContains(response, "Bạn đã vào lớp “Lớp 10A1”")
        self.assertTrue(Membership.objects.filter(user=self.learner).exists())

    def test_a_wrong_code_says_so_in_vietnamese(self):
        response = self.client.post("/hoc/lop/", {"code": "ZZZZZZ"})
        self.assertContains(response, "Không có lớp nào với mã này")
        self.assertFalse(Membership.objects.exists())

    def test_sharing_and_leaving_from_the_page(self):
        Membership.objects.create(classroom=self.classroom, user=self.learner)
        self.client.post(f"/hoc/lop/{self.classroom.pk}/chia-se/", {"share": "1"})
        self.assertTrue(Membership.objects.get().share_recordings)
        self.assertContains(self.client.get("/hoc/lop/"), "Thôi chia sẻ bản ghi")
        self.client.post(f"/hoc/lop/{self.classroom.pk}/chia-se/", {"share": "0"})
        self.assertFalse(Membership.objects.get().share_recordings)
        self.client.post(f"/hoc/lop/{self.classroom.pk}/roi-lop/")
        self.assertFalse(Membership.objects.exists())
        self.assertEqual(
            self.client.post(f"/hoc/lop/{self.classroom.pk}/roi-lop/").status_code, 404
        )

    def test_assignments_come_first_on_the_learner_pages(self):
        long_i, short_i = make_contrast()
        lesson = make_lesson(
            [long_i, short_i], [make_pair(long_i, short_i)], is_published=True, title_vi="Bài /iː/"
        )
        Membership.objects.create(classroom=self.classroom, user=self.learner)
        Assignment.objects.create(
            classroom=self.classroom, lesson=lesson, due=timezone.now() + timedelta(days=3)
        )
        # Before the drills on the home page, before joining on the classes page.
        for url, after in (("/hoc/", 'id="drill"'), ("/hoc/lop/", "Vào lớp")):
            with self.subTest(url=url):
                page = self.client.get(url).content.decode()
                self.assertIn("Bài /iː/", page)
                self.assertIn("Chưa bắt đầu", page)
                self.assertLess(page.index("Bài được giao"), page.index(after))

    def test_the_learner_cannot_open_the_teacher_pages(self):
        Membership.objects.create(classroom=self.classroom, user=self.learner)
        for url in (
            "/giao-vien/lop/",
            f"/giao-vien/lop/{self.classroom.pk}/",
            f"/giao-vien/lop/{self.classroom.pk}/hoc-vien/{self.learner.pk}/",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "Trang này chỉ dành cho giáo viên", status_code=403)
        self.assertEqual(self.client.post("/giao-vien/lop/", {"name": "X"}).status_code, 403)
        self.assertEqual(Classroom.objects.count(), 1)


class TeacherPageTests(TestCase):
    def setUp(self):
        self.teacher = make_teacher("co-lan")
        self.client.force_login(self.teacher)

    def test_the_menu_links_the_teachers_pages_for_teachers_only(self):
        self.assertContains(self.client.get("/hoc/lop/"), 'href="/giao-vien/lop/"')
        self.client.force_login(make_user())
        self.assertNotContains(self.client.get("/hoc/lop/"), 'href="/giao-vien/lop/"')

    def test_a_teacher_creates_a_class_from_the_page(self):
        response = self.client.post("/giao-vien/lop/", {"name": "Lớp 11B"}, follow=True)
        classroom = Classroom.objects.get()
        self.assertEqual(classroom.teacher, self.teacher)
        self.assertContains(response, classroom.join_code)
        self.assertContains(response, "Mã lớp")

    def test_the_class_page_shows_completion_weak_contrasts_and_confusions(self):
        long_i, short_i = make_contrast()
        pair = make_pair(long_i, short_i)
        lesson = make_lesson([long_i, short_i], [pair], is_published=True, title_vi="Bài /iː/")
        learner = make_user("minh")
        classroom = make_classroom(self.teacher, learners=[learner])
        response = self.client.post(
            f"/giao-vien/lop/{classroom.pk}/",
            {"lesson": lesson.pk, "due": "2030-05-01"},
            follow=True,
        )
        self.assertContains(response, "Đã giao bài.")
        for _ in range(3):
            answer(learner, pair, played=1, chosen=2)
        page = self.client.get(f"/giao-vien/lop/{classroom.pk}/")
        self.assertContains(page, "Bài /iː/")
        self.assertContains(page, "minh")
        self.assertContains(page, "Cặp âm lớp hay nhầm nhất")
        self.assertContains(
            page,
            '<span class="ipa" lang="en-fonipa">/iː/</span> → '
            '<span class="ipa" lang="en-fonipa">/ɪ/</span> ×3',
            html=False,
        )
        self.assertContains(page, "?format=csv")
        detail = self.client.get(f"/giao-vien/lop/{classroom.pk}/hoc-vien/{learner.pk}/")
        self.assertContains(detail, "Ma trận nhầm lẫn")
        self.assertContains(detail, "chưa cho phép chia sẻ bản ghi")

    def test_a_teacher_removes_a_learner_from_the_page(self):
        learner = make_user()
        classroom = make_classroom(self.teacher, learners=[learner])
        self.client.post(f"/giao-vien/lop/{classroom.pk}/hoc-vien/{learner.pk}/xoa/")
        self.assertFalse(Membership.objects.exists())

    def test_another_teachers_class_is_a_404(self):
        learner = make_user()
        theirs = make_classroom(make_teacher(), learners=[learner])
        for url in (
            f"/giao-vien/lop/{theirs.pk}/",
            f"/giao-vien/lop/{theirs.pk}/hoc-vien/{learner.pk}/",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "Không có lớp hoặc học viên này", status_code=404)
        self.assertEqual(
            self.client.post(f"/giao-vien/lop/{theirs.pk}/hoc-vien/{learner.pk}/xoa/").status_code,
            404,
        )
        self.assertTrue(Membership.objects.exists())
        self.assertNotContains(self.client.get("/giao-vien/lop/"), theirs.join_code)

    def test_a_teacher_who_is_not_staff_cannot_reach_the_admin(self):
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.assertEqual(self.client.get("/admin/classes/classroom/").status_code, 302)


class AdminTests(TestCase):
    def test_staff_see_classes_and_can_make_a_user_a_teacher_in_the_admin(self):
        admin = make_user("admin", is_staff=True, is_superuser=True)
        learner = make_user("lan")
        classroom = make_classroom(learners=[learner])
        self.client.force_login(admin)
        for url in (
            "/admin/classes/classroom/",
            f"/admin/classes/classroom/{classroom.pk}/change/",
            "/admin/classes/membership/",
            "/admin/classes/assignment/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        page = self.client.get(f"/admin/auth/user/{learner.pk}/change/").content.decode()
        teachers = Group.objects.get(name="teachers")
        self.assertIn(f'<option value="{teachers.pk}">teachers</option>', page)
