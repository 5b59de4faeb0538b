"""The map of national programmes: which municipalities offer each programme."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q

from familiebro.core.models import Municipality

from ..models import Location, Offer, Programme


@dataclass
class ProgrammeRow:
    programme: Programme
    # (municipality, published offers of the programme for or in it), by municipality name.
    municipalities: list[tuple[Municipality, int]]
    offers: int
    # Published digital offers open to the whole country.
    nationwide: int


@dataclass
class MunicipalityRow:
    municipality: Municipality
    # (programme, published offers), by programme name.
    programmes: list[tuple[Programme, int]]


@dataclass
class ProgrammeMap:
    programmes: list[ProgrammeRow]
    municipalities: list[MunicipalityRow]
    total_offers: int
    total_programmes_offered: int
    total_municipalities: int
    total_nationwide: int


_PAIRS_SQL = """
SELECT pairs.programme_id, pairs.municipality_id, COUNT(DISTINCT pairs.offer_id)
FROM (
    SELECT o.programme_id AS programme_id, om.municipality_id AS municipality_id,
           o.id AS offer_id
    FROM {offer} o JOIN {offer_municipalities} om ON om.offer_id = o.id
    WHERE o.status = %s AND o.programme_id IS NOT NULL
    UNION
    SELECT o.programme_id, l.municipality_id, o.id
    FROM {offer} o
    JOIN {offer_locations} ol ON ol.offer_id = o.id
    JOIN {location} l ON l.id = ol.location_id
    WHERE o.status = %s AND o.programme_id IS NOT NULL AND l.municipality_id IS NOT NULL
) pairs
GROUP BY pairs.programme_id, pairs.municipality_id
"""


def programme_map() -> ProgrammeMap:
    """Which programmes are offered in which municipalities: the national overview that the
    strategy found missing. Four queries, whatever the size of the catalogue.

    An offer counts for a municipality when it is for its residents or given there.
    """
    published = Offer.Status.PUBLISHED
    sql = _PAIRS_SQL.format(
        offer=Offer._meta.db_table,
        offer_municipalities=Offer.municipalities.through._meta.db_table,
        offer_locations=Offer.locations.through._meta.db_table,
        location=Location._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [published, published])
        pairs = cursor.fetchall()
    programme_totals = {
        programme_id: (offers, nationwide)
        for programme_id, offers, nationwide in _programme_offer_counts()
    }
    municipality_ids = {municipality_id for _p, municipality_id, _n in pairs}
    municipalities_by_id = Municipality.objects.in_bulk(municipality_ids)
    programmes = list(Programme.objects.order_by("name"))
    programmes_by_id = {programme.pk: programme for programme in programmes}
    per_programme: dict[int, list[tuple[Municipality, int]]] = defaultdict(list)
    per_municipality: dict[int, list[tuple[Programme, int]]] = defaultdict(list)
    for programme_id, municipality_id, count in pairs:
        # The database driver may hand back ids as strings (SQLite) or ints (PostgreSQL).
        municipality = municipalities_by_id[int(municipality_id)]
        programme = programmes_by_id[int(programme_id)]
        per_programme[programme.pk].append((municipality, count))
        per_municipality[municipality.pk].append((programme, count))
    programme_rows = [
        ProgrammeRow(
            programme=programme,
            municipalities=sorted(per_programme[programme.pk], key=lambda p: p[0].name),
            offers=programme_totals.get(programme.pk, (0, 0))[0],
            nationwide=programme_totals.get(programme.pk, (0, 0))[1],
        )
        for programme in programmes
    ]
    municipality_rows = sorted(
        (
            MunicipalityRow(
                municipality=municipalities_by_id[municipality_id],
                programmes=sorted(rows, key=lambda p: p[0].name),
            )
            for municipality_id, rows in per_municipality.items()
        ),
        key=lambda row: (row.municipality.name, row.municipality.number),
    )
    return ProgrammeMap(
        programmes=programme_rows,
        municipalities=municipality_rows,
        total_offers=sum(row.offers for row in programme_rows),
        total_programmes_offered=sum(1 for row in programme_rows if row.offers),
        total_municipalities=len(municipality_rows),
        total_nationwide=sum(row.nationwide for row in programme_rows),
    )


def _programme_offer_counts() -> list[tuple[int, int, int]]:
    """Per programme: published offers, and of those the digital ones for the whole country,
    counted as the finder shows them: by Offer.is_nationwide (digital and for no particular
    municipality's residents), whatever places the offer names."""
    nationwide = Q(is_nationwide=True)
    rows = (
        Offer.objects.published()
        .filter(programme__isnull=False)
        .values("programme_id")
        .annotate(offers=Count("pk"), nationwide=Count("pk", filter=nationwide))
        .order_by()
    )
    return [(row["programme_id"], row["offers"], row["nationwide"]) for row in rows]
