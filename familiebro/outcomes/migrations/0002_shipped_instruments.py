"""Install version 1 of the questionnaires Familiebro ships (outcomes.instrument_library)."""

from django.db import migrations


def seed(apps, schema_editor):
    from familiebro.outcomes.instrument_library import install_shipped

    install_shipped(
        apps.get_model("outcomes", "Instrument"),
        apps.get_model("outcomes", "InstrumentVersion"),
        apps.get_model("outcomes", "Item"),
    )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
