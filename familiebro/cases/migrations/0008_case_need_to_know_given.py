"""A case links the need to know it gives, and the assignment's reason names only the role.

The reason used to start with the case's reference ("<reference>: owning unit"), which the
person page showed to other services. Existing assignments are linked to the case their
reason names, and the reason becomes the role alone: the fixed roles as keys translated when
shown (core.person_services), a participant's typed role as written.
"""

from django.db import migrations, models

# The fixed roles as the reason held them, in each language they were written in.
_ROLE_KEYS = {
    "owning unit": "case:owning_unit",
    "enheten som eier saken": "case:owning_unit",
    "eininga som eig saka": "case:owning_unit",
    "coordinator": "case:coordinator",
    "koordinator": "case:coordinator",
    "offered the coordinator role": "case:offered_coordinator",
    "fikk tilbud om koordinatorrollen": "case:offered_coordinator",
    "fekk tilbod om koordinatorrolla": "case:offered_coordinator",
    "participant": "case:participant",
    "deltaker": "case:participant",
    "deltakar": "case:participant",
}


def link_and_strip_reference(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Assignment = apps.get_model("privacy", "Assignment")
    Link = Case.need_to_know_given.through
    for case_id, reference, organisation_id in Case.objects.values_list(
        "pk", "reference", "organisation_id"
    ).iterator():
        prefix = f"{reference}: "
        given = Assignment.objects.filter(
            organisation_id=organisation_id, reason__startswith=prefix
        ).only("pk", "reason")
        links = []
        for assignment in given:
            role = assignment.reason[len(prefix) :]
            assignment.reason = _ROLE_KEYS.get(role, role)
            assignment.save(update_fields=["reason"])
            links.append(Link(case_id=case_id, assignment_id=assignment.pk))
        Link.objects.bulk_create(links, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_log_entry_measure"),
        ("privacy", "0009_audit_keyed_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="need_to_know_given",
            field=models.ManyToManyField(
                blank=True, related_name="given_by_case", to="privacy.assignment"
            ),
        ),
        migrations.RunPython(link_and_strip_reference, migrations.RunPython.noop),
    ]
