"""Every URL that accepts a POST refuses a staff member who reads the family's data only under
a consent, and writes nothing.

A consent opens reading, never changing. The test walks the URL resolver (as
test_object_urls does for reads), so a new pattern is covered as soon as it exists: each is
posted with PLAUSIBLE, form data that the pages' forms accept, by a reader under consent, and
then, as a control, by the case's coordinator. The reader's post must leave every table as it
was; the coordinator's must change something, which proves the data would have written. A
route that cannot be checked so is named, with the reason, in EXEMPT or NO_CONTROL.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from familiebro.catalogue.models import Offer
from familiebro.core.models import Membership, Person
from familiebro.privacy.models import DataCategory, Purpose
from tests.catalogue.factories import OfferFactory
from tests.groups.courses.builders import course_of
from tests.privacy import factories as make
from tests.privacy.factories_retention import consultation
from tests.privacy.test_object_urls import (
    PARAMETER,
    Side,
    break_glass,
    case_parts,
    disclosure_requests,
    help_request,
    scan,
    waiting_consent,
)
from tests.referrals.builders import referral_draft

pytestmark = pytest.mark.django_db

# Routes that write, but only what belongs to the caller, or nothing of a family's, so a
# staff member may post to them whoever they are.
EXEMPT: dict[str, str] = {
    "i18n/setlang/": "the caller's language cookie",
    "konto/": "the caller's own account settings",
    "konto/logg-inn/": "logging in",
    "konto/andre-faktor/": "logging in: the second factor",
    "konto/andre-faktor/oppsett/": "the caller's own second factor",
    "konto/gjenopprettingskoder/": "the caller's own recovery codes",
    "konto/logg-ut/": "ending the caller's session",
    "konto/logg-ut-overalt/": "ending the caller's sessions",
    "ta-kontakt/": "the public form: anyone asks for help",
    "tilbud/<uuid:offer_id>/ta-kontakt/": "the public form for one offer: anyone asks for help",
    "ansatt/personer/ny/": "registers a person in the caller's own organisation",
    "ansatt/personer/ny-familie/": "registers a family in the caller's own organisation",
    "ansatt/personer/finn/": "a search by identity number: reads, audited",
    "ansatt/saker/ny/": "opens a case in the caller's own unit, for a child they work with",
    "ansatt/henvendelser/ny/": "registers a request for help in the caller's own unit",
    "ansatt/drofting/ny/": "an anonymous consultation of the caller's own unit",
    "ansatt/unntakstilgang/apne/": "break-glass access: a read, recorded with its reason",
    "ansatt/tilbud/nytt/": "a new offer of the caller's own unit",
    "ansatt/tilbud/import/": "imports offers into the caller's own unit",
    "ansatt/krisenummer/nytt/": "adds a crisis number (instance administrators; no personal data)",
    "ansatt/krisenummer/<int:line_id>/": "changes a crisis number (instance administrators)",
    "ansatt/program/nytt/": "adds a programme to the register (instance administrators)",
    "ansatt/program/<slug:slug>/": "changes a programme in the register (instance administrators)",
    "ansatt/varsler/lest/": "marks the caller's own notifications read",
    "ansatt/kalender/abonnement/": "makes the caller's own calendar subscription address",
    "ansatt/kalender/abonnement/stopp/": "stops the caller's own calendar subscription address",
    "ansatt/forlop/valg/": "chooses a pathway for the caller's own unit (administrators)",
    "ansatt/forlop/<slug:key>/ny-versjon/": "publishes a pathway (instance administrators)",
    "ansatt/administrasjon/organisasjoner/ny/": (
        "creates an organisation (instance administrators; no personal data)"
    ),
    "ansatt/administrasjon/organisasjoner/<int:pk>/endre/": (
        "changes an organisation's details (instance administrators; no personal data)"
    ),
    "ansatt/administrasjon/organisasjoner/<int:pk>/administratorer/": (
        "appoints an organisation administrator (administrators; no personal data)"
    ),
    "ansatt/administrasjon/organisasjoner/<int:pk>/administratorer/<int:appointment_pk>/fjern/": (
        "removes an organisation administrator (administrators; no personal data)"
    ),
    "ansatt/administrasjon/organisasjoner/<int:pk>/enheter/ny/": (
        "creates a unit (the organisation's administrators; no personal data)"
    ),
    "ansatt/administrasjon/enheter/<int:pk>/": (
        "changes a unit's details (its administrators; no personal data)"
    ),
    "ansatt/administrasjon/enheter/import/": "imports units (administrators; no personal data)",
    **dict.fromkeys(
        [
            "ansatt/administrasjon/samtykketekster/felles/ny/",
            "ansatt/administrasjon/samtykketekster/<int:organisation_id>/ny/",
            "ansatt/administrasjon/samtykkeregler/<int:organisation_id>/",
            "ansatt/administrasjon/samtykkeregler/<int:organisation_id>/<int:rule_id>/fjern/",
            "ansatt/administrasjon/oppbevaring/felles/",
            "ansatt/administrasjon/oppbevaring/<int:organisation_id>/",
        ],
        "an organisation's consent texts, consent rules or retention (administrators; no "
        "family's data): who may is tested in tests/administration",
    ),
    "min-side/logg-inn/id-porten/": "starts a citizen login",
    "min-side/logg-inn/demo/": "a citizen demo login (demo instances only)",
    "min-side/logg-ut/": "ends a citizen session",
    "konto/invitasjon/<str:token>/": "accepting an invitation makes the invited person's account",
    "konto/invitasjon/<str:token>/organisasjon/": (
        "accepting an invitation with the organisation's login (tests/administration/"
        "test_invitation_sign_on.py)"
    ),
    "ansatt/administrasjon/ansatte/import/": (
        "invites staff from a CSV file (administrators; no family's data), tested in "
        "tests/administration/test_staff_import.py"
    ),
    "konto/organisasjon/logg-inn/": "starts a staff login with the organisation's provider",
    "konto/organisasjon/koble/": "links the caller's own account to a provider identity",
    "konto/organisasjon/<int:identity_id>/fjern/": "unlinks the caller's own provider identity",
    **dict.fromkeys(
        [
            "ansatt/henvisninger/enheter/<int:unit_id>/",
            "ansatt/henvisninger/enheter/<int:unit_id>/typer/ny/",
            "ansatt/henvisninger/enheter/<int:unit_id>/typer/<int:kind_id>/",
        ],
        "which referrals a unit takes and its capacity (its administrators and leaders; no "
        "family's data): who may is tested in tests/referrals/test_pages.py",
    ),
    **dict.fromkeys(
        [
            "ansatt/skjema/<slug:instrument>/ny-versjon/",
            "ansatt/skjema/<slug:instrument>/<int:version>/",
            "ansatt/skjema/<slug:instrument>/<int:version>/publiser/",
        ],
        "a questionnaire's versions (instance administrators; no personal data), tested in "
        "tests/outcomes/test_editor_pages.py",
    ),
    "ansatt/evalueringer/lenke/": (
        "a link to an anonymous evaluation for the caller's own unit: nothing is stored"
    ),
    "ansatt/timebok/ny/": "sets up an appointment book of the caller's own unit (no family's data)",
    "ansatt/administrasjon/innlogging/<int:organisation_id>/": (
        "an organisation's login settings (its administrators; no personal data), tested in "
        "tests/administration/test_sign_on.py"
    ),
    "ansatt/kurs/nytt/": "a new course of one of the caller's own unit's offers",
    "kurs/avmeld/<str:token>/": (
        "the holder of a single-use link cancels their own enrolment (tests/groups/courses)"
    ),
    "kurs/ta-plassen/<str:token>/": (
        "the holder of a single-use link takes the seat held for them (tests/groups/courses)"
    ),
}

# Routes that accept a POST, refuse the reader, but where the coordinator's post cannot
# serve as the control, and why.
NO_CONTROL: dict[str, str] = {
    "ansatt/saker/<int:pk>/frigi/": (
        "the release form's fields (kind, item) are named as other forms' are; who may release "
        "is tested in tests/portal/test_young_people.py"
    ),
    "ansatt/saker/<int:pk>/koordinator/<int:handover_id>/godta/": (
        "only the colleague offered the role accepts it (tests/cases/test_case_writers.py)"
    ),
    "ansatt/saker/<int:pk>/koordinator/<int:handover_id>/avsla/": (
        "only the colleague offered the role declines it (tests/cases/test_case_pages.py)"
    ),
}
# The staff pages of the administration area are for administrators, which the coordinator is
# not; who may do what there is tested in tests/administration/test_staff_delegation.py.
NO_CONTROL |= {
    route: "staff administration: the coordinator is no administrator"
    for route in (
        "ansatt/administrasjon/ansatte/inviter/",
        "ansatt/administrasjon/ansatte/<int:user_id>/roller/",
        "ansatt/administrasjon/ansatte/<int:user_id>/roller/<int:membership_id>/fjern/",
        "ansatt/administrasjon/ansatte/<int:user_id>/flytt/",
        "ansatt/administrasjon/ansatte/<int:user_id>/deaktiver/",
        "ansatt/administrasjon/ansatte/<int:user_id>/aktiver/",
        "ansatt/administrasjon/invitasjoner/<int:invitation_id>/send-igjen/",
        "ansatt/administrasjon/invitasjoner/<int:invitation_id>/trekk-tilbake/",
    )
}
# The citizen's pages (Min side) need a citizen login, which staff do not have: both are sent
# to it, and the family's own posts are tested in tests/portal.
NO_CONTROL |= {
    route: "a citizen page: staff are sent to the citizen login"
    for route in (
        "min-side/",
        "min-side/innsyn/<int:person_id>/",
        "min-side/saker/<int:case_id>/",
        "min-side/saker/<int:case_id>/plan.pdf",
        "min-side/samtykker/<int:consent_id>/trekk-tilbake/",
        "min-side/timer/",
        "min-side/samtykker/svar/<int:consent_request_id>/",
        "min-side/mine-data/",
        "min-side/mine-data/<int:person_id>.json",
        "min-side/mine-data/<int:person_id>.pdf",
        "min-side/timer/timer.ics",
        "min-side/varsler/",
    )
}
# Appointment books: the family's coordinator is no provider, so no control; who may write
# is tested in tests/groups/appointments (test_pages.py, test_privacy.py).
NO_CONTROL |= {
    route: "an appointment book: who may write is tested in tests/groups/appointments"
    for route in (
        "ansatt/timebok/<int:book_id>/lag-timer/",
        "ansatt/timebok/<int:book_id>/ekstra-time/",
        "ansatt/timebok/<int:book_id>/timer/<int:slot_id>/bestill/",
        "ansatt/timebok/avtaler/<int:booking_id>/oppmote/",
        "ansatt/timebok/avtaler/<int:booking_id>/avlys/",
        "ansatt/timebok/avtaler/<int:booking_id>/oppfolging/",
        "timebestilling/<int:book_id>/<int:slot_id>/",
        "timebestilling/avbestill/<str:token>/",
        "min-side/timer/<int:booking_id>/avbestill/",
    )
}
# A course's enrolment, leaders and attendance: who may is tested in
# tests/groups/courses/test_pages.py; here only that the reader changes none of them.
NO_CONTROL |= {
    route: "a course's page: its rules are tested in tests/groups/courses/test_pages.py"
    for route in (
        "ansatt/kurs/<uuid:course_id>/ledere/",
        "ansatt/kurs/<uuid:course_id>/pamelding/",
        "ansatt/kurs/<uuid:course_id>/samlinger/<int:session_id>/oppmote/",
    )
}
NO_CONTROL |= {
    route: "a citizen page: staff are sent to the citizen login"
    for route in ("kurs/<uuid:course_id>/", "min-side/kurs/<uuid:enrolment_id>/avmeld/")
}
NO_CONTROL["kurs/<uuid:course_id>/bekreft/"] = (
    "a visitor's code, kept in their own session: tested in "
    "tests/groups/courses/test_verification.py"
)
# Offers hold no family's data; who may edit them is tested in tests/catalogue. Here only that
# a reader of another organisation changes none of them.
NO_CONTROL |= {
    route: "an offer: its editor's rules are tested in tests/catalogue/test_editor_pages.py"
    for route in (
        "ansatt/tilbud/<uuid:offer_id>/",
        "ansatt/tilbud/<uuid:offer_id>/publiser/",
        "ansatt/tilbud/<uuid:offer_id>/bekreft/",
        "ansatt/tilbud/<uuid:offer_id>/trekk-tilbake/",
        "ansatt/tilbud/<uuid:offer_id>/oversettelser/<str:language>/",
        "ansatt/tilbud/<uuid:offer_id>/oversettelser/<str:language>/fjern/",
    )
}
NO_CONTROL |= {
    "ansatt/saker/<int:pk>/skalaer/fyll-ut/": (
        "filling a scale names the rater in its address; the coordinator's filling is tested "
        "in tests/outcomes/test_scales.py"
    ),
    "ansatt/saker/<int:pk>/skalaer/lenke/": (
        "a link is shown, not stored: nothing is written until the family uses it "
        "(tests/outcomes/test_links.py)"
    ),
    "evaluering/<str:token>/": (
        "an anonymous evaluation's single-use link: a made-up token writes nothing for anyone "
        "(tests/outcomes/test_anonymous.py)"
    ),
    "ansatt/evalueringer/holdt-tilbake/": (
        "only a unit's leader releases a held anonymous comment; who may is tested in "
        "tests/outcomes/test_held_comments.py"
    ),
    "skjema/<str:token>/": (
        "the family's single-use link: a made-up token writes nothing for anyone "
        "(tests/outcomes/test_links.py)"
    ),
    "ansatt/personer/<int:person_id>/opplysninger-til-forelder/": (
        "a decision under barneloven § 47 names the parent who asked; who may record it is "
        "tested in tests/privacy/test_protected_address_rule.py"
    ),
    "ansatt/personer/<int:person_id>/adressesperre/": (
        "recording a protection only hides more, and lowering it is for a leader: both tested "
        "in tests/privacy/test_protected_address_rule.py"
    ),
    "ansatt/tilgangsvarsler/<int:access_id>/skjul/": (
        "hiding a break-glass access is a leader's decision for the controller "
        "(tests/privacy/test_exceptional_access.py)"
    ),
    "ansatt/tilgangsvarsler/<int:access_id>/vis/": (
        "showing a hidden access again is a leader's decision for the controller "
        "(tests/privacy/test_exceptional_access.py)"
    ),
    "ansatt/tilgangskontroll/": (
        "the review of the access log is a leader's, about their own units "
        "(tests/privacy/test_access_review.py)"
    ),
    "ansatt/saker/<int:pk>/rettigheter/": (
        "a decision on a right to a plan or a coordinator; that a service taking part under "
        "consent reads it and cannot record one is tested in tests/cases/test_plan_decisions.py"
    ),
    "ansatt/tilbud/sokeord/": (
        "the finder's thesaurus holds no personal data; its editors are tested in "
        "tests/catalogue/test_finder_language.py"
    ),
    "ansatt/personer/<int:person_id>/foresatte/<int:relation_id>/fjern/": (
        "unlinking the family's only guardian would take the consent's giver away from the "
        "routes walked after it; who may unlink is tested in "
        "tests/core/test_family_registration.py"
    ),
    "ansatt/personer/<int:person_id>/samtykker/ny/": (
        "recording a consent needs the signed form and who gave it "
        "(tests/privacy/test_consent_pages.py)"
    ),
    "ansatt/personer/<int:person_id>/samtykker/be-familien/": (
        "asking the family needs guardians who can log in on Min side; who may ask, and "
        "that nothing is written on a refusal, is tested in tests/portal/test_give_consent.py"
    ),
    "ansatt/saker/<int:pk>/samtykker/ny/": (
        "recording a consent from the case needs the signed form and who gave it "
        "(tests/cases/test_case_sections.py)"
    ),
    "ansatt/saker/<int:pk>/milepel/": (
        "the case is on BTI, which has no milestones; tests/cases/test_case_writers.py "
        "records one on another pathway"
    ),
    "ansatt/saker/<int:pk>/koordinator/": (
        "the family's case already has a handover waiting for an answer, which a second "
        "offer must not replace"
    ),
    "ansatt/saker/<int:pk>/plan/avslutt/": (
        "the case has no individual plan to end (tests/cases/test_individual_plans.py)"
    ),
    "ansatt/utleveringer/mottatt/<int:pk>/": (
        "only the leader of the unit asked answers a disclosure request "
        "(tests/privacy/test_disclosure.py)"
    ),
    "ansatt/henvisninger/<int:referral_id>/status/": (
        "the family's referral is a draft, which changes status only by being sent; each side's "
        "changes are tested in tests/referrals/test_status.py"
    ),
    "ansatt/henvisninger/<int:referral_id>/ny-versjon/": (
        "only a returned referral is revised (tests/referrals/test_status.py)"
    ),
    "ansatt/tilgangsvarsler/<int:access_id>/gjennomgatt/": (
        "only a leader of the opener's unit reviews a break-glass access "
        "(tests/privacy/test_exceptional_access.py)"
    ),
}

# Pages that accept any method but only read: posting to them writes nothing for anyone.
READ_ONLY: dict[str, str] = {
    "": "the front page",
    "healthz": "the health check",
    "api/": "the API's root",
    "api/openapi.json": "the API's description",
    "api/docs": "the API's documentation",
    "ansatt/": "the staff start page",
    "ansatt/unntakstilgang/": "looks a person up before exceptional access is opened",
    "ansatt/personer/<int:person_id>/samtykker/skjema.pdf": "prints a consent form to sign",
}

# Tables a refused post may still change: the audit trail (its events and the head of its
# hash chain) records the reads that came before
# the refusal (the case read to check it), and the session carries the refusal's message.
MAY_CHANGE = {"privacy.AuditEvent", "privacy.AuditChainHead", "sessions.Session"}

TODAY = datetime.date.today()


def day(days: int) -> str:
    return (TODAY + datetime.timedelta(days=days)).isoformat()


def routes() -> Iterator[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    yield from walk(get_resolver().url_patterns, "")


class Family:
    """The owning unit's coordinator, their family's case, and a reader in another
    organisation to whom the family's consent for coordination opens every category."""

    def __init__(self, tmp_path: Any) -> None:
        make.ensure_consent_texts()
        unit = make.unit()
        self.owner = make.member(unit, Membership.Role.COORDINATOR)
        self.owner_colleague = make.member(unit)
        child, guardian, self.relation = make.child_with_guardian(unit.organisation)
        reader_unit = make.unit()
        self.reader = make.member(reader_unit)
        assignment = make.assign(child, user=self.owner)
        make.assign(guardian, user=self.owner)
        # The reader works on the child, which is what lets the consent open it to them.
        make.assign(child, user=self.reader, domain=reader_unit.domain)
        self.consent = make.consent(
            child,
            purpose=Purpose.COORDINATION,
            scope=DataCategory.values,
            recipient_units=[reader_unit],
            giver=guardian,
            attachment=scan(),
        )
        parts = case_parts(self.owner, unit, child)
        self.side = Side(
            child,
            assignment,
            self.consent,
            cast(Offer, OfferFactory(unit=unit)),
            # Child welfare advised a report, so the unit can record that it was made.
            consultation(
                unit, self.owner, datetime.date(2026, 1, 5), child_welfare_advised_report=True
            ),
            help_request(unit),
            parts,
        )
        self.side.sent_request, self.side.received_request = disclosure_requests(
            unit, self.owner, child
        )
        self.side.exceptional_access = break_glass(unit, child)
        self.holder_elsewhere = make.unit()
        # A kind of referral a service elsewhere takes, and the coordinator's draft to it.
        self.referral_kind, self.referral = referral_draft(
            self.owner, parts.case, self.holder_elsewhere
        )
        # The family's consent to referral there, which the coordinator sends it on (without
        # consent only the unit's leader sends it, on a legal ground).
        make.consent(
            child,
            purpose=Purpose.REFERRAL,
            scope=("log_entries",),
            recipient_units=[self.holder_elsewhere],
            giver=guardian,
        )
        self.unit = unit
        self.reader_unit = reader_unit
        self.child = child
        self.guardian = guardian

    def ids(self) -> dict[str, Any]:
        side = self.side
        return {
            "person_id": side.person.pk,
            "personer/pk": side.person.pk,
            "assignment_id": side.assignment.pk,
            "consent_id": side.consent.pk,
            "offer_id": side.offer.pk,
            "drofting/pk": side.consultation.pk,
            "henvendelser/pk": side.help_request.pk,
            "saker/pk": side.case.case.pk,
            "case_id": side.case.case.pk,
            "measure_id": side.case.measure.pk,
            "entry_id": side.case.entry.pk,
            "handover_id": side.case.handover.pk,
            "participant_id": side.case.participant.pk,
            "meeting_id": side.case.meeting.pk,
            "tilbakemeldinger/pk": side.case.feedback.pk,
            "sendt/pk": cast(Any, side.sent_request).pk,
            "mottatt/pk": cast(Any, side.received_request).pk,
            "access_id": cast(Any, side.exceptional_access).pk,
            "relation_id": self.relation.pk,
            "consent_request_id": waiting_consent(self.side).pk,
            "organisasjoner/pk": self.unit.organisation_id,
            "language": "en",
            "key": "bti",
            "number": "1",
            "line_id": "1",
            "slug": "pmto",
            "path": "none.jpg",
            "id": "1",
            "token": "not-a-token",  # a calendar subscription's token: the feed takes no POST
            "user_id": self.owner.pk,
            "membership_id": self.owner.memberships.get().pk,
            "invitation_id": "1",
            # The family's organisation: its consent texts and retention pages take no POST
            # from staff who do not administer it.
            "organisation_id": self.side.person.organisation_id,
            "referral_id": self.referral.pk,
            "instrument": "trivsel",
            "version": "1",
            # A course of the unit's offer, its session and a parent enrolled on it.
            "course_id": course_of(side.offer, self.owner).pk,
            "session_id": course_of(side.offer, self.owner).sessions.get().pk,
            "enrolment_id": course_of(side.offer, self.owner).enrolments.get().pk,
            **self.appointment_ids(),
        }

    def appointment_ids(self) -> dict[str, Any]:
        """A booking in an appointment book of the family's unit, the coordinator its
        provider: the reader under consent must write nothing to it either."""
        from tests.privacy.test_object_urls import appointment

        booking = appointment(self.side)
        return {
            "book_id": booking.slot.book_id,
            "slot_id": booking.slot_id,
            "booking_id": booking.pk,
        }

    def plausible(self) -> dict[str, Any]:
        """Form data the pages' forms accept, for every form at once (each form reads the
        fields of its own prefix and ignores the rest)."""
        case = self.side.case
        starts = timezone.localtime() + datetime.timedelta(days=14)
        return {
            # The case page's forms.
            "decision-option": "own_service",
            "decision-reason": "Foreldrene ønsker hjelp fra helsestasjonen.",
            "milestone-key": "first_contact",
            "milestone-occurred_on": day(0),
            "handover-to_user": case.participant.user_id,
            "handover-message": "Kan du ta over?",
            "participant-unit": self.unit.pk,
            "participant-user": self.owner_colleague.pk,
            "participant-role": "Helsesykepleier",
            "goal-text": "Åse trives i barnehagen.",
            "measure-title": "Foreldreveiledning",
            "measure-description": "Samtaler hver uke.",
            "measure-responsible_unit": self.unit.pk,
            "measure-responsible_user": self.owner.pk,
            "measure-start_date": day(0),
            "measure-evaluation_date": day(40),
            "measure-version": case.measure.version,
            "evaluation-what_worked": "Samtalene hjalp.",
            "evaluation-decision": "continue",
            "evaluation-next_evaluation_date": day(60),
            "log-kind": "note",
            "log-text": "Mor ringte.",
            "correction-text": "Mor ringte tirsdag.",
            "plan-members": [p.pk for p in case.case.participants.all()],
            "plan-consent": self.side.consent.pk,
            # The meeting pages' forms (moving and cancelling have no prefix).
            "date": starts.date().isoformat(),
            "start_time": "10:00",
            "end_time": "11:00",
            "place": "Møterom 2",
            "sequence": case.meeting.calendar_sequence,
            "reason": "Foreldrene er syke.",
            "close-reason": "withdrawn",
            "close-note": "Familien trakk henvendelsen.",
            "invite-user": "",
            "invite-name": "Kari Fastlege",
            "invite-email": "fastlege@example.no",
            "minutes-text": "Referat: alle møtte.",
            "minutes-version": case.meeting.minutes_version,
            "kind": "family_meeting",
            "agenda": "Hvordan går det?",
            # The person, consent and request pages.
            "given_name": "Åse",
            "family_name": "Berg",
            "birth_date": "2019-03-04",
            "confirm": "1",
            "channel": "phone",
            "phone": "+4791234567",
            "email": "ny@example.no",
            "grunn": "work_finished",
            # Linking a guardian, and registering the family of a request for help.
            "relation": "step",
            "parental_responsibility": "nei",
            "same_address": "ja",
            "known_from": "family",
            "barn-organisation": self.unit.organisation_id,
            "barn-kind": "child",
            "barn-given_name": "Ola",
            "barn-family_name": "Berg",
            "barn-birth_date": "2018-05-06",
            "withdrawn_by": self.guardian.pk,
            # The consultation page: the day the report child welfare advised was made.
            "made_on": day(0),
            # Asking another service for information.
            "asking_unit": self.unit.pk,
            "holder_unit": self.holder_elsewhere.pk,
            "ground": "danger",
            "question": "Trenger opplysninger for å avverge fare for barnets helse i dag.",
            # Referring the child to another service.
            "to_kind": self.referral_kind.pk,
            "referral_type": "referral",
            "legal_basis": "Pasient- og brukerrettighetsloven § 4-1",
            # Someone who fills the session scales.
            "rater-label": "Lærer",
            "rater-kind": "collateral",
        }


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table but those a refusal may touch."""
    prints = {}
    for model in apps.get_models():
        if model._meta.label in MAY_CHANGE or model._meta.proxy:
            continue
        rows = model._default_manager.order_by("pk").values_list()
        prints[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return prints


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def fill(route: str, ids: dict[str, Any]) -> str:
    parts, last = [], 0
    for match in PARAMETER.finditer(route):
        name = match.group("name")
        key = name
        if name == "pk":
            key = route[: match.start()].rstrip("/").rsplit("/", 1)[-1] + "/pk"
        if key not in ids:
            pytest.fail(
                f"/{route} has the parameter {name!r}, which this test cannot fill. Add "
                f"{key!r} to Family.ids in {__name__} so the route is checked."
            )
        parts += [route[last : match.start()], str(ids[key])]
        last = match.end()
    return "/" + "".join(parts) + route[last:]


WALKED = [route for route in routes() if route not in EXEMPT]


def test_the_walk_covers_the_case_writes():
    assert {
        "ansatt/saker/<int:pk>/mal/",
        "ansatt/saker/<int:pk>/logg/",
        "ansatt/saker/<int:pk>/milepel/",
        "ansatt/saker/<int:pk>/tiltak/",
    } <= set(WALKED)
    # Every exemption names a route that exists.
    assert set(EXEMPT) <= set(routes())
    assert set(NO_CONTROL) <= set(WALKED)


def check(route: str, family: Family, reader: Client, owner: Client) -> list[str]:
    """What is wrong with one route: the reader's post wrote, failed, or was not refused;
    or the coordinator's post, the control, wrote nothing."""
    url = fill(route, family.ids())
    data = family.plausible()
    before = fingerprint()
    response = reader.post(url, data)
    if response.status_code >= 500:
        return [f"{route}: the reader's post failed ({response.status_code})"]
    wrote = changed(before, fingerprint())
    if wrote:
        return [f"{route}: the reader's post wrote {wrote}"]
    if route in NO_CONTROL or route in READ_ONLY:
        return []
    before = fingerprint()
    response = owner.post(url, data)
    if response.status_code == 405:
        return []  # the route takes no POST: nothing to write
    if not changed(before, fingerprint()):
        return [
            f"{route}: the coordinator's post ({response.status_code}) wrote nothing either, "
            "so the reader's refusal proves nothing. Add the form's fields to "
            "Family.plausible, or name the route in READ_ONLY or NO_CONTROL with the reason."
        ]
    return []


def test_a_reader_under_consent_writes_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    family = Family(tmp_path)
    reader = make.logged_in(family.reader)
    owner = make.logged_in(family.owner)
    # The reader does read the case: the consent is in force.
    assert reader.get(fill("ansatt/saker/<int:pk>/", family.ids())).status_code == 200
    problems = []
    for route in WALKED:
        # Each route starts from the same family: what the control wrote is undone.
        with transaction.atomic():
            problems += check(route, family, reader, owner)
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)


def test_the_fingerprint_sees_an_update():
    """The control of the control: a changed row changes the digest."""
    child = make.child_with_guardian(make.organisation())[0]
    before = fingerprint()
    Person.objects.filter(pk=child.pk).update(given_name="Annen")
    assert changed(before, fingerprint()) == ["core.Person"]
