"""The public programme register (/finn-hjelp/program/) and its editor (/ansatt/program/),
the crisis-number editor (/ansatt/krisenummer/), and the map counting nationwide offers as the
finder shows them."""

from __future__ import annotations

import datetime
import re

import pytest

from familiebro.catalogue.finder import programme_map as programmes
from familiebro.catalogue.finder.criteria import FinderCriteria
from familiebro.catalogue.finder.search import search
from familiebro.catalogue.models import CrisisLine, Offer, Programme
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.catalogue.factories import FinderOfferFactory, LocationFactory
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def offers(db):
    hamar = factories.MunicipalityFactory(number="3403", name="Hamar", county="Innlandet")
    icdp = Programme.objects.get(slug="icdp")
    FinderOfferFactory(programme=icdp, municipalities=[hamar], title="ICDP-kurs i Hamar")
    # Digital, for no municipality's residents, but naming a place: the finder shows it in
    # every municipality, so the register counts it for the whole country.
    FinderOfferFactory(
        programme=icdp, is_digital=True, locations=[LocationFactory(municipality=hamar)]
    )
    FinderOfferFactory(programme=icdp, municipalities=[hamar], status=Offer.Status.DRAFT)
    return {"hamar": hamar, "icdp": icdp}


def test_the_register_lists_every_programme_with_what_a_reader_needs(client, offers):
    response = client.get("/finn-hjelp/program/")

    assert response.status_code == 200
    html = response.content.decode()
    for programme in Programme.objects.all():
        assert f'href="/finn-hjelp/program/{programme.slug}/"' in html
    pmto = Programme.objects.get(slug="pmto")
    card = re.search(r'id="programme-pmto".*?</article>', html, re.S)[0]
    assert pmto.target_group in card
    assert "From 3 years to 12 years" in card
    assert "Level 5: effective, tested in Norway (well documented)" in card
    assert "Rated by Ungsinn; the date of the rating is not recorded here." in card


def test_where_a_programme_is_offered_links_the_municipalitys_finder(client, offers):
    html = client.get("/finn-hjelp/program/").content.decode()

    card = re.search(r'id="programme-icdp".*?</article>', html, re.S)[0]
    assert "1 digital offer for all of Norway" in card
    # Counted for Hamar: the offer for its residents, and the digital one given there.
    link = re.search(r'<a class="ds-link" href="([^"]+)">Hamar</a> \(2\)', card)
    assert link, card
    # The link finds the programme's offer in Hamar.
    finder = client.get(link[1].replace("&amp;", "&")).content.decode()
    assert "ICDP-kurs i Hamar" in finder


def test_a_programme_page_says_what_it_is_and_where(client, offers):
    response = client.get("/finn-hjelp/program/icdp/")

    assert response.status_code == 200
    html = response.content.decode()
    icdp = offers["icdp"]
    assert f'<h1 class="ds-heading" data-size="lg">{icdp.name}</h1>' in html
    assert icdp.owner.replace("/", "/") in html
    assert "Documented effect" in html and "Hamar" in html
    assert client.get("/finn-hjelp/program/finnes-ikke/").status_code == 404


def test_the_map_counts_nationwide_offers_as_the_finder_shows_them(offers):
    row = next(r for r in programmes.programme_map().programmes if r.programme.slug == "icdp")
    elsewhere = factories.MunicipalityFactory(number="0301", name="Oslo")

    shown_in_oslo = search(FinderCriteria(municipality=elsewhere)).count
    assert row.nationwide == shown_in_oslo == 1


# The editors ----------------------------------------------------------------------------------


