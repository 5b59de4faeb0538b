"""PostgreSQL: the finder's Norwegian full-text vector, stored, with its own GIN index.

The GIN expression index of 0002 finds the offers that have a word, but ranking them, and
checking the word in offers already narrowed down by municipality, computes
to_tsvector('norwegian', search_document) again for every such row: at 20,000 offers a
common word ("familie") cost 2–3 seconds. A stored generated column holds the vector once,
kept current by PostgreSQL whenever search_document changes, so ranking and checking read
it instead of parsing the text.

The partial index on digital offers lets the finder list the digital offers open to the
whole country (which every municipality shows) without reading every offer.

The column is not a field of the model: Django never writes it, and SQLite (demos) has no
text-search vectors and searches otherwise (see familiebro.catalogue.finder).

It comes after 0005, which was written and applied first: depending on it keeps databases
that already have 0005 consistent.
"""

from django.db import migrations

CREATE = """
ALTER TABLE catalogue_offer ADD COLUMN IF NOT EXISTS search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('norwegian'::regconfig, search_document)) STORED;
CREATE INDEX IF NOT EXISTS catalogue_offer_search_vector
    ON catalogue_offer USING gin (search_vector);
CREATE INDEX IF NOT EXISTS catalogue_offer_digital
    ON catalogue_offer (id) WHERE is_digital;
ANALYZE catalogue_offer;
"""

DROP = """
DROP INDEX IF EXISTS catalogue_offer_digital;
DROP INDEX IF EXISTS catalogue_offer_search_vector;
ALTER TABLE catalogue_offer DROP COLUMN IF EXISTS search_vector;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0005_hsds_fields")]
    operations = [migrations.RunPython(forwards, backwards)]
