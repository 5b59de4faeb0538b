"""/healthz: is the database reachable and is the schema up to date?"""

from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@lru_cache(maxsize=1)
def _migrations_on_disk() -> frozenset[tuple[str, str]]:
    # The code on disk does not change while the process runs; read the graph once.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes)


@never_cache
def healthz(request):
    checks: dict[str, str] = {}
    try:
        applied = MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations()
        checks["database"] = "ok"
        missing = _migrations_on_disk() - set(applied)
        checks["migrations"] = "ok" if not missing else f"{len(missing)} not applied"
    except DatabaseError as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
    healthy = checks.get("database") == "ok" and checks.get("migrations") == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )
