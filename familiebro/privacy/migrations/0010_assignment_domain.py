"""An assignment records the confidentiality domain its need to know was given in.

A unit's assignment is in the unit's domain; a case's participant's in the domain of the case's
owning unit. Any other assignment of a staff member (registering a person, assigned by a
colleague) keeps what it opened before: it is given in each domain the staff member works in
within the organisation, one row per domain.
"""

from django.db import migrations, models


def record_domains(apps, schema_editor):
    Assignment = apps.get_model("privacy", "Assignment")
    Membership = apps.get_model("core", "Membership")
    Case = apps.get_model("cases", "Case")
    for assignment in Assignment.objects.filter(unit__isnull=False).select_related("unit"):
        assignment.domain = assignment.unit.domain
        assignment.save(update_fields=["domain"])
    given = Case.need_to_know_given.through
    for case in Case.objects.select_related("unit").only("pk", "unit__domain").iterator():
        Assignment.objects.filter(
            pk__in=given.objects.filter(case_id=case.pk).values("assignment_id"), domain=""
        ).update(domain=case.unit.domain)
    for assignment in Assignment.objects.filter(domain="").iterator():
        domains = sorted(
            set(
                Membership.objects.filter(
                    user_id=assignment.user_id, unit__organisation_id=assignment.organisation_id
                ).values_list("unit__domain", flat=True)
            )
        )
        if not domains:
            continue  # a staff member who has left: it opens nothing any unit holds
        assignment.domain = domains[0]
        assignment.save(update_fields=["domain"])
        for domain in domains[1:]:
            assignment.pk = None
            assignment.domain = domain
            assignment.save()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0009_audit_keyed_chain"),
        ("cases", "0008_case_need_to_know_given"),
        ("core", "0003_service_unit_confidentiality_domain"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="domain",
            field=models.CharField(
                choices=[
                    ("health", "Health and care services"),
                    ("specialist_health", "Specialist health service"),
                    ("child_welfare", "Child welfare"),
                    ("education", "Kindergarten, school and PPT"),
                    ("nav", "NAV"),
                    ("family_counselling", "Family counselling"),
                    ("crisis_shelter", "Crisis shelter"),
                    ("voluntary", "Voluntary organisations"),
                    ("other", "Other services"),
                ],
                default="",
                max_length=30,
                verbose_name="confidentiality domain",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(record_domains, migrations.RunPython.noop),
    ]
