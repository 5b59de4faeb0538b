"""The three pathway definitions Familiebro ships, version 1 of each.

- BTI, "Bedre tverrfaglig innsats": levels 0–3, with the level-0 decision within 14 days of
  the concern (as many municipalities use it).
- "Kvalitet i alle ledd": the five-phase collaboration pathway of four municipalities and a
  health trust: the family meeting in phase 1, the summary meeting before specialist care
  closes, and the discharge summary (epikrise) within 7 days.
- Familiehjelpa (Stange): request, first contact within 7 days, first meeting, allocation at
  the weekly team meeting, coordinated help, closing with feedback to the referrer.

A municipality changes one by publishing a new version; running cases keep theirs.

It stays beside the pathways package rather than in it: migration 0004 seeds these versions
by importing this module by its path, and migrations are not rewritten.
"""

from __future__ import annotations

from typing import Any


def t(nb: str, nn: str, en: str) -> dict[str, str]:
    return {"nb": nb, "nn": nn, "en": en}


CLOSE = {
    "key": "close",
    "label": t(
        "Avslutte: ingen videre oppfølging",
        "Avslutte: inga vidare oppfølging",
        "Close: no further follow-up",
    ),
    "to": None,
    "closes": True,
}
REPORT_TO_CHILD_WELFARE_INFO = {
    "title": t(
        "Opplysningsplikt til barnevernet",
        "Opplysningsplikt til barnevernet",
        "Duty to inform child welfare",
    ),
    "body": t(
        "Er det grunn til å tro at barnet blir mishandlet eller utsatt for alvorlig omsorgssvikt, "
        "skal du melde til barnevernet uten å vente på samtykke. Registrer det rettslige "
        "grunnlaget i Familiebro: det loggføres og vises for familien.",
        "Er det grunn til å tru at barnet blir mishandla eller utsett for alvorleg omsorgssvikt, "
        "skal du melde til barnevernet utan å venta på samtykke. Registrer det rettslege "
        "grunnlaget i Familiebro: det vert loggført og vist for familien.",
        "If there is reason to believe the child is abused or seriously neglected, report to child "
        "welfare without waiting for consent. Record the legal basis in Familiebro: it is logged "
        "and shown to the family.",
    ),
    "links": [
        {
            "label": t("Bufdir: meld bekymring", "Bufdir: meld uro", "Bufdir: report a concern"),
            "url": "https://www.bufdir.no/barnevern/meld-bekymring/",
        }
    ],
}

