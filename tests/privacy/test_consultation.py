import datetime
import inspect

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation

from familiebro.core.models import Person
from familiebro.privacy import consultation, names
from familiebro.privacy.models import AgeBand, AnonymousConsultation, AuditEvent
from tests import factories
from tests.privacy import factories_retention as make

pytestmark = pytest.mark.django_db

ORDINARY = "Gutt 8 år, uro i klassen, mor bekymret"


@pytest.fixture(autouse=True)
def _english():
    # Assert on the English source strings, whatever translations exist.
    with translation.override("en"):
        yield


@pytest.fixture
def english_client(staff_client):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return staff_client


def record(staff, unit, **overrides):
    arguments = {
        "held_on": timezone.localdate(),
        "age_band": AgeBand.AGE_6_12,
        "topics": "uro, søvn",
        "advice": "Foreslo foreldreveiledning og samtale med helsesykepleier.",
        "follow_up": "",
    }
    arguments.update(overrides)
    return consultation.record_consultation(staff, unit, **arguments)


def refusal(staff, unit, **overrides) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        record(staff, unit, **overrides)
    return caught.value.message_dict


@pytest.mark.parametrize(
    "number",
    ["15061210110", "150612 10110", "15.06.12 10110", "15-06-12-10110", "150612 101 10"],
)
def test_it_refuses_an_identity_number_however_it_is_written(staff, unit, number):
    errors = refusal(staff, unit, topics=f"Jente, fnr {number}, sover dårlig")
    assert list(errors) == ["topics"]
    message = errors["topics"][0]
    assert message.startswith("Topics:")
    assert "looks like an identity number" in message
    assert "age band" in message
    assert number not in message


def test_it_refuses_a_d_number_and_a_real_checksummed_number(staff, unit):
    real = factories.identity_number(datetime.date(2012, 6, 15))
    d_number = factories.checksummed("550612")
    for number in (real, d_number):
        errors = refusal(staff, unit, advice=f"Gi beskjed til {number}")
        assert "looks like an identity number" in errors["advice"][0]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Kari Hansen er bekymret for sønnen", "Kari Hansen"),
        ("mor, Anne-Lise Berg, ringte", "Anne-Lise Berg"),
        ("far Mohammed Ali ønsker hjelp", "Mohammed Ali"),
        ("Olena Kovalenko har nettopp kommet fra Ukraina", "Olena Kovalenko"),
        ("snakket med Fatima al Hassan", "Fatima al Hassan"),
        ("Jakub Nowak, 9 år", "Jakub Nowak"),
    ],
)
def test_it_refuses_a_full_name_and_quotes_it(staff, unit, text, name):
    errors = refusal(staff, unit, advice=text)
    message = errors["advice"][0]
    assert message.startswith("Advice given:")
    assert f"looks like a full name: “{name}”" in message
    assert "Describe the child without names" in message


def test_it_refuses_an_email_address_and_a_phone_number(staff, unit):
    errors = refusal(staff, unit, follow_up="Mor ønsker svar på kari.h@example.no eller 912 34 567")
    assert len(errors["follow_up"]) == 2
    email, phone = errors["follow_up"]
    assert email.startswith("Follow-up agreed:")
    assert "looks like an e-mail address: “kari.h@example.no”" in email
    assert "looks like a phone number: “912 34 567”" in phone


def test_it_reports_every_field_that_identifies_someone(staff, unit):
    errors = refusal(
        staff,
        unit,
        topics="Emma Berg, skolefravær",
        advice="Ring +47 22 33 44 55",
        follow_up="150612 10110",
    )
    assert set(errors) == {"topics", "advice", "follow_up"}


@pytest.mark.parametrize(
    "text",
    [
        ORDINARY,
        "Jente 13–17 år, selvskading, BUP er kjent med saken. Marte Meo-veiledning anbefalt.",
        "Møte 15.06.2024 kl. 10.30 med PPT og NAV; tre søsken, 2, 5 og 8 år.",
        "Familiens hus og Home-Start Familiekontakten kan gi støtte.",
    ],
)
def test_it_accepts_ordinary_descriptions(staff, unit, text):
    saved = record(staff, unit, topics=text[:300], advice=text)
    assert AnonymousConsultation.objects.get().pk == saved.pk
    assert saved.advice == text


