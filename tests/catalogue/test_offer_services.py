"""Offer services: creating, publishing, confirming, retiring, translating, and who may."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from familiebro.catalogue import actions, permissions, reads
from familiebro.catalogue.models import Offer, OfferSession, Provider
from familiebro.core.models import Membership
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.catalogue.factories import OfferFactory, topic
from tests.privacy.factories import member

pytestmark = pytest.mark.django_db


def complete(**overrides):
    """What a parent needs: a title, a description, a topic and a way to get in touch."""
    return {
        "title": "Barselgruppe",
        "description": "Fire møter for foreldre med nyfødte.",
        "topics": [topic("infant-sleep-feeding")],
        "contact_phone": "62 56 10 00",
        **overrides,
    }


def events(offer, event=None):
    found = AuditEvent.objects.filter(object_type="catalogue.offer", object_ids=[str(offer.pk)])
    if event is not None:
        return [e for e in found if e.detail.get("event") == event]
    return list(found)


@pytest.fixture
def offer(staff, unit):
    return actions.create_offer(staff, unit, complete())


@pytest.fixture
def published(staff, offer):
    return actions.publish_offer(staff, offer)


@pytest.fixture
def outsider(db):
    return member(factories.ServiceUnitFactory())


def test_a_new_offer_is_a_draft_published_by_the_units_organisation(staff, unit):
    municipality = factories.MunicipalityFactory()
    unit.municipalities_served.add(municipality)
    offer = actions.create_offer(staff, unit, complete())
    assert offer.status == Offer.Status.DRAFT
    assert offer.provider.organisation == unit.organisation
    assert offer.provider.name == unit.organisation.name
    assert list(offer.municipalities.all()) == [municipality]
    assert offer not in Offer.objects.published()


def test_the_provider_is_made_once_per_organisation(staff, unit):
    actions.create_offer(staff, unit, complete())
    actions.create_offer(staff, unit, complete(title="Ammekafé"))
    assert Provider.objects.filter(organisation=unit.organisation).count() == 1


def test_publishing_names_everything_a_parent_would_miss(staff, unit):
    offer = actions.create_offer(
        staff, unit, {"title": "Kurs", "description": "Om kurset.", "topics": []}
    )
    with pytest.raises(ValidationError) as raised:
        actions.publish_offer(staff, offer)
    assert set(raised.value.message_dict) == {"topics", "contact_phone"}
    assert "phone number, an e-mail address or a web page" in str(raised.value)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.DRAFT


@pytest.mark.parametrize(
    "contact", [{"contact_email": "kurs@example.no"}, {"url": "https://example.no/kurs"}]
)
def test_an_e_mail_address_or_a_web_page_is_also_a_way_to_get_in_touch(staff, unit, contact):
    offer = actions.create_offer(staff, unit, complete(contact_phone="", **contact))
    actions.publish_offer(staff, offer)
    assert offer in Offer.objects.published()


def test_publishing_makes_the_offer_public_and_confirms_it(staff, offer):
    actions.publish_offer(staff, offer)
    offer.refresh_from_db()
    assert offer in Offer.objects.published()
    assert offer.verified_by == staff
    assert timezone.now() - offer.last_verified_at < datetime.timedelta(minutes=1)
    assert not reads.is_stale(offer)


def test_a_published_offer_cannot_lose_what_parents_need(staff, published):
    with pytest.raises(ValidationError, match="A published offer must keep this"):
        actions.update_offer(staff, published, {"topics": []})
    assert published.topics.exists()
    assert not events(published, "update")


def test_an_offer_is_stale_after_183_days_and_not_before(published):
    now = timezone.now()
    published.last_verified_at = now - datetime.timedelta(days=182, hours=23)
    assert not reads.is_stale(published, now)
    published.last_verified_at = now - datetime.timedelta(days=183, minutes=1)
    assert reads.is_stale(published, now)
    assert datetime.timedelta(days=183) == reads.STALE_AFTER


def test_stale_offers_are_listed_for_their_unit_until_someone_confirms_them(staff, unit, published):
    other_unit_offer = actions.publish_offer(
        None, actions.create_offer(None, factories.ServiceUnitFactory(), complete())
    )
    eight_months_ago = timezone.now() - datetime.timedelta(days=243)
    Offer.objects.filter(pk__in=[published.pk, other_unit_offer.pk]).update(
        last_verified_at=eight_months_ago
    )
    assert list(reads.stale_offers(unit)) == [published]
    assert set(reads.stale_offers()) == {published, other_unit_offer}
    published.refresh_from_db()
    actions.verify_offer(staff, published)
    assert list(reads.stale_offers(unit)) == []
    assert not reads.is_stale(published)


def test_drafts_and_retired_offers_are_never_flagged_as_stale(staff, offer):
    Offer.objects.filter(pk=offer.pk).update(last_verified_at=None)
    offer.refresh_from_db()
    assert not reads.is_stale(offer)
    actions.publish_offer(staff, offer)
    actions.retire_offer(staff, offer)
    Offer.objects.filter(pk=offer.pk).update(
        last_verified_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert not reads.stale_offers().filter(pk=offer.pk).exists()


def test_only_a_published_offer_can_be_confirmed(staff, offer):
    with pytest.raises(ValidationError, match="Only a published offer can be confirmed"):
        actions.verify_offer(staff, offer)


def test_retiring_takes_the_offer_off_the_public_pages(staff, published):
    actions.retire_offer(staff, published)
    assert published not in Offer.objects.published()
    with pytest.raises(ValidationError, match="already retired"):
        actions.retire_offer(staff, published)
    actions.publish_offer(staff, published)
    assert published in Offer.objects.published()


def test_staff_of_another_unit_can_neither_change_nor_find_the_offer(outsider, offer):
    for action in (actions.publish_offer, actions.retire_offer):
        with pytest.raises(PermissionDenied):
            action(outsider, offer)
    with pytest.raises(PermissionDenied, match="Only staff of the unit"):
        actions.update_offer(outsider, offer, {"title": "Kapret"})
    with pytest.raises(PermissionDenied):
        actions.translate_offer(outsider, offer, "en", title="x", description="y")
    with pytest.raises(Http404):
        permissions.get_editable_offer(outsider, offer.pk)
    offer.refresh_from_db()
    assert offer.title == "Barselgruppe"
    assert offer.status == Offer.Status.DRAFT


@pytest.mark.parametrize("role", Membership.Role.values)
def test_every_role_in_the_unit_may_edit_its_offers(unit, offer, role):
    colleague = member(unit, role=role)
    actions.update_offer(colleague, offer, {"title": "Barselgruppe i Stange"})
    assert permissions.get_editable_offer(colleague, offer.pk) == offer


def test_an_instance_admin_may_edit_every_offer(offer):
    admin = factories.UserFactory(is_instance_admin=True)
    actions.update_offer(admin, offer, {"summary": "Rettet av administrator."})
    actions.publish_offer(admin, offer)
    assert offer in permissions.editable_offers(admin)


def test_every_change_is_audited_with_the_names_of_the_changed_fields(staff, unit, offer):
    created = events(offer, "create")
    assert len(created) == 1
    assert created[0].action == AuditEvent.Action.CREATE
    assert created[0].actor_id == staff.pk
    assert created[0].organisation_id == unit.organisation_id
    changed = actions.update_offer(staff, offer, {"title": "Ny tittel", "summary": ""})
    assert changed == {"title"}
    (update,) = events(offer, "update")
    assert update.action == AuditEvent.Action.CHANGE
    assert update.detail["fields"] == ["title"]
    # The values are not in the trail: contact persons are staff, and text is not needed.
    assert "Ny tittel" not in str(update.detail)


def test_status_changes_and_translations_are_audited(staff, offer):
    actions.publish_offer(staff, offer)
    actions.verify_offer(staff, offer)
    actions.translate_offer(staff, offer, "ar", title="مجموعة", description="وصف")
    actions.remove_translation(staff, offer, "ar")
    actions.retire_offer(staff, offer)
    assert [e.detail["event"] for e in events(offer)] == [
        "create",
        "publish",
        "verify",
        "translate",
        "remove_translation",
        "retire",
    ]


def test_saving_without_changes_writes_no_audit_event(staff, offer):
    assert actions.update_offer(staff, offer, {"title": "Barselgruppe"}) == set()
    assert not events(offer, "update")


def test_a_rejected_change_writes_nothing(staff, offer):
    with pytest.raises(ValidationError) as raised:
        actions.update_offer(staff, offer, {"title": "Nytt navn", "age_from_months": -12})
    assert "start of pregnancy" in str(raised.value)
    offer.refresh_from_db()
    assert offer.title == "Barselgruppe"
    assert not events(offer, "update")


def test_ages_reach_back_to_the_start_of_pregnancy(staff, offer):
    actions.update_offer(staff, offer, {"age_from_months": -9, "age_to_months": 12})
    offer.refresh_from_db()
    assert (offer.age_from_months, offer.age_to_months) == (-9, 12)
    with pytest.raises(ValidationError, match="upper age is below the lower age"):
        actions.update_offer(staff, offer, {"age_from_months": 24, "age_to_months": 12})


def test_the_search_document_follows_every_change(staff, offer):
    actions.update_offer(staff, offer, {"title": "Pappagruppe"})
    offer.refresh_from_db()
    assert "Pappagruppe" in offer.search_document
    actions.translate_offer(staff, offer, "en", title="Fathers' group", description="For dads.")
    offer.refresh_from_db()
    assert "Fathers' group" in offer.search_document


def test_a_translation_replaces_the_earlier_one_in_that_language(staff, offer):
    actions.translate_offer(staff, offer, "uk", title="Перша", description="Опис")
    actions.translate_offer(staff, offer, "uk", title="Друга", description="Опис")
    assert list(offer.translations.values_list("language", "title")) == [("uk", "Друга")]
    with pytest.raises(ValidationError, match="not one of the languages"):
        actions.translate_offer(staff, offer, "xx", title="x", description="y")


def test_languages_are_stored_as_a_padded_list_and_checked(staff, offer):
    actions.update_offer(staff, offer, {"languages": ["nb", "AR", "so", "ar"]})
    offer.refresh_from_db()
    assert offer.languages == " nb ar so "
    with pytest.raises(ValidationError, match="not a language code"):
        actions.update_offer(staff, offer, {"languages": ["norsk"]})
    with pytest.raises(ValidationError, match="at least one language"):
        actions.update_offer(staff, offer, {"languages": []})


def test_an_offer_that_is_not_free_must_say_what_it_costs(staff, offer):
    with pytest.raises(ValidationError, match="Say what the offer costs"):
        actions.update_offer(staff, offer, {"is_free": False})
    actions.update_offer(staff, offer, {"is_free": False, "cost": "200 kroner for boka"})


def test_phone_numbers_are_stored_in_international_form(staff, offer):
    assert offer.contact_phone == "+4762561000"
    with pytest.raises(ValidationError, match="not a valid phone number"):
        actions.update_offer(staff, offer, {"contact_phone": "123"})


def test_the_schedule_ticks_open_evenings_and_weekends(staff, offer):
    saturday = timezone.make_aware(datetime.datetime(2031, 3, 15, 11, 0))
    actions.update_offer(
        staff,
        offer,
        {},
        opening_hours=[
            {"weekday": 0, "opens_at": datetime.time(15), "closes_at": datetime.time(19)}
        ],
        sessions=[{"starts_at": saturday, "ends_at": saturday + datetime.timedelta(hours=2)}],
    )
    offer.refresh_from_db()
    assert offer.open_evenings and offer.open_weekends
    assert offer.opening_hours.get().closes_at == datetime.time(19)


def test_edited_sessions_keep_their_ids_so_saved_calendar_entries_stay_valid(staff, offer):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=10)
    rows = [
        {"title": "Første", "starts_at": start, "ends_at": start + datetime.timedelta(hours=2)},
        {
            "title": "Andre",
            "starts_at": start + datetime.timedelta(days=7),
            "ends_at": start + datetime.timedelta(days=7, hours=2),
        },
    ]
    actions.update_offer(staff, offer, {}, sessions=rows)
    first, second = offer.sessions.order_by("starts_at")
    moved = start + datetime.timedelta(days=1)
    actions.update_offer(
        staff,
        offer,
        {},
        sessions=[
            {
                "id": first.pk,
                "title": "Første",
                "starts_at": moved,
                "ends_at": moved + datetime.timedelta(hours=2),
            }
        ],
    )
    assert list(offer.sessions.values_list("pk", "starts_at")) == [(first.pk, moved)]
    assert not OfferSession.objects.filter(pk=second.pk).exists()


def test_a_session_of_another_offer_cannot_be_moved_here(staff, unit, offer):
    other = OfferFactory(unit=unit)
    session = OfferSession.objects.create(
        offer=other,
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    with pytest.raises(ValidationError, match="belongs to another offer"):
        actions.update_offer(
            staff,
            offer,
            {},
            sessions=[
                {"id": session.pk, "starts_at": session.starts_at, "ends_at": session.ends_at}
            ],
        )
    assert OfferSession.objects.get(pk=session.pk).offer == other


def test_topics_must_come_from_the_topic_vocabulary(staff, offer):
    from tests.catalogue.factories import target_group

    with pytest.raises(ValidationError, match="not Tema terms"):
        actions.update_offer(staff, offer, {"topics": [target_group("fathers")]})
