"""Importing units from a CSV file, the shape a directory export has: organisation number,
unit name, kind, confidentiality domain, municipality numbers, phone, e-mail and address
(docs/administration.md shows an example).

Each row is checked on its own and reported by line and field. Nothing is written when any
row is rejected, unless the administrator asked for the good rows only. A unit is found again
by its organisation and external id, or else its organisation and name, so the same file
imported twice changes nothing the second time.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from familiebro.core.identifiers import normalise_organisation_number, normalise_phone_number
from familiebro.core.models import ConfidentialityDomain, Organisation, ServiceUnit

from . import csv_import, permissions
from .organisation_actions import UNIT_FIELDS, save_unit, snapshot, unit_has_records
from .organisation_forms import parse_municipality_numbers
from .sections import organisation_administrators

COLUMNS: dict[str, tuple[str, ...]] = {
    "org_number": ("organisasjonsnummer", "orgnr", "org_number", "organisation number"),
    "name": ("enhet", "navn", "name", "unit"),
    "kind": ("type", "kind"),
    "domain": ("domene", "taushetsdomene", "domain"),
    "municipalities": ("kommunenummer", "kommuner", "municipalities"),
    "phone": ("telefon", "phone"),
    "email": ("epost", "e-post", "email", "e-mail"),
    "address": ("adresse", "besøksadresse", "address"),
    "external_id": ("ekstern id", "id", "external id"),
}
REQUIRED = ("org_number", "name", "kind")
FIELD_LABELS = {
    "org_number": "organisasjonsnummer",
    "name": "enhet",
    "kind": "type",
    "domain": "domene",
    "municipalities": "kommunenummer",
    "phone": "telefon",
    "email": "epost",
    "address": "adresse",
    "external_id": "ekstern id",
}


def _choice(value: str, choices: Any) -> str | None:
    """The stored value of a choice given as its value or its label, in any case."""
    wanted = value.strip().lower()
    for stored, label in choices:
        if wanted in (str(stored).lower(), str(label).lower()):
            return str(stored)
    return None


def _check_row(row: csv_import.RowResult, admin: Any, seen: set) -> dict[str, Any] | None:
    """The unit's values as the model takes them, or None when the row has a problem (each
    one is added to the row)."""
    values = row.values
    row.label = values["name"][:200]
    organisation = None
    try:
        org_number = normalise_organisation_number(values["org_number"])
    except ValidationError as exc:
        row.problem("org_number", exc.messages[0])
    else:
        organisation = Organisation.objects.filter(org_number=org_number).first()
        if organisation is None:
            row.problem(
                "org_number",
                _("No organisation here has the number %(number)s. Create it first.")
                % {"number": org_number},
            )
        elif not permissions.may_administer_organisation(admin, organisation.pk):
            row.problem(
                "org_number",
                _("You are not an administrator of %(organisation)s.")
                % {"organisation": organisation.name},
            )
    name = values["name"].strip()
    if not name:
        row.problem("name", _("The unit has no name."))
    elif len(name) > 200:
        row.problem("name", _("The name is longer than 200 characters."))
    kind = _choice(values["kind"], ServiceUnit.Kind.choices)
    if kind is None:
        row.problem(
            "kind",
            _("“%(value)s” is not a kind of unit. Use one of: %(kinds)s.")
            % {
                "value": values["kind"][:50],
                "kinds": ", ".join(str(label) for label in ServiceUnit.Kind.labels),
            },
        )
    domain = ""
    if values["domain"]:
        domain = _choice(values["domain"], ConfidentialityDomain.choices) or ""
        if not domain:
            row.problem(
                "domain",
                _("“%(value)s” is not a confidentiality domain. Use one of: %(domains)s.")
                % {
                    "value": values["domain"][:50],
                    "domains": ", ".join(str(label) for label in ConfidentialityDomain.labels),
                },
            )
    municipalities, problems = parse_municipality_numbers(values["municipalities"])
    for problem in problems:
        row.problem("municipalities", problem)
    phone = values["phone"]
    if phone:
        try:
            phone = normalise_phone_number(phone)
        except ValidationError as exc:
            row.problem("phone", exc.messages[0])
    email = values["email"]
    if email:
        try:
            ServiceUnit._meta.get_field("email").run_validators(email)  # type: ignore[union-attr]
        except ValidationError:
            row.problem(
                "email", _("“%(value)s” is not an e-mail address.") % {"value": email[:100]}
            )
    if len(values["address"]) > 200:
        row.problem("address", _("The address is longer than 200 characters."))
    if len(values["external_id"]) > 100:
        row.problem("external_id", _("The id is longer than 100 characters."))
    if organisation is not None and name:
        key = (organisation.pk, values["external_id"] or name.lower())
        if key in seen:
            row.problem("name", _("The same unit is in the file twice."))
        seen.add(key)
    if not row.ok or organisation is None or kind is None:
        return None
    return {
        "organisation": organisation,
        "name": name,
        "kind": kind,
        "domain": domain or ServiceUnit.default_domain(kind),
        "phone": phone,
        "email": email,
        "address": values["address"],
        "external_id": values["external_id"],
        "municipalities": municipalities,
    }


def _existing(values: dict[str, Any]) -> ServiceUnit | None:
    units = ServiceUnit.objects.filter(organisation=values["organisation"])
    if values["external_id"]:
        found = units.filter(external_id=values["external_id"]).first()
        if found is not None:
            return found
    return units.filter(name__iexact=values["name"]).first()


def _apply_row(admin: Any, row: csv_import.RowResult, values: dict[str, Any]) -> None:
    unit = _existing(values)
    before = None
    if unit is None:
        unit = ServiceUnit(organisation=values["organisation"])
    else:
        before = snapshot(unit, UNIT_FIELDS)
        if values["domain"] != unit.domain and unit_has_records(unit):
            row.problem(
                "domain",
                _(
                    "The unit already holds cases made under the domain %(domain)s; it cannot "
                    "be changed."
                )
                % {"domain": unit.domain},
            )
            return
        taken = ServiceUnit.objects.filter(
            organisation=unit.organisation, name__iexact=values["name"]
        ).exclude(pk=unit.pk)
        if taken.exists():
            row.problem("name", _("Another unit of the organisation has this name."))
            return
    for name in ("name", "kind", "domain", "phone", "email", "address", "external_id"):
        setattr(unit, name, values[name])
    try:
        changes = save_unit(admin, unit, before, values["municipalities"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                row.problem(name if name in FIELD_LABELS else "name", message)
        return
    except PermissionDenied as exc:
        row.problem("org_number", str(exc))
        return
    if before is None:
        row.outcome = csv_import.RowResult.CREATED
    else:
        row.outcome = csv_import.RowResult.CHANGED if changes else csv_import.RowResult.UNCHANGED


def require_may_import(user: Any) -> None:
    """Importing is for the administrators of some organisation (every row is then checked
    against the organisation it names)."""
    if not organisation_administrators(user):
        raise PermissionDenied(_("Only organisation administrators import units."))


def import_units(admin: Any, data: bytes, *, partial: bool = False) -> csv_import.Report:
    """Check every row of the file and, if all are good (or `partial`), write them in one
    transaction. Raises csv_import.CsvError when the file as a whole cannot be read."""
    require_may_import(admin)
    return csv_import.run(
        admin,
        data,
        columns=COLUMNS,
        required=REQUIRED,
        headings=FIELD_LABELS,
        check_row=_check_row,
        apply_row=_apply_row,
        partial=partial,
    )
