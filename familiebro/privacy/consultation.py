"""Anonymous consultation (anonym drøfting): discussing a family's situation without identity.

A unit brings a concern to an interdisciplinary forum before anyone knows who the family is.
The record keeps what the forum needs to learn from later (date, services present, the
child's age band, topics, advice, follow-up) and nothing that identifies anyone. The model
has no field that can point to a person, and no function here accepts one, so a consultation
can never be linked to a real case. Free text is checked before anything is saved: text that
looks like an identity number, a full name, an e-mail address or a phone number is refused
with a message that names the field and says what to write instead.

For the unit that brought the case the record is still personal data: its members know who
the family is, so to them it is pseudonymous (GDPR recital 26, art. 4(5)). It is read through
the access policy (registered with the unit that brought it as the holder), only by that unit's
members, every read audited; it is deleted a short time after the consultation (retention
category "anonymous_consultation"). The other services present in the forum see nothing of it
in the product: what they need, they heard in the forum.

When child welfare advised in the forum that the duty to report applies (barnevernsloven
§ 13-2), the unit's members are prompted to make the report, with the child's identity, until
one of them records the day it was made. The report itself is not made here, and the record
never learns whom it was about.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from familiebro.core.models import ServiceUnit

from . import audit, names, policy
from .models import AgeBand, AnonymousConsultation

# Why an anonymous consultation is recorded and read: the purpose its reads are audited with.
PURPOSE = "anonymous_consultation"

FREE_TEXT_FIELDS = ("topics", "advice", "follow_up")


def _field(name: str) -> models.Field:
    field = AnonymousConsultation._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


class Kind:
    IDENTITY_NUMBER = "identity_number"
    FULL_NAME = "full_name"
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str
    start: int
    end: int


# Eleven digits in a row (a fødselsnummer, D-number or bank account number).
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
# A birth date written DDMMYY, DD.MM.YY, DD MM YY or DD-MM-YY, then the five personal
# digits, also split as "101 10". The same separator must join the date's three parts.
_DATE_AND_FIVE = re.compile(
    r"(?<!\d)(?P<day>\d{2})(?P<sep>[ .\-/]?)(?P<month>\d{2})(?P=sep)(?P<year>\d{2})"
    r"[ .\-]?\d{3} ?\d{2}(?!\d)"
)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# A word that starts with a capital letter (Unicode-aware: Ø, Å, Ł, É …), optionally
# hyphenated (Anne-Lise) and possibly a single initial.
_WORD = re.compile(r"[^\W\d_][^\W\d_'’\-]*(?:-[^\W\d_]+)*")
# Particles that may stand in lower case inside a name: Fatima al Hassan, Ingrid van Dijk.
_NAME_PARTICLES = frozenset(
    {"al", "el", "bin", "ibn", "ben", "van", "von", "der", "den", "de", "da", "di", "la"}
)


def _plausible_birth_date(day: str, month: str) -> bool:
    d, m = int(day), int(month)
    # D-numbers add 40 to the day; H-numbers 40 and synthetic test numbers 80 to the month.
    day_ok = 1 <= d <= 31 or 41 <= d <= 71
    month_ok = 1 <= m <= 12 or 41 <= m <= 52 or 81 <= m <= 92
    return day_ok and month_ok


def _identity_numbers(text: str) -> list[Finding]:
    found = [
        Finding(Kind.IDENTITY_NUMBER, m.group(), m.start(), m.end())
        for m in _ELEVEN_DIGITS.finditer(text)
    ]
    for m in _DATE_AND_FIVE.finditer(text):
        if _plausible_birth_date(m.group("day"), m.group("month")) and not any(
            f.start <= m.start() < f.end for f in found
        ):
            found.append(Finding(Kind.IDENTITY_NUMBER, m.group(), m.start(), m.end()))
    return found


def _full_names(text: str) -> list[Finding]:
    """Runs of two or more capitalised words, joined only by spaces, with a first name."""
    found: list[Finding] = []
    run: list[re.Match[str]] = []

    def close_run() -> None:
        # A trailing particle is not part of a name ("Kari Berg de …").
        while run and not run[-1].group()[0].isupper():
            run.pop()
        capitalised = [m for m in run if m.group()[0].isupper()]
        if len(capitalised) >= 2 and any(names.is_first_name(m.group()) for m in capitalised):
            phrase = text[run[0].start() : run[-1].end()]
            found.append(Finding(Kind.FULL_NAME, phrase, run[0].start(), run[-1].end()))
        run.clear()

    previous_end = None
    for m in _WORD.finditer(text):
        word = m.group()
        joined = previous_end is not None and text[previous_end : m.start()].isspace()
        if not joined:
            close_run()
        if word[0].isupper() or (run and word in _NAME_PARTICLES):
            run.append(m)
        else:
            close_run()
        previous_end = m.end()
    close_run()
    return found


_NOT_PERSONS = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(names.NOT_PERSONS)) + r")(?!\w)",
    re.IGNORECASE,
)


def _not_persons(text: str) -> list[Finding]:
    """Programme names that contain a first name (Marte Meo): never reported, only masked."""
    return [Finding("", m.group(), m.start(), m.end()) for m in _NOT_PERSONS.finditer(text)]


def _emails(text: str) -> list[Finding]:
    return [Finding(Kind.EMAIL, m.group(), m.start(), m.end()) for m in _EMAIL.finditer(text)]


def _phone_numbers(text: str) -> list[Finding]:
    return [
        Finding(Kind.PHONE, m.raw_string, m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, "NO", leniency=phonenumbers.Leniency.VALID)
    ]


def _mask(text: str, findings: Iterable[Finding]) -> str:
    """Blank out what was already found, so one number is not reported twice."""
    chars = list(text)
    for f in findings:
        chars[f.start : f.end] = " " * (f.end - f.start)
    return "".join(chars)


def find_identifying_text(text: str) -> list[Finding]:
    """Everything in `text` that looks like it identifies someone, in the order found."""
    findings = _identity_numbers(text)
    findings += _emails(_mask(text, findings))
    findings += _phone_numbers(_mask(text, findings))
    findings += _full_names(_mask(text, [*findings, *_not_persons(text)]))
    return sorted(findings, key=lambda f: f.start)


def _message(field_label: str, finding: Finding) -> str:
    if finding.kind == Kind.IDENTITY_NUMBER:
        # The number itself is not repeated back: it should not travel any further.
        return _(
            "%(field)s: this looks like an identity number. Remove it: an anonymous "
            "consultation must not identify anyone. Describe the child without names or "
            "numbers, and use the age band for the age."
        ) % {"field": field_label}
    if finding.kind == Kind.FULL_NAME:
        return _(
            "%(field)s: this looks like a full name: “%(found)s”. Describe the child without "
            "names, for example “boy, mother worried”, and use the age band for the age. If "
            "the words are not a person's name, rephrase them."
        ) % {"field": field_label, "found": finding.text}
    if finding.kind == Kind.EMAIL:
        return _(
            "%(field)s: this looks like an e-mail address: “%(found)s”. Remove contact "
            "details: they identify the family. If the family wants help, start a case with "
            "their consent."
        ) % {"field": field_label, "found": finding.text}
    return _(
        "%(field)s: this looks like a phone number: “%(found)s”. Remove contact details: "
        "they identify the family. If the family wants help, start a case with their consent."
    ) % {"field": field_label, "found": finding.text}


def free_text_errors(values: dict[str, str]) -> dict[str, list[str]]:
    """Per field, a message for everything in its text that could identify someone."""
    errors: dict[str, list[str]] = {}
    for field_name, text in values.items():
        label = str(_field(field_name).verbose_name)
        label = label[:1].upper() + label[1:]
        messages = [_message(label, f) for f in find_identifying_text(text or "")]
        if messages:
            errors[field_name] = list(dict.fromkeys(messages))
    return errors


def units_of(actor: Any) -> QuerySet[ServiceUnit]:
    """The units the actor is a member of: where they can bring and read consultations, and
    whose requests for help and cases they work on."""
    return ServiceUnit.objects.filter(pk__in=policy.scope_of(actor).unit_ids).select_related(
        "organisation"
    )


def forum_units(actor: Any) -> QuerySet[ServiceUnit]:
    """Services that may take part in the actor's forums: the units of the actor's own
    organisations and the units that serve the same municipalities."""
    scope = policy.scope_of(actor)
    municipalities = ServiceUnit.objects.filter(pk__in=scope.unit_ids).values(
        "municipalities_served"
    )
    home_municipalities = ServiceUnit.objects.filter(pk__in=scope.unit_ids).values(
        "organisation__municipality"
    )
    return (
        ServiceUnit.objects.filter(
            Q(organisation_id__in=scope.organisation_ids)
            | Q(municipalities_served__in=municipalities)
            | Q(municipalities_served__in=home_municipalities)
        )
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "name")
    )


@transaction.atomic
def record_consultation(
    actor: Any,
    unit: ServiceUnit,
    *,
    held_on: datetime.date,
    age_band: str,
    topics: str,
    advice: str,
    follow_up: str = "",
    services_present: Sequence[ServiceUnit] = (),
    child_welfare_advised_report: bool = False,
) -> AnonymousConsultation:
    """Record a consultation brought by `unit`. Refuses, and saves nothing, if any free text
    could identify someone. `child_welfare_advised_report`: child welfare advised in the
    forum that the duty to report applies, so the unit is prompted to make the report."""
    if unit.pk not in policy.scope_of(actor).unit_ids:
        raise PermissionDenied(
            _(
                "You can only record consultations for a unit you are a member of. Ask the "
                "unit's administrator to add you."
            )
        )
    values = {"topics": topics.strip(), "advice": advice.strip(), "follow_up": follow_up.strip()}
    errors = free_text_errors(values)
    if not values["topics"]:
        errors.setdefault("topics", []).append(
            _("Write what the consultation was about, for example “sleep, conflicts at home”.")
        )
    if not values["advice"]:
        errors.setdefault("advice", []).append(_("Write the advice the forum gave."))
    max_topics = _field("topics").max_length or 0
    if len(values["topics"]) > max_topics:
        errors.setdefault("topics", []).append(
            _("Keep the topics to %(n)s characters; put details in the advice.") % {"n": max_topics}
        )
    if age_band not in AgeBand.values:
        errors["age_band"] = [_("Choose the child's age band.")]
    if held_on > timezone.localdate():
        errors["held_on"] = [_("The date cannot be in the future. Enter the day it was held.")]
    if errors:
        raise ValidationError(errors)
    consultation = AnonymousConsultation.objects.create(
        unit=unit,
        held_on=held_on,
        age_band=age_band,
        created_by=actor,
        child_welfare_advised_report=bool(child_welfare_advised_report),
        **values,
    )
    # The unit that brought the case was present by definition.
    consultation.services_present.set({unit, *services_present})
    audit.record(
        audit.AuditEvent.Action.CREATE,
        actor=actor,
        objects=[consultation],
        organisation_id=unit.organisation_id,
        purpose=PURPOSE,
    )
    return consultation


def consultations_for(actor: Any) -> QuerySet[AnonymousConsultation]:
    """The consultations the actor may read (those brought by their units), newest first.
    Not audited by itself: show them through policy.list_page, or read one with
    get_consultation."""
    return policy.visible(actor, AnonymousConsultation, PURPOSE).select_related("unit")


def reports_due(actor: Any) -> QuerySet[AnonymousConsultation]:
    """The actor's units' consultations where child welfare advised a report and nobody has
    recorded that it was made, oldest first: the prompts to make the report."""
    return (
        consultations_for(actor)
        .filter(child_welfare_advised_report=True, report_made_on__isnull=True)
        .order_by("held_on", "id")
    )


@dataclass(frozen=True)
class ListPage:
    page: Any  # a Paginator page of consultations
    reports_due: list[AnonymousConsultation]


def list_page(actor: Any, page_number: Any, page_size: int) -> ListPage:
    """One page of the unit's consultations and the reports still to be made, both audited."""
    page = Paginator(consultations_for(actor), page_size).get_page(page_number)
    rows, due = policy.list_pages(
        actor, [(page.object_list, PURPOSE), (reports_due(actor), PURPOSE)]
    )
    page.object_list = rows
    return ListPage(page, due)


