"""Settings, read from the environment.

FAMILIEBRO_MODE chooses the defaults: ``production`` (the default) refuses to start without
its secrets; ``demo`` and ``test`` run with built-in development keys on SQLite under var/
and accept Norway's synthetic test identity numbers.
"""

import base64
import hashlib
import os
import urllib.parse
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from familiebro.core.crypto import parse_keyring

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

MODES = ("production", "demo", "test")
MODE = os.environ.get("FAMILIEBRO_MODE", "production")
if MODE not in MODES:
    raise ImproperlyConfigured(
        f"FAMILIEBRO_MODE is {MODE!r}; set it to one of: {', '.join(MODES)}."
    )
PRODUCTION = MODE == "production"
DEMO_MODE = MODE == "demo"
DEMO_PASSWORD = "familiebro-demo"  # noqa: S105 - shared by demo accounts, used only in DEMO_MODE
# Synthetic identity numbers (month + 80) exist only in test data; real instances refuse them.
ACCEPT_SYNTHETIC_IDENTITY_NUMBERS = not PRODUCTION


def env(name: str, *, dev_default: str | None = None) -> str:
    """Read a required variable. Outside production a development default may stand in."""
    value = os.environ.get(name)
    if value:
        return value
    if not PRODUCTION and dev_default is not None:
        return dev_default
    raise ImproperlyConfigured(
        f"The environment variable {name} is not set. Familiebro needs it in production; "
        "see 'Configuration' in the README."
    )


