"""Synthetic catalogue for the benchmarks: published offers across Norway's municipalities.

The catalogue is national even where an installation is not: a county-sized installation
still shows digital offers for everyone and offers imported from other directories. So the
offers are spread over `scale.offer_municipalities` municipalities (357, every one in Norway,
at the larger scales); municipalities the scale does not have are added as bare rows, their
offers published by providers without an organisation in Familiebro, as imported ones are.

Offers per municipality are a floor plus a Zipf share, as for persons: Oslo-sized
municipalities have hundreds of offers, the smallest a couple of dozen. Each offer has the
words parents search for (sleep, separation, couple relationship…), 1–3 topics and 1–2
target groups from the seeded vocabularies, an age range (some in pregnancy), languages,
formats, a place, and some opening hours, dated sessions and translations. About a fifth
instantiate a national programme.

Rows are written with bench/common.py's RowWriter (COPY on PostgreSQL); then the search
documents are built by the product's own `build_search_document` and written in bulk.
"""

from __future__ import annotations

import datetime
import importlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.db import connection, transaction
from django.utils import timezone

from bench.common import COUNTIES, FAMILY_NAMES, GIVEN_NAMES, RowWriter, municipality_name
from bench.scales import Scale
from familiebro.catalogue.models import (
    Location,
    Offer,
    OfferSession,
    OfferTranslation,
    OpeningHours,
    Programme,
    Provider,
    TaxonomyTerm,
)
from familiebro.catalogue.programme_data import TARGET_GROUP_TAXONOMY, TOPIC_TAXONOMY
from familiebro.catalogue.search import build_search_document, build_search_terms
from familiebro.core.models import Municipality, Organisation, ServiceUnit

# Every municipality has at least this many offers; the rest follow Zipf's law.
OFFER_FLOOR_PER_MUNICIPALITY = 20
# Digital offers for the whole country, and offers that instantiate a programme.
NATIONWIDE_DIGITAL_SHARE = 0.02
PROGRAMME_SHARE = 0.2
OPENING_HOURS_SHARE = 0.4
SESSIONS_SHARE = 0.2
ENGLISH_SHARE = 0.1
ARABIC_SHARE = 0.03
# Verified within this many days: about 40 % are older than six months, and flagged.
VERIFIED_WITHIN_DAYS = 300
DOCUMENT_BATCH = 2000

