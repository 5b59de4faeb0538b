"""PostgreSQL indexes for the finder: Norwegian full-text search and trigram similarity.

SQLite, the embedded default for demos, searches without them.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS catalogue_offer_search_fts
    ON catalogue_offer USING gin (to_tsvector('norwegian', search_document));
CREATE INDEX IF NOT EXISTS catalogue_offer_search_trgm
    ON catalogue_offer USING gin (search_document gin_trgm_ops);
CREATE INDEX IF NOT EXISTS catalogue_offer_title_trgm
    ON catalogue_offer USING gin (title gin_trgm_ops);
"""

DROP = """
DROP INDEX IF EXISTS catalogue_offer_title_trgm;
DROP INDEX IF EXISTS catalogue_offer_search_trgm;
DROP INDEX IF EXISTS catalogue_offer_search_fts;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
