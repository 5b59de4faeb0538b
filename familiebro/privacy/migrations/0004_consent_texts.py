"""Publish version 1 of the consent text for every purpose, in bokmål, nynorsk and English.

The texts are data, not code: a consent points at the exact version its givers agreed to, so a
later change is a new version in a new migration, never an edit of these rows.

Each body is plain text. Paragraphs are separated by a blank line; a paragraph that starts
with "## " is a heading. The screens and the printed form fill in the placeholders:
{child} (the child's name), {controller} (the organisation that holds the data),
{recipients} (the services that may receive it), {categories} (what they may see) and
{valid_to} (the last day the consent is valid).
"""

from django.db import migrations

VERSION = 1

# Purpose values as they stood when these texts were written (privacy.models.Purpose).
INTRO = {
    "coordination": {
        "nb": (
            "Samtykke til samarbeid mellom tjenester",
            "Familien får hjelp fra flere tjenester. Hjelpen blir bedre når tjenestene snakker "
            "sammen. Derfor ber {controller} om lov til å dele opplysninger om {child} med "
            "tjenestene som er nevnt nedenfor.",
        ),
        "nn": (
            "Samtykke til samarbeid mellom tenester",
            "Familien får hjelp frå fleire tenester. Hjelpa blir betre når tenestene snakkar "
            "saman. Difor ber {controller} om lov til å dele opplysningar om {child} med "
            "tenestene som er nemnde nedanfor.",
        ),
        "en": (
            "Consent to cooperation between services",
            "Your family gets help from more than one service. The help is better when the "
            "services talk to each other. That is why {controller} asks for permission to share "
            "information about {child} with the services named below.",
        ),
    },
    "shared_log": {
        "nb": (
            "Samtykke til felles stafettlogg",
            "En stafettlogg er en felles oversikt over hjelpen til barnet. Der står mål, tiltak "
            "og avtaler, og hvem som har ansvar for hva. Familien kan også lese loggen. "
            "{controller} ber om lov til at tjenestene nedenfor kan lese stafettloggen for "
            "{child}.",
        ),
        "nn": (
            "Samtykke til felles stafettlogg",
            "Ein stafettlogg er ein felles oversikt over hjelpa til barnet. Der står mål, tiltak "
            "og avtalar, og kven som har ansvar for kva. Familien kan også lese loggen. "
            "{controller} ber om lov til at tenestene nedanfor kan lese stafettloggen for "
            "{child}.",
        ),
        "en": (
            "Consent to a shared coordination log",
            "A coordination log (stafettlogg) is a shared overview of the help for the child. It "
            "shows goals, measures and agreements, and who is responsible for what. The family "
            "can read the log too. {controller} asks for permission to let the services named "
            "below read the coordination log for {child}.",
        ),
    },
    "referral": {
        "nb": (
            "Samtykke til å sende opplysninger med en henvisning",
            "{controller} vil henvise {child} til en annen tjeneste. En henvisning blir bedre når "
            "viktige opplysninger følger med. Derfor ber vi om lov til å sende opplysningene "
            "nedenfor sammen med henvisningen.",
        ),
        "nn": (
            "Samtykke til å sende opplysningar med ei tilvising",
            "{controller} vil vise {child} vidare til ei anna teneste. Ei tilvising blir betre "
            "når viktige opplysningar følgjer med. Difor ber vi om lov til å sende "
            "opplysningane nedanfor saman med tilvisinga.",
        ),
        "en": (
            "Consent to send information with a referral",
            "{controller} wants to refer {child} to another service. A referral works better "
            "when important information comes with it. That is why we ask for permission to "
            "send the information named below with the referral.",
        ),
    },
    "information_sharing": {
        "nb": (
            "Samtykke til å dele opplysninger med en annen tjeneste",
            "{controller} ber om lov til å gi opplysninger om {child} til tjenestene som er "
            "nevnt nedenfor. Da kan de hjelpe uten at familien må fortelle alt på nytt.",
        ),
        "nn": (
            "Samtykke til å dele opplysningar med ei anna teneste",
            "{controller} ber om lov til å gi opplysningar om {child} til tenestene som er "
            "nemnde nedanfor. Då kan dei hjelpe utan at familien må fortelje alt på nytt.",
        ),
        "en": (
            "Consent to share information with another service",
            "{controller} asks for permission to give information about {child} to the services "
            "named below. Then they can help without the family having to tell everything "
            "again.",
        ),
    },
    "interdisciplinary_meeting": {
        "nb": (
            "Samtykke til drøfting i tverrfaglig møte",
            "{controller} vil snakke om situasjonen til {child} i et tverrfaglig møte. Der "
            "møtes flere tjenester for å finne den beste hjelpen sammen. Vi ber om lov til at "
            "tjenestene nedenfor kan være med i møtet og få opplysninger om barnet der.",
        ),
        "nn": (
            "Samtykke til drøfting i tverrfagleg møte",
            "{controller} vil snakke om situasjonen til {child} i eit tverrfagleg møte. Der "
            "møtest fleire tenester for å finne den beste hjelpa saman. Vi ber om lov til at "
            "tenestene nedanfor kan vere med i møtet og få opplysningar om barnet der.",
        ),
        "en": (
            "Consent to discussion in an interdisciplinary meeting",
            "{controller} wants to talk about {child}'s situation in an interdisciplinary "
            "meeting. There, several services meet to find the best help together. We ask for "
            "permission to let the services named below take part in the meeting and receive "
            "information about the child there.",
        ),
    },
}

