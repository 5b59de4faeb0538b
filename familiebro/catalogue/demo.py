"""Demo offers: what the pilot sites' services could publish under «Finn hjelp».

About forty published offers across the demo units of familiebro.core.demo: courses and groups
at the health centres (Godt samliv, barselgruppe, ammegruppe, pappagruppe, 8-månedersgruppe,
antenatal classes), the visiting family therapist's «Samtale på helsestasjonen» of Tiltak 26
at the five pilot sites, ICDP groups in Arabic and Somali, Foreldre i Norge in Tigrinya and
Ukrainian, Fortsatt foreldre and Hva med oss? at the family counselling offices, Home-Start,
an open kindergarten, Familiehjelpa's drop-in and PMTO, and offers that need a referral at
BUP. Dated sessions start in the weeks after the data is loaded. A few offers are translated
(Arabic, Ukrainian, English, nynorsk, Polish) and one was last confirmed eight months ago, so
the stale-offer warning can be seen.

Contact persons, phone numbers and addresses are made up. The demo has no family centre
(Familiens hus) among its units, so PMTO is offered by Familiehjelpa, Stange's one-door team.

`load_demo_offers()` is idempotent: each offer has a fixed id derived from its key, and a
second run finds them all with one query and writes nothing.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from familiebro.core.models import Municipality, ServiceUnit

from . import actions, programme_data
from .models import Offer, OpeningHours, Programme, TaxonomyTerm

_DEMO_NAMESPACE = uuid.UUID("b7d5f0a2-3c1e-4e8b-9f2d-6a4c8e1b0d37")

MON, TUE, WED, THU, FRI, SAT = (
    OpeningHours.Weekday.MONDAY,
    OpeningHours.Weekday.TUESDAY,
    OpeningHours.Weekday.WEDNESDAY,
    OpeningHours.Weekday.THURSDAY,
    OpeningHours.Weekday.FRIDAY,
    OpeningHours.Weekday.SATURDAY,
)
STALE_AGE = datetime.timedelta(days=243)  # about eight months: past the six-month limit


@dataclass(frozen=True)
class Contact:
    name: str
    title: str
    phone: str
    phone_hours: str = ""


@dataclass(frozen=True)
class Place:
    name: str
    address: str
    postal_code: str
    city: str
    municipality: str


@dataclass(frozen=True)
class Hours:
    weekday: int
    opens: str
    closes: str
    note: str = ""


@dataclass(frozen=True)
class Series:
    """`count` sessions, `every_days` apart, the first on `weekday` at least `weeks_ahead`
    weeks after loading."""

    weekday: int
    starts: str
    ends: str
    count: int = 1
    weeks_ahead: int = 2
    every_days: int = 7
    title: str = ""


@dataclass(frozen=True)
class Translation:
    language: str
    title: str
    summary: str
    description: str
    how_to_sign_up: str = ""


@dataclass(frozen=True)
class DemoOffer:
    key: str
    unit: str
    title: str
    summary: str
    description: str
    topics: tuple[str, ...]
    target_groups: tuple[str, ...]
    contact: Contact
    age: tuple[int | None, int | None] = (None, None)
    languages: tuple[str, ...] = ("nb",)
    programme: str = ""
    formats: tuple[str, ...] = ()
    cost: str = ""
    referral_required: bool = False
    capacity: int | None = None
    how_to_sign_up: str = ""
    place: Place | None = None
    # Municipality numbers; empty: the municipalities the unit serves.
    municipalities: tuple[str, ...] = ()
    hours: tuple[Hours, ...] = ()
    sessions: tuple[Series, ...] = ()
    translations: tuple[Translation, ...] = ()
    stale: bool = False
    digital: bool = False

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(_DEMO_NAMESPACE, self.key)


STANGE_HS = Place("Helsestasjonen i Stange", "Kirkevegen 9", "2335", "Stange", "3413")
RANA_HS = Place("Helsestasjonen i Rana", "Fridtjof Nansens gate 14", "8622", "Mo i Rana", "1833")
NAMSOS_HS = Place("Helsestasjonen i Namsos", "Havnegata 7", "7800", "Namsos", "5007")
GLOPPEN_HS = Place("Helsestasjonen i Gloppen", "Gloppenvegen 12", "6823", "Sandane", "4650")
SKIEN_HS = Place("Helsestasjonen i Skien", "Hesselbergs gate 10", "3724", "Skien", "4003")
LILLESTROM_HS = Place("Helsestasjonen i Lillestrøm", "Storgata 30", "2000", "Lillestrøm", "3205")
MOLDE_HS = Place("Helsestasjonen i Molde", "Parkvegen 36", "6413", "Molde", "1506")
AVEROY_HS = Place("Helsestasjonen i Averøy", "Bruhagen 4", "6530", "Averøy", "1554")
HUSTADVIKA_HS = Place(
    "Helsestasjonen i Hustadvika", "Elnesvågvegen 2", "6440", "Elnesvågen", "1579"
)
SMOLA_HS = Place("Helsestasjonen i Smøla", "Hopen sentrum", "6570", "Smøla", "1573")

NURSE_STANGE = Contact("Ingrid Bakken", "Helsesykepleier", "62 56 10 00", "Hverdager 08.30–11.00")
MIDWIFE_RANA = Contact("Hilde Sørli", "Jordmor", "75 14 62 00", "Hverdager 09.00–11.00")
THERAPIST_RANA = Contact("Tor Eirik Lie", "Familieterapeut", "75 13 44 00", "Hverdager 09.00–15.00")


def _samtale(key: str, unit: str, place: Place, therapist: Contact, municipality: str) -> DemoOffer:
    """Tiltak 26: the family counselling office's therapist on fixed days at the health centre,
    under a discreet name (parents asked for «samtale», not «familievern»)."""
    return DemoOffer(
        key=key,
        unit=unit,
        title="Samtale på helsestasjonen",
        summary="En prat for dere to om livet som nybakte foreldre, her på helsestasjonen.",
        description=(
            "Familieterapeuten fra familievernkontoret har faste dager her på helsestasjonen. "
            "Dere kan komme som par eller alene, for eksempel når søvnmangel, krangling eller "
            "nye roller som foreldre tærer på forholdet. De fleste har én til tre samtaler; "
            "trenger dere mer, kan dere fortsette på familievernkontoret. Helsesykepleieren "
            "kan sette dere opp, eller dere kan bestille selv."
        ),
        topics=("couple-relationship", "conflict-separation", "parenting-role"),
        target_groups=("couples", "first-time-parents", "parents-of-infants"),
        contact=therapist,
        age=(-9, 24),
        formats=("individual",),
        how_to_sign_up="Be helsesykepleieren om en time, eller ring familieterapeuten.",
        place=place,
        municipalities=(municipality,),
        hours=(Hours(THU, "09:00", "15:00", "Annenhver torsdag, også kveldstimer på forespørsel"),),
    )


def _godt_samliv(key: str, unit: str, place: Place, contact: Contact, **extra) -> DemoOffer:
    return DemoOffer(
        key=key,
        unit=unit,
        title="Godt samliv – kurs for nybakte foreldre",
        summary="Fire kvelder for par som har fått barn: om å holde forbindelsen i en travel tid.",
        description=(
            "Et kurs for par som nylig har fått sitt første barn. Vi snakker om den store "
            "forandringen fra par til familie, om kommunikasjon, om krangel og konflikt og om "
            "hvordan dere kan ta vare på hverandre. Dere snakker mest sammen to og to; ingen må "
            "dele noe i gruppen. Babyen kan være med."
        ),
        topics=("couple-relationship", "parenting-role"),
        target_groups=("couples", "first-time-parents", "parents-of-infants"),
        contact=contact,
        age=(0, 12),
        programme="godt-samliv",
        formats=("group",),
        capacity=10,
        how_to_sign_up="Meld dere på til helsesykepleieren, på telefon eller på neste kontroll.",
        place=place,
        sessions=(Series(TUE, "18:00", "20:30", count=4, weeks_ahead=3),),
        **extra,
    )


DEMO_OFFERS: tuple[DemoOffer, ...] = (
    # Stange: the health centre, the kindergarten, Familiehjelpa, PPT, Home-Start.
    _godt_samliv(
        "stange-godt-samliv",
        "Helsestasjonen i Stange",
        STANGE_HS,
        NURSE_STANGE,
        translations=(
            Translation(
                "en",
                "Godt samliv – a course for new parents",
                "Four evenings for couples who have had a baby: staying connected in a busy time.",
                "A course for couples who have recently had their first child. We talk about "
                "the big change from couple to family, about communication, about arguments "
                "and conflict, and about looking after each other. You mostly talk as a couple; "
                "nobody has to share anything with the group. Your baby is welcome.",
                "Sign up with the public health nurse, by phone or at your next check-up.",
            ),
        ),
    ),
    DemoOffer(
        key="stange-barselgruppe",
        unit="Helsestasjonen i Stange",
        title="Barselgruppe",
        summary="Bli kjent med andre som har fått barn samtidig med deg.",
        description=(
            "Når barnet er rundt fire uker, inviterer helsestasjonen til barselgruppe med "
            "andre foreldre i nabolaget. Vi møtes fire ganger og snakker om søvn, amming og "
            "mat, gråt og om hvordan dere har det selv. Mange gruppene fortsetter å treffes "
            "på egen hånd."
        ),
        topics=("network-loneliness", "infant-sleep-feeding", "parenting-role"),
        target_groups=("parents-of-infants", "first-time-parents"),
        contact=NURSE_STANGE,
        age=(0, 6),
        formats=("group",),
        capacity=8,
        how_to_sign_up="Du får invitasjon fra helsesykepleieren. Ring oss hvis du ikke har fått.",
        place=STANGE_HS,
        sessions=(Series(WED, "11:00", "12:30", count=4, weeks_ahead=1),),
    ),
    DemoOffer(
        key="stange-familiehjelpa",
        unit="Familiehjelpa",
        title="Familiehjelpa – ring eller kom innom",
        summary="Én dør inn når noe er vanskelig i familien. Du trenger ingen henvisning.",
        description=(
            "Familiehjelpa er et lite team av helsesykepleier, familieterapeut, "
            "barnevernspedagog og psykolog. Du kan ringe eller komme innom om alt som "
            "gjelder barn og familie: søvn, krangling, et barn som strever, rus, økonomi "
            "eller at du selv er sliten. Du trenger ingen henvisning, og vi tar kontakt med "
            "deg innen sju dager. Noen ganger holder én samtale; andre ganger følger vi dere "
            "over tid og samarbeider med andre tjenester, hvis dere vil."
        ),
        topics=(
            "parenting-role",
            "conflict-separation",
            "mental-health",
            "behaviour",
            "substance-use",
            "economy",
        ),
        target_groups=("all-parents", "young-people"),
        contact=Contact(
            "Line Bjørklund", "Koordinator, sosionom", "62 56 12 34", "Hverdager 08.00–15.30"
        ),
        age=(-9, 216),
        formats=("individual",),
        how_to_sign_up="Ring, kom innom på drop-in, eller be om å bli kontaktet.",
        place=Place("Familiehjelpa", "Stasjonsvegen 13", "2335", "Stange", "3413"),
        hours=(Hours(MON, "15:00", "19:00", "Drop-in, ingen timebestilling"),),
        translations=(
            Translation(
                "en",
                "Familiehjelpa – call or drop in",
                "One door in when something is hard in the family. No referral needed.",
                "Familiehjelpa is a small team: a public health nurse, a family therapist, a "
                "child welfare educator and a psychologist. Call or drop in about anything to "
                "do with children and family: sleep, arguments, a child who struggles, alcohol "
                "or drugs, money, or feeling worn out yourself. You need no referral, and we "
                "contact you within seven days. Sometimes one conversation is enough; other "
                "times we follow you over time and work with other services, if you want.",
            ),
        ),
    ),
    DemoOffer(
        key="stange-pmto",
        unit="Familiehjelpa",
        title="PMTO – foreldreveiledning når barnet ofte er sint og trassig",
        summary="Ukentlige samtaler som gir dere verktøy for å få en roligere hverdag hjemme.",
        description=(
            "For foreldre til barn mellom 3 og 12 år som ofte er sinte, utagerende eller "
            "vanskelige å sette grenser for. En sertifisert PMTO-terapeut møter dere hver uke "
            "i om lag et halvt år. Dere øver på ros, tydelige beskjeder, problemløsning og "
            "rolige reaksjoner, og prøver det ut hjemme mellom samtalene."
        ),
        topics=("behaviour", "parenting-role"),
        target_groups=("all-parents",),
        contact=Contact("Martin Holm", "Psykolog, PMTO-terapeut", "62 56 12 40"),
        age=(36, 144),
        programme="pmto",
        formats=("individual",),
        how_to_sign_up="Ring Familiehjelpa; vi tar en første samtale for å se om PMTO passer.",
        place=Place("Familiehjelpa", "Stasjonsvegen 13", "2335", "Stange", "3413"),
        hours=(Hours(TUE, "08:00", "18:00", "Timer etter avtale, også etter arbeidstid"),),
    ),
    DemoOffer(
        key="stange-apen-barnehage",
        unit="Ottestad barnehage",
        title="Åpen barnehage",
        summary="Kom innom med barnet: lek, sang og en kopp kaffe med andre foreldre.",
        description=(
            "Åpen barnehage er for barn som ikke går i barnehage, sammen med en voksen. Du "
            "trenger ikke melde deg på. Vi har sangstund, lek ute og inne, og et enkelt "
            "måltid. Barnehagelæreren svarer gjerne på spørsmål om lek, språk og utvikling."
        ),
        topics=("network-loneliness", "child-development"),
        target_groups=("all-parents", "parents-of-infants", "minority-language-parents"),
        contact=Contact("Camilla Dahl", "Barnehagelærer", "62 56 14 10"),
        age=(0, 72),
        formats=("group",),
        place=Place("Ottestad barnehage", "Ottestadvegen 50", "2312", "Ottestad", "3413"),
        hours=(
            Hours(TUE, "09:30", "13:30"),
            Hours(THU, "09:30", "13:30", "Babytreff for de minste kl. 10.00"),
        ),
    ),
    DemoOffer(
        key="stange-ppt-foreldreradgivning",
        unit="PP-tjenesten i Stange",
        title="Foreldrerådgivning når barnet trenger ekstra hjelp i barnehage eller skole",
        summary="Veiledning for foreldre til barn med spesialpedagogisk hjelp.",
        description=(
            "Når barnet ditt har vedtak om spesialpedagogisk hjelp, har du rett til "
            "foreldrerådgivning. Vi snakker om hvordan dere kan støtte barnets språk, lek og "
            "læring hjemme, og om samarbeidet med barnehagen eller skolen."
        ),
        topics=("disability", "school", "child-development"),
        target_groups=("parents-of-disabled-children",),
        contact=Contact("Martin Holm", "Psykolog", "62 56 15 00"),
        age=(12, 216),
        formats=("individual",),
        referral_required=True,
        how_to_sign_up=(
            "Barnehagen, skolen eller fastlegen henviser med ditt samtykke. Du kan også ringe "
            "oss og spørre."
        ),
        place=Place("PP-tjenesten i Stange", "Kirkevegen 9", "2335", "Stange", "3413"),
    ),
    DemoOffer(
        key="stange-home-start",
        unit="Home-Start Familiekontakten Stange",
        title="Home-Start: en familiekontakt hjemme hos dere",
        summary="En frivillig kommer hjem til dere et par timer i uken, i et halvt år.",
        description=(
            "Har dere minst ett barn under skolealder og en hverdag som er tung akkurat nå? "
            "En erfaren forelder som frivillig familiekontakt kommer hjem til dere et par "
            "timer i uken. Hun eller han kan passe barna mens du hviler, bli med på "
            "helsestasjonen, eller bare være en å snakke med. Det er gratis, og "
            "familiekontakten har taushetsplikt."
        ),
        topics=("network-loneliness", "parenting-role", "mental-health"),
        target_groups=("all-parents", "single-parents", "minority-language-parents"),
        contact=Contact("Marit Hagen", "Koordinator", "40 00 12 34", "Mandag–torsdag 09–15"),
        age=(0, 72),
        languages=("nb", "en"),
        programme="home-start",
        formats=("home_visit",),
        how_to_sign_up="Ring koordinatoren. Vi kommer på et hjemmebesøk og finner en som passer.",
    ),
    # Rana, with the family counselling office in Mo i Rana (Tiltak 26).
    _samtale(
        "rana-samtale",
        "Familievernkontoret Mo i Rana",
        RANA_HS,
        THERAPIST_RANA,
        "1833",
    ),
    DemoOffer(
        key="rana-ammegruppe",
        unit="Helsestasjonen i Rana",
        title="Ammekafé",
        summary="Drop-in for deg som ammer eller vil slutte å amme.",
        description=(
            "Jordmor og helsesykepleier er til stede hver fredag. Ta med babyen og still de "
            "spørsmålene du har om amming, flaske og de første månedene. Du trenger ikke "
            "time."
        ),
        topics=("infant-sleep-feeding", "network-loneliness"),
        target_groups=("parents-of-infants",),
        contact=MIDWIFE_RANA,
        age=(0, 12),
        formats=("group",),
        place=RANA_HS,
        hours=(Hours(FRI, "10:00", "12:00"),),
    ),
    DemoOffer(
        key="rana-svangerskap",
        unit="Helsestasjonen i Rana",
        title="Svangerskapsomsorg hos jordmor",
        summary="Kontroller og samtaler med jordmor gjennom hele svangerskapet.",
        description=(
            "Du kan gå til kontroll hos jordmor på helsestasjonen, hos fastlegen, eller "
            "begge steder. Jordmor følger deg og barnet gjennom svangerskapet, og det er rom "
            "for å snakke om alt som opptar deg: kropp, følelser, parforhold og fødsel."
        ),
        topics=("pregnancy-birth", "mental-health"),
        target_groups=("expectant-parents",),
        contact=MIDWIFE_RANA,
        age=(-9, 0),
        languages=("nb", "en"),
        formats=("individual",),
        how_to_sign_up="Ring helsestasjonen når du vet at du er gravid.",
        place=RANA_HS,
        hours=(Hours(MON, "08:30", "15:00"), Hours(WED, "08:30", "15:00")),
    ),
    DemoOffer(
        key="rana-fortsatt-foreldre",
        unit="Familievernkontoret Mo i Rana",
        title="Fortsatt foreldre – kurs etter samlivsbrudd",
        summary="Tre kvelder for foreldre som har gått fra hverandre og vil samarbeide bedre.",
        description=(
            "Et kurs for deg som har flyttet fra barnets andre forelder, enten det er lenge "
            "siden eller nylig. Dere går ikke på kurset sammen. Vi snakker om hva barn trenger "
            "når foreldrene bor hver for seg, og om hvordan du kan løse uenighet uten at "
            "barna havner i midten."
        ),
        topics=("conflict-separation", "parenting-role"),
        target_groups=("separated-parents", "single-parents"),
        contact=THERAPIST_RANA,
        age=(0, 216),
        programme="fortsatt-foreldre",
        formats=("group",),
        capacity=14,
        place=Place(
            "Familievernkontoret Mo i Rana", "Ole Tobias Olsens gate 3", "8622", "Mo i Rana", "1833"
        ),
        sessions=(Series(MON, "18:00", "21:00", count=3, weeks_ahead=4),),
    ),
    DemoOffer(
        key="rana-bup-adhd",
        unit="BUP Mo i Rana",
        title="Foreldrekurs om ADHD",
        summary="Kunnskap og erfaringsutveksling for foreldre til barn som har fått ADHD-diagnose.",
        description=(
            "For foreldre til barn som er under utredning eller behandling i BUP. Fire "
            "samlinger om hva ADHD er, hverdagsrutiner, skole og hvordan dere tar vare på "
            "dere selv."
        ),
        topics=("behaviour", "school", "mental-health"),
        target_groups=("all-parents",),
        contact=Contact("Kari Nilsen", "Spesialsykepleier", "75 12 55 00"),
        age=(72, 216),
        formats=("group",),
        referral_required=True,
        how_to_sign_up="Barnets behandler i BUP melder dere på.",
        place=Place("BUP Mo i Rana", "Ytteråsveien 2", "8613", "Mo i Rana", "1833"),
        sessions=(Series(WED, "17:00", "19:30", count=4, weeks_ahead=6, every_days=14),),
    ),
    DemoOffer(
        key="rana-skole-helsesykepleier",
        unit="Selfors skole",
        title="Helsesykepleier på skolen – kom innom",
        summary="Snakk med helsesykepleieren om det du lurer på. Du trenger ikke time.",
        description=(
            "Helsesykepleieren er på skolen to dager i uken. Du kan komme innom alene eller "
            "med en venn, om alt fra kropp og følelser til ting hjemme eller med venner. Det "
            "du sier, blir mellom oss, med noen få unntak som vi forklarer deg."
        ),
        topics=("mental-health", "teenagers", "school"),
        target_groups=("young-people",),
        contact=Contact("Siv Eriksen", "Helsesykepleier", "75 14 63 20"),
        age=(72, 192),
        formats=("individual",),
        place=Place("Selfors skole", "Selforsveien 20", "8607", "Mo i Rana", "1833"),
        hours=(Hours(TUE, "08:30", "14:00"), Hours(THU, "08:30", "14:00")),
    ),
    # Namsos.
    _samtale(
        "namsos-samtale",
        "Familievernkontoret Namsos",
        NAMSOS_HS,
        Contact("Ragnhild Aune", "Familieterapeut", "74 21 72 00"),
        "5007",
    ),
    DemoOffer(
        key="namsos-8-maneder",
        unit="Helsestasjonen i Namsos",
        title="8-månedersgruppe",
        summary="Møt igjen de andre foreldrene når barnet er åtte måneder.",
        description=(
            "Ved åtte måneder skjer det mye: barnet kryper, blir redd for fremmede og sover "
            "kanskje dårligere igjen. Vi møtes i gruppe, snakker om søvn, mat, språk og lek, "
            "og helsesykepleieren tar den vanlige kontrollen av barnet."
        ),
        topics=("child-development", "infant-sleep-feeding"),
        target_groups=("parents-of-infants",),
        contact=Contact("Berit Solem", "Helsesykepleier", "74 21 70 50"),
        age=(7, 10),
        formats=("group",),
        place=NAMSOS_HS,
        sessions=(Series(THU, "12:00", "14:00", weeks_ahead=2, title="8-månedersgruppe"),),
    ),
    DemoOffer(
        key="namsos-mekling",
        unit="Familievernkontoret Namsos",
        title="Mekling når dere flytter fra hverandre",
        summary="Lovpålagt mekling for foreldre med barn under 16 år. Gratis.",
        description=(
            "Foreldre med felles barn under 16 år må ha mekling før de flytter fra hverandre. "
            "Mekleren hjelper dere å bli enige om bosted, samvær og hvordan dere skal "
            "samarbeide, med barnas beste i sentrum. Barna kan få snakke med mekleren selv."
        ),
        topics=("conflict-separation",),
        target_groups=("separated-parents", "couples"),
        contact=Contact("Ragnhild Aune", "Mekler og familieterapeut", "74 21 72 00"),
        age=(0, 192),
        formats=("individual",),
        how_to_sign_up="Ring familievernkontoret eller bestill time digitalt.",
        place=Place("Familievernkontoret Namsos", "Kirkegata 2", "7800", "Namsos", "5007"),
        hours=(Hours(MON, "08:00", "15:30"), Hours(WED, "08:00", "19:00", "Kveldstimer")),
    ),
    DemoOffer(
        key="namsos-dua",
        unit="Barnevernstjenesten i Namsos",
        title="De utrolige årene – foreldregruppe for foreldre til barn 3–6 år",
        summary="Tolv kvelder om lek, ros og grenser når hverdagen er preget av trass og sinne.",
        description=(
            "I gruppen ser vi korte filmer fra vanlige familiesituasjoner og snakker om hva "
            "som virker. Dere øver på lek på barnets premisser, ros, tydelige beskjeder og "
            "rolige konsekvenser. Middag og barnepass er ordnet."
        ),
        topics=("behaviour", "parenting-role"),
        target_groups=("all-parents",),
        contact=Contact("Jon Hegstad", "Barnevernspedagog, DUÅ-gruppeleder", "74 21 71 00"),
        age=(36, 72),
        programme="dua-3-6",
        formats=("group",),
        capacity=12,
        place=Place("Høknes barnehage", "Høknesveien 20", "7800", "Namsos", "5007"),
        sessions=(Series(TUE, "17:00", "19:30", count=12, weeks_ahead=5),),
    ),
    # Gloppen writes nynorsk: the offers have a nynorsk translation of the bokmål text.
    _samtale(
        "gloppen-samtale",
        "Familievernkontoret Nordfjord",
        GLOPPEN_HS,
        Contact("Øystein Hjelle", "Familieterapeut", "57 86 40 00"),
        "4650",
    ),
    _godt_samliv(
        "gloppen-godt-samliv",
        "Helsestasjonen i Gloppen",
        GLOPPEN_HS,
        Contact("Marit Eide", "Helsesjukepleiar", "57 88 38 00"),
        translations=(
            Translation(
                "nn",
                "Godt samliv – kurs for nybakte foreldre",
                "Fire kveldar for par som har fått barn: om å halde kontakten i ei travel tid.",
                "Eit kurs for par som nyleg har fått sitt første barn. Vi snakkar om den store "
                "endringa frå par til familie, om kommunikasjon, om krangel og konflikt og om "
                "korleis de kan ta vare på kvarandre. De snakkar mest saman to og to; ingen må "
                "dele noko i gruppa. Babyen kan vere med.",
                "Meld dykk på til helsesjukepleiaren, på telefon eller på neste kontroll.",
            ),
        ),
    ),
    # Skien: ICDP in Arabic, Foreldre i Norge in Tigrinya, the family counselling office.
    _samtale(
        "skien-samtale",
        "Familievernkontoret Grenland",
        SKIEN_HS,
        Contact("Hanne Bakke", "Familieterapeut", "35 58 61 00"),
        "4003",
    ),
    DemoOffer(
        key="skien-icdp-arabisk",
        unit="Helsestasjonen i Skien",
        title="Foreldregruppe på arabisk (ICDP)",
        summary="Åtte møter på arabisk om godt samspill med barna, i et nytt land.",
        description=(
            "Vi møtes åtte ganger på helsestasjonen. Vi snakker om å oppdra barn i et nytt "
            "land, om å vise barnet at du er glad i det, følge barnets initiativ og sette "
            "positive grenser. Gruppen ledes av to sertifiserte ICDP-veiledere; den ene "
            "snakker arabisk. Det er gratis, og du trenger ingen henvisning."
        ),
        topics=("parenting-role", "attachment-interaction", "minority-families"),
        target_groups=("minority-language-parents", "newly-arrived-parents"),
        contact=Contact("Samira Haddad", "Helsesykepleier, ICDP-veileder", "35 58 10 00"),
        age=(0, 216),
        languages=("ar", "nb"),
        programme="icdp",
        formats=("group",),
        capacity=12,
        how_to_sign_up="Ring helsestasjonen eller send en SMS, så ringer vi deg.",
        place=SKIEN_HS,
        sessions=(Series(MON, "17:30", "19:30", count=8, weeks_ahead=2),),
        translations=(
            Translation(
                "ar",
                "مجموعة إرشاد للآباء والأمهات باللغة العربية (ICDP)",
                "ثمانية لقاءات باللغة العربية عن التفاعل الجيد مع الأطفال في بلد جديد.",
                "نلتقي ثماني مرات في المركز الصحي. نتحدث عن تربية الأطفال في بلد جديد، وعن "
                "كيف تُظهر لطفلك أنك تحبه، وكيف تتابع مبادراته وتضع له حدوداً إيجابية. "
                "يقود المجموعة مرشدان معتمدان في برنامج ICDP، أحدهما يتحدث العربية. "
                "المشاركة مجانية ولا تحتاج إلى إحالة.",
                "اتصل بالمركز الصحي أو أرسل رسالة نصية، وسنتصل بك.",
            ),
        ),
    ),
    DemoOffer(
        key="skien-foreldre-i-norge-tigrinja",
        unit="Helsestasjonen i Skien",
        title="Foreldre i Norge – kurs på tigrinja",
        summary="Seks møter med tolk om barnehage, skole, barns rettigheter og hjelp å få.",
        description=(
            "For foreldre som nylig har kommet til Norge. Vi snakker om hvordan barnehage og "
            "skole fungerer, om barns rettigheter, om oppdragelse og om hvor du kan få hjelp. "
            "Kurset holdes med tolk på tigrinja, og du kan ta med spørsmål hjemmefra."
        ),
        topics=("minority-families", "parenting-role", "school"),
        target_groups=("newly-arrived-parents", "minority-language-parents"),
        contact=Contact("Samira Haddad", "Helsesykepleier", "35 58 10 00"),
        age=(0, 216),
        languages=("ti", "nb"),
        programme="foreldre-i-norge",
        formats=("group",),
        how_to_sign_up="Be kontaktpersonen din i introduksjonsprogrammet melde deg på.",
        place=SKIEN_HS,
        sessions=(Series(WED, "10:00", "12:00", count=6, weeks_ahead=3),),
    ),
    DemoOffer(
        key="skien-trygg-i-familien",
        unit="Familievernkontoret Grenland",
        title="Samtaler når det er vold eller sterkt sinne i familien",
        summary=(
            "Hjelp til å stoppe vold og trusler hjemme, for den som utsettes og den som utøver."
        ),
        description=(
            "Familievernkontoret har samtaler for familier der noen slår, truer eller "
            "skremmer, og for deg som selv er redd for å miste kontrollen. Vi snakker også "
            "med barna. Er du i fare nå, ring politiet på 112."
        ),
        topics=("violence", "conflict-separation", "mental-health"),
        target_groups=("all-parents", "couples"),
        contact=Contact("Hanne Bakke", "Familieterapeut", "35 58 61 00"),
        age=(0, 216),
        languages=("nb", "en"),
        formats=("individual",),
        place=Place("Familievernkontoret Grenland", "Telemarksgata 2", "3724", "Skien", "4003"),
        hours=(Hours(MON, "08:00", "15:30"), Hours(THU, "08:00", "19:00", "Kveldstimer")),
    ),
    DemoOffer(
        key="skien-foreldrekveld-ungdom",
        unit="Gulset skole",
        title="Foreldrekveld: ungdom, rus og skjermbruk",
        summary="En kveld for foreldre på ungdomstrinnet, med helsesykepleier og politi.",
        description=(
            "Hva gjør ungdom når foreldrene ikke ser på? Helsesykepleieren og "
            "politikontakten snakker om alkohol, hasj, nettet og søvn, og om hvordan dere kan "
            "snakke med ungdommen om det uten å miste kontakten."
        ),
        topics=("teenagers", "substance-use", "school"),
        target_groups=("parents-of-teenagers",),
        contact=Contact("Per Gundersen", "Rektor", "35 58 20 00"),
        age=(144, 192),
        formats=("group",),
        place=Place("Gulset skole", "Gulsetvegen 50", "3730", "Skien", "4003"),
        sessions=(Series(THU, "18:30", "20:30", weeks_ahead=4, title="Foreldrekveld"),),
    ),
    # Lillestrøm: the fathers' group, ICDP in Somali, Hva med oss? at the office.
    _samtale(
        "lillestrom-samtale",
        "Familievernkontoret Romerike-Kongsvinger",
        LILLESTROM_HS,
        Contact("Anders Ruud", "Familieterapeut", "63 80 49 00"),
        "3205",
    ),
    DemoOffer(
        key="lillestrom-pappagruppe",
        unit="Helsestasjonen i Lillestrøm",
        title="Pappagruppe",
        summary="Treff for fedre i permisjon: kaffe, tur og prat om å være pappa.",
        description=(
            "Fire treff for fedre med barn under ett år, med barnet i vogna eller på fanget. "
            "Vi går tur, drikker kaffe og snakker om søvn, lek, parforhold og hvordan det er "
            "å være hjemme med barnet. Helsesykepleieren og en erfaren pappa leder treffene."
        ),
        topics=("fathers", "parenting-role", "network-loneliness"),
        target_groups=("fathers", "parents-of-infants"),
        contact=Contact("Jonas Lund", "Helsesykepleier", "66 93 80 00"),
        age=(0, 12),
        languages=("nb", "en", "pl"),
        formats=("group",),
        place=LILLESTROM_HS,
        sessions=(Series(FRI, "10:00", "12:00", count=4, weeks_ahead=2),),
        translations=(
            Translation(
                "pl",
                "Grupa dla ojców",
                "Spotkania dla ojców na urlopie: kawa, spacer i rozmowa o byciu tatą.",
                "Cztery spotkania dla ojców dzieci poniżej pierwszego roku życia, z dzieckiem "
                "w wózku lub na kolanach. Spacerujemy, pijemy kawę i rozmawiamy o śnie, "
                "zabawie, związku i o tym, jak to jest być w domu z dzieckiem. Spotkania "
                "prowadzi pielęgniarz środowiskowy i doświadczony tata.",
            ),
        ),
    ),
    DemoOffer(
        key="lillestrom-icdp-somali",
        unit="Helsestasjonen i Lillestrøm",
        title="Foreldregruppe på somali (ICDP)",
        summary="Åtte møter på somali om samspill, grenser og å være foreldre i Norge.",
        description=(
            "En foreldregruppe der vi snakker somali. Vi bruker ICDPs åtte tema for godt "
            "samspill og snakker om hverdagen med barna i Norge. Mødre og fedre er like "
            "velkomne, i samme gruppe eller hver for seg."
        ),
        topics=("parenting-role", "attachment-interaction", "minority-families"),
        target_groups=("minority-language-parents",),
        contact=Contact("Hodan Ali", "Helsesykepleier, ICDP-veileder", "66 93 80 10"),
        age=(0, 216),
        languages=("so", "nb"),
        programme="icdp",
        formats=("group",),
        place=LILLESTROM_HS,
        sessions=(Series(SAT, "11:00", "13:00", count=8, weeks_ahead=3),),
    ),
    DemoOffer(
        key="lillestrom-hva-med-oss",
        unit="Familievernkontoret Romerike-Kongsvinger",
        title="Hva med oss? Kurs for par som har barn med funksjonsnedsettelse",
        summary="En helg for dere to: pusterom, verktøy mot krangling og andre i samme situasjon.",
        description=(
            "Å ha et barn med nedsatt funksjonsevne kan ta mye av tiden og kreftene dere "
            "hadde til hverandre. På kurset får dere konkrete verktøy for å snakke sammen og "
            "håndtere uenighet, og dere møter andre foreldre i samme situasjon. Avlastning "
            "for barnet må dere ordne selv; spør oss gjerne om hjelp til det."
        ),
        topics=("couple-relationship", "disability"),
        target_groups=("parents-of-disabled-children", "couples"),
        contact=Contact("Anders Ruud", "Familieterapeut", "63 80 49 00"),
        programme="hva-med-oss",
        formats=("group",),
        capacity=8,
        place=Place(
            "Familievernkontoret Romerike-Kongsvinger",
            "Jonas Lies gate 22",
            "2000",
            "Lillestrøm",
            "3205",
        ),
        sessions=(
            Series(SAT, "10:00", "16:00", count=2, weeks_ahead=6, every_days=1, title="Kurshelg"),
        ),
    ),
    DemoOffer(
        key="lillestrom-barselgruppe",
        unit="Helsestasjonen i Lillestrøm",
        title="Barselgruppe",
        summary="Møt andre som har fått barn samtidig med deg, fire ganger på helsestasjonen.",
        description=(
            "Helsestasjonen setter sammen grupper av foreldre som har fått barn omtrent "
            "samtidig. Vi snakker om søvn, amming, gråt, og om hvordan du har det."
        ),
        topics=("network-loneliness", "infant-sleep-feeding"),
        target_groups=("parents-of-infants", "first-time-parents"),
        contact=Contact("Jonas Lund", "Helsesykepleier", "66 93 80 00"),
        age=(0, 6),
        formats=("group",),
        place=LILLESTROM_HS,
        sessions=(Series(TUE, "11:00", "12:30", count=4, weeks_ahead=1),),
    ),
    # The four municipalities of «Kvalitet i alle ledd».
    DemoOffer(
        key="molde-foreldre-i-norge-ukrainsk",
        unit="Helsestasjonen i Molde",
        title="Foreldre i Norge – kurs på ukrainsk",
        summary="Seks møter om barnehage, skole, barns rettigheter og hjelp du kan få.",
        description=(
            "For foreldre som nylig har kommet fra Ukraina. Vi snakker om barnehage og skole, "
            "om barns rettigheter, om oppdragelse og om hvor du kan få hjelp. Kurset holdes "
            "med tolk på ukrainsk. Det er gratis."
        ),
        topics=("minority-families", "parenting-role", "school"),
        target_groups=("newly-arrived-parents", "minority-language-parents"),
        contact=Contact("Olena Kovalenko", "Helsesykepleier", "71 11 10 00"),
        age=(0, 216),
        languages=("uk", "nb"),
        programme="foreldre-i-norge",
        formats=("group",),
        how_to_sign_up="Ring helsestasjonen, eller be kontaktpersonen din i kommunen melde deg på.",
        place=MOLDE_HS,
        sessions=(Series(THU, "17:00", "19:00", count=6, weeks_ahead=2),),
        translations=(
            Translation(
                "uk",
                "Батьки в Норвегії – курс українською мовою",
                (
                    "Шість зустрічей про дитячий садок, школу, права дітей і допомогу, яку можна "
                    "отримати."
                ),
                "Курс для батьків, які нещодавно приїхали з України. Ми говоримо про дитячий "
                "садок і школу, про права дітей, про виховання та про те, куди звернутися по "
                "допомогу. Зустрічі проводяться з перекладачем українською мовою. Участь "
                "безкоштовна.",
                "Зателефонуйте до медичного центру або попросіть свого контактного працівника "
                "в комуні записати вас.",
            ),
        ),
    ),
    DemoOffer(
        key="molde-fodselsforberedende",
        unit="Helsestasjonen i Molde",
        title="Fødselsforberedende kurs",
        summary="Tre kvelder med jordmor om fødselen, de første dagene og livet som foreldre.",
        description=(
            "For deg som venter barn, og den som skal være med på fødselen. Jordmor snakker "
            "om hvordan fødselen starter, smertelindring, amming og de første dagene hjemme. "
            "Siste kveld handler om hvordan livet som par endrer seg."
        ),
        topics=("pregnancy-birth", "couple-relationship"),
        target_groups=("expectant-parents", "first-time-parents", "fathers"),
        contact=Contact("Ingunn Rød", "Jordmor", "71 11 10 20"),
        age=(-9, 0),
        formats=("group",),
        capacity=16,
        place=MOLDE_HS,
        sessions=(Series(TUE, "18:00", "20:00", count=3, weeks_ahead=2),),
    ),
    DemoOffer(
        key="molde-tik",
        unit="PP-tjenesten i Molde",
        title="Tuning Into Kids – kurs om barns følelser",
        summary="Seks kvelder om å hjelpe barnet med sinne, tristhet og redsel.",
        description=(
            "Kurset lærer foreldre å legge merke til barnets følelser, sette ord på dem og "
            "hjelpe barnet å roe seg. Passer for alle foreldre, og særlig når barnet har "
            "sterke følelsesutbrudd."
        ),
        topics=("behaviour", "mental-health", "attachment-interaction"),
        target_groups=("all-parents",),
        contact=Contact("Kjersti Vik", "Pedagogisk-psykologisk rådgiver", "71 11 12 00"),
        age=(36, 144),
        programme="tuning-into-kids",
        formats=("group",),
        place=Place("PP-tjenesten i Molde", "Rådhusplassen 1", "6413", "Molde", "1506"),
        sessions=(Series(WED, "18:00", "20:00", count=6, weeks_ahead=3),),
    ),
    DemoOffer(
        key="molde-trygg-base",
        unit="Barnevernstjenesten i Molde",
        title="Trygg base – gruppe for fosterforeldre",
        summary="Veiledning i gruppe om å gi barnet trygghet og nærhet.",
        description=(
            "For fosterforeldre i Molde og omegn. Vi snakker om hvordan barn som har hatt en "
            "utrygg start kan lære å stole på voksne, og om hvordan dere selv får påfyll."
        ),
        topics=("attachment-interaction", "parenting-role"),
        target_groups=("foster-adoptive-parents",),
        contact=Contact("Geir Løvik", "Barnevernspedagog", "71 11 14 00"),
        age=(0, 216),
        programme="trygg-base",
        formats=("group",),
        how_to_sign_up="Fosterhjemskonsulenten din melder deg på.",
        place=Place("Barnevernstjenesten i Molde", "Rådhusplassen 1", "6413", "Molde", "1506"),
        sessions=(Series(MON, "18:00", "20:30", count=5, weeks_ahead=4, every_days=14),),
    ),
    DemoOffer(
        key="molde-bup-sped-og-smabarn",
        unit="BUP Molde",
        title="Sped- og småbarnsteamet",
        summary="Hjelp når samspillet med et lite barn er vanskelig, eller barnet strever mye.",
        description=(
            "Teamet tar imot familier med barn fra null til tre år, for eksempel når barnet "
            "gråter svært mye, spiser eller sover dårlig over lang tid, eller når du som "
            "forelder har det tungt. Fastlegen, helsesykepleieren eller barnevernet henviser."
        ),
        topics=("mental-health", "attachment-interaction", "infant-sleep-feeding"),
        target_groups=("parents-of-infants",),
        contact=Contact("Eirik Vatne", "Psykolog", "71 12 00 00"),
        age=(0, 36),
        formats=("individual", "home_visit"),
        referral_required=True,
        how_to_sign_up="Snakk med fastlegen eller helsesykepleieren om henvisning.",
        place=Place("BUP Molde", "Parkvegen 84", "6412", "Molde", "1506"),
        municipalities=("1554", "1579", "1506", "1573"),
    ),
    DemoOffer(
        key="molde-sorggruppe",
        unit="Kviltorp skole",
        title="Sorggruppe for barn og foreldre",
        summary="For familier der et barn har mistet en forelder eller et søsken.",
        description=(
            "Barna møtes i en egen gruppe med helsesykepleier, mens foreldrene snakker "
            "sammen med en familieterapeut. Vi snakker om sorg, minner og hverdagen etterpå."
        ),
        topics=("grief-crisis", "mental-health"),
        target_groups=("all-parents", "single-parents"),
        contact=Contact("Ane Myren", "Helsesykepleier", "71 11 16 00"),
        age=(72, 192),
        formats=("group",),
        place=Place("Kviltorp skole", "Kviltorpvegen 1", "6416", "Molde", "1506"),
        sessions=(Series(WED, "17:00", "18:30", count=6, weeks_ahead=2, every_days=14),),
    ),
    DemoOffer(
        key="averoy-foreldre-fosterhjem",
        unit="Barnevernstjenesten i Averøy",
        title="Samtalegruppe for foreldre som har barn i fosterhjem",
        summary=(
            "For deg som ikke bor med barnet ditt: støtte, informasjon og andre i samme situasjon."
        ),
        description=(
            "Når et barn flytter i fosterhjem, står foreldrene ofte alene med sorg, skam og "
            "mange spørsmål. I gruppen møter du andre foreldre og får hjelp til samvær, "
            "samarbeid med fosterhjemmet og til å ta vare på deg selv."
        ),
        topics=("parenting-role", "grief-crisis", "mental-health"),
        target_groups=("parents-with-children-in-care",),
        contact=Contact("Torunn Sandvik", "Barnevernspedagog", "71 51 48 00"),
        age=(0, 216),
        formats=("group",),
        place=Place("Barnevernstjenesten i Averøy", "Rådhuset, Bruhagen", "6530", "Averøy", "1554"),
        sessions=(Series(THU, "18:00", "20:00", count=4, weeks_ahead=3, every_days=14),),
    ),
    DemoOffer(
        key="averoy-hjemmebesok",
        unit="Helsestasjonen i Averøy",
        title="Hjemmebesøk etter fødselen",
        summary="Helsesykepleieren kommer hjem til dere 7–10 dager etter fødselen.",
        description=(
            "Alle nybakte foreldre får tilbud om hjemmebesøk av helsesykepleier. Vi veier "
            "barnet, snakker om amming og søvn, og om hvordan dere har det etter fødselen. "
            "Jordmor kommer også på besøk de første dagene."
        ),
        topics=("infant-sleep-feeding", "parenting-role"),
        target_groups=("parents-of-infants", "first-time-parents"),
        contact=Contact("Randi Orten", "Helsesykepleier", "71 51 47 00"),
        age=(0, 1),
        formats=("home_visit",),
        how_to_sign_up="Fødeavdelingen gir oss beskjed; vi ringer dere for å avtale tid.",
        place=AVEROY_HS,
    ),
    DemoOffer(
        key="hustadvika-cos",
        unit="Helsestasjonen i Hustadvika",
        title="Trygghetssirkelen – kurs for foreldre til små barn",
        summary="Forstå hva barnet trenger fra deg når det utforsker, og når det søker trøst.",
        description=(
            "Et kurs over åtte kvelder om tilknytning. Med enkle tegninger og filmklipp "
            "lærer du å se hva barnet ber om, også når signalene er vanskelige å tolke."
        ),
        topics=("attachment-interaction", "parenting-role"),
        target_groups=("all-parents", "parents-of-infants"),
        contact=Contact("Solfrid Moen", "Helsesykepleier, COS-veileder", "71 27 10 00"),
        age=(0, 72),
        programme="cos",
        formats=("group",),
        place=HUSTADVIKA_HS,
        sessions=(Series(MON, "18:30", "20:30", count=8, weeks_ahead=2),),
    ),
    DemoOffer(
        key="smola-chat",
        unit="Helsestasjonen i Smøla",
        title="Chat med helsesykepleier",
        summary="Skriv anonymt med helsesykepleieren to kvelder i uken.",
        description=(
            "For ungdom og foreldre som lurer på noe, men ikke vil ringe eller komme innom. "
            "Du trenger ikke si hvem du er. Helsesykepleieren svarer mandag og onsdag kveld."
        ),
        topics=("mental-health", "teenagers"),
        target_groups=("young-people", "parents-of-teenagers"),
        contact=Contact("Gunn Strand", "Helsesykepleier", "71 54 05 00"),
        age=(144, 228),
        formats=("individual",),
        digital=True,
        how_to_sign_up="Åpne chatten fra kommunens nettside i åpningstiden.",
        hours=(Hours(MON, "18:00", "20:00"), Hours(WED, "18:00", "20:00")),
    ),
    DemoOffer(
        key="smola-foreldrekafe",
        unit="Helsestasjonen i Smøla",
        title="Foreldrekafé",
        summary="Uformelt treff for småbarnsforeldre hver onsdag formiddag.",
        description=(
            "Ta med barnet og kom innom helsestasjonen. Det er kaffe, leker og andre "
            "foreldre å prate med, og helsesykepleieren er der en time."
        ),
        topics=("network-loneliness", "parenting-role"),
        target_groups=("all-parents", "parents-of-infants"),
        contact=Contact("Gunn Strand", "Helsesykepleier", "71 54 05 00"),
        age=(0, 36),
        formats=("group",),
        place=SMOLA_HS,
        hours=(Hours(WED, "10:00", "12:00"),),
        # The demo's stale offer: last confirmed eight months ago.
        stale=True,
    ),
    DemoOffer(
        key="smola-icdp",
        unit="Helsestasjonen i Smøla",
        title="Foreldreveiledning i gruppe (ICDP)",
        summary="Åtte møter om godt samspill med barna, for alle foreldre.",
        description=(
            "ICDP-gruppene er for alle foreldre som vil snakke om hverdagen med barna. Vi "
            "tar utgangspunkt i åtte tema for godt samspill, og i det dere selv er opptatt av."
        ),
        topics=("parenting-role", "attachment-interaction"),
        target_groups=("all-parents",),
        contact=Contact("Gunn Strand", "Helsesykepleier, ICDP-veileder", "71 54 05 00"),
        age=(0, 216),
        programme="icdp",
        formats=("group",),
        place=SMOLA_HS,
        sessions=(Series(TUE, "18:00", "20:00", count=8, weeks_ahead=5),),
    ),
)


def load_demo_offers() -> int:
    """Create and publish whichever demo offers are missing; returns how many were created."""
    existing = set(
        Offer.objects.filter(pk__in=[spec.id for spec in DEMO_OFFERS]).values_list("pk", flat=True)
    )
    missing = [spec for spec in DEMO_OFFERS if spec.id not in existing]
    if not missing:
        return 0
    with transaction.atomic():
        units = {
            unit.name: unit
            for unit in ServiceUnit.objects.filter(name__in={spec.unit for spec in missing})
        }
        terms = {
            (term.taxonomy_id, term.code): term
            for term in TaxonomyTerm.objects.filter(
                taxonomy_id__in=programme_data.TAXONOMY_IDS.values()
            )
        }
        programmes = {p.slug: p for p in Programme.objects.all()}
        municipalities = {m.number: m for m in Municipality.objects.all()}
        today = timezone.localdate()
        for spec in missing:
            _create(spec, units[spec.unit], terms, programmes, municipalities, today)
    return len(missing)


def _create(
    spec: DemoOffer,
    unit: ServiceUnit,
    terms: dict,
    programmes: dict[str, Programme],
    municipalities: dict[str, Municipality],
    today: datetime.date,
) -> Offer:
    topic_taxonomy = programme_data.TAXONOMY_IDS[programme_data.TOPIC_TAXONOMY]
    group_taxonomy = programme_data.TAXONOMY_IDS[programme_data.TARGET_GROUP_TAXONOMY]
    data: dict[str, object] = {
        "title": spec.title,
        "summary": spec.summary,
        "description": spec.description,
        "programme": programmes[spec.programme] if spec.programme else None,
        "topics": [terms[(topic_taxonomy, code)] for code in spec.topics],
        "target_groups": [terms[(group_taxonomy, code)] for code in spec.target_groups],
        "age_from_months": spec.age[0],
        "age_to_months": spec.age[1],
        "languages": list(spec.languages),
        "is_digital": spec.digital,
        "format_group": "group" in spec.formats,
        "format_individual": "individual" in spec.formats,
        "format_home_visit": "home_visit" in spec.formats,
        "is_free": not spec.cost,
        "cost": spec.cost,
        "referral_required": spec.referral_required,
        "capacity": spec.capacity,
        "how_to_sign_up": spec.how_to_sign_up,
        "contact_name": spec.contact.name,
        "contact_title": spec.contact.title,
        "contact_phone": spec.contact.phone,
        "phone_hours": spec.contact.phone_hours,
    }
    if spec.municipalities:
        data["municipalities"] = [municipalities[number] for number in spec.municipalities]
    if spec.place is not None:
        data["place"] = {
            "name": spec.place.name,
            "address": spec.place.address,
            "postal_code": spec.place.postal_code,
            "city": spec.place.city,
            "municipality": municipalities[spec.place.municipality],
        }
    hours = [
        {
            "weekday": h.weekday,
            "opens_at": datetime.time.fromisoformat(h.opens),
            "closes_at": datetime.time.fromisoformat(h.closes),
            "note": h.note,
        }
        for h in spec.hours
    ]
    offer = actions.create_offer(
        None,
        unit,
        data,
        opening_hours=hours,
        sessions=[row for series in spec.sessions for row in _sessions(series, today)],
        offer_id=spec.id,
    )
    for translation in spec.translations:
        actions.translate_offer(
            None,
            offer,
            translation.language,
            title=translation.title,
            summary=translation.summary,
            description=translation.description,
            how_to_sign_up=translation.how_to_sign_up,
        )
    actions.publish_offer(None, offer)
    if spec.stale:
        # The demo pretends this offer was last confirmed months ago, so the warning shows.
        Offer.objects.filter(pk=offer.pk).update(last_verified_at=timezone.now() - STALE_AGE)
    return offer


def _sessions(series: Series, today: datetime.date) -> list[dict[str, object]]:
    start = today + datetime.timedelta(weeks=series.weeks_ahead)
    start += datetime.timedelta(days=(series.weekday - start.weekday()) % 7)
    starts, ends = (
        datetime.time.fromisoformat(series.starts),
        datetime.time.fromisoformat(series.ends),
    )
    rows = []
    for number in range(series.count):
        day = start + datetime.timedelta(days=number * series.every_days)
        rows.append(
            {
                "title": series.title,
                "starts_at": timezone.make_aware(datetime.datetime.combine(day, starts)),
                "ends_at": timezone.make_aware(datetime.datetime.combine(day, ends)),
            }
        )
    return rows
