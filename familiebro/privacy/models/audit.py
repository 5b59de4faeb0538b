"""The audit trail: an append-only, hash-chained record of every access to personal data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One access or change. Never updated or deleted (a database trigger enforces it)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        LIST = "list", _("Listed")
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")
        SEARCH = "search", _("Searched")
        EXPORT = "export", _("Exported")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        SECURITY = "security", _("Security setting changed")

    occurred_at = models.DateTimeField(_("when"))
    # Plain ids, not foreign keys: the trail must outlive the rows it talks about.
    actor_id = models.BigIntegerField(_("who (user id)"), null=True)
    actor_label = models.CharField(_("who"), max_length=200, blank=True)
    organisation_id = models.BigIntegerField(_("data controller"), null=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=100, blank=True)
    object_ids = models.JSONField(_("records"), default=list)
    subject_ids = models.JSONField(
        _("persons concerned"),
        default=list,
        help_text=_("Ids of the persons whose data this was, for their access log."),
    )
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=100, blank=True)
    consent_id = models.BigIntegerField(_("consent"), null=True)
    detail = models.JSONField(_("detail"), default=dict)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The id of the key in FAMILIEBRO_AUDIT_KEYS this event was chained with, so events stay
    # verifiable after the key is rotated. "sha256": chained before the chain had a key.
    key_id = models.CharField(max_length=32)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "occurred_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type} {self.occurred_at:%Y-%m-%d %H:%M}"


class AuditChainHead(models.Model):
    """The newest link of the chain. Locking this single row orders concurrent writers."""

    last_event_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("end of the audit chain")
        verbose_name_plural = _("ends of the audit chain")


class AuditVerification(models.Model):
    """One run of `familiebro verify-audit`: when, whether the trail was intact, and the
    newest checkpoint it was compared with. The instance health page reads the newest run to
    say when the trail was last verified and whether a verification is overdue."""

    verified_at = models.DateTimeField(_("verified"), db_index=True)
    intact = models.BooleanField(_("intact"))
    events_checked = models.PositiveBigIntegerField(_("events verified"))
    checkpoints_checked = models.PositiveIntegerField(_("checkpoints compared"))
    problems = models.PositiveIntegerField(_("problems found"))
    # The newest checkpoint the trail was compared with (None: no checkpoint was compared).
    checkpoint_event_id = models.BigIntegerField(_("newest checkpoint's event"), null=True)
    checkpoint_written_at = models.DateTimeField(_("newest checkpoint written"), null=True)

    class Meta:
        ordering = ["-verified_at", "-pk"]
        verbose_name = _("verification of the audit trail")
        verbose_name_plural = _("verifications of the audit trail")

    def __str__(self) -> str:
        return f"{'intact' if self.intact else 'NOT intact'} at {self.verified_at:%Y-%m-%d %H:%M}"
