"""The national programme register and the two vocabularies offers are described with.

This module is the register as Familiebro ships it. On an instance, editors maintain the
register in the product (/ansatt/program/, editor_programmes.py): what they change is kept in
the database and this module is not read again. Migration 0003 holds a frozen copy of it,
because a migration must do the same thing on every database forever; a later correction here
needs a new data migration that applies it, and tests/catalogue/test_programmes.py fails until
a new database after all migrations matches this module again.

Sources. The programme table in the appendix of the government strategy for parental support
(Regjeringens strategi for foreldrestøtte 2018–2021, `seeds/003`, "Tjenester som tilbyr
foreldrestøtte") gives owner, target group, purpose, child age and theoretical basis; the
strategy's text names further programmes (Familie for første gang, Home-Start, Godt samliv,
Hva med oss?, Fortsatt foreldre, Foreldre i Norge, Pappa i fengsel, Bryt voldsarven,
familieråd, MST, Marte Meo, foreldrehverdag.no). COPE, KOMET and PREP come from the Nordic
report on family centres (`seeds/002`). Where a field is not in the source, `source_note` says
so, or says where the value comes from.

Conventions:
- Child age is in months; pregnancy is negative (-9 is the start of a pregnancy). An age band
  "3–12 år" is stored as 36–144: the upper bound is the birthday on which the band ends.
  `None` means the source gives no age.
- Prevention levels and formats are set where the source says them or where the target group
  leaves no doubt (a treatment for children with serious behaviour problems is indicated);
  otherwise they are left off and the note says so.
- `certification_required` is true where the source says practitioners are trained and
  certified in the method, or where the programme is licensed to certified practitioners only;
  false means the source names no such requirement.
- `evidence_level` is Ungsinn's classification (levels 0–5, criteria version 2.1) with the
  ungsinn.no article it is taken from. It is set only where that article has been read; every
  other programme has `None` and a note on what is known.
"""

from __future__ import annotations

import uuid
from typing import Any

TOPIC_TAXONOMY = "Tema"
TARGET_GROUP_TAXONOMY = "Målgruppe"

# Ids of the seeded taxonomies and terms are derived from their codes, so every Familiebro
# instance publishes the same HSDS ids for the same term and directories can be merged.
_ID_NAMESPACE = uuid.UUID("3b1f6c52-7d0e-4f3a-9a57-1e2f8c4d6b90")

TAXONOMIES: tuple[dict[str, str], ...] = (
    {
        "code": "tema",
        "name": TOPIC_TAXONOMY,
        "description": "Hva et tilbud handler om, med foreldres egne ord.",
    },
    {
        "code": "malgruppe",
        "name": TARGET_GROUP_TAXONOMY,
        "description": "Hvem et tilbud er laget for.",
    },
)


def taxonomy_id(taxonomy_code: str) -> uuid.UUID:
    return uuid.uuid5(_ID_NAMESPACE, f"taxonomy:{taxonomy_code}")


def term_id(taxonomy_code: str, term_code: str) -> uuid.UUID:
    return uuid.uuid5(_ID_NAMESPACE, f"term:{taxonomy_code}:{term_code}")


# The seeded vocabularies (migration 0003) have fixed ids.
TAXONOMY_IDS = {
    TOPIC_TAXONOMY: taxonomy_id("tema"),
    TARGET_GROUP_TAXONOMY: taxonomy_id("malgruppe"),
}