def dev_key(label: str) -> str:
    """A fixed, public key for demo and test instances only: never protects real data."""
    digest = hashlib.sha256(f"familiebro-development-{label}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


SECRET_KEY = env("SECRET_KEY", dev_default="familiebro-development-only-not-secret")
DEBUG = os.environ.get("DEBUG", "0") == "1" and not PRODUCTION
ALLOWED_HOSTS = [
    h.strip()
    for h in env("ALLOWED_HOSTS", dev_default="127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# AES-GCM key for national identity numbers and the HMAC key for looking them up.
# Both are 32 random bytes, base64url-encoded: python -c "import os,base64;
# print(base64.urlsafe_b64encode(os.urandom(32)).decode())"
FIELD_ENCRYPTION_KEY = env("FAMILIEBRO_ENCRYPTION_KEY", dev_default=dev_key("encryption"))
LOOKUP_HASH_KEY = env("FAMILIEBRO_LOOKUP_KEY", dev_default=dev_key("lookup"))

# The audit trail is an HMAC chain keyed with AUDIT_KEYS, and anchored outside the database by
# checkpoints signed with AUDIT_CHECKPOINT_KEYS. Both are keyrings, "id:key,id:key", the first
# the current key, so keys can be rotated (docs/operations.md). The id "sha256" is reserved:
# it names the events chained before the chain had a key.
AUDIT_KEYS = env("FAMILIEBRO_AUDIT_KEYS", dev_default=f"dev:{dev_key('audit')}")
AUDIT_CHECKPOINT_KEYS = env(
    "FAMILIEBRO_AUDIT_CHECKPOINT_KEYS", dev_default=f"dev:{dev_key('audit-checkpoint')}"
)
parse_keyring(AUDIT_KEYS, "FAMILIEBRO_AUDIT_KEYS", reserved=("sha256",))
parse_keyring(AUDIT_CHECKPOINT_KEYS, "FAMILIEBRO_AUDIT_CHECKPOINT_KEYS")
# Where the worker writes a checkpoint of the chain's head every AUDIT_CHECKPOINT_MINUTES: a
# file (one JSON line each, on storage the database's administrators cannot rewrite) and/or
# the data protection officer's e-mail. Production needs at least one of them.
AUDIT_CHECKPOINT_FILE = os.environ.get("FAMILIEBRO_AUDIT_CHECKPOINT_FILE", "")
AUDIT_CHECKPOINT_EMAIL = [
    address.strip()
    for address in os.environ.get("FAMILIEBRO_AUDIT_CHECKPOINT_EMAIL", "").split(",")
    if address.strip()
]
AUDIT_CHECKPOINT_MINUTES = int(os.environ.get("FAMILIEBRO_AUDIT_CHECKPOINT_MINUTES", "15"))
if AUDIT_CHECKPOINT_MINUTES <= 0:
    raise ImproperlyConfigured("FAMILIEBRO_AUDIT_CHECKPOINT_MINUTES must be a positive number.")
if PRODUCTION and not (AUDIT_CHECKPOINT_FILE or AUDIT_CHECKPOINT_EMAIL):
    raise ImproperlyConfigured(
        "Neither FAMILIEBRO_AUDIT_CHECKPOINT_FILE nor FAMILIEBRO_AUDIT_CHECKPOINT_EMAIL is set: "
        "the audit trail's checkpoints must go somewhere outside the database. Set one or both; "
        "see 'Configuration' in the README."
    )

VAR_DIR = Path(os.environ.get("FAMILIEBRO_VAR_DIR", PROJECT_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", dev_default=f"sqlite:///{VAR_DIR / 'familiebro.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "familiebro.core",
    "familiebro.privacy",
    "familiebro.catalogue",
    "familiebro.cases",
    "familiebro.groups",
    "familiebro.referrals",
    "familiebro.outcomes",
    "familiebro.portal",
    "familiebro.reports",
    "familiebro.administration",
    "familiebro.demo",
]

MIDDLEWARE = [
    "familiebro.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Outside everything that may answer a logged-in session: no response to one is cached.
    "familiebro.core.middleware.NoStoreForSessionsMiddleware",
    "familiebro.core.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "familiebro.core.middleware.PublicApiCorsMiddleware",
]
if os.environ.get("FAMILIEBRO_QUERY_COUNT_HEADER") == "1":
    # Benchmarks read the number of SQL queries each response cost from a header.
    MIDDLEWARE.insert(0, "familiebro.core.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "familiebro.urls"
WSGI_APPLICATION = "familiebro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "familiebro.core.context_processors.instance",
                "familiebro.portal.session.context",
                "familiebro.privacy.menu.context",
            ],
        },
    }
]

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if MODE == "test":
    # Tests create thousands of users; a deliberately slow hash would dominate their run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Failed logins before an account is locked, and for how long.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
# Idle sessions end after this many seconds. Requests renew the clock, at most once per
# renewal interval (core.middleware.SessionRenewalMiddleware), so a session ends at most that
# much early.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_RENEWAL_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "Familiebro"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("nn", _("Norwegian Nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "familiebro_language"
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/designsystemet-css", PROJECT_DIR / "node_modules/@digdir/designsystemet-css/dist/src"),
    (
        "vendor/designsystemet-theme",
        PROJECT_DIR / "node_modules/@digdir/designsystemet-theme/brand",
    ),
    ("vendor/htmx", PROJECT_DIR / "node_modules/htmx.org/dist"),
]
# Uploaded files (scanned consent forms, contact photos). Never served by the web server
# directly: views hand them out after the access policy has said yes.
MEDIA_ROOT = Path(os.environ.get("FAMILIEBRO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production, whitenoise serves straight from the finders: no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Familiebro <ikke-svar@familiebro.invalid>"
)

# SMS through one small interface (familiebro.interop.messages): console, file or http.
FAMILIEBRO_SMS_BACKEND = os.environ.get("FAMILIEBRO_SMS_BACKEND", "console")
FAMILIEBRO_SMS_FILE = os.environ.get("FAMILIEBRO_SMS_FILE", str(VAR_DIR / "sms.jsonl"))
FAMILIEBRO_SMS_URL = os.environ.get("FAMILIEBRO_SMS_URL", "")
FAMILIEBRO_SMS_TOKEN = os.environ.get("FAMILIEBRO_SMS_TOKEN", "")
FAMILIEBRO_SMS_SENDER = os.environ.get("FAMILIEBRO_SMS_SENDER", "Familiebro")
if FAMILIEBRO_SMS_BACKEND not in {"console", "file", "http"}:
    raise ImproperlyConfigured("FAMILIEBRO_SMS_BACKEND must be console, file or http.")
if FAMILIEBRO_SMS_BACKEND == "http" and not FAMILIEBRO_SMS_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        "FAMILIEBRO_SMS_BACKEND is http but FAMILIEBRO_SMS_URL is not an http(s) address: give "
        "the gateway's address."
    )

