"""What the consent screens read: the rules and texts, a child's consents and guardians, the
rendered text and the printable form. Recording and withdrawing are in consent_services.

Reading a child's consents and guardians goes through the access policy, which audits it.
A consent text names its variable parts in braces ({child}, {controller}, {recipients},
{categories}, {valid_to}); `render_consent_text` puts in the values of a given consent, or of
a draft about to be printed for signature, in the text's own language.
"""

from __future__ import annotations

import datetime
import io
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from familiebro.core.models import (
    ConfidentialityDomain,
    GuardianRelation,
    Organisation,
    Person,
    ServiceUnit,
)

from . import audit, policy
from .models import (
    Consent,
    ConsentGiver,
    ConsentRequest,
    ConsentRule,
    ConsentText,
    DataCategory,
)

# On a printed form, what was not chosen on screen is written in by hand here.
BLANK = "_" * 28

HEADING_PREFIX = "## "


# The services whose information a young person alone controls from 16.
HEALTH_DOMAINS = (ConfidentialityDomain.HEALTH, ConfidentialityDomain.SPECIALIST_HEALTH)

# The law's rule per service, where the organisation has set none (docs/data-protection.md,
# "Who consents"): (who consents from the age limit, the age limit, the child heard from).
STATUTORY_RULES: dict[str, tuple[str, int, int | None]] = {
    # Pasient- og brukerrettighetsloven § 4-3: from 16 the young person consents to health
    # care, and so to sharing what the health service knows, alone.
    ConfidentialityDomain.HEALTH: (ConsentRule.Givers.YOUNG_PERSON, 16, 7),
    ConfidentialityDomain.SPECIALIST_HEALTH: (ConsentRule.Givers.YOUNG_PERSON, 16, 7),
    # Barnevernsloven § 12-3: from 15 the young person is a party beside the guardians.
    ConfidentialityDomain.CHILD_WELFARE: (ConsentRule.Givers.YOUNG_PERSON_AND_GUARDIANS, 15, 7),
}

# The rule where neither the organisation nor the law has one: every guardian with parental
# responsibility consents (the safe default).
DEFAULT_RULE: tuple[str, int, int | None] = (ConsentRule.Givers.ALL_GUARDIANS, 15, 7)

# The youngest age from which an organisation may let a young person consent on their own
# (pasient- og brukerrettighetsloven § 4-3 first paragraph b), and the oldest (of age).
YOUNGEST_OWN_CONSENT = 12
COMING_OF_AGE = 18


def law_for(domain: str) -> tuple[str, int, int | None]:
    """The law's rule for a service (its domain): who consents, from which age, and from which
    age the child's view is recorded."""
    return STATUTORY_RULES.get(domain, DEFAULT_RULE)


def rule_problems(
    domain: str, givers: str, young_person_age: int, child_heard_from_age: int | None
) -> list[str]:
    """What makes a consent rule for a service go below what the law allows, one plain message
    each; empty when the rule keeps within the law. Where the law has a rule for the service
    (STATUTORY_RULES), an organisation keeps who consents, may let the young person consent
    earlier but never later, and records the child's view from the law's age or earlier.
    Elsewhere it chooses who consents, with an age limit between 12 and 18."""
    problems = []
    if givers not in ConsentRule.Givers.values:
        problems.append(_("Choose who consents."))
    if not YOUNGEST_OWN_CONSENT <= young_person_age <= COMING_OF_AGE:
        problems.append(
            _("The age limit must be between %(youngest)s and %(oldest)s years.")
            % {"youngest": YOUNGEST_OWN_CONSENT, "oldest": COMING_OF_AGE}
        )
    if child_heard_from_age is not None and not 0 <= child_heard_from_age <= COMING_OF_AGE:
        problems.append(
            _("The age from which the child's view is recorded must be between 0 and %(oldest)s.")
            % {"oldest": COMING_OF_AGE}
        )
    if domain not in STATUTORY_RULES:
        return problems
    law_givers, law_age, law_heard = STATUTORY_RULES[domain]
    service = ConfidentialityDomain(domain).label
    if givers != law_givers:
        problems.append(
            _("For %(service)s the law says who consents: %(givers)s.")
            % {"service": service, "givers": ConsentRule.Givers(law_givers).label.lower()}
        )
    if young_person_age > law_age:
        problems.append(
            _(
                "For %(service)s the young person consents from %(age)s at the latest, by law. "
                "Choose %(age)s or younger."
            )
            % {"service": service, "age": law_age}
        )
    if law_heard is not None and (child_heard_from_age is None or child_heard_from_age > law_heard):
        problems.append(
            _(
                "For %(service)s the child's own view is to be recorded from %(age)s at the "
                "latest, by law. Choose %(age)s or younger."
            )
            % {"service": service, "age": law_heard}
        )
    return problems