# What every consent says, whatever its purpose: who sees what, for how long, that it is
# voluntary and costs the family no help, and how to withdraw it.
COMMON = {
    "nb": """## Hvem får se hva

{recipients} får se disse opplysningene om barnet: {categories}. De får også vite navnet og \
fødselsdatoen til barnet. Ingen andre får opplysningene på grunn av dette samtykket.

## Hvor lenge

Siste dag samtykket gjelder: {valid_to}. Etter denne dagen deler vi ikke flere opplysninger.

## Det er frivillig

Du velger selv om du vil samtykke. Hvis du sier nei, får familien den samme hjelpen fra \
{controller} som før. Et nei betyr bare at vi ikke deler opplysningene.

## Slik trekker du samtykket tilbake

Du kan trekke samtykket tilbake når du vil. Si fra til {controller} eller til en av tjenestene \
som får opplysningene. Du kan si det muntlig eller skriftlig. Det gjelder med en gang, og vi \
deler ikke mer etter det. Det som allerede er delt, blir liggende hos tjenesten som fikk det.""",
    "nn": """## Kven får sjå kva

{recipients} får sjå desse opplysningane om barnet: {categories}. Dei får også vite namnet og \
fødselsdatoen til barnet. Ingen andre får opplysningane på grunn av dette samtykket.

## Kor lenge

Siste dag samtykket gjeld: {valid_to}. Etter denne dagen deler vi ikkje fleire opplysningar.

## Det er frivillig

Du vel sjølv om du vil samtykke. Om du seier nei, får familien den same hjelpa frå \
{controller} som før. Eit nei betyr berre at vi ikkje deler opplysningane.

## Slik trekkjer du samtykket tilbake

Du kan trekkje samtykket tilbake når du vil. Sei frå til {controller} eller til ei av \
tenestene som får opplysningane. Du kan seie det munnleg eller skriftleg. Det gjeld med ein \
gong, og vi deler ikkje meir etter det. Det som alt er delt, blir verande hos tenesta som \
fekk det.""",
    "en": """## Who will see what

{recipients} will see this information about the child: {categories}. They will also learn \
the child's name and date of birth. Nobody else gets the information because of this consent.

## For how long

Last day of the consent: {valid_to}. After that day we share nothing more.

## It is voluntary

You decide whether you want to consent. If you say no, the family gets the same help from \
{controller} as before. A no only means that we do not share the information.

## How to withdraw your consent

You can withdraw your consent whenever you want. Tell {controller} or one of the services that \
receive the information. You can say it in person or in writing. It takes effect at once, and \
we share nothing more after that. What has already been shared stays with the service that \
received it.""",
}


def publish(apps, schema_editor):
    ConsentText = apps.get_model("privacy", "ConsentText")
    for purpose, languages in INTRO.items():
        for language, (title, intro) in languages.items():
            # A version already published stays as it is: its words may have been agreed to.
            ConsentText.objects.get_or_create(
                purpose=purpose,
                language=language,
                version=VERSION,
                defaults={"title": title, "body": f"{intro}\n\n{COMMON[language]}"},
            )


def unpublish(apps, schema_editor):
    # Consent.text protects the texts: this fails, as it should, once a consent uses one.
    ConsentText = apps.get_model("privacy", "ConsentText")
    ConsentText.objects.filter(purpose__in=INTRO, version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_consent_access_consultation_retention")]

    operations = [migrations.RunPython(publish, unpublish)]
