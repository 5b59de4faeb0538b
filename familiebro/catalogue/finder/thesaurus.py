"""The finder's thesaurus: the words parents use, and what the finder searches for them.

It is data, kept by the instance's editors (the newest Thesaurus version is in force; the
default ships as familiebro/catalogue/data/thesaurus.txt). One entry a line:

    language | what people write, ... => what the offers say, ..., #theme-code

An entry is triggered by any of its left-hand phrases in the query, in any inflection: the
phrases are compared by their Norwegian stems ("skilsmissen" triggers "skilsmisse"), which
leave other languages' words as they are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .analysis import STOP_WORDS_ALL, stem, words

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "thesaurus.txt"
_ARROW = "=>"


class ThesaurusError(ValueError):
    """A line of the thesaurus that cannot be read, with what to do about it."""


@dataclass(frozen=True)
class Entry:
    language: str
    phrases: tuple[str, ...]
    searches: tuple[str, ...]
    themes: tuple[str, ...]


def phrase_key(phrase: str) -> tuple[str, ...]:
    """A phrase as the thesaurus compares it: the Norwegian stems of its words, without the
    function words a query drops ("flytte fra hverandre" is "flytt", "hverandr")."""
    phrase_words = words(phrase)
    content = [w for w in phrase_words if w not in STOP_WORDS_ALL] or phrase_words
    return tuple(stem(word, "nb") for word in content)


@dataclass
class Thesaurus:
    entries: list[Entry] = field(default_factory=list)
    # Entries by the key of each left-hand phrase.
    by_key: dict[tuple[str, ...], list[Entry]] = field(default_factory=dict)
    longest_key: int = 1
    # Every word of the thesaurus, for correcting a misspelt query word.
    vocabulary: frozenset[str] = frozenset()


def parse(text: str, known_themes: set[str] | None = None) -> Thesaurus:
    """The thesaurus from its text. Raises ThesaurusError naming the first bad line.

    known_themes, when given, are the theme codes an entry may name.
    """
    thesaurus = Thesaurus()
    vocabulary: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        language, separator, rest = line.partition("|")
        language = language.strip().lower()
        if not separator or _ARROW not in rest:
            raise ThesaurusError(
                _("Line %(number)s: write it as “language | words people use => words searched”.")
                % {"number": number}
            )
        if not language.isalpha() or not 2 <= len(language) <= 3:
            raise ThesaurusError(
                _("Line %(number)s: “%(language)s” is not a language code; use nb, nn, en, ar, …")
                % {"number": number, "language": language}
            )
        left, _arrow, right = rest.partition(_ARROW)
        phrases = tuple(p.strip() for p in left.split(",") if p.strip())
        targets = [t.strip() for t in right.split(",") if t.strip()]
        themes = tuple(t[1:].strip() for t in targets if t.startswith("#"))
        searches = tuple(t for t in targets if not t.startswith("#"))
        if not phrases or not (searches or themes):
            raise ThesaurusError(f"Line {number}: give at least one word on each side of “=>”.")
        if known_themes is not None:
            unknown = [theme for theme in themes if theme not in known_themes]
            if unknown:
                raise ThesaurusError(
                    _(
                        "Line %(number)s: there is no theme #%(theme)s; use one of the codes "
                        "of the finder's themes."
                    )
                    % {"number": number, "theme": unknown[0]}
                )
        entry = Entry(language, phrases, searches, themes)
        thesaurus.entries.append(entry)
        for phrase in phrases:
            key = phrase_key(phrase)
            if not key:
                continue
            thesaurus.by_key.setdefault(key, []).append(entry)
            thesaurus.longest_key = max(thesaurus.longest_key, len(key))
            vocabulary.update(words(phrase))
        for phrase in searches:
            vocabulary.update(words(phrase))
    thesaurus.vocabulary = frozenset(vocabulary)
    return thesaurus


def known_theme_codes() -> set[str]:
    """The codes an entry may name as #theme: the finder's topics."""
    from ..models import TaxonomyTerm

    return set(TaxonomyTerm.objects.exclude(code="").values_list("code", flat=True))


def save_version(actor: Any, text: str, note: str = "") -> Any:
    """Save the text as the thesaurus' next version, in force at once in this process and
    within a minute in the others. Raises ThesaurusError, saving nothing, when a line cannot
    be read; PermissionDenied when the actor may not edit it (permissions.can_edit_thesaurus).
    """
    from django.core.exceptions import PermissionDenied
    from django.db import transaction
    from django.db.models import Max

    from ..models import Thesaurus as ThesaurusVersion
    from ..permissions import can_edit_thesaurus

    if not can_edit_thesaurus(actor):
        raise PermissionDenied(_("Only staff who edit offers can change the finder's words."))
    parse(text, known_theme_codes())
    with transaction.atomic():
        # Locks the newest version so two editors saving at once get two numbers.
        newest = ThesaurusVersion.objects.select_for_update().aggregate(Max("version"))
        version = ThesaurusVersion.objects.create(
            version=(newest["version__max"] or 0) + 1,
            text=text.replace("\r\n", "\n"),
            note=note,
            created_by=actor,
        )
    forget()
    return version


def default_text() -> str:
    return DEFAULT_PATH.read_text(encoding="utf-8")


# The thesaurus in force is read once a minute per process (and at once in this process when
# an editor saves a version): it is needed on every search and changes rarely.
THESAURUS_SECONDS = 60
_current: tuple[float, Thesaurus] | None = None


def current() -> Thesaurus:
    """The newest version's thesaurus; the default when the database has none."""
    global _current
    now = time.monotonic()
    cached = _current
    if cached is not None and now - cached[0] < THESAURUS_SECONDS:
        return cached[1]
    from ..models import Thesaurus as ThesaurusVersion

    text = ThesaurusVersion.objects.order_by("-version").values_list("text", flat=True).first()
    try:
        thesaurus = parse(text if text is not None else default_text())
    except ThesaurusError:
        # Versions are checked before they are saved; a version written past that check
        # (by hand in the database) must not break the finder.
        thesaurus = parse(default_text())
    _current = (now, thesaurus)
    return thesaurus


def forget(**_signal_arguments: Any) -> None:
    """Read the thesaurus from the database on the next search."""
    global _current
    _current = None