def recipient_units(
    first: Sequence[int] = (), home_organisation_id: int | None = None
) -> QuerySet[ServiceUnit]:
    """The services a consent may name, those a consent most often names first: the services
    in `first` (a case's participants), then those of the family's own organisation, then
    the rest of the country by organisation."""
    rank = Case(
        When(pk__in=list(first), then=Value(0)),
        When(organisation_id=home_organisation_id, then=Value(1)),
        default=Value(2),
    )
    return (
        ServiceUnit.objects.select_related("organisation")
        .annotate(rank=rank)
        .order_by("rank", "organisation__name", "name")
    )


def suggested_units(
    first: Sequence[int] = (), home_organisation_id: int | None = None
) -> list[int]:
    """The first of recipient_units(): those in `first` and those of the family's own
    organisation."""
    return list(
        ServiceUnit.objects.filter(
            Q(pk__in=list(first)) | Q(organisation_id=home_organisation_id)
        ).values_list("pk", flat=True)
    )


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def young_person_consents(subject: Person, rule: ConsentRule, day: datetime.date) -> bool:
    """Whether the rule asks the young person's own consent on `day`: they have reached its
    age limit (below it, the guardians consent)."""
    return (
        rule.givers != ConsentRule.Givers.ALL_GUARDIANS
        and subject.birth_date is not None
        and age_on(subject.birth_date, day) >= rule.young_person_age
    )


def child_to_be_heard(subject: Person, rule: ConsentRule, day: datetime.date) -> bool:
    """Whether the child's own view is to be recorded with the consent the guardians give."""
    return (
        rule.child_heard_from_age is not None
        and subject.birth_date is not None
        and age_on(subject.birth_date, day) >= rule.child_heard_from_age
        and not young_person_consents(subject, rule, day)
    )


def consent_rule(organisation: Organisation, purpose: str, domain: str = "") -> ConsentRule:
    """Who consents for the purpose to sharing the information of a service (its domain):
    the organisation's rule for that service, else its rule for every service, else the law's
    default for the service, else the safe default that every guardian with parental
    responsibility consents."""
    rules = {
        rule.domain: rule
        for rule in ConsentRule.objects.filter(
            organisation=organisation, purpose=purpose, domain__in={domain, ""}
        )
    }
    if domain in rules:
        return rules[domain]
    # The organisation's rule for every service holds for a service the law has a rule for
    # only where it keeps within that law.
    every = rules.get("")
    if every is not None and (
        domain not in STATUTORY_RULES
        or not rule_problems(
            domain, every.givers, every.young_person_age, every.child_heard_from_age
        )
    ):
        return every
    givers, age, heard_from = law_for(domain)
    return ConsentRule(
        organisation=organisation,
        domain=domain,
        purpose=purpose,
        givers=givers,
        young_person_age=age,
        child_heard_from_age=heard_from,
    )


def current_text(purpose: str, language: str, organisation_id: int | None = None) -> ConsentText:
    """The text in force for the purpose and language: the organisation's newest version, or
    where it has published none, the instance's newest."""
    texts = ConsentText.objects.filter(purpose=purpose, language=language)
    text = (
        texts.filter(Q(organisation_id=organisation_id) | Q(organisation__isnull=True))
        .order_by(
            Case(When(organisation__isnull=True, then=Value(1)), default=Value(0)), "-version"
        )
        .first()
        if organisation_id is not None
        else texts.filter(organisation__isnull=True).order_by("-version").first()
    )
    if text is None:
        raise ValidationError(
            _(
                "There is no consent text for this purpose in this language. An administrator "
                "must publish one before consent can be recorded."
            )
        )
    return text


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The moment a consent whose last day is `day` stops: the start of the next local day."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def last_valid_day(valid_to: datetime.datetime) -> datetime.date:
    """The last local day on which a consent ending at `valid_to` is still in force."""
    return timezone.localtime(valid_to - datetime.timedelta(microseconds=1)).date()


