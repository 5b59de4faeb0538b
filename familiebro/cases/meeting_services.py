"""Meetings on a case: plan one, invite to it, write the minutes during it, turn its decisions
into measures, and approve the minutes into the family's shared log.

The rules of case_services hold here too: reads go through the access policy, changes need
the owning organisation's need to know (policy CHANGE on the case), every change is audited,
and each action is one transaction. Invitations leave Familiebro by e-mail, so they carry the
case's reference and the meeting, never the child's name or details.
"""

from __future__ import annotations

import datetime
import re
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
from familiebro.privacy import audit, policy

from . import case_services, deadlines
from .case_services import READ, EditConflict, MeasureFields, _audit, _clean_text, _log
from .models import Case, Deadline, Invitation, LogEntry, Measure, Meeting, Participant

# BUP may take part in a child's family meetings without a referral at most twice; planning a
# third needs the planner to confirm that they know.
BUP_WITHOUT_REFERRAL_LIMIT = 2
SUMMARY_MILESTONE = "summary_meeting_held"
MAX_MINUTES = 50_000
MAX_PLACE = 200
MAX_AGENDA = 5000
CALENDAR_PRODUCT = "-//Familiebro//Meetings//EN"


class MinutesConflict(EditConflict):
    """Someone saved the minutes since this text was based on them: nothing was saved.
    `current` is the meeting as saved, `attempted["minutes"]` the text that was refused."""


# Reading -----------------------------------------------------------------------------------


def get_meeting(actor: Any, case: Case, meeting_id: Any) -> Meeting:
    """One meeting of `case` the actor may read, audited; 404 otherwise."""
    meeting = policy.get_or_404(actor, Meeting, meeting_id, READ)
    if meeting.case_id != case.pk:
        from django.http import Http404

        raise Http404(_("Not found, or you do not have access."))
    meeting.case = case
    return meeting


@dataclass
class MeetingPage:
    meeting: Meeting
    can_change: bool
    under_consent: bool
    invitations: list[Invitation]
    measures: list[Measure]
    minutes_entry: LogEntry | None  # the minutes as the family's log has them now
    gp_notice_short: bool  # a GP invited now gets less than four weeks' notice

    @property
    def approved(self) -> bool:
        return self.meeting.minutes_approved_at is not None


def meeting_page(actor: Any, case: Case, meeting: Meeting) -> MeetingPage:
    """What the meeting page shows the actor, each part read (and audited) through the policy:
    a service under consent sees the measures only if its consent covers plans."""
    basis = policy.bases_for(actor, [case], READ)[0]
    can_change = (
        basis.kind == policy.Basis.OWN_ORGANISATION
        and case.is_open
        and case_services.may_change(actor, case)
    )
    invitations = policy.list_page(
        actor,
        policy.visible(actor, Invitation, READ, few_rows=True)
        .filter(meeting=meeting)
        .select_related("user"),
        READ,
    )
    measures = policy.list_page(
        actor,
        policy.visible(actor, Measure, READ, few_rows=True)
        .filter(meeting=meeting)
        .select_related("responsible_unit", "responsible_user"),
        READ,
    )
    for invitation in invitations:
        invitation.meeting = meeting
    entries = policy.list_page(
        actor,
        policy.visible(actor, LogEntry, READ, few_rows=True).filter(
            meeting=meeting, kind=LogEntry.Kind.MINUTES, current=True
        ),
        READ,
    )
    return MeetingPage(
        meeting=meeting,
        can_change=can_change,
        under_consent=basis.kind == policy.Basis.CONSENT,
        invitations=invitations,
        measures=measures,
        minutes_entry=entries[0] if entries else None,
        gp_notice_short=deadlines.gp_notice_is_short(meeting.starts_at, timezone.now()),
    )


def bup_meetings_without_referral(case: Case) -> int:
    """How many family meetings BUP takes part in without a referral for the case's child.

    A child is registered in one organisation and all its cases belong to it, so the count
    reveals nothing of another organisation's work."""
    return Meeting.objects.filter(
        case__child_id=case.child_id,
        kind=Meeting.Kind.FAMILY_MEETING,
        bup_without_referral=True,
    ).count()


def short_gp_notice(invitation: Invitation) -> bool:
    """Whether a GP's invitation went out less than four weeks before the meeting."""
    sent = invitation.sent_at
    return (
        invitation.is_gp
        and sent is not None
        and deadlines.gp_notice_is_short(invitation.meeting.starts_at, sent)
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
    errors: dict[str, list[str]] = {}
    if kind not in Meeting.Kind.values:
        errors["kind"] = [_("Choose the kind of meeting.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The meeting must end after it starts.")]
    if timezone.localdate(starts_at) < timezone.localdate():
        errors["date"] = [_("The meeting date cannot be in the past.")]
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
        earlier = bup_meetings_without_referral(case)
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
        created_by=actor,
        created_at=now,
    )
    if gp_to_be_invited and not deadlines.gp_notice_is_short(starts_at, now):
        deadlines.schedule_gp_notice(meeting)
    _audit(
        actor,
        audit.AuditEvent.Action.CREATE,
        meeting,
        case,
        kind=kind,
        bup_without_referral=bup_without_referral,
    )
    return meeting