BTI: dict[str, Any] = {
    "name": t(
        "BTI – Bedre tverrfaglig innsats",
        "BTI – Betre tverrfagleg innsats",
        "BTI – Better interdisciplinary effort",
    ),
    "description": t(
        "Stafettmodellen: fra undring og bekymring (nivå 0) til tiltak i egen tjeneste (nivå 1), "
        "samarbeid med én tjeneste til (nivå 2) og bredt samarbeid (nivå 3).",
        "Stafettmodellen: frå undring og uro (nivå 0) til tiltak i eiga teneste (nivå 1), "
        "samarbeid med éi teneste til (nivå 2) og breitt samarbeid (nivå 3).",
        "The relay model: from wondering and concern (level 0) to measures in one's own service "
        "(level 1), collaboration with one more service (level 2) and broad collaboration "
        "(level 3).",
    ),
    "start": "level0",
    "phases": [
        {
            "key": "level0",
            "name": t(
                "Nivå 0: Undring og bekymring",
                "Nivå 0: Undring og uro",
                "Level 0: Wondering and concern",
            ),
            "description": t(
                "Beskriv det du ser, drøft det med en kollega, foreldrene og barnet, og bestem "
                "innen 14 dager hva som skal skje.",
                "Skildra det du ser, drøft det med ein kollega, foreldra og barnet, og avgjer "
                "innan 14 dagar kva som skal skje.",
                "Describe what you see, discuss it with a colleague, the parents and the child, "
                "and decide within 14 days what happens next.",
            ),
            "tasks": [
                {
                    "key": "describe",
                    "title": t("Beskriv undringen", "Skildra undringa", "Describe the concern"),
                },
                {
                    "key": "talk_to_parents",
                    "title": t("Snakk med foreldrene", "Snakk med foreldra", "Talk to the parents"),
                },
                {
                    "key": "talk_to_child",
                    "title": t("Snakk med barnet", "Snakk med barnet", "Talk to the child"),
                },
            ],
            "deadlines": [
                {
                    "key": "level0_decision",
                    "title": t("Beslutning på nivå 0", "Avgjerd på nivå 0", "Level 0 decision"),
                    "days": 14,
                    "day_kind": "calendar",
                    "starts": "case",
                    "completes": "decision",
                }
            ],
            "decision": {
                "question": t(
                    "Hva skal skje videre?", "Kva skal skje vidare?", "What happens next?"
                ),
                "options": [
                    CLOSE,
                    {
                        "key": "own_service",
                        "to": "level1",
                        "label": t(
                            "Tiltak i egen tjeneste (nivå 1)",
                            "Tiltak i eiga teneste (nivå 1)",
                            "Measures in own service (level 1)",
                        ),
                    },
                    {
                        "key": "one_more_service",
                        "to": "level2",
                        "label": t(
                            "Samarbeid med én tjeneste til (nivå 2)",
                            "Samarbeid med éi teneste til (nivå 2)",
                            "Collaborate with one more service (level 2)",
                        ),
                    },
                    {
                        "key": "broad_collaboration",
                        "to": "level3",
                        "label": t(
                            "Bredt samarbeid eller melding til barnevernet (nivå 3)",
                            "Breitt samarbeid eller melding til barnevernet (nivå 3)",
                            "Broad collaboration or report to child welfare (level 3)",
                        ),
                    },
                ],
            },
            "info": [REPORT_TO_CHILD_WELFARE_INFO],
        },
        {
            "key": "level1",
            "name": t(
                "Nivå 1: Tiltak i egen tjeneste",
                "Nivå 1: Tiltak i eiga teneste",
                "Level 1: Measures in own service",
            ),
            "description": t(
                "Sett mål sammen med familien, avtal tiltak med ansvarlig og evalueringsdato.",
                "Set mål saman med familien, avtal tiltak med ansvarleg og evalueringsdato.",
                "Set goals with the family, agree measures with a responsible person and an "
                "evaluation date.",
            ),
            "meetings": ["evaluation"],
            "decision": {
                "question": t(
                    "Hva viste evalueringen?",
                    "Kva viste evalueringa?",
                    "What did the evaluation show?",
                ),
                "options": [
                    {
                        **CLOSE,
                        "label": t(
                            "Avslutte: målet er nådd",
                            "Avslutte: målet er nådd",
                            "Close: the goal is reached",
                        ),
                    },
                    {
                        "key": "one_more_service",
                        "to": "level2",
                        "label": t(
                            "Samarbeid med én tjeneste til (nivå 2)",
                            "Samarbeid med éi teneste til (nivå 2)",
                            "Collaborate with one more service (level 2)",
                        ),
                    },
                    {
                        "key": "broad_collaboration",
                        "to": "level3",
                        "label": t(
                            "Bredt samarbeid (nivå 3)",
                            "Breitt samarbeid (nivå 3)",
                            "Broad collaboration (level 3)",
                        ),
                    },
                ],
            },
        },
        {
            "key": "level2",
            "name": t(
                "Nivå 2: Samarbeid med én tjeneste til",
                "Nivå 2: Samarbeid med éi teneste til",
                "Level 2: Collaboration with one more service",
            ),
            "description": t(
                "Med foreldrenes samtykke deltar én tjeneste til. Hold et familiemøte, avtal mål "
                "og tiltak, og hvem som er stafettholder.",
                "Med samtykke frå foreldra er éi teneste til med. Hald eit familiemøte, avtal mål "
                "og tiltak, og kven som er stafetthaldar.",
                "With the parents' consent one more service takes part. Hold a family meeting, "
                "agree goals and measures, and who holds the relay baton.",
            ),
            "meetings": ["family_meeting", "evaluation"],
            "decision": {
                "question": t(
                    "Hva viste evalueringen?",
                    "Kva viste evalueringa?",
                    "What did the evaluation show?",
                ),
                "options": [
                    {
                        **CLOSE,
                        "label": t(
                            "Avslutte: målet er nådd",
                            "Avslutte: målet er nådd",
                            "Close: the goal is reached",
                        ),
                    },
                    {
                        "key": "back_to_own_service",
                        "to": "level1",
                        "label": t(
                            "Videre i egen tjeneste (nivå 1)",
                            "Vidare i eiga teneste (nivå 1)",
                            "Continue in own service (level 1)",
                        ),
                    },
                    {
                        "key": "broad_collaboration",
                        "to": "level3",
                        "label": t(
                            "Bredt samarbeid (nivå 3)",
                            "Breitt samarbeid (nivå 3)",
                            "Broad collaboration (level 3)",
                        ),
                    },
                ],
            },
        },
        {
            "key": "level3",
            "name": t(
                "Nivå 3: Bredt samarbeid",
                "Nivå 3: Breitt samarbeid",
                "Level 3: Broad collaboration",
            ),
            "description": t(
                "Flere tjenester samarbeider, ofte i en ansvarsgruppe og med individuell plan.",
                "Fleire tenester samarbeider, ofte i ei ansvarsgruppe og med individuell plan.",
                "Several services collaborate, often in a responsibility group with an "
                "individual plan.",
            ),
            "meetings": ["responsibility_group", "evaluation"],
            "info": [REPORT_TO_CHILD_WELFARE_INFO],
            "decision": {
                "question": t(
                    "Hva viste evalueringen?",
                    "Kva viste evalueringa?",
                    "What did the evaluation show?",
                ),
                "options": [
                    {
                        **CLOSE,
                        "label": t(
                            "Avslutte: målet er nådd",
                            "Avslutte: målet er nådd",
                            "Close: the goal is reached",
                        ),
                    },
                    {
                        "key": "fewer_services",
                        "to": "level2",
                        "label": t(
                            "Færre tjenester (nivå 2)",
                            "Færre tenester (nivå 2)",
                            "Fewer services (level 2)",
                        ),
                    },
                ],
            },
        },
    ],
}

