"""Classes through the API: teachers create them, learners join by code and leave, teachers
remove learners; nobody reaches a class that is not theirs."""

from unittest import mock

from django.contrib.auth.models import Group
from django.test import TestCase
from rest_framework.test import APIClient

from apps.classes.models import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, Classroom, Membership
from tests.factories import make_user
from tests.test_classes.helpers import api_as, make_classroom, make_teacher

CLASS_ENDPOINTS = [
    ("get", "/api/classes/"),
    ("post", "/api/classes/"),
    ("post", "/api/classes/join/"),
    ("get", "/api/classes/1/"),
    ("delete", "/api/classes/1/members/me/"),
    ("put", "/api/classes/1/members/me/consent/"),
    ("delete", "/api/classes/1/members/2/"),
    ("post", "/api/classes/1/assignments/"),
    ("get", "/api/classes/1/report/"),
    ("get", "/api/classes/1/members/2/report/"),
    ("get", "/api/assignments/"),
]


class AnonymousTests(TestCase):
    def test_every_class_endpoint_wants_a_login(self):
        client = APIClient()
        for method, url in CLASS_ENDPOINTS:
            with self.subTest(f"{method} {url}"):
                self.assertEqual(getattr(client, method)(url).status_code, 401)


class CreateTests(TestCase):
    def test_a_teacher_creates_a_class_with_a_short_unambiguous_code(self):
        teacher = make_teacher()
        response = api_as(teacher).post("/api/classes/", {"name": "Lớp 10A1"}, format="json")
        self.assertEqual(response.status_code, 201)
        body = response.json()
        self.assertEqual(set(body), {"id", "name", "join_code"})
        self.assertEqual(body["name"], "Lớp 10A1")
        self.assertEqual(len(body["join_code"]), JOIN_CODE_LENGTH)
        self.assertTrue(set(body["join_code"]) <= set(JOIN_CODE_ALPHABET))
        self.assertFalse(set(body["join_code"]) & set("0O1IL"))
        self.assertEqual(Classroom.objects.get(pk=body["id"]).teacher, teacher)

    def test_codes_are_unique(self):
        teacher = make_teacher()
        codes = {make_classroom(teacher).join_code for _ in range(30)}
        self.assertEqual(len(codes), 30)

    def test_a_staff_user_is_a_teacher_too(self):
        staff = make_user(is_staff=True)
        response = api_as(staff).post("/api/classes/", {"name": "Staff"}, format="json")
        self.assertEqual(response.status_code, 201)

    def test_a_learner_cannot_create_a_class(self):
        response = api_as(make_user()).post("/api/classes/", {"name": "X"}, format="json")
        self.assertEqual(response.status_code, 403)
        self.assertIn("detail", response.json())
        self.assertFalse(Classroom.objects.exists())

    def test_a_class_needs_a_name(self):
        response = api_as(make_teacher()).post("/api/classes/", {"name": ""}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("name", response.json())

    def test_the_teachers_group_exists_for_the_admin(self):
        self.assertTrue(Group.objects.filter(name="teachers").exists())


class ListTests(TestCase):
    def test_a_teacher_lists_their_own_classes_only(self):
        teacher, other = make_teacher(), make_teacher()
        mine = make_classroom(teacher, name="Mine", learners=[make_user()])
        make_classroom(other, name="Theirs")
        body = api_as(teacher).get("/api/classes/").json()
        self.assertEqual(
            [(c["id"], c["role"], c["member_count"]) for c in body], [(mine.pk, "teacher", 1)]
        )

    def test_a_learner_lists_the_classes_they_joined(self):
        learner = make_user()
        joined = make_classroom(learners=[learner])
        make_classroom()
        body = api_as(learner).get("/api/classes/").json()
        self.assertEqual([(c["id"], c["role"]) for c in body], [(joined.pk, "learner")])
        self.assertFalse(body[0]["share_recordings"])


class JoinLeaveTests(TestCase):
    def setUp(self):
        self.classroom = make_classroom()
        self.learner = make_user()
        self.client = api_as(self.learner)

    def test_a_learner_joins_with_the_code(self):
        response = self.client.post(
            "/api/classes/join/", {"code": self.classroom.join_code}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["id"], self.classroom.pk)
        self.assertTrue(
            Membership.objects.filter(classroom=self.classroom, user=self.learner).exists()
        )

    def test_the_code_may_be_typed_in_lower_case_with_spaces(self):
        code = self.classroom.join_code.lower()
        response = self.client.post(
            "/api/classes/join/", {"code": f" {code[:3]} {code[3:]} "}, format="json"
        )
        self.assertEqual(response.status_code, 200)

    def test_joining_twice_is_harmless(self):
        for _ in range(2):
            self.client.post(
                "/api/classes/join/", {"code": self.classroom.join_code}, format="json"
            )
        self.assertEqual(Membership.objects.filter(user=self.learner).count(), 1)

    def test_an_unknown_code_is_a_clear_404(self):
        response = self.client.post("/api/classes/join/", {"code": "ZZZZZZ"}, format="json")
        self.assertEqual(response.status_code, 404)
        self.assertIn("mã", response.json()["detail"])

    def test_a_missing_code_is_a_400(self):
        self.assertEqual(self.client.post("/api/classes/join/", {}, format="json").status_code, 400)

    def test_a_teacher_cannot_join_their_own_class(self):
        response = api_as(self.classroom.teacher).post(
            "/api/classes/join/", {"code": self.classroom.join_code}, format="json"
        )
        self.assertEqual(response.status_code, 400)

    def test_a_learner_may_be_in_several_classes_and_leave_one(self):
        other = make_classroom()
        for classroom in (self.classroom, other):
            self.client.post("/api/classes/join/", {"code": classroom.join_code}, format="json")
        response = self.client.delete(f"/api/classes/{self.classroom.pk}/members/me/")
        self.assertEqual(response.status_code, 204)
        self.assertEqual(
            list(Membership.objects.filter(user=self.learner).values_list("classroom", flat=True)),
            [other.pk],
        )

    def test_leaving_a_class_one_is_not_in_is_a_404(self):
        self.assertEqual(
            self.client.delete(f"/api/classes/{self.classroom.pk}/members/me/").status_code, 404
        )
        self.assertEqual(self.client.delete("/api/classes/x/members/me/").status_code, 404)


class RemoveTests(TestCase):
    def setUp(self):
        self.learner = make_user()
        self.classroom = make_classroom(learners=[self.learner])

    def test_the_teacher_removes_a_learner(self):
        url = f"/api/classes/{self.classroom.pk}/members/{self.learner.pk}/"
        self.assertEqual(api_as(self.classroom.teacher).delete(url).status_code, 204)
        self.assertFalse(Membership.objects.filter(user=self.learner).exists())
        self.assertEqual(api_as(self.classroom.teacher).delete(url).status_code, 404)

    def test_another_teacher_cannot_remove_anyone(self):
        url = f"/api/classes/{self.classroom.pk}/members/{self.learner.pk}/"
        self.assertEqual(api_as(make_teacher()).delete(url).status_code, 404)
        self.assertTrue(Membership.objects.filter(user=self.learner).exists())

    def test_a_learner_cannot_remove_a_classmate(self):
        classmate = make_user()
        Membership.objects.create(classroom=self.classroom, user=classmate)
        url = f"/api/classes/{self.classroom.pk}/members/{classmate.pk}/"
        self.assertEqual(api_as(self.learner).delete(url).status_code, 404)
        self.assertTrue(Membership.objects.filter(user=classmate).exists())


class OtherPeoplesClassTests(TestCase):
    """Every class endpoint of a teacher answers 403 or 404 to everyone else."""

    def test_another_teacher_a_member_and_a_stranger_get_nothing(self):
        learner = make_user()
        classroom = make_classroom(learners=[learner])
        urls = [
            ("get", f"/api/classes/{classroom.pk}/"),
            ("delete", f"/api/classes/{classroom.pk}/"),
            ("get", f"/api/classes/{classroom.pk}/report/"),
            ("get", f"/api/classes/{classroom.pk}/report/?format=csv"),
            ("get", f"/api/classes/{classroom.pk}/assignments/"),
            ("post", f"/api/classes/{classroom.pk}/assignments/"),
            ("get", f"/api/classes/{classroom.pk}/members/{learner.pk}/report/"),
            ("get", f"/api/classes/{classroom.pk}/members/{learner.pk}/recordings/vowel/1/audio/"),
        ]
        for who in (make_teacher(), learner, make_user(), make_user(is_staff=True)):
            client = api_as(who)
            for method, url in urls:
                with self.subTest(who=who.username, url=f"{method} {url}"):
                    self.assertIn(getattr(client, method)(url).status_code, (403, 404))
        self.assertTrue(Classroom.objects.filter(pk=classroom.pk).exists())

    def test_the_teacher_sees_their_class_and_its_members(self):
        learner = make_user("lan")
        classroom = make_classroom(learners=[learner])
        body = api_as(classroom.teacher).get(f"/api/classes/{classroom.pk}/").json()
        self.assertEqual(body["join_code"], classroom.join_code)
        self.assertEqual([m["username"] for m in body["members"]], ["lan"])

    def test_the_teacher_ends_a_class(self):
        classroom = make_classroom(learners=[make_user()])
        response = api_as(classroom.teacher).delete(f"/api/classes/{classroom.pk}/")
        self.assertEqual(response.status_code, 204)
        self.assertFalse(Membership.objects.exists())


class JoinCodeCollisionTests(TestCase):
    def test_a_code_already_taken_is_drawn_again(self):
        taken = make_classroom().join_code
        with mock.patch(
            "apps.classes.services.join_code_new", side_effect=[taken, "ABCDEF"]
        ) as draw:
            classroom = make_classroom()
        self.assertEqual(classroom.join_code, "ABCDEF")
        self.assertEqual(draw.call_count, 2)
