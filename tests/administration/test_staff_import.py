"""Importing staff from a CSV file: the per-row report, all or nothing unless the good rows are
asked for, nothing sent twice, only into units the administrator runs, and the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from familiebro.administration import csv_import, staff_import
from familiebro.administration.models import Invitation
from familiebro.core.models import Membership, OrganisationAdministrator, User
from familiebro.privacy.models import AuditEvent
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

IMPORT = reverse("administration:staff-import")
HEADER = "fornavn;etternavn;epost;stilling;enhet;rolle\n"
GOOD = (
    HEADER
    + "Kari;Nordmann;kari@stange.kommune.no;Helsesykepleier;Helsestasjonen i Stange;medarbeider\n"
    + "Ola;Hansen;ola@stange.kommune.no;Familieterapeut;HS-01;koordinator\n"
    + "Per;Lie;per@stange.kommune.no;Kokk;helsestasjonen i stange;leder\n"
)


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def stange():
    return make.organisation(name="Stange kommune")


@pytest.fixture
def unit(stange):
    unit = make.unit(stange, name="Helsestasjonen i Stange")
    unit.external_id = "HS-01"
    unit.save(update_fields=["external_id"])
    return unit


@pytest.fixture
def admin(stange, unit):
    user = make.user(first_name="Anne", last_name="Admin")
    OrganisationAdministrator.objects.create(user=user, organisation=stange)
    return user


def upload(client, text, *, encoding="utf-8", partial=False):
    data = {"file": SimpleUploadedFile("ansatte.csv", text.encode(encoding), "text/csv")}
    if partial:
        data["partial"] = "on"
    # The invitations are e-mailed once the import has committed; the test's own transaction
    # never does, so its commit callbacks are run here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(IMPORT, data)


def test_a_good_file_invites_everyone_and_a_second_run_sends_nothing(admin, unit):
    client = logged_in(admin)
    response = upload(client, GOOD)
    assert response.status_code == 200
    assert "Imported: 3 invited, 0 given a role, 0 unchanged." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "kari@stange.kommune.no",
        "ola@stange.kommune.no",
        "per@stange.kommune.no",
    ]
    invitations = {i.email: i for i in Invitation.objects.all()}
    assert (
        invitations["kari@stange.kommune.no"].professional_title,
        invitations["kari@stange.kommune.no"].role,
    ) == (User.Title.PUBLIC_HEALTH_NURSE, "worker")
    assert invitations["ola@stange.kommune.no"].role == "coordinator"
    assert invitations["ola@stange.kommune.no"].unit == unit
    # A title the product does not know is "other".
    assert invitations["per@stange.kommune.no"].professional_title == User.Title.OTHER
    assert AuditEvent.objects.filter(detail__event="invitation_sent").count() == 3

    again = upload(client, GOOD)
    assert "Imported: 0 invited, 0 given a role, 3 unchanged." in again.content.decode()
    assert len(mail.outbox) == 3
    assert Invitation.objects.count() == 3


def test_bad_rows_import_nothing_and_name_each_row_and_column(admin, unit):
    text = (
        HEADER
        + "Kari;Nordmann;kari@x.no;Helsesykepleier;Helsestasjonen i Stange;medarbeider\n"
        + ";Hansen;ikke-en-adresse;Jordmor;Helsestasjonen i Stange;sjef\n"
        + "Per;Lie;per@stange.kommune.no;Lærer;Skolen som ikke finnes;medarbeider\n"
    )
    response = upload(logged_in(admin), text)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported and no one was invited: 2 rows have problems." in page
    assert "<td>3</td><td>Hansen</td><td>fornavn</td>" in page
    assert "<td>3</td><td>Hansen</td><td>epost</td><td>“ikke-en-adresse” is not an e-mail" in page
    assert "<td>3</td><td>Hansen</td><td>rolle</td><td>“sjef” is not a role." in page
    assert "<td>4</td><td>Per Lie</td><td>enhet</td><td>No unit has the name" in page
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_the_good_rows_only_when_asked(admin, unit):
    text = GOOD + "Mia;Dahl;mia@stange.kommune.no;Lærer;Helsestasjonen i Stange;sjef\n"
    response = upload(logged_in(admin), text, partial=True)
    page = response.content.decode()
    assert "Imported: 3 invited, 0 given a role, 0 unchanged. 1 row was rejected." in page
    assert "<td>5</td><td>Mia Dahl</td><td>rolle</td>" in page
    assert len(mail.outbox) == 3
    assert not Invitation.objects.filter(email="mia@stange.kommune.no").exists()


def test_someone_with_an_account_in_a_unit_the_administrator_runs_is_given_the_role(
    admin, stange, unit
):
    other = make.unit(stange, name="PPT Stange")
    nurse = make.member(other, "worker", email="nina@stange.kommune.no")
    text = (
        HEADER
        + "Nina;Berg;NINA@stange.kommune.no;Helsesykepleier;Helsestasjonen i Stange;koordinator\n"
        + "Nina;Berg;nina.berg@stange.kommune.no;Helsesykepleier;PPT Stange;medarbeider\n"
    )
    response = upload(logged_in(admin), text)
    assert "Imported: 1 invited, 1 given a role, 0 unchanged." in response.content.decode()
    assert Membership.objects.filter(user=nurse, unit=unit, role="coordinator").exists()
    assert [m.to[0] for m in mail.outbox] == ["nina.berg@stange.kommune.no"]
    again = upload(logged_in(admin), text)
    assert "Imported: 0 invited, 0 given a role, 2 unchanged." in again.content.decode()


def test_a_waiting_invitation_to_another_role_is_a_problem_not_a_second_invitation(admin, unit):
    client = logged_in(admin)
    upload(client, HEADER + "Kari;Nordmann;kari@x.no;;HS-01;medarbeider\n")
    response = upload(client, HEADER + "Kari;Nordmann;kari@x.no;;HS-01;leder\n")
    assert response.status_code == 400
    assert "An invitation to another unit or role is waiting" in response.content.decode()
    assert len(mail.outbox) == 1


def test_an_administrator_cannot_import_into_units_they_do_not_run(admin, unit):
    elsewhere = make.unit(make.organisation(name="Løten kommune"), name="Helsestasjonen i Løten")
    unit_admin = make.member(unit, "unit_admin")
    other_unit = make.unit(unit.organisation, name="PPT Stange")
    text = (
        HEADER
        + "Kari;Nordmann;kari@x.no;;Helsestasjonen i Stange;medarbeider\n"
        + f"Ola;Hansen;ola@x.no;;{elsewhere.name};medarbeider\n"
        + f"Per;Lie;per@x.no;;{other_unit.name};medarbeider\n"
    )
    response = upload(logged_in(admin), text, partial=True)
    page = response.content.decode()
    assert "You are not an administrator of Helsestasjonen i Løten" in page
    assert len(mail.outbox) == 2

    mail.outbox.clear()
    text = HEADER + "Eva;Moe;eva@x.no;;PPT Stange;medarbeider\n"
    response = upload(logged_in(unit_admin), text)
    assert response.status_code == 400
    assert "You are not an administrator of PPT Stange" in response.content.decode()
    assert mail.outbox == []
    text = HEADER + "Eva;Moe;eva@x.no;;Helsestasjonen i Stange;medarbeider\n"
    response = upload(logged_in(unit_admin), text)
    assert "Imported: 1 invited" in response.content.decode()


@pytest.mark.parametrize("role", ["worker", "coordinator"])
def test_caseworkers_have_no_import(unit, role):
    response = logged_in(make.member(unit, role)).get(IMPORT)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\n \n", "The file is empty."),
        (b"\x00\x01\x02\xff\xfe", "The file is not text."),
        (b"navn;adresse\nKari;x\n", "The file has no column"),
        (b"x" * (csv_import.MAX_BYTES + 1), "larger than 2 MB"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(admin, content, message):
    data = {"file": SimpleUploadedFile("ansatte.csv", content, "text/csv")}
    response = logged_in(admin).post(IMPORT, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_windows_1252_with_commas_and_english_headings(admin, unit):
    text = (
        "First name,Last name,E-mail,Title,Unit,Role\n"
        "Åse,Øvrebø,ase@x.no,Lærer,Helsestasjonen i Stange,Worker\n"
    )
    response = upload(logged_in(admin), text, encoding="cp1252")
    assert "Imported: 1 invited" in response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.first_name, invitation.last_name) == ("Åse", "Øvrebø")
    assert invitation.professional_title == User.Title.TEACHER


def test_titles_and_roles_are_read_in_norwegian_and_english():
    assert staff_import.title_for("Jordmor") == User.Title.MIDWIFE
    assert staff_import.title_for("familieterapeut") == User.Title.FAMILY_THERAPIST
    assert staff_import.title_for("Astronaut") == User.Title.OTHER
    assert staff_import.role_for("Enhetsadministrator") == "unit_admin"
    assert staff_import.role_for("Koordinator") == "coordinator"
    assert staff_import.role_for("sjef") is None


def test_the_command_imports_all_or_nothing_then_the_good_rows(admin, unit, tmp_path, settings):
    settings.SITE_URL = "https://familiebro.example.no"
    path = tmp_path / "ansatte.csv"
    path.write_text(GOOD + "Mia;Dahl;mia@x.no;;Helsestasjonen i Stange;sjef\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import-staff",
            str(path),
            "--admin",
            admin.username,
            stdout=out,
        )
    assert "Line 5 (Mia Dahl), rolle:" in out.getvalue()
    assert mail.outbox == []
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command(
            "import-staff",
            str(path),
            "--admin",
            admin.username,
            "--partial",
            stdout=out,
        )
    assert "3 invited, 0 given a role, 0 unchanged, 1 rejected." in out.getvalue()
    assert "https://familiebro.example.no/konto/invitasjon/" in mail.outbox[0].body


def test_the_command_needs_an_administrator(unit, tmp_path):
    path = tmp_path / "ansatte.csv"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CommandError, match="Only administrators"):
        call_command(
            "import-staff",
            str(path),
            "--admin",
            make.member(unit, "worker").username,
        )
