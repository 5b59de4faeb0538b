"""Digital offers open to the whole country: found from every municipality, whoever wrote them.

A digital offer that names no municipality is shown in every municipality; the catalogue
stores that on the offer (Offer.is_nationwide), so each way of writing an offer must keep it.
"""

import io
import json

import pytest
from django.urls import reverse

from familiebro.catalogue import actions, csv_io
from familiebro.catalogue.hsds.files import import_hsds_paths
from familiebro.catalogue.models import Offer
from tests import factories
from tests.catalogue.factories import FinderOfferFactory, LocationFactory, topic
from tests.catalogue.test_editor_pages import edit_url, offer_post
from tests.catalogue.test_hsds_csv_import import SERVICE_ID, example_copy

pytestmark = pytest.mark.django_db


@pytest.fixture
def hamar(db):
    return factories.MunicipalityFactory(number="3403", name="Hamar")


@pytest.fixture
def stange(db):
    return factories.MunicipalityFactory(number="3413", name="Stange")


@pytest.fixture
def elverum(db):
    return factories.MunicipalityFactory(number="3420", name="Elverum")


def found_in(client, municipality) -> list[str]:
    response = client.get("/finn-hjelp/", {"kommune": municipality.number})
    assert response.status_code == 200, response.content.decode()[:500]
    return sorted(offer.title for offer in response.context["result"].offers)


def digital_offer(staff, unit, **data) -> Offer:
    """A published digital offer of `unit`, made as an editor makes it."""
    offer = actions.create_offer(
        staff,
        unit,
        {
            "title": "Foreldrekurs på nett",
            "description": "Seks kvelder på video.",
            "topics": [topic("parenting-role")],
            "contact_phone": "62 56 10 00",
            "is_digital": True,
            **data,
        },
    )
    return actions.publish_offer(staff, offer)


def test_a_nationwide_digital_offer_is_found_from_every_municipality_a_local_one_at_home(
    client, hamar, stange, elverum
):
    FinderOfferFactory(title="Digitalt for hele landet", is_digital=True)
    # Given in Hamar, but digital and for no municipality in particular: open to everyone.
    FinderOfferFactory(
        title="Digitalt fra Hamar", is_digital=True, locations=[LocationFactory(municipality=hamar)]
    )
    FinderOfferFactory(title="Digitalt for Stange", is_digital=True, municipalities=[stange])
    FinderOfferFactory(title="Gruppe i Hamar", municipalities=[hamar])
    nationwide = ["Digitalt for hele landet", "Digitalt fra Hamar"]
    assert found_in(client, hamar) == [*nationwide, "Gruppe i Hamar"]
    assert found_in(client, stange) == ["Digitalt for Stange", *nationwide]
    assert found_in(client, elverum) == nationwide


def test_the_editor_page_makes_an_offer_nationwide_and_local_again(
    client, staff_client, staff, unit, hamar, stange
):
    offer = digital_offer(staff, unit, municipalities=[hamar])
    assert found_in(client, stange) == []

    form = offer_post(title=offer.title, is_digital="on", municipalities=[])
    assert staff_client.post(edit_url(offer), form).status_code == 302
    assert found_in(client, stange) == [offer.title]

    form = offer_post(title=offer.title, is_digital="on", other_municipalities="3403")
    assert staff_client.post(edit_url(offer), form).status_code == 302
    assert found_in(client, stange) == []
    assert found_in(client, hamar) == [offer.title]


def test_an_offer_that_stops_being_digital_is_no_longer_found_everywhere(
    client, staff, unit, stange
):
    offer = digital_offer(staff, unit, municipalities=[])
    assert found_in(client, stange) == [offer.title]
    actions.update_offer(staff, offer, {"is_digital": False})
    assert found_in(client, stange) == []


def test_retiring_and_publishing_again_keeps_the_offer_open_to_the_whole_country(
    client, staff_client, staff, unit, stange
):
    offer = digital_offer(staff, unit, municipalities=[])
    staff_client.post(reverse("offer-editor-retire", args=[offer.pk]))
    assert found_in(client, stange) == []
    staff_client.post(reverse("offer-editor-publish", args=[offer.pk]))
    assert found_in(client, stange) == [offer.title]


def test_the_csv_import_makes_an_offer_nationwide_and_local_again(
    client, staff, unit, hamar, stange
):
    offer = digital_offer(staff, unit, municipalities=[hamar])
    header = "id,title,description,is_digital,municipalities\n"

    def import_row(municipalities: str):
        row = f"{offer.pk},{offer.title},{offer.description},ja,{municipalities}\n"
        report = csv_io.import_offers(staff, unit, io.BytesIO((header + row).encode()))
        assert report.ok, report.summary()

    import_row("")
    assert found_in(client, stange) == [offer.title]
    import_row("3403")
    assert found_in(client, stange) == []
    assert found_in(client, hamar) == [offer.title]


def test_a_new_digital_offer_from_csv_without_municipalities_is_for_the_units_own(
    client, staff, unit, hamar, stange
):
    unit.municipalities_served.add(hamar)
    text = (
        "title,description,topics,contact_phone,is_digital,municipalities,status\n"
        "Nettkurs,Om kurset.,parenting-role,62 56 10 00,ja,,published\n"
    )
    report = csv_io.import_offers(staff, unit, io.BytesIO(text.encode()))
    assert report.ok, report.summary()
    assert found_in(client, hamar) == ["Nettkurs"]
    assert found_in(client, stange) == []


def test_the_hsds_json_import_makes_an_offer_nationwide_and_local_again(
    client, staff, unit, hamar, stange
):
    offer = digital_offer(staff, unit, municipalities=[hamar])
    out = io.StringIO()
    csv_io.export_offers_hsds(unit, out)
    exported = json.loads(out.getvalue())
    (service,) = exported
    areas = service["service_areas"]
    assert [area["extent"] for area in areas] == ["3403"]

    def import_areas(service_areas):
        service["service_areas"] = service_areas
        upload = io.BytesIO(json.dumps([service]).encode())
        upload.name = "tilbud.json"
        result = csv_io.import_offers_file(staff, unit, upload)
        assert result.ok, result.problems

    import_areas([])
    assert found_in(client, stange) == [offer.title]
    import_areas(areas)
    assert found_in(client, stange) == []
    assert found_in(client, hamar) == [offer.title]


def test_the_hsds_csv_import_makes_a_nationwide_digital_offer_local(
    client, tmp_path, hamar, stange
):
    # The official example names a service area no municipality has: for no one in particular.
    (tmp_path / "first").mkdir()
    (tmp_path / "hamar").mkdir()
    report = import_hsds_paths([example_copy(tmp_path / "first")], partial=False)
    assert report.ok, report.lines()
    offer = Offer.objects.get(pk=SERVICE_ID)
    actions.update_offer(None, offer, {"is_digital": True, "topics": [topic("parenting-role")]})
    assert found_in(client, stange) == [offer.title]

    areas_in_hamar = example_copy(
        tmp_path / "hamar",
        {"service_areas.csv": (",extent,geojson,", ",3403,text,")},
    )
    report = import_hsds_paths([areas_in_hamar], partial=False)
    assert report.ok, report.lines()
    assert found_in(client, stange) == []
    assert found_in(client, hamar) == [offer.title]