# Topics ("Tema"): what an offer is about. The description is one plain sentence a parent who
# does not know the professional word can recognise their situation in.
TOPICS: tuple[dict[str, str], ...] = (
    {
        "code": "couple-relationship",
        "name": "Parforhold",
        "name_nn": "Parforhold",
        "name_en": "Couple relationship",
        "description": "Når dere vil ha det bedre sammen som par, eller krangler mer enn dere vil.",
    },
    {
        "code": "parenting-role",
        "name": "Foreldrerollen",
        "name_nn": "Foreldrerolla",
        "name_en": "Being a parent",
        "description": "Hvordan du kan være en trygg og god forelder i hverdagen.",
    },
    {
        "code": "attachment-interaction",
        "name": "Samspill og tilknytning",
        "name_nn": "Samspel og tilknyting",
        "name_en": "Interaction and attachment",
        "description": (
            "Hvordan du og barnet blir kjent, forstår hverandre og blir trygge på hverandre."
        ),
    },
    {
        "code": "pregnancy-birth",
        "name": "Graviditet og fødsel",
        "name_nn": "Graviditet og fødsel",
        "name_en": "Pregnancy and birth",
        "description": "Når dere venter barn og vil forberede dere på fødselen og tiden etterpå.",
    },
    {
        "code": "infant-sleep-feeding",
        "name": "Søvn og mat for de minste",
        "name_nn": "Søvn og mat for dei minste",
        "name_en": "Infant sleep and feeding",
        "description": "Når babyen sover dårlig, eller amming og måltider er vanskelig.",
    },
    {
        "code": "child-development",
        "name": "Barnets utvikling",
        "name_nn": "Utviklinga til barnet",
        "name_en": "Child development",
        "description": "Når du lurer på om barnet leker, snakker og utvikler seg som det skal.",
    },
    {
        "code": "behaviour",
        "name": "Atferd og grensesetting",
        "name_nn": "Åtferd og grensesetjing",
        "name_en": "Behaviour and boundaries",
        "description": "Når barnet ofte er sint eller urolig, og det er vanskelig å sette grenser.",
    },
    {
        "code": "conflict-separation",
        "name": "Konflikt og samlivsbrudd",
        "name_nn": "Konflikt og samlivsbrot",
        "name_en": "Conflict and separation",
        "description": (
            "Når dere krangler mye, tenker på å gå fra hverandre eller har flyttet fra hverandre."
        ),
    },
    {
        "code": "violence",
        "name": "Vold",
        "name_nn": "Vald",
        "name_en": "Violence",
        "description": (
            "Når noen i familien blir slått, truet eller er redde, eller du selv har opplevd vold."
        ),
    },
    {
        "code": "substance-use",
        "name": "Rus",
        "name_nn": "Rus",
        "name_en": "Alcohol and drugs",
        "description": "Når alkohol, piller eller andre rusmidler preger livet i familien.",
    },
    {
        "code": "mental-health",
        "name": "Psykisk helse",
        "name_nn": "Psykisk helse",
        "name_en": "Mental health",
        "description": "Når du eller barnet ofte er lei seg, engstelig eller svært sliten.",
    },
    {
        "code": "disability",
        "name": "Funksjonsnedsettelse og sykdom",
        "name_nn": "Funksjonsnedsetjing og sjukdom",
        "name_en": "Disability and illness",
        "description": "Når barnet har en funksjonsnedsettelse eller en sykdom som varer lenge.",
    },
    {
        "code": "minority-families",
        "name": "Minoritetsfamilier",
        "name_nn": "Minoritetsfamiliar",
        "name_en": "Minority families",
        "description": (
            "Når du er forelder i et nytt land, eller familien lever med flere språk og kulturer."
        ),
    },
    {
        "code": "fathers",
        "name": "Far og farsrollen",
        "name_nn": "Far og farsrolla",
        "name_en": "Fathers",
        "description": "Når du er far eller skal bli det, og vil snakke om hva det betyr for deg.",
    },
    {
        "code": "teenagers",
        "name": "Ungdom",
        "name_nn": "Ungdom",
        "name_en": "Teenagers",
        "description": (
            "Når barnet har blitt tenåring, og dere trenger nye måter å snakke sammen på."
        ),
    },
    {
        "code": "school",
        "name": "Skole",
        "name_nn": "Skule",
        "name_en": "School",
        "description": (
            "Når barnet ikke trives eller ikke vil på skolen, eller samarbeidet med skolen er "
            "vanskelig."
        ),
    },
    {
        "code": "grief-crisis",
        "name": "Sorg og krise",
        "name_nn": "Sorg og krise",
        "name_en": "Grief and crisis",
        "description": "Når familien har mistet noen, eller noe alvorlig har skjedd.",
    },
    {
        "code": "economy",
        "name": "Økonomi",
        "name_nn": "Økonomi",
        "name_en": "Money worries",
        "description": "Når dårlig råd gjør hverdagen vanskelig for familien.",
    },
    {
        "code": "network-loneliness",
        "name": "Nettverk og ensomhet",
        "name_nn": "Nettverk og einsemd",
        "name_en": "Network and loneliness",
        "description": (
            "Når du har få å spørre eller snakke med, og vil bli kjent med andre foreldre."
        ),
    },
)

