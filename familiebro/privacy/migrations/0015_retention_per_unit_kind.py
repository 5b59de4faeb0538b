"""Retention per data controller and kind of unit, with "preserve and deposit", legal holds
and deposits.

The rules gain a data controller and a kind of unit; the rules already in the table become
the instance's defaults (no controller, every kind) with their period, outcome and reference
exactly as they are, so a period a data controller set is kept. Then the archive rules are
seeded as defaults for the kinds of unit they keep (docs/data-protection.md, section 6):
closed cases and requests for help of health centres, school health services and child
welfare services are preserved and deposited, not deleted. A row that already exists for a
category and kind is left as it is.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


DAYS_PER_YEAR = 365

HEALTH_RECORDS = (
    "Riksarkivarens forskrift § 7-29 (from 2020): patient records of health centres and the "
    "school health service are preserved and deposited; arkivlova § 9 c"
)
CHILD_WELFARE = (
    "Riksarkivarens forskrift kap. 7 (municipal preservation rules) and Arkivverket's "
    "guidance: child welfare case files are preserved; arkivlova § 9 c"
)

# (category, kind of unit, years kept in Familiebro before the deposit, reference)
ARCHIVE_RULES = [
    ("closed_case", "helsestasjon", 5, HEALTH_RECORDS),
    ("closed_case", "skolehelsetjeneste", 5, HEALTH_RECORDS),
    ("closed_case", "barnevern", 5, CHILD_WELFARE),
    ("closed_help_request", "helsestasjon", 1, HEALTH_RECORDS),
    ("closed_help_request", "skolehelsetjeneste", 1, HEALTH_RECORDS),
    ("closed_help_request", "barnevern", 1, CHILD_WELFARE),
]


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for category, kind, years, reference in ARCHIVE_RULES:
        RetentionRule.objects.get_or_create(
            category=category,
            organisation=None,
            unit_kind=kind,
            defaults={
                "period_days": years * DAYS_PER_YEAR,
                "outcome": "preserve",
                "legal_reference": reference,
            },
        )


def unseed(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    RetentionRule.objects.exclude(organisation=None, unit_kind="").delete()
    RetentionRule.objects.filter(outcome="preserve").update(outcome="delete")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_service_unit_confidentiality_domain'),
        ('privacy', '0013_disclosure'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Deposit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('package_id', models.UUIDField(unique=True, verbose_name='package')),
                ('category', models.CharField(max_length=50, verbose_name='data category')),
                ('object_type', models.CharField(max_length=100, verbose_name='kind of record')),
                ('object_ids', models.JSONField(default=list, verbose_name='records')),
                ('manifest_sha256', models.CharField(max_length=64, verbose_name='checksum of the manifest')),
                ('created_at', models.DateTimeField(verbose_name='made')),
                ('created_by', models.CharField(max_length=200, verbose_name='made by')),
                ('transferred_at', models.DateTimeField(blank=True, null=True, verbose_name='taken over by the archive')),
                ('transferred_note', models.CharField(blank=True, max_length=200, verbose_name="archive's receipt")),
            ],
            options={
                'verbose_name': 'deposit',
                'verbose_name_plural': 'deposits',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='LegalHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_type', models.CharField(blank=True, max_length=100, verbose_name='kind of record')),
                ('object_id', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='record')),
                ('reason', models.TextField(verbose_name='reason')),
                ('placed_at', models.DateTimeField(verbose_name='placed')),
                ('lifted_at', models.DateTimeField(blank=True, null=True, verbose_name='lifted')),
                ('lift_reason', models.TextField(blank=True, verbose_name='why it was lifted')),
            ],
            options={
                'verbose_name': 'legal hold',
                'verbose_name_plural': 'legal holds',
                'ordering': ['-placed_at'],
            },
        ),
        migrations.AlterModelOptions(
            name='retentionrule',
            options={'ordering': ['category', 'organisation_id', 'unit_kind'], 'verbose_name': 'retention rule', 'verbose_name_plural': 'retention rules'},
        ),
        migrations.AddField(
            model_name='retentionrule',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='retention_rules', to='core.organisation', verbose_name='data controller'),
        ),
        migrations.AddField(
            model_name='retentionrule',
            name='unit_kind',
            field=models.CharField(blank=True, max_length=30, verbose_name='kind of unit'),
        ),
        migrations.AlterField(
            model_name='retentionrule',
            name='category',
            field=models.CharField(max_length=50, verbose_name='data category'),
        ),
        migrations.AlterField(
            model_name='retentionrule',
            name='outcome',
            field=models.CharField(choices=[('delete', 'Delete'), ('anonymise', 'Anonymise'), ('preserve', 'Preserve and deposit')], max_length=10, verbose_name='then'),
        ),
        migrations.AddConstraint(
            model_name='retentionrule',
            constraint=models.UniqueConstraint(fields=('category', 'organisation', 'unit_kind'), name='retention_rule_unique_per_controller_and_kind'),
        ),
        migrations.AddConstraint(
            model_name='retentionrule',
            constraint=models.UniqueConstraint(condition=models.Q(('organisation__isnull', True)), fields=('category', 'unit_kind'), name='retention_rule_unique_default_per_kind'),
        ),
        migrations.AddField(
            model_name='deposit',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deposits', to='core.organisation', verbose_name='data controller'),
        ),
        migrations.AddField(
            model_name='legalhold',
            name='lifted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='lifted by'),
        ),
        migrations.AddField(
            model_name='legalhold',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='legal_holds', to='core.organisation', verbose_name='data controller'),
        ),
        migrations.AddField(
            model_name='legalhold',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='legal_holds', to='core.person', verbose_name='person'),
        ),
        migrations.AddField(
            model_name='legalhold',
            name='placed_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='placed by'),
        ),
        migrations.AddConstraint(
            model_name='legalhold',
            constraint=models.CheckConstraint(condition=models.Q(('person__isnull', False), models.Q(('object_id__isnull', False), models.Q(('object_type', ''), _negated=True)), _connector='OR'), name='legal_hold_names_what_it_holds'),
        ),
        migrations.AddConstraint(
            model_name='legalhold',
            constraint=models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='legal_hold_has_a_reason'),
        ),
        migrations.RunPython(seed, unseed),
    ]
