"""The questionnaires Familiebro ships, version 1 of each, in our own words.

- The session pair: a four-line 0–10 wellbeing scale (start of a session) and a four-line
  0–10 alliance scale (end of a session). They have the form of the well-known published
  session scales, whose own items may not be bundled without a licence: these words are ours.
  An instance holding a licence loads the licensed items as a new version.
- The family-meeting evaluation of Kvalitet i alle ledd: four statements scored 0–5, a
  comment, who answers (parent, child, both) and the child's age.
- The Tiltak 26 survey of the family counselling service at the health centre.
- An indicator form for phase-based follow-up: four indicators at three levels each.

Migration 0002 installs them by importing this module by its path, so it stays where it is.
"""

from __future__ import annotations

import datetime
from typing import Any


def t(nb: str, nn: str, en: str) -> dict[str, str]:
    return {"nb": nb, "nn": nn, "en": en}


ALL = ["nb", "nn", "en"]

NOT_AT_ALL = t("Svært dårlig", "Svært dårleg", "Very badly")
VERY_WELL = t("Svært bra", "Svært bra", "Very well")
DISAGREE = t("Ikke i det hele tatt", "Ikkje i det heile", "Not at all")
AGREE = t("Helt og fullt", "Heilt og fullt", "Completely")


def line(key: str, text: dict[str, str], low: dict, high: dict, scale: str = "0-10") -> dict:
    return {"key": key, "text": text, "scale": scale, "low": low, "high": high}


def choice(key: str, text: dict[str, str], options: list[tuple[str, dict]], **extra: Any) -> dict:
    return {
        "key": key,
        "text": text,
        "scale": extra.get("scale", "single"),
        "choices": [{"key": k, "label": label} for k, label in options],
        "required": extra.get("required", True),
    }


WELLBEING = {
    "key": "trivsel",
    "name": t("Trivselsskala", "Trivselsskala", "Wellbeing scale"),
    "mode": "linked",
    "kind": "wellbeing",
    "respondents": ["parent", "child", "collateral"],
    "intro": t(
        "Tenk på den siste uka. Velg et tall fra 0 til 10 på hver linje: 0 er svært dårlig, "
        "10 er svært bra.",
        "Tenk på den siste veka. Vel eit tal frå 0 til 10 på kvar linje: 0 er svært dårleg, "
        "10 er svært bra.",
        "Think about the last week. Choose a number from 0 to 10 on each line: 0 is very "
        "badly, 10 is very well.",
    ),
    "items": [
        line(
            "meg-selv",
            t(
                "Meg selv: slik jeg har hatt det",
                "Meg sjølv: slik eg har hatt det",
                "Myself: how I have been",
            ),
            NOT_AT_ALL,
            VERY_WELL,
        ),
        line(
            "familie",
            t(
                "Familien og de som står meg nær",
                "Familien og dei som står meg nær",
                "My family and those close to me",
            ),
            NOT_AT_ALL,
            VERY_WELL,
        ),
        line(
            "hverdag",
            t("Skole, jobb og venner", "Skule, jobb og vener", "School, work and friends"),
            NOT_AT_ALL,
            VERY_WELL,
        ),
        line(
            "alt-i-alt",
            t("Alt i alt", "Alt i alt", "All in all"),
            NOT_AT_ALL,
            VERY_WELL,
        ),
    ],
}

ALLIANCE = {
    "key": "samarbeid",
    "name": t("Samarbeidsskala", "Samarbeidsskala", "Alliance scale"),
    "mode": "linked",
    "kind": "alliance",
    "respondents": ["parent", "child", "collateral"],
    # Below 36 of 40: talk with the family about how the help works for them.
    "cutoff": 36,
    "intro": t(
        "Hvordan var timen i dag? Velg et tall fra 0 til 10 på hver linje. Svar ærlig: det "
        "hjelper oss å gjøre hjelpen bedre for deg.",
        "Korleis var timen i dag? Vel eit tal frå 0 til 10 på kvar linje. Svar ærleg: det "
        "hjelper oss å gjera hjelpa betre for deg.",
        "How was today's session? Choose a number from 0 to 10 on each line. Answer honestly: "
        "it helps us make the help better for you.",
    ),
    "items": [
        line(
            "lyttet",
            t(
                "Jeg ble lyttet til og tatt på alvor",
                "Eg vart lytta til og teken på alvor",
                "I was listened to and taken seriously",
            ),
            DISAGREE,
            AGREE,
        ),
        line(
            "viktig",
            t(
                "Vi jobbet med det som er viktig for meg",
                "Vi arbeidde med det som er viktig for meg",
                "We worked on what matters to me",
            ),
            DISAGREE,
            AGREE,
        ),
        line(
            "maten",
            t(
                "Måten vi jobbet på passet meg",
                "Måten vi arbeidde på passa meg",
                "The way we worked suited me",
            ),
            DISAGREE,
            AGREE,
        ),
        line(
            "riktig",
            t(
                "Alt i alt var timen riktig for meg",
                "Alt i alt var timen rett for meg",
                "All in all, the session was right for me",
            ),
            DISAGREE,
            AGREE,
        ),
    ],
}

