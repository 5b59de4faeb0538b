"""The family's access log made exact (issue 26, point 8) and roles authorised by the data
controller (point 11).

Hiding an exceptional access from the family becomes the controller's decision with an end
date. An access its opener hid before this rule has no such decision: it stays hidden for at
most 30 days from the upgrade, so that the controller's leaders can decide (their report
shows it), and then shows. Leaders' oversight of their members' persons becomes off unless
the controller turns it on: the default of a new rule changes; an organisation's rule already
recorded keeps its value.
"""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# How long an access its opener hid stays hidden after the upgrade, awaiting the controller.
UNDECIDED_HIDING_DAYS = 30


def end_undecided_hiding(apps, schema_editor):
    ExceptionalAccess = apps.get_model("privacy", "ExceptionalAccess")
    until = timezone.localdate() + datetime.timedelta(days=UNDECIDED_HIDING_DAYS)
    ExceptionalAccess.objects.filter(hidden_from_family=True, hidden_until__isnull=True).update(
        hidden_until=until
    )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_service_unit_confidentiality_domain'),
        ('privacy', '0016_consent_capacity'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessLogReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period_start', models.DateField(verbose_name='from')),
                ('period_end', models.DateField(verbose_name='to')),
                ('reviewed_at', models.DateTimeField()),
                ('findings', models.JSONField(default=dict)),
                ('notes', models.TextField(verbose_name='notes')),
            ],
            options={
                'verbose_name': 'access log review',
                'verbose_name_plural': 'access log reviews',
                'ordering': ['-reviewed_at'],
            },
        ),
        migrations.CreateModel(
            name='RoleAuthorisation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(max_length=20, verbose_name='role')),
                ('authorised_by', models.CharField(max_length=200, verbose_name='authorised by')),
                ('reference', models.CharField(max_length=100, verbose_name='reference')),
                ('granted_at', models.DateTimeField()),
            ],
            options={
                'verbose_name': 'role authorisation',
                'verbose_name_plural': 'role authorisations',
                'ordering': ['-granted_at'],
            },
        ),
        migrations.AddField(
            model_name='exceptionalaccess',
            name='hidden_until',
            field=models.DateField(blank=True, null=True, verbose_name='hidden from the family until'),
        ),
        migrations.AddField(
            model_name='exceptionalaccess',
            name='hiding_decided_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='exceptionalaccess',
            name='hiding_decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='oversightrule',
            name='leaders_see_unit_persons',
            field=models.BooleanField(default=False, verbose_name='leaders see the persons their unit works with'),
        ),
        migrations.RunPython(end_undecided_hiding, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='exceptionalaccess',
            constraint=models.CheckConstraint(condition=models.Q(('hidden_from_family', False), ('hidden_until__isnull', False), _connector='OR'), name='exceptional_access_hidden_until_a_date'),
        ),
        migrations.AddField(
            model_name='accesslogreview',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='access_log_reviews', to='core.organisation'),
        ),
        migrations.AddField(
            model_name='accesslogreview',
            name='reviewed_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='roleauthorisation',
            name='granted_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='roleauthorisation',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.organisation'),
        ),
        migrations.AddField(
            model_name='roleauthorisation',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.serviceunit'),
        ),
        migrations.AddField(
            model_name='roleauthorisation',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='accesslogreview',
            constraint=models.CheckConstraint(condition=models.Q(('period_start__lte', models.F('period_end'))), name='access_log_review_period_in_order'),
        ),
    ]
