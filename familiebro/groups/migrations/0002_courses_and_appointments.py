# Courses and appointment books were built side by side, each from an initial migration of
# its own; this joins the two histories.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("groups", "0001_appointments"), ("groups", "0001_courses")]

    operations: list = []
