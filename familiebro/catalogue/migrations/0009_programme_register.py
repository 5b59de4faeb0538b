"""The programme register is kept in the product: who rated a programme's evidence and when,
and when the entry last changed. The shipped entries with an Ungsinn level name Ungsinn as the
rater (their source URL is an ungsinn.no article); the date of each rating is not in the
sources and is left for the editors."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Programme = apps.get_model("catalogue", "Programme")
    Programme.objects.filter(evidence_level__isnull=False, evidence_source_name="").update(
        evidence_source_name="Ungsinn"
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0008_crisis_lines")]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="evidence_source_name",
            field=models.CharField(
                blank=True, default="", max_length=200, verbose_name="who rated the evidence"
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="evidence_rated_on",
            field=models.DateField(blank=True, null=True, verbose_name="date of the rating"),
        ),
        migrations.AddField(
            model_name="programme",
            name="updated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last changed"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