def bup_limit_warning(earlier: int) -> str:
    return _(
        "BUP has already taken part without a referral in %(n)d family meetings for this "
        "child, and may do so at most %(limit)d times. Send a referral to BUP, or tick the box "
        "to confirm that BUP takes part without one once more."
    ) % {"n": earlier, "limit": BUP_WITHOUT_REFERRAL_LIMIT}


# Invitations -------------------------------------------------------------------------------


def _ical_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545, 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _ical_fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545, 3.1)."""
    parts, current, size = [], "", 0
    for char in line:
        length = len(char.encode())
        if size + length > 75:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += length
    parts.append(current)
    return "\r\n".join(parts)


def _ical_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _ical_name(value: str) -> str:
    # A parameter value in quotes may hold anything but quotes and control characters.
    return '"' + re.sub(r'["\x00-\x1f]', "", value) + '"'


def meeting_title(meeting: Meeting, case: Case) -> str:
    """What the invitation calls the meeting: its kind and the case's reference, nothing
    that identifies the child."""
    return _("%(kind)s, case %(reference)s") % {
        "kind": meeting.get_kind_display(),
        "reference": case.reference,
    }


def calendar_invitation(
    meeting: Meeting,
    case: Case,
    *,
    organiser_name: str,
    organiser_email: str,
    attendee_name: str,
    attendee_email: str,
    stamp: datetime.datetime,
) -> str:
    """An iCalendar request (RFC 5545/5546) for one attendee. The UID stays the same for every
    invitation to the meeting, so calendars keep one event."""
    host = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "familiebro"
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{CALENDAR_PRODUCT}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:familiebro-meeting-{meeting.pk}@{host}",
        f"DTSTAMP:{_ical_time(stamp)}",
        f"DTSTART:{_ical_time(meeting.starts_at)}",
        f"DTEND:{_ical_time(meeting.ends_at)}",
        "SEQUENCE:0",
        f"SUMMARY:{_ical_text(meeting_title(meeting, case))}",
        f"LOCATION:{_ical_text(meeting.place)}",
        f"DESCRIPTION:{_ical_text(meeting.agenda)}",
        f"ORGANIZER;CN={_ical_name(organiser_name)}:mailto:{organiser_email}",
        f"ATTENDEE;CN={_ical_name(attendee_name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
        f"RSVP=FALSE:mailto:{attendee_email}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_ical_fold(line) for line in lines) + "\r\n"


def _invitation_text(meeting: Meeting, case: Case, *, link: str) -> tuple[str, str]:
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)
    when = _("%(date)s, %(start)s–%(end)s") % {
        "date": formats.date_format(starts, "DATE_FORMAT"),
        "start": formats.time_format(starts, "H:i"),
        "end": formats.time_format(ends, "H:i"),
    }
    subject = _("Invitation: %(title)s") % {"title": meeting_title(meeting, case)}
    lines = [
        _("You are invited to a meeting: %(title)s.") % {"title": meeting_title(meeting, case)},
        _("When: %(when)s") % {"when": when},
        _("Where: %(place)s") % {"place": meeting.place},
    ]
    if meeting.agenda:
        lines.append(_("Agenda:") + "\n" + meeting.agenda)
    if link:
        lines.append(_("Log in to Familiebro to read more:") + f"\n{link}")
    lines.append(
        _(
            "The calendar invitation is attached. This e-mail does not name the family: "
            "do not forward it with personal details added."
        )
    )
    return subject, "\n\n".join(lines)


def _works_on_case(case: Case, user: Any) -> bool:
    units = Membership.objects.filter(user=user).values("unit_id")
    return Participant.objects.filter(
        Q(user=user) | Q(user__isnull=True, unit_id__in=units), case=case, ended_at__isnull=True
    ).exists()


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
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    errors: dict[str, list[str]] = {}
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
            key=deadlines.GP_NOTICE_KEY,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        ).update(completed_at=now)
    link = ""
    if user is not None and site_url:
        link = site_url.rstrip("/") + reverse("cases:meeting", args=[case.pk, meeting.pk])
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _invitation_text(meeting, case, link=link)
        calendar = calendar_invitation(
            meeting,
            case,
            organiser_name=actor.display_name(),
            organiser_email=actor.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
            attendee_name=name,
            attendee_email=email,
            stamp=now,
        )
    from .tasks import send_email_with_calendar

    # Queued in this transaction (the database task backend stores it here): an invitation
    # recorded as sent always has its e-mail queued.
    send_email_with_calendar.enqueue([email], subject, body, calendar)
    _audit(actor, audit.AuditEvent.Action.CREATE, invitation, case, is_gp=is_gp)
    return invitation


# Meeting mode: minutes ---------------------------------------------------------------------


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
    summary meeting's minutes records that the summary meeting was held, where the pathway
    waits for it."""
    case = case_services._require_change(actor, meeting.case)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    current.case = case
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
    if (
        current.kind == Meeting.Kind.SUMMARY
        and case.pathway_version.parsed.milestone(SUMMARY_MILESTONE) is not None
        and not case.milestones.filter(key=SUMMARY_MILESTONE).exists()
    ):
        case_services.record_milestone(actor, case, SUMMARY_MILESTONE, min(current.starts_at, now))
    return entry


@transaction.atomic
def measure_from_decision(actor: Any, meeting: Meeting, fields: MeasureFields) -> Measure:
    """A decision made in the meeting becomes a measure on the case, linked to the meeting."""
    case = case_services._require_change(actor, meeting.case)
    return case_services.add_measure(actor, case, fields, meeting=meeting)
