"""The consent screens as a member of staff uses them, and what they keep from everyone else."""

import base64
import datetime
import re
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from familiebro.privacy import consent_reads, consent_services
from familiebro.privacy.models import AuditEvent, Consent, ConsentRule, Purpose
from tests import factories
from tests.privacy import factories_consent as privacy_factories
from tests.privacy.factories_consent import health_trust_unit, record, staff_in

pytestmark = pytest.mark.django_db

# The printed form's footer, in the form's own language.
FOOTER = (
    "Consent text version %(version)s (%(language)s). To withdraw the consent, tell "
    "%(controller)s or one of the services that receive the information. It takes effect "
    "at once. What has already been shared stays with the service that received it."
)


@pytest.fixture(autouse=True)
def _english_screens(client, settings):
    """The screens in English, so the tests read the source messages whatever the
    translations say. The consent texts themselves keep their own language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def in_language(language: str, message: str, /, **params: object) -> str:
    with translation.override(language):
        translated = gettext(message)
    return translated % params if params else translated


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (PDF lines wrap)."""
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages of a reportlab PDF, one string per text line.

    reportlab draws each line as a literal string shown with Tj, in WinAnsi, in content
    streams compressed with ASCII85 and Flate; this undoes exactly that.
    """
    lines = []
    for stream in re.finditer(rb"\bstream\r?\n(.*?)\r?\n?endstream", pdf, re.S):
        header = pdf[max(0, stream.start() - 200) : stream.start()].rsplit(b"<<", 1)[-1]
        data = stream.group(1)
        if b"/ASCII85Decode" in header:
            data = base64.a85decode(data.strip(), adobe=True)
        if b"/FlateDecode" in header:
            data = zlib.decompress(data)
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data, re.S):
            unescaped = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: (
                    bytes([int(m.group(1), 8)])
                    if m.group(1)[:1].isdigit()
                    else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1))
                ),
                literal,
            )
            lines.append(unescaped.decode("cp1252"))
    return "\n".join(lines)


@pytest.fixture
def family(staff):
    return privacy_factories.family(staff)


@pytest.fixture
def bup():
    return health_trust_unit()


@pytest.fixture
def consent(staff, family, bup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile("signert.pdf", b"%PDF-1.4 signert", content_type="application/pdf")
    return record(staff, family, recipient_units=[bup], attachment=scan)


def list_url(family):
    return reverse("consent-list", args=[family.child.pk])


def record_url(family):
    return reverse("consent-record", args=[family.child.pk])


def pdf_url(family):
    return reverse("consent-form-pdf", args=[family.child.pk])


def detail_url(family, consent):
    return reverse("consent-detail", args=[family.child.pk, consent.pk])


def withdraw_url(family, consent):
    return reverse("consent-withdraw", args=[family.child.pk, consent.pk])


def attachment_url(family, consent):
    return reverse("consent-attachment", args=[family.child.pk, consent.pk])


def record_form(family, bup, **overrides):
    data = {
        "purpose": Purpose.COORDINATION,
        "language": "nb",
        "recipient_units": [str(bup.pk)],
        "scope": ["measures_and_plans", "documents"],
        "valid_to": (timezone.localdate() + datetime.timedelta(days=180)).isoformat(),
        "channel": Consent.Channel.ORAL,
        "givers": [str(family.mother.pk), str(family.father.pk)],
        "witness": "Kari Kollega",
        # The child (10) is to be heard before the guardians decide.
        "child_view": "Åse vil at BUP skal vite det.",
    }
    data.update(overrides)
    return data


def logged_in(client, user):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# The list and the detail


def test_the_list_shows_each_consent_with_state_purpose_recipients_scope_and_givers(
    staff_client, staff, family, bup, consent
):
    expired_soon = record(
        staff,
        family,
        recipient_units=[bup],
        purpose=Purpose.SHARED_LOG,
        valid_to=timezone.now() + datetime.timedelta(days=1),
    )
    consent_services.withdraw_consent(staff, expired_soon, withdrawn_by=family.father)
    page = staff_client.get(list_url(family)).content.decode()
    assert "Åse Sæther" in page
    assert str(Purpose.COORDINATION.label) in page
    assert str(Purpose.SHARED_LOG.label) in page
    assert "BUP Hamar (Sykehuset Innlandet)" in page
    assert page.count('data-color="success"') == 1  # the valid one
    assert page.count('data-color="danger"') == 1  # the withdrawn one
    assert "Ingrid Sæther" in page
    assert "Ola Bråten" in page
    assert "Kari Kollega" in page
    assert detail_url(family, consent) in page


def test_the_list_says_so_when_there_is_no_consent(staff_client, family):
    response = staff_client.get(list_url(family))
    assert response.status_code == 200
    assert "No consent is registered for this child." in response.content.decode()


def test_the_detail_shows_the_exact_text_version_that_was_agreed_to(staff_client, family, consent):
    page = staff_client.get(detail_url(family, consent)).content.decode()
    assert "Samtykke til samarbeid mellom tjenester" in page
    assert "Version 1 (nb)" in page
    assert "BUP Hamar (Sykehuset Innlandet) får se disse opplysningene om barnet" in page
    with translation.override("nb"):
        last_day = date_format(consent_reads.last_valid_day(consent.valid_to), "DATE_FORMAT")
    assert f"Siste dag samtykket gjelder: {last_day}." in page
    assert withdraw_url(family, consent) in page


@pytest.mark.parametrize(
    ("language", "title", "phrase"),
    [
        ("nb", "Samtykke til samarbeid mellom tjenester", "Det er frivillig"),
        ("nn", "Samtykke til samarbeid mellom tenester", "Slik trekkjer du samtykket tilbake"),
        ("en", "Consent to cooperation between services", "How to withdraw your consent"),
    ],
)
def test_the_consent_text_renders_in_bokmal_nynorsk_and_english(
    staff_client, staff, family, bup, language, title, phrase
):
    consent = record(staff, family, recipient_units=[bup], language=language)
    page = staff_client.get(detail_url(family, consent)).content.decode()
    assert f'lang="{language}"' in page
    assert title in page
    assert phrase in page
    assert "BUP Hamar (Sykehuset Innlandet)" in page
    assert "{recipients}" not in page


# Recording


def test_the_record_form_offers_the_registered_guardians_and_the_child(staff_client, family, bup):
    page = staff_client.get(record_url(family)).content.decode()
    for person in (family.mother, family.father, family.stepfather, family.child):
        assert f'value="{person.pk}"' in page
        assert str(person) in page
    assert "BUP Hamar (Sykehuset Innlandet)" in page
    assert 'enctype="multipart/form-data"' in page


def test_recording_a_consent_saves_it_and_shows_it(staff_client, staff, family, bup):
    response = staff_client.post(record_url(family), record_form(family, bup))
    consent = Consent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(family, consent)
    assert set(consent.givers.values_list("person_id", flat=True)) == {
        family.mother.pk,
        family.father.pk,
    }
    assert list(consent.recipient_units.all()) == [bup]
    assert consent.scope_categories == ["documents", "measures_and_plans"]
    assert consent.recorded_by == staff
    assert consent.witness == "Kari Kollega"
    assert consent_reads.last_valid_day(consent.valid_to) == timezone.localdate() + (
        datetime.timedelta(days=180)
    )


def test_a_scanned_form_can_be_uploaded_and_downloaded_again(
    staff_client, family, bup, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile("signert.pdf", b"%PDF-1.4 signert", content_type="application/pdf")
    data = record_form(family, bup, channel=Consent.Channel.PAPER, witness="", attachment=scan)
    staff_client.post(record_url(family), data)
    consent = Consent.objects.get()
    response = staff_client.get(attachment_url(family, consent))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signert"
    assert "no-store" in response["Cache-Control"]


def test_the_record_form_refuses_a_file_that_is_not_a_scan(staff_client, family, bup):
    script = SimpleUploadedFile("skjema.exe", b"MZ", content_type="application/octet-stream")
    data = record_form(family, bup, channel=Consent.Channel.PAPER, attachment=script)
    response = staff_client.post(record_url(family), data)
    assert response.status_code == 400
    assert "Upload the scan as a PDF, JPEG or PNG file." in response.content.decode()
    assert not Consent.objects.exists()


def test_the_record_form_shows_the_clear_error_for_a_guardian_without_parental_responsibility(
    staff_client, family, bup
):
    before = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).count()
    data = record_form(
        family, bup, givers=[str(p.pk) for p in (family.mother, family.father, family.stepfather)]
    )
    response = staff_client.post(record_url(family), data)
    page = response.content.decode()
    assert response.status_code == 400
    givers_error = re.search(r'<div id="id_givers_error".*?</div>', page, re.S)
    assert givers_error is not None
    assert "Per Lunde does not have parental responsibility" in givers_error.group(0)
    assert not Consent.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).count() == before


def test_the_record_form_names_the_missing_guardian(staff_client, family, bup):
    response = staff_client.post(
        record_url(family), record_form(family, bup, givers=[str(family.mother.pk)])
    )
    assert "Missing: Ola Bråten." in response.content.decode()
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"recipient_units": []}, "recipient_organisations", "Name at least one service"),
        ({"scope": []}, "scope", "Choose which parts of the information"),
        ({"purpose": ""}, "purpose", "Choose what the consent is for."),
        ({"witness": ""}, "witness", "needs the scanned form or a witness"),
        ({"channel": ""}, "channel", "Choose how the consent was given: on paper or orally."),
        ({"valid_to": ""}, "valid_to", "Enter the last day the consent is valid."),
        ({"valid_to": "2001-01-01"}, "valid_to", "The end date has passed."),
    ],
)
def test_the_record_form_shows_each_refusal_next_to_its_field(
    staff_client, family, bup, overrides, field, message
):
    response = staff_client.post(record_url(family), record_form(family, bup, **overrides))
    page = response.content.decode()
    assert response.status_code == 400
    error = re.search(rf'<div id="id_{field}_error".*?</div>', page, re.S)
    assert error is not None, f"no error shown at {field}"
    assert message in error.group(0)
    assert not Consent.objects.exists()


# Withdrawing


def test_withdrawing_records_who_withdrew_and_ends_the_consent_at_once(
    staff_client, staff, family, consent
):
    response = staff_client.post(
        withdraw_url(family, consent), {"withdrawn_by": str(family.mother.pk), "confirm": "on"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.state() == "withdrawn"
    assert consent.withdrawn_by == family.mother
    assert consent.withdrawal_recorded_by == staff
    page = staff_client.get(detail_url(family, consent)).content.decode()
    assert "Ingrid Sæther" in page
    assert withdraw_url(family, consent) not in page


def test_withdrawing_needs_the_confirmation(staff_client, family, consent):
    response = staff_client.post(
        withdraw_url(family, consent), {"withdrawn_by": str(family.mother.pk)}
    )
    assert response.status_code == 400
    assert "Tick the box to confirm the withdrawal." in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_the_withdraw_form_offers_only_the_givers_and_the_child(staff_client, family, consent):
    page = staff_client.get(withdraw_url(family, consent)).content.decode()
    for person in (family.mother, family.father, family.child):
        assert f'value="{person.pk}"' in page
    assert f'value="{family.stepfather.pk}"' not in page


def test_withdrawing_twice_says_it_was_already_withdrawn(staff_client, staff, family, consent):
    consent_services.withdraw_consent(staff, consent, withdrawn_by=family.father)
    page = staff_client.get(withdraw_url(family, consent)).content.decode()
    assert "This consent was already withdrawn on" in page
    response = staff_client.post(
        withdraw_url(family, consent), {"withdrawn_by": str(family.mother.pk), "confirm": "on"}
    )
    assert response.status_code == 400
    assert "This consent was already withdrawn on" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_by == family.father


# The printed form


def test_the_printed_form_has_the_child_the_text_version_and_a_line_per_responsible_guardian(
    staff_client, family
):
    response = staff_client.get(pdf_url(family), {"formål": Purpose.COORDINATION, "språk": "nb"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = flat(pdf_text(response.content))
    assert "Samtykke til samarbeid mellom tjenester" in text
    assert "Åse Sæther" in text
    assert "2. mai 2016" in text
    organisation = family.child.organisation.name
    assert flat(in_language("nb", FOOTER, version=1, language="nb", controller=organisation)) in (
        text
    )
    guardian = in_language("nb", "guardian with parental responsibility")
    assert f"Ingrid Sæther ({guardian})" in text
    assert f"Ola Bråten ({guardian})" in text
    assert "Per Lunde" not in text


def test_the_printed_form_posted_from_the_record_screen_names_recipients_and_information(
    staff_client, family, bup
):
    response = staff_client.post(pdf_url(family), record_form(family, bup, language="nn"))
    text = pdf_text(response.content)
    assert "Samtykke til samarbeid mellom tenester" in text
    assert "BUP Hamar (Sykehuset Innlandet) får sjå desse opplysningane" in text
    assert "Åse Sæther" in text
    assert not Consent.objects.exists()


def test_the_printed_form_asks_the_young_person_to_sign_when_the_rule_says_so(staff_client, family):
    ConsentRule.objects.create(
        organisation=family.child.organisation,
        purpose=Purpose.REFERRAL,
        givers=ConsentRule.Givers.YOUNG_PERSON,
        young_person_age=10,
    )
    response = staff_client.get(pdf_url(family), {"formål": Purpose.REFERRAL, "språk": "en"})
    text = pdf_text(response.content)
    assert f"Åse Sæther ({in_language('en', 'the child')})" in text
    assert "Ingrid Sæther" not in text


def test_printing_the_form_is_audited_as_an_export(staff_client, staff, family):
    staff_client.get(pdf_url(family), {"formål": Purpose.REFERRAL, "språk": "en"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor_id == staff.pk
    assert str(family.child.pk) in event.subject_ids
    assert event.detail["consent_purpose"] == Purpose.REFERRAL
    assert event.detail["text_version"] == 1


def test_the_printed_form_asks_for_the_purpose(staff_client, family):
    response = staff_client.get(pdf_url(family), {"språk": "nb"})
    assert response.status_code == 400
    assert "Choose what the consent is for." in response.content.decode()


# Who gets in


def all_urls(family, consent):
    return [
        ("get", list_url(family)),
        ("get", record_url(family)),
        ("post", record_url(family)),
        ("get", f"{pdf_url(family)}?formål=coordination&språk=nb"),
        ("post", pdf_url(family)),
        ("get", detail_url(family, consent)),
        ("get", withdraw_url(family, consent)),
        ("post", withdraw_url(family, consent)),
        ("get", attachment_url(family, consent)),
    ]


def test_the_assigned_worker_reaches_every_consent_screen(staff_client, family, consent):
    for method, url in all_urls(family, consent):
        if method == "get":
            assert staff_client.get(url).status_code == 200, url


def test_another_organisations_staff_get_404_on_every_consent_url(client, family, consent):
    stranger = staff_in(factories.ServiceUnitFactory())
    logged_in(client, stranger)
    for method, url in all_urls(family, consent):
        assert getattr(client, method)(url).status_code == 404, url


def test_the_recipient_of_a_consent_still_gets_404_on_the_consent_screens(
    client, family, bup, consent
):
    logged_in(client, staff_in(bup))
    for method, url in all_urls(family, consent):
        assert getattr(client, method)(url).status_code == 404, url
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_a_colleague_not_assigned_to_the_child_gets_404(client, unit, family, consent):
    logged_in(client, staff_in(unit))
    for method, url in all_urls(family, consent):
        assert getattr(client, method)(url).status_code == 404, url


def test_a_consent_of_another_child_is_404_under_this_childs_address(
    staff_client, staff, family, bup
):
    sibling = privacy_factories.family(staff)
    others = record(staff, sibling, recipient_units=[bup])
    assert staff_client.get(detail_url(family, others)).status_code == 404
    assert staff_client.get(withdraw_url(family, others)).status_code == 404


def test_the_consent_screens_require_login(client, family, consent):
    response = client.get(list_url(family))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
