"""Staff single sign-on: an organisation's own OpenID Connect provider (Entra ID,
Ansattporten) and the provider identities linked to Familiebro's staff accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from familiebro.core import crypto
from familiebro.core.models import Organisation

_SECRET_CONTEXT = b"administration.sign_on.client_secret"


class OrganisationSignOn(models.Model):
    """How an organisation's staff log in with its own identity provider. The client secret
    is kept encrypted and never shown back."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="sign_on",
    )
    label = models.CharField(_("text on the login button"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=300)
    client_id = models.CharField(_("client id"), max_length=300)
    client_secret_encrypted = models.BinaryField(_("client secret (encrypted)"))
    # A login whose acr is one of these, or whose amr holds one of these, passed a second
    # factor at the provider: Familiebro then asks for no code of its own.
    second_factor_acr = models.JSONField(
        _("acr values that count as a second factor"), default=list
    )
    second_factor_amr = models.JSONField(
        _("amr values that count as a second factor"), default=list
    )
    # Where the provider's authorization endpoint is (from its discovery when saved): the
    # login page's form-action allows it besides the issuer.
    authorization_origin = models.CharField(_("address of the login page"), max_length=300)
    enabled = models.BooleanField(_("in use"), default=False)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("organisation sign-on")
        verbose_name_plural = _("organisation sign-ons")

    def __str__(self) -> str:
        return self.label

    @property
    def client_secret(self) -> str:
        return crypto.decrypt(bytes(self.client_secret_encrypted), associated_data=_SECRET_CONTEXT)

    @client_secret.setter
    def client_secret(self, secret: str) -> None:
        self.client_secret_encrypted = crypto.encrypt(secret, associated_data=_SECRET_CONTEXT)

    def second_factor_shown(self, claims: dict) -> bool:
        """Whether the provider's acr/amr claims show a second factor this organisation
        accepts."""
        acr = claims.get("acr")
        amr = claims.get("amr") or []
        if isinstance(amr, str):
            amr = [amr]
        return (isinstance(acr, str) and acr in self.second_factor_acr) or any(
            isinstance(method, str) and method in self.second_factor_amr for method in amr
        )


class StaffIdentity(models.Model):
    """A staff account's identity at an organisation's provider: the provider's stable
    subject (`iss` + `sub`), never a name or an e-mail address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_identities",
    )
    sign_on = models.ForeignKey(
        OrganisationSignOn,
        verbose_name=_("organisation sign-on"),
        on_delete=models.CASCADE,
        related_name="identities",
    )
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff identity")
        verbose_name_plural = _("staff identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="staff_identity_one_account_per_subject"
            ),
            models.UniqueConstraint(
                fields=["user", "sign_on"], name="staff_identity_one_per_user_and_sign_on"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sign_on} ({self.user_id})"
