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


def missing_migrations() -> int:
    """How many migrations on disk are not applied (one query; raises DatabaseError when the
    database does not answer). Also read by the instance health page for administrators."""
    applied = MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations()
    return len(_migrations_on_disk() - set(applied))


def database_checks() -> dict[str, str]:
    """For the database and the migrations: "ok", or what is wrong."""
    checks: dict[str, str] = {}
    try:
        missing = missing_migrations()
        checks["database"] = "ok"
        checks["migrations"] = "ok" if not missing else f"{missing} not applied"
    except DatabaseError as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
    return checks


@never_cache
def healthz(request):
    checks = database_checks()
    healthy = checks.get("database") == "ok" and checks.get("migrations") == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )
