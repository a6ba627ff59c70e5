from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "apps.curriculum"
    verbose_name = "Curriculum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the receivers: files follow their rows; cached payloads follow the content.
        from apps.curriculum.api import cache  # noqa: F401
        from apps.curriculum.audio import signals  # noqa: F401
