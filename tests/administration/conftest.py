from tests.interop.oidc_server import oidc_provider  # noqa: F401
