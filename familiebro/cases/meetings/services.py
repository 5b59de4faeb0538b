"""Meetings on a case: plan one, invite to it, move or cancel it, write the minutes during it,
turn its decisions into measures, and approve the minutes into the family's shared log.

The rules of case_services hold here too: reads go through the access policy, changes need
the owning organisation's need to know (policy CHANGE on the case), every change is audited,
and each action is one transaction. Invitations leave Familiebro by e-mail, so they carry the
case's reference and the meeting, never the child's name or details.

What the meeting page shows is read in meetings.pages; the calendar file an invitation
carries is written in meetings.calendar.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from familiebro.core.models import Membership, Person
from familiebro.privacy import audit, policy, protected

from .. import case_services, measure_services, permissions
from ..case_services import READ, EditConflict, _audit, _clean_text, _log
from ..deadlines import rules as deadline_rules
from ..measure_services import MeasureFields
from ..models import Case, Deadline, Invitation, LogEntry, Measure, Meeting, Participant
from .calendar import calendar_invitation, meeting_title

# BUP may take part in a child's family meetings without a referral at most twice; planning a
# third needs the planner to confirm that they know.
BUP_WITHOUT_REFERRAL_LIMIT = 2
SUMMARY_MILESTONE = "summary_meeting_held"
FAMILY_MEETING_MILESTONE = "family_meeting_held"
# The milestone that approving a meeting's minutes records, where the case's pathway has it:
# the summary meeting starts the clock for the discharge summary (Kvalitet i alle ledd), the
# family meeting stops the one that runs from the request for it.
HELD_MILESTONES: dict[str, str] = {
    Meeting.Kind.SUMMARY: SUMMARY_MILESTONE,
    Meeting.Kind.FAMILY_MEETING: FAMILY_MEETING_MILESTONE,
}
MAX_MINUTES = 50_000
MAX_PLACE = 200
MAX_AGENDA = 5000
MAX_CANCELLATION_REASON = 1000
MAX_MEETING_LENGTH = datetime.timedelta(hours=24)


class MinutesConflict(EditConflict):
    """Someone saved the minutes since this text was based on them: nothing was saved.
    `current` is the meeting as saved, `attempted["minutes"]` the text that was refused."""


class MeetingChanged(EditConflict):
    """Someone moved or cancelled the meeting since the form was opened: nothing was changed
    or sent. `current` is the meeting as it is now, `attempted` what the form asked for."""

    def __init__(self, current: Meeting, attempted: dict[str, Any]) -> None:
        super().__init__(current, attempted)
        self.args = (
            _(
                "Someone else moved this meeting while you had the form open, so nothing was "
                "changed or sent. Check the time and place it has now, and send the form again "
                "if it is still needed."
            ),
        )


# Reading -----------------------------------------------------------------------------------


def get_meeting(actor: Any, case: Case, meeting_id: Any) -> Meeting:
    """One meeting of `case` the actor may read, audited; 404 otherwise."""
    meeting = policy.get_or_404(actor, Meeting, meeting_id, READ)
    if meeting.case_id != case.pk:
        from django.http import Http404

        raise Http404(_("Not found, or you do not have access."))
    meeting.case = case
    return meeting


def may_read(user: Any, obj: Case | Meeting) -> bool:
    """Whether the access policy lets this staff member read the case or meeting now. What
    goes out by e-mail about a meeting goes only as far as the colleague may read it in
    Familiebro: a consent that leaves meeting minutes out, or one that is withdrawn, holds
    for the mail too."""
    return policy.visible(user, type(obj), READ, few_rows=True).filter(pk=obj.pk).exists()


def bup_meetings_without_referral(planner: Any, case: Case) -> int:
    """How many family meetings BUP takes part in without a referral for the case's child,
    among the meetings the planner may read: another service's meetings on the child (under
    its own duty of confidentiality) are neither counted nor hinted at."""
    return (
        policy.visible(planner, Meeting, READ, few_rows=True)
        .filter(
            case__child_id=case.child_id,
            kind=Meeting.Kind.FAMILY_MEETING,
            bup_without_referral=True,
        )
        .count()
    )


def short_gp_notice(invitation: Invitation) -> bool:
    """Whether a GP heard of the meeting's current date less than four weeks before it: from
    the invitation, or from the latest move."""
    sent = invitation.updated_at or invitation.sent_at
    return (
        invitation.is_gp
        and sent is not None
        and deadline_rules.gp_notice_is_short(invitation.meeting.starts_at, sent)
    )


# Planning ----------------------------------------------------------------------------------


def _family_names(case: Case) -> set[str]:
    ids = case_services._family_ids(case)
    names: set[str] = set()
    for given, family in Person.objects.filter(pk__in=ids).values_list("given_name", "family_name"):
        names.update(n for n in (*given.split(), *family.split()) if len(n) > 1)
    return names


def _names_in(text: str, names: set[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) for name in names)


def _outgoing_text(case: Case, value: str, field_name: str, *, required: bool, limit: int) -> str:
    """Text that goes out in the e-mail invitation: no identity number, no family names."""
    text = _clean_text(value, field_name, required=required, limit=limit)
    if _names_in(text, _family_names(case)):
        raise ValidationError(
            {
                field_name: [
                    _(
                        "Leave out the family's names: this text goes out in the e-mail "
                        "invitation, and the case reference says which case it is."
                    )
                ]
            }
        )
    return text


def _time_errors(starts_at: datetime.datetime, ends_at: datetime.datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The meeting must end after it starts.")]
    elif ends_at - starts_at > MAX_MEETING_LENGTH:
        # A meeting may go on past midnight, but not for days: a wrong end date is caught.
        errors["end_date"] = [_("A meeting lasts at most a day. Check the day it ends.")]
    if timezone.localdate(starts_at) < timezone.localdate():
        errors["date"] = [_("The meeting date cannot be in the past.")]
    return errors


@transaction.atomic
def plan_meeting(
    actor: Any,
    case: Case,
    *,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    agenda: str = "",
    bup_without_referral: bool = False,
    bup_limit_confirmed: bool = False,
    gp_to_be_invited: bool = False,
) -> Meeting:
    """Plan a meeting on the case. A family meeting that BUP attends without a referral for
    the third time (or more) for the child is planned only when the planner confirms it; a
    meeting the family's GP is to be invited to gets the four weeks' notice as a deadline."""
    case = case_services._require_change(actor, case)
    errors = _time_errors(starts_at, ends_at)
    if kind not in Meeting.Kind.values:
        errors["kind"] = [_("Choose the kind of meeting.")]
    texts = {"place": (place, True, MAX_PLACE), "agenda": (agenda, False, MAX_AGENDA)}
    cleaned: dict[str, str] = {}
    for name, (value, required, limit) in texts.items():
        try:
            cleaned[name] = _outgoing_text(case, value, name, required=required, limit=limit)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if bup_without_referral and kind != Meeting.Kind.FAMILY_MEETING:
        errors["bup_without_referral"] = [
            _(
                "BUP takes part without a referral only in family meetings. In other meetings "
                "BUP takes part after a referral: leave this unticked."
            )
        ]
    elif bup_without_referral and not bup_limit_confirmed:
        earlier = bup_meetings_without_referral(actor, case)
        if earlier >= BUP_WITHOUT_REFERRAL_LIMIT:
            errors["bup_limit_confirmed"] = [bup_limit_warning(earlier)]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    meeting = Meeting.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=cleaned["place"],
        agenda=cleaned["agenda"],
        bup_without_referral=bup_without_referral,
        gp_to_be_invited=gp_to_be_invited,
        created_by=actor,
        created_at=now,
    )
    if gp_to_be_invited and not deadline_rules.gp_notice_is_short(starts_at, now):
        deadline_rules.schedule_gp_notice(meeting)
    _audit(
        actor,
        audit.AuditEvent.Action.CREATE,
        meeting,
        case,
        kind=kind,
        bup_without_referral=bup_without_referral,
    )
    # The shared log tells the family of the meeting as it tells them of a move or a
    # cancellation: the time and place, which are written for the invitation anyway.
    _log_meeting(
        actor,
        meeting,
        _("Planned: %(kind)s on %(when)s, %(place)s.")
        % {
            "kind": meeting.get_kind_display().lower(),
            "when": _when(starts_at, ends_at),
            "place": meeting.place,
        },
        now,
    )
    return meeting


def bup_limit_warning(earlier: int) -> str:
    return _(
        "BUP has already taken part without a referral in %(n)d family meetings for this "
        "child, and may do so at most %(limit)d times. Send a referral to BUP, or tick the box "
        "to confirm that BUP takes part without one once more."
    ) % {"n": earlier, "limit": BUP_WITHOUT_REFERRAL_LIMIT}


# Invitations -------------------------------------------------------------------------------


def _when(starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
    starts = timezone.localtime(starts_at)
    ends = timezone.localtime(ends_at)
    if ends.date() != starts.date():
        # A meeting that goes on past midnight says the day it ends.
        return _("%(date)s, %(start)s – %(end_date)s, %(end)s") % {
            "date": formats.date_format(starts, "DATE_FORMAT"),
            "start": formats.time_format(starts, "H:i"),
            "end_date": formats.date_format(ends, "DATE_FORMAT"),
            "end": formats.time_format(ends, "H:i"),
        }
    return _("%(date)s, %(start)s–%(end)s") % {
        "date": formats.date_format(starts, "DATE_FORMAT"),
        "start": formats.time_format(starts, "H:i"),
        "end": formats.time_format(ends, "H:i"),
    }


def _mail_footer(link: str, calendar_note: str) -> list[str]:
    lines = []
    if link:
        lines.append(_("Log in to Familiebro to read more:") + f"\n{link}")
    lines.append(
        calendar_note
        + " "
        + _("This e-mail does not name the family: do not forward it with personal details added.")
    )
    return lines


def _where(meeting: Meeting, with_place: bool) -> str:
    if not with_place:
        return _("Where: the service tells you the place itself.")
    return _("Where: %(place)s") % {"place": meeting.place}


def _invitation_text(
    meeting: Meeting, case: Case, *, link: str, with_agenda: bool, with_place: bool = True
) -> tuple[str, str]:
    title = meeting_title(meeting, case)
    subject = _("Invitation: %(title)s") % {"title": title}
    lines = [
        _("You are invited to a meeting: %(title)s.") % {"title": title},
        _("When: %(when)s") % {"when": _when(meeting.starts_at, meeting.ends_at)},
        _where(meeting, with_place),
    ]
    if with_agenda and meeting.agenda:
        lines.append(_("Agenda:") + "\n" + meeting.agenda)
    lines += _mail_footer(link, _("The calendar invitation is attached."))
    return subject, "\n\n".join(lines)


def _moved_text(
    meeting: Meeting, case: Case, *, before: str, link: str, with_place: bool = True
) -> tuple[str, str]:
    title = meeting_title(meeting, case)
    subject = _("Moved: %(title)s") % {"title": title}
    lines = [
        _("The meeting you are invited to is moved: %(title)s.") % {"title": title},
        _("New time: %(when)s") % {"when": _when(meeting.starts_at, meeting.ends_at)},
        _where(meeting, with_place),
        _("Before the move: %(before)s") % {"before": before},
    ]
    note = _("The attached calendar invitation replaces the earlier one in your calendar.")
    return subject, "\n\n".join(lines + _mail_footer(link, note))


def _cancelled_text(
    meeting: Meeting, case: Case, *, link: str, with_place: bool = True
) -> tuple[str, str]:
    title = meeting_title(meeting, case)
    subject = _("Cancelled: %(title)s") % {"title": title}
    lines = [
        _("The meeting you were invited to is cancelled: %(title)s, %(when)s.")
        % {"title": title, "when": _when(meeting.starts_at, meeting.ends_at)},
        _("Why: %(reason)s") % {"reason": meeting.cancellation_reason},
    ]
    note = _("The attached calendar message takes the meeting out of your calendar.")
    return subject, "\n\n".join(lines + _mail_footer(link, note))


def _organiser(meeting: Meeting) -> tuple[str, str]:
    """The meeting's planner organises it in every message about it: calendars apply an
    update only from the organiser of the event they hold."""
    planner = meeting.created_by
    return planner.display_name(), planner.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _link(case: Case, meeting: Meeting, invitation: Invitation, site_url: str) -> str:
    # Only colleagues with an account can follow a link into Familiebro.
    if invitation.user_id is None or not site_url:
        return ""
    return site_url.rstrip("/") + reverse("cases:meeting", args=[case.pk, meeting.pk])


def _send(
    meeting: Meeting,
    case: Case,
    invitation: Invitation,
    text: Callable[[str, bool], tuple[str, str]],
    *,
    method: str,
    stamp: datetime.datetime,
    site_url: str,
    reads_meeting: bool,
) -> None:
    """Queue the e-mail with its calendar part for one invitation, in the site's language.
    `text` writes the subject and body, given the link to the meeting page and whether to
    name the place. An invitee who may not read the meeting (`reads_meeting`) gets neither
    its agenda nor a link to it; one the protected-address rule keeps from the place
    (privacy.protected.invitee_sees_place) gets neither in the e-mail nor in the calendar."""
    from ..tasks import send_email_with_calendar

    organiser_name, organiser_email = _organiser(meeting)
    with_place = protected.invitee_sees_place(
        case, has_staff_account=invitation.user_id is not None
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = text(
            _link(case, meeting, invitation, site_url) if reads_meeting else "", with_place
        )
        calendar = calendar_invitation(
            meeting,
            case,
            organiser_name=organiser_name,
            organiser_email=organiser_email,
            attendee_name=invitation.name,
            attendee_email=invitation.email,
            stamp=stamp,
            method=method,
            with_agenda=reads_meeting,
            with_place=with_place,
        )
    # Queued in the caller's transaction (the database task backend stores it there): what
    # is recorded as sent always has its e-mail queued.
    send_email_with_calendar.enqueue([invitation.email], subject, body, calendar, method)


def _works_on_case(case: Case, user: Any) -> bool:
    units = Membership.objects.filter(user=user).values("unit_id")
    return Participant.objects.filter(
        Q(user=user) | Q(user__isnull=True, unit_id__in=units), case=case, ended_at__isnull=True
    ).exists()


def _cancelled_error(what_to_do: str) -> ValidationError:
    return ValidationError(_("The meeting is cancelled.") + " " + what_to_do)


@transaction.atomic
def invite(
    actor: Any,
    meeting: Meeting,
    *,
    user: Any = None,
    name: str = "",
    email: str = "",
    is_gp: bool = False,
    site_url: str = "",
) -> Invitation:
    """Invite a colleague on the case, or someone by name and e-mail (such as the family's
    GP), and send them the calendar invitation. A GP invited less than four weeks before the
    meeting is invited all the same; `short_gp_notice` tells the inviter."""
    case = case_services._require_change(actor, meeting.case)
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("created_by")
        .get(pk=meeting.pk)
    )
    errors: dict[str, list[str]] = {}
    if meeting.is_cancelled:
        raise _cancelled_error(_("Plan a new meeting to invite to."))
    if meeting.ends_at < timezone.now():
        raise ValidationError(_("The meeting is over. Plan a new meeting to invite to."))
    if user is not None:
        if not _works_on_case(case, user):
            errors["user"] = [_("Invite someone who takes part in the case.")]
        elif not user.email:
            errors["user"] = [
                _(
                    "%(name)s has no e-mail address in Familiebro. Invite them by name and "
                    "e-mail instead."
                )
                % {"name": user.display_name()}
            ]
        name, email = user.display_name(), user.email
    else:
        name = " ".join(name.split())[:200]
        email = email.strip()
        if not name:
            errors["name"] = [_("Write the name of the person you invite.")]
        if not email:
            errors["email"] = [_("Write their e-mail address, for the invitation.")]
    if not errors and meeting.invitations.filter(email__iexact=email).exists():
        errors["user" if user is not None else "email"] = [
            _("%(name)s is already invited to this meeting.") % {"name": name}
        ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    invitation = Invitation.objects.create(
        meeting=meeting,
        organisation_id=case.organisation_id,
        user=user,
        name=name,
        email=email,
        is_gp=is_gp,
        sent_at=now,
    )
    if is_gp:
        Deadline.objects.filter(
            meeting=meeting,
            key=deadline_rules.GP_NOTICE_KEY,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        ).update(completed_at=now)
    # A colleague whose consent leaves meeting minutes out is invited all the same (the case
    # is theirs to work on), but the agenda is kept from them as the meeting page is.
    reads_meeting = user is None or may_read(user, meeting)
    _send(
        meeting,
        case,
        invitation,
        lambda link, place: _invitation_text(
            meeting, case, link=link, with_agenda=reads_meeting, with_place=place
        ),
        method="REQUEST",
        stamp=now,
        site_url=site_url,
        reads_meeting=reads_meeting,
    )
    _audit(actor, audit.AuditEvent.Action.CREATE, invitation, case, is_gp=is_gp)
    return invitation


# Moving and cancelling ---------------------------------------------------------------------


@dataclass
class MeetingChange:
    meeting: Meeting
    notified: int  # how many invited got the update
    gp_notice_short: bool  # the GP gets, or would get, less than four weeks' notice


def _check_changeable(meeting: Meeting, now: datetime.datetime) -> None:
    if meeting.is_cancelled:
        raise _cancelled_error(_("Plan a new meeting if the participants are to meet after all."))
    if meeting.is_over(now) or meeting.minutes_approved_at is not None:
        raise ValidationError(
            _(
                "The meeting is over, so it can no longer be moved or cancelled. Plan a new "
                "meeting if the participants are to meet again."
            )
        )


def meeting_for_change(actor: Any, case: Case, meeting_id: Any) -> Meeting:
    """A meeting of `case` that the actor may move or cancel now: 404 if they may not read it,
    PermissionDenied if they may not change the case, ValidationError (saying why) if it is
    over or cancelled."""
    meeting = get_meeting(actor, case, meeting_id)
    permissions.require_write(actor, case)
    _check_changeable(meeting, timezone.now())
    return meeting


def _lock(
    actor: Any, meeting: Meeting, based_on_sequence: int, attempted: dict[str, Any]
) -> Meeting:
    """The meeting, locked for the change, once it may still be changed and nobody moved it
    since the form was opened."""
    case = case_services._require_change(actor, meeting.case)
    current = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("created_by")
        .get(pk=meeting.pk)
    )
    current.case = case
    _check_changeable(current, timezone.now())
    if current.calendar_sequence != based_on_sequence:
        raise MeetingChanged(current, attempted)
    return current


def _tell_the_invited(
    actor: Any,
    meeting: Meeting,
    text: Callable[[str, bool], tuple[str, str]],
    *,
    method: str,
    now: datetime.datetime,
    site_url: str,
) -> list[Invitation]:
    """Send the update to everyone invited who may still hear of the meeting. A colleague
    whose service no longer reads the case (the family withdrew the consent) is told nothing
    more; one who reads the case but not the meeting gets the new time without its agenda, as
    with the invitation. Those reached are returned."""
    invitations = []
    for invitation in meeting.invitations.select_related("user"):
        user = invitation.user
        if user is not None and not may_read(user, meeting.case):
            continue
        reads_meeting = user is None or may_read(user, meeting)
        _send(
            meeting,
            meeting.case,
            invitation,
            text,
            method=method,
            stamp=now,
            site_url=site_url,
            reads_meeting=reads_meeting,
        )
        invitations.append(invitation)
    if invitations:
        meeting.invitations.filter(pk__in=[i.pk for i in invitations]).update(updated_at=now)
        audit.record(
            audit.AuditEvent.Action.CHANGE,
            actor=actor,
            objects=invitations,
            subject_ids=[meeting.case.child_id],
            organisation_id=meeting.case.organisation_id,
            purpose=case_services.WRITE,
            legal_basis=policy.Basis.OWN_ORGANISATION,
            detail={"sent": method, "sequence": meeting.calendar_sequence},
        )
    return invitations


def _log_meeting(actor: Any, meeting: Meeting, text: str, now: datetime.datetime) -> None:
    case = meeting.case
    entry = _log(case, actor, LogEntry.Kind.MEETING, text, meeting=meeting, at=now)
    _audit(actor, audit.AuditEvent.Action.CREATE, entry, case, kind=LogEntry.Kind.MEETING)


@transaction.atomic
def move_meeting(
    actor: Any,
    meeting: Meeting,
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    based_on_sequence: int,
    site_url: str = "",
) -> MeetingChange:
    """Give a planned meeting a new time or place. Everyone invited gets the update for their
    calendar (the same event, a higher SEQUENCE), the shared log says what changed, and the
    GP notice follows the new date. Refused for a meeting that is over or cancelled, and with
    MeetingChanged if someone moved it since `based_on_sequence`."""
    attempted = {"starts_at": starts_at, "ends_at": ends_at, "place": place}
    current = _lock(actor, meeting, based_on_sequence, attempted)
    case = current.case
    now = timezone.now()
    errors = _time_errors(starts_at, ends_at)
    if "date" not in errors and ends_at <= now:
        errors["starts_at"] = [_("That time has already passed. Choose a time later than now.")]
    try:
        place = _outgoing_text(case, place, "place", required=True, limit=MAX_PLACE)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if (starts_at, ends_at, place) == (current.starts_at, current.ends_at, current.place):
        raise ValidationError(
            _("The time and place are as before. Change one of them to move the meeting.")
        )
    before = _when(current.starts_at, current.ends_at)
    moved_from = [current.starts_at.isoformat(), current.ends_at.isoformat()]
    place_changed = place != current.place
    current.starts_at, current.ends_at, current.place = starts_at, ends_at, place
    current.calendar_sequence += 1
    current.save(update_fields=["starts_at", "ends_at", "place", "calendar_sequence"])
    invitations = _tell_the_invited(
        actor,
        current,
        lambda link, place: _moved_text(current, case, before=before, link=link, with_place=place),
        method="REQUEST",
        now=now,
        site_url=site_url,
    )
    gp_short = deadline_rules.on_meeting_moved(current, any(i.is_gp for i in invitations), now)
    _log_meeting(
        actor,
        current,
        _("The %(kind)s on %(before)s is moved to %(when)s, %(place)s.")
        % {
            "kind": current.get_kind_display().lower(),
            "before": before,
            "when": _when(starts_at, ends_at),
            "place": place,
        },
        now,
    )
    _audit(
        actor,
        audit.AuditEvent.Action.CHANGE,
        current,
        case,
        moved_from=moved_from,
        moved_to=[starts_at.isoformat(), ends_at.isoformat()],
        place_changed=place_changed,
        sequence=current.calendar_sequence,
    )
    return MeetingChange(current, len(invitations), gp_short)


@transaction.atomic
def cancel_meeting(
    actor: Any, meeting: Meeting, *, reason: str, based_on_sequence: int, site_url: str = ""
) -> MeetingChange:
    """Cancel a planned meeting. Everyone invited gets the cancellation for their calendar,
    the shared log says so with the reason, and the meeting's own deadlines (the GP notice)
    are cancelled. A cancelled meeting gets no minutes, decisions or invitations."""
    current = _lock(actor, meeting, based_on_sequence, {"reason": reason})
    case = current.case
    reason = _outgoing_text(case, reason, "reason", required=True, limit=MAX_CANCELLATION_REASON)
    now = timezone.now()
    current.cancelled_at, current.cancelled_by = now, actor
    current.cancellation_reason = reason
    current.calendar_sequence += 1
    current.save(
        update_fields=["cancelled_at", "cancelled_by", "cancellation_reason", "calendar_sequence"]
    )
    invitations = _tell_the_invited(
        actor,
        current,
        lambda link, place: _cancelled_text(current, case, link=link, with_place=place),
        method="CANCEL",
        now=now,
        site_url=site_url,
    )
    deadline_rules.cancel_for_meeting(current, now)
    _log_meeting(
        actor,
        current,
        _("The %(kind)s on %(when)s is cancelled. Why: %(reason)s")
        % {
            "kind": current.get_kind_display().lower(),
            "when": _when(current.starts_at, current.ends_at),
            "reason": reason,
        },
        now,
    )
    _audit(
        actor,
        audit.AuditEvent.Action.CHANGE,
        current,
        case,
        cancelled=True,
        sequence=current.calendar_sequence,
    )
    return MeetingChange(current, len(invitations), gp_notice_short=False)


# Meeting mode: minutes ---------------------------------------------------------------------


def _no_minutes_error() -> ValidationError:
    return _cancelled_error(_("It has no minutes: write what is to be kept in the case's log."))


def _approved_error() -> ValidationError:
    return ValidationError(
        _(
            "The minutes are approved and in the family's shared log, so they cannot be "
            "changed here. Correct the log entry instead."
        )
    )


@transaction.atomic
def save_minutes(actor: Any, meeting: Meeting, text: str, based_on_version: int) -> Meeting:
    """Save the minutes written on version `based_on_version`. If someone saved them since,
    raise MinutesConflict with both texts: no update is ever lost. Saving the same text
    again changes nothing."""
    case = case_services._require_change(actor, meeting.case)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    current.case = case
    if current.is_cancelled:
        raise _no_minutes_error()
    if current.minutes_approved_at is not None:
        raise _approved_error()
    if current.minutes_version != based_on_version:
        raise MinutesConflict(current, {"minutes": text})
    text = _clean_text(text, "minutes", required=False, limit=MAX_MINUTES)
    if text == current.minutes:
        return current
    current.minutes = text
    current.minutes_version += 1
    current.minutes_saved_at = timezone.now()
    current.save(update_fields=["minutes", "minutes_version", "minutes_saved_at"])
    _audit(
        actor,
        audit.AuditEvent.Action.CHANGE,
        current,
        case,
        changed_fields=["minutes"],
        version=current.minutes_version,
    )
    return current


@transaction.atomic
def approve_minutes(actor: Any, meeting: Meeting) -> LogEntry:
    """Approve the minutes and share them in the family's log as one entry. From now on they
    are locked: a correction goes through the log, which keeps the earlier text. Approving a
    summary or family meeting's minutes records that it was held (HELD_MILESTONES), where the
    pathway waits for it."""
    case = case_services._require_change(actor, meeting.case)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    current.case = case
    if current.is_cancelled:
        raise _no_minutes_error()
    if current.minutes_approved_at is not None:
        raise ValidationError(_("The minutes are already approved and in the shared log."))
    if not current.minutes.strip():
        raise ValidationError(_("Write the minutes before you approve them."))
    now = timezone.now()
    current.minutes_approved_at = now
    current.minutes_approved_by = actor
    current.save(update_fields=["minutes_approved_at", "minutes_approved_by"])
    heading = _("Minutes of the %(kind)s on %(date)s") % {
        "kind": current.get_kind_display().lower(),
        "date": formats.date_format(timezone.localtime(current.starts_at), "DATE_FORMAT"),
    }
    entry = _log(
        case, actor, LogEntry.Kind.MINUTES, f"{heading}\n\n{current.minutes}", meeting=current
    )
    _audit(actor, audit.AuditEvent.Action.CHANGE, current, case, approved=True)
    _audit(actor, audit.AuditEvent.Action.CREATE, entry, case, kind=LogEntry.Kind.MINUTES)
    held = HELD_MILESTONES.get(current.kind)
    if (
        held is not None
        and case.pathway_version.parsed.milestone(held) is not None
        and not case.milestones.filter(key=held).exists()
    ):
        case_services.record_milestone(actor, case, held, min(current.starts_at, now))
    return entry


@transaction.atomic
def measure_from_decision(actor: Any, meeting: Meeting, fields: MeasureFields) -> Measure:
    """A decision made in the meeting becomes a measure on the case, linked to the meeting."""
    case = case_services._require_change(actor, meeting.case)
    if Meeting.objects.select_for_update().get(pk=meeting.pk).is_cancelled:
        raise _cancelled_error(_("Add the measure on the case page instead."))
    return measure_services.add_measure(actor, case, fields, meeting=meeting)