KVALITET_I_ALLE_LEDD: dict[str, Any] = {
    "name": t(
        "Kvalitet i alle ledd – samhandlingsforløp",
        "Kvalitet i alle ledd – samhandlingsforløp",
        "Quality at every stage – collaboration pathway",
    ),
    "description": t(
        "Samhandlingsforløp for sårbare barn mellom kommunen og spesialisthelsetjenesten, i fem "
        "faser.",
        "Samhandlingsforløp for sårbare born mellom kommunen og spesialisthelsetenesta, i fem "
        "fasar.",
        "A collaboration pathway for vulnerable children between the municipality and "
        "specialist health care, in five phases.",
    ),
    "start": "concern",
    "phases": [
        {
            "key": "concern",
            "name": t(
                "1. Bekymring og tidlige tiltak",
                "1. Uro og tidlege tiltak",
                "1. Concern and early measures",
            ),
            "description": t(
                "Kommunens tjenester prøver tidlige tiltak. Et familiemøte med familien, "
                "tjenestene og eventuelt BUP holdes før en eventuell henvisning.",
                "Tenestene i kommunen prøver tidlege tiltak. Eit familiemøte med familien, "
                "tenestene og eventuelt BUP vert halde før ei eventuell tilvising.",
                "The municipal services try early measures. A family meeting with the family, "
                "the services and possibly BUP is held before any referral.",
            ),
            "meetings": ["family_meeting"],
            "milestones": [
                {
                    "key": "screening_done",
                    "label": t(
                        "Kartlegging gjennomført", "Kartlegging gjennomført", "Screening done"
                    ),
                },
                {
                    "key": "help_offered",
                    "label": t("Hjelp tilbudt", "Hjelp tilboden", "Help offered"),
                },
                {
                    "key": "family_meeting_requested",
                    "label": t(
                        "Familiemøte med BUP bestilt",
                        "Familiemøte med BUP bestilt",
                        "Family meeting with BUP requested",
                    ),
                },
                {
                    "key": "family_meeting_held",
                    "label": t("Familiemøte holdt", "Familiemøte halde", "Family meeting held"),
                },
            ],
            "deadlines": [
                {
                    # The family meeting is held within two weeks of the request: the clock
                    # stops when its minutes are approved (or the milestone is recorded).
                    "key": "family_meeting",
                    "title": t(
                        "Familiemøte innen to uker etter bestillingen",
                        "Familiemøte innan to veker etter bestillinga",
                        "Family meeting within two weeks of the request",
                    ),
                    "days": 14,
                    "day_kind": "calendar",
                    "starts": "milestone:family_meeting_requested",
                    "completes": "milestone:family_meeting_held",
                },
                {
                    "key": "help_offered",
                    "title": t(
                        "Hjelp tilbudt etter kartlegging",
                        "Hjelp tilboden etter kartlegging",
                        "Help offered after screening",
                    ),
                    "days": 56,
                    "day_kind": "calendar",
                    "starts": "milestone:screening_done",
                    "completes": "milestone:help_offered",
                },
            ],
            "info": [
                {
                    "title": t(
                        "BUP i familiemøtet", "BUP i familiemøtet", "BUP in the family meeting"
                    ),
                    "body": t(
                        "BUP kan delta i inntil to familiemøter uten henvisning. Tjenesten som "
                        "tok initiativ til møtet, eier oppfølgingen og referatet.",
                        "BUP kan vera med i inntil to familiemøte utan tilvising. Tenesta som "
                        "tok initiativ til møtet, eig oppfølginga og referatet.",
                        "BUP may attend up to two family meetings without a referral. The "
                        "service that called the meeting owns the follow-up and the minutes.",
                    ),
                }
            ],
            "decision": {
                "question": t(
                    "Trengs utredning?", "Trengst utgreiing?", "Is an assessment needed?"
                ),
                "options": [
                    CLOSE,
                    {
                        "key": "assess",
                        "to": "referral",
                        "label": t(
                            "Ja: vurdering og henvisning",
                            "Ja: vurdering og tilvising",
                            "Yes: assessment and referral",
                        ),
                    },
                ],
            },
        },
        {
            "key": "referral",
            "name": t(
                "2. Vurdering og henvisning",
                "2. Vurdering og tilvising",
                "2. Assessment and referral",
            ),
            "description": t(
                "En god henvisning: utfylte felt, et konkret spørsmål, henviserens egen "
                "vurdering, ansvarsgruppe og koordinator, og vedlegg bare med foreldrenes "
                "samtykke.",
                "Ei god tilvising: utfylte felt, eit konkret spørsmål, vurderinga til den som "
                "tilviser, ansvarsgruppe og koordinator, og vedlegg berre med samtykke frå "
                "foreldra.",
                "A good referral: complete fields, a concrete question, the referrer's own "
                "assessment, responsibility group and coordinator, and attachments only with "
                "the parents' consent.",
            ),
            "decision": {
                "question": t(
                    "Er henvisningen tatt imot?",
                    "Er tilvisinga teken imot?",
                    "Has the referral been accepted?",
                ),
                "options": [
                    {
                        "key": "accepted",
                        "to": "diagnosis",
                        "label": t(
                            "Tatt imot: utredning", "Teken imot: utgreiing", "Accepted: assessment"
                        ),
                    },
                    {
                        "key": "returned",
                        "to": "concern",
                        "label": t(
                            "Returnert: tilbake til kommunen",
                            "Returnert: tilbake til kommunen",
                            "Returned: back to the municipality",
                        ),
                    },
                ],
            },
        },
        {
            "key": "diagnosis",
            "name": t(
                "3. Utredning og diagnostisering",
                "3. Utgreiing og diagnostisering",
                "3. Assessment and diagnosis",
            ),
            "description": t(
                "Spesialisthelsetjenesten utreder, i samarbeid med kommunen.",
                "Spesialisthelsetenesta greier ut, i samarbeid med kommunen.",
                "Specialist care assesses, together with the municipality.",
            ),
            "decision": {
                "question": t(
                    "Hva er veien videre?", "Kva er vegen vidare?", "What is the way forward?"
                ),
                "options": [
                    {
                        "key": "treat",
                        "to": "treatment",
                        "label": t(
                            "Behandling og tilrettelegging",
                            "Behandling og tilrettelegging",
                            "Treatment and education",
                        ),
                    },
                    {
                        "key": "back_to_municipality",
                        "to": "follow_up",
                        "label": t(
                            "Oppfølging i kommunen",
                            "Oppfølging i kommunen",
                            "Follow-up in the municipality",
                        ),
                    },
                ],
            },
        },
        {
            "key": "treatment",
            "name": t(
                "4. Behandling og tilrettelegging",
                "4. Behandling og tilrettelegging",
                "4. Treatment and education",
            ),
            "description": t(
                "Før spesialisthelsetjenesten avslutter, holdes et oppsummeringsmøte med familien "
                "og kommunens tjenester, og oppfølgingstiltak fordeles.",
                "Før spesialisthelsetenesta avsluttar, vert det halde eit oppsummeringsmøte med "
                "familien og tenestene i kommunen, og oppfølgingstiltak vert fordelte.",
                "Before specialist care closes, a summary meeting is held with the family and "
                "the municipal services, and follow-up measures are assigned.",
            ),
            "meetings": ["summary", "responsibility_group"],
            "milestones": [
                {
                    "key": "summary_meeting_held",
                    "label": t(
                        "Oppsummeringsmøte holdt", "Oppsummeringsmøte halde", "Summary meeting held"
                    ),
                },
                {
                    "key": "discharge_summary_sent",
                    "label": t("Epikrise sendt", "Epikrise sendt", "Discharge summary sent"),
                },
            ],
            "deadlines": [
                {
                    "key": "discharge_summary",
                    "title": t(
                        "Epikrise til familie, henviser og samarbeidende tjenester",
                        "Epikrise til familie, tilvisar og samarbeidande tenester",
                        "Discharge summary to family, referrer and services",
                    ),
                    "days": 7,
                    "day_kind": "calendar",
                    "starts": "milestone:summary_meeting_held",
                    "completes": "milestone:discharge_summary_sent",
                }
            ],
            "decision": {
                "question": t(
                    "Er spesialistbehandlingen avsluttet?",
                    "Er spesialistbehandlinga avslutta?",
                    "Has specialist treatment ended?",
                ),
                "options": [
                    {
                        "key": "specialist_closed",
                        "to": "follow_up",
                        "label": t(
                            "Ja: oppfølging i kommunen",
                            "Ja: oppfølging i kommunen",
                            "Yes: follow-up in the municipality",
                        ),
                    },
                ],
            },
        },
        {
            "key": "follow_up",
            "name": t("5. Oppfølging", "5. Oppfølging", "5. Follow-up"),
            "description": t(
                "Kommunen følger opp tiltakene som ble fordelt.",
                "Kommunen følgjer opp tiltaka som vart fordelte.",
                "The municipality follows up the measures that were assigned.",
            ),
            "decision": {
                "question": t(
                    "Kan saken avsluttes?", "Kan saka avsluttast?", "Can the case be closed?"
                ),
                "options": [
                    {**CLOSE, "label": t("Avslutte", "Avslutte", "Close")},
                ],
            },
        },
    ],
}

