import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from familiebro.core.identifiers import (
    birth_date_from_identity_number,
    normalise_identity_number,
    normalise_organisation_number,
    normalise_phone_number,
    phone_number_for_reading,
)
from tests.factories import checksummed, identity_number


def test_it_accepts_a_valid_identity_number_with_spaces():
    number = identity_number(datetime.date(2012, 6, 15))
    assert normalise_identity_number(f"{number[:6]} {number[6:]}") == number


def test_it_accepts_a_d_number():
    d_number = checksummed("550612")  # D-number: 40 added to the day, born 15 June 2012
    assert normalise_identity_number(d_number) == d_number


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1234", "11 digits"),
        ("15061210111", "control digits"),
        (checksummed("321312"), "valid birth date"),
    ],
)
def test_it_refuses_invalid_identity_numbers_with_a_clear_message(value, message):
    with pytest.raises(ValidationError) as exc:
        normalise_identity_number(value)
    assert message in " ".join(exc.value.messages)


def test_it_accepts_synthetic_numbers_in_test_mode():
    number = identity_number(datetime.date(2012, 6, 15), synthetic=True)
    assert normalise_identity_number(number) == number
    assert birth_date_from_identity_number(number) == datetime.date(2012, 6, 15)


@override_settings(ACCEPT_SYNTHETIC_IDENTITY_NUMBERS=False)
def test_it_refuses_synthetic_numbers_in_production():
    number = identity_number(datetime.date(2012, 6, 15), synthetic=True)
    with pytest.raises(ValidationError, match="synthetic test number"):
        normalise_identity_number(number)


def test_it_validates_organisation_numbers():
    assert normalise_organisation_number("974 760 673") == "974760673"  # Brønnøysundregistrene
    with pytest.raises(ValidationError, match="control digit"):
        normalise_organisation_number("974760674")
    with pytest.raises(ValidationError, match="9 digits"):
        normalise_organisation_number("1234")


def test_it_normalises_norwegian_and_foreign_phone_numbers():
    assert normalise_phone_number("912 34 567") == "+4791234567"
    assert normalise_phone_number("+46 70 123 45 67") == "+46701234567"


@pytest.mark.parametrize("value", ["12", "telefon", "+47 123"])
def test_it_refuses_invalid_phone_numbers(value):
    with pytest.raises(ValidationError):
        normalise_phone_number(value)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+4791234567", "912 34 567"),
        ("+4741234567", "412 34 567"),
        ("+4722123456", "22 12 34 56"),
        ("+4780033321", "800 33 321"),
        ("+46701234567", "+46 70 123 45 67"),
        ("116 111", "116 111"),
        ("Ring 113", "Ring 113"),
        ("", ""),
    ],
)
def test_phone_numbers_read_as_people_write_them(stored, shown):
    assert phone_number_for_reading(stored) == shown
