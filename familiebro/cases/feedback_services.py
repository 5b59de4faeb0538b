"""Feedback to the person who raised a concern, when the case closes.

Feedback is given only where it may be:

- on a consent in force from the family that shares information with the reporter's service
  (purpose information sharing or coordination, naming the reporter's unit or organisation).
  It says that the case is closed and whom to contact, and why it closed only when the
  consent also covers measures and plans; or
- for a case held by a child welfare unit, to a reporter who works in a public service, under
  barnevernsloven § 13-4: that child welfare has finished following up the concern and closed
  the case. Nothing more.

Otherwise the closing records that no feedback was given and why, and the staff member closing
the case is told. The reporter reads the feedback in Familiebro after logging in (the policy
opens it to them, audited); the e-mail and the notification they get say only that there is
news, with a link, and nothing about the family or the case.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from familiebro.core.models import ConfidentialityDomain, Membership, User
from familiebro.privacy import audit, policy
from familiebro.privacy.models import Consent, DataCategory, Purpose

from . import permissions
from .models import Case, Notification, ReporterFeedback
from .notifications import notify

# The consents that share what a closing says with the reporter's service.
FEEDBACK_PURPOSES = (Purpose.INFORMATION_SHARING, Purpose.COORDINATION)
READ = policy.Purpose.REPORTER_FEEDBACK


def feedback_link(feedback: ReporterFeedback) -> str:
    return reverse("cases:feedback", args=[feedback.pk])


def _consent_for_feedback(case: Case, reporter: Any) -> Consent | None:
    units = Membership.objects.filter(user_id=reporter.pk).values("unit_id")
    organisations = Membership.objects.filter(user_id=reporter.pk).values("unit__organisation_id")
    return (
        Consent.objects.valid_at()
        .filter(
            Q(recipient_units__in=units) | Q(recipient_organisations__in=organisations),
            subject_id=case.child_id,
            organisation_id=case.organisation_id,
            purpose__in=FEEDBACK_PURPOSES,
        )
        .order_by("pk")
        .first()
    )


def _reporter(case: Case) -> Any:
    """The staff member who raised the concern: the one whose e-mail the case names, when a
    single staff account has it (a teacher who reported to child welfare), else the staff
    member who recorded their own concern. None for someone without a login."""
    if case.raised_by_email:
        staff = list(
            User.objects.filter(
                email__iexact=case.raised_by_email, is_active=True, memberships__isnull=False
            ).distinct()[:2]
        )
        return staff[0] if len(staff) == 1 else None
    return case.raised_by_user


def _works_in_a_public_service(reporter: Any) -> bool:
    """Whether the reporter reports in a position with the duty to inform child welfare: a
    member of a unit of a public service (not a voluntary organisation)."""
    return (
        Membership.objects.filter(user_id=reporter.pk)
        .exclude(unit__domain=ConfidentialityDomain.VOLUNTARY)
        .exists()
    )


def _contact_line(case: Case) -> str:
    coordinator = case.coordinator.display_name() if case.coordinator else case.unit.name
    contact = _("If you have questions or see new concerns, contact %(who)s at %(unit)s") % {
        "who": coordinator,
        "unit": case.unit.name,
    }
    if case.unit.phone:
        contact += f", {case.unit.phone}"
    return contact + "."


def _about(case: Case) -> dict[str, str]:
    return {
        "child": f"{case.child.given_name} {case.child.family_name}".strip(),
        "date": formats.date_format(timezone.localtime(case.received_at), "j. F Y"),
        "unit": case.unit.name,
    }


def _consent_text(case: Case, consent: Consent) -> str:
    lines = [
        _(
            "The concern you raised about %(child)s, received %(date)s, has been followed up "
            "by %(unit)s, and the case is now closed."
        )
        % _about(case)
    ]
    if f" {DataCategory.MEASURES_AND_PLANS} " in consent.scope:
        lines.append(_("Reason: %(reason)s.") % {"reason": case.get_close_reason_display()})
    lines.append(_contact_line(case))
    return "\n\n".join(lines)


def _child_welfare_text(case: Case) -> str:
    return "\n\n".join(
        [
            _(
                "%(unit)s has finished following up the concern you raised about %(child)s, "
                "received %(date)s, and has closed the case."
            )
            % _about(case),
            _(
                "Child welfare gives you this feedback under the Child Welfare Act § 13-4. It "
                "may not tell you more about the family."
            ),
        ]
    )


def record_feedback(actor: Any, case: Case) -> ReporterFeedback | None:
    """At the closing of `case` by `actor`: give the reporter feedback where it may be given,
    or record why none was. None when nobody outside the work on the case raised it."""
    permissions.require_write(actor, case)
    reporter = _reporter(case)
    if reporter is None and not case.raised_by_email:
        return None
    if reporter is not None and reporter.pk in (actor.pk, case.coordinator_id):
        return None
    if reporter is not None and (
        policy.visible(reporter, Case, policy.Purpose.CASEWORK, few_rows=True)
        .filter(pk=case.pk)
        .exists()
    ):
        # They work on the case and read its closing there: a notification links to it.
        with translation.override(settings.LANGUAGE_CODE):
            text = _("The case %(reference)s that you raised with %(unit)s is now closed.")
            text %= {"reference": case.reference, "unit": case.unit.name}
        notify(reporter, text, case)
        return None
    now = timezone.now()
    feedback = ReporterFeedback(
        case=case, organisation_id=case.organisation_id, created_at=now, created_by=actor
    )
    with translation.override(settings.LANGUAGE_CODE):
        consent = _consent_for_feedback(case, reporter) if reporter is not None else None
        if reporter is None:
            feedback.withheld = ReporterFeedback.Withheld.NO_LOGIN
        elif consent is not None:
            feedback.ground = ReporterFeedback.Ground.CONSENT
            feedback.consent = consent
            feedback.text = _consent_text(case, consent)
        elif case.unit.domain == ConfidentialityDomain.CHILD_WELFARE and (
            _works_in_a_public_service(reporter)
        ):
            feedback.ground = ReporterFeedback.Ground.CHILD_WELFARE_ACT
            feedback.text = _child_welfare_text(case)
        else:
            feedback.withheld = ReporterFeedback.Withheld.NO_CONSENT
    if feedback.given:
        feedback.recipient = reporter
    feedback.save()
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[feedback],
        subject_ids=[case.child_id],
        organisation_id=case.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=policy.Basis.OWN_ORGANISATION,
        detail={
            "case": case.pk,
            "ground": feedback.ground,
            "withheld": feedback.withheld,
            "consent_id": feedback.consent_id,
        },
    )
    if feedback.given:
        _tell_there_is_news(reporter, feedback)
        Case.objects.filter(pk=case.pk).update(feedback_sent_at=now)
    return feedback


def _tell_there_is_news(reporter: Any, feedback: ReporterFeedback) -> None:
    """A notification and an e-mail that say only that there is news, with the link."""
    from .tasks import send_email

    link = feedback_link(feedback)
    with translation.override(settings.LANGUAGE_CODE):
        news = _("There is news about a concern you raised.")
        Notification.objects.create(
            user=reporter, text=news, link=link, created_at=feedback.created_at
        )
        if reporter.email:
            body = "\n\n".join(
                [
                    news,
                    _("Log in to Familiebro to read it:"),
                    f"{getattr(settings, 'SITE_URL', '')}{link}",
                    _(
                        "This e-mail says nothing more, to protect the people it concerns. "
                        "Do not answer it."
                    ),
                ]
            )
            send_email.enqueue([reporter.email], _("News in Familiebro"), body)


def withheld_notice(actor: Any, case: Case) -> str:
    """What the staff member closing `case` is told when its reporter got no feedback: why,
    and what would allow it. Empty when feedback was given or nobody is waiting for it."""
    rows = policy.visible(actor, ReporterFeedback, policy.Purpose.CASEWORK, few_rows=True)
    feedback = rows.filter(case_id=case.pk).select_related("case").last()
    if feedback is None or feedback.given:
        return ""
    policy.record_access(actor, policy.Action.VIEW, [feedback], policy.Purpose.CASEWORK)
    reporter = _reporter(feedback.case) if not feedback.case.raised_by_name else None
    name = feedback.case.raised_by_name or (reporter.display_name() if reporter else "")
    name = name or _("the person who raised the concern")
    if feedback.withheld == ReporterFeedback.Withheld.NO_LOGIN:
        return _(
            "No feedback was sent to %(name)s: they have no login to Familiebro, where "
            "feedback is read, and an e-mail must not tell about the family. If the family "
            "agrees, you may tell them yourself."
        ) % {"name": name}
    return _(
        "No feedback was sent to %(name)s, who raised the concern: the family has not "
        "consented to it. Feedback needs the family's consent to share information with "
        "%(name)s's service."
    ) % {"name": name}


def get_feedback(user: Any, pk: int) -> ReporterFeedback:
    """The feedback for the page of the person who raised the concern (or staff of the case),
    audited; 404 for anyone else, and where no feedback was given."""
    feedback = (
        policy.visible(user, ReporterFeedback, READ, few_rows=True)
        .filter(pk=pk, withheld="")
        .first()
    )
    if feedback is None:
        raise Http404(_("Not found, or you do not have access."))
    policy.record_access(user, policy.Action.VIEW, [feedback], READ)
    return feedback
