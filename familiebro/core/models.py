"""Organisations (data controllers), their service units, staff and roles, and people."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import crypto
from .identifiers import (
    normalise_identity_number,
    normalise_organisation_number,
    normalise_phone_number,
)


class MunicipalityQuerySet(models.QuerySet):
    def in_force(self) -> MunicipalityQuerySet:
        """The municipalities that exist today: one merged into another keeps its row (units
        and offers point at it) with the date it ended."""
        return self.filter(ended_on__isnull=True)


class Municipality(models.Model):
    """A Norwegian municipality, identified by its four-digit number (kommunenummer). The
    list in force ships with Familiebro (core/data/municipalities.json, Statistics Norway's
    classification 131) and is kept current with `familiebro update-municipalities`."""

    number = models.CharField(_("municipality number"), max_length=4, unique=True)
    # The Norwegian name ("Harstad"), and the official one as Statistics Norway writes it,
    # every official language in it ("Harstad - Hárstták").
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=100, blank=True)
    county = models.CharField(_("county"), max_length=100, blank=True)
    county_number = models.CharField(_("county number"), max_length=2, blank=True)
    # The name in each language it has an official form in: nb, nn, sme (Northern Sámi),
    # smj (Lule Sámi), sma (South Sámi), fkv (Kven).
    names = models.JSONField(_("names by language"), default=dict, blank=True)
    ended_on = models.DateField(
        _("ended"),
        null=True,
        blank=True,
        help_text=_("The date the municipality ceased to exist, for example in a merger."),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (len(self.number) == 4 and self.number.isdigit()):
            raise ValidationError(
                {"number": _("A municipality number has four digits, for example 3413.")}
            )


class Organisation(models.Model):
    """A data controller: every row of personal data belongs to exactly one."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        STATE_SERVICE = "state_service", _("State service")
        HEALTH_TRUST = "health_trust", _("Health trust")
        VOLUNTARY = "voluntary", _("Voluntary organisation")
        INTER_MUNICIPAL = "inter_municipal", _("Inter-municipal service")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    org_number = models.CharField(_("organisation number"), max_length=9, unique=True)
    municipality = models.OneToOneField(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
        help_text=_("Only for organisations that are a municipality."),
    )
    municipalities_served = models.ManyToManyField(
        Municipality,
        verbose_name=_("municipalities served"),
        related_name="serving_organisations",
        blank=True,
        help_text=_("The municipalities whose families the organisation's services are for."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list] = {}
        try:
            self.org_number = normalise_organisation_number(self.org_number)
        except ValidationError as exc:
            errors["org_number"] = exc.messages
        is_municipality = self.kind == self.Kind.MUNICIPALITY
        if is_municipality and self.municipality_id is None:
            errors["municipality"] = [_("A municipality must name its municipality number.")]
        if not is_municipality and self.municipality_id is not None:
            errors["municipality"] = [_("Only a municipality has a municipality number.")]
        if errors:
            raise ValidationError(errors)


class ConfidentialityDomain(models.TextChoices):
    """The duty of confidentiality a unit works under. It follows the service, not the data
    controller: one municipality's health centre and its school each keep their own, so data
    crosses from one domain to another (inside one organisation as between two) only under a
    consent or a recorded legal basis (docs/data-protection.md, "Confidentiality domains")."""

    HEALTH = "health", _("Health and care services")
    SPECIALIST_HEALTH = "specialist_health", _("Specialist health service")
    CHILD_WELFARE = "child_welfare", _("Child welfare")
    EDUCATION = "education", _("Kindergarten, school and PPT")
    NAV = "nav", _("NAV")
    FAMILY_COUNSELLING = "family_counselling", _("Family counselling")
    CRISIS_SHELTER = "crisis_shelter", _("Crisis shelter")
    VOLUNTARY = "voluntary", _("Voluntary organisations")
    OTHER = "other", _("Other services")


class ServiceUnit(models.Model):
    class Kind(models.TextChoices):
        HEALTH_CENTRE = "helsestasjon", _("Child health centre")
        SCHOOL_HEALTH = "skolehelsetjeneste", _("School health service")
        FAMILY_COUNSELLING = "familievernkontor", _("Family counselling office")
        CHILD_WELFARE = "barnevern", _("Child welfare service")
        PPT = "ppt", _("Educational-psychological service (PPT)")
        BUP = "bup", _("Child and adolescent mental health (BUP)")
        HABU = "habu", _("Habilitation service for children (HABU)")
        KINDERGARTEN = "barnehage", _("Kindergarten")
        SCHOOL = "skole", _("School")
        NAV = "nav", _("NAV")
        GP = "fastlege", _("GP")
        FAMILY_CENTRE = "familiesenter", _("Family centre / Familiens hus")
        LOW_THRESHOLD_TEAM = "lavterskelteam", _("Low-threshold team")
        CRISIS_SHELTER = "krisesenter", _("Crisis shelter")
        VOLUNTARY = "frivillig", _("Voluntary offer")
        OTHER = "annet", _("Other")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    municipalities_served = models.ManyToManyField(
        Municipality, verbose_name=_("municipalities served"), related_name="units", blank=True
    )
    email = models.EmailField(_("e-mail for notifications"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Shown with the phone number to a family that sent a request (the receipt).
    phone_hours = models.CharField(
        _("phone hours"),
        max_length=200,
        blank=True,
        help_text=_('When families can call, for example "Monday to Friday 8–15".'),
    )
    # Shown to families with the phone number: where to find the unit.
    address = models.CharField(
        _("visiting address"),
        max_length=200,
        blank=True,
        help_text=_('Where families find the unit, for example "Storgata 1, 2335 Stange".'),
    )
    # The unit's id in the directory it was imported from, so a new import finds it again
    # after a rename.
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    first_contact_days = models.PositiveSmallIntegerField(
        _("days to first contact"),
        default=7,
        help_text=_("A request for help must get a first contact within this many days."),
    )
    # Left empty, it is the kind's default (save() fills it in).
    domain = models.CharField(
        _("confidentiality domain"),
        max_length=30,
        choices=ConfidentialityDomain.choices,
        blank=True,
        help_text=_(
            "The duty of confidentiality the unit works under. Its records are shared with "
            "units of another domain only under consent or a recorded legal basis."
        ),
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("service unit")
        verbose_name_plural = _("service units")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="unit_name_unique_in_org"
            ),
            # A unit without a domain would be closed to its own staff; save() fills it in.
            models.CheckConstraint(condition=~Q(domain=""), name="unit_has_a_domain"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.domain:
            self.domain = self.default_domain(self.kind)
        super().save(*args, **kwargs)

    @staticmethod
    def default_domain(kind: str) -> str:
        """The domain a unit of `kind` works in unless its organisation says otherwise."""
        return DEFAULT_DOMAIN_BY_KIND.get(kind, ConfidentialityDomain.OTHER)

    def clean(self) -> None:
        if not self.domain:
            self.domain = self.default_domain(self.kind)
        if self.phone:
            try:
                self.phone = normalise_phone_number(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from exc


_Kind = ServiceUnit.Kind
# Health personnel (helsepersonelloven) in the municipality's health services; the specialist
# health service is another controller's and its own domain; kindergarten, school and PPT work
# under the Public Administration Act's duty; child welfare, NAV, family counselling and crisis
# shelters each under their own act. Family centres and low-threshold teams are usually staffed
# by the health service; an organisation that runs them otherwise sets the unit's domain.
DEFAULT_DOMAIN_BY_KIND: dict[str, str] = {
    _Kind.HEALTH_CENTRE: ConfidentialityDomain.HEALTH,
    _Kind.SCHOOL_HEALTH: ConfidentialityDomain.HEALTH,
    _Kind.GP: ConfidentialityDomain.HEALTH,
    _Kind.FAMILY_CENTRE: ConfidentialityDomain.HEALTH,
    _Kind.LOW_THRESHOLD_TEAM: ConfidentialityDomain.HEALTH,
    _Kind.BUP: ConfidentialityDomain.SPECIALIST_HEALTH,
    _Kind.HABU: ConfidentialityDomain.SPECIALIST_HEALTH,
    _Kind.CHILD_WELFARE: ConfidentialityDomain.CHILD_WELFARE,
    _Kind.KINDERGARTEN: ConfidentialityDomain.EDUCATION,
    _Kind.SCHOOL: ConfidentialityDomain.EDUCATION,
    _Kind.PPT: ConfidentialityDomain.EDUCATION,
    _Kind.NAV: ConfidentialityDomain.NAV,
    _Kind.FAMILY_COUNSELLING: ConfidentialityDomain.FAMILY_COUNSELLING,
    _Kind.CRISIS_SHELTER: ConfidentialityDomain.CRISIS_SHELTER,
    _Kind.VOLUNTARY: ConfidentialityDomain.VOLUNTARY,
    _Kind.OTHER: ConfidentialityDomain.OTHER,
}


class User(AbstractUser):
    """A member of staff. Parents and young people log in through ID-porten instead."""

    class Title(models.TextChoices):
        PUBLIC_HEALTH_NURSE = "helsesykepleier", _("Public health nurse")
        MIDWIFE = "jordmor", _("Midwife")
        FAMILY_THERAPIST = "familieterapeut", _("Family therapist")
        EDUCATOR = "pedagog", _("Educator")
        PSYCHOLOGIST = "psykolog", _("Psychologist")
        DOCTOR = "lege", _("Doctor")
        SOCIAL_WORKER = "sosionom", _("Social worker")
        CHILD_WELFARE_WORKER = "barnevernspedagog", _("Child welfare educator")
        TEACHER = "laerer", _("Teacher")
        KINDERGARTEN_TEACHER = "barnehagelaerer", _("Kindergarten teacher")
        PHYSIOTHERAPIST = "fysioterapeut", _("Physiotherapist")
        COORDINATOR = "koordinator", _("Coordinator")
        MANAGER = "leder", _("Manager")
        OTHER = "annet", _("Other")

    professional_title = models.CharField(
        _("professional title"), max_length=30, choices=Title.choices, blank=True
    )
    is_instance_admin = models.BooleanField(
        _("instance administrator"),
        default=False,
        help_text=_(
            "Runs the instance: organisations, units and staff accounts. "
            "Gives no access to personal data."
        ),
    )
    failed_login_count = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Raising this ends every session of the user ("log out everywhere").
    session_generation = models.PositiveIntegerField(default=0, editable=False)
    # Demo accounts may skip the second factor, and only while the instance is in demo mode.
    is_demo_account = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def get_session_auth_hash(self) -> str:
        # Django checks this on every request; binding it to the generation counter lets
        # "log out everywhere" invalidate all other sessions without touching the password.
        key = settings.SECRET_KEY.encode()
        message = f"{self.password}:{self.session_generation}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A staff member's role in one service unit. A person may hold several."""

    class Role(models.TextChoices):
        WORKER = "worker", _("Worker")
        COORDINATOR = "coordinator", _("Coordinator")
        LEADER = "leader", _("Leader")
        UNIT_ADMIN = "unit_admin", _("Unit administrator")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(ServiceUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.unit} ({self.get_role_display()})"


class OrganisationAdministrator(models.Model):
    """A staff member who runs one data controller's units and staff in Familiebro.

    The controller's own administrator: appointed by an instance administrator on the
    controller's behalf, or by another administrator of the same organisation. The role
    configures units and staff accounts and opens no family's data: it is no membership of a
    unit, so the access policy gives it nothing to read."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="administered_organisations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="administrators"
    )
    appointed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appointed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation administrator")
        verbose_name_plural = _("organisation administrators")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="organisation_administrator_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


class AddressProtection(models.TextChoices):
    """The population register's address protection (adressesperre), as staff record it from
    the register: code 7 (fortrolig), code 6 (strengt fortrolig), and code 6 abroad. Where a
    protected person lives, and what could reveal it, is kept from everyone who is not them
    (familiebro.privacy.protected, docs/data-protection.md, "Protected addresses")."""

    NONE = "", _("No address protection")
    CONFIDENTIAL = "fortrolig", _("Confidential address (code 7)")
    STRICTLY_CONFIDENTIAL = "strengt_fortrolig", _("Strictly confidential address (code 6)")
    STRICTLY_CONFIDENTIAL_ABROAD = (
        "strengt_fortrolig_utland",
        _("Strictly confidential address abroad"),
    )


# How strong each protection is, to tell raising it (anyone who may change the person) from
# lowering or lifting it (a unit leader): persons.permissions.
ADDRESS_PROTECTION_RANK: dict[str, int] = {
    AddressProtection.NONE: 0,
    AddressProtection.CONFIDENTIAL: 1,
    AddressProtection.STRICTLY_CONFIDENTIAL: 2,
    AddressProtection.STRICTLY_CONFIDENTIAL_ABROAD: 2,
}


class Person(models.Model):
    """A child, young person, guardian or expectant parent known to one organisation."""

    class Kind(models.TextChoices):
        CHILD = "child", _("Child")
        YOUNG_PERSON = "young_person", _("Young person")
        GUARDIAN = "guardian", _("Parent or guardian")
        EXPECTANT_PARENT = "expectant_parent", _("Expectant parent")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="persons",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    national_id_encrypted = models.BinaryField(null=True, editable=False)
    national_id_hash = models.CharField(max_length=64, null=True, editable=False, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    address_protection = models.CharField(
        _("address protection"),
        max_length=30,
        choices=AddressProtection.choices,
        blank=True,
        default=AddressProtection.NONE,
    )
    # Who recorded the protection as it is now, and when (the audit trail keeps every change).
    address_protection_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    address_protection_set_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "national_id_hash"],
                name="person_identity_unique_in_org",
                violation_error_message=_(
                    "A person with this identity number is already registered in this "
                    "organisation. Search for the person instead of registering them again."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def has_protected_address(self) -> bool:
        return self.address_protection != AddressProtection.NONE

    @property
    def national_id(self) -> str | None:
        """The decrypted identity number. Read it only through the privacy layer."""
        if self.national_id_encrypted is None:
            return None
        return crypto.decrypt(self.national_id_encrypted, associated_data=b"person.national_id")

    def set_national_id(self, value: str | None) -> None:
        if not value:
            self.national_id_encrypted = None
            self.national_id_hash = None
            return
        number = normalise_identity_number(value)
        self.national_id_encrypted = crypto.encrypt(number, associated_data=b"person.national_id")
        self.national_id_hash = crypto.lookup_hash(number)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.phone:
            try:
                self.phone = normalise_phone_number(self.phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages
        if self.birth_date is None and self.kind != self.Kind.EXPECTANT_PARENT:
            errors["birth_date"] = [_("Enter the birth date.")]
        if self.birth_date and self.birth_date > datetime.date.today():
            errors["birth_date"] = [_("The birth date cannot be in the future.")]
        if errors:
            raise ValidationError(errors)


class GuardianRelation(models.Model):
    """Who is a guardian of whom, and whether they hold parental responsibility."""

    class Kind(models.TextChoices):
        BIOLOGICAL = "biological", _("Biological parent")
        ADOPTIVE = "adoptive", _("Adoptive parent")
        STEP = "step", _("Step-parent")
        FOSTER = "foster", _("Foster parent")
        OTHER = "other", _("Other guardian")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="children_rel")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardians_rel")

    class KnownFrom(models.TextChoices):
        """How the service knows the relation: what a colleague can rely on later."""

        POPULATION_REGISTER = "population_register", _("The population register")
        DOCUMENT = "document", _("A document (birth certificate, agreement or court decision)")
        FAMILY = "family", _("What the family told us")

    kind = models.CharField(_("relation"), max_length=20, choices=Kind.choices)
    has_parental_responsibility = models.BooleanField(_("parental responsibility"))
    # Living at the same address as the child (in the population register's sense).
    lives_with_child = models.BooleanField(_("lives with the child"), default=True)
    # Empty for relations made before staff linked guardians themselves (the demo data).
    known_from = models.CharField(
        _("known from"), max_length=30, choices=KnownFrom.choices, blank=True
    )
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True, editable=False)
    registered_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("guardian relation")
        verbose_name_plural = _("guardian relations")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "child"], name="guardian_relation_unique")
        ]

    def clean(self) -> None:
        if self.guardian_id and self.guardian_id == self.child_id:
            raise ValidationError(_("A person cannot be their own guardian."))
        for person in (self.guardian, self.child):
            if person.organisation_id != self.organisation_id:
                raise ValidationError(
                    _("Guardian and child must be registered in the same organisation.")
                )


class ParentInformationDecision(models.Model):
    """A service's decision on a request for information about a child from a parent without
    parental responsibility (barneloven § 47): what was asked, what was given or why it was
    refused, by whom and when. Such a parent has no access on Min side; the service decides
    each request, and a refusal may be appealed to the county governor (statsforvalteren).
    Held by the deciding unit, in its confidentiality domain."""

    class Outcome(models.TextChoices):
        GIVEN = "given", _("Information given")
        PARTLY_GIVEN = "partly_given", _("Partly given")
        REFUSED = "refused", _("Refused")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        ServiceUnit, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        Person, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="+"
    )
    asked = models.TextField(_("what the parent asked for"))
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    given = models.TextField(_("what was given"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("decision on information to a parent (barneloven § 47)")
        verbose_name_plural = _("decisions on information to a parent (barneloven § 47)")