def consent_end(valid_to: datetime.datetime | None) -> str:
    """How every page says when a consent ends: its last day in force ("last day 30 June
    2027"), never the moment it stops (the next midnight, which reads as a day too late), or
    that it lasts until withdrawn. The consent pages, the case page, Min side and the export
    all use this, so the same consent never seems to end on two different days."""
    if valid_to is None:
        return _("until withdrawn")
    return _("last day %(date)s") % {"date": date_format(last_valid_day(valid_to), "DATE_FORMAT")}


@dataclass(frozen=True)
class ConsentDraft:
    """A consent before it is given: what the printed form for signature will say."""

    subject: Person
    purpose: str
    language: str
    recipient_organisations: Sequence[Organisation] = ()
    recipient_units: Sequence[ServiceUnit] = ()
    scope: Sequence[str] = ()
    valid_to: datetime.datetime | None = None
    domain: str = ""  # the service whose information it covers; its rule says who signs


@dataclass(frozen=True)
class TextBlock:
    kind: Literal["heading", "paragraph"]
    text: str


@dataclass(frozen=True)
class RenderedConsentText:
    """A consent text with the consent's own values put in, split into headings and
    paragraphs."""

    title: str
    version: int
    language: str
    published_at: datetime.datetime
    blocks: list[TextBlock] = field(default_factory=list)

    @property
    def plain(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)


def recipient_names(
    organisations: Sequence[Organisation], units: Sequence[ServiceUnit]
) -> list[str]:
    """Recipients as a family reads them: a unit with its organisation, or an organisation."""
    names = [f"{unit.name} ({unit.organisation.name})" for unit in units]
    names += [organisation.name for organisation in organisations]
    return names


def category_labels(scope: Sequence[str], language: str) -> list[str]:
    """The chosen categories in the catalogue's order, named in `language`."""
    chosen = set(scope)
    with translation.override(language):
        return [str(c.label) for c in DataCategory if c.value in chosen]