LOW5 = t("Helt uenig", "Heilt usamd", "Strongly disagree")
HIGH5 = t("Helt enig", "Heilt samd", "Strongly agree")
FAMILY_MEETING = {
    "key": "familiemote-evaluering",
    "name": t(
        "Evaluering av familiemøtet (Kvalitet i alle ledd)",
        "Evaluering av familiemøtet (Kvalitet i alle ledd)",
        "Family meeting evaluation (Kvalitet i alle ledd)",
    ),
    "mode": "anonymous",
    "kind": "evaluation",
    "respondents": ["parent", "child", "both"],
    "intro": t(
        "Svar på hvor enig du er, fra 0 (helt uenig) til 5 (helt enig). Svaret ditt er anonymt.",
        "Svar på kor samd du er, frå 0 (heilt usamd) til 5 (heilt samd). Svaret ditt er anonymt.",
        "Say how much you agree, from 0 (strongly disagree) to 5 (strongly agree). Your answer "
        "is anonymous.",
    ),
    "items": [
        line(
            "forstatt",
            t(
                "Jeg følte meg forstått og respektert",
                "Eg kjende meg forstått og respektert",
                "I felt understood and respected",
            ),
            LOW5,
            HIGH5,
            "0-5",
        ),
        line(
            "tema",
            t(
                "Vi snakket om det jeg ønsket å snakke om",
                "Vi snakka om det eg ønskte å snakka om",
                "We talked about what I wanted to talk about",
            ),
            LOW5,
            HIGH5,
            "0-5",
        ),
        line(
            "form",
            t(
                "Måten møtet var lagt opp på, passet for meg",
                "Måten møtet var lagt opp på, passa for meg",
                "The way the meeting was set up suited me",
            ),
            LOW5,
            HIGH5,
            "0-5",
        ),
        line(
            "nyttig",
            t(
                "Alt i alt var møtet nyttig",
                "Alt i alt var møtet nyttig",
                "On the whole, the meeting was useful",
            ),
            LOW5,
            HIGH5,
            "0-5",
        ),
        {
            "key": "kommentar",
            "text": t("Kommentar", "Kommentar", "Comment"),
            "scale": "text",
            "required": False,
        },
        choice(
            "svarer",
            t("Hvem svarer?", "Kven svarar?", "Who is answering?"),
            [
                ("parent", t("Forelder", "Forelder", "Parent")),
                ("child", t("Barn eller ungdom", "Barn eller ungdom", "Child or young person")),
                (
                    "both",
                    t(
                        "Forelder og barn sammen",
                        "Forelder og barn saman",
                        "Parent and child together",
                    ),
                ),
            ],
        ),
        choice(
            "alder",
            t("Barnets alder", "Alderen til barnet", "The child's age"),
            [
                ("0-5", t("0–5 år", "0–5 år", "0–5 years")),
                ("6-12", t("6–12 år", "6–12 år", "6–12 years")),
                ("13-17", t("13–17 år", "13–17 år", "13–17 years")),
                ("18+", t("18 år eller eldre", "18 år eller eldre", "18 years or older")),
            ],
        ),
    ],
}

