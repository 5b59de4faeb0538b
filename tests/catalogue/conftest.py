"""The catalogue's HSDS tests validate against the official HSDS 3.0 files shipped with the
tests (tests/standards/hsds-3.0), including the compiled schemas that Familiebro itself does
not ship, so a clone of the repository alone runs them."""

import os
from pathlib import Path

import pytest

SHIPPED_HSDS = Path(__file__).resolve().parents[1] / "standards" / "hsds-3.0"
os.environ["FAMILIEBRO_HSDS_SCHEMA_DIR"] = str(SHIPPED_HSDS / "schema")


@pytest.fixture(autouse=True)
def _fresh_filter_choices():
    """The finder keeps its filter choices for a minute; each test's database is new."""
    from familiebro.catalogue.finder.criteria import forget_filter_choices

    forget_filter_choices()
    yield
    forget_filter_choices()