# Target groups ("Målgruppe"): who an offer is made for.
TARGET_GROUPS: tuple[dict[str, str], ...] = (
    {
        "code": "all-parents",
        "name": "Alle foreldre",
        "name_nn": "Alle foreldre",
        "name_en": "All parents",
        "description": "For alle foreldre, uansett situasjon.",
    },
    {
        "code": "expectant-parents",
        "name": "Vordende foreldre",
        "name_nn": "Vordande foreldre",
        "name_en": "Expectant parents",
        "description": "For dere som venter barn.",
    },
    {
        "code": "first-time-parents",
        "name": "Førstegangsforeldre",
        "name_nn": "Førstegongsforeldre",
        "name_en": "First-time parents",
        "description": "For dere som har fått eller venter deres første barn.",
    },
    {
        "code": "parents-of-infants",
        "name": "Foreldre med spedbarn",
        "name_nn": "Foreldre med spedbarn",
        "name_en": "Parents of babies",
        "description": "For foreldre med barn under ett år.",
    },
    {
        "code": "fathers",
        "name": "Fedre",
        "name_nn": "Fedrar",
        "name_en": "Fathers",
        "description": "For fedre og dem som snart blir far.",
    },
    {
        "code": "couples",
        "name": "Par",
        "name_nn": "Par",
        "name_en": "Couples",
        "description": "For foreldre som vil ta vare på parforholdet.",
    },
    {
        "code": "single-parents",
        "name": "Aleneforeldre",
        "name_nn": "Åleineforeldre",
        "name_en": "Single parents",
        "description": "For deg som har omsorgen for barna alene.",
    },
    {
        "code": "separated-parents",
        "name": "Foreldre etter samlivsbrudd",
        "name_nn": "Foreldre etter samlivsbrot",
        "name_en": "Parents after separation",
        "description": "For foreldre som har gått fra hverandre og skal samarbeide om barna.",
    },
    {
        "code": "parents-of-disabled-children",
        "name": "Foreldre til barn med funksjonsnedsettelse",
        "name_nn": "Foreldre til barn med funksjonsnedsetjing",
        "name_en": "Parents of disabled children",
        "description": "For foreldre til barn med en funksjonsnedsettelse eller kronisk sykdom.",
    },
    {
        "code": "teen-parents",
        "name": "Unge foreldre",
        "name_nn": "Unge foreldre",
        "name_en": "Teenage and young parents",
        "description": "For deg som er tenåring eller ung voksen og har fått barn.",
    },
    {
        "code": "parents-of-teenagers",
        "name": "Foreldre til ungdom",
        "name_nn": "Foreldre til ungdom",
        "name_en": "Parents of teenagers",
        "description": "For foreldre med barn mellom 13 og 18 år.",
    },
    {
        "code": "minority-language-parents",
        "name": "Minoritetsspråklige foreldre",
        "name_nn": "Minoritetsspråklege foreldre",
        "name_en": "Minority-language parents",
        "description": "For foreldre som har et annet morsmål enn norsk.",
    },
    {
        "code": "newly-arrived-parents",
        "name": "Nyankomne foreldre",
        "name_nn": "Nykomne foreldre",
        "name_en": "Newly arrived parents",
        "description": (
            "For foreldre som nylig har kommet til Norge, også dere som bor i asylmottak."
        ),
    },
    {
        "code": "foster-adoptive-parents",
        "name": "Foster- og adoptivforeldre",
        "name_nn": "Foster- og adoptivforeldre",
        "name_en": "Foster and adoptive parents",
        "description": "For dere som er fosterforeldre eller har adoptert.",
    },
    {
        "code": "parents-with-children-in-care",
        "name": "Foreldre med barn i fosterhjem eller institusjon",
        "name_nn": "Foreldre med barn i fosterheim eller institusjon",
        "name_en": "Parents whose children live in care",
        "description": (
            "For foreldre som ikke bor med barnet fordi det bor i fosterhjem eller på institusjon."
        ),
    },
    {
        "code": "parents-in-prison",
        "name": "Foreldre i fengsel",
        "name_nn": "Foreldre i fengsel",
        "name_en": "Parents in prison",
        "description": "For mødre og fedre som soner, og familien deres.",
    },
    {
        "code": "young-people",
        "name": "Ungdom selv",
        "name_nn": "Ungdom sjølv",
        "name_en": "Young people themselves",
        "description": "For ungdom som selv vil ta kontakt.",
    },
)

_DUA_OWNER = "RKBU Nord og RKBU Midt"
_DUA_TARGET = "Foreldre, barn og ansatte i skoler, SFO og barnehager, fokus på atferdsproblemer"
_DUA_PURPOSE = "Forebygge og behandle atferdsproblemer hos barn."
_DUA_BASIS = "Atferdsteori; tilknytningsteori; sosial læringsteori; nettverksteori"
_DUA_BANDS_NOTE = (
    "The strategy's table lists DUÅ's age bands (0–1, 1–3, 2–6, 3–6 and 6–12 år) without "
    "naming the programme of each band; the band's programme name is added here."
)
_DUA_PRESCHOOL_SCHOOL_URL = (
    "https://ungsinn.no/post_tiltak_arkiv/"
    "de-utrolige-arene-dua-foreldreprogram-for-forskolebarn-3-6-ar-og-skolebarn-6-12-ar"
)
_NUBU = "Nasjonalt utviklingssenter for barn og unge (NUBU)"
_NO_EVIDENCE_NOTE = "No Ungsinn classification is recorded here; evidence level left empty."


def _programme(slug: str, name: str, **fields: Any) -> dict[str, Any]:
    """One programme row with the defaults spelled out, so every row has every field."""
    row: dict[str, Any] = {
        "slug": slug,
        "name": name,
        "owner": "",
        "target_group": "",
        "purpose": "",
        "age_from_months": None,
        "age_to_months": None,
        "theoretical_basis": "",
        "is_universal": False,
        "is_selective": False,
        "is_indicated": False,
        "format_group": False,
        "format_individual": False,
        "format_digital": False,
        "format_home_visit": False,
        "certification_required": False,
        "evidence_level": None,
        "evidence_source_url": "",
        "evidence_source_name": "",
        "source_note": _NO_EVIDENCE_NOTE,
    }
    unknown = set(fields) - set(row)
    if unknown:
        raise KeyError(f"Unknown programme fields: {sorted(unknown)}")
    row.update(fields)
    if row["evidence_level"] is not None and not row["evidence_source_name"]:
        # Every level here is read from an ungsinn.no article (the source URL says which);
        # the date of the rating is not recorded in the sources, so it is left empty.
        row["evidence_source_name"] = "Ungsinn"
    return row