YES_NO = "yes_no"
TILTAK_26 = {
    "key": "tiltak-26",
    "name": t(
        "Spørreskjema om familievernet på helsestasjonen (Tiltak 26)",
        "Spørjeskjema om familievernet på helsestasjonen (Tiltak 26)",
        "Survey on family counselling at the health centre (Tiltak 26)",
    ),
    "mode": "anonymous",
    "kind": "survey",
    "respondents": ["parent"],
    "intro": t(
        "Fem korte spørsmål om samtalen med familievernet. Svaret ditt er anonymt.",
        "Fem korte spørsmål om samtalen med familievernet. Svaret ditt er anonymt.",
        "Five short questions about the talk with the family counselling service. Your answer "
        "is anonymous.",
    ),
    "items": [
        choice(
            "kjonn",
            t("Kjønn", "Kjønn", "Sex"),
            [
                ("female", t("Kvinne", "Kvinne", "Female")),
                ("male", t("Mann", "Mann", "Male")),
                (
                    "other",
                    t(
                        "Annet eller vil ikke svare",
                        "Anna eller vil ikkje svara",
                        "Other or prefer not to say",
                    ),
                ),
            ],
        ),
        choice(
            "rolle",
            t("Din rolle i familien", "Rolla di i familien", "Your role in the family"),
            [
                ("mother", t("Mor", "Mor", "Mother")),
                ("father", t("Far", "Far", "Father")),
                ("other", t("Annen omsorgsperson", "Anna omsorgsperson", "Other caregiver")),
            ],
        ),
        {
            "key": "kjent",
            "text": t(
                "Hadde du hørt om familievernet før?",
                "Hadde du høyrt om familievernet før?",
                "Had you heard of the family counselling service before?",
            ),
            "scale": YES_NO,
        },
        {
            "key": "ellers",
            "text": t(
                "Ville du ha kommet hvis samtalen ikke var på helsestasjonen?",
                "Ville du ha kome om samtalen ikkje var på helsestasjonen?",
                "Would you have come if the talk had not been at the health centre?",
            ),
            "scale": YES_NO,
        },
        line(
            "nytte",
            t("Hvor nyttig var samtalen?", "Kor nyttig var samtalen?", "How useful was the talk?"),
            t("Ikke nyttig", "Ikkje nyttig", "Not useful"),
            t("Svært nyttig", "Svært nyttig", "Very useful"),
            "1-5",
        ),
    ],
}


def _levels() -> list[tuple[str, dict]]:
    return [
        ("1", t("Trenger mye støtte", "Treng mykje støtte", "Needs a lot of support")),
        ("2", t("Delvis på plass", "Delvis på plass", "Partly in place")),
        ("3", t("Godt på plass", "Godt på plass", "Well in place")),
    ]


INDICATORS = {
    "key": "indikatorer",
    "name": t(
        "Indikatorskjema for oppfølging",
        "Indikatorskjema for oppfølging",
        "Indicator form for follow-up",
    ),
    "mode": "linked",
    "kind": "indicators",
    "respondents": ["staff"],
    "intro": t(
        "Vurder sammen med familien hvor de står på hver indikator ved slutten av en fase.",
        "Vurder saman med familien kvar dei står på kvar indikator ved slutten av ein fase.",
        "Assess with the family where they stand on each indicator at the end of a phase.",
    ),
    "items": [
        choice(
            "mestring",
            t("Foreldrenes mestring", "Mestringa til foreldra", "The parents' coping"),
            _levels(),
        ),
        choice(
            "trivsel",
            t("Barnets trivsel", "Trivselen til barnet", "The child's wellbeing"),
            _levels(),
        ),
        choice(
            "samarbeid",
            t(
                "Samarbeidet med tjenestene",
                "Samarbeidet med tenestene",
                "Cooperation with the services",
            ),
            _levels(),
        ),
        choice(
            "nettverk",
            t(
                "Nettverk og støtte rundt familien",
                "Nettverk og støtte rundt familien",
                "Network and support around the family",
            ),
            _levels(),
        ),
    ],
}

SHIPPED: list[dict[str, Any]] = [WELLBEING, ALLIANCE, FAMILY_MEETING, TILTAK_26, INDICATORS]
SHIPPED_AT = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)


def install_shipped(
    instrument_model: Any = None, version_model: Any = None, item_model: Any = None
) -> None:
    """Version 1 of each shipped questionnaire, published. A migration passes its historical
    models; without them the current ones are used. An instrument already there is left
    alone. Each version is published once its questions are in (the current models refuse
    questions for a published version)."""
    if instrument_model is None:
        from .models import Instrument, InstrumentVersion, Item

        instrument_model, version_model, item_model = Instrument, InstrumentVersion, Item
    for spec in SHIPPED:
        instrument, created = instrument_model.objects.get_or_create(
            key=spec["key"],
            defaults={"name": spec["name"], "mode": spec["mode"], "kind": spec["kind"]},
        )
        if not created:
            continue
        version = version_model.objects.create(
            instrument=instrument,
            number=1,
            status="draft",
            intro=spec["intro"],
            respondents=spec["respondents"],
            languages=ALL,
            cutoff=spec.get("cutoff"),
            note="",
            created_at=SHIPPED_AT,
            published_at=SHIPPED_AT,
        )
        for position, item in enumerate(spec["items"], start=1):
            item_model.objects.create(
                version=version,
                position=position,
                key=item["key"],
                text=item["text"],
                scale=item["scale"],
                choices=item.get("choices", []),
                low=item.get("low", {}),
                high=item.get("high", {}),
                required=item.get("required", True),
            )
        version_model.objects.filter(pk=version.pk).update(status="published")
