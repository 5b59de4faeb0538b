"""Importing units from a CSV file: the per-row report, all or nothing unless the good rows
are asked for, idempotent re-runs, and the same from the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from familiebro.administration import csv_import
from familiebro.core.models import (
    Membership,
    Municipality,
    Organisation,
    OrganisationAdministrator,
    ServiceUnit,
)
from familiebro.privacy.models import AuditEvent
from tests import factories
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

IMPORT = reverse("administration:unit-import")
HEADER = "organisasjonsnummer;enhet;type;domene;kommunenummer;telefon;epost;adresse\n"


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def stange():
    return factories.OrganisationFactory(
        name="Stange kommune",
        kind=Organisation.Kind.MUNICIPALITY,
        org_number="974760673",
        municipality=Municipality.objects.get(number="3413"),
    )


@pytest.fixture
def admin(stange):
    user = make.user()
    OrganisationAdministrator.objects.create(user=user, organisation=stange)
    return user


GOOD = (
    HEADER + "974760673;Helsestasjonen i Stange;helsestasjon;;3413;62 56 20 00;hs@example.no;"
    "Storgata 1, 2335 Stange\n" + "974 760 673;PPT Stange;ppt;education;3413 3403;;;\n"
)


def upload(client, text, *, encoding="utf-8", partial=False):
    data = {"file": SimpleUploadedFile("enheter.csv", text.encode(encoding), "text/csv")}
    if partial:
        data["partial"] = "on"
    return client.post(IMPORT, data)


def test_a_good_file_creates_its_units_and_a_second_run_changes_nothing(admin, stange):
    client = logged_in(admin)
    response = upload(client, GOOD)
    assert response.status_code == 200
    assert "Imported: 2 created, 0 changed, 0 unchanged." in response.content.decode()
    health = ServiceUnit.objects.get(organisation=stange, name="Helsestasjonen i Stange")
    assert (health.domain, health.phone, health.address) == (
        "health",
        "+4762562000",
        "Storgata 1, 2335 Stange",
    )
    ppt = ServiceUnit.objects.get(name="PPT Stange")
    assert {m.number for m in ppt.municipalities_served.all()} == {"3413", "3403"}
    assert AuditEvent.objects.filter(detail__event="unit_created").count() == 2

    again = upload(client, GOOD)
    assert "Imported: 0 created, 0 changed, 2 unchanged." in again.content.decode()
    assert ServiceUnit.objects.filter(organisation=stange).count() == 2
    assert AuditEvent.objects.filter(detail__event="unit_changed").count() == 0

    changed = upload(client, GOOD.replace("62 56 20 00", "62 56 30 00"))
    assert "Imported: 0 created, 1 changed, 1 unchanged." in changed.content.decode()
    event = AuditEvent.objects.get(detail__event="unit_changed")
    assert event.detail["changes"]["phone"] == {"before": "+4762562000", "after": "+4762563000"}


BAD = (
    GOOD
    + "974760674;Feil nummer;helsestasjon;;3413;;;\n"
    + "974760673;Ukjent type;rakett;;3413 9999;12;ikke-epost;\n"
)


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row_and_column(admin):
    response = upload(logged_in(admin), BAD)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported: 2 rows have problems." in page
    assert "control digit does not match" in page
    assert "“rakett” is not a kind of unit" in page
    assert "No municipality in force has the number 9999" in page
    assert "not a valid phone number" in page
    assert "“ikke-epost” is not an e-mail address" in page
    report_rows = page.split("Rows with problems")[1]
    for line, column in [("4", "organisasjonsnummer"), ("5", "type"), ("5", "kommunenummer")]:
        assert f"<td>{line}</td>" in report_rows and f"<td>{column}</td>" in report_rows
    assert not ServiceUnit.objects.exists()


def test_the_good_rows_only_when_asked(admin):
    response = upload(logged_in(admin), BAD, partial=True)
    assert "Imported: 2 created, 0 changed, 0 unchanged. 2 rows were rejected." in (
        response.content.decode()
    )
    assert set(ServiceUnit.objects.values_list("name", flat=True)) == {
        "Helsestasjonen i Stange",
        "PPT Stange",
    }


def test_windows_1252_with_commas_and_an_external_id_that_follows_a_rename(admin, stange):
    text = (
        "orgnr,navn,type,kommuner,ekstern_id\n"
        "974760673,Helsestasjon for ungdom i Løten,skolehelsetjeneste,3413,HS-1\n"
    )
    client = logged_in(admin)
    assert upload(client, text, encoding="cp1252").status_code == 200
    unit = ServiceUnit.objects.get(external_id="HS-1")
    assert unit.name == "Helsestasjon for ungdom i Løten"
    upload(client, text.replace("i Løten", "i Stange"), encoding="cp1252")
    unit.refresh_from_db()
    assert unit.name == "Helsestasjon for ungdom i Stange"
    assert ServiceUnit.objects.count() == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The submitted file is empty"),
        (b"enhet;type\nX;ppt\n", "The file has no column “organisasjonsnummer”"),
        (b"\x00\x01\x02", "The file is not text"),
        (b'organisasjonsnummer;enhet;type\n"974760673;A;ppt\n', "quotation marks"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(admin, content, message):
    response = logged_in(admin).post(
        IMPORT, {"file": SimpleUploadedFile("enheter.csv", content, "text/csv")}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ServiceUnit.objects.exists()


def test_another_organisations_units_are_refused(stange):
    other_admin = make.user()
    other = make.organisation(name="Sykehuset Innlandet", kind=Organisation.Kind.HEALTH_TRUST)
    OrganisationAdministrator.objects.create(user=other_admin, organisation=other)
    response = upload(logged_in(other_admin), GOOD)
    assert "You are not an administrator of Stange kommune" in response.content.decode()
    assert not ServiceUnit.objects.exists()


@pytest.mark.parametrize("role", ["unit_admin", "caseworker"])
def test_unit_administrators_and_caseworkers_have_no_import(stange, role):
    unit = make.unit(stange, name="Tangen barnehage", kind="barnehage")
    user = make.member(unit, role=Membership.Role.UNIT_ADMIN if role == "unit_admin" else "worker")
    client = logged_in(user)
    assert client.get(IMPORT).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert ServiceUnit.objects.count() == 1


def test_an_instance_administrator_imports_for_any_organisation(stange):
    response = upload(logged_in(make.user(is_instance_admin=True)), GOOD)
    assert "2 created" in response.content.decode()


def test_the_command_imports_all_or_nothing(stange, tmp_path):
    path = tmp_path / "enheter.csv"
    path.write_text(BAD, encoding="utf-8-sig")
    out = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 2 rows have problems"):
        call_command("import-units", str(path), stdout=out)
    assert "Line 5 (Ukjent type), type:" in out.getvalue()
    assert not ServiceUnit.objects.exists()
    call_command("import-units", str(path), "--partial", stdout=out)
    assert "2 created, 0 changed, 0 unchanged, 2 rejected." in out.getvalue()
    event = AuditEvent.objects.filter(detail__event="unit_created").first()
    assert event.actor_label == "import-units (command line)"


def test_the_reader_detects_encoding_and_delimiter():
    parsed = csv_import.read(
        "navn,type\nBarnevernet i Løten,barnevern\n".encode("cp1252"),
        {"name": ("navn",), "kind": ("type",)},
    )
    assert (parsed.encoding, parsed.delimiter) == ("cp1252", ",")
    assert parsed.rows == [(2, {"name": "Barnevernet i Løten", "kind": "barnevern"})]
    parsed = csv_import.read(
        "\ufeffnavn;type\nA;ppt\n".encode(), {"name": ("navn",), "kind": ("type",)}
    )
    assert (parsed.encoding, parsed.delimiter, parsed.header) == (
        "utf-8-sig",
        ";",
        ["navn", "type"],
    )


def test_a_unit_named_in_a_consent_keeps_its_domain_on_import(admin, stange):
    unit = make.unit(stange, name="PPT Stange", kind="ppt")
    child, guardian, _relation = make.child_with_guardian(stange)
    make.consent(child, recipient_units=[unit], giver=guardian)
    before = unit.domain
    other = "health" if before != "health" else "education"
    response = upload(logged_in(admin), HEADER + f"974760673;PPT Stange;ppt;{other};3413;;;\n")
    assert response.status_code == 400
    assert "it cannot be changed" in response.content.decode()
    unit.refresh_from_db()
    assert unit.domain == before
