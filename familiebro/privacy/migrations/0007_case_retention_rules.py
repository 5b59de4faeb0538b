"""Seed the retention rules for requests for help and closed cases.

Like 0005, this writes the defaults once; docs/data-protection.md (section 6) explains them,
and the live rules are the rows of privacy_retentionrule, which a data protection officer may
change. Rows that already exist are left as they are.

The categories must match the handlers in familiebro.cases.retention.
"""

from django.db import migrations

DAYS_PER_YEAR = 365

DEFAULT_RULES = [
    {
        "category": "closed_help_request",
        "period_days": 1 * DAYS_PER_YEAR,
        "outcome": "delete",
        "legal_reference": (
            "GDPR art. 5(1)(c) and (e): the purpose (first contact) is fulfilled at closing; "
            "kept 1 year for questions and complaints about how the request was handled"
        ),
    },
    {
        "category": "closed_case",
        "period_days": 5 * DAYS_PER_YEAR,
        "outcome": "delete",
        "legal_reference": (
            "GDPR art. 5(1)(e) and 5(2); foreldelsesloven § 9: a coordination record, not the "
            "health record (EPJ); kept 5 years after closing for a return, complaints and claims"
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
    dependencies = [("privacy", "0006_assignment_work_ended_at")]
    operations = [migrations.RunPython(seed, unseed)]
