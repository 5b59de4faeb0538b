import pytest
from django.core.files.base import ContentFile

from familiebro.catalogue.models import Offer
from tests.catalogue.factories import OfferFactory

pytestmark = pytest.mark.django_db

# The smallest valid GIF: one transparent pixel.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@pytest.fixture
def offer_with_photo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    offer = OfferFactory(status=Offer.Status.PUBLISHED, contact_name="Kari Nordmann")
    offer.contact_photo.save("kari.gif", ContentFile(PIXEL))
    return offer


def test_the_offer_page_shows_the_contact_persons_photo(client, offer_with_photo):
    page = client.get(f"/tilbud/{offer_with_photo.pk}/").content.decode()
    assert offer_with_photo.contact_photo.url in page
    response = client.get(offer_with_photo.contact_photo.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PIXEL


def test_a_photo_is_not_served_once_the_offer_is_retired(client, offer_with_photo):
    url = offer_with_photo.contact_photo.url
    Offer.objects.filter(pk=offer_with_photo.pk).update(status=Offer.Status.RETIRED)
    assert client.get(url).status_code == 404


def test_other_uploaded_files_are_never_served(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "consents").mkdir()
    (tmp_path / "consents" / "scan.pdf").write_bytes(b"%PDF-1.4")
    assert client.get("/media/consents/scan.pdf").status_code == 404
    assert client.get("/media/contacts/../consents/scan.pdf").status_code == 404
