"""An anonymous consultation records whether child welfare advised a report, and when the unit
made it; its retention period becomes short, as for pseudonymous personal data.

The record is pseudonymous personal data for the unit that brought the case (it knows the
family), so the default period drops from 5 years to 1 year after the consultation
(docs/data-protection.md, sections 6 and 11). A rule a data protection officer already changed
is left as it is: only the old default is replaced.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DAYS_PER_YEAR = 365
CATEGORY = "anonymous_consultation"
OLD_DEFAULT = {
    "period_days": 5 * DAYS_PER_YEAR,
    "legal_reference": (
        "No personal data; kept 5 years for learning and statistics, then deleted "
        "(GDPR art. 5(1)(e) applied as good practice)"
    ),
}
NEW_DEFAULT = {
    "period_days": 1 * DAYS_PER_YEAR,
    "legal_reference": (
        "GDPR art. 4(5) and recital 26: pseudonymous personal data for the unit that brought "
        "the case; art. 5(1)(c) and (e): kept 1 year after the consultation, then deleted"
    ),
}


def shorten(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    RetentionRule.objects.filter(category=CATEGORY, **OLD_DEFAULT).update(**NEW_DEFAULT)
    RetentionRule.objects.get_or_create(
        category=CATEGORY, defaults={"outcome": "delete", **NEW_DEFAULT}
    )


def lengthen(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    RetentionRule.objects.filter(category=CATEGORY, **NEW_DEFAULT).update(**OLD_DEFAULT)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0011_family_access_rule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="anonymousconsultation",
            name="child_welfare_advised_report",
            field=models.BooleanField(
                default=False,
                verbose_name="child welfare advised that the duty to report applies",
            ),
        ),
        migrations.AddField(
            model_name="anonymousconsultation",
            name="report_made_on",
            field=models.DateField(blank=True, null=True, verbose_name="report made on"),
        ),
        migrations.AddField(
            model_name="anonymousconsultation",
            name="report_recorded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="anonymousconsultation",
            name="report_recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="report recorded by",
            ),
        ),
        migrations.RunPython(shorten, lengthen),
    ]
