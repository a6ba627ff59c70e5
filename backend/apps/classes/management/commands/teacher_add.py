"""Make an existing user a teacher (the ``teachers`` group): they can then create classes."""

from django.core.management.base import BaseCommand, CommandError

from apps.classes.services import UnknownUser, teacher_add


class Command(BaseCommand):
    help = "Put an existing user in the 'teachers' group (running it twice changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            user, added = teacher_add(username)
        except UnknownUser:
            raise CommandError(f"No user named {username!r}: create the account first.") from None
        if added:
            self.stdout.write(f"{user.get_username()} is now a teacher.")
        else:
            self.stdout.write(f"{user.get_username()} was already a teacher.")