def fill_placeholders(template: str, values: dict[str, str]) -> str:
    """`template` with each placeholder written exactly as {child}, {controller}, ... replaced
    by its value, and a doubled brace ({{ or }}) by a single one. Anything else in braces stays
    as it is written: the text is never given to str.format, so a format spec, conversion or
    attribute in a text (text_problems() refuses them) can neither build a huge string nor
    print a Python value."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return values.get(match.group(1), token)

    return _PLACEHOLDER_TOKEN.sub(replace, template)


def _fill(text: ConsentText, values: dict[str, str]) -> RenderedConsentText:
    blocks = []
    for chunk in fill_placeholders(text.body, values).split("\n\n"):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith(HEADING_PREFIX):
            blocks.append(TextBlock("heading", chunk.removeprefix(HEADING_PREFIX).strip()))
        else:
            blocks.append(TextBlock("paragraph", " ".join(chunk.split())))
    return RenderedConsentText(
        title=fill_placeholders(text.title, values),
        version=text.version,
        language=text.language,
        published_at=text.published_at,
        blocks=blocks,
    )


# The variable parts a consent text may name, each with what it is replaced by.
PLACEHOLDERS: dict[str, Any] = {
    "child": gettext_lazy("the name of the child or young person the consent is about"),
    "controller": gettext_lazy("the name of the organisation that holds the information"),
    "recipients": gettext_lazy("the services and organisations that receive the information"),
    "categories": gettext_lazy("the kinds of information the consent covers"),
    "valid_to": gettext_lazy(
        "the last day the consent is in force, or that it lasts until withdrawn"
    ),
}

# A doubled brace, or a placeholder written exactly as {name} (nothing else inside the braces).
_PLACEHOLDER_NAMES = "|".join(map(re.escape, PLACEHOLDERS))
_PLACEHOLDER_TOKEN = re.compile(r"\{\{|\}\}|\{(" + _PLACEHOLDER_NAMES + r")\}")


def text_problems(title: str, body: str) -> list[str]:
    """What keeps a consent text from being filled in, one plain message each: a placeholder
    the product does not know, one with more than its name between the braces (a format spec
    such as {child:>9}, a conversion such as {child!r}; an attribute or index is no known
    name), or a brace that opens or closes nothing. Empty when the text can be published."""
    problems: list[str] = []
    for part in (title, body):
        try:
            fields = [
                (name, spec or "", conversion)
                for _, name, spec, conversion in string.Formatter().parse(part)
                if name is not None
            ]
        except ValueError:
            problems.append(
                _(
                    "A brace { or } stands alone. Placeholders are written as {child}; remove "
                    "the brace or complete the placeholder."
                )
            )
            continue
        known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
        for name, spec, conversion in fields:
            if name not in PLACEHOLDERS:
                problems.append(
                    _("The text names {%(name)s}, which is no placeholder. Use one of %(known)s.")
                    % {"name": name, "known": known}
                )
            elif spec or conversion is not None:
                conversion_part = f"!{conversion}" if conversion else ""
                spec_part = f":{spec}" if spec else ""
                written = f"{{{name}{conversion_part}{spec_part}}}"
                problems.append(
                    _(
                        "The placeholder %(written)s has more than its name between the braces. "
                        "Write it as {%(name)s}."
                    )
                    % {"written": written, "name": name}
                )
    return list(dict.fromkeys(problems))


def preview_consent_text(text: ConsentText, controller: str) -> RenderedConsentText:
    """The text as a family reads it, with examples in place of a consent's own values, in
    the text's own language. The text must have passed text_problems()."""
    with translation.override(text.language):
        valid_to = date_format(timezone.localdate() + datetime.timedelta(days=365), "DATE_FORMAT")
    values = {
        "child": "Kari Nordmann",
        "controller": controller,
        "recipients": f"Helsestasjonen ({controller})",
        "categories": ", ".join(
            category_labels([DataCategory.LOG_ENTRIES, DataCategory.MEETING_MINUTES], text.language)
        ),
        "valid_to": valid_to,
    }
    return _fill(text, values)


def render_consent_text(source: Consent | ConsentRequest | ConsentDraft) -> RenderedConsentText:
    """The consent text as its givers read it, in the text's own language.

    For a consent: the exact version it was given on, with its own recipients, scope and end;
    for one waiting for the family (a ConsentRequest), the version they are asked to give.
    For a draft: the current version for the draft's purpose and language; what the draft
    leaves open is a line to fill in by hand.
    """
    if isinstance(source, (Consent, ConsentRequest)):
        text = source.text
        organisations: Sequence[Organisation] = list(source.recipient_organisations.all())
        # Prefetched with their organisations by the screens (see _consents).
        units: Sequence[ServiceUnit] = list(source.recipient_units.all())
        scope: Sequence[str] = source.scope_categories
        subject = source.subject
        controller = source.organisation
        draft = False
    else:
        text = current_text(source.purpose, source.language, source.subject.organisation_id)
        organisations, units, scope = (
            source.recipient_organisations,
            source.recipient_units,
            source.scope,
        )
        subject = source.subject
        controller = subject.organisation
        draft = True
    language = text.language
    with translation.override(language):
        if source.valid_to is not None:
            valid_to = date_format(last_valid_day(source.valid_to), "DATE_FORMAT")
        elif draft:
            valid_to = BLANK
        else:
            valid_to = _("no set date; the consent lasts until it is withdrawn")
    values = {
        "child": str(subject),
        "controller": controller.name,
        "recipients": ", ".join(recipient_names(organisations, units)) or BLANK,
        "categories": ", ".join(category_labels(scope, language)) or BLANK,
        "valid_to": valid_to,
    }
    return _fill(text, values)


