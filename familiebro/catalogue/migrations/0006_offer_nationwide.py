"""Offer.is_nationwide: digital offers that name no municipality, stored and indexed.

Every search with a municipality also lists the digital offers open to the whole country.
Deciding that per search meant testing all offers' municipalities (an anti-join over every
offer–municipality row, about 3 ms at 20,000 offers); stored, it is a partial index of the
few hundred such offers. The column has a database default so code that does not know it yet
can still insert offers; the existing offers are marked here, by the same rule the catalogue
applies on every write (familiebro.catalogue.search.refresh_search_fields).
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def mark_nationwide(apps, schema_editor):
    Offer = apps.get_model("catalogue", "Offer")
    named = Offer.municipalities.through.objects.filter(offer_id=OuterRef("pk"))
    Offer.objects.filter(is_digital=True).exclude(Exists(named)).update(is_nationwide=True)


def analyze(apps, schema_editor):
    # The planner needs to know how few offers are nationwide to read the partial index.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE catalogue_offer", params=None)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0004_finder_indexes")]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="is_nationwide",
            field=models.BooleanField(db_default=False, default=False, editable=False),
        ),
        migrations.RunPython(mark_nationwide, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="offer",
            index=models.Index(
                condition=models.Q(("is_nationwide", True)),
                fields=["id"],
                name="catalogue_offer_nationwide",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
