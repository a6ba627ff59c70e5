"""``manage.py teacher_add``: an existing user joins the ``teachers`` group, once."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase

from apps.classes.selectors import is_teacher
from tests.factories import make_user


class TeacherAddTests(TestCase):
    def test_an_existing_user_becomes_a_teacher_and_not_staff(self):
        user = make_user("co-lan")
        out = StringIO()
        call_command("teacher_add", "co-lan", stdout=out)
        user.refresh_from_db()
        self.assertTrue(is_teacher(user))
        self.assertFalse(user.is_staff)
        self.assertIn("now a teacher", out.getvalue())

    def test_running_it_twice_changes_nothing(self):
        user = make_user("co-lan")
        call_command("teacher_add", "co-lan", stdout=StringIO())
        out = StringIO()
        call_command("teacher_add", "co-lan", stdout=out)
        self.assertEqual(user.groups.count(), 1)
        self.assertIn("already", out.getvalue())

    def test_an_unknown_user_is_a_clear_error(self):
        with self.assertRaisesMessage(CommandError, "No user named 'nobody'"):
            call_command("teacher_add", "nobody", stdout=StringIO())

    def test_an_inactive_teacher_is_not_a_teacher(self):
        user = make_user("old", is_active=False)
        call_command("teacher_add", "old", stdout=StringIO())
        self.assertFalse(is_teacher(user))
