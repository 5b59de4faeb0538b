"""Forms of the case pages. The rules live in case_services; the forms turn what was sent
into values and show the services' messages at the right field."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familiebro.core.forms import StyledForm

from .models import Case, LogEntry, MeasureEvaluation, PlanDecision

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date."),
            "invalid": _("Enter the date as day, month and year, for example 14.03.2026."),
        },
    )


def text_field(
    label: Any, *, required: bool = True, rows: int = 3, max_length: int = 5000, help_text: Any = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("This cannot be empty. Write a few words.")},
    )


def radio(
    label: Any, choices: Any, *, required: bool = True, message: Any = ""
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        error_messages={"required": message, "invalid_choice": message},
    )


def select(
    label: Any, choices: list[tuple[Any, str]], *, required: bool = True, message: Any = ""
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", _("Choose")), *choices],
        required=required,
        error_messages={"required": message, "invalid_choice": message},
    )


SHARED, INTERNAL = "shared", "internal"


def who_sees_field() -> forms.ChoiceField:
    """Whether an entry or a measure is shared with the family or internal: a choice of its
    own, with the reason asked only for internal ones (clean_internal)."""
    field = radio(
        _("Who sees this?"),
        [
            (SHARED, _("The family and the services on the case")),
            (INTERNAL, _("Only our service sees this")),
        ],
        required=False,
        message=_("Choose who sees it."),
    )
    field.initial = SHARED
    return field


def internal_reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Why only our service sees it"),
        help_text=_(
            "Only when only our service sees it. For example: it would put the child at risk "
            "if the parents knew now."
        ),
        required=False,
        max_length=300,
    )


def clean_internal(form: forms.Form, cleaned: dict[str, Any]) -> None:
    """An internal entry needs its reason; a shared one keeps none (a missing choice is the
    one shown as chosen: shared)."""
    if cleaned.get("who_sees") == INTERNAL:
        if not cleaned.get("internal_reason", "").strip():
            form.add_error(
                "internal_reason", _("Write why only our service may see it, in a few words.")
            )
    else:
        cleaned["internal_reason"] = ""


class CaseForm(StyledForm):
    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)


class OpenCaseForm(CaseForm):
    child = forms.TypedChoiceField(label=_("Child"), coerce=int)
    unit = forms.TypedChoiceField(label=_("Owning unit"), coerce=int)
    origin = radio(
        _("How did the case come about?"),
        [c for c in Case.Origin.choices if c[0] != Case.Origin.HELP_REQUEST],
        message=_("Choose how the case came about."),
    )
    concern = text_field(
        _("What is the concern?"),
        rows=5,
        help_text=_(
            "Describe what you have seen or heard, in plain words. The family can read it in "
            "the shared log."
        ),
    )
    raised_by_name = forms.CharField(
        label=_("Who raised it (if not you)"), required=False, max_length=200
    )
    raised_by_email = forms.EmailField(
        label=_("Their e-mail, for feedback when the case closes (optional)"), required=False
    )
    coordinator_wish = forms.CharField(
        label=_("The family's wish for coordinator (optional)"), required=False, max_length=200
    )
    received_on = date_field(
        _("Received on"), help_text=_("The pathway's deadlines count from this day.")
    )

    def __init__(
        self, *args: Any, children: list[Any], units: list[Any], from_request: bool, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.children = {c.pk: c for c in children}
        self.units = {u.pk: u for u in units}
        child = self.fields["child"]
        assert isinstance(child, forms.ChoiceField)
        child.choices = [("", _("Choose"))] + [
            (c.pk, f"{c.family_name}, {c.given_name} ({c.birth_date:%d.%m.%Y})") for c in children
        ]
        child.error_messages.update(
            required=_("Choose the child. Register the child first if they are not in the list."),
            invalid_choice=_("Choose one of the children in the list."),
        )
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ChoiceField)
        unit.choices = [("", _("Choose"))] + [(u.pk, u.name) for u in units]
        unit.error_messages.update(
            required=_("Choose the unit that owns the case."),
            invalid_choice=_("Choose one of your own units."),
        )
        if len(units) == 1:
            self.initial.setdefault("unit", units[0].pk)
        if from_request:
            for name in ("origin", "raised_by_name", "raised_by_email", "received_on"):
                del self.fields[name]
            self.fields["concern"].required = False
            self.fields["concern"].label = _("What the case is about (optional)")

    def received_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("received_on")
        if day is None or day == timezone.localdate():
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class DecisionForm(CaseForm):
    option = radio(_("Decision"), [], message=_("Choose one of the options."))
    reason = text_field(_("Why"), help_text=_("The reason is kept with the decision."))
    close_reason = radio(
        _("Reason for closing (when the decision closes the case)"),
        Case.CloseReason.choices,
        required=False,
        message=_("Choose why the case is closed."),
    )
    summary = text_field(
        _("Closing summary to the family (when the decision closes the case)"),
        required=False,
        rows=4,
    )

    def __init__(self, *args: Any, phase: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "decision")
        super().__init__(*args, **kwargs)
        option = self.fields["option"]
        assert isinstance(option, forms.ChoiceField)
        option.label = str(phase.decision.question)
        option.choices = [(o.key, str(o.label)) for o in phase.decision.options]
        if not any(o.closes for o in phase.decision.options):
            del self.fields["close_reason"]
            del self.fields["summary"]


class MilestoneForm(CaseForm):
    key = radio(_("What has happened?"), [], message=_("Choose what has happened."))
    occurred_on = date_field(_("When"))

    def __init__(self, *args: Any, spec: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "milestone")
        kwargs.setdefault("initial", {}).setdefault("occurred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        key = self.fields["key"]
        assert isinstance(key, forms.ChoiceField)
        key.choices = [(m.key, str(m.label)) for p in spec.phases for m in p.milestones]

    def occurred_at(self) -> datetime.datetime | None:
        day = self.cleaned_data["occurred_on"]
        if day == timezone.localdate():
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


class HandoverForm(CaseForm):
    to_user = forms.TypedChoiceField(label=_("New coordinator"), coerce=int)
    message = text_field(_("Message (optional)"), required=False, max_length=1000)

    def __init__(self, *args: Any, colleagues: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "handover")
        super().__init__(*args, **kwargs)
        self.colleagues = {u.pk: u for u in colleagues}
        field = self.fields["to_user"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose"))] + [(u.pk, u.display_name()) for u in colleagues]
        field.error_messages.update(
            required=_("Choose who is offered the coordinator role."),
            invalid_choice=_("Choose one of the colleagues in the list."),
        )


class ParticipantForm(CaseForm):
    unit = forms.TypedChoiceField(label=_("Service"), coerce=int)
    role = forms.CharField(label=_("Role in the case (optional)"), required=False, max_length=100)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "participant")
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose"))] + [
            (u.pk, f"{u.name} ({u.organisation.name})") for u in units
        ]
        field.error_messages.update(
            required=_("Choose the service that takes part."),
            invalid_choice=_("Choose one of the services in the list."),
        )
        field.help_text = _(
            "Services of another organisation are listed when the family has consented to "
            "them taking part in the coordination."
        )


class GoalForm(CaseForm):
    text = text_field(
        _("Goal, in the family's own words"),
        max_length=1000,
        help_text=_("For example “Emma sleeps through the night”."),
    )

    parent = forms.TypedChoiceField(
        label=_("A sub-goal of (optional)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, goals: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "goal")
        super().__init__(*args, **kwargs)
        # Sub-goals go one level deep: a main goal and the steps towards it.
        self.goals = {g.pk: g for g in goals if g.parent_id is None}
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ChoiceField)
        parent.choices = [("", _("None: a main goal"))] + [
            (g.pk, g.text[:80]) for g in self.goals.values()
        ]
        parent.error_messages["invalid_choice"] = _("Choose one of the case's main goals.")


class MeasureForm(CaseForm):
    title = forms.CharField(label=_("Measure"), max_length=200)
    description = text_field(_("What is done (optional)"), required=False)
    responsible_unit = forms.TypedChoiceField(label=_("Responsible service"), coerce=int)
    responsible_user = forms.TypedChoiceField(
        label=_("Responsible person (optional)"), coerce=int, required=False, empty_value=None
    )
    start_date = date_field(_("Start date"))
    evaluation_date = date_field(_("Evaluation date"))
    goal = forms.TypedChoiceField(
        label=_("For the goal (optional)"), coerce=int, required=False, empty_value=None
    )
    who_sees = who_sees_field()
    internal_reason = internal_reason_field()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, units: list[Any], people: list[Any], goals: list[Any], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "measure")
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("start_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.people = {u.pk: u for u in people}
        self.goals = {g.pk: g for g in goals}
        for name, rows, label in (
            ("responsible_unit", units, lambda u: u.name),
            ("responsible_user", people, lambda u: u.display_name()),
            ("goal", goals, lambda g: g.text[:80]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("Choose"))] + [(row.pk, label(row)) for row in rows]
            field.error_messages.update(invalid_choice=_("Choose one in the list."))
        self.fields["responsible_unit"].error_messages["required"] = _(
            "Choose the service responsible for the measure."
        )
        self.fields["title"].error_messages["required"] = _("Name the measure.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        clean_internal(self, cleaned)
        return cleaned

    def measure_fields(self) -> Any:
        from .measure_services import MeasureFields

        data = self.cleaned_data
        return MeasureFields(
            title=data["title"],
            description=data["description"],
            responsible_unit=self.units[data["responsible_unit"]],
            responsible_user=self.people.get(data["responsible_user"]),
            start_date=data["start_date"],
            evaluation_date=data["evaluation_date"],
            goal=self.goals.get(data["goal"]),
            internal_reason=data["internal_reason"],
        )


class EvaluationForm(CaseForm):
    what_worked = text_field(_("What worked, and what did not"))
    decision = radio(
        _("Decision"),
        MeasureEvaluation.Decision.choices,
        message=_("Choose whether to continue, change or stop the measure."),
    )
    next_evaluation_date = date_field(_("Next evaluation date (when it goes on)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "evaluation")
        super().__init__(*args, **kwargs)


class ThirdPartyCheck(CaseForm):
    """A log form's box to confirm the third-party warning: hidden until the warning is
    given (case_services.third_party_warning), then shown with it."""

    third_party_checked = forms.BooleanField(
        label=_("I have checked the text: save it as it is"),
        required=False,
        widget=forms.HiddenInput,
    )

    def add_service_errors(self, exc: ValidationError) -> None:
        super().add_service_errors(exc)
        if self.has_error("third_party_checked"):
            self.fields["third_party_checked"].widget = forms.CheckboxInput(
                attrs={"class": "ds-input"}
            )


class LogEntryForm(ThirdPartyCheck):
    kind = radio(
        _("Kind of entry"),
        [
            (LogEntry.Kind.NOTE, LogEntry.Kind.NOTE.label),
            (LogEntry.Kind.AGREEMENT, LogEntry.Kind.AGREEMENT.label),
        ],
        message=_("Choose whether it is a note or an agreement."),
    )
    text = text_field(_("Entry"), rows=4)
    who_sees = who_sees_field()
    internal_reason = internal_reason_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "log")
        kwargs.setdefault("initial", {}).setdefault("kind", LogEntry.Kind.NOTE)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        clean_internal(self, cleaned)
        return cleaned


class CorrectionForm(ThirdPartyCheck):
    text = text_field(_("Corrected text"), rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "correction")
        super().__init__(*args, **kwargs)


def consent_label(consent: Any) -> str:
    """A consent as a choice: its purpose, whom it names and when it was given."""
    names = [u.name for u in consent.recipient_units.all()] + [
        o.name for o in consent.recipient_organisations.all()
    ]
    return _("%(purpose)s, given %(date)s: %(names)s") % {
        "purpose": consent.get_purpose_display(),
        "date": timezone.localtime(consent.valid_from).strftime("%d.%m.%Y"),
        "names": ", ".join(names) or "–",
    }


class PlanForm(CaseForm):
    members = forms.TypedMultipleChoiceField(
        label=_("The responsibility group"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The services and persons who take part in the plan, with the coordinator."),
        error_messages={
            "required": _("Choose at least one participant for the responsibility group."),
            "invalid_choice": _("Choose the responsibility group among the case's participants."),
        },
    )

    consent = forms.TypedChoiceField(
        label=_("The family's consent to the plan"),
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        help_text=_(
            "The plan is made only with the family's consent, which also says who in the "
            "responsibility group may see what."
        ),
        error_messages={
            "required": _(
                "Choose the family's consent to the plan. If there is none, record the "
                "family's consent first."
            ),
            "invalid_choice": _("Choose one of the consents in the list."),
        },
    )

    def __init__(
        self, *args: Any, participants: list[Any], consents: list[Any], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "plan")
        super().__init__(*args, **kwargs)
        consent = self.fields["consent"]
        assert isinstance(consent, forms.ChoiceField)
        consent.choices = [(c.pk, consent_label(c)) for c in consents]
        if len(consents) == 1:
            self.initial.setdefault("consent", consents[0].pk)
        members = self.fields["members"]
        assert isinstance(members, forms.MultipleChoiceField)
        members.choices = [
            (
                p.pk,
                ", ".join(
                    x for x in (p.user.display_name() if p.user else "", p.unit.name, p.role) if x
                ),
            )
            for p in participants
            if p.ended_at is None
        ]


class PlanDecisionForm(CaseForm):
    """A decision on the right to an individual plan, a coordinator or a child coordinator.
    The rules (a refusal needs its reason, a child coordinator its conditions) are in
    plans.decisions."""

    right = radio(
        _("What is the decision about?"),
        PlanDecision.Right.choices,
        message=_("Choose the right the decision is about."),
    )
    origin = radio(
        _("How did it come up?"),
        PlanDecision.Origin.choices,
        message=_("Choose how the question came up."),
    )
    requested_on = date_field(_("Asked for or considered on"))
    outcome = radio(
        _("Decision"),
        PlanDecision.Outcome.choices,
        message=_("Choose whether it is granted or refused."),
    )
    decided_on = date_field(_("Decided on"))
    decided_by = forms.CharField(
        label=_("Decided by"),
        max_length=200,
        help_text=_("Name and role, for example the leader of the coordinating unit."),
        error_messages={"required": _("Write who made the decision.")},
    )
    serious_condition = forms.BooleanField(
        label=_("The child has a serious illness, injury or disability"),
        required=False,
        help_text=_("For a child coordinator only (helse- og omsorgstjenesteloven § 7-2 a)."),
    )
    long_term_needs = forms.BooleanField(
        label=_(
            "The child will need long-term, coordinated health and care services and other "
            "welfare services"
        ),
        required=False,
        help_text=_("For a child coordinator only (helse- og omsorgstjenesteloven § 7-2 a)."),
    )
    appointed = forms.CharField(
        label=_("Who is appointed (optional)"),
        max_length=200,
        required=False,
        help_text=_("When a coordinator or child coordinator is granted: name and service."),
    )
    reason = text_field(
        _("Reason"),
        required=False,
        help_text=_("Required for a refusal. The family reads it."),
    )
    appeal_information = text_field(
        _("How to appeal"),
        required=False,
        rows=4,
        help_text=_("Required for a refusal. The family reads it."),
    )

    def __init__(self, *args: Any, appeal_text: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "rights")
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("decided_on", timezone.localdate())
        initial.setdefault("appeal_information", appeal_text)
        super().__init__(*args, **kwargs)
