import datetime
import json
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation

from familiebro.cases import participant_services
from familiebro.cases.models import (
    Case,
    Decision,
    HelpRequest,
    LogEntry,
    Measure,
    PathwayVersion,
    Reminder,
    ReporterFeedback,
)
from familiebro.core import crypto
from familiebro.core.models import Organisation, ParentInformationDecision, Person, ServiceUnit
from familiebro.groups.models import Booking
from familiebro.outcomes import scale_services
from familiebro.privacy import disclosure, export, policy
from familiebro.privacy.models import (
    Assignment,
    AuditEvent,
    ConsentGiver,
    ConsentRequest,
    ConsentRequestAnswer,
    DisclosureRequest,
    ExceptionalAccess,
    LegalHold,
    Purpose,
)
from tests import factories
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory
from tests.cases.test_case_retention import case_with_every_part
from tests.privacy import factories as privacy_make
from tests.privacy import factories_retention as make
from tests.privacy.test_consent_pages import flat, pdf_text
from tests.privacy.test_policy_matrix import appointment_booking

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(2015, 6, 15)


@pytest.fixture(autouse=True)
def _english():
    # Refusals are asserted on the English source strings, whatever translations exist.
    with translation.override("en"):
        yield


@pytest.fixture
def bup():
    trust = factories.OrganisationFactory(
        name="Sykehuset Innlandet", kind=Organisation.Kind.HEALTH_TRUST
    )
    return factories.ServiceUnitFactory(
        organisation=trust, name="BUP Hamar", kind=ServiceUnit.Kind.BUP
    )


@pytest.fixture
def bup_staff(bup):
    user = factories.MembershipFactory(unit=bup).user
    user.first_name, user.last_name = "Bente", "Psykolog"
    user.save()
    return user


@pytest.fixture
def family(staff, bup, bup_staff):
    child = make.person(staff, "Emma", "Berg", birth_date=BIRTH, with_identity_number=True)
    mother = make.person(
        staff,
        "Ingrid",
        "Berg",
        kind=Person.Kind.GUARDIAN,
        birth_date=datetime.date(1985, 2, 3),
        phone="912 34 567",
    )
    make.guardian_of(staff, child, mother)
    consent = make.consent(
        child,
        [mother],
        recipient_units=[bup],
        valid_from=timezone.now() - datetime.timedelta(days=1),
        valid_to=timezone.now() + datetime.timedelta(days=90),
    )
    # BUP's psychologist works on the child (a consent opens data only to such a one) and
    # reads the child's record under the consent: this is in the child's access log.
    privacy_make.assign(child, user=bup_staff, domain=bup.domain)
    policy.get_or_404(bup_staff, Person, child.pk, Purpose.COORDINATION)
    return {"child": child, "mother": mother, "consent": consent}


def test_the_export_contains_the_person_in_full(staff, family):
    data = export.export_person(staff, family["child"])
    person = data["person"]
    assert (person["given_name"], person["family_name"]) == ("Emma", "Berg")
    assert person["national_id"] == factories.identity_number(BIRTH)
    assert person["birth_date"] == "2015-06-15"
    assert data["data_controller"]["name"] == family["child"].organisation.name


def test_the_export_contains_relations_and_consents_with_text_and_givers(staff, family):
    data = export.export_person(staff, family["child"])
    [relation] = data["guardian_relations"]
    assert relation["role"] == "child_of"
    assert relation["other_person_name"] == "Ingrid Berg"
    assert relation["has_parental_responsibility"] is True
    [consent] = data["consents"]
    assert consent["id"] == family["consent"].pk
    assert consent["text"]["version"] == family["consent"].text.version
    wording = " ".join(block["text"] for block in consent["text"]["blocks"])
    assert "Emma Berg" in wording
    assert "{child}" not in wording
    assert [g["name"] for g in consent["givers"]] == ["Ingrid Berg"]
    assert consent["recipient_units"] == ["BUP Hamar"]
    assert consent["state"] == "valid"


def test_a_guardians_export_shows_the_consents_they_gave(staff, family):
    data = export.export_person(staff, family["mother"])
    assert [c["id"] for c in data["consents"]] == [family["consent"].pk]
    assert data["guardian_relations"][0]["role"] == "guardian_of"
    assert data["person"]["phone"] == "+4791234567"


