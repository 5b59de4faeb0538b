"""Validation of Norwegian identifiers with clear, actionable messages.

Checksums come from python-stdnum. Norway's synthetic test numbers (Skatteetaten's Tenor test
data adds 80 to the birth month) are accepted only when the instance is in demo or test mode,
so they can never enter a production register.
"""

import datetime

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.no import fodselsnummer, orgnr

SYNTHETIC_MONTH_OFFSET = 80


def _is_synthetic(number: str) -> bool:
    return len(number) == 11 and number.isdigit() and int(number[2:4]) > SYNTHETIC_MONTH_OFFSET


def normalise_identity_number(value: str) -> str:
    """Return the 11 digits of a valid fødselsnummer or D-number, or raise ValidationError."""
    number = fodselsnummer.compact(value or "")
    if not (len(number) == 11 and number.isdigit()):
        raise ValidationError(
            _("An identity number has 11 digits. Check the number and try again."),
            code="identity_number_length",
        )
    if _is_synthetic(number):
        if not settings.ACCEPT_SYNTHETIC_IDENTITY_NUMBERS:
            raise ValidationError(
                _("This is a synthetic test number. Enter the person's real identity number."),
                code="identity_number_synthetic",
            )
        real_month = int(number[2:4]) - SYNTHETIC_MONTH_OFFSET
        candidate = number[:2] + f"{real_month:02d}" + number[4:]
        # The checksums are computed over the synthetic digits, the date over the real month.
        checks_ok = (
            fodselsnummer.calc_check_digit1(number[:9]) == number[9]
            and fodselsnummer.calc_check_digit2(number[:10]) == number[10]
        )
        if not checks_ok:
            raise _checksum_error()
        try:
            fodselsnummer.get_birth_date(candidate)
        except stdnum_errors.ValidationError as exc:
            raise _date_error() from exc
        return number
    try:
        return fodselsnummer.validate(number)
    except stdnum_errors.InvalidChecksum as exc:
        raise _checksum_error() from exc
    except stdnum_errors.ValidationError as exc:
        raise _date_error() from exc


def birth_date_from_identity_number(number: str) -> datetime.date:
    if _is_synthetic(number):
        number = number[:2] + f"{int(number[2:4]) - SYNTHETIC_MONTH_OFFSET:02d}" + number[4:]
    return fodselsnummer.get_birth_date(number)


def _checksum_error() -> ValidationError:
    return ValidationError(
        _("The control digits of this identity number do not match. Check for a typing error."),
        code="identity_number_checksum",
    )


def _date_error() -> ValidationError:
    return ValidationError(
        _("The first six digits of an identity number must be a valid birth date (DDMMYY)."),
        code="identity_number_date",
    )


def normalise_organisation_number(value: str) -> str:
    number = orgnr.compact(value or "")
    try:
        return orgnr.validate(number)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _(
                "The organisation number's control digit does not match. Check the number in "
                "the Brønnøysund Register Centre."
            ),
            code="orgnr_checksum",
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("An organisation number has 9 digits."), code="orgnr_format"
        ) from exc


def normalise_phone_number(value: str) -> str:
    """Return the number in E.164 form; Norwegian numbers may be written without +47."""
    try:
        parsed = phonenumbers.parse(value, "NO")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter a phone number, for example 912 34 567 or +46 70 123 45 67."),
            code="phone_format",
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("%(number)s is not a valid phone number. Check the digits and the country code.")
            % {"number": value},
            code="phone_invalid",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_number_for_reading(value: str) -> str:
    """A phone number as people write it: Norwegian numbers in groups without the country
    code ("912 34 567", "22 12 34 56", "800 33 321"), others with theirs ("+46 70 123 45 67").
    What cannot be read as a number (a text imported from elsewhere) is shown as it is."""
    if not value:
        return value
    try:
        parsed = phonenumbers.parse(value, "NO")
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(parsed):
        return value
    if parsed.country_code == 47:
        digits = phonenumbers.national_significant_number(parsed)
        if len(digits) != 8:
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        # The Language Council's convention: mobile (4, 9) and special (8) numbers as 3-2-3,
        # other numbers in pairs.
        if digits[0] in "489":
            return f"{digits[:3]} {digits[3:5]} {digits[5:]}"
        return " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
