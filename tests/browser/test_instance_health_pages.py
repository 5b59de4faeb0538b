"""The instance health page in a real browser, in bokmål and English, on a narrow screen and
without JavaScript: an instance administrator follows the administration area's card to it
and reads a red, a yellow and a green check, each with what to do. axe-core checks the page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from familiebro.administration.models import WorkerHeartbeat
from familiebro.privacy.models import AuditVerification
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.privacy import factories as make

pytestmark = pytest.mark.browser

NARROW = {"width": 390, "height": 844}


@pytest.fixture
def instance(transactional_db, settings, tmp_path):
    """A worker that stopped half an hour ago (red), a verification two days old (yellow)."""
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.jsonl")
    now = timezone.now()
    stopped = now - datetime.timedelta(minutes=30)
    WorkerHeartbeat.objects.create(
        pk=1,
        beat_at=stopped,
        started_at=stopped - datetime.timedelta(days=1),
        sweep_interval_seconds=300,
        swept_at=stopped,
        checkpoint_at=stopped,
    )
    AuditVerification.objects.create(
        verified_at=now - datetime.timedelta(days=2),
        intact=True,
        events_checked=40,
        checkpoints_checked=12,
        problems=0,
        checkpoint_event_id=39,
        checkpoint_written_at=now - datetime.timedelta(days=2, minutes=10),
    )
    return make.user(is_instance_admin=True)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_an_instance_administrator_reads_the_instance_health(browsing, instance, language):
    english = language == "en"
    session = session_key_for(instance)
    page = browsing.axe_page(language=language, session_key=session, viewport=NARROW)
    page.goto(reverse("administration:home"))
    page.get_by_role("link", name="Instance health" if english else "Driftsstatus").click()
    path = reverse("administration:health")
    heading = "Instance health" if english else "Driftsstatus"
    assert_no_axe_violations(page, path=path, heading=heading)
    text = page.locator("main").inner_text()
    if english:
        assert "Something must be done now" in text
        assert "Start the background worker again" in text
        assert "A verification is overdue" in text
        assert "Every e-mail of the last 24 hours was taken by the mail server." in text
    else:
        assert "Noe må gjøres nå" in text
        assert "Start bakgrunnsprosessen igjen" in text
        assert "En kontroll er på overtid" in text
        assert "E-postserveren tok imot alle e-postene fra det siste døgnet." in text
    assert "familiebro worker" in page.locator("code").first.inner_text()

    # Without JavaScript the page reads the same.
    plain = browsing.new_page(language=language, session_key=session, java_script_enabled=False)
    plain.goto(path)
    assert plain.locator("[data-level='red']").count() >= 1
    assert plain.locator("[data-level='amber']").count() >= 1
    assert plain.locator("[data-level='green']").count() >= 1
