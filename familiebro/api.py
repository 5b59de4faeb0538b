"""The HTTP API: one django-ninja instance, OpenAPI at /api/openapi.json, docs at /api/docs.

Each app adds its router here. Staff endpoints authenticate with the staff session (and its
CSRF protection); the family's endpoints with the citizen session of "Min side"; public
endpoints (the HSDS directory) need no login.
"""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Familiebro API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

from familiebro.privacy.api import router as privacy_router  # noqa: E402

api.add_router("/privacy/", privacy_router)

from familiebro.catalogue.hsds.api import router as hsds_router  # noqa: E402

api.add_router("/hsds/", hsds_router)

from familiebro.portal.api import router as portal_router  # noqa: E402

api.add_router("/portal/", portal_router)
