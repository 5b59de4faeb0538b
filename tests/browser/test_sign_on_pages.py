"""Staff single sign-on in a real browser: a nurse logs in through her organisation's own
provider (the test OpenID provider, standing for Entra ID or Ansattporten) under the real
Content Security Policy and without JavaScript; axe-core checks the settings pages, the
account page's linking and the login page's buttons, in bokmål and English."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familiebro.administration.models import OrganisationSignOn, StaffIdentity
from familiebro.core.models import OrganisationAdministrator
from tests.browser.conftest import assert_no_axe_violations, session_key_for
from tests.interop.oidc_server import STAFF_CLIENT_ID, STAFF_CLIENT_SECRET, running_provider
from tests.privacy import factories as make

pytestmark = pytest.mark.browser

PID = "01017012345"


@pytest.fixture(scope="module")
def provider(live_server):
    with running_provider(live_server.url) as provider:
        yield provider


@pytest.fixture
def scene(transactional_db, provider):
    unit = make.unit(name="Helsestasjonen i Stange", kind="helsestasjon")
    sign_on = OrganisationSignOn(
        organisation=unit.organisation,
        label="Logg inn med Stange kommune",
        issuer=provider.issuer,
        client_id=STAFF_CLIENT_ID,
        authorization_origin=provider.issuer,
        second_factor_acr=["idporten-loa-high"],
        enabled=True,
    )
    sign_on.client_secret = STAFF_CLIENT_SECRET
    sign_on.save()
    nurse = make.member(unit, first_name="Nina", last_name="Berg")
    StaffIdentity.objects.create(
        user=nurse, sign_on=sign_on, issuer=provider.issuer, subject=f"sub-{PID}"
    )
    admin = make.user()
    OrganisationAdministrator.objects.create(user=admin, organisation=unit.organisation)
    return unit, sign_on, nurse, admin


def test_a_nurse_logs_in_with_her_organisations_login_without_javascript(browsing, scene):
    page = browsing.new_page(java_script_enabled=False)
    page.goto(reverse("login"))
    page.get_by_role("button", name="Logg inn med Stange kommune").click()
    # The provider's own login page (the test provider's).
    page.get_by_label("Fødselsnummer").fill(PID)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.wait_for_url(f"**{reverse('staff-home')}")
    assert "Logg ut" in page.content()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_sign_on_pages_have_no_axe_violations(browsing, scene, language):
    unit, sign_on, nurse, admin = scene
    english = language == "en"

    page = browsing.axe_page(language=language)
    page.goto(reverse("login"))
    assert_no_axe_violations(page, path=reverse("login"))
    # With many organisations, a choice of organisation instead of a button each.
    for number in range(4):
        other = OrganisationSignOn(
            organisation=make.unit(name=f"Enhet {number}").organisation,
            label=f"Logg inn med kommune {number}",
            issuer=sign_on.issuer,
            client_id=STAFF_CLIENT_ID,
            enabled=True,
        )
        other.client_secret = STAFF_CLIENT_SECRET
        other.save()
    page.goto(reverse("login"))
    page.get_by_label(
        "Your organisation" if english else "Virksomheten din", exact=True
    ).select_option(label="Logg inn med kommune 2")
    assert_no_axe_violations(page, path=reverse("login"))

    page = browsing.axe_page(language=language, session_key=session_key_for(admin))
    page.goto(reverse("administration:sign-on-list"))
    assert_no_axe_violations(page, path=reverse("administration:sign-on-list"))
    page.get_by_role(
        "link", name=("Change the login of" if english else "Endre innloggingen til")
    ).click()
    edit = reverse("administration:sign-on-edit", args=[unit.organisation.pk])
    assert_no_axe_violations(page, path=edit)
    # With the form's errors shown.
    page.get_by_label("Issuer" if english else "Utsteder").fill("ikke en adresse")
    page.get_by_role("button", name="Save" if english else "Lagre").click()
    assert_no_axe_violations(page, path=edit)

    page = browsing.axe_page(language=language, session_key=session_key_for(nurse))
    page.goto(reverse("administration:account-sign-on"))
    assert_no_axe_violations(page, path=reverse("administration:account-sign-on"))
    StaffIdentity.objects.filter(user=nurse).delete()
    page.goto(reverse("administration:account-sign-on"))
    assert_no_axe_violations(page, path=reverse("administration:account-sign-on"))