PROGRAMMES: tuple[dict[str, Any], ...] = (
    _programme(
        "icdp",
        "ICDP – Program for foreldreveiledning",
        owner="Bufdir / ICDP Norge",
        target_group="Foreldre og andre omsorgspersoner til barn",
        purpose=(
            "Hjelpe foreldre til å fremme en positiv utvikling hos barnet og forebygge psykiske "
            "vansker gjennom å styrke foreldrene i omsorgsrollen, øke deres bevissthet for "
            "barnas signaler og behov, og gjøre dem i stand til å møte disse behovene."
        ),
        age_from_months=0,
        age_to_months=216,
        theoretical_basis=(
            "Tilknytningsteori; den biopsykososiale modellen; utviklingspsykologiske teorier"
        ),
        is_universal=True,
        is_selective=True,
        format_group=True,
        certification_required=True,
        source_note=(
            "The strategy describes ICDP as group guidance for all parents, also used with "
            "immigrant parents, parents in prison and at crisis shelters, led by certified ICDP "
            "guides. Ungsinn's second edition classified ICDP at level 3, and UiT has reported "
            "that the third edition classifies it at level 4; the third edition's article on "
            "ungsinn.no was not checked here, so the evidence level is left empty until it is."
        ),
    ),
    _programme(
        "cos",
        "Trygghetssirkelen (Circle of Security, COS)",
        owner="Regionsenter for barn og unges psykiske helse (RBUP), region Øst og Sør",
        target_group=(
            "Foreldre som har behov for å forbedre samspill og styrke tilknytning mellom "
            "foreldre og barn. Brukes også selektivt."
        ),
        purpose=(
            "Hjelpe foreldre til å forstå barnet og hvordan barnet kan hjelpes i sin utvikling. "
            "Målet er at barnet skal bli trygt og utvikle god selvregulering og sosial "
            "kompetanse."
        ),
        age_from_months=0,
        age_to_months=72,
        theoretical_basis="Tilknytningsteori",
        is_universal=True,
        is_selective=True,
        format_group=True,
        certification_required=True,
        evidence_level=2,
        evidence_source_url=(
            "https://ungsinn.no/post_tiltak_arkiv/"
            "circle-of-security-virginia-gruppemodellen-cos-vg-2-utg/"
        ),
        source_note=(
            "The source gives the age as «barn i førskolealder»; stored as 0–6 år (0–72 months). "
            "RBUP Øst og Sør ran the Virginia group model, which Ungsinn (2nd edition) classifies "
            "at level 2, theoretically founded; COS-P is at level 2 too."
        ),
    ),
    _programme(
        "loft",
        "LØFT",
        owner="Voksne for Barn",
        target_group="Foreldre og andre omsorgspersoner til barn",
        purpose=(
            "Styrke foreldrene i deres tro på seg selv i foreldrerollen og lære dem "
            "løsningsorienterte oppdragelsesstrategier."
        ),
        age_from_months=36,
        age_to_months=216,
        theoretical_basis="Narrativ teori; tilknytningsteori; sosialkonstruktivistisk teori",
        is_universal=True,
        source_note=(
            "The source gives no prevention level or format; universal is our reading of its "
            "target group (all parents and carers). " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "samspillsmetoden-dialog",
        "Samspillsmetoden Dialog",
        owner="SHK-kommunikasjon",
        target_group="Foreldre og andre omsorgsgivere til barn",
        purpose=(
            "Hjelpe foreldre med å øke kvaliteten på samspillet med barn og tilrettelegge for "
            "barnets positive utvikling. Skape en langsiktig forandring og styrking av "
            "kvaliteten på samspillet."
        ),
        age_from_months=0,
        age_to_months=216,
        theoretical_basis="Utviklingsteori; systemisk familieteori; nevrobiologisk teori",
        is_universal=True,
        source_note=(
            "The source gives no prevention level or format; universal is our reading of its "
            "target group, and the format is left open. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "dua-0-1",
        "De utrolige årene (DUÅ) – babyprogrammet, 0–1 år",
        owner=_DUA_OWNER,
        target_group=_DUA_TARGET,
        purpose=_DUA_PURPOSE,
        age_from_months=0,
        age_to_months=12,
        theoretical_basis=_DUA_BASIS,
        is_universal=True,
        is_selective=True,
        format_group=True,
        certification_required=True,
        source_note=_DUA_BANDS_NOTE + " " + _NO_EVIDENCE_NOTE,
    ),
    _programme(
        "dua-1-3",
        "De utrolige årene (DUÅ) – småbarnsprogrammet, 1–3 år",
        owner=_DUA_OWNER,
        target_group=_DUA_TARGET,
        purpose=_DUA_PURPOSE,
        age_from_months=12,
        age_to_months=36,
        theoretical_basis=_DUA_BASIS,
        is_universal=True,
        is_selective=True,
        format_group=True,
        certification_required=True,
        source_note=_DUA_BANDS_NOTE + " " + _NO_EVIDENCE_NOTE,
    ),
    _programme(
        "dua-2-6",
        "De utrolige årene (DUÅ) – universalprogrammet, 2–6 år",
        owner=_DUA_OWNER,
        target_group=_DUA_TARGET,
        purpose=_DUA_PURPOSE,
        age_from_months=24,
        age_to_months=72,
        theoretical_basis=_DUA_BASIS,
        is_universal=True,
        format_group=True,
        certification_required=True,
        source_note=(
            _DUA_BANDS_NOTE + " Ungsinn has a first-edition review of the universal programme; "
            "its level was not checked here, so the evidence level is left empty."
        ),
    ),
    _programme(
        "dua-3-6",
        "De utrolige årene (DUÅ) – førskoleprogrammet, 3–6 år",
        owner=_DUA_OWNER,
        target_group=_DUA_TARGET,
        purpose=_DUA_PURPOSE,
        age_from_months=36,
        age_to_months=72,
        theoretical_basis=_DUA_BASIS,
        is_universal=True,
        is_selective=True,
        is_indicated=True,
        format_group=True,
        certification_required=True,
        evidence_level=5,
        evidence_source_url=_DUA_PRESCHOOL_SCHOOL_URL,
        source_note=(
            _DUA_BANDS_NOTE + " Ungsinn classifies DUÅ's parent programmes for preschool and "
            "school-age children at level 5, strong documentation of effect."
        ),
    ),
    _programme(
        "dua-6-12",
        "De utrolige årene (DUÅ) – skolealderprogrammet, 6–12 år",
        owner=_DUA_OWNER,
        target_group=_DUA_TARGET,
        purpose=_DUA_PURPOSE,
        age_from_months=72,
        age_to_months=144,
        theoretical_basis=_DUA_BASIS,
        is_universal=True,
        is_selective=True,
        is_indicated=True,
        format_group=True,
        certification_required=True,
        evidence_level=5,
        evidence_source_url=_DUA_PRESCHOOL_SCHOOL_URL,
        source_note=(
            _DUA_BANDS_NOTE + " Ungsinn classifies DUÅ's parent programmes for preschool and "
            "school-age children at level 5, strong documentation of effect."
        ),
    ),
    _programme(
        "tibir",
        "Tidlig innsats for barn i risiko (TIBIR)",
        owner=_NUBU,
        target_group=(
            "Består av seks ulike tiltak, som retter seg mot foreldre, skole/barnehage eller "
            "barnet. Kan også benyttes på selektivt og indikativt nivå."
        ),
        purpose=(
            "Forebygge, redusere og stoppe atferdsproblemer hjemme og i barnehagen/skolen, på "
            "tidligst mulig tidspunkt. Bidra til utvikling av positiv, prososial atferd og øke "
            "sosial kompetanse hos barnet. Endre foreldrenes forståelse, handlingsmønstre, "
            "holdninger og attribusjoner slik at det emosjonelle båndet mellom foreldre og barn "
            "forsterkes."
        ),
        age_from_months=36,
        age_to_months=144,
        theoretical_basis=(
            "Sosial interaksjonslæringsteori; samspills- og utviklingspsykologiske teorier; "
            "kognitiv teori; systemteori; økologisk modell"
        ),
        is_universal=True,
        is_selective=True,
        is_indicated=True,
        format_group=True,
        format_individual=True,
        certification_required=True,
        source_note=(
            "Ungsinn reviews TIBIR's six parts one by one (for example PMTO-foreldregruppe), "
            "not TIBIR as a whole; evidence level left empty."
        ),
    ),
    _programme(
        "pmto",
        "Parent Management Training – Oregonmodellen (PMTO)",
        owner=f"{_NUBU} / Bufetat",
        target_group=(
            "Foreldre som har relasjonsproblemer med barna sine, og hvor barna har atferdsproblemer"
        ),
        purpose=(
            "Gjenopprette en positiv relasjon mellom foreldre og barn slik at opposisjonell "
            "atferd brytes og positiv utvikling fremmes."
        ),
        age_from_months=36,
        age_to_months=144,
        theoretical_basis="Sosial læringsteori; sosial interaksjonsteori; atferdsteori",
        is_indicated=True,
        format_individual=True,
        certification_required=True,
        evidence_level=5,
        evidence_source_url=(
            "https://ungsinn.no/post_tiltak_arkiv/parent-management-training-the-oregon-model-"
            "pmto-som-individuell-foreldreveiledning-2-utg/"
        ),
        source_note=(
            "Ambiguous in the source: the programme table gives the child's age as 3–12 år, "
            "while the strategy's text describes PMTO as a treatment for parents of children "
            "aged 4–12 år with serious behaviour problems. The table's value, 3–12 år "
            "(36–144 months), is kept. Ungsinn classifies PMTO as individual parent training "
            "at level 5, strong documentation of effect."
        ),
    ),
    _programme(
        "eft",
        "Emosjonsfokusert parterapi (EFT)",
        owner="Norsk institutt for emosjonsfokusert terapi",
        target_group="Foreldre til barn med psykiske vansker",
        purpose=(
            "Hjelpe foreldre i å styrke emosjonelle relasjoner i familien. Støtte foreldre til "
            "å være aktive agenter i å hjelpe barna med deres symptomer, stress og emosjonelle "
            "reaksjoner."
        ),
        theoretical_basis="Humanistisk terapi; familieterapi; sosial nevrobiologi",
        is_indicated=True,
        format_individual=True,
        source_note=(
            "The source gives no child age («ikke oppgitt spesifikk aldersgruppe på "
            "hjemmesider»), so the age is left empty. The table calls it couple therapy "
            "(«parterapi») while its target group is parents of children with mental health "
            "difficulties; both are kept as written. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "kompetente-foreldre",
        "Kompetente foreldre",
        owner="Akershus universitetssykehus",
        target_group="Foreldre som har barn med funksjonsnedsettelser og kronisk sykdom",
        purpose=(
            "Gi foreldre fellesskap, erfaringslæring og veiledning. Hovedmålet er å styrke den "
            "enkelte deltaker til mestring i hverdagen med familien."
        ),
        theoretical_basis="Gestaltpsykologi; humanistisk psykologi",
        is_selective=True,
        format_group=True,
        source_note=(
            "The source gives no child age («ikke oppgitt spesifikk aldersgruppe på "
            "hjemmesider»), so the age is left empty. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "fft",
        "Funksjonell familieterapi (FFT)",
        owner=_NUBU,
        target_group="Familier med ungdom som viser atferdsvansker",
        purpose=(
            "Bedre familiens samspill, kommunikasjon og problemløsningsferdigheter, samt å "
            "endre eventuelle uheldige oppdragelsesstrategier."
        ),
        age_from_months=132,
        age_to_months=216,
        theoretical_basis=(
            "Systemteori; økologisk modell; forskning omkring risiko- og beskyttelsesfaktorer "
            "for atferdsvansker; kommunikasjonsteori; kognitiv teori"
        ),
        is_indicated=True,
        format_individual=True,
        format_home_visit=True,
        certification_required=True,
        source_note=(
            "Home visits: NUBU describes meetings at the therapist's office or in the family's "
            "home. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "peffg",
        "Psykoedukative flerfamiliegrupper (PEFFG)",
        owner="Helseforetakene",
        target_group="Foreldre til barn som har psykoselidelser",
        purpose=(
            "Gi brukere og pårørende kunnskap om sykdommen slik at barna skal kunne mestre "
            "sykdommen bedre."
        ),
        age_from_months=204,
        age_to_months=216,
        theoretical_basis="Stress-sårbarhetsteori; atferdsteori; kognitiv teori",
        is_indicated=True,
        format_group=True,
    ),
    _programme(
        "smarte-foreldre",
        "Smarte foreldre",
        owner="Voksne for Barn",
        target_group="Foreldre med engstelige eller triste barn",
        purpose=(
            "Lære foreldre grunnleggende prinsipper om mestring av angst og depresjon hos sine "
            "barn."
        ),
        age_from_months=0,
        age_to_months=216,
        theoretical_basis="Kognitiv atferdsterapi; sosial læringsteori; kognitiv teori",
        is_selective=True,
        source_note=("The source gives no format; it is left open. " + _NO_EVIDENCE_NOTE),
    ),
    _programme(
        "tfco",
        "Treatment Foster Care Oregon (TFCO)",
        owner=_NUBU,
        target_group=(
            "Fosterhjemsbasert behandlingsmetode for ungdommer med alvorlige atferdsvansker"
        ),
        purpose=(
            "Forhindre institusjonsplassering ved bl.a. å redusere risikofaktorer, styrke "
            "ungdommens positive atferd og ressurser, utvikle positive vennerelasjoner og "
            "prososiale ferdigheter."
        ),
        age_from_months=144,
        age_to_months=216,
        theoretical_basis=(
            "Systemteori; økologisk modell; forskning omkring risiko- og beskyttelsesfaktorer "
            "for atferdsvansker; sosial læringsteori"
        ),
        is_indicated=True,
        format_individual=True,
        certification_required=True,
    ),
    _programme(
        "tuning-into-kids",
        "Tuning Into Kids (TIK)",
        owner="RBUP Øst og Sør",
        target_group=(
            "Foreldre til barn med atferds- og emosjonsvansker. Kan også brukes som et "
            "universelt tiltak."
        ),
        purpose=(
            "Hjelpe foreldre å bli emosjonsveiledere for barnet sitt ved å bli mer sensitive og "
            "hjelpe barnet til å regulere følelser samt hjelpe barnet med problemløsning."
        ),
        age_from_months=12,
        age_to_months=216,
        theoretical_basis="Sosial læringsteori; tilknytningsteori; emosjonsteori",
        is_universal=True,
        is_selective=True,
        format_group=True,
        certification_required=True,
    ),
    _programme(
        "trygg-base",
        "Trygg base",
        owner="RKBU",
        target_group="Fosterforeldre",
        purpose=(
            "Hjelpe fosterforeldre til å gi sensitiv omsorg som utvikler trygge, nære relasjoner."
        ),
        age_from_months=0,
        age_to_months=216,
        theoretical_basis="Tilknytningsteori; teori om resiliens",
        is_selective=True,
        source_note=(
            "The source names the owner only as «RKBU» and gives no format; the format is left "
            "open. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "mst-can",
        "MST Child Abuse and Neglect (MST-CAN)",
        owner=_NUBU,
        target_group="Familier der det forekommer vold og/eller omsorgssvikt",
        purpose=(
            "Gi utsatte barn en trygg og utviklingsstøttende oppvekst ved å holde familier "
            "sammen, forebygge vold og omsorgssvikt, redusere foreldre og barns psykiske "
            "vansker, og hjelpe familier til å bruke sosial støtte."
        ),
        age_from_months=72,
        age_to_months=216,
        theoretical_basis=(
            "En tilpasning av multisystemisk terapi (MST) med samme teorigrunnlag: systemteori; "
            "økologisk modell; forskning omkring risiko- og beskyttelsesfaktorer for "
            "atferdsvansker"
        ),
        is_indicated=True,
        format_individual=True,
        format_home_visit=True,
        certification_required=True,
    ),
    _programme(
        "mst",
        "Multisystemisk terapi (MST)",
        owner=_NUBU,
        target_group="Familier som har ungdom med store atferdsproblemer",
        purpose=(
            "Redusere alvorlige atferdsproblemer og kriminell atferd hos ungdom, blant annet "
            "som et alternativ til plassering utenfor hjemmet."
        ),
        age_from_months=144,
        age_to_months=216,
        theoretical_basis=(
            "Systemteori; økologisk modell; forskning omkring risiko- og beskyttelsesfaktorer "
            "for atferdsvansker"
        ),
        is_indicated=True,
        format_individual=True,
        format_home_visit=True,
        certification_required=True,
        source_note=(
            "The strategy's text describes MST (12–18 år) but its table has no row for it: the "
            "owner is NUBU, as for MST-CAN, and the theoretical basis is the one the table gives "
            "MST-CAN («samme teorigrunnlag» as MST). Ungsinn rated MST «funksjonelt virksomt, "
            "evidensnivå 3» in 2014 on its older four-level scale "
            "(https://ungsinn.no/post_tiltak/mst/), which does not translate to the 0–5 scale; "
            "the 2017 second edition's level was not checked here, so the evidence level is "
            "left empty."
        ),
    ),
    _programme(
        "marte-meo",
        "Marte Meo",
        owner="Marte Meo International (utviklet av Maria Aarts)",
        target_group="Foreldre og andre omsorgspersoner som vil styrke samspillet med barnet",
        purpose=(
            "Styrke samspillet mellom omsorgsperson og barn ved å filme hverdagssituasjoner og "
            "veilede på det som fungerer."
        ),
        is_selective=True,
        format_individual=True,
        format_home_visit=True,
        certification_required=True,
        source_note=(
            "The strategy names Marte Meo among programmes with promising results but has no "
            "table row for it: owner, target group, purpose and format come from the method's "
            "general description, and the age is left empty. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "familie-for-forste-gang",
        "Familie for første gang (Nurse Family Partnership)",
        owner=(
            "Barne- og likestillingsdepartementet og Helse- og omsorgsdepartementet "
            "(utprøving i Oslo og Rogaland)"
        ),
        target_group="Førstegangsforeldre som trenger ekstra støtte",
        purpose=(
            "Forebygge uheldig livsutvikling for barn og foreldre gjennom tett oppfølging med "
            "hjemmebesøk av spesialopplærte sykepleiere fra graviditet til barnet fyller to år."
        ),
        age_from_months=-9,
        age_to_months=24,
        is_selective=True,
        format_home_visit=True,
        certification_required=True,
        source_note=(
            "«Fra graviditet» is stored as -9 months, the start of pregnancy; the strategy does "
            "not say in which week of pregnancy the visits begin. It gives no theoretical basis. "
            + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "home-start",
        "Home-Start Familiekontakten",
        owner="Home-Start Familiekontakten Norge",
        target_group=(
            "Familier med minst ett barn under skolealder (0–6 år) som har en presset hverdag"
        ),
        purpose=(
            "Redusere stress og forebygge psykiske vansker for å unngå kriser i familien, "
            "gjennom regelmessig støtte, vennskap og praktisk hjelp fra frivillige "
            "familiekontakter i familiens eget hjem."
        ),
        age_from_months=0,
        age_to_months=72,
        is_selective=True,
        format_home_visit=True,
        source_note=("The strategy gives no theoretical basis. " + _NO_EVIDENCE_NOTE),
    ),
    _programme(
        "godt-samliv",
        "Godt samliv",
        owner="Barne-, ungdoms- og familiedirektoratet (Bufdir)",
        target_group="Par som nylig har blitt foreldre, særlig førstegangsforeldre",
        purpose=(
            "Gi støtte og inspirasjon i en periode med store forandringer i hverdagen og i "
            "parforholdet, og redusere konflikter i forholdet til det beste for barnet."
        ),
        is_universal=True,
        format_group=True,
        source_note=(
            "A couples' course given by health centres all over the country. The strategy "
            "gives no child age, so it is left empty, and mentions a digital version only as "
            "being considered. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "hva-med-oss",
        "Hva med oss?",
        owner="Barne-, ungdoms- og familiedirektoratet (Bufdir), utviklet av Modum Bad",
        target_group="Foreldre (par) som har barn med nedsatt funksjonsevne",
        purpose=(
            "Gi foreldre konkrete verktøy til å håndtere konflikter og unngå krangling, og "
            "mulighet til å utveksle erfaringer med andre foreldre i samme situasjon."
        ),
        is_selective=True,
        format_group=True,
        source_note=(
            "Course and group guidance at the family counselling offices. The strategy gives "
            "no child age. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "fortsatt-foreldre",
        "Fortsatt foreldre – for godt nok foreldresamarbeid",
        owner="Familievernet (Bufetat) og enkelte kommuner",
        target_group=("Foreldre som har gått fra hverandre og strever med samarbeidet om barna"),
        purpose=(
            "Gi råd og veiledning om hvordan foreldre kan få til et bedre foreldresamarbeid til "
            "det beste for barna, og løse konflikter på en konstruktiv måte."
        ),
        is_selective=True,
        format_group=True,
        source_note=(
            "Evaluated by Folkehelseinstituttet according to the strategy, which gives no child "
            "age. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "foreldre-i-norge",
        "Foreldre i Norge",
        owner="Barne-, ungdoms- og familiedirektoratet (Bufdir)",
        target_group="Nyankomne foreldre, blant annet beboere i asylmottak",
        purpose="Gi foreldre informasjon om hva det innebærer å være foreldre i Norge.",
        age_from_months=0,
        age_to_months=216,
        is_selective=True,
        format_group=True,
        source_note=(
            "An information programme used in asylum reception centres. The strategy does not "
            "name its owner; Bufdir is given as the directorate responsible for parental "
            "support programmes. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "pappa-i-fengsel",
        "Pappa i fengsel",
        owner="Kriminalomsorgen",
        target_group="Fedre som soner i fengsel",
        purpose=(
            "Gi innsatte fedre et sted å snakke om foreldreskapet og om hvordan de kan ivareta "
            "barna sine mens de soner."
        ),
        age_from_months=0,
        age_to_months=216,
        theoretical_basis="Bygger på ICDP (Program for foreldreveiledning)",
        is_selective=True,
        format_group=True,
        certification_required=True,
        source_note=(
            "Groups are led by guides trained at Kriminalomsorgens høgskole og "
            "utdanningssenter; the strategy (tiltak 19) plans an adaptation for mothers in "
            "prison. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "bryt-voldsarven",
        "Bryt voldsarven",
        owner="Alternativ til Vold (ATV)",
        target_group="Vordende foreldre som selv har vokst opp med vold",
        purpose=(
            "Forebygge vold i nære relasjoner: hva barn trenger for å være trygge, hvordan man "
            "kan kontrollere sitt eget sinne, og hvor man kan søke hjelp."
        ),
        age_from_months=-9,
        age_to_months=0,
        is_selective=True,
        format_group=True,
        certification_required=True,
        source_note=(
            "A course for expectant parents, so the age is the pregnancy (-9 to 0 months); "
            "course leaders are trained in the method. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "familierad",
        "Familieråd",
        owner="Bufdir (familievernet, etter modell fra barnevernet)",
        target_group=(
            "Familier som sammen med utvidet familie og nettverk vil bestemme hvilke tiltak som "
            "skal settes inn for et barn"
        ),
        purpose=(
            "La familien selv, i en utvidet familiesetting, bestemme hvilke tiltak som skal "
            "settes inn for barnet, og i stor grad utføre dem selv."
        ),
        is_selective=True,
        is_indicated=True,
        format_individual=True,
        source_note=(
            "A method tried in the family counselling service (tiltak 29); the strategy gives "
            "no child age. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "foreldrehverdag",
        "Foreldrehverdag.no",
        owner="Barne-, ungdoms- og familiedirektoratet (Bufdir)",
        target_group="Alle foreldre",
        purpose=(
            "Gi informasjon og kvalifiserte råd til foreldre om hvordan de kan forbedre "
            "samspillet med barna sine."
        ),
        age_from_months=0,
        age_to_months=216,
        theoretical_basis="Bygger på ICDP (Program for foreldreveiledning), i digital form",
        is_universal=True,
        format_digital=True,
    ),
    _programme(
        "cope",
        "COPE – The Community Parent Education Program",
        owner="Utviklet av professor Charles Cunningham, Canada",
        target_group="Foreldre og andre voksne rundt barnet",
        purpose=(
            "Gi foreldre verktøy for å forstå og møte barna sine, styrke foreldreskapet, "
            "forbedre samspillet i familien og skape nettverk mellom voksne."
        ),
        is_universal=True,
        format_group=True,
        source_note=(
            "From the Nordic report on family centres (seeds/002), not the strategy: Flen in "
            "Sweden adapted COPE for Somali parents. No child age is given. " + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "komet",
        "KOMET",
        owner="Svensk program; tiltakseier er ikke oppgitt i kilden",
        target_group="Foreldre til barn i alderen 3–12 år",
        purpose="Mer samtale og mindre bråk mellom foreldre og barn.",
        age_from_months=36,
        age_to_months=144,
        is_universal=True,
        format_group=True,
        source_note=(
            "From the Nordic report on family centres (seeds/002): Vänersborg offers KOMET to "
            "families with children aged 3–12; the report does not name its owner. "
            + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "tonars-komet",
        "Tonårs-KOMET",
        owner="Svensk program; tiltakseier er ikke oppgitt i kilden",
        target_group="Foreldre til ungdom i alderen 13–18 år",
        purpose="Mer samtale og mindre bråk mellom foreldre og ungdom.",
        age_from_months=156,
        age_to_months=216,
        is_universal=True,
        format_group=True,
        source_note=(
            "From the Nordic report on family centres (seeds/002): Vänersborg offers it to "
            "families with children aged 13–18; the report does not name its owner. "
            + _NO_EVIDENCE_NOTE
        ),
    ),
    _programme(
        "prep",
        "PREP – Prevention and Relationship Enhancement Program",
        owner="Amerikansk program; tiltakseier er ikke oppgitt i kilden",
        target_group="Par",
        purpose="Styrke parforholdet.",
        is_universal=True,
        format_group=True,
        source_note=(
            "From the Nordic report on family centres (seeds/002), where Vänersborg offers it "
            "within its package for families with children aged 3–12. That is the "
            "municipality's grouping, not the programme's age range, so the age is left empty. "
            + _NO_EVIDENCE_NOTE
        ),
    ),
)


def all_term_rows() -> list[dict[str, Any]]:
    """Every seeded term with its taxonomy code and its stable id."""
    rows = []
    for taxonomy_code, terms in (("tema", TOPICS), ("malgruppe", TARGET_GROUPS)):
        for term in terms:
            rows.append(
                {**term, "taxonomy": taxonomy_code, "id": term_id(taxonomy_code, term["code"])}
            )
    return rows
