"""How the finder reads text: words, their stems, and the parts of Norwegian compounds.

The same analysis is applied to an offer's text when it is indexed (Offer.search_title,
search_themes, search_body; see familiebro.catalogue.search) and to a parent's query, so
"søvnproblemer" meets an offer about "søvn", and "fødselsdepresjon" one about "fødselen", on
SQLite and PostgreSQL alike.

- Stems come from the Snowball stemmers (snowballstemmer): Norwegian for bokmål and nynorsk,
  and the language's own for translations where Snowball has one (English, Arabic, ...).
- Compounds are split by word frequency (wordfreq's Norwegian list), as Koehn and Knight
  (2003) proposed: a word is split where its parts are, on average (geometric mean of their
  frequencies), more common than the word itself. "ungdom" stays whole (it is commoner than
  "ung" and "dom"); "søvnproblemer" becomes "søvn" + "problemer"; the linking -s- and -e- are
  dropped ("fødsels|depresjon"). Nynorsk endings (-ar, -ane) are read as their bokmål
  counterparts when weighing a part, so "søvnvanskar" splits too.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
import wordfreq

from .words import STOP_WORDS

# Letters and digits, without the underscore: PostgreSQL's parser splits at underscores.
_WORD = re.compile(r"[^\W_]+")
# Arabic short-vowel marks: optional in writing, so a query without them must still match.
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")

# Snowball stemmers by content language (ISO 639-1). Languages without one are matched by
# their word forms and prefixes.
_SNOWBALL = {
    "nb": "norwegian",
    "nn": "norwegian",
    "no": "norwegian",
    "en": "english",
    "ar": "arabic",
    "pl": "polish",
    "ru": "russian",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "tr": "turkish",
    "lt": "lithuanian",
    "ro": "romanian",
}
NORWEGIAN = ("nb", "nn", "no")

# English function words, dropped from queries and thesaurus phrases as the Norwegian ones are.
_ENGLISH_STOP_WORD_LIST = """
    a an and are as at be by for from has have how i in is it my of on or our the to
    we what when where who with you your me she he they them his her its this that
    there not no do does
"""
STOP_WORDS_ALL = STOP_WORDS | frozenset(_ENGLISH_STOP_WORD_LIST.split())

# A compound's parts must be at least this long and this common (wordfreq's Zipf scale:
# 3 is a word seen once per million words). Rarer "parts" are mostly accidents of spelling
# ("skils" + "misse").
_MIN_PART_LENGTH = 3
_MIN_PART_ZIPF = 2.5
# A three-letter part must be a common word of its own ("par", "tid", "rus"), and no part may
# be a function word or a name that begins many words ("for|eldre", "per|misjonen").
_MIN_SHORT_PART_ZIPF = 4.0
_NOT_PARTS = STOP_WORDS | {"per", "pre", "pro"}
# Words shorter than this are not split; a first part this long may be split again
# ("fosterhjems|foreldre" → "foster", "hjem", "foreldre").
_MIN_COMPOUND_LENGTH = 7
_MIN_SPLIT_AGAIN = 8
# Query words of this length or more also match longer words that begin with them.
MIN_PREFIX_LENGTH = 4


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, Arabic short vowels removed."""
    return _WORD.findall(_ARABIC_MARKS.sub("", text.lower()))


@lru_cache(maxsize=16)
def _stemmer(language: str) -> snowballstemmer.Stemmer | None:
    algorithm = _SNOWBALL.get(language)
    return snowballstemmer.stemmer(algorithm) if algorithm else None


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The word's Snowball stem in the language; the word itself where there is no stemmer."""
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer is not None else word


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    """How common a Norwegian word is (Zipf scale), reading nynorsk endings as bokmål."""
    frequency = wordfreq.zipf_frequency(word, "nb")
    if frequency:
        return frequency
    for nynorsk, bokmal in (("ane", "ene"), ("ar", "er"), ("a", "en")):
        if word.endswith(nynorsk) and len(word) > len(nynorsk) + 2:
            return wordfreq.zipf_frequency(word[: -len(nynorsk)] + bokmal, "nb")
    return 0.0


def _part_zipf(part: str) -> float:
    """How common a compound's part is; 0 for what cannot be a part."""
    if part in _NOT_PARTS:
        return 0.0
    frequency = _zipf(part)
    if len(part) <= _MIN_PART_LENGTH and frequency < _MIN_SHORT_PART_ZIPF:
        return 0.0
    return frequency


@lru_cache(maxsize=200_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """The parts of a Norwegian compound ("søvnproblemer" → ("søvn", "problemer")), or ()
    when the word is not one, or is commoner whole than split."""
    if len(word) < _MIN_COMPOUND_LENGTH or not word.isalpha():
        return ()
    best: tuple[str, str] | None = None
    best_score = _zipf(word)
    for cut in range(_MIN_PART_LENGTH, len(word) - _MIN_PART_LENGTH + 1):
        head, tail = word[:cut], word[cut:]
        tail_zipf = _part_zipf(tail)
        if tail_zipf < _MIN_PART_ZIPF:
            continue
        heads = [head]
        # The linking letter between the parts: fødsel-s-depresjon, barn-e-hage.
        if head[-1] in "se" and len(head) > _MIN_PART_LENGTH:
            heads.append(head[:-1])
        for candidate in heads:
            head_zipf = _part_zipf(candidate)
            if head_zipf < _MIN_PART_ZIPF:
                continue
            score = (head_zipf + tail_zipf) / 2
            if score > best_score:
                best, best_score = (candidate, tail), score
    if best is None:
        return ()
    head, tail = best
    head_parts = compound_parts(head) if len(head) >= _MIN_SPLIT_AGAIN else ()
    return (*(head_parts or (head,)), tail)


def word_forms(word: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The forms a word is indexed and searched by: itself and its stems, once each."""
    forms = [word]
    for language in languages:
        form = stem(word, language)
        if form not in forms:
            forms.append(form)
    if _ARABIC_LETTER.search(word):
        candidates = [stem(word, "ar")]
        # "و" (and) is written joined to the next word, and Snowball keeps it before "ال".
        if word.startswith("و") and len(word) > 4:
            candidates.append(stem(word[1:], "ar"))
        forms.extend(form for form in candidates if form not in forms)
    return tuple(forms)


def index_terms(text: str, language: str = "nb") -> list[str]:
    """The terms an offer's text is found by: every word's forms and, in Norwegian, the
    stems of its compound parts."""
    languages = ("nb",) if language in NORWEGIAN else (language,)
    terms: list[str] = []
    for word in words(text):
        terms.extend(word_forms(word, languages))
        if language in NORWEGIAN:
            terms.extend(stem(part, "nb") for part in compound_parts(word))
    return terms


def query_languages(ui_language: str) -> tuple[str, ...]:
    """The stemmers a query is read with: Norwegian always (parents write Norwegian on every
    page), English (the commonest second language), and the page's own language."""
    languages = ["nb", "en"]
    if ui_language not in NORWEGIAN and ui_language not in languages:
        languages.append(ui_language)
    return tuple(languages)


def theme_term(code: str) -> str:
    """The index term that stands for a theme (a topic's code), unlike any word a parent
    types, so that no query word matches it, even as a prefix."""
    return "qqtema" + "".join(_WORD.findall(code.lower()))
