"""The finder's relevance benchmark (bench/relevance) on the demo offers, held to its targets:
recall@5 of at least 0.9 over every labelled query, and no query with relevant offers left
without results. Runs on the test database (SQLite, and PostgreSQL with DATABASE_URL)."""

import pytest

from bench.relevance.run import RECALL_TARGET, evaluate, load_queries, ndcg_at, recall_at


def test_the_labelled_set_is_large_and_covers_every_group():
    queries = load_queries()
    assert len(queries) >= 120
    groups = {query.group for query in queries}
    assert {"nb", "nn", "dialect", "compound", "problem", "en", "other"} <= groups
    assert all(query.grades for query in queries)


def test_the_measures_count_what_they_say():
    grades = {"a": 2, "b": 2, "c": 1}
    assert recall_at(["a", "x", "b"], grades) == 1.0
    assert recall_at(["x", "x", "x", "x", "x", "a"], grades) == 0.0
    assert ndcg_at(["a", "b", "c"], grades) == pytest.approx(1.0)
    assert ndcg_at(["c", "b", "a"], grades) < 1.0


@pytest.mark.django_db
def test_the_finder_meets_its_relevance_targets():
    from familiebro.catalogue.finder import thesaurus
    from familiebro.catalogue.finder.search import forget_vocabulary

    thesaurus.forget()
    forget_vocabulary()
    summary, answers = evaluate()
    without_results = [a["query"] for a in answers if not a["count"]]
    assert without_results == []
    assert summary["all"]["recall@5"] >= RECALL_TARGET, summary