def test_the_access_log_says_who_read_the_data_when_why_and_on_which_basis(
    staff, bup_staff, family
):
    data = export.export_person(staff, family["child"])
    reads = [e for e in data["access_log"] if e["username"] == bup_staff.username]
    assert len(reads) == 1
    [read] = reads
    assert read["who"] == "Bente Psykolog"
    assert read["action"] == "view"
    assert read["purpose"] == Purpose.COORDINATION
    assert read["legal_basis"] == "consent"
    assert read["unit"] == "BUP Hamar"
    assert datetime.datetime.fromisoformat(read["when"]).date() == timezone.localdate()


def test_accesses_hidden_from_the_family_are_left_out(staff, family):
    child = family["child"]
    # Child welfare of the child's own organisation, breaking the glass (another
    # organisation's access opens nothing: it asks for disclosure instead).
    investigator = factories.MembershipFactory(
        unit=factories.ServiceUnitFactory(
            organisation=child.organisation,
            name="Barneverntjenesten",
            kind=ServiceUnit.Kind.CHILD_WELFARE,
        )
    ).user
    hidden = make.exceptional_access(
        investigator,
        child,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        expires_at=timezone.now() + datetime.timedelta(hours=3),
        hidden_from_family=True,
    )
    policy.get_or_404(investigator, Person, child.pk, policy.Purpose.CASEWORK)
    data = export.export_person(staff, child)
    assert data["exceptional_accesses"] == []
    assert investigator.username not in {e["username"] for e in data["access_log"]}
    # Withheld from the export, not deleted.
    assert ExceptionalAccess.objects.filter(pk=hidden.pk).exists()


def test_the_export_itself_is_audited(staff, family):
    export.export_person(staff, family["child"])
    event = AuditEvent.objects.get(action="export")
    assert event.actor_id == staff.pk
    assert event.purpose == policy.Purpose.DATA_SUBJECT_REQUEST
    assert event.object_ids == [str(family["child"].pk)]
    assert {str(family["child"].pk), str(family["mother"].pk)} <= set(event.subject_ids)
    assert event.detail["records"]["consents"] == 1
    assert "Emma" not in json.dumps(event.detail)


def test_it_refuses_an_export_that_would_leave_records_out(staff, family):
    colleague = factories.MembershipFactory(
        unit=factories.ServiceUnitFactory(organisation=family["child"].organisation)
    ).user
    Assignment.objects.create(
        organisation=family["mother"].organisation,
        person=family["mother"],
        user=colleague,
        domain="health",
        reason="samtale med mor",
    )
    with pytest.raises(PermissionDenied, match="would be incomplete"):
        export.export_person(colleague, family["mother"])
    assert not AuditEvent.objects.filter(action="export").exists()


