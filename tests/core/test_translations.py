"""Every UI string is translated to bokmål and nynorsk.

The source strings (msgids) are English. The test extracts them afresh from a copy of the code
with Django's makemessages, merged with the committed catalogues, so a string added without a
translation fails here rather than showing up in English for a Norwegian user.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

import familiebro

PACKAGE = Path(familiebro.__file__).parent


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory):
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is missing: run `make test` (it installs it), or install gettext")
    copy = tmp_path_factory.mktemp("i18n") / "familiebro"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "nb",
            "-l",
            "nn",
            "--no-obsolete",
            "--no-location",
            "--settings=familiebro.settings",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return copy / "locale"


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_every_ui_string_is_translated(fresh_catalogues, language):
    catalogue = polib.pofile(str(fresh_catalogues / language / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"Untranslated into {language}: {missing}"
    assert not fuzzy, f"Fuzzy (unchecked) translations in {language}: {fuzzy}"
