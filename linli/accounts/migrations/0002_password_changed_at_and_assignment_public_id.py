import uuid

from django.db import migrations, models

import linli.accounts.models


def give_each_assignment_its_own_id(apps, schema_editor):
    # A callable default is evaluated once for AddField: existing rows would share one UUID.
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    for row in RoleAssignment.objects.only("pk").iterator():
        RoleAssignment.objects.filter(pk=row.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="roleassignment",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_assignment_its_own_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="roleassignment",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="user",
            name="password_changed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="password changed"),
        ),
        migrations.AlterModelManagers(
            name="user",
            managers=[("objects", linli.accounts.models.UserManager())],
        ),
    ]
