"""A parent's words read as what they mean: stop words dropped, crude stems, synonyms.

Parents use their own words, so the query is read forgivingly before it is searched: the
commonest Norwegian function words are dropped, words are stemmed crudely for the SQLite
search, and each word brings the words that mean the same to a parent (SYNONYM_GROUPS), also
when it is misspelt close to one of them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# pg_trgm's word_similarity above which a misspelt word counts as found (the default of
# pg_trgm.word_similarity_threshold is 0.6; the `%>` operator and its index use that setting).
# On SQLite, difflib's ratio between a query word and a document word, after stemming.
FUZZY_RATIO = 0.8

# Words that mean the same to a parent, whichever one the offer's text happens to use. One
# place, small on purpose: the stemmer and the fuzzy match do the rest.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("skilsmisse", "samlivsbrudd", "separasjon", "brudd"),
    ("parforhold", "samliv", "kjæreste", "ekteskap", "par"),
    ("søvn", "sove"),
    ("amming", "ammegruppe"),
    ("pappa", "far", "fedre"),
    ("rus", "alkohol"),
    ("vold", "overgrep"),
    ("angst", "psykisk helse"),
)

# The commonest Norwegian function words. PostgreSQL's `norwegian` configuration drops these
# itself; the SQLite search must too, or "kurs for par" would demand a word beginning "for".
_STOP_WORD_LIST = """
    og i jeg det at en et den til er som på de med han av ikke der så var meg seg men ett
    har om vi min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man kan hans
    hvor eller hva skal selv sjøl her alle vil bli ble blitt kunne inn når være kom noen noe
    ville dere deres kun ja etter ned skulle denne for deg si sine sitt mot å meget hvorfor
    dette disse uten hvordan ingen din ditt blir samme hvilken hvilke sånn inni mellom vår
    hver hvem vors hvis både bare enn fordi før mange også slik vært begge siden dykk dykkar
    dei deira deires deim di då eg ein eit eitt elles honom hjå ho hoe henne hennar hennes
    hoss hossen ikkje ingi inkje korleis korso kva kvar kvarhelst kven kvi kvifor me medan mi
    mine mykje no nokon noka nokor noko nokre sia sidan so somt somme um upp vere vore verte
    vort varte vart
"""
STOP_WORDS = frozenset(_STOP_WORD_LIST.split())

# Suffixes stripped from words for the SQLite search, longest first. Crude on purpose: it
# only has to make "skilsmissen", "barna" and "sover" meet "skilsmisse", "barn" and "sove".
_SUFFIXES = (
    "hetene", "heten", "elsen", "ende", "ene", "ane", "ens", "ets", "est", "ere",
    "en", "et", "er", "ar", "as", "es", "a", "e", "s",
)  # fmt: skip
_MIN_STEM = 3
_WORD = re.compile(r"\w+")
MAX_QUERY_WORDS = 12
# Shorter words are too easily "close" to another word to be corrected.
_MIN_FUZZY_LENGTH = 5


def words(text: str) -> list[str]:
    """The words of a text, lower-cased (Unicode-aware: Æ, Ø and Å too)."""
    return _WORD.findall(text.lower())


def crude_stem(word: str) -> str:
    """The word without one common Norwegian inflectional suffix."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


# Synonym lookup by stem: "skilsmissen" and "skilsmisse" find the same group.
_SYNONYMS_BY_STEM: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(crude_stem(w) for w in words(member)): group
    for group in SYNONYM_GROUPS
    for member in group
}
_LONGEST_SYNONYM = max(len(key) for key in _SYNONYMS_BY_STEM)


@dataclass(frozen=True)
class Concept:
    """One thing the parent asked about: their own words, and the synonyms searched too."""

    words: str
    alternatives: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        return (self.words, *self.alternatives)


def parse_query(text: str) -> list[Concept]:
    """Split a query into concepts, each with its synonyms.

    Multi-word synonyms ("psykisk helse") are matched before single words. Function words are
    dropped, unless the query has nothing else ("hva med oss" is a programme's name).
    """
    query_words = words(text)[:MAX_QUERY_WORDS]
    content = [w for w in query_words if w not in STOP_WORDS] or query_words
    stems = [crude_stem(w) for w in content]
    concepts: list[Concept] = []
    index = 0
    while index < len(content):
        for size in range(min(_LONGEST_SYNONYM, len(content) - index), 0, -1):
            group = _SYNONYMS_BY_STEM.get(tuple(stems[index : index + size]))
            if group is not None:
                asked = " ".join(content[index : index + size])
                others = tuple(
                    member
                    for member in group
                    if [crude_stem(w) for w in words(member)] != stems[index : index + size]
                )
                concept = Concept(asked, others)
                index += size
                break
        else:
            concept = _misspelt_synonym(content[index], stems[index])
            index += 1
        # "angst og psykisk helse" asks for one thing twice.
        if not any(set(concept.phrases) == set(c.phrases) for c in concepts):
            concepts.append(concept)
    return concepts


def _misspelt_synonym(word: str, stem: str) -> Concept:
    """A word close in spelling to one of the synonyms ("skillsmisse") means its group."""
    close = difflib.get_close_matches(
        stem, [key[0] for key in _SYNONYMS_BY_STEM if len(key) == 1], n=1, cutoff=FUZZY_RATIO
    )
    if not close or len(stem) < _MIN_FUZZY_LENGTH:
        return Concept(word)
    return Concept(word, _SYNONYMS_BY_STEM[(close[0],)])
