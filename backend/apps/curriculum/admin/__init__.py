"""The admin, split by domain; importing the modules registers their ModelAdmins."""

from apps.curriculum.admin import audio, curriculum  # noqa: F401
