"""`make relevance`: how well the finder answers parents' own words, on the demo offers.

Runs every query of queries.txt through the finder (familiebro.catalogue.finder.search, on
the page language the query names, with no filters) and measures, against the graded offers:

- recall@5: of the offers graded 2 ("exactly right"; graded 1 where a query has none), the
  share among the first five results, out of at most five (a query with seven right offers
  is fully answered by five of them);
- nDCG@10: the order of the first ten results, with gains 3 for grade 2 and 1 for grade 1;
- the zero-result rate: queries that found nothing at all.

Prints them overall and per group of queries, and writes bench/results/<date>-relevance.json
(one entry per database; a run on the other database adds its entry to the same day's file).
On SQLite by default; on PostgreSQL when DATABASE_URL names one (a test database is created
beside it and dropped after).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUERIES = Path(__file__).with_name("queries.txt")
RESULTS = Path(__file__).resolve().parent.parent / "results"
TOP_RECALL = 5
TOP_NDCG = 10
SHORTHANDS = {
    "@samtale": ("rana-samtale", "namsos-samtale", "gloppen-samtale", "skien-samtale",
                 "lillestrom-samtale"),
    "@godt-samliv": ("stange-godt-samliv", "gloppen-godt-samliv"),
    "@barsel": ("stange-barselgruppe", "lillestrom-barselgruppe"),
    "@icdp": ("skien-icdp-arabisk", "lillestrom-icdp-somali", "smola-icdp"),
    "@fin": ("skien-foreldre-i-norge-tigrinja", "molde-foreldre-i-norge-ukrainsk"),
}  # fmt: skip
# The targets the finder is held to (docs/benchmarks.md).
RECALL_TARGET = 0.9


@dataclass(frozen=True)
class LabelledQuery:
    group: str
    language: str
    text: str
    grades: dict[str, int]


def load_queries(path: Path = QUERIES) -> list[LabelledQuery]:
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            group, language, text, labels = (part.strip() for part in line.split(" | "))
        except ValueError:
            raise ValueError(f"{path.name}:{number}: expected four columns") from None
        grades: dict[str, int] = {}
        for label in labels.split(","):
            key, _, grade = label.strip().partition("=")
            for offer_key in SHORTHANDS.get(key, (key,)):
                grades[offer_key] = max(grades.get(offer_key, 0), int(grade))
        queries.append(LabelledQuery(group, language, text, grades))
    return queries


def recall_at(ranked: list[str], grades: dict[str, int], k: int = TOP_RECALL) -> float:
    best = max(grades.values())
    wanted = {key for key, grade in grades.items() if grade == best}
    found = len(wanted & set(ranked[:k]))
    return found / min(k, len(wanted))


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = TOP_NDCG) -> float:
    def gain(grade: int) -> float:
        return float(2**grade - 1)

    dcg = sum(gain(grades.get(key, 0)) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(gain(grade) / math.log2(i + 2) for i, grade in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def run_queries(queries: list[LabelledQuery]) -> list[dict[str, Any]]:
    """Each query's first results (demo offer keys), through the finder as a parent uses it."""
    from django.utils import translation

    from familiebro.catalogue.demo import DEMO_OFFERS
    from familiebro.catalogue.finder.criteria import FinderCriteria
    from familiebro.catalogue.finder.search import search

    keys = {spec.id: spec.key for spec in DEMO_OFFERS}
    answers = []
    for query in queries:
        with translation.override(query.language):
            result = search(FinderCriteria(text=query.text))
        ranked = [keys.get(card.pk, str(card.pk)) for card in result.offers]
        answers.append(
            {
                "group": query.group,
                "language": query.language,
                "query": query.text,
                "count": result.count,
                "top": ranked[:TOP_NDCG],
                "recall@5": recall_at(ranked, query.grades),
                "ndcg@10": ndcg_at(ranked, query.grades),
                "showing_for": result.showing_for,
            }
        )
    return answers


def summarise(answers: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for answer in answers:
        groups["all"].append(answer)
        groups[answer["group"]].append(answer)
    return {
        name: {
            "queries": len(items),
            "recall@5": round(sum(a["recall@5"] for a in items) / len(items), 3),
            "ndcg@10": round(sum(a["ndcg@10"] for a in items) / len(items), 3),
            "zero_results": round(sum(1 for a in items if not a["count"]) / len(items), 3),
        }
        for name, items in groups.items()
    }


def print_summary(database: str, summary: dict[str, dict[str, float]]) -> None:
    print(f"Finder relevance on {database} ({summary['all']['queries']} queries)")
    print(f"{'group':<10} {'queries':>7} {'recall@5':>9} {'nDCG@10':>8} {'zero':>6}")
    for name, row in summary.items():
        print(
            f"{name:<10} {row['queries']:>7} {row['recall@5']:>9.3f} {row['ndcg@10']:>8.3f} "
            f"{row['zero_results']:>6.3f}"
        )


def evaluate() -> tuple[dict[str, dict[str, float]], list[dict[str, Any]]]:
    """Load the demo data into the current (test) database and run every query."""
    from familiebro.demo.data import load_demo_data

    load_demo_data()
    answers = run_queries(load_queries())
    return summarise(answers), answers


def write_results(database: str, summary: dict[str, Any], answers: list[dict[str, Any]]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{datetime.date.today().isoformat()}-relevance.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    misses = [a for a in answers if a["recall@5"] < 1 or not a["count"]]
    results[database] = {"summary": summary, "misses": misses}
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true", help="list queries below 1.0")
    args = parser.parse_args(argv)
    os.environ.setdefault("FAMILIEBRO_MODE", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familiebro.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        summary, answers = evaluate()
        database = connection.vendor
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print_summary(database, summary)
    if args.show_misses:
        for answer in answers:
            if answer["recall@5"] < 1 or not answer["count"]:
                print(
                    f"  {answer['recall@5']:.2f} [{answer['group']}/{answer['language']}] "
                    f"{answer['query']!r} → {answer['top'][:5]}"
                )
    path = write_results(database, summary, answers)
    print(f"Written to {path}")
    failed = summary["all"]["recall@5"] < RECALL_TARGET or summary["all"]["zero_results"] > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
