from django.apps import AppConfig
from django.db.models.signals import post_migrate


def teachers_group_ensure(sender, using="default", **kwargs) -> None:
    """The ``teachers`` group always exists for the admin: created after every migrate (as
    Django recreates permissions), so a database flushed by ``flush`` gets it back too."""
    from django.contrib.auth.models import Group

    from apps.classes.models import TEACHERS_GROUP

    Group.objects.using(using).get_or_create(name=TEACHERS_GROUP)


class ClassesConfig(AppConfig):
    name = "apps.classes"
    verbose_name = "Classes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.classes.services import class_data_delete
        from apps.core.hooks import account_delete_hooks

        account_delete_hooks.register(class_data_delete)
        post_migrate.connect(teachers_group_ensure, sender=self)
