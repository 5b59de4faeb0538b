"""The plain-language notice a person agrees to when they send a request for help on the web.

Why not a privacy.ConsentText: those are consents to *share* data between services, with
fixed purposes (coordination, shared log, referral…). Storing a request so that the service
asked can answer it is something else, and the person must know what happens before they
send. So the notice lives here, in bokmål, nynorsk and English, and every request stores the
version its sender agreed to (HelpRequest.storage_notice_version).

Changing the text means adding a new version and pointing CURRENT_VERSION at it; old versions
stay, so the text behind any stored request can always be shown again.
"""

from __future__ import annotations

from dataclasses import dataclass

CURRENT_VERSION = "2026-1"
DEFAULT_LANGUAGE = "nb"

_TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "2026-1": {
        "nb": (
            "Når du sender henvendelsen, lagrer vi det du har skrevet: hvem du er, hvordan vi "
            "når deg, barnets alder og hva det gjelder.",
            "Bare de ansatte i tjenesten du sender den til, kan lese den. De bruker den til å "
            "kontakte deg og finne riktig hjelp.",
            "Henvendelsen deles ikke med andre tjenester uten ditt samtykke, med mindre loven "
            "krever det, for eksempel opplysningsplikten til barnevernet når et barn er i "
            "alvorlig fare.",
            "Du kan be tjenesten om å få se hva som er lagret om deg, og be om at det rettes "
            "eller slettes. Henvendelsen oppbevares så lenge tjenesten trenger den for å hjelpe "
            "deg, og så lenge reglene for tjenestens journal krever det.",
        ),
        "nn": (
            "Når du sender førespurnaden, lagrar vi det du har skrive: kven du er, korleis vi "
            "når deg, alderen til barnet og kva det gjeld.",
            "Berre dei tilsette i tenesta du sender han til, kan lese han. Dei brukar han til å "
            "kontakte deg og finne rett hjelp.",
            "Førespurnaden blir ikkje delt med andre tenester utan samtykket ditt, med mindre "
            "lova krev det, til dømes opplysningsplikta til barnevernet når eit barn er i "
            "alvorleg fare.",
            "Du kan be tenesta om å få sjå kva som er lagra om deg, og be om at det blir retta "
            "eller sletta. Førespurnaden blir teken vare på så lenge tenesta treng han for å "
            "hjelpe deg, og så lenge reglane for journalen til tenesta krev det.",
        ),
        "en": (
            "When you send the request, we store what you have written: who you are, how to "
            "reach you, the child's age and what it is about.",
            "Only the staff of the service you send it to can read it. They use it to contact "
            "you and to find the right help.",
            "The request is not shared with other services without your consent, unless the "
            "law requires it, for example the duty to inform the child welfare service when a "
            "child is at serious risk.",
            "You can ask the service to see what is stored about you, and ask for it to be "
            "corrected or deleted. The request is kept as long as the service needs it to help "
            "you, and as long as the rules for the service's records require.",
        ),
    },
}


@dataclass(frozen=True)
class StorageNotice:
    version: str
    language: str
    paragraphs: tuple[str, ...]


def storage_notice(language: str | None, version: str = CURRENT_VERSION) -> StorageNotice:
    """The notice in `language` (bokmål when it has no such translation)."""
    try:
        texts = _TEXTS[version]
    except KeyError:
        raise LookupError(f"There is no storage notice with version {version!r}.") from None
    code = language if language in texts else DEFAULT_LANGUAGE
    return StorageNotice(version=version, language=code, paragraphs=texts[code])


def known_versions() -> list[str]:
    return list(_TEXTS)
