"""A case: one child's coordinated help, from concern or request to closing.

Every row names its organisation (the data controller, which owns the case) and reaches the
child through the case, so the access policy can decide on it like on any personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Origin(models.TextChoices):
        HELP_REQUEST = "help_request", _("Request for help")
        STAFF_CONCERN = "staff_concern", _("Concern raised by staff")
        PARENT_CONCERN = "parent_concern", _("Concern raised by the parents")
        REFERRAL_IN = "referral_in", _("Referral from another service")

    class CloseReason(models.TextChoices):
        GOAL_REACHED = "goal_reached", _("The goal is reached")
        RESOLVED_AT_FIRST_CONTACT = "resolved_first_contact", _("Resolved at first contact")
        REFERRED_ON = "referred_on", _("Referred on to another service")
        FAMILY_WITHDREW = "family_withdrew", _("The family withdrew")
        MOVED = "moved", _("The family moved")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    unit = models.ForeignKey(
        "core.ServiceUnit",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("owning unit"),
    )
    child = models.ForeignKey(
        "core.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("child")
    )
    pathway_version = models.ForeignKey(
        "cases.PathwayVersion", on_delete=models.PROTECT, related_name="cases"
    )
    phase = models.CharField(_("phase"), max_length=50)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    help_request = models.OneToOneField(
        "cases.HelpRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
    )
    # Who raised the concern or request, to be told when the case closes (feedback).
    raised_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    raised_by_name = models.CharField(_("raised by"), max_length=200, blank=True)
    raised_by_email = models.EmailField(_("e-mail of who raised it"), blank=True)
    received_at = models.DateTimeField(_("received"))
    opened_at = models.DateTimeField(_("opened"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinated_cases",
        verbose_name=_("coordinator"),
    )
    coordinator_wish = models.CharField(
        _("the family's wish for coordinator"), max_length=200, blank=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=30, choices=CloseReason.choices, blank=True
    )
    feedback_sent_at = models.DateTimeField(null=True, blank=True)
    # When the holding service released it to the parents of a young person (12–17) whose
    # records it keeps from them by default (familiebro.privacy.family); None: not released.
    released_to_family_at = models.DateTimeField(_("released to the family"), null=True, blank=True)
    # The need to know the case gave (one assignment per family member for each unit or
    # colleague that joined it), so that ending a participation or deleting the case ends
    # exactly those. The assignment's reason names only the role, not the case: other
    # services see it on the person page.
    need_to_know_given = models.ManyToManyField(
        "privacy.Assignment", blank=True, related_name="given_by_case"
    )

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["coordinator", "status"]),
            models.Index(fields=["unit", "status", "opened_at"]),
            # The allocation view: one unit's open cases in a phase, oldest first.
            models.Index(fields=["unit", "status", "phase", "received_at"]),
            models.Index(fields=["child", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Decision(models.Model):
    """A decision at a decision point: who chose which option, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    phase = models.CharField(_("phase"), max_length=50)
    option = models.CharField(_("option"), max_length=50)
    to_phase = models.CharField(_("next phase"), max_length=50, blank=True)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")


class Handover(models.Model):
    """The coordinator's baton offered to someone else. It passes only when they accept;
    until then the old holder keeps it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handovers")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handovers_offered"
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offered_at = models.DateTimeField()
    message = models.TextField(_("message"), blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["offered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(accepted_at__isnull=True)
                & Q(declined_at__isnull=True)
                & Q(withdrawn_at__isnull=True),
                name="one_pending_handover_per_case",
            )
        ]

    @property
    def is_pending(self) -> bool:
        return not (self.accepted_at or self.declined_at or self.withdrawn_at)


class Participant(models.Model):
    """A service or a person taking part in the case. A service of another organisation takes
    part under a consent; when the consent ends, it sees nothing more."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    unit = models.ForeignKey(
        "core.ServiceUnit", on_delete=models.PROTECT, related_name="case_participations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_participations",
    )
    role = models.CharField(_("role in the case"), max_length=100, blank=True)
    consent = models.ForeignKey(
        "privacy.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignment = models.ForeignKey(
        "privacy.Assignment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participating service")
        verbose_name_plural = _("participating services")
        ordering = ["added_at", "pk"]
        indexes = [
            models.Index(fields=["user", "ended_at"]),
            models.Index(fields=["unit", "ended_at"]),
        ]


class Milestone(models.Model):
    """Something the pathway waits for happened: first contact, screening done, help offered,
    discharge summary sent… Milestones start and complete deadlines."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="milestones")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    key = models.CharField(_("milestone"), max_length=50)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("step in the case")
        verbose_name_plural = _("steps in the case")
        ordering = ["occurred_at", "pk"]


class LogEntry(models.Model):
    """The shared log (stafettlogg): the family-readable timeline of the case.

    Entries are never edited. A correction is a new entry that replaces the old one; the old
    one stays, visible to staff with access, and is marked as no longer current.
    """

    class Kind(models.TextChoices):
        CONCERN = "concern", _("Concern")
        NOTE = "note", _("Note")
        AGREEMENT = "agreement", _("Agreement")
        DECISION = "decision", _("Decision")
        GOAL = "goal", _("Goal")
        MEASURE = "measure", _("Measure")
        EVALUATION = "evaluation", _("Evaluation")
        MINUTES = "minutes", _("Meeting minutes")
        MEETING = "meeting", _("Meeting moved or cancelled")
        COORDINATOR = "coordinator", _("Coordinator")
        MILESTONE = "milestone", _("Milestone")
        CLOSING = "closing", _("Closing summary")

    # Entries Familiebro writes itself that name a unit, a staff member or a place (a new
    # measure and who is responsible, a new coordinator, a plan's decision, a moved meeting):
    # hidden where a protected address keeps where the family lives from the reader
    # (privacy.protected). Free text is the writer's to check, with the log's warning.
    KINDS_NAMING_SERVICES = frozenset({Kind.MEASURE, Kind.COORDINATOR, Kind.DECISION, Kind.MEETING})

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="log_entries")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"))
    # Staff-only entries are not shown to the family: the reason says why.
    internal_reason = models.CharField(_("why it is internal"), max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written"))
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    current = models.BooleanField(default=True)
    # When the holding service released it to the parents of a young person (12–17) whose
    # records it keeps from them by default (familiebro.privacy.family); None: not released.
    released_to_family_at = models.DateTimeField(_("released to the family"), null=True, blank=True)
    meeting = models.ForeignKey(
        "cases.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The measure an entry records (made or evaluated): the entry is internal whenever the
    # measure is, also when the measure is marked internal after the entry was written.
    measure = models.ForeignKey(
        "cases.Measure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        indexes = [models.Index(fields=["case", "current", "-created_at"])]

    @property
    def is_internal(self) -> bool:
        return bool(self.internal_reason)