def due_prompts(actor: Any) -> list[AnonymousConsultation]:
    """The reports still to be made, for the start page; audited when there are any."""
    return policy.list_page(actor, reports_due(actor), PURPOSE)


def get_consultation(actor: Any, pk: int) -> AnonymousConsultation:
    """One consultation of the actor's units, audited; 404 otherwise, so no one learns it
    exists."""
    return policy.get_or_404(actor, AnonymousConsultation, pk, PURPOSE)


@transaction.atomic
def record_report_made(actor: Any, pk: int, *, made_on: datetime.date) -> AnonymousConsultation:
    """A member of the unit records the day the unit made the report child welfare advised.
    Only the day and who recorded it are kept: the report, with the child's identity, went to
    child welfare, and this record never learns whom it was about."""
    consultation = (
        policy.visible(actor, AnonymousConsultation, PURPOSE, few_rows=True)
        .select_for_update(of=("self",))
        .filter(pk=pk)
        .first()
    )
    if consultation is None:
        raise Http404(_("Not found, or you do not have access."))
    policy.require(actor, policy.Action.CHANGE, consultation, PURPOSE)
    if not consultation.child_welfare_advised_report:
        raise ValidationError(
            {
                "made_on": _(
                    "Child welfare did not advise a report in this consultation, so there is "
                    "no report to record here."
                )
            }
        )
    if consultation.report_made_on is not None:
        raise ValidationError(
            {
                "made_on": _(
                    "A colleague has already recorded that the report was made on %(date)s."
                )
                % {"date": formats.date_format(consultation.report_made_on, "j. F Y")}
            }
        )
    if made_on > timezone.localdate():
        raise ValidationError(
            {"made_on": _("The date cannot be in the future. Enter the day the report was made.")}
        )
    if made_on < consultation.held_on:
        raise ValidationError(
            {
                "made_on": _(
                    "The report cannot have been made before the consultation. Enter the day "
                    "it was made."
                )
            }
        )
    consultation.report_made_on = made_on
    consultation.report_recorded_by = actor
    consultation.report_recorded_at = timezone.now()
    consultation.save(update_fields=["report_made_on", "report_recorded_by", "report_recorded_at"])
    audit.record(
        audit.AuditEvent.Action.CHANGE,
        actor=actor,
        objects=[consultation],
        organisation_id=consultation.unit.organisation_id,
        purpose=PURPOSE,
        detail={"report_made_on": made_on.isoformat()},
    )
    return consultation