# A consent's state as staff see it: label and Designsystemet colour.
STATES = {
    "valid": (gettext_lazy("Valid"), "success"),
    "pending": (gettext_lazy("Not yet valid"), "info"),
    "expired": (gettext_lazy("Expired"), "neutral"),
    "withdrawn": (gettext_lazy("Withdrawn"), "danger"),
    # Given by the guardians, ended when the child came of age (16 for health, else 18).
    "lapsed": (gettext_lazy("Ended when the child came of age"), "neutral"),
}


@dataclass(frozen=True)
class ConsentRow:
    """One consent as the list shows it."""

    consent: Consent
    state: str

    @property
    def state_label(self) -> str:
        return str(STATES[self.state][0])

    @property
    def state_color(self) -> str:
        return STATES[self.state][1]

    @property
    def scope_labels(self) -> list[str]:
        chosen = set(self.consent.scope_categories)
        return [str(c.label) for c in DataCategory if c.value in chosen]

    @property
    def last_day(self) -> datetime.date | None:
        return last_valid_day(self.consent.valid_to) if self.consent.valid_to else None


def _consents(user: Any) -> Any:
    return (
        policy.visible(user, Consent, policy.Purpose.CASEWORK)
        .select_related("text", "organisation", "subject", "recorded_by", "withdrawn_by")
        .prefetch_related(
            "recipient_organisations",
            Prefetch(
                "recipient_units", queryset=ServiceUnit.objects.select_related("organisation")
            ),
            Prefetch("givers", queryset=ConsentGiver.objects.select_related("person")),
        )
    )


def consents_for(user: Any, person: Person) -> list[ConsentRow]:
    """The person's consents that `user` may see for casework, newest first, audited."""
    consents = policy.list_page(
        user,
        _consents(user).filter(subject=person).order_by("-valid_from", "-id"),
        policy.Purpose.CASEWORK,
    )
    now = timezone.now()
    return [ConsentRow(consent, consent.state(now)) for consent in consents]


def consent_of(user: Any, person: Person, consent_id: int) -> Consent:
    """One of the person's consents, audited; 404 if it is not theirs or not visible."""
    consent = _consents(user).filter(pk=consent_id, subject=person).first()
    if consent is None:
        raise Http404(_("Not found, or you do not have access."))
    policy.record_access(user, policy.Action.VIEW, [consent], policy.Purpose.CASEWORK)
    return consent


@dataclass(frozen=True)
class GiverOption:
    """Someone who might give consent for a child: a registered guardian, or the child."""

    person: Person
    is_child: bool
    has_parental_responsibility: bool
    relation_label: str


def possible_givers(user: Any, child: Person) -> list[GiverOption]:
    """The child's registered guardians (with or without parental responsibility), then the
    child. Whether each may consent for a purpose is the consent service's decision."""
    relations = policy.list_page(
        user,
        policy.visible(user, GuardianRelation, policy.Purpose.CASEWORK)
        .filter(child=child)
        .select_related("guardian")
        .order_by("guardian__family_name", "guardian__given_name", "id"),
        policy.Purpose.CASEWORK,
    )
    options = [
        GiverOption(
            person=relation.guardian,
            is_child=False,
            has_parental_responsibility=relation.has_parental_responsibility,
            relation_label=str(relation.get_kind_display()),
        )
        for relation in relations
    ]
    options.append(
        GiverOption(
            person=child, is_child=True, has_parental_responsibility=False, relation_label=""
        )
    )
    return options


def withdrawers(consent: Consent) -> list[Person]:
    """Who can withdraw a consent: whoever gave it, and the child it is about."""
    people = [giver.person for giver in consent.givers.all() if giver.person is not None]
    if consent.subject not in people:
        people.append(consent.subject)
    return people


def signers(user: Any, child: Person, purpose: str, domain: str = "") -> list[GiverOption]:
    """Who must sign the printed form under the rule for the purpose and service, at the
    child's age today."""
    rule = consent_rule(child.organisation, purpose, domain)
    options = possible_givers(user, child)
    guardians = [o for o in options if o.has_parental_responsibility]
    young_person = [o for o in options if o.is_child]
    if not young_person_consents(child, rule, timezone.localdate()):
        return guardians
    if rule.givers == ConsentRule.Givers.YOUNG_PERSON:
        return young_person
    if rule.givers == ConsentRule.Givers.YOUNG_PERSON_AND_GUARDIANS:
        return young_person + guardians
    return guardians