FAMILIEHJELPA: dict[str, Any] = {
    "name": t(
        "Familiehjelpa – lavterskel, én dør inn",
        "Familiehjelpa – lågterskel, éi dør inn",
        "Familiehjelpa – low threshold, one door in",
    ),
    "description": t(
        "Alle kan ta kontakt uten henvisning. Første kontakt innen 7 dager, fordeling på det "
        "ukentlige teammøtet, og tilbakemelding til den som henviste når saken avsluttes.",
        "Alle kan ta kontakt utan tilvising. Første kontakt innan 7 dagar, fordeling på det "
        "vekentlege teammøtet, og tilbakemelding til den som tilviste når saka vert avslutta.",
        "Anyone can get in touch without a referral. First contact within 7 days, allocation "
        "at the weekly team meeting, and feedback to the referrer when the case closes.",
    ),
    "start": "request",
    "phases": [
        {
            "key": "request",
            "name": t("Henvendelse", "Førespurnad", "Request"),
            "responsible": "owning_unit",
            "milestones": [
                {
                    "key": "first_contact",
                    "label": t("Første kontakt", "Første kontakt", "First contact"),
                },
            ],
            "deadlines": [
                {
                    "key": "first_contact",
                    "title": t("Første kontakt", "Første kontakt", "First contact"),
                    "days": 7,
                    "day_kind": "calendar",
                    "starts": "case",
                    "completes": "milestone:first_contact",
                    "responsible": "owning_unit",
                }
            ],
            "decision": {
                "question": t(
                    "Hva kom fram i første samtale?",
                    "Kva kom fram i første samtale?",
                    "What came out of the first conversation?",
                ),
                "options": [
                    {
                        **CLOSE,
                        "label": t(
                            "Løst i første samtale",
                            "Løyst i første samtale",
                            "Resolved in the first conversation",
                        ),
                    },
                    {
                        "key": "first_meeting",
                        "to": "first_meeting",
                        "label": t(
                            "Avtale første møte", "Avtale første møte", "Arrange a first meeting"
                        ),
                    },
                ],
            },
        },
        {
            "key": "first_meeting",
            "name": t("Første møte", "Første møte", "First meeting"),
            "decision": {
                "question": t(
                    "Skal saken til fordeling?",
                    "Skal saka til fordeling?",
                    "Should the case go to allocation?",
                ),
                "options": [
                    {
                        **CLOSE,
                        "label": t(
                            "Avslutte etter møtet",
                            "Avslutte etter møtet",
                            "Close after the meeting",
                        ),
                    },
                    {
                        "key": "allocate",
                        "to": "allocation",
                        "label": t(
                            "Til fordelingsmøtet",
                            "Til fordelingsmøtet",
                            "To the allocation meeting",
                        ),
                    },
                ],
            },
        },
        {
            "key": "allocation",
            "name": t(
                "Fordeling på teammøtet", "Fordeling på teammøtet", "Allocation at the team meeting"
            ),
            "description": t(
                "Teamet fordeler saken på det ukentlige teammøtet og peker ut koordinator.",
                "Teamet fordeler saka på det vekentlege teammøtet og peikar ut koordinator.",
                "The team allocates the case at the weekly team meeting and names the coordinator.",
            ),
            "responsible": "leader",
            "team_allocates": True,
            "decision": {
                "question": t("Hvem gir hjelpen?", "Kven gir hjelpa?", "Who gives the help?"),
                "options": [
                    {
                        "key": "coordinated_help",
                        "to": "help",
                        "label": t(
                            "Koordinert hjelp fra teamet",
                            "Koordinert hjelp frå teamet",
                            "Coordinated help from the team",
                        ),
                    },
                    {
                        **CLOSE,
                        "key": "refer_on",
                        "label": t(
                            "Henvise videre og avslutte",
                            "Tilvisa vidare og avslutte",
                            "Refer on and close",
                        ),
                    },
                ],
            },
        },
        {
            "key": "help",
            "name": t("Koordinert hjelp", "Koordinert hjelp", "Coordinated help"),
            "meetings": ["responsibility_group", "evaluation"],
            "decision": {
                "question": t(
                    "Kan saken avsluttes?", "Kan saka avsluttast?", "Can the case be closed?"
                ),
                "options": [
                    {
                        **CLOSE,
                        "label": t(
                            "Avslutte med tilbakemelding til henviser",
                            "Avslutte med tilbakemelding til tilvisar",
                            "Close with feedback to the referrer",
                        ),
                    },
                ],
            },
        },
    ],
}

SHIPPED: dict[str, dict[str, Any]] = {
    "bti": BTI,
    "kvalitet-i-alle-ledd": KVALITET_I_ALLE_LEDD,
    "familiehjelpa": FAMILIEHJELPA,
}


def install_shipped(definitions: Any = None, versions: Any = None) -> None:
    """Version 1 of each shipped definition, where it is missing. The migration passes its
    historical models; without them the current ones are used (e.g. after a database flush)."""
    from .models import PathwayDefinition, PathwayVersion
    from .pathways.spec import parse_spec

    definitions = definitions or PathwayDefinition
    versions = versions or PathwayVersion
    for key, spec in SHIPPED.items():
        parse_spec(spec)  # a shipped definition that does not parse must stop the migration
        definition, _ = definitions.objects.get_or_create(
            key=key, defaults={"name": spec["name"]["nb"]}
        )
        versions.objects.get_or_create(
            definition=definition,
            number=1,
            defaults={"spec": spec, "note": "Levert med Familiebro"},
        )