@pytest.fixture
def admin(db, settings):
    client = logged_in(make.user(is_instance_admin=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_staff_who_are_not_administrators_may_not_change_the_registers(staff_client):
    for url in ("/ansatt/program/", "/ansatt/program/icdp/", "/ansatt/krisenummer/",
                "/ansatt/krisenummer/nytt/"):  # fmt: skip
        response = staff_client.get(url)
        assert response.status_code == 403, url
        assert "Only the instance&#x27;s administrators" in response.content.decode()
    response = staff_client.post("/ansatt/program/icdp/", {"name": "Endret"})
    assert response.status_code == 403
    assert Programme.objects.get(slug="icdp").name != "Endret"


FLAGS = (
    "format_group",
    "format_individual",
    "format_digital",
    "format_home_visit",
    "is_universal",
    "is_selective",
    "is_indicated",
    "certification_required",
)


def programme_post(programme: Programme, **changes) -> dict:
    fields = {
        "name": programme.name,
        "slug": programme.slug,
        "owner": programme.owner,
        "target_group": programme.target_group,
        "purpose": programme.purpose,
        "age_from_months": programme.age_from_months or "",
        "age_to_months": programme.age_to_months or "",
        "theoretical_basis": programme.theoretical_basis,
        "evidence_level": programme.evidence_level if programme.evidence_level is not None else "",
        "evidence_source_name": programme.evidence_source_name,
        "evidence_source_url": programme.evidence_source_url,
        "evidence_rated_on": "",
        "source_note": programme.source_note,
    }
    for flag in FLAGS:
        if getattr(programme, flag):
            fields[flag] = "on"
    fields.update(changes)
    return fields


def test_an_administrator_records_the_date_of_a_rating_and_the_public_page_shows_it(admin):
    pmto = Programme.objects.get(slug="pmto")
    assert admin.get("/ansatt/program/pmto/").status_code == 200

    response = admin.post(
        "/ansatt/program/pmto/", programme_post(pmto, evidence_rated_on="2021-03-12")
    )

    assert response.status_code == 302 and response["Location"] == "/finn-hjelp/program/pmto/"
    pmto.refresh_from_db()
    assert pmto.evidence_rated_on == datetime.date(2021, 3, 12)
    assert pmto.updated_at is not None
    event = AuditEvent.objects.filter(object_type="catalogue.programme").latest("pk")
    assert event.detail["fields"] == ["evidence_rated_on"]
    page = admin.get("/finn-hjelp/program/pmto/").content.decode()
    assert "Rated by Ungsinn on 12. March 2021." in page


def test_a_rating_without_who_rated_it_and_a_taken_address_are_refused(admin):
    cos = Programme.objects.get(slug="cos")

    response = admin.post(
        "/ansatt/program/cos/",
        programme_post(cos, evidence_level="3", evidence_source_name="", slug="pmto"),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Say who rated the evidence" in html
    assert "already exists" in html
    assert Programme.objects.get(slug="cos").evidence_level == cos.evidence_level


def test_an_administrator_adds_a_programme(admin):
    response = admin.post(
        "/ansatt/program/nytt/",
        {
            "name": "Foreldrekurs for nye fedre",
            "slug": "nye-fedre",
            "owner": "Kommunen",
            "target_group": "Fedre med barn under ett år",
            "purpose": "Trygge fedre.",
            "format_group": "on",
            "source_note": "",
        },
    )

    assert response.status_code == 302
    assert "Foreldrekurs for nye fedre" in admin.get("/finn-hjelp/program/").content.decode()


def test_an_administrator_changes_a_crisis_number_and_adds_the_local_centre(admin):
    line = CrisisLine.objects.get(phone="116 123")
    hamar = factories.MunicipalityFactory(number="3403", name="Hamar")
    assert "116 123" in admin.get("/ansatt/krisenummer/").content.decode()

    response = admin.post(
        f"/ansatt/krisenummer/{line.pk}/",
        {
            "kind": "helpline",
            "name": line.name,
            "phone": "116  124",
            "open_day_and_night": "on",
            "description": line.description,
            "position": "50",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.phone == "116 124" and line.description_nn == ""
    response = admin.post(
        "/ansatt/krisenummer/nytt/",
        {
            "kind": "crisis_centre",
            "name": "Krisesenteret i Innlandet",
            "phone": "62 00 00 00",
            "description": "Døgnåpent.",
            "municipality": hamar.pk,
            "position": "55",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert CrisisLine.objects.filter(municipality=hamar).count() == 1
    assert AuditEvent.objects.filter(object_type="catalogue.crisisline").count() == 2


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"phone": "", "url": ""}, "Give a phone number or a web page"),
        ({"phone": "ring oss"}, "digits and spaces only"),
    ],
)
def test_a_crisis_number_no_one_can_reach_is_refused(admin, changes, message):
    data = {"kind": "helpline", "name": "Linje", "phone": "116 000", "description": "Ring.",
            "position": "1", "is_active": "on", **changes}  # fmt: skip

    response = admin.post("/ansatt/krisenummer/nytt/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CrisisLine.objects.filter(name="Linje").exists()
