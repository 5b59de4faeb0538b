"""Production settings: refuse to start without secrets, and insist on HTTPS and a strict CSP.

Each check starts a fresh Python process with FAMILIEBRO_MODE=production, since the test
process itself runs with the test settings.
"""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
REQUIRED = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "FAMILIEBRO_ENCRYPTION_KEY",
    "FAMILIEBRO_LOOKUP_KEY",
    "FAMILIEBRO_AUDIT_KEYS",
    "FAMILIEBRO_AUDIT_CHECKPOINT_KEYS",
)
READ_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
csp = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "DEMO_MODE": settings.DEMO_MODE,
    "csp": csp,
}))
"""


def key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
def production_env(tmp_path):
    """Every variable production needs, and nothing from the test run's own configuration."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in REQUIRED and not name.startswith(("FAMILIEBRO_", "DJANGO_"))
    }
    env.update(
        FAMILIEBRO_MODE="production",
        DJANGO_SETTINGS_MODULE="familiebro.settings",
        SECRET_KEY=key() + key(),
        ALLOWED_HOSTS="familiebro.kommune.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'familiebro.sqlite3'}",
        FAMILIEBRO_ENCRYPTION_KEY=key(),
        FAMILIEBRO_LOOKUP_KEY=key(),
        FAMILIEBRO_AUDIT_KEYS=f"2026:{key()}",
        FAMILIEBRO_AUDIT_CHECKPOINT_KEYS=f"2026:{key()}",
        FAMILIEBRO_AUDIT_CHECKPOINT_FILE=str(tmp_path / "audit-checkpoints.jsonl"),
    )
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without_a_required_variable(production_env, missing):
    del production_env[missing]
    result = run_python(
        "import django; from django.conf import settings; settings.SECRET_KEY", production_env
    )
    assert result.returncode != 0
    assert f"The environment variable {missing} is not set" in result.stderr


def test_production_refuses_to_start_without_somewhere_to_write_audit_checkpoints(
    production_env,
):
    del production_env["FAMILIEBRO_AUDIT_CHECKPOINT_FILE"]
    result = run_python(READ_SETTINGS, production_env)
    assert result.returncode != 0
    assert "Neither FAMILIEBRO_AUDIT_CHECKPOINT_FILE nor FAMILIEBRO_AUDIT_CHECKPOINT_EMAIL" in (
        result.stderr
    )
    production_env["FAMILIEBRO_AUDIT_CHECKPOINT_EMAIL"] = "personvernombud@kommune.example"
    assert run_python(READ_SETTINGS, production_env).returncode == 0


@pytest.mark.parametrize(
    ("keyring", "complaint"),
    [
        ("no-separator", "Entry 1 of FAMILIEBRO_AUDIT_KEYS is not 'id:key'"),
        ("2026:c2hvcnQ=", "The key '2026' in FAMILIEBRO_AUDIT_KEYS must decode to exactly 32"),
        # Fixed keys: parameters must be the same in every test worker that collects them.
        (f"sha256:{'A' * 43}=", "The key id 'sha256' in FAMILIEBRO_AUDIT_KEYS is reserved"),
        (f"a:{'A' * 43}=,a:{'B' * 43}=", "The key id 'a' in FAMILIEBRO_AUDIT_KEYS is used twice"),
    ],
)
def test_production_refuses_a_malformed_audit_keyring(production_env, keyring, complaint):
    production_env["FAMILIEBRO_AUDIT_KEYS"] = keyring
    result = run_python(READ_SETTINGS, production_env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_insists_on_https_cookies_and_hsts(production_env):
    result = run_python(READ_SETTINGS, production_env)
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout)
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SECURE_HSTS_SECONDS"] > 0
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["DEMO_MODE"] is False


def test_production_has_a_strict_content_security_policy(production_env):
    result = run_python(READ_SETTINGS, production_env)
    assert result.returncode == 0, result.stderr
    csp = json.loads(result.stdout)["csp"]
    sources = [source for directive in csp.values() for source in directive]
    assert "'unsafe-inline'" not in sources
    assert "'unsafe-eval'" not in sources
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_debug_cannot_be_switched_on_in_production(production_env):
    production_env["DEBUG"] = "1"
    result = run_python(READ_SETTINGS, production_env)
    assert json.loads(result.stdout)["DEBUG"] is False


def test_the_deploy_check_passes_with_production_settings(production_env):
    result = subprocess.run(
        [sys.executable, "-m", "familiebro", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_citizen_login_provider_without_its_client_refuses_to_start(production_env):
    production_env["FAMILIEBRO_CITIZEN_OIDC_ISSUER"] = "https://idporten.no"
    result = run_python(READ_SETTINGS, production_env)
    assert result.returncode != 0
    assert "FAMILIEBRO_CITIZEN_OIDC_CLIENT_ID" in result.stderr


def test_the_citizen_login_provider_may_receive_the_login_and_logout_forms(production_env):
    production_env.update(
        FAMILIEBRO_CITIZEN_OIDC_ISSUER="https://idporten.no",
        FAMILIEBRO_CITIZEN_OIDC_CLIENT_ID="familiebro",
        FAMILIEBRO_CITIZEN_OIDC_CLIENT_SECRET="secret",
    )
    result = run_python(READ_SETTINGS, production_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["csp"]["form-action"] == ["'self'", "https://idporten.no"]


def test_the_web_application_leaves_what_it_loaded_out_of_garbage_collection(production_env):
    # A full collection that walks every loaded module pauses a request for tens of ms.
    result = run_python(
        "import gc, json, sys, familiebro.wsgi\n"
        "print(json.dumps({'frozen': gc.get_freeze_count(),"
        " 'views_loaded': 'familiebro.cases.case_views' in sys.modules}))",
        production_env,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["views_loaded"]
    assert answer["frozen"] > 50_000
