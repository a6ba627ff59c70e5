from django.db import migrations


def teachers_group_create(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="teachers")


class Migration(migrations.Migration):
    """The ``teachers`` group exists from the start, so the admin can put users in it."""

    dependencies = [("classes", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(teachers_group_create, migrations.RunPython.noop)]
