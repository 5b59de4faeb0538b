"""The catalogue's HSDS tests validate against the official HSDS 3.0 files beside the project,
including the compiled schemas that Familiebro itself does not ship."""

import os
from pathlib import Path

import pytest

OFFICIAL_HSDS = Path(__file__).resolve().parents[3] / "shared" / "standards" / "hsds-3.0"
if not OFFICIAL_HSDS.is_dir():
    raise RuntimeError(
        f"The HSDS 3.0 standard is expected at {OFFICIAL_HSDS} (the shared/ folder beside the "
        "repository); the HSDS tests validate against the official files."
    )
os.environ["FAMILIEBRO_HSDS_SCHEMA_DIR"] = str(OFFICIAL_HSDS / "schema")


@pytest.fixture(autouse=True)
def _fresh_filter_choices():
    """The finder keeps its filter choices for a minute; each test's database is new."""
    from familiebro.catalogue.finder.criteria import forget_filter_choices

    forget_filter_choices()
    yield
    forget_filter_choices()
