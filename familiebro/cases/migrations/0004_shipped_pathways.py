"""Seed version 1 of the three pathway definitions Familiebro ships."""

from django.db import migrations


def seed(apps, schema_editor):
    from familiebro.cases.pathway_library import install_shipped

    install_shipped(
        apps.get_model("cases", "PathwayDefinition"), apps.get_model("cases", "PathwayVersion")
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_pathway_cases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