def test_nothing_is_saved_when_a_field_is_refused(staff, unit):
    refusal(staff, unit, topics=ORDINARY, advice="Kari Hansen")
    assert AnonymousConsultation.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="privacy.anonymousconsultation").exists()


def test_it_records_an_audit_event_that_names_no_person(staff, unit):
    saved = record(staff, unit, topics=ORDINARY)
    event = AuditEvent.objects.get(object_type="privacy.anonymousconsultation")
    assert event.action == "create"
    assert event.object_ids == [str(saved.pk)]
    assert event.subject_ids == []
    assert event.organisation_id == unit.organisation_id
    assert event.actor_id == staff.pk


def test_the_unit_that_brought_the_case_counts_as_present(staff, unit):
    other = factories.ServiceUnitFactory(name="PPT Hamar")
    saved = record(staff, unit, services_present=[other])
    assert set(saved.services_present.all()) == {unit, other}


def test_it_refuses_a_unit_the_actor_is_not_a_member_of(staff):
    stranger_unit = factories.ServiceUnitFactory()
    with pytest.raises(PermissionDenied, match="member"):
        record(staff, stranger_unit)
    assert AnonymousConsultation.objects.count() == 0


def test_it_refuses_a_date_in_the_future(staff, unit):
    errors = refusal(staff, unit, held_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "future" in errors["held_on"][0]


def test_the_model_has_no_field_that_could_hold_an_identity():
    for field in AnonymousConsultation._meta.get_fields():
        if isinstance(field, models.ForeignKey | models.OneToOneField | models.ManyToManyField):
            assert field.related_model is not Person, field.name
        lowered = field.name.lower()
        for word in ("name", "birth", "national", "person", "identity", "phone", "email"):
            assert word not in lowered, field.name


def test_no_consultation_service_accepts_a_person_or_a_case():
    functions = [
        value
        for name, value in vars(consultation).items()
        if inspect.isfunction(value) and value.__module__ == consultation.__name__
    ]
    assert consultation.record_consultation in functions
    for function in functions:
        for parameter in inspect.signature(function).parameters:
            assert parameter not in {"person", "subject", "case", "child"}, function.__name__


def test_the_name_list_is_broad_and_includes_names_common_among_immigrants():
    assert len(names.FIRST_NAMES) >= 200
    for name in ("Kari", "Ola", "Mohammed", "Fatima", "Aisha", "Ali", "Zainab", "Ahmed", "Olena"):
        assert names.is_first_name(name)


# Pages -------------------------------------------------------------------------------------


def test_the_list_requires_login(client):
    response = client.get(reverse("consultation-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unit_members_see_their_units_consultations_only(english_client, staff, unit):
    make.consultation(unit, staff, datetime.date(2025, 3, 4), topics="søvnvansker i barnehagen")
    elsewhere = factories.ServiceUnitFactory()
    other_staff = factories.MembershipFactory(unit=elsewhere).user
    make.consultation(elsewhere, other_staff, datetime.date(2025, 3, 5), topics="rus hos far")
    page = english_client.get(reverse("consultation-list")).content.decode()
    assert "søvnvansker i barnehagen" in page
    assert "rus hos far" not in page


def test_a_unit_member_records_a_consultation(english_client, staff, unit):
    response = english_client.post(
        reverse("consultation-create"),
        {
            "unit": unit.pk,
            "held_on": "2025-05-06",
            "age_band": AgeBand.AGE_6_12,
            "topics": "uro i klassen",
            "advice": ORDINARY,
            "follow_up": "Tas opp igjen om en måned.",
        },
    )
    saved = AnonymousConsultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation-detail", args=[saved.pk])
    page = english_client.get(response["Location"]).content.decode()
    assert "uro i klassen" in page
    assert "The anonymous consultation is recorded." in page


def test_the_form_explains_a_refusal_and_saves_nothing(english_client, unit):
    response = english_client.post(
        reverse("consultation-create"),
        {
            "unit": unit.pk,
            "held_on": "2025-05-06",
            "age_band": AgeBand.AGE_1_5,
            "topics": "søvn",
            "advice": "Kari Hansen trenger avlastning",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved" in page
    assert "Advice given: this looks like a full name: “Kari Hansen”" in page
    assert AnonymousConsultation.objects.count() == 0


def test_the_form_reports_a_name_together_with_other_mistakes(english_client, unit):
    response = english_client.post(
        reverse("consultation-create"),
        {"unit": unit.pk, "held_on": "2025-05-06", "age_band": "", "topics": "Ola Nordmann"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Topics: this looks like a full name: “Ola Nordmann”" in page
    assert "Write the advice the forum gave." in page
    assert "Choose the child&#x27;s age band." in page
    assert AnonymousConsultation.objects.count() == 0


def test_the_form_offers_only_the_actors_own_units(english_client, unit):
    elsewhere = factories.ServiceUnitFactory(name="Barnevernet i Nabokommunen")
    response = english_client.post(
        reverse("consultation-create"),
        {
            "unit": elsewhere.pk,
            "held_on": "2025-05-06",
            "age_band": AgeBand.AGE_1_5,
            "topics": "søvn",
            "advice": "Råd om rutiner",
        },
    )
    assert response.status_code == 400
    assert AnonymousConsultation.objects.count() == 0


def test_members_of_other_units_get_404_on_the_detail(english_client, unit):
    elsewhere = factories.ServiceUnitFactory()
    other_staff = factories.MembershipFactory(unit=elsewhere).user
    theirs = make.consultation(elsewhere, other_staff, datetime.date(2025, 3, 5))
    response = english_client.get(reverse("consultation-detail", args=[theirs.pk]))
    assert response.status_code == 404


def test_a_member_of_the_unit_reads_the_detail(english_client, staff, unit):
    colleague = factories.MembershipFactory(unit=unit).user
    theirs = make.consultation(unit, colleague, datetime.date(2025, 3, 5), topics="mobbing")
    page = english_client.get(reverse("consultation-detail", args=[theirs.pk])).content.decode()
    assert "mobbing" in page
    assert unit.name in page


# Pseudonymous for the unit that brought it -------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "present_in_forum"),
    [
        ("helsestasjon", False),  # another unit of the same organisation, same domain
        ("skole", False),  # the same organisation's school: another domain
        ("barnevern", True),  # child welfare, which took part in the forum
    ],
)
def test_a_member_of_another_unit_of_the_same_organisation_gets_404(unit, kind, present_in_forum):
    owner = make_member(unit)
    other_unit = factories.ServiceUnitFactory(organisation=unit.organisation, kind=kind)
    colleague = make_member(other_unit)
    saved = record(owner, unit, topics="søvnvansker hjemme")
    if present_in_forum:
        saved.services_present.add(other_unit)
    client = logged_in(colleague)
    assert client.get(reverse("consultation-detail", args=[saved.pk])).status_code == 404
    assert "søvnvansker hjemme" not in client.get(reverse("consultation-list")).content.decode()
    assert not AuditEvent.objects.filter(
        object_type="privacy.anonymousconsultation", actor_id=colleague.pk
    ).exists()


def test_reading_a_consultation_is_audited(english_client, staff, unit):
    saved = record(staff, unit, topics="søvn")
    english_client.get(reverse("consultation-detail", args=[saved.pk]))
    english_client.get(reverse("consultation-list"))
    reads = AuditEvent.objects.filter(
        object_type="privacy.anonymousconsultation", actor_id=staff.pk
    ).exclude(action="create")
    assert [(e.action, e.object_ids, e.purpose, e.legal_basis) for e in reads.order_by("id")] == [
        ("view", [str(saved.pk)], "anonymous_consultation", "own_organisation"),
        ("list", [str(saved.pk)], "anonymous_consultation", "own_organisation"),
    ]
    assert all(e.subject_ids == [] for e in reads)


# The duty to report ----------------------------------------------------------------------

PROMPT = "Child welfare advised a report: make it now, with the child's identity"
PROMPT_NB = "Barnevernet har rådet dere til å melde bekymring: send meldingen nå, med barnets"


def make_member(unit):
    return factories.MembershipFactory(unit=unit).user


def logged_in(user, language="en"):
    from tests.privacy import factories as privacy_factories

    client = privacy_factories.logged_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_form_records_that_child_welfare_advised_a_report(english_client, unit):
    response = english_client.post(
        reverse("consultation-create"),
        {
            "unit": unit.pk,
            "held_on": "2025-05-06",
            "age_band": AgeBand.AGE_6_12,
            "topics": "vold i hjemmet",
            "advice": "Barnevernet mener meldeplikten er utløst.",
            "child_welfare_advised_report": "on",
        },
    )
    assert response.status_code == 302
    assert AnonymousConsultation.objects.get().child_welfare_advised_report is True


def test_the_report_prompt_shows_until_a_member_records_the_report(unit):
    member, colleague = make_member(unit), make_member(unit)
    advised = record(
        member,
        unit,
        held_on=timezone.localdate() - datetime.timedelta(days=2),
        topics="vold i hjemmet",
        child_welfare_advised_report=True,
    )
    quiet = record(member, unit, topics="søvn")
    client = logged_in(colleague)
    detail = reverse("consultation-detail", args=[advised.pk])
    for url in (reverse("staff-home"), reverse("consultation-list"), detail):
        assert PROMPT in client.get(url).content.decode(), url
    # Only the consultation where child welfare advised a report prompts.
    quiet_page = client.get(reverse("consultation-detail", args=[quiet.pk])).content.decode()
    assert PROMPT not in quiet_page

    made_on = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        reverse("consultation-report-made", args=[advised.pk]), {"made_on": made_on.isoformat()}
    )
    assert response.status_code == 302
    for url in (reverse("staff-home"), reverse("consultation-list"), detail):
        assert PROMPT not in client.get(url).content.decode(), url
    page = client.get(detail).content.decode()
    assert "It was made on" in page
    assert colleague.display_name() in page
    advised.refresh_from_db()
    assert (advised.report_made_on, advised.report_recorded_by) == (made_on, colleague)
    event = AuditEvent.objects.get(object_type="privacy.anonymousconsultation", action="change")
    assert (event.actor_id, event.subject_ids) == (colleague.pk, [])


def test_the_report_prompt_is_in_bokmal_on_the_norwegian_pages(unit):
    member = make_member(unit)
    advised = record(member, unit, child_welfare_advised_report=True)
    client = logged_in(member, "nb")
    for url in (reverse("staff-home"), reverse("consultation-detail", args=[advised.pk])):
        page = client.get(url).content.decode()
        assert PROMPT_NB in page, url
        assert "Child welfare advised" not in page
        assert "make it now" not in page
    assert "Registrer at meldingen er sendt" in page


def test_another_units_member_cannot_record_the_report(unit):
    member = make_member(unit)
    advised = record(member, unit, child_welfare_advised_report=True)
    outsider = make_member(factories.ServiceUnitFactory(organisation=unit.organisation))
    response = logged_in(outsider).post(
        reverse("consultation-report-made", args=[advised.pk]),
        {"made_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    advised.refresh_from_db()
    assert advised.report_made_on is None


@pytest.mark.parametrize(
    ("advised", "already", "days", "message"),
    [
        (True, False, 1, "The date cannot be in the future"),
        (True, False, -30, "cannot have been made before the consultation"),
        (False, False, 0, "Child welfare did not advise a report"),
        (True, True, 0, "A colleague has already recorded that the report was made"),
    ],
)
def test_recording_the_report_refuses_what_cannot_be_right(
    english_client, staff, unit, advised, already, days, message
):
    saved = record(
        staff,
        unit,
        held_on=timezone.localdate() - datetime.timedelta(days=3),
        child_welfare_advised_report=advised,
    )
    if already:
        consultation.record_report_made(
            staff, saved.pk, made_on=timezone.localdate() - datetime.timedelta(days=1)
        )
    made_on = timezone.localdate() + datetime.timedelta(days=days)
    response = english_client.post(
        reverse("consultation-report-made", args=[saved.pk]), {"made_on": made_on.isoformat()}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    saved.refresh_from_db()
    assert saved.report_made_on == (
        timezone.localdate() - datetime.timedelta(days=1) if already else None
    )
