"""Seed the default retention rules: how long each category of data is kept, and what then.

This is the one place the default periods are written down; docs/data-protection.md explains
each choice. The live rules are the rows of privacy_retentionrule: a data protection officer
may change a period there (through the admin) and `familiebro apply-retention` follows the
table, never these constants. Existing rows are left as they are, so running this on a
database whose rules were already adjusted changes nothing.

The categories must match the handlers in familiebro.privacy.retention.
"""

from django.db import migrations

DAYS_PER_YEAR = 365

DEFAULT_RULES = [
    {
        "category": "anonymous_consultation",
        "period_days": 5 * DAYS_PER_YEAR,
        "outcome": "delete",
        "legal_reference": (
            "No personal data; kept 5 years for learning and statistics, then deleted "
            "(GDPR art. 5(1)(e) applied as good practice)"
        ),
    },
    {
        "category": "inactive_person",
        "period_days": 2 * DAYS_PER_YEAR,
        "outcome": "anonymise",
        "legal_reference": (
            "GDPR art. 5(1)(c) and (e), art. 17(1)(a): no longer needed when no service has "
            "worked with the family or held their consent for 2 years"
        ),
    },
    {
        "category": "ended_consent",
        "period_days": 10 * DAYS_PER_YEAR,
        "outcome": "delete",
        "legal_reference": (
            "GDPR art. 7(1) and 5(2); forvaltningsloven § 13 a nr. 1; helsepersonelloven § 22: "
            "proof of the consent that lifted the duty of confidentiality"
        ),
    },
    {
        "category": "ended_exceptional_access",
        "period_days": 10 * DAYS_PER_YEAR,
        "outcome": "delete",
        "legal_reference": (
            "GDPR art. 5(2); barnevernsloven § 13-2; helsepersonelloven § 33; "
            "pasientjournalloven § 22: proof of the legal basis for access without consent"
        ),
    },
    {
        "category": "ended_assignment",
        "period_days": 10 * DAYS_PER_YEAR,
        "outcome": "delete",
        "legal_reference": (
            "GDPR art. 5(2); pasientjournalloven § 22 (access control): proof of who had a "
            "need to know, and when"
        ),
    },
]


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for rule in DEFAULT_RULES:
        RetentionRule.objects.get_or_create(
            category=rule["category"],
            defaults={key: value for key, value in rule.items() if key != "category"},
        )


def unseed(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    RetentionRule.objects.filter(category__in=[r["category"] for r in DEFAULT_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_consent_texts")]
    operations = [migrations.RunPython(seed, unseed)]
