"""The two built-in working calendars: China's official calendar (statutory holidays and adjusted
working days from the chinesecalendar package) and plain Monday–Friday."""

from django.db import migrations

BUILTIN = [("China", "china"), ("Monday–Friday", "mon_fri")]


def create(apps, schema_editor):
    calendar = apps.get_model("projects", "WorkCalendar")
    for name, base in BUILTIN:
        calendar.objects.get_or_create(name=name, defaults={"base": base, "is_builtin": True})


def remove(apps, schema_editor):
    apps.get_model("projects", "WorkCalendar").objects.filter(is_builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_plan")]
    operations = [migrations.RunPython(create, remove)]
