"""Emergency numbers and helplines the finder shows first for searches about violence, abuse,
self-harm or suicide, with the national ones an instance starts with. Editors keep them
current and add their municipality's crisis centre (/ansatt/krisenummer/)."""

import django.db.models.deletion
from django.db import migrations, models

# Frozen here as shipped; later changes are the editors' (or a new data migration).
DEFAULT_LINES = [
    {
        "kind": "emergency",
        "name": "Politiet",
        "phone": "112",
        "description": "Ring 112 hvis noen er i fare nå, eller hvis du eller et barn blir utsatt "
        "for vold.",
        "description_nn": "Ring 112 viss nokon er i fare no, eller viss du eller eit barn blir "
        "utsett for vald.",
        "description_en": "Call 112 if someone is in danger now, or if you or a child is being "
        "subjected to violence.",
        "url": "",
        "position": 10,
    },
    {
        "kind": "emergency",
        "name": "Medisinsk nødtelefon",
        "phone": "113",
        "description": "Ring 113 hvis noen er alvorlig skadet eller syk, eller har prøvd å ta "
        "livet sitt.",
        "description_nn": "Ring 113 viss nokon er alvorleg skadd eller sjuk, eller har prøvd å "
        "ta livet sitt.",
        "description_en": "Call 113 if someone is seriously hurt or ill, or has tried to take "
        "their own life.",
        "url": "",
        "position": 20,
    },
    {
        "kind": "helpline",
        "name": "Alarmtelefonen for barn og unge",
        "phone": "116 111",
        "description": "Gratis for barn og unge som blir utsatt for vold, overgrep eller "
        "omsorgssvikt, og for voksne som er bekymret for et barn.",
        "description_nn": "Gratis for barn og unge som blir utsette for vald, overgrep eller "
        "omsorgssvikt, og for vaksne som er uroa for eit barn.",
        "description_en": "Free for children and young people who are subjected to violence, "
        "abuse or neglect, and for adults who are worried about a child.",
        "url": "https://www.116111.no/",
        "position": 30,
    },
    {
        "kind": "helpline",
        "name": "Vold- og overgrepslinjen",
        "phone": "116 006",
        "description": "For deg som er utsatt for vold eller overgrep, eller er redd for noen "
        "som er det.",
        "description_nn": "For deg som er utsett for vald eller overgrep, eller er redd for "
        "nokon som er det.",
        "description_en": "For you if you are subjected to violence or abuse, or are worried "
        "about someone who is.",
        "url": "",
        "position": 40,
    },
    {
        "kind": "helpline",
        "name": "Mental Helse Hjelpetelefonen",
        "phone": "116 123",
        "description": "Hvis du har det vondt, eller tenker på å skade deg selv eller ta livet "
        "ditt.",
        "description_nn": "Viss du har det vondt, eller tenkjer på å skade deg sjølv eller ta "
        "livet ditt.",
        "description_en": "If you are hurting, or are thinking of harming yourself or taking "
        "your own life.",
        "url": "https://mentalhelse.no/",
        "position": 50,
    },
    {
        "kind": "crisis_centre",
        "name": "Krisesenteret der du bor",
        "phone": "",
        "description": "Krisesentrene gir råd, og et trygt sted å bo for deg og barna hvis dere "
        "blir utsatt for vold hjemme. Finn krisesenteret nærmest deg.",
        "description_nn": "Krisesentera gir råd, og ein trygg stad å bu for deg og borna viss "
        "de blir utsette for vald heime. Finn krisesenteret nærast deg.",
        "description_en": "Crisis centres give advice, and a safe place to stay for you and "
        "your children if you are subjected to violence at home. Find the one nearest you.",
        "url": "https://www.krisesenter.com/",
        "position": 60,
    },
]


def forwards(apps, schema_editor):
    CrisisLine = apps.get_model("catalogue", "CrisisLine")
    for line in DEFAULT_LINES:
        CrisisLine.objects.create(**line)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0007_search_terms"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CrisisLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("emergency", "Emergency number"),
                            ("helpline", "Helpline"),
                            ("crisis_centre", "Crisis centre"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("phone", models.CharField(blank=True, max_length=20, verbose_name="phone")),
                ("description", models.TextField(verbose_name="when to call (bokmål)")),
                (
                    "description_nn",
                    models.TextField(blank=True, verbose_name="when to call (nynorsk)"),
                ),
                (
                    "description_en",
                    models.TextField(blank=True, verbose_name="when to call (English)"),
                ),
                (
                    "open_day_and_night",
                    models.BooleanField(default=True, verbose_name="open day and night"),
                ),
                ("url", models.URLField(blank=True, verbose_name="web page")),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=100,
                        help_text="Lower numbers are shown first.",
                        verbose_name="position",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="shown")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "municipality",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for a number for the whole country.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="crisis_lines",
                        to="core.municipality",
                    ),
                ),
            ],
            options={
                "verbose_name": "crisis line",
                "verbose_name_plural": "crisis lines",
                "ordering": ["position", "name"],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
