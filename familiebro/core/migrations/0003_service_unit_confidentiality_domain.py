"""Each service unit works in a confidentiality domain; existing units get their kind's."""

from django.db import migrations, models

# The defaults as this migration was written (ServiceUnit.default_domain may change later).
DOMAIN_BY_KIND = {
    "helsestasjon": "health",
    "skolehelsetjeneste": "health",
    "fastlege": "health",
    "familiesenter": "health",
    "lavterskelteam": "health",
    "bup": "specialist_health",
    "habu": "specialist_health",
    "barnevern": "child_welfare",
    "barnehage": "education",
    "skole": "education",
    "ppt": "education",
    "nav": "nav",
    "familievernkontor": "family_counselling",
    "krisesenter": "crisis_shelter",
    "frivillig": "voluntary",
}


def set_domains(apps, schema_editor):
    ServiceUnit = apps.get_model("core", "ServiceUnit")
    for kind, domain in DOMAIN_BY_KIND.items():
        ServiceUnit.objects.filter(kind=kind).update(domain=domain)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_service_unit_first_contact_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="serviceunit",
            name="domain",
            field=models.CharField(default="other", max_length=30),
            preserve_default=False,
        ),
        migrations.RunPython(set_domains, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="serviceunit",
            name="domain",
            field=models.CharField(
                blank=True,
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
                help_text=(
                    "The duty of confidentiality the unit works under. Its records are shared "
                    "with units of another domain only under consent or a recorded legal basis."
                ),
                max_length=30,
                verbose_name="confidentiality domain",
            ),
        ),
        migrations.AddConstraint(
            model_name="serviceunit",
            constraint=models.CheckConstraint(
                condition=models.Q(("domain", ""), _negated=True), name="unit_has_a_domain"
            ),
        ),
    ]
