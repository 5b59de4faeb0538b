import pytest
from django.conf import settings
from django.utils import translation

from tests import factories


@pytest.fixture(autouse=True)
def _test_mode_only():
    # Tests must never run against a production configuration.
    assert settings.MODE == "test", "Run the tests with FAMILIEBRO_MODE=test (make test does)."


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service-level tests read the English source messages. Pages are requested through the
    locale middleware and so speak bokmål (the default), as a user sees them."""
    with translation.override("en"):
        yield


@pytest.fixture
def unit(db):
    return factories.ServiceUnitFactory()


@pytest.fixture
def staff(db, unit):
    """A worker in `unit` who has passed the second factor when logged in with `staff_client`."""
    return factories.MembershipFactory(unit=unit).user


@pytest.fixture
def staff_client(client, staff):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