# What the offers are: a name, a sentence with the words parents use, topics, target groups,
# an age range in months (None: open) and a format.
OfferKind = tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[int | None, int | None], str]
KINDS: tuple[OfferKind, ...] = (
    ("Barselgruppe", "Møt andre som nettopp har fått barn, og snakk om søvn, amming og "
     "hverdagen med en liten baby.", ("infant-sleep-feeding", "parenting-role"),
     ("parents-of-infants", "first-time-parents"), (0, 6), "group"),
    ("Foreldreforberedende kurs", "Kurs for dere som venter barn: fødselen, amming og de "
     "første ukene hjemme.", ("pregnancy-birth",), ("expectant-parents",), (-9, -1), "group"),
    ("Ammegruppe", "Ammeveiledning og fellesskap for mødre som ammer eller vil slutte å "
     "amme.", ("infant-sleep-feeding",), ("parents-of-infants",), (0, 12), "group"),
    ("Pappagruppe", "Treff for fedre og pappaer i permisjon: lek, mat og samtaler om å være "
     "far.", ("fathers", "parenting-role"), ("fathers",), (0, 24), "group"),
    ("Samtaler for par", "Samtaler for par som krangler mye eller vil ta vare på samlivet og "
     "parforholdet.", ("couple-relationship", "conflict-separation"), ("couples",),
     (None, None), "individual"),
    ("Kurs etter samlivsbrudd", "For foreldre som har gått fra hverandre: samarbeid om barna "
     "etter separasjon og skilsmisse.", ("conflict-separation",), ("separated-parents",),
     (None, 215), "group"),
    ("Åpen barnehage", "Lek og sang for barn sammen med en voksen. Kom når det passer.",
     ("network-loneliness", "child-development"), ("all-parents",), (0, 71), "group"),
    ("Søvnkurs", "Når babyen sover dårlig: råd om søvn, rutiner og hvile for hele familien.",
     ("infant-sleep-feeding",), ("parents-of-infants",), (3, 35), "group"),
    ("Foreldreveiledning", "Veiledning om grensesetting, sinne og samspill i hverdagen.",
     ("behaviour", "parenting-role"), ("all-parents",), (24, 155), "individual"),
    ("Samtaler med ungdom og foreldre", "Når det er vanskelig å snakke med tenåringen: "
     "samtaler for ungdom og foreldre.", ("teenagers",), ("parents-of-teenagers",),
     (144, 227), "individual"),
    ("Samtalegruppe om rus i familien", "For familier der alkohol eller andre rusmidler "
     "preger hverdagen.", ("substance-use", "mental-health"), ("all-parents",), (None, None),
     "group"),
    ("Foreldregruppe for barn med funksjonsnedsettelse", "Erfaringer og støtte for foreldre "
     "til barn med funksjonsnedsettelse eller langvarig sykdom.", ("disability",),
     ("parents-of-disabled-children",), (0, 215), "group"),
    ("Språkkafé for foreldre", "Treff for foreldre som er nye i Norge: språk, skole og "
     "barnehage.", ("minority-families", "network-loneliness"),
     ("minority-language-parents", "newly-arrived-parents"), (None, None), "group"),
    ("Temakveld om psykisk helse", "Om angst, uro og tristhet hos barn og voksne, og hvor "
     "dere kan få hjelp.", ("mental-health",), ("all-parents",), (36, 215), "group"),
    ("Sorggruppe", "For barn og foreldre som har mistet noen, eller der noe alvorlig har "
     "skjedd.", ("grief-crisis",), ("all-parents",), (48, 215), "group"),
    ("Skolestartkurs", "Forberedelse til skolestart for barn og foreldre, og samarbeid med "
     "skolen.", ("school", "child-development"), ("all-parents",), (60, 83), "group"),
    ("Hjemmebesøk", "Helsesykepleier kommer hjem til dere etter fødselen og snakker om "
     "barnet og hverdagen.", ("infant-sleep-feeding", "attachment-interaction"),
     ("first-time-parents",), (0, 2), "home_visit"),
    ("Familieveiledning på video", "Veiledning for foreldre på video, når det passer dere.",
     ("parenting-role", "couple-relationship"), ("all-parents",), (None, None), "digital"),
    ("Hjelp ved vold i familien", "For deg som har opplevd vold eller trusler i familien, "
     "og for barna.", ("violence",), ("all-parents",), (None, None), "individual"),
)  # fmt: skip
PLACE_KINDS = ("Helsestasjonen i {}", "Familiens hus {}", "Biblioteket i {}")
LANGUAGE_CHOICES = ("ar", "so", "pl", "uk", "ti", "en", "fa", "ur", "tr", "ru")
WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)


@dataclass
class Place:
    municipality: Municipality
    provider: Provider
    unit_id: int | None
    locations: list[Location]