def pdf_styles() -> dict[str, ParagraphStyle]:
    # Helvetica's WinAnsi encoding covers æ, ø and å (and the rest of Latin-1).
    base = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14.5)
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=8
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName="Helvetica-Bold",
            fontSize=11.5,
            spaceBefore=8,
            spaceAfter=2,
        ),
        "body": ParagraphStyle("body2", parent=base, spaceAfter=4),
        "label": ParagraphStyle("label", parent=base, fontName="Helvetica-Bold"),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
    }


def _pdf(draft: ConsentDraft, text: RenderedConsentText, signing: list[GiverOption]) -> bytes:
    styles = pdf_styles()
    child = draft.subject
    controller = child.organisation.name
    story: list[Any] = [Paragraph(escape(text.title), styles["title"])]
    facts = [
        (_("Child"), str(child)),
        (
            _("Date of birth"),
            date_format(child.birth_date, "DATE_FORMAT") if child.birth_date else BLANK,
        ),
        (_("Organisation"), controller),
    ]
    story.append(
        Table(
            [
                [
                    Paragraph(escape(label), styles["label"]),
                    Paragraph(escape(value), styles["body"]),
                ]
                for label, value in facts
            ],
            colWidths=[45 * mm, None],
            hAlign="LEFT",
            style=TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            ),
        )
    )
    story.append(Spacer(1, 4 * mm))
    for block in text.blocks:
        style = styles["heading"] if block.kind == "heading" else styles["body"]
        story.append(Paragraph(escape(block.text), style))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(escape(_("Signatures")), styles["heading"]))
    if not signing:
        story.append(
            Paragraph(
                escape(
                    _(
                        "No one who can consent is registered for the child. Register the "
                        "guardians before printing the form."
                    )
                ),
                styles["body"],
            )
        )
    for option in signing:
        role = _("the child") if option.is_child else _("guardian with parental responsibility")
        story.append(
            KeepTogether(
                [
                    Spacer(1, 8 * mm),
                    Paragraph(escape(f"{option.person} ({role})"), styles["body"]),
                    Spacer(1, 8 * mm),
                    Paragraph(
                        escape(f"{_('Place and date')}: {BLANK}    {_('Signature')}: {BLANK}"),
                        styles["body"],
                    ),
                ]
            )
        )
    footer = _(
        "Consent text version %(version)s (%(language)s). To withdraw the consent, tell "
        "%(controller)s or one of the services that receive the information. It takes effect "
        "at once. What has already been shared stays with the service that received it."
    ) % {"version": text.version, "language": text.language, "controller": controller}
    page_label = _("Page")

    def draw_footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        paragraph = Paragraph(escape(f"{footer} {page_label} {doc.page}."), styles["small"])
        paragraph.wrap(doc.width, doc.bottomMargin)
        paragraph.drawOn(canvas, doc.leftMargin, 12 * mm)
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=28 * mm,
        title=text.title,
        author=controller,
        lang=text.language,
    )
    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()


@transaction.atomic
def consent_form_pdf(user: Any, draft: ConsentDraft) -> bytes:
    """The current consent text for the draft, filled in and laid out for paper signatures.

    The form names the child and every guardian who must sign, so printing it is audited as
    an export of their data.
    """
    text = render_consent_text(draft)
    signing = signers(user, draft.subject, draft.purpose, draft.domain)
    with translation.override(draft.language):
        pdf = _pdf(draft, text, signing)
    basis = policy.bases_for(user, [draft.subject], policy.Purpose.CASEWORK)[0]
    audit.record(
        audit.AuditEvent.Action.EXPORT,
        actor=user,
        objects=[draft.subject],
        subject_ids=[draft.subject.pk, *(o.person.pk for o in signing if not o.is_child)],
        organisation_id=draft.subject.organisation_id,
        purpose=policy.Purpose.CASEWORK,
        legal_basis=basis.legal_basis,
        consent_id=basis.consent_id,
        detail={
            "document": "consent_form",
            "consent_purpose": draft.purpose,
            "text_version": text.version,
            "language": text.language,
            **basis.audit_detail(),
        },
    )
    return pdf
