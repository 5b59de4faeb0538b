"""Consent texts, consent rules and retention periods, as an organisation's administrator
sets them: versioned texts read by the organisation first, rules that never go below the
law, periods set through the same function as the command; each change audited, each
refusal said plainly with nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.core.models import ConfidentialityDomain, Membership, OrganisationAdministrator
from familiebro.privacy import consent_reads
from familiebro.privacy.models import (
    AuditEvent,
    ConsentRule,
    ConsentText,
    Purpose,
    RetentionRule,
)
from tests.privacy import factories as make
from tests.privacy import factories_consent as privacy_factories
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

COORDINATION = Purpose.COORDINATION
HEALTH = ConfidentialityDomain.HEALTH


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town():
    return make.unit(name="Helsestasjonen i Stange", kind="helsestasjon")


@pytest.fixture
def admin(town):
    user = make.user()
    OrganisationAdministrator.objects.create(user=user, organisation=town.organisation)
    return user


def publish_url(organisation_id):
    return reverse("administration:consent-text-publish", args=[organisation_id])


def rules_url(organisation_id):
    return reverse("administration:consent-rules-organisation", args=[organisation_id])


def retention_url(organisation_id):
    return reverse("administration:retention-organisation", args=[organisation_id])


def publish(client, organisation_id, **fields):
    data = {
        "purpose": COORDINATION,
        "language": "nb",
        "title": "Samtykke for {child}",
        "body": "## Hva\n\n{controller} deler med {recipients}.",
        "publish": "1",
        **fields,
    }
    return client.post(publish_url(organisation_id), data)


# --- Consent texts -----------------------------------------------------------------------


def test_an_organisation_publishes_its_own_text_and_reads_it_first(admin, town):
    instance_text = make.consent_text(COORDINATION)
    other = make.unit(name="Helsestasjonen i Hamar", kind="helsestasjon").organisation
    client = logged_in(admin)
    page = client.get(
        reverse("administration:consent-texts-organisation", args=[town.organisation_id])
    ).content.decode()
    assert "the instance's text" in page

    response = publish(client, town.organisation_id)
    assert response.status_code == 302
    own = ConsentText.objects.get(organisation=town.organisation)
    assert own.version == 1
    assert consent_reads.current_text(COORDINATION, "nb", town.organisation_id) == own
    # Another organisation, and the instance itself, keep the instance's text.
    assert consent_reads.current_text(COORDINATION, "nb", other.pk) == instance_text
    assert consent_reads.current_text(COORDINATION, "nb") == instance_text
    event = AuditEvent.objects.get(object_type="privacy.consenttext", action="create")
    assert event.actor_id == admin.pk and event.detail["version"] == 1

    # A second version is a new row; the first is never changed.
    publish(client, town.organisation_id, title="Ny tittel for {child}")
    assert list(
        ConsentText.objects.filter(organisation=town.organisation)
        .order_by("version")
        .values_list("version", "title")
    ) == [(1, "Samtykke for {child}"), (2, "Ny tittel for {child}")]
    page = client.get(
        reverse("administration:consent-texts-organisation", args=[town.organisation_id])
    ).content.decode()
    assert "version 1 (" in page and "Ny tittel for {child}" in page


def test_the_printed_form_and_a_recorded_consent_use_the_organisations_text(admin, town):
    make.ensure_consent_texts()
    publish(logged_in(admin), town.organisation_id, title="Eget samtykke for {child}")
    child, _guardian, _relation = make.child_with_guardian(town.organisation)
    draft = consent_reads.ConsentDraft(subject=child, purpose=COORDINATION, language="nb")
    rendered = consent_reads.render_consent_text(draft)
    assert rendered.title == f"Eget samtykke for {child}"


def test_a_consent_recorded_in_the_organisation_is_given_on_its_own_text(admin, town):
    make.ensure_consent_texts()
    staff = privacy_factories.staff_in(town)
    family = privacy_factories.family(staff)
    publish(logged_in(admin), family.child.organisation_id, title="Eget samtykke for {child}")
    consent = privacy_factories.record(
        staff, family, recipient_units=[privacy_factories.health_trust_unit()]
    )
    assert consent.text.organisation_id == family.child.organisation_id
    assert consent.text.title == "Eget samtykke for {child}"


def test_an_unknown_placeholder_is_refused_by_name_and_nothing_is_published(admin, town):
    client = logged_in(admin)
    response = publish(client, town.organisation_id, body="Hei {barn}, {controller} deler.")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The text names {barn}, which is no placeholder" in page
    response = publish(client, town.organisation_id, body="En krøllparentes { alene.")
    assert "A brace { or } stands alone" in response.content.decode()
    assert not ConsentText.objects.filter(organisation=town.organisation).exists()
    assert not AuditEvent.objects.filter(object_type="privacy.consenttext").exists()


def test_the_preview_shows_the_text_the_way_a_family_reads_it(admin, town):
    response = logged_in(admin).post(
        publish_url(town.organisation_id),
        {
            "purpose": COORDINATION,
            "language": "nb",
            "title": "Samtykke for {child}",
            "body": "## Hvem får vite\n\n{recipients} får se {categories}.",
            "preview": "1",
        },
    )
    page = response.content.decode()
    assert "Samtykke for Kari Nordmann" in page
    assert f"Helsestasjonen ({town.organisation.name}) får se Logginnføringer" in page or (
        f"Helsestasjonen ({town.organisation.name}) får se" in page
    )
    assert not ConsentText.objects.filter(organisation=town.organisation).exists()


# --- Consent rules -----------------------------------------------------------------------


def set_rule(client, organisation_id, **fields):
    data = {
        "purpose": COORDINATION,
        "domain": HEALTH,
        "givers": ConsentRule.Givers.YOUNG_PERSON,
        "young_person_age": "14",
        "child_heard_from_age": "7",
        **fields,
    }
    return client.post(rules_url(organisation_id), data)


def test_a_rule_within_the_law_is_saved_and_audited(admin, town):
    client = logged_in(admin)
    assert (
        "pasient- og brukerrettighetsloven § 4-3"
        in client.get(rules_url(town.organisation_id)).content.decode()
    )
    response = set_rule(client, town.organisation_id)
    assert response.status_code == 302
    rule = ConsentRule.objects.get(organisation=town.organisation)
    assert rule.young_person_age == 14
    assert consent_reads.consent_rule(town.organisation, COORDINATION, HEALTH).pk == rule.pk
    event = AuditEvent.objects.get(object_type="privacy.consentrule")
    assert event.detail["young_person_age"] == 14 and event.actor_id == admin.pk

    client.post(reverse("administration:consent-rule-remove", args=[town.organisation_id, rule.pk]))
    assert not ConsentRule.objects.exists()
    assert AuditEvent.objects.filter(object_type="privacy.consentrule", action="delete").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"young_person_age": "17"}, "the young person consents from 16 at the latest"),
        ({"givers": ConsentRule.Givers.ALL_GUARDIANS}, "the law says who consents"),
        ({"child_heard_from_age": ""}, "view is to be recorded from 7 at the latest"),
        ({"domain": "", "young_person_age": "10"}, "between 12 and 18"),
        ({"young_person_age": "elleve"}, "Enter a whole number"),
    ],
)
def test_a_rule_below_the_law_is_refused_and_nothing_changes(admin, town, fields, message):
    response = set_rule(logged_in(admin), town.organisation_id, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ConsentRule.objects.exists()
    assert not AuditEvent.objects.filter(object_type="privacy.consentrule").exists()


def test_a_rule_for_every_service_does_not_override_the_law_for_health(town):
    ConsentRule.objects.create(
        organisation=town.organisation,
        purpose=COORDINATION,
        givers=ConsentRule.Givers.ALL_GUARDIANS,
    )
    health = consent_reads.consent_rule(town.organisation, COORDINATION, HEALTH)
    assert health.givers == ConsentRule.Givers.YOUNG_PERSON and health.young_person_age == 16
    school = consent_reads.consent_rule(
        town.organisation, COORDINATION, ConfidentialityDomain.EDUCATION
    )
    assert school.givers == ConsentRule.Givers.ALL_GUARDIANS


# --- Retention ---------------------------------------------------------------------------


def test_an_organisation_sets_a_retention_period_audited(admin, town):
    client = logged_in(admin)
    response = client.post(
        retention_url(town.organisation_id),
        {"category": "ended_consent", "unit_kind": "", "days": "400", "outcome": "delete"},
    )
    assert response.status_code == 302
    rule = RetentionRule.objects.get(organisation=town.organisation, category="ended_consent")
    assert rule.period_days == 400
    event = AuditEvent.objects.get(object_type="privacy.retentionrule")
    assert event.actor_id == admin.pk
    assert (
        "Consents that have ended"
        in client.get(retention_url(town.organisation_id)).content.decode()
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category": "inactive_person", "outcome": "preserve"}, "cannot be preserved"),
        ({"category": "ended_consent", "unit_kind": "barnevern"}, "belongs to no unit"),
        ({"days": "-3"}, "greater than or equal to 0"),
        ({"days": "999999"}, "from 0 to 36500"),
        ({"category": "nothing"}, "Select a valid choice"),
    ],
)
def test_a_retention_period_outside_the_bounds_is_refused(admin, town, fields, message):
    data = {"category": "ended_consent", "unit_kind": "", "days": "30", "outcome": "delete"}
    response = logged_in(admin).post(retention_url(town.organisation_id), {**data, **fields})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RetentionRule.objects.filter(organisation=town.organisation).exists()


# --- Who may ------------------------------------------------------------------------------


@pytest.fixture
def actors(town):
    other = make.unit(name="Helsestasjonen i Hamar", kind="helsestasjon")
    own_admin = make.user()
    OrganisationAdministrator.objects.create(user=own_admin, organisation=town.organisation)
    other_admin = make.user()
    OrganisationAdministrator.objects.create(user=other_admin, organisation=other.organisation)
    return {
        "instance_admin": make.user(is_instance_admin=True),
        "organisation_admin": own_admin,
        "other_organisation_admin": other_admin,
        "unit_admin": make.member(town, role=Membership.Role.UNIT_ADMIN),
        "caseworker": make.member(town),
    }


MAY = {"instance_admin", "organisation_admin"}


def _writes():
    return (
        ConsentText.objects.count(),
        ConsentRule.objects.count(),
        RetentionRule.objects.count(),
        AuditEvent.objects.filter(
            object_type__in=["privacy.consenttext", "privacy.consentrule", "privacy.retentionrule"]
        ).count(),
    )


@pytest.mark.parametrize(
    "who",
    [
        "instance_admin",
        "organisation_admin",
        "other_organisation_admin",
        "unit_admin",
        "caseworker",
    ],
)
def test_who_may_see_and_change_an_organisations_consent_and_retention(actors, town, who):
    client = logged_in(actors[who])
    org = town.organisation_id
    pages = [
        reverse("administration:consent-texts-organisation", args=[org]),
        publish_url(org),
        rules_url(org),
        retention_url(org),
    ]
    for url in pages:
        assert client.get(url).status_code == (200 if who in MAY else 403), url
    before = _writes()
    responses = [
        publish(client, org),
        set_rule(client, org),
        client.post(
            retention_url(org),
            {"category": "ended_consent", "unit_kind": "", "days": "30", "outcome": "delete"},
        ),
    ]
    if who in MAY:
        assert [r.status_code for r in responses] == [302, 302, 302]
    else:
        assert [r.status_code for r in responses] == [403, 403, 403]
        assert _writes() == before
        rule = ConsentRule.objects.create(
            organisation=town.organisation, purpose=COORDINATION, givers="all_guardians"
        )
        removed = client.post(reverse("administration:consent-rule-remove", args=[org, rule.pk]))
        assert removed.status_code == 403 and ConsentRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.parametrize(
    "who",
    [
        "instance_admin",
        "organisation_admin",
        "other_organisation_admin",
        "unit_admin",
        "caseworker",
    ],
)
def test_only_instance_administrators_set_the_instances_defaults(actors, who):
    client = logged_in(actors[who])
    allowed = who == "instance_admin"
    for name in ("consent-texts-instance", "consent-text-publish-instance", "retention-instance"):
        assert client.get(reverse(f"administration:{name}")).status_code == (
            200 if allowed else 403
        )
    before = ConsentText.objects.filter(organisation__isnull=True).count()
    response = client.post(
        reverse("administration:consent-text-publish-instance"),
        {
            "purpose": COORDINATION,
            "language": "en",
            "title": "Consent for {child}",
            "body": "Shared with {recipients}.",
            "publish": "1",
        },
    )
    assert response.status_code == (302 if allowed else 403)
    after = ConsentText.objects.filter(organisation__isnull=True).count()
    assert after == before + (1 if allowed else 0)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("instance_admin", 200),
        ("organisation_admin", 302),
        ("other_organisation_admin", 302),
        ("unit_admin", 403),
        ("caseworker", 403),
    ],
)
def test_the_start_pages_send_an_organisation_administrator_to_their_organisation(
    actors, town, who, status
):
    client = logged_in(actors[who])
    for name in ("consent-texts", "consent-rules", "retention"):
        response = client.get(reverse(f"administration:{name}"))
        assert response.status_code == status
    if who == "organisation_admin":
        assert response.url == retention_url(town.organisation_id)


def test_a_missing_organisation_is_not_found(actors):
    client = logged_in(actors["instance_admin"])
    assert client.get(rules_url(999999)).status_code == 404


@pytest.mark.parametrize(
    "who",
    [
        "instance_admin",
        "organisation_admin",
        "other_organisation_admin",
        "unit_admin",
        "caseworker",
    ],
)
def test_every_staff_member_reads_what_each_role_may_do(actors, who):
    response = logged_in(actors[who]).get(reverse("administration:roles"))
    assert response.status_code == 200
    assert "Areas of the staff menu" in response.content.decode()


def test_the_instance_administrator_sets_a_default_retention_period(actors):
    client = logged_in(actors["instance_admin"])
    response = client.post(
        reverse("administration:retention-instance"),
        {"category": "ended_assignment", "unit_kind": "", "days": "900", "outcome": "delete"},
    )
    assert response.status_code == 302
    rule = RetentionRule.objects.get(organisation__isnull=True, category="ended_assignment")
    assert rule.period_days == 900


@pytest.mark.parametrize(
    "body",
    [
        "{child.name}",
        "{0}",
        "{}",
        "{child}}",
        "{{child}",
        "{child:>900000000}",
        "{recipients:.0}",
        "{child!r}",
        "{child[0]}",
    ],
)
def test_a_placeholder_the_text_cannot_fill_is_refused(admin, town, body):
    response = publish(logged_in(admin), town.organisation_id, body=f"Hei {body}.")
    assert response.status_code == 200
    if ":" in body or "!" in body:
        assert "has more than its name between the braces. Write it as {" in (
            response.content.decode()
        )
    assert not ConsentText.objects.filter(organisation=town.organisation).exists()