def offers_per_municipality(total: int, municipalities: int) -> list[int]:
    """Offers per municipality, largest first: a floor each, the rest by Zipf weights."""
    floor = min(OFFER_FLOOR_PER_MUNICIPALITY, total // max(municipalities, 1))
    rest = total - floor * municipalities
    weights = [1 / rank for rank in range(1, municipalities + 1)]
    weight_sum = sum(weights)
    exact = [rest * weight / weight_sum for weight in weights]
    shares = [int(share) for share in exact]
    by_remainder = sorted(range(municipalities), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in by_remainder[: rest - sum(shares)]:
        shares[i] += 1
    return [floor + share for share in shares]


def _add_missing_municipalities(writer: RowWriter, wanted: int) -> list[Municipality]:
    existing = list(Municipality.objects.order_by("number"))
    for index in range(len(existing), wanted):
        existing.append(
            writer.add(
                Municipality(
                    number=f"{index + 1:04d}",
                    name=municipality_name(index),
                    county=COUNTIES[index * len(COUNTIES) // wanted],
                )
            )
        )
    return existing[:wanted]


def _places(writer: RowWriter, municipalities: list[Municipality]) -> list[Place]:
    organisations = {
        organisation.municipality_id: organisation
        for organisation in Organisation.objects.filter(municipality__isnull=False)
    }
    health_centres = dict(
        ServiceUnit.objects.filter(kind=ServiceUnit.Kind.HEALTH_CENTRE)
        .order_by("-pk")
        .values_list("organisation_id", "pk")
    )
    places = []
    for municipality in municipalities:
        organisation = organisations.get(municipality.pk)
        provider = writer.add(
            Provider(
                organisation_id=organisation.pk if organisation else None,
                name=organisation.name if organisation else f"{municipality.name} kommune",
            )
        )
        locations = [
            writer.add(
                Location(
                    provider_id=provider.pk,
                    name=kind.format(municipality.name),
                    address=f"{street} {number}",
                    postal_code=f"{int(municipality.number) * 7 % 9000 + 1000}",
                    city=municipality.name,
                    municipality_id=municipality.pk,
                )
            )
            for number, (kind, street) in enumerate(
                zip(PLACE_KINDS, ("Storgata", "Parkveien", "Kirkegata"), strict=True), start=1
            )
        ]
        unit_id = health_centres.get(organisation.pk) if organisation else None
        places.append(Place(municipality, provider, unit_id, locations))
    return places


def _seed_register_and_vocabularies() -> None:
    """The programmes and vocabularies migration 0003 seeds, if they are missing.

    The benchmark empties its database with `flush`, which removes seeded rows too; a
    fresh database has them, so the benchmark's must. The migration's own function adds
    only what is missing.
    """
    seed = importlib.import_module("familiebro.catalogue.migrations.0003_programmes_and_taxonomy")
    seed.forwards(django_apps, None)


def _terms(taxonomy_name: str) -> dict[str, TaxonomyTerm]:
    return {term.code: term for term in TaxonomyTerm.objects.filter(taxonomy__name=taxonomy_name)}


def generate_offers(scale: Scale, *, progress: Callable[[str], None] = print) -> float:
    """Write the scale's catalogue in one transaction; return the seconds it took."""
    if Offer.objects.exists():
        raise RuntimeError("The database already has offers: generate them into an empty one.")
    started = time.perf_counter()
    # Its own stream: adding the catalogue does not change the persons of a scale.
    rng = random.Random(f"familiebro-bench-offers-{scale.name}")
    now = timezone.now()
    with transaction.atomic():
        _seed_register_and_vocabularies()
        writer = RowWriter()
        municipalities = _add_missing_municipalities(
            writer, max(scale.offer_municipalities, scale.municipalities)
        )
        writer.flush()
        places = _places(writer, municipalities)
        topics = _terms(TOPIC_TAXONOMY)
        target_groups = _terms(TARGET_GROUP_TAXONOMY)
        programmes = list(Programme.objects.order_by("slug"))
        nationwide = round(scale.offers * NATIONWIDE_DIGITAL_SHARE)
        counts = offers_per_municipality(scale.offers - nationwide, len(places))
        national_provider = writer.add(Provider(name="Nasjonale digitale tilbud"))
        for place, count in zip(places, counts, strict=True):
            for _ in range(count):
                _add_offer(
                    writer, rng, now, place, place.provider, topics, target_groups, programmes
                )
        for _ in range(nationwide):
            _add_offer(writer, rng, now, None, national_provider, topics, target_groups, programmes)
        writer.finish()
        progress(f"  offers: {scale.offers:,} written ({time.perf_counter() - started:.1f} s)")
        refresh_all_search_documents()
    seconds = time.perf_counter() - started
    progress(f"  search documents built ({seconds:.1f} s)")
    return seconds


def _add_offer(
    writer: RowWriter,
    rng: random.Random,
    now: datetime.datetime,
    place: Place | None,
    provider: Provider,
    topics: dict[str, TaxonomyTerm],
    target_groups: dict[str, TaxonomyTerm],
    programmes: list[Programme],
) -> None:
    """One offer of `place`'s municipality, or (without a place) a digital one for everyone."""
    name, sentence, topic_codes, group_codes, (age_from, age_to), kind_format = rng.choice(KINDS)
    where = place.municipality.name if place else "hele landet"
    programme = rng.choice(programmes) if programmes and rng.random() < PROGRAMME_SHARE else None
    title = f"{programme.name if programme else name} – {where}"
    description = sentence
    if programme is not None:
        description = f"{sentence} {programme.purpose}"
        age_from, age_to = programme.age_from_months, programme.age_to_months
    digital = place is None or kind_format == "digital" or rng.random() < 0.05
    extra_languages = rng.sample(LANGUAGE_CHOICES, k=rng.choice((0, 0, 0, 1, 2)))
    offer = writer.add(
        Offer(
            provider_id=provider.pk,
            unit_id=place.unit_id if place else None,
            programme_id=programme.pk if programme else None,
            title=title[:200],
            summary=sentence.split(":")[0].split(".")[0][:300],
            description=f"{description}\n\nTilbudet er for familier i {where}.",
            age_from_months=age_from,
            age_to_months=age_to,
            languages=" " + " ".join(["nb", *extra_languages]) + " ",
            is_digital=digital,
            # The catalogue's rule (search.refresh_search_fields): digital and naming no
            # municipality. Below, every offer with a place that is digital names its own.
            is_nationwide=place is None,
            format_group=kind_format == "group",
            format_individual=kind_format == "individual",
            format_home_visit=kind_format == "home_visit",
            open_evenings=rng.random() < 0.3,
            open_weekends=rng.random() < 0.1,
            is_free=rng.random() < 0.9,
            referral_required=rng.random() < 0.1,
            capacity=rng.choice((None, 8, 10, 12, 15, 20)),
            how_to_sign_up="Ring eller send melding til kontaktpersonen, eller trykk «Ta kontakt».",
            contact_name=f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
            contact_title="Helsesykepleier",
            contact_phone=f"+47{rng.randrange(40_000_000, 99_999_999)}",
            phone_hours="Mandag til fredag 9–11",
            status=Offer.Status.PUBLISHED,
            last_verified_at=now - datetime.timedelta(days=rng.randrange(VERIFIED_WITHIN_DAYS)),
        )
    )
    for code in topic_codes:
        writer.add(Offer.topics.through(offer_id=offer.pk, taxonomyterm_id=topics[code].pk))
    for code in group_codes:
        writer.add(
            Offer.target_groups.through(offer_id=offer.pk, taxonomyterm_id=target_groups[code].pk)
        )
    if place is not None:
        # A local digital offer is for its municipality's residents; other offers sometimes
        # say only where they are given.
        if digital or rng.random() < 0.8:
            writer.add(
                Offer.municipalities.through(
                    offer_id=offer.pk, municipality_id=place.municipality.pk
                )
            )
        if not digital:
            location = rng.choice(place.locations)
            writer.add(Offer.locations.through(offer_id=offer.pk, location_id=location.pk))
    if rng.random() < OPENING_HOURS_SHARE:
        for weekday in rng.sample(WEEKDAYS, k=rng.choice((1, 2))):
            hour = rng.choice((9, 10, 12, 17, 18))
            writer.add(
                OpeningHours(
                    offer_id=offer.pk,
                    weekday=weekday,
                    opens_at=datetime.time(hour),
                    closes_at=datetime.time(hour + 2),
                )
            )
    if rng.random() < SESSIONS_SHARE:
        first = now + datetime.timedelta(days=rng.randrange(7, 60))
        for week in range(4):
            starts = first + datetime.timedelta(weeks=week)
            writer.add(
                OfferSession(
                    offer_id=offer.pk,
                    title=f"Samling {week + 1}",
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=2),
                )
            )
    if rng.random() < ENGLISH_SHARE:
        writer.add(
            OfferTranslation(
                offer_id=offer.pk,
                language="en",
                title=f"{name} (in English) – {where}",
                description="An offer for families. Ask the contact person for details.",
            )
        )
    if rng.random() < ARABIC_SHARE:
        writer.add(
            OfferTranslation(
                offer_id=offer.pk,
                language="ar",
                title=f"عرض للعائلات – {where}",
                description="عرض للعائلات. اسألوا الشخص المسؤول عن التفاصيل.",
            )
        )


def refresh_all_search_documents() -> None:
    """Every offer's search document, built by the product and written in batches.

    One UPDATE per offer, sent with executemany (pipelined by psycopg): several times
    faster than bulk_update's CASE expressions at this size.
    """
    offers = Offer.objects.select_related("programme").prefetch_related(
        "topics", "target_groups", "translations"
    )
    ids = list(Offer.objects.order_by("pk").values_list("pk", flat=True))
    table = connection.ops.quote_name(Offer._meta.db_table)
    sql = (
        f"UPDATE {table} SET search_document = %s, search_title = %s, "  # noqa: S608
        "search_themes = %s, search_body = %s WHERE id = %s"
    )
    for start in range(0, len(ids), DOCUMENT_BATCH):
        batch = offers.filter(pk__in=ids[start : start + DOCUMENT_BATCH])
        rows = [
            (
                build_search_document(offer),
                *build_search_terms(offer),
                Offer._meta.pk.get_db_prep_value(offer.pk, connection),
            )
            for offer in batch
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
