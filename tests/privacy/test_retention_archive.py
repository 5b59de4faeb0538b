"""Retention that preserves what archive rules keep: rules per data controller and kind of
unit, deposit packages (metadata in XML, documents as PDF/A, checksums) before anything
leaves the live system, and legal holds that stop deletion."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from familiebro.cases.models import Case, HelpRequest, LogEntry
from familiebro.core.models import Person, ServiceUnit
from familiebro.privacy import deposit, holds, retention
from familiebro.privacy.models import AuditEvent, Deposit, LegalHold, RetentionRule
from tests.cases import builders
from tests.cases.factories import HelpRequestFactory
from tests.factories import identity_number
from tests.privacy import factories as make
from tests.privacy.factories_retention import years_ago

pytestmark = pytest.mark.django_db

NS = {"d": deposit.NAMESPACE}


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


def closed_case(town: builders.Municipality, unit: ServiceUnit, *, years: float) -> Case:
    case = builders.open_concern(town.nurse, town.health_centre)
    LogEntry.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        kind=LogEntry.Kind.NOTE,
        text="Samtale med mor om søvn og kveldsrutiner.",
        author=town.nurse,
        created_at=years_ago(years + 0.5),
    )
    Case.objects.filter(pk=case.pk).update(
        unit=unit,
        status=Case.Status.CLOSED,
        closed_at=years_ago(years),
        close_reason=Case.CloseReason.GOAL_REACHED,
    )
    case.refresh_from_db()
    return case


def unit_of_kind(town: builders.Municipality, kind: str, organisation=None) -> ServiceUnit:
    return ServiceUnit.objects.create(
        organisation=organisation or town.organisation, name=f"Enhet {kind}", kind=kind
    )


def closed_request(unit: ServiceUnit, *, years: float) -> HelpRequest:
    return HelpRequestFactory(
        unit=unit,
        status=HelpRequest.Status.CLOSED,
        close_reason=HelpRequest.CloseReason.RESOLVED_FIRST_CONVERSATION,
        received_at=years_ago(years + 0.1),
        closed_at=years_ago(years),
    )


def result_for(report, category):
    return next(r for r in report.results if r.category == category)


# Rules per kind of unit -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "preserved"),
    [
        ("helsestasjon", True),
        ("skolehelsetjeneste", True),
        ("barnevern", True),
        ("barnehage", False),
        ("lavterskelteam", False),
    ],
)
def test_a_closed_case_is_preserved_or_deleted_by_the_kind_of_unit(town, kind, preserved):
    unit = unit_of_kind(town, kind)
    case = closed_case(town, unit, years=6)
    report = retention.apply_retention()
    assert report.errors == []
    result = result_for(report, "closed_case")
    assert Case.objects.filter(pk=case.pk).exists() is preserved
    assert result.awaiting_deposit_ids == ([case.pk] if preserved else [])
    assert result.affected_ids == ([] if preserved else [case.pk])


@pytest.mark.parametrize(
    ("kind", "preserved"),
    [("helsestasjon", True), ("barnevern", True), ("skole", False), ("frivillig", False)],
)
def test_a_request_that_never_became_a_case_is_preserved_or_deleted_by_the_kind(
    town, kind, preserved
):
    request = closed_request(unit_of_kind(town, kind), years=2)
    retention.apply_retention()
    assert HelpRequest.objects.filter(pk=request.pk).exists() is preserved


def test_the_seeded_archive_rules_cite_the_regulation():
    rules = {(r.category, r.unit_kind): r for r in RetentionRule.objects.filter(organisation=None)}
    health = rules[("closed_case", "helsestasjon")]
    assert (health.outcome, health.period_days) == ("preserve", 5 * 365)
    assert "§ 7-29" in health.legal_reference
    assert rules[("closed_case", "skolehelsetjeneste")].outcome == "preserve"
    assert rules[("closed_case", "barnevern")].outcome == "preserve"
    # What no archive rule keeps is still deleted by the default rule.
    assert rules[("closed_case", "")].outcome == "delete"
    assert rules[("closed_help_request", "")].outcome == "delete"


# Rules per controller -----------------------------------------------------------------------


def test_a_controller_that_decides_to_delete_its_health_centre_cases_does_not_decide_for_another(
    town,
):
    other = make.organisation(name="Løten kommune")
    other_centre = unit_of_kind(town, "helsestasjon", organisation=other)
    ours = closed_case(town, town.health_centre, years=6)
    theirs = closed_case(town, other_centre, years=6)
    Case.objects.filter(pk=theirs.pk).update(organisation=other)
    RetentionRule.objects.create(
        category="closed_case",
        organisation=town.organisation,
        unit_kind="helsestasjon",
        period_days=5 * 365,
        outcome="delete",
        legal_reference="Kept in the health centre's own journal system",
    )
    report = retention.apply_retention()
    assert report.errors == []
    assert not Case.objects.filter(pk=ours.pk).exists()
    assert Case.objects.filter(pk=theirs.pk).exists()
    assert result_for(report, "closed_case").awaiting_deposit_ids == [theirs.pk]


def test_a_controller_sets_its_own_period_for_requests(town):
    other = make.organisation(name="Løten kommune")
    ours = closed_request(town.kindergarten, years=0.3)
    theirs = closed_request(unit_of_kind(town, "barnehage", organisation=other), years=0.3)
    RetentionRule.objects.create(
        category="closed_help_request",
        organisation=town.organisation,
        period_days=90,
        outcome="delete",
    )
    retention.apply_retention()
    assert not HelpRequest.objects.filter(pk=ours.pk).exists()
    # The other controller keeps the default year.
    assert HelpRequest.objects.filter(pk=theirs.pk).exists()


def test_a_controllers_general_rule_does_not_undo_the_archive_rule_for_a_kind(town):
    case = closed_case(town, town.health_centre, years=6)
    RetentionRule.objects.create(
        category="closed_case", organisation=town.organisation, period_days=365, outcome="delete"
    )
    retention.apply_retention()
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_rule_per_kind_for_records_that_belong_to_no_unit_is_reported(town):
    RetentionRule.objects.create(
        category="ended_consent", unit_kind="helsestasjon", period_days=1, outcome="delete"
    )
    report = retention.apply_retention()
    assert any("belong to no unit" in r.error for r in report.errors)


# The deposit package ------------------------------------------------------------------------


def make_package(town, tmp_path) -> tuple[Case, Deposit, Path]:
    case = closed_case(town, town.health_centre, years=6)
    case.child.set_national_id(identity_number(case.child.birth_date))
    case.child.save()
    made = deposit.make_deposit(town.organisation, "closed_case", tmp_path, "Arkivleder")
    assert made is not None
    package, folder = made
    return case, package, folder


def test_the_package_holds_the_metadata_of_each_preserved_case(town, tmp_path):
    case, package, folder = make_package(town, tmp_path)
    xml = etree.parse(str(folder / "deponering.xml"))
    assert deposit.schema().validate(xml)
    root = xml.getroot()
    assert root.findtext("d:pakkeID", namespaces=NS) == str(package.package_id)
    assert root.findtext("d:arkivskaper/d:arkivskaperNavn", namespaces=NS) == "Stange kommune"
    assert (
        root.findtext("d:arkivskaper/d:organisasjonsnummer", namespaces=NS)
        == town.organisation.org_number
    )
    # The ground is the rule for health centres, not every archive rule there is.
    assert "§ 7-29" in root.findtext("d:hjemmel", namespaces=NS)
    assert "child welfare" not in root.findtext("d:hjemmel", namespaces=NS)
    [folder_element] = root.findall("d:mappe", namespaces=NS)
    assert folder_element.findtext("d:mappeID", namespaces=NS) == case.reference
    assert folder_element.findtext("d:enhetstype", namespaces=NS) == "helsestasjon"
    assert folder_element.findtext("d:administrativEnhet", namespaces=NS) == (
        town.health_centre.name
    )
    assert folder_element.findtext("d:avsluttetDato", namespaces=NS).startswith(
        f"{case.closed_at.astimezone().year}-"
    )
    child = case.child
    parties = {
        p.findtext("d:partRolle", namespaces=NS): p
        for p in folder_element.findall("d:part", namespaces=NS)
    }
    assert parties["barn"].findtext("d:partNavn", namespaces=NS) == (
        f"{child.given_name} {child.family_name}"
    )
    assert parties["barn"].findtext("d:foedselsnummer", namespaces=NS) == child.national_id
    assert parties["barn"].findtext("d:foedselsdato", namespaces=NS) == (
        child.birth_date.isoformat()
    )
    assert "forelder med foreldreansvar" in parties
    assert package.object_ids == [case.pk]
    # Making the package is in the audit trail, with ids only.
    event = AuditEvent.objects.get(action="export", legal_basis="archive_rule")
    assert event.object_ids == [str(case.pk)]
    assert event.subject_ids == [str(child.pk)]
    assert child.family_name not in str(event.detail)


def test_each_document_is_a_pdf_declared_as_pdf_a_with_its_fonts_embedded(town, tmp_path):
    case, _package, folder = make_package(town, tmp_path)
    [pdf_path] = (folder / "dokumenter").iterdir()
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF-")
    # The XMP metadata declare PDF/A-2b, and an sRGB output intent is embedded.
    assert b"<pdfaid:part>2</pdfaid:part>" in pdf
    assert b"<pdfaid:conformance>B</pdfaid:conformance>" in pdf
    assert b"/Metadata" in pdf
    assert b"/OutputIntents" in pdf and b"/GTS_PDFA1" in pdf
    # Every font is embedded: TrueType programs, none of the unembedded standard fonts.
    assert b"/FontFile2" in pdf
    for standard in (b"Helvetica", b"Times-Roman", b"Courier"):
        assert standard not in pdf
    assert b"/Encrypt" not in pdf
    # The document holds the case (pages are uncompressed, so the text is searchable).
    assert case.reference.encode() in pdf or b"HS" in pdf


def test_the_manifest_and_the_metadata_carry_checksums_that_match(town, tmp_path):
    _case, package, folder = make_package(town, tmp_path)
    manifest = (folder / "manifest-sha256.txt").read_text().splitlines()
    listed = {}
    for line in manifest:
        checksum, name = line.split("  ", 1)
        listed[name] = checksum
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == checksum
    assert {"deponering.xml", "deponering.xsd"} <= set(listed)
    assert any(name.startswith("dokumenter/") for name in listed)
    assert (
        package.manifest_sha256
        == hashlib.sha256((folder / "manifest-sha256.txt").read_bytes()).hexdigest()
    )
    xml = etree.parse(str(folder / "deponering.xml"))
    for obj in xml.getroot().iterfind(".//d:dokumentobjekt", namespaces=NS):
        path = obj.findtext("d:referanseDokumentfil", namespaces=NS)
        data = (folder / path).read_bytes()
        assert obj.findtext("d:sjekksum", namespaces=NS) == hashlib.sha256(data).hexdigest()
        assert obj.findtext("d:filstoerrelse", namespaces=NS) == str(len(data))
        assert obj.findtext("d:format", namespaces=NS) == "PDF/A-2b"
    assert deposit.verify_package(folder) == []


def test_a_changed_document_fails_verification(town, tmp_path):
    _case, _package, folder = make_package(town, tmp_path)
    [pdf_path] = (folder / "dokumenter").iterdir()
    pdf_path.write_bytes(pdf_path.read_bytes() + b"%")
    assert deposit.verify_package(folder) == [
        f"dokumenter/{pdf_path.name} does not match its checksum"
    ]


def test_nothing_leaves_the_live_system_until_the_archive_has_taken_the_package_over(
    town, tmp_path
):
    case, package, _folder = make_package(town, tmp_path)
    report = retention.apply_retention()
    assert Case.objects.filter(pk=case.pk).exists()
    assert result_for(report, "closed_case").awaiting_deposit_ids == [case.pk]
    # A second package does not hold the case again.
    assert deposit.make_deposit(town.organisation, "closed_case", tmp_path, "Arkivleder") is None
    deposit.confirm_transfer(str(package.package_id), "IKA Innlandet, avlevering 2031/17")
    report = retention.apply_retention()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert result_for(report, "closed_case").affected_ids == [case.pk]
    deleted = (
        AuditEvent.objects.filter(action="delete", object_type="cases.case").order_by("pk").last()
    )
    assert deleted.object_ids == [str(case.pk)]
    assert deleted.detail["deposited_ids"] == [case.pk]


def test_the_deposit_command_makes_verifies_and_confirms_a_package(town, tmp_path, capsys):
    case = closed_case(town, town.health_centre, years=6)
    call_command("retention-deposit", "--output", str(tmp_path), "--by", "Arkivleder")
    out = capsys.readouterr().out
    assert "Stange kommune – closed_case: 1 records" in out
    [folder] = [p for p in tmp_path.iterdir() if p.name.startswith("deponering-")]
    call_command("retention-deposit", "--verify", str(folder))
    assert "every checksum matches" in capsys.readouterr().out
    package_id = folder.name.removeprefix("deponering-")
    with pytest.raises(CommandError, match="receipt"):
        call_command("retention-deposit", "--confirm", package_id)
    call_command("retention-deposit", "--confirm", package_id, "--receipt", "IKA 2031/17")
    call_command("apply-retention")
    assert not Case.objects.filter(pk=case.pk).exists()


def test_the_deposit_command_says_what_to_do_without_a_folder(capsys):
    with pytest.raises(CommandError, match="--output"):
        call_command("retention-deposit")


def test_a_part_can_ask_retention_to_preserve_what_it_holds(town, monkeypatch):
    monkeypatch.setattr(retention, "_preservation_checks", {})
    case = closed_case(town, town.kindergarten, years=6)
    other = closed_case(town, town.kindergarten, years=6)
    # For example: an individual plan the archive rules keep, in the first case only.
    retention.register_preservation_check("closed_case", lambda ids: {case.pk})
    report = retention.apply_retention()
    assert Case.objects.filter(pk=case.pk).exists()
    assert not Case.objects.filter(pk=other.pk).exists()
    assert result_for(report, "closed_case").awaiting_deposit_ids == [case.pk]


# Legal holds --------------------------------------------------------------------------------


def test_a_held_case_is_not_deleted_and_lifting_the_hold_lets_retention_proceed(town):
    case = closed_case(town, town.kindergarten, years=6)
    hold = holds.place_hold(town.nurse_leader, "Klagesak hos Statsforvalteren", record=case)
    report = retention.apply_retention()
    assert Case.objects.filter(pk=case.pk).exists()
    assert result_for(report, "closed_case").held_ids == [case.pk]
    holds.lift_hold(town.nurse_leader, hold, "Klagen er avgjort")
    retention.apply_retention()
    assert not Case.objects.filter(pk=case.pk).exists()


def test_a_hold_on_a_person_keeps_their_case_and_their_identity(town):
    case = closed_case(town, town.kindergarten, years=6)
    holds.place_hold(town.nurse_leader, "Erstatningssak varslet", person=case.child)
    retention.apply_retention(now=years_ago(-10))
    assert Case.objects.filter(pk=case.pk).exists()
    child = Person.objects.get(pk=case.child_id)
    assert child.given_name != retention.ANONYMISED_GIVEN_NAME


def test_a_held_preserved_case_is_not_deleted_even_after_its_deposit(town, tmp_path):
    case, package, _folder = make_package(town, tmp_path)
    deposit.confirm_transfer(str(package.package_id), "IKA 2031/17")
    holds.place_hold(town.nurse_leader, "Tilsynssak", record=case)
    retention.apply_retention()
    assert Case.objects.filter(pk=case.pk).exists()


def test_only_a_leader_of_the_controller_places_a_hold(town):
    case = closed_case(town, town.kindergarten, years=6)
    with pytest.raises(PermissionDenied):
        holds.place_hold(town.nurse, "Klage", record=case)
    with pytest.raises(PermissionDenied):
        holds.place_hold(town.psychiatrist, "Klage", record=case)
    assert not LegalHold.objects.exists()


def test_placing_and_lifting_a_hold_are_audited_with_who_and_no_reason_text(town):
    case = closed_case(town, town.kindergarten, years=6)
    hold = holds.place_hold(town.nurse_leader, "Klagesak hos Statsforvalteren", person=case.child)
    holds.lift_hold(town.nurse_leader, hold, "Avgjort")
    events = AuditEvent.objects.filter(object_type="privacy.legalhold").order_by("pk")
    assert [(e.action, e.actor_id, e.detail["legal_hold"]) for e in events] == [
        ("create", town.nurse_leader.pk, "placed"),
        ("change", town.nurse_leader.pk, "lifted"),
    ]
    assert all(e.subject_ids == [str(case.child_id)] for e in events)
    assert not any("Statsforvalteren" in str(e.detail) for e in events)
    hold.refresh_from_db()
    assert (hold.placed_by, hold.lifted_by, hold.reason) == (
        town.nurse_leader,
        town.nurse_leader,
        "Klagesak hos Statsforvalteren",
    )


def test_the_hold_command_places_and_lifts_a_hold_on_a_case(town, capsys):
    case = closed_case(town, town.kindergarten, years=6)
    with pytest.raises(CommandError, match="leader"):
        call_command(
            "legal-hold", "place", "--by", town.nurse.username, "--case", case.reference,
            "--reason", "Klage",
        )  # fmt: skip
    call_command(
        "legal-hold", "place", "--by", town.nurse_leader.username, "--case", case.reference,
        "--reason", "Klage",
    )  # fmt: skip
    hold_id = int(re.search(r"Legal hold (\d+) placed", capsys.readouterr().out).group(1))
    retention.apply_retention()
    assert Case.objects.filter(pk=case.pk).exists()
    call_command(
        "legal-hold", "lift", "--by", town.nurse_leader.username, "--hold", str(hold_id),
        "--reason", "Avgjort",
    )  # fmt: skip
    retention.apply_retention()
    assert not Case.objects.filter(pk=case.pk).exists()


# After restoring a backup -----------------------------------------------------------------


def test_a_record_a_restored_backup_brings_back_is_deleted_again_by_the_next_run(town):
    request = closed_request(town.kindergarten, years=2)
    row = HelpRequest.objects.values().get(pk=request.pk)
    retention.apply_retention()
    assert not HelpRequest.objects.filter(pk=request.pk).exists()
    # The backup from before the run is restored: the row is back as it was.
    HelpRequest.objects.create(**row)
    retention.apply_retention()
    assert not HelpRequest.objects.filter(pk=request.pk).exists()


def test_the_nightly_command_reports_what_waits_for_deposit_and_what_a_hold_keeps(town, capsys):
    closed_case(town, town.health_centre, years=6)
    held = closed_case(town, town.kindergarten, years=6)
    holds.place_hold(town.nurse_leader, "Klage", record=held)
    call_command("apply-retention")
    out = capsys.readouterr().out
    assert "1 kept under an archive rule until the archive takes over their deposit" in out
    assert "1 kept by a legal hold" in out


def test_a_dry_run_changes_nothing_and_lists_the_preserved_case(town):
    case = closed_case(town, town.health_centre, years=6)
    deleted = closed_case(town, town.kindergarten, years=6)
    report = retention.apply_retention(dry_run=True)
    result = result_for(report, "closed_case")
    assert (result.affected_ids, result.awaiting_deposit_ids) == ([deleted.pk], [case.pk])
    assert Case.objects.filter(pk__in=[case.pk, deleted.pk]).count() == 2


# Setting the rules --------------------------------------------------------------------------


def test_the_controller_sets_a_rule_for_its_kind_of_unit_with_the_command(town, capsys):
    case = closed_case(town, town.health_centre, years=6)
    call_command(
        "retention-rule", "set", "--category", "closed_case",
        "--organisation", town.organisation.org_number, "--unit-kind", "helsestasjon",
        "--days", str(7 * 365), "--outcome", "preserve",
        "--reference", "Kommunens bevarings- og kassasjonsplan",
    )  # fmt: skip
    rule = RetentionRule.objects.get(
        category="closed_case", organisation=town.organisation, unit_kind="helsestasjon"
    )
    assert (rule.period_days, rule.outcome) == (7 * 365, "preserve")
    assert AuditEvent.objects.filter(object_type="privacy.retentionrule", action="change").exists()
    report = retention.apply_retention()
    assert Case.objects.filter(pk=case.pk).exists()
    # Six years closed: past the archive rule's five, not yet past the controller's seven.
    assert result_for(report, "closed_case").awaiting_deposit_ids == []


def test_the_controller_cannot_delete_sooner_what_an_archive_rule_preserves(town):
    case = closed_case(town, town.health_centre, years=4)
    before = list(RetentionRule.objects.values())
    for days, outcome in ((3 * 365, "delete"), (3 * 365, "preserve"), (10 * 365, "anonymise")):
        with pytest.raises(CommandError, match="arkivlova § 9 c"):
            call_command(
                "retention-rule", "set", "--category", "closed_case",
                "--organisation", town.organisation.org_number, "--unit-kind", "helsestasjon",
                "--days", str(days), "--outcome", outcome,
            )  # fmt: skip
    assert list(RetentionRule.objects.values()) == before
    retention.apply_retention()
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--category", "closed_cases"], "Name the category"),
        (["--category", "closed_case", "--unit-kind", "sykehus"], "no kind of unit"),
        (["--category", "ended_consent", "--unit-kind", "barnevern"], "belongs to no unit"),
        (["--category", "closed_case", "--days", "30"], "outcome"),
        (
            ["--category", "inactive_person", "--days", "30", "--outcome", "preserve"],
            "cannot be preserved",
        ),
    ],
)
def test_the_rule_command_says_what_is_wrong(arguments, message):
    before = list(RetentionRule.objects.values())
    with pytest.raises(CommandError, match=message):
        call_command("retention-rule", "set", *arguments)
    assert list(RetentionRule.objects.values()) == before


def test_a_folder_that_cannot_be_written_leaves_nothing_recorded(town, tmp_path):
    closed_case(town, town.health_centre, years=6)
    locked = tmp_path / "locked"
    locked.write_text("a file, not a folder")
    with pytest.raises(deposit.DepositError, match="could not be written"):
        deposit.make_deposit(town.organisation, "closed_case", locked, "Arkivleder")
    assert not Deposit.objects.exists()
    assert not AuditEvent.objects.filter(legal_basis="archive_rule").exists()
