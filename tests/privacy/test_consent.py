"""Consent as the family gives it: the texts, who may consent, and what a consent opens."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from familiebro.core.models import Person
from familiebro.privacy import consent_reads, consent_services, policy
from familiebro.privacy.models import (
    AuditEvent,
    Consent,
    ConsentGiver,
    ConsentRule,
    ConsentText,
    DataCategory,
    Purpose,
)
from tests import factories
from tests.privacy import factories as make
from tests.privacy import factories_consent as privacy_factories
from tests.privacy.factories_consent import health_trust_unit, record, staff_in

pytestmark = pytest.mark.django_db

LANGUAGES = ("nb", "nn", "en")


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals in English, the source messages, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture
def family(staff):
    return privacy_factories.family(staff)


@pytest.fixture
def bup():
    return health_trust_unit()


@pytest.fixture
def bup_staff(bup, family):
    """A BUP worker who works on the child (a consent opens data only to such a one)."""
    worker = staff_in(bup)
    make.assign(family.child, user=worker, domain=bup.domain)
    return worker


def refusal(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(excinfo.value.messages)


# The texts


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("purpose", Purpose.values)
def test_a_consent_text_is_published_for_every_purpose_and_language(purpose, language):
    text = consent_reads.current_text(purpose, language)
    assert text.version == 1
    for placeholder in ("{recipients}", "{categories}", "{valid_to}"):
        assert placeholder in text.body


@pytest.mark.parametrize(
    ("language", "voluntary", "same_help", "withdraw", "stays"),
    [
        (
            "nb",
            "Det er frivillig",
            "får familien den samme hjelpen fra",
            "Du kan trekke samtykket tilbake når du vil",
            "Det som allerede er delt, blir liggende hos tjenesten som fikk det",
        ),
        (
            "nn",
            "Det er frivillig",
            "får familien den same hjelpa frå",
            "Du kan trekkje samtykket tilbake når du vil",
            "Det som alt er delt, blir verande hos tenesta som fekk det",
        ),
        (
            "en",
            "It is voluntary",
            "the family gets the same help from",
            "You can withdraw your consent whenever you want",
            "What has already been shared stays with the service that received it",
        ),
    ],
)
def test_every_text_says_consent_is_voluntary_costs_no_help_and_how_to_withdraw(
    language, voluntary, same_help, withdraw, stays
):
    for text in ConsentText.objects.filter(language=language):
        assert voluntary in text.body
        assert same_help in text.body
        assert withdraw in text.body
        assert stays in text.body


def test_the_rendered_text_says_exactly_who_sees_what_and_until_when(staff, family, bup):
    consent = record(
        staff,
        family,
        recipient_units=[bup],
        scope=["measures_and_plans", "meeting_minutes"],
        valid_to=consent_reads.end_of_day(datetime.date(2031, 3, 31)),
    )
    text = consent_reads.render_consent_text(consent).plain
    assert "BUP Hamar (Sykehuset Innlandet) får se disse opplysningene om barnet" in text
    with translation.override("nb"):
        categories = (
            f"{DataCategory.MEASURES_AND_PLANS.label}, {DataCategory.MEETING_MINUTES.label}"
        )
    assert f"om barnet: {categories}." in text
    assert "Siste dag samtykket gjelder: 31. mars 2031." in text
    assert "Åse Sæther" in text
    assert family.child.organisation.name in text
    assert "{" not in text


def test_a_stored_text_with_more_than_a_name_in_braces_renders_safely(staff, family, bup):
    """A text in the database from before the check (or written there by hand) is filled by
    plain substitution: a format spec cannot build a huge string, a conversion cannot print a
    program value, and what is not a placeholder is printed as written."""
    consent = record(staff, family, recipient_units=[bup], scope=["meeting_minutes"])
    ConsentText.objects.filter(pk=consent.text_id).update(
        title="Samtykke for {child}",
        body="Om {child:>900000000} og {child!r}. Til {recipients}. {{child}} {ukjent}",
    )
    consent.refresh_from_db()
    rendered = consent_reads.render_consent_text(consent)
    assert rendered.title == "Samtykke for Åse Sæther"
    assert rendered.plain == (
        "Om {child:>900000000} og {child!r}. Til BUP Hamar (Sykehuset Innlandet). {child} {ukjent}"
    )


def test_the_last_day_is_the_day_chosen_not_the_day_after(staff, family, bup):
    consent = record(
        staff,
        family,
        recipient_units=[bup],
        valid_to=consent_reads.end_of_day(datetime.date(2030, 12, 31)),
    )
    assert consent_reads.last_valid_day(consent.valid_to) == datetime.date(2030, 12, 31)
    assert consent.valid_to > timezone.make_aware(datetime.datetime(2030, 12, 31, 23, 59))


# What a consent must name


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"recipient_units": []}, "recipients", "Name at least one service"),
        ({"purpose": ""}, "purpose", "Choose what the consent is for"),
        ({"scope": []}, "scope", "Choose which parts of the information"),
    ],
)
def test_it_refuses_a_consent_without_recipient_purpose_or_scope(
    staff, family, bup, overrides, field, message
):
    with pytest.raises(ValidationError) as excinfo:
        record(staff, family, **{"recipient_units": [bup], **overrides})
    assert message in " ".join(excinfo.value.message_dict[field])
    assert not Consent.objects.exists()


def test_it_refuses_consent_from_a_guardian_without_parental_responsibility(staff, family, bup):
    with pytest.raises(ValidationError) as excinfo:
        record(
            staff,
            family,
            recipient_units=[bup],
            givers=[family.mother, family.father, family.stepfather],
        )
    assert "Per Lunde does not have parental responsibility" in refusal(excinfo)
    assert not Consent.objects.exists()


def test_by_default_every_guardian_with_parental_responsibility_must_consent(staff, family, bup):
    with pytest.raises(ValidationError) as excinfo:
        record(staff, family, recipient_units=[bup], givers=[family.mother])
    assert "Every guardian with parental responsibility must consent" in refusal(excinfo)
    assert "Missing: Ola Bråten" in refusal(excinfo)
    assert not Consent.objects.exists()


def test_by_default_the_child_cannot_consent_instead_of_the_guardians(staff, family, bup):
    with pytest.raises(ValidationError) as excinfo:
        record(staff, family, recipient_units=[bup], givers=[family.child])
    assert "the guardians consent, not the child" in refusal(excinfo)


def test_a_young_person_under_the_configured_age_cannot_consent_alone(staff, bup):
    thirteen = datetime.date(timezone.localdate().year - 13, 1, 1)
    young = privacy_factories.family(staff, child_born=thirteen)
    ConsentRule.objects.create(
        organisation=young.child.organisation,
        purpose=Purpose.COORDINATION,
        givers=ConsentRule.Givers.YOUNG_PERSON,
        young_person_age=15,
    )
    with pytest.raises(ValidationError) as excinfo:
        record(staff, young, recipient_units=[bup], givers=[young.child])
    assert "Åse Sæther is under 15 and cannot consent alone" in refusal(excinfo)
    assert not Consent.objects.exists()


def test_a_young_person_over_the_configured_age_consents_alone_when_the_rule_says_so(staff, bup):
    sixteen = datetime.date(timezone.localdate().year - 16, 1, 1)
    young = privacy_factories.family(staff, child_born=sixteen)
    ConsentRule.objects.create(
        organisation=young.child.organisation,
        purpose=Purpose.COORDINATION,
        givers=ConsentRule.Givers.YOUNG_PERSON,
        young_person_age=15,
    )
    consent = record(staff, young, recipient_units=[bup], givers=[young.child])
    assert list(consent.givers.values_list("person_id", "role")) == [
        (young.child.pk, "young_person")
    ]


@pytest.mark.parametrize("channel", [Consent.Channel.PAPER, Consent.Channel.ORAL])
def test_paper_or_oral_consent_needs_a_witness_or_the_scanned_form(staff, family, bup, channel):
    with pytest.raises(ValidationError) as excinfo:
        record(staff, family, recipient_units=[bup], channel=channel, witness="")
    assert "needs the scanned form or a witness" in " ".join(excinfo.value.message_dict["witness"])
    assert not Consent.objects.exists()


def test_paper_consent_with_the_scanned_form_is_recorded_and_the_scan_kept(
    staff, family, bup, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile("skjema.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    consent = record(staff, family, recipient_units=[bup], witness="", attachment=scan)
    assert consent.attachment.read() == b"%PDF-1.4 signed"
    assert consent.recorded_by == staff


# What a consent opens


def test_a_recipient_sees_the_child_while_the_consent_is_valid_and_not_after_withdrawal(
    staff, family, bup, bup_staff
):
    def sees_child() -> bool:
        visible = policy.visible(bup_staff, Person, Purpose.COORDINATION)
        return visible.filter(pk=family.child.pk).exists()

    assert not sees_child()
    consent = record(staff, family, recipient_units=[bup])
    assert sees_child()
    consent_services.withdraw_consent(staff, consent, withdrawn_by=family.father)
    assert not sees_child()


def test_a_recipient_organisation_opens_the_child_to_who_works_on_it_in_any_unit(
    staff, family, bup
):
    other_unit = factories.ServiceUnitFactory(organisation=bup.organisation)
    colleague_elsewhere = staff_in(other_unit)
    make.assign(family.child, user=colleague_elsewhere, domain=other_unit.domain)
    not_working_on_it = staff_in(other_unit)
    record(staff, family, recipient_organisations=[bup.organisation])
    visible = policy.visible(colleague_elsewhere, Person, Purpose.COORDINATION)
    assert visible.filter(pk=family.child.pk).exists()
    # The whole organisation is named, but only who works on the child reads it.
    visible = policy.visible(not_working_on_it, Person, Purpose.COORDINATION)
    assert not visible.filter(pk=family.child.pk).exists()


def test_a_consent_stops_opening_the_child_when_it_expires(staff, family, bup, bup_staff):
    consent = record(
        staff, family, recipient_units=[bup], valid_to=timezone.now() + datetime.timedelta(hours=1)
    )

    def sees_child() -> bool:
        # Built afresh each time: a consent's validity is read at the moment of the query.
        visible = policy.visible(bup_staff, Person, Purpose.COORDINATION)
        return visible.filter(pk=family.child.pk).exists()

    assert sees_child()
    after = consent.valid_to + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=after):
        assert not sees_child()
        assert consent.state() == "expired"


def test_a_consent_opens_the_child_only_for_its_own_purpose(staff, family, bup, bup_staff):
    record(staff, family, recipient_units=[bup], purpose=Purpose.COORDINATION)
    for other in (Purpose.SHARED_LOG, Purpose.REFERRAL, policy.Purpose.CASEWORK):
        assert not policy.visible(bup_staff, Person, other).filter(pk=family.child.pk).exists()


def test_a_consent_opens_nothing_to_services_it_does_not_name(staff, family, bup):
    record(staff, family, recipient_units=[bup])
    stranger = staff_in(health_trust_unit("BUP Gjøvik"))
    visible = policy.visible(stranger, Person, Purpose.COORDINATION)
    assert not visible.filter(pk=family.child.pk).exists()


# Withdrawal


def test_a_withdrawn_consent_cannot_be_withdrawn_twice(staff, family, bup):
    consent = record(staff, family, recipient_units=[bup])
    consent_services.withdraw_consent(staff, consent, withdrawn_by=family.mother)
    with pytest.raises(ValidationError) as excinfo:
        consent_services.withdraw_consent(staff, consent, withdrawn_by=family.father)
    assert "already withdrawn" in refusal(excinfo)
    consent.refresh_from_db()
    assert consent.withdrawn_by == family.mother


def test_only_a_giver_or_the_child_can_withdraw(staff, family, bup):
    consent = record(staff, family, recipient_units=[bup])
    with pytest.raises(ValidationError) as excinfo:
        consent_services.withdraw_consent(staff, consent, withdrawn_by=family.stepfather)
    assert "Only someone who gave the consent, or the child" in refusal(excinfo)
    consent_services.withdraw_consent(staff, consent, withdrawn_by=family.child)
    consent.refresh_from_db()
    assert consent.state() == "withdrawn"


# The audit trail


def test_recording_and_withdrawing_each_write_an_audit_event_with_the_consent_id(
    staff, family, bup
):
    consent = record(staff, family, recipient_units=[bup])
    created = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, consent_id=consent.pk)
    assert created.object_type == "privacy.consent"
    assert created.actor_id == staff.pk
    assert str(family.child.pk) in created.subject_ids
    consent_services.withdraw_consent(staff, consent, withdrawn_by=family.mother)
    changed = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, consent_id=consent.pk)
    assert changed.detail == {"event": "withdrawn"}
    assert str(family.mother.pk) in changed.subject_ids


def test_a_refused_consent_leaves_neither_rows_nor_audit_events(staff, family, bup):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        record(staff, family, recipient_units=[bup], givers=[family.stepfather])
    assert AuditEvent.objects.count() == before
    assert not ConsentGiver.objects.exists()


# Reading consents through the policy


def test_an_assigned_worker_lists_the_childs_consents_and_the_reading_is_audited(
    staff, family, bup
):
    consent = record(staff, family, recipient_units=[bup])
    rows = consent_reads.consents_for(staff, family.child)
    assert [(row.consent, row.state) for row in rows] == [(consent, "valid")]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LIST, object_type="privacy.consent", actor_id=staff.pk
    ).exists()


def test_a_colleague_not_assigned_to_the_child_sees_none_of_its_consents(staff, unit, family, bup):
    record(staff, family, recipient_units=[bup])
    colleague = staff_in(unit)
    assert consent_reads.consents_for(colleague, family.child) == []


def test_the_recipient_does_not_see_the_consent_records_themselves(staff, family, bup, bup_staff):
    record(staff, family, recipient_units=[bup])
    assert consent_reads.consents_for(bup_staff, family.child) == []
