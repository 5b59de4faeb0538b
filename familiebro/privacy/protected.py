"""Protected addresses: what could reveal where a protected person lives is kept from
everyone who is not them.

A person with a confidential or strictly confidential address in the population register
(adressesperre, codes 7 and 6, and 6 abroad) is flagged on their person record
(`Person.address_protection`, set on the person page). Familiebro holds no home address, but
much of what it shows tells where a family lives: the organisation (a municipality), the
unit (the health centre, the school, the kindergarten, the crisis shelter), the staff who
work there, a meeting's place. This module is the one rule for all of it:

- `hidden_from(subject, reader)`: whether what could reveal where `subject` lives is hidden
  from `reader`. It is when the subject or one of their guardians is protected, and the
  reader is neither the subject nor a protected person among them. So the other parent (a
  guardian of the same child who is not the protected person) never learns where the
  protected parent and the child live, nor do the parents of a child placed at a protected
  address; the protected person and the subject themselves see their own.
- `hidden_organisations(citizen)`: for Min side, the organisations whose names, units,
  staff and places are hidden from a logged-in parent, because they hold a child whose
  whereabouts are hidden from them (the parent's own records there included).
- `case_is_protected(case)`: whether a case's child lives at a protected address or with
  someone who does: invitations to people without a staff account carry no place
  (`invitee_sees_place`), and the writer of a log entry is warned (`third_party_words`
  warns on any case).

A protected person is recognised by their record in any organisation (the same identity
number), since the register's protection belongs to the person, not to one service's record.
Min side, the invitations, the calendar files and the right-of-access export call this module;
no page decides it by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from familiebro.core.models import AddressProtection, GuardianRelation, Person, ServiceUnit, User

# What is shown instead of a name, a unit or a place that is hidden.
HIDDEN = _("Not shown (protected address)")


def unit_stand_in() -> ServiceUnit:
    """What a page shows instead of a hidden unit: no name, no phone, no e-mail. Never
    saved (it has no organisation); the pages that show it only read."""
    return ServiceUnit(name=str(HIDDEN), phone="", email="")


def staff_stand_in() -> User:
    """What a page shows instead of a hidden staff member (their name tells where they
    work). Never saved."""
    return User(username=str(HIDDEN))


@dataclass(frozen=True)
class Reader:
    """Who will read: the person records that are theirs (ids), and the keyed hash of their
    identity number when known (it finds their records in other organisations)."""

    person_ids: frozenset[int] = frozenset()
    identity_hash: str | None = None

    def is_one_of(self, people: Iterable[tuple[int, str | None]]) -> bool:
        return any(
            pk in self.person_ids or (self.identity_hash and identity == self.identity_hash)
            for pk, identity in people
        )


def reader_of(person: Person) -> Reader:
    """The person as a reader: their record, and their other records by identity number."""
    return Reader(frozenset({person.pk}), person.national_id_hash)


# A reader who is not known (an export with no recipient named): hidden whenever protected.
ANYONE = Reader()


def _records_of(persons: Iterable[Person]) -> Q:
    """The persons' records, in every organisation that has their identity number."""
    persons = list(persons)
    hashes = {p.national_id_hash for p in persons if p.national_id_hash}
    return Q(pk__in=[p.pk for p in persons]) | Q(national_id_hash__in=hashes)


def protected_around(subject: Person) -> list[tuple[int, str | None]]:
    """The protected persons among the subject and their guardians, as (id, identity hash):
    those whose whereabouts the subject's records could reveal."""
    records = Person.objects.filter(_records_of([subject]))
    guardian_ids = GuardianRelation.objects.filter(child__in=records).values("guardian_id")
    around = list(Person.objects.filter(Q(pk__in=records) | Q(pk__in=guardian_ids)))
    return list(
        Person.objects.filter(_records_of(around))
        .exclude(address_protection=AddressProtection.NONE)
        .values_list("pk", "national_id_hash")
    )


def hidden_from(subject: Person, reader: Reader) -> bool:
    """Whether what could reveal where `subject` lives is hidden from `reader`."""
    protected = protected_around(subject)
    if not protected:
        return False
    if reader.is_one_of([(subject.pk, subject.national_id_hash)]):
        return False  # the subject's own whereabouts are no secret to them
    return not reader.is_one_of(protected)


def hidden_organisations(identity_hash: str) -> frozenset[int]:
    """The organisations whose names, units, staff and places Min side hides from the citizen
    with this identity hash: those holding a child of theirs (with or without parental
    responsibility) whose whereabouts are hidden from them."""
    own = list(Person.objects.filter(national_id_hash=identity_hash))
    if not own:
        return frozenset()
    reader = Reader(frozenset(p.pk for p in own), identity_hash)
    children = Person.objects.filter(guardians_rel__guardian__in=own).distinct()
    return frozenset(child.organisation_id for child in children if hidden_from(child, reader))


def case_is_protected(case: object) -> bool:
    """Whether the case's child, or a guardian of theirs, has a protected address."""
    child = case.child  # type: ignore[attr-defined]
    return bool(protected_around(child))


def invitee_sees_place(case: object, *, has_staff_account: bool) -> bool:
    """Whether an invitation to a meeting on `case` (its e-mail and calendar file) names the
    meeting's place. Colleagues with a staff account, who read the case, always get it; anyone
    invited by name and e-mail (the GP, a parent) does not when the case is protected, since
    Familiebro cannot tell whether they are the other parent: the service tells them itself."""
    return has_staff_account or not case_is_protected(case)


# Words that suggest a log entry names a third party or a place (the other parent, a crisis
# shelter, an address): the writer is asked to confirm before it is saved. Norwegian (bokmål
# and nynorsk) and English, matched at the start of a word and shown as written, so
# "krisesenteret" and "krisesentre" are found too.
THIRD_PARTY_WORDS = (
    "krisesent",
    "crisis shelter",
    "shelter",
    "adresse",
    "address",
    "bor på",
    "bur på",
    "bor hos",
    "bur hos",
    "flyttet til",
    "flytta til",
    "moved to",
    "den andre forelderen",
    "the other parent",
    "fortrolig",
)
_WORDS = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(w) for w in THIRD_PARTY_WORDS) + r")\w*", re.IGNORECASE
)


def third_party_words(text: str) -> list[str]:
    """The words in `text` that suggest it names a third party or where someone lives, in
    the order found, each once."""
    found: list[str] = []
    for match in _WORDS.finditer(text):
        word = match.group(0).lower()
        if word not in found:
            found.append(word)
    return found
