"""The finder's index terms and thesaurus.

Offer.search_title, search_themes and search_body hold each offer's words, stems and compound
parts (familiebro.catalogue.finder.analysis), filled here for the offers that exist by the
catalogue's own rule (familiebro.catalogue.search.build_search_terms). On PostgreSQL a stored
generated column weighs them (title A, themes B, text D) in one text-search vector of the
`simple` configuration, since the analysis is done in Python, with a GIN index: the finder
tests its terms there by weight.

The thesaurus is data: its first version is the default shipped with the product
(familiebro/catalogue/data/thesaurus.txt); editors save newer ones.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


VECTOR = """
ALTER TABLE catalogue_offer ADD COLUMN IF NOT EXISTS search_terms_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, search_title), 'A')
        || setweight(to_tsvector('simple'::regconfig, search_themes), 'B')
        || setweight(to_tsvector('simple'::regconfig, search_body), 'D')
    ) STORED;
CREATE INDEX IF NOT EXISTS catalogue_offer_search_terms
    ON catalogue_offer USING gin (search_terms_vector);
"""

DROP_VECTOR = """
DROP INDEX IF EXISTS catalogue_offer_search_terms;
ALTER TABLE catalogue_offer DROP COLUMN IF EXISTS search_terms_vector;
"""


def load_default_thesaurus(apps, schema_editor):
    from familiebro.catalogue.finder.thesaurus import default_text

    Thesaurus = apps.get_model("catalogue", "Thesaurus")
    if not Thesaurus.objects.exists():
        Thesaurus.objects.create(
            version=1, text=default_text(), note="The default thesaurus shipped with Familiebro"
        )


def fill_search_terms(apps, schema_editor):
    from familiebro.catalogue.search import build_search_terms

    Offer = apps.get_model("catalogue", "Offer")
    offers = Offer.objects.select_related("programme").prefetch_related(
        "topics", "target_groups", "translations"
    )
    for offer in offers.iterator(chunk_size=500):
        terms = build_search_terms(offer)
        Offer.objects.filter(pk=offer.pk).update(
            search_title=terms.title, search_themes=terms.themes, search_body=terms.body
        )


def add_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(VECTOR, params=None)
        schema_editor.execute("ANALYZE catalogue_offer", params=None)


def drop_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_VECTOR, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0006_offer_nationwide"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="search_body",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.AddField(
            model_name="offer",
            name="search_themes",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.AddField(
            model_name="offer",
            name="search_title",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.CreateModel(
            name="Thesaurus",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(unique=True, verbose_name="version")),
                ("text", models.TextField(verbose_name="thesaurus")),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="what changed")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="saved")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="saved by",
                    ),
                ),
            ],
            options={
                "verbose_name": "thesaurus version",
                "verbose_name_plural": "thesaurus versions",
                "ordering": ["-version"],
            },
        ),
        migrations.RunPython(load_default_thesaurus, migrations.RunPython.noop),
        migrations.RunPython(fill_search_terms, migrations.RunPython.noop),
        migrations.RunPython(add_vector, drop_vector),
    ]
