"""Importing staff from a CSV file, the shape an HR system's or a directory's export has:
first name, last name, e-mail, professional title, unit and role (docs/administration.md
shows an example).

Each row is checked on its own and reported by line and field, as the unit import does
(csv_import). Nothing is written or sent when any row is rejected, unless the administrator
asked for the good rows only. The e-mails go out only once the import has been written (a
file rolled back has sent nothing); a row whose e-mail the mail server then refuses is
reported, and its invitation withdrawn. A good row invites the person through
staff_actions.invite_staff, so the same rules and audit apply as to one invitation; a person
who already has an account in a unit the administrator runs is given the role through
staff_actions.add_role. A waiting invitation for the same e-mail, unit and role, or the role
already held, leaves the row unchanged: the same file imported twice sends nothing the
second time.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from familiebro.core.identifiers import normalise_organisation_number
from familiebro.core.models import Membership, ServiceUnit, User

from . import csv_import, permissions, staff_actions
from .models import Invitation

COLUMNS: dict[str, tuple[str, ...]] = {
    "first_name": ("fornavn", "first name", "given name", "givenname"),
    "last_name": ("etternavn", "last name", "surname", "family name"),
    "email": ("epost", "e-post", "email", "e-mail", "mail", "e-postadresse"),
    "title": ("stilling", "tittel", "yrkestittel", "stillingstittel", "title", "job title"),
    "unit": ("enhet", "avdeling", "unit", "department"),
    "role": ("rolle", "role"),
    "org_number": ("organisasjonsnummer", "orgnr", "organisation number"),
}
REQUIRED = ("first_name", "last_name", "email", "unit", "role")
FIELD_LABELS = {
    "first_name": "fornavn",
    "last_name": "etternavn",
    "email": "epost",
    "title": "stilling",
    "unit": "enhet",
    "role": "rolle",
    "org_number": "organisasjonsnummer",
}

# Professional titles as an HR system writes them, in lower case, to User.Title. Any title
# not here is "other": the title is shown beside the name, and gives no access.
TITLES: dict[str, str] = {
    "helsesykepleier": User.Title.PUBLIC_HEALTH_NURSE,
    "helsesøster": User.Title.PUBLIC_HEALTH_NURSE,
    "public health nurse": User.Title.PUBLIC_HEALTH_NURSE,
    "jordmor": User.Title.MIDWIFE,
    "midwife": User.Title.MIDWIFE,
    "familieterapeut": User.Title.FAMILY_THERAPIST,
    "family therapist": User.Title.FAMILY_THERAPIST,
    "pedagog": User.Title.EDUCATOR,
    "spesialpedagog": User.Title.EDUCATOR,
    "pp-rådgiver": User.Title.EDUCATOR,
    "educator": User.Title.EDUCATOR,
    "psykolog": User.Title.PSYCHOLOGIST,
    "psykologspesialist": User.Title.PSYCHOLOGIST,
    "psychologist": User.Title.PSYCHOLOGIST,
    "lege": User.Title.DOCTOR,
    "fastlege": User.Title.DOCTOR,
    "helsestasjonslege": User.Title.DOCTOR,
    "doctor": User.Title.DOCTOR,
    "sosionom": User.Title.SOCIAL_WORKER,
    "social worker": User.Title.SOCIAL_WORKER,
    "barnevernspedagog": User.Title.CHILD_WELFARE_WORKER,
    "barnevernskonsulent": User.Title.CHILD_WELFARE_WORKER,
    "lærer": User.Title.TEACHER,
    "laerer": User.Title.TEACHER,
    "lektor": User.Title.TEACHER,
    "adjunkt": User.Title.TEACHER,
    "teacher": User.Title.TEACHER,
    "barnehagelærer": User.Title.KINDERGARTEN_TEACHER,
    "barnehagelaerer": User.Title.KINDERGARTEN_TEACHER,
    "førskolelærer": User.Title.KINDERGARTEN_TEACHER,
    "fysioterapeut": User.Title.PHYSIOTHERAPIST,
    "physiotherapist": User.Title.PHYSIOTHERAPIST,
    "koordinator": User.Title.COORDINATOR,
    "leder": User.Title.MANAGER,
    "enhetsleder": User.Title.MANAGER,
    "avdelingsleder": User.Title.MANAGER,
}

# Roles in Norwegian or English, in lower case, to Membership.Role.
ROLES: dict[str, str] = {
    "medarbeider": Membership.Role.WORKER,
    "saksbehandler": Membership.Role.WORKER,
    "ansatt": Membership.Role.WORKER,
    "worker": Membership.Role.WORKER,
    "koordinator": Membership.Role.COORDINATOR,
    "coordinator": Membership.Role.COORDINATOR,
    "leder": Membership.Role.LEADER,
    "leader": Membership.Role.LEADER,
    "manager": Membership.Role.LEADER,
    "enhetsadministrator": Membership.Role.UNIT_ADMIN,
    "administrator": Membership.Role.UNIT_ADMIN,
    "unit administrator": Membership.Role.UNIT_ADMIN,
    "unit_admin": Membership.Role.UNIT_ADMIN,
}

INVITED = csv_import.RowResult.CREATED
ROLE_GIVEN = csv_import.RowResult.CHANGED
# Imported, but its e-mail was refused after the import was written: nothing of it stands.
NOT_SENT = "not_sent"


def title_for(value: str) -> str:
    """The User.Title of a title as written in the file; an unknown one is "other"."""
    wanted = " ".join(value.strip().lower().split())
    if not wanted:
        return ""
    if wanted in TITLES:
        return TITLES[wanted]
    for stored, label in User.Title.choices:
        if wanted in (stored, str(label).lower()):
            return stored
    return User.Title.OTHER


def role_for(value: str) -> str | None:
    wanted = " ".join(value.strip().lower().split())
    if wanted in ROLES:
        return ROLES[wanted]
    for stored, label in Membership.Role.choices:
        if wanted in (stored, str(label).lower()):
            return stored
    return None


def _units_named(value: str, org_number: str) -> list[ServiceUnit]:
    units = ServiceUnit.objects.select_related("organisation")
    if org_number:
        units = units.filter(organisation__org_number=org_number)
    by_id = list(units.filter(external_id=value)) if value else []
    return by_id or list(units.filter(name__iexact=value))


def _open_invitation(email: str) -> Invitation | None:
    return (
        Invitation.objects.filter(
            email__iexact=email,
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-sent_at")
        .first()
    )


def _check_unit(row: csv_import.RowResult, admin: Any) -> ServiceUnit | None:
    values = row.values
    org_number = ""
    if values["org_number"]:
        try:
            org_number = normalise_organisation_number(values["org_number"])
        except ValidationError as exc:
            row.problem("org_number", exc.messages[0])
            return None
    name = values["unit"]
    if not name:
        row.problem("unit", _("The row names no unit."))
        return None
    found = _units_named(name, org_number)
    ours = [unit for unit in found if permissions.may_administer_unit(admin, unit)]
    if not found:
        row.problem(
            "unit",
            _("No unit has the name or external id “%(value)s”.") % {"value": name[:100]},
        )
        return None
    if not ours:
        row.problem(
            "unit",
            _(
                "You are not an administrator of %(unit)s. Ask the unit's or the "
                "organisation's administrator to invite this person."
            )
            % {"unit": found[0].name},
        )
        return None
    if len(ours) > 1:
        row.problem(
            "unit",
            _(
                "More than one unit is called “%(value)s”. Use the unit's external id, or add "
                "the column organisasjonsnummer."
            )
            % {"value": name[:100]},
        )
        return None
    unit = ours[0]
    if staff_actions.needs_controller_authorisation(admin, unit):
        row.problem(
            "unit",
            _(
                "You are not an administrator of %(organisation)s: a role there is given on the "
                "controller's written authorisation. Invite this person from the staff page, "
                "or ask the organisation's administrator to import the file."
            )
            % {"organisation": unit.organisation.name},
        )
        return None
    return unit


def _check_row(row: csv_import.RowResult, admin: Any, seen: set) -> dict[str, Any] | None:
    """What the row asks for, or None when it has a problem (each one is added to the row)."""
    values = row.values
    row.label = f"{values['first_name']} {values['last_name']}".strip()[:200]
    first_name, last_name = values["first_name"], values["last_name"]
    if not first_name:
        row.problem("first_name", _("The row has no first name."))
    elif len(first_name) > 150:
        row.problem("first_name", _("The first name is longer than 150 characters."))
    if not last_name:
        row.problem("last_name", _("The row has no last name."))
    elif len(last_name) > 150:
        row.problem("last_name", _("The last name is longer than 150 characters."))
    email = values["email"]
    try:
        validate_email(email)
    except ValidationError:
        row.problem(
            "email",
            _("“%(value)s” is not an e-mail address.") % {"value": email[:100]}
            if email
            else _("The row has no e-mail address."),
        )
        email = ""
    else:
        if email.lower() in seen:
            row.problem("email", _("The same e-mail address is in the file twice."))
        seen.add(email.lower())
    role = role_for(values["role"])
    if role is None:
        row.problem(
            "role",
            _(
                "“%(value)s” is not a role. Use medarbeider, koordinator, leder or "
                "enhetsadministrator."
            )
            % {"value": values["role"][:50]},
        )
    unit = _check_unit(row, admin)
    if unit is not None and role is not None:
        # Asked before anything is written: a row refused only when written would undo the
        # whole file after some invitations had gone out.
        refusal = permissions.role_refusal(admin, unit, role)
        if refusal:
            row.problem("role", refusal)
    if not row.ok or unit is None or role is None:
        return None
    planned = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "title": title_for(values["title"]),
        "unit": unit,
        "role": role,
        "user": None,
    }
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if user.pk == admin.pk:
            row.problem(
                "email",
                _("This is your own account. Ask another administrator to give you a role."),
            )
        elif not permissions.may_administer_staff_member(admin, user):
            row.problem(
                "email",
                _(
                    "Someone with this e-mail address has an account, but works in no unit "
                    "you run. Ask their administrator."
                ),
            )
        planned["user"] = user
        return planned if row.ok else None
    waiting = _open_invitation(email)
    if waiting is not None and (waiting.unit_id, waiting.role) != (unit.pk, role):
        row.problem(
            "email",
            _(
                "An invitation to another unit or role is waiting for this address. Withdraw "
                "it from the staff list first, or give the role once the person has an account."
            ),
        )
        return None
    planned["waiting"] = waiting
    return planned


def _apply_row(admin: Any, row: csv_import.RowResult, planned: dict[str, Any]) -> None:
    unit, role, user = planned["unit"], planned["role"], planned["user"]
    try:
        if user is not None:
            if Membership.objects.filter(user=user, unit=unit, role=role).exists():
                row.outcome = csv_import.RowResult.UNCHANGED
                return
            staff_actions.add_role(admin, user, unit=unit, role=role)
            row.outcome = ROLE_GIVEN
            return
        if planned.get("waiting") is not None:
            row.outcome = csv_import.RowResult.UNCHANGED
            return
        staff_actions.invite_staff(
            admin,
            first_name=planned["first_name"],
            last_name=planned["last_name"],
            email=planned["email"],
            professional_title=planned["title"],
            unit=unit,
            role=role,
            when_sent=lambda sent: None if sent else _not_sent(row),
        )
        row.outcome = INVITED
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                row.problem(name if name in FIELD_LABELS else "email", message)
    except PermissionDenied as exc:
        row.problem("role", str(exc))


def _not_sent(row: csv_import.RowResult) -> None:
    """The row was imported, but its e-mail could not be sent after: its invitation was
    withdrawn, and the row is to be imported again."""
    row.outcome = NOT_SENT
    row.problem(
        "email",
        _(
            "The e-mail could not be sent: the mail server did not take it, so the invitation "
            "was withdrawn. Import this row again later, or invite the person on the staff page."
        ),
    )


def require_may_import(user: Any) -> None:
    """Importing staff is for those who invite staff: administrators of an organisation or a
    unit (every row is then checked against the unit it names)."""
    if not permissions.is_administrator(user):
        raise PermissionDenied(_("Only administrators of an organisation or a unit import staff."))


def import_staff(admin: Any, data: bytes, *, partial: bool = False) -> csv_import.Report:
    """Check every row of the file and, if all are good (or `partial`), invite or give roles
    in one transaction. Raises csv_import.CsvError when the file as a whole cannot be read."""
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
