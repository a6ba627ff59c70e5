from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "apps.classes"
    verbose_name = "Classes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.classes.services import class_data_delete
        from apps.core.hooks import account_delete_hooks

        account_delete_hooks.register(class_data_delete)
