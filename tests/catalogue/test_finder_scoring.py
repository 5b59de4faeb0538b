"""The finder's scoring rules (query.Scorer), on index terms given by hand: where a term
stands, whole words and prefixes, a phrase's words all at once, a compound's share of parts."""

from familiebro.catalogue.finder.query import (
    FIELD_WEIGHTS,
    FURTHER_EVIDENCE,
    RELATED,
    Alternative,
    Concept,
    QueryPlan,
    Scorer,
    Term,
)

TITLE, THEMES, TEXT = FIELD_WEIGHTS


def plan_of(*alternatives: Alternative) -> QueryPlan:
    return QueryPlan((Concept("spurt", alternatives),), ())


def test_a_term_counts_where_it_stands_best():
    scorer = Scorer(plan_of(Alternative((Term(("søvn",)),), 1.0)))
    assert scorer.match(("søvn kurs", "søvn", "søvn"))[0].value == TITLE
    assert scorer.match(("kurs", "søvn", "søvn"))[0].value == THEMES
    assert scorer.match(("kurs", "sang", "søvn"))[0].value == TEXT
    assert not scorer.match(("kurs", "sang", "mat"))[0].matched


def test_a_form_of_four_letters_or_more_also_matches_the_terms_it_begins():
    long_form = Scorer(plan_of(Alternative((Term(("barsel",)),), 1.0)))
    assert long_form.match(("barselgruppe", "", ""))[0].value == TITLE
    short_form = Scorer(plan_of(Alternative((Term(("rus",)),), 1.0)))
    assert not short_form.match(("russisk", "", ""))[0].matched
    assert short_form.match(("", "rus", ""))[0].value == THEMES
    # A theme's term is matched whole only.
    theme = Scorer(plan_of(Alternative((Term(("qqtemasleep",), prefix=False),), 1.0)))
    assert not theme.match(("", "qqtemasleeping", ""))[0].matched


def test_a_phrase_needs_all_its_words_a_compound_counts_the_share_of_its_parts():
    words = (Term(("flytte",)), Term(("hverandre",)))
    phrase = Scorer(plan_of(Alternative(words, RELATED)))
    assert not phrase.match(("", "", "flytte"))[0].matched
    assert phrase.match(("flytte", "", "hverandre"))[0].value == RELATED * TEXT
    parts = Scorer(plan_of(Alternative((Term(("søvn",)), Term(("problem",))), RELATED, True)))
    assert parts.match(("søvn", "", ""))[0].value == RELATED * TITLE / 2


def test_the_best_way_counts_fully_and_each_further_way_a_tenth():
    scorer = Scorer(
        plan_of(
            Alternative((Term(("søvn",)),), 1.0),
            Alternative((Term(("sover",)),), RELATED, literal=False),
        )
    )
    both = scorer.match(("søvn", "", "sover"))[0]
    assert both.value == TITLE + FURTHER_EVIDENCE * RELATED * TEXT
    assert both.literal_value == TITLE
    other_only = scorer.match(("", "", "sover"))[0]
    assert other_only.matched and other_only.literal_value == 0