# Security. Production insists on HTTPS; the reverse proxy must set X-Forwarded-Proto.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Strict CSP: only our own scripts and styles, nothing inline, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Every log line goes through the one handler below, which cuts query strings off any address
# a message holds (they may carry personal data) and writes JSON. Django's own loggers lose
# their default handlers and pass their records up to it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_query_strings": {"()": "familiebro.core.logging.WithoutQueryStrings"}},
    "formatters": {"json": {"()": "familiebro.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["without_query_strings"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        # Our request log replaces Django's; keep its own request lines out.
        "django.request": {"level": "ERROR"},
        # The development server (the demo) logs 4xx and 5xx answers, without query strings.
        "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}

# Adds /_bench/floor/<id>: the framework floor that `make bench` measures against.
BENCHMARK_VIEWS = os.environ.get("FAMILIEBRO_BENCHMARK_VIEWS") == "1"

# Requests for help from the public form: at most this many per client address per window.
HELP_REQUEST_RATE_LIMIT = int(os.environ.get("HELP_REQUEST_RATE_LIMIT", "5"))
HELP_REQUEST_RATE_WINDOW_SECONDS = int(os.environ.get("HELP_REQUEST_RATE_WINDOW_SECONDS", "3600"))
# Proxies in front of Familiebro that append to X-Forwarded-For (0: use the peer address).
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))

# A monitoring system reads the instance health as JSON (/ansatt/administrasjon/driftsstatus.json)
# with this token in an "Authorization: Bearer" header. Empty: only logged-in instance
# administrators read it. Use a long random value (at least 32 characters).
HEALTH_TOKEN = os.environ.get("FAMILIEBRO_HEALTH_TOKEN", "")

# Deadline reminders: how many days before a deadline its people hear that it is due soon.
REMINDER_LEAD_DAYS = int(os.environ.get("FAMILIEBRO_REMINDER_LEAD_DAYS", "2"))
# The address staff open Familiebro at, for the links in e-mails the worker sends (it has no
# request to read the address from).
# The HSDS API root's `profile`: where the HSDS profile this API follows is described. Without
# a national profile, the base HSDS 3.0 specification, which the API follows as it is.
HSDS_PROFILE_URL = os.environ.get(
    "FAMILIEBRO_HSDS_PROFILE_URL", "https://github.com/openreferral/specification/tree/3.0"
)
SITE_URL = os.environ.get("FAMILIEBRO_SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000")

# Login for parents and young people: ID-porten, or another OpenID Connect provider that puts
# the identity number in the `pid` claim. Without an issuer, "Min side" says it is not set up.
CITIZEN_OIDC_ISSUER = os.environ.get("FAMILIEBRO_CITIZEN_OIDC_ISSUER", "").rstrip("/")
CITIZEN_OIDC_CLIENT_ID = os.environ.get("FAMILIEBRO_CITIZEN_OIDC_CLIENT_ID", "")
CITIZEN_OIDC_CLIENT_SECRET = os.environ.get("FAMILIEBRO_CITIZEN_OIDC_CLIENT_SECRET", "")
# The levels of assurance accepted; health and family data need ID-porten's "high".
CITIZEN_OIDC_ACR_VALUES = os.environ.get("FAMILIEBRO_CITIZEN_OIDC_ACR", "idporten-loa-high").split()
if CITIZEN_OIDC_ISSUER and not (CITIZEN_OIDC_CLIENT_ID and CITIZEN_OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "FAMILIEBRO_CITIZEN_OIDC_ISSUER is set, but not FAMILIEBRO_CITIZEN_OIDC_CLIENT_ID and "
        "FAMILIEBRO_CITIZEN_OIDC_CLIENT_SECRET: set the client registered with the provider, "
        "or unset the issuer."
    )
if CITIZEN_OIDC_ISSUER:
    # The login and logout forms of Min side send the browser on to the provider.
    _issuer = urllib.parse.urlsplit(CITIZEN_OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_issuer.scheme}://{_issuer.netloc}"
    )
