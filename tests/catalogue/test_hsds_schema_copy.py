"""The HSDS 3.0 files shipped in the repository are the official ones.

Familiebro ships the record schemas (familiebro/catalogue/hsds_schema) and the tests ship
what they validate against (tests/standards/hsds-3.0). When a copy of the specification lies
beside the repository (shared/standards/hsds-3.0), every shipped file is compared with it;
a clone without it still checks that the two shipped copies agree.
"""

import filecmp
from pathlib import Path

import pytest

from tests.catalogue.conftest import SHIPPED_HSDS

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGE_SCHEMAS = REPOSITORY / "familiebro" / "catalogue" / "hsds_schema"
OFFICIAL_HSDS = REPOSITORY.parent / "shared" / "standards" / "hsds-3.0"


def shipped_files() -> list[str]:
    return sorted(
        str(path.relative_to(SHIPPED_HSDS))
        for path in SHIPPED_HSDS.rglob("*")
        if path.is_file() and path.name != "README.md"
    )


def test_the_package_schemas_are_the_shipped_official_ones():
    names = sorted(p.name for p in PACKAGE_SCHEMAS.glob("*.json"))
    assert names, "no HSDS schemas are shipped with the package"
    _, mismatch, errors = filecmp.cmpfiles(
        PACKAGE_SCHEMAS, SHIPPED_HSDS / "schema", names, shallow=False
    )
    assert not mismatch and not errors
    assert filecmp.cmp(PACKAGE_SCHEMAS / "LICENSE", SHIPPED_HSDS / "LICENSE", shallow=False)


def test_the_tests_copy_holds_what_the_tests_read_and_no_links():
    files = shipped_files()
    for needed in [
        "LICENSE",
        "schema/openapi.json",
        "schema/service.json",
        "schema/compiled/service.json",
        "schema/compiled/service_list.json",
        "examples/service_full.json",
        "examples/csv/services.csv",
    ]:
        assert needed in files
    # The specification's datapackage.json is a link out of the examples; the tests build
    # that case themselves instead of shipping a link a checkout may or may not keep.
    assert "examples/csv/datapackage.json" not in files
    assert not [p for p in SHIPPED_HSDS.rglob("*") if p.is_symlink()]


@pytest.mark.skipif(
    not OFFICIAL_HSDS.is_dir(), reason="no copy of the HSDS 3.0 specification beside the repository"
)
def test_the_shipped_copy_equals_the_official_files_beside_the_repository():
    _, mismatch, errors = filecmp.cmpfiles(
        SHIPPED_HSDS, OFFICIAL_HSDS, shipped_files(), shallow=False
    )
    assert not mismatch and not errors, (mismatch, errors)
