import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_case_mix():
    # The case-mix trajectory is cached for an hour; each test starts from its own data.
    cache.clear()
    yield
    cache.clear()
