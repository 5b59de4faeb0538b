import cProfile
import io
import pstats
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cases import builders
from tests.cases.test_case_queries import grow
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db


def run(client, url, n=15):
    client.get(url)
    with CaptureQueriesContext(connection) as cap:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    t = time.perf_counter()
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(n):
        client.get(url)
    pr.disable()
    ms = (time.perf_counter() - t) / n * 1000
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(45)
    print(f"\n==== {url}: {ms:.1f} ms (profiled), {len(cap)} queries")
    for q in cap.captured_queries:
        print("   ", q["time"], q["sql"][:300])
    print(s.getvalue())


def test_profile():
    town = builders.municipality()
    case = builders.open_concern(town.nurse, town.health_centre)
    grow(town, case, 25)
    for _ in range(20):
        builders.open_concern(town.nurse, town.health_centre)
    client = logged_in(town.nurse)
    for name in ["detail", "write-log", "goals", "meetings", "participants", "decisions"]:
        run(client, reverse(f"cases:{name}", args=[case.pk]))
    run(client, reverse("cases:mine"))
    run(client, reverse("cases:allocation"))