def test_staff_download_the_export_as_json(staff_client, family):
    child = family["child"]
    response = staff_client.get(reverse("person-export-json", args=[child.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(f'attachment; filename="innsyn-{child.pk}-')
    assert "Berg" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["person"]["given_name"] == "Emma"
    assert data["format"] == export.FORMAT


def test_staff_download_a_readable_pdf_with_the_name(staff_client, family):
    response = staff_client.get(reverse("person-export-pdf", args=[family["child"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    assert b"Emma Berg" in content
    assert factories.identity_number(BIRTH).encode() in content
    assert b"Bente Psykolog" in content


def test_a_pdf_with_a_name_in_another_script_uses_a_unicode_font(staff):
    person = make.person(staff, "Олена", "Коваленко")
    pdf = export.render_pdf(export.export_person(staff, person))
    assert pdf.startswith(b"%PDF")
    assert b"DejaVuSans" in pdf


def test_another_organisations_staff_get_404(client, family, bup_staff):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=bup_staff, name="app", confirmed=True)
    client.force_login(bup_staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    for name in ("person-export-json", "person-export-pdf"):
        assert client.get(reverse(name, args=[family["child"].pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_download_requires_login(client, family):
    response = client.get(reverse("person-export-json", args=[family["child"].pk]))
    assert response.status_code == 302


def test_the_command_writes_the_export_to_a_private_file(staff, family, tmp_path, capsys):
    output = tmp_path / "innsyn.json"
    call_command(
        "export-person",
        person_id=family["child"].pk,
        actor=staff.username,
        format="json",
        output=str(output),
    )
    data = json.loads(output.read_text())
    assert data["person"]["family_name"] == "Berg"
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert "recorded in the audit trail" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="export", actor_id=staff.pk).exists()


def test_the_command_writes_a_pdf(staff, family, tmp_path):
    output = tmp_path / "innsyn.pdf"
    call_command(
        "export-person",
        person_id=family["child"].pk,
        actor=staff.username,
        format="pdf",
        output=str(output),
    )
    assert b"Emma Berg" in output.read_bytes()


def test_the_command_refuses_an_actor_without_access(bup_staff, family, tmp_path):
    output = tmp_path / "innsyn.json"
    with pytest.raises(CommandError, match="not found among the persons"):
        call_command(
            "export-person",
            person_id=family["child"].pk,
            actor=bup_staff.username,
            format="json",
            output=str(output),
        )
    assert not output.exists()


# Completeness: every kind of record the access policy knows --------------------------------

# Where the export shows each kind of record the access policy registers (every one holds
# personal data). A model registered without a section in the export fails
# test_every_kind_of_record_the_policy_knows_is_in_the_export until it has one and is named
# here.
EXPORTED_AS = {
    "core.Person": "person",
    "core.GuardianRelation": "guardian_relations",
    "privacy.Consent": "consents",
    "privacy.ConsentGiver": "consents",
    "privacy.Assignment": "assignments",
    "privacy.ExceptionalAccess": "exceptional_accesses",
    "privacy.DisclosureRequest": "disclosure_requests",
    "cases.HelpRequest": "help_requests",
    "cases.Case": "cases",
    "cases.Decision": "decisions",
    "cases.Milestone": "milestones",
    "cases.Handover": "coordinator_handovers",
    "cases.Participant": "participants",
    "cases.Goal": "goals",
    "cases.Measure": "measures",
    "cases.MeasureEvaluation": "measure_evaluations",
    "cases.IndividualPlan": "individual_plans",
    "cases.PlanDecision": "plan_decisions",
    "cases.Meeting": "meetings",
    "cases.Invitation": "meeting_invitations",
    "cases.Deadline": "deadlines",
    "cases.LogEntry": "log_entries",
    "cases.ReporterFeedback": "reporter_feedback",
    "privacy.LegalHold": "legal_holds",
    "privacy.ConsentRequest": "consent_requests",
    "privacy.ConsentRequestAnswer": "consent_request_answers",
    "core.ParentInformationDecision": "parent_information_decisions",
    "referrals.Referral": "referrals",
    "referrals.ReferralEvent": "referral_events",
    "outcomes.Rater": "outcome_raters",
    "outcomes.ScaleScore": "outcome_scores",
    "groups.Booking": "appointments",
}
# Registered with the policy, but naming nobody: the product cannot tell whose export they
# belong in (an anonymous consultation; the unit answers a parent by hand, GDPR art. 11).
NOT_EXPORTED = {
    "privacy.AnonymousConsultation",
    # A course's enrolments name no registered person (the parent sees their own on Min
    # side), and its sessions name no one.
    "groups.Enrolment",
    "groups.CourseSession",
}


@pytest.fixture
def town():
    return builders.municipality()


@pytest.fixture
def child_with_every_record(town):
    """A child with a record of every kind: relations, consent, assignments, an exceptional
    access, and a case from a request for help with one row of every part, an internal
    measure and an internal log entry among them."""
    case = case_with_every_part(town)
    child = case.child
    # On the Familiehjelpa pathway, whose first phase has a milestone and a decision.
    familiehjelpa = PathwayVersion.objects.get(definition__key="familiehjelpa", number=1)
    Case.objects.filter(pk=case.pk).update(pathway_version=familiehjelpa, phase="request")
    Decision.objects.filter(case=case).update(
        phase="request", option="first_meeting", to_phase="first_meeting"
    )
    builders.coordination_consent(case, town.bup)
    disclosure.send_request(
        town.nurse,
        child,
        asking_unit_id=town.health_centre.pk,
        holder_unit_id=town.bup.pk,
        ground=DisclosureRequest.Ground.DANGER,
        question="Er Emma i behandling for selvskading? Vi vurderer akutt oppfølging i dag.",
    )
    make.exceptional_access(
        town.nurse_leader,
        child,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        expires_at=timezone.now() + datetime.timedelta(hours=3),
    )
    Measure.objects.filter(case=case).update(internal_reason="Ungdommens egen samtale")
    LogEntry.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        kind=LogEntry.Kind.NOTE,
        text="Samtale med Emma alene om søvn",
        internal_reason="Ungdommens egen samtale",
        author=town.nurse,
        created_at=timezone.now(),
    )
    ReporterFeedback.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        withheld=ReporterFeedback.Withheld.NO_CONSENT,
        created_at=timezone.now(),
        created_by=town.nurse,
    )
    # A consent waiting for the family on Min side, with the answer it waits for.
    asked = ConsentRequest.objects.create(
        organisation_id=case.organisation_id,
        subject=child,
        purpose=Purpose.COORDINATION,
        scope=" measures_and_plans ",
        text=privacy_make.consent_text(Purpose.COORDINATION),
        valid_to=timezone.now() + datetime.timedelta(days=30),
        prepared_by=town.nurse,
    )
    ConsentRequestAnswer.objects.create(
        request=asked,
        person=child.guardians_rel.first().guardian,
        role="guardian",
        capacity="parental_responsibility",
    )
    LegalHold.objects.create(
        organisation_id=case.organisation_id,
        person=child,
        reason="Klagesak hos Statsforvalteren",
        placed_by=town.nurse_leader,
        placed_at=timezone.now(),
    )
    ParentInformationDecision.objects.create(
        organisation_id=case.organisation_id,
        unit=case.unit,
        child=child,
        parent=child.guardians_rel.first().guardian,
        asked="Hvordan har Emma det på skolen?",
        outcome=ParentInformationDecision.Outcome.GIVEN,
        given="Emma trives og går jevnlig til helsesykepleier.",
        decided_by=town.nurse,
        decided_at=timezone.now(),
    )
    # A referral the health centre sent BUP, as the referrals part leaves it.
    from tests.referrals.builders import referral_sent_by

    referral_sent_by(town.nurse, case, town.bup)
    # The session scales: the mother's wellbeing at the first session.
    rater = scale_services.add_rater(town.nurse, case, "Mor", "parent")
    wellbeing = {"meg-selv": 5, "familie": 6, "hverdag": 7, "alt-i-alt": 6}
    scale_services.record_score(town.nurse, case, rater.pk, "wellbeing", 1, wellbeing)
    # A time the young person booked with the health centre's appointment book.
    booking = appointment_booking(town.health_centre, town.nurse, timezone.now())
    if not child.national_id_hash:
        # Found by the keyed hash of the identity number the young person logged in with.
        child.national_id_hash = crypto.lookup_hash("01010112345")
        Person.objects.filter(pk=child.pk).update(national_id_hash=child.national_id_hash)
    Booking.objects.filter(pk=booking.pk).update(
        identity_hash=child.national_id_hash, organisation_id=child.organisation_id
    )
    return child


def _about(model, rule, child):
    """The rows of `model` that name `child`, straight from the database."""
    if model is HelpRequest:
        return HelpRequest.objects.filter(case__child=child)
    if model is ConsentGiver:
        return ConsentGiver.objects.filter(consent__subject=child)
    if model is Booking:
        return Booking.objects.filter(
            identity_hash=child.national_id_hash, organisation_id=child.organisation_id
        )
    return model.objects.filter(**{rule.subject_field: child.pk})


def _exported_ids(data, key, model):
    if key == "person":
        return {data["person"]["id"]}
    if model is ConsentGiver:
        return {
            (consent["id"], giver["person_id"])
            for consent in data["consents"]
            for giver in consent["givers"]
        }
    return {row["id"] for row in data[key]}


def test_every_kind_of_record_the_policy_knows_is_in_the_export(town, child_with_every_record):
    child = child_with_every_record
    registered = policy.registered_models()
    assert {model._meta.label for model in registered} == set(EXPORTED_AS) | NOT_EXPORTED, (
        "A kind of record was registered with the access policy: give it a section in the "
        "right-of-access export (export.register_section) and name it in EXPORTED_AS."
    )
    data = export.export_person(town.nurse, child)
    text = flat(pdf_text(export.render_pdf(data)))
    for model, rule in registered.items():
        if model._meta.label in NOT_EXPORTED:
            continue
        key = EXPORTED_AS[model._meta.label]
        rows = _about(model, rule, child)
        assert rows.exists(), f"the test made no {model._meta.label} about the child"
        held = (
            set(rows.values_list("consent_id", "person_id"))
            if model is ConsentGiver
            else set(rows.values_list("pk", flat=True))
        )
        assert held <= _exported_ids(data, key, model), f"{model._meta.label} is left out"
    # The PDF: one section per kind, with the facts of each row in words.
    with translation.override("nb"):
        for section in export.sections():
            assert str(section.heading) in text
    case = Case.objects.get(child=child)
    request = HelpRequest.objects.get(case=case)
    for words in (
        str(child),
        request.requester_name,
        case.reference,
        "Trenger hjelp",  # the decision's reason
        "Lise Leder",  # offered the coordination
        "Sove hele natten",
        "Foreldreveiledning",
        "Faste rutiner",  # what worked
        "Vi ble enige om kveldsrutiner.",
        "Fastlege Fjell",
        "Evaluering",  # the deadline
        "Referat, rettet",
        "Samtale med Emma alene om søvn",
        "Bekymringsmelding til barnevernet må følges opp",
    ):
        assert words in text, words


def test_an_export_is_refused_while_a_kind_of_record_has_no_section(staff, family, monkeypatch):
    # Reminders hold no personal data today; say a release registered them with the policy.
    rule = policy.Rule("deadline__organisation_id", "deadline__case__child_id", None)
    monkeypatch.setitem(policy._registry, Reminder, rule)
    assert export.models_without_section() == ["cases.Reminder"]
    with pytest.raises(ImproperlyConfigured, match=r"no section for cases\.Reminder"):
        export.export_person(staff, family["child"])
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_pdf_speaks_norwegian_without_keys(town, child_with_every_record):
    data = export.export_person(town.nurse, child_with_every_record)
    text = flat(pdf_text(export.render_pdf(data)))
    # Phases, milestones and decisions by their names in the pathway, choices in words.
    for words in ("Henvendelse", "Første kontakt", "Avtale første møte", "Bekymring fra ansatte"):
        assert words in text, words
    assert "Omfatter Loggføringer, Tiltak og planer, Møtereferater" in text
    for key in (
        "first_contact",
        "first_meeting",
        "staff_concern",
        "measures_and_plans",
        "cases.",
        "_at",
        "None",
        "True",
    ):
        assert key not in text, key
    for heading in ("Henvendelser", "Saker", "Møter", "Mål", "Tiltak", "Stafettloggen"):
        assert heading in text, heading
    nynorsk = export.export_person(town.nurse, child_with_every_record, language="nn")
    text = flat(pdf_text(export.render_pdf(nynorsk)))
    for words in ("Førespurnader", "Kven som deltek i saka", "Førespurnad", "Første kontakt"):
        assert words in text, words
    assert "first_contact" not in text and "Who takes part" not in text


def test_internal_items_are_in_the_export_marked_for_the_staff_member(
    town, child_with_every_record
):
    data = export.export_person(town.nurse, child_with_every_record)
    [measure] = data["measures"]
    assert measure["internal"] is True
    assert measure["internal_reason"] == "Ungdommens egen samtale"
    internal_log = [e for e in data["log_entries"] if e["internal"]]
    assert [e["text"] for e in internal_log] == ["Samtale med Emma alene om søvn"]
    assert all(not e["internal"] for e in data["log_entries"] if e not in internal_log)
    text = flat(pdf_text(export.render_pdf(data)))
    assert text.count("INTERNT Merket internt: vises ikke til familien.") == 2
    assert "merket INTERNT (2)" in text
    assert "forvaltningsloven § 19" in text


def test_a_request_for_help_is_exported_only_with_the_case_made_from_it(
    town, child_with_every_record
):
    unrelated = HelpRequestFactory(unit=town.health_centre, requester_name="Per Annen")
    data = export.export_person(town.nurse, child_with_every_record)
    references = [r["reference"] for r in data["help_requests"]]
    assert references == [HelpRequest.objects.get(case__child=child_with_every_record).reference]
    assert unrelated.reference not in references


def test_a_request_in_another_units_inbox_makes_the_export_refused_with_whom_to_ask(
    town, child_with_every_record
):
    # The therapist works with the child but is not a member of the health centre, whose
    # inbox holds the request the case came from.
    case = Case.objects.get(child=child_with_every_record)
    participant_services.add_participant(town.nurse, case, unit=town.team, user=town.therapist)
    with pytest.raises(PermissionDenied, match="inbox of a unit you are not a member of"):
        export.export_person(town.therapist, child_with_every_record)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_audit_event_counts_the_records_of_every_kind(town, child_with_every_record):
    data = export.export_person(town.nurse, child_with_every_record)
    event = AuditEvent.objects.get(action="export")
    for section in export.sections():
        assert event.detail["records"][section.key] == len(data[section.key]) > 0


def test_the_export_asks_the_database_once_per_kind_not_once_per_row(
    town, child_with_every_record, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    child = child_with_every_record
    with CaptureQueriesContext(connection) as one_case:
        export.export_person(town.nurse, child)
    case_with_every_part(town, child=child)
    with django_assert_max_num_queries(len(one_case.captured_queries)):
        data = export.export_person(town.nurse, child)
    assert len(data["cases"]) == 2
