import filecmp
from pathlib import Path

from tests.catalogue.conftest import OFFICIAL_HSDS


def test_the_shipped_schemas_are_the_official_ones():
    shipped = Path(__file__).resolve().parents[2] / "familiebro" / "catalogue" / "hsds_schema"
    names = sorted(p.name for p in shipped.glob("*.json"))
    assert names, "no HSDS schemas are shipped"
    _, mismatch, errors = filecmp.cmpfiles(shipped, OFFICIAL_HSDS / "schema", names, shallow=False)
    assert not mismatch and not errors
