"""Seed version 1 of the three pathway definitions Familiebro ships."""

from django.db import migrations


def seed(apps, schema_editor):
    from familiebro.cases.pathway_library import SHIPPED
    from familiebro.cases.pathways import parse_spec

    definitions = apps.get_model("cases", "PathwayDefinition")
    versions = apps.get_model("cases", "PathwayVersion")
    for key, spec in SHIPPED.items():
        parse_spec(spec)  # a shipped definition that does not parse must stop the migration
        definition, _ = definitions.objects.get_or_create(
            key=key, defaults={"name": spec["name"]["nb"]}
        )
        versions.objects.get_or_create(
            definition=definition, number=1, defaults={"spec": spec, "note": "Levert med Familiebro"}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_pathway_cases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
