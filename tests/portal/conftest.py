from tests.interop.oidc_server import citizen_login, oidc_provider  # noqa: F401
