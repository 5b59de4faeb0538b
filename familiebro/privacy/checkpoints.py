"""Checkpoints: the audit chain's head, anchored outside the database.

The keyed chain stops anyone without the audit key from rewriting events, but not someone who
removes the newest events and moves the chain head back, nor someone who has the key. So the
worker writes, every FAMILIEBRO_AUDIT_CHECKPOINT_MINUTES, a checkpoint of the head (the newest
event's id and hash, and the time) signed with a separate key (HMAC-SHA256 with the current key
of FAMILIEBRO_AUDIT_CHECKPOINT_KEYS) to places the database's administrators cannot rewrite: an
append-only file, one JSON line each, and/or an e-mail to the data protection officer.
`familiebro verify-audit` then checks the trail against every checkpoint: the event each one
names must still be there with the same hash, so the trail can only have grown since.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from familiebro.core.crypto import Keyring, parse_keyring

from .audit import GENESIS_HASH, Problem, VerificationResult, verify_chain
from .models import AuditChainHead, AuditVerification

logger = logging.getLogger(__name__)

# A mail server that does not answer must not hold the worker forever.
SMTP_TIMEOUT_SECONDS = 30
# The signed fields, in the order a line shows them; `mac` follows.
SIGNED_FIELDS = ("event_id", "hash", "written_at", "key_id")


class CheckpointError(Exception):
    """A checkpoint could not be written to one of its destinations; the message says why and
    what to do."""


def checkpoint_keyring() -> Keyring:
    return parse_keyring(settings.AUDIT_CHECKPOINT_KEYS, "FAMILIEBRO_AUDIT_CHECKPOINT_KEYS")


def _mac(fields: dict, key: bytes) -> str:
    message = json.dumps(
        {name: fields[name] for name in SIGNED_FIELDS}, sort_keys=True, separators=(",", ":")
    )
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at one moment: `event_id` None means the trail was still empty."""

    event_id: int | None
    hash: str
    written_at: str
    key_id: str
    mac: str
    source: str = ""  # where it was read from, for the operator: "line 4 of /path"

    def as_line(self) -> str:
        fields = asdict(self)
        del fields["source"]
        return json.dumps(fields, separators=(",", ":"))


def current_checkpoint() -> Checkpoint:
    """A signed checkpoint of the chain's head as committed now."""
    head = AuditChainHead.objects.filter(pk=1).first()
    keyring = checkpoint_keyring()
    unsigned = Checkpoint(
        event_id=head.last_event_id if head is not None else None,
        hash=head.last_hash if head is not None else GENESIS_HASH,
        written_at=timezone.now().isoformat(timespec="seconds"),
        key_id=keyring.current_id,
        mac="",
    )
    return dataclasses.replace(unsigned, mac=_mac(asdict(unsigned), keyring.current))


def _append_to_file(checkpoint: Checkpoint, path: Path) -> None:
    try:
        # O_APPEND: each line lands after whatever is there, also with two workers writing.
        with open(path, "a", encoding="utf-8") as file:
            file.write(checkpoint.as_line() + "\n")
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        raise CheckpointError(
            f"The checkpoint could not be written to {path} ({exc.strerror}): check that "
            "FAMILIEBRO_AUDIT_CHECKPOINT_FILE names a file in an existing directory that this "
            "process may append to."
        ) from exc


def _email(checkpoint: Checkpoint, recipients: list[str]) -> None:
    # E-mails speak the instance's language, not the language of whoever ran the command.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Familiebro: checkpoint of the audit trail")
        body = _(
            "This is a checkpoint of Familiebro's audit trail: the newest event and its hash "
            "at the time below, signed by Familiebro. Keep this e-mail. It lets you check "
            "later that nobody has removed or rewritten events in the database since.\n\n"
            "To check: save the line below, with the lines of other checkpoint e-mails, in a "
            "file, one line each, and have the operations team run "
            "'familiebro verify-audit --checkpoints FILE'.\n\n%(line)s\n"
        ) % {"line": checkpoint.as_line()}
    message = EmailMessage(subject=subject, body=body, to=recipients)
    message.connection = get_connection(
        timeout=getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS
    )
    try:
        message.send()
    except OSError as exc:
        raise CheckpointError(
            f"The checkpoint could not be e-mailed to {', '.join(recipients)} ({exc}): check "
            "the EMAIL_* settings and FAMILIEBRO_AUDIT_CHECKPOINT_EMAIL."
        ) from exc


def destinations() -> list[str]:
    """Where checkpoints go, as the operator configured it; empty when nowhere."""
    places = []
    if settings.AUDIT_CHECKPOINT_FILE:
        places.append(str(settings.AUDIT_CHECKPOINT_FILE))
    places += settings.AUDIT_CHECKPOINT_EMAIL
    return places


def write_checkpoint() -> Checkpoint:
    """Write a checkpoint of the head to every configured destination. Raises CheckpointError
    naming each destination that failed, after trying them all."""
    if not destinations():
        raise CheckpointError(
            "No checkpoint destination is configured: set FAMILIEBRO_AUDIT_CHECKPOINT_FILE "
            "and/or FAMILIEBRO_AUDIT_CHECKPOINT_EMAIL (see docs/operations.md)."
        )
    checkpoint = current_checkpoint()
    failures = []
    if settings.AUDIT_CHECKPOINT_FILE:
        try:
            _append_to_file(checkpoint, Path(settings.AUDIT_CHECKPOINT_FILE))
        except CheckpointError as exc:
            failures.append(str(exc))
    if settings.AUDIT_CHECKPOINT_EMAIL:
        try:
            _email(checkpoint, settings.AUDIT_CHECKPOINT_EMAIL)
        except CheckpointError as exc:
            failures.append(str(exc))
    if failures:
        raise CheckpointError(" ".join(failures))
    return checkpoint


def _parse_line(text: str, source: str, keyring: Keyring) -> Checkpoint | str:
    """The checkpoint on one line, or why the line is not a checkpoint Familiebro wrote."""
    try:
        fields = json.loads(text)
        checkpoint = Checkpoint(
            event_id=fields["event_id"],
            hash=fields["hash"],
            written_at=fields["written_at"],
            key_id=fields["key_id"],
            mac=fields["mac"],
            source=source,
        )
        valid_types = (
            (checkpoint.event_id is None or type(checkpoint.event_id) is int)
            and all(isinstance(fields[name], str) for name in ("hash", "written_at", "key_id"))
            and isinstance(checkpoint.mac, str)
        )
    except (ValueError, KeyError, TypeError):
        valid_types = False
    if not valid_types:
        return f"{source} is not a checkpoint: it was altered, or is not from Familiebro"
    key = keyring.keys.get(checkpoint.key_id)
    if key is None:
        return (
            f"{source} is signed with the key {checkpoint.key_id!r}, which "
            "FAMILIEBRO_AUDIT_CHECKPOINT_KEYS does not hold: if that key was rotated out, put "
            "it back in the keyring; otherwise the line was forged"
        )
    if not hmac.compare_digest(_mac(asdict(checkpoint), key), checkpoint.mac):
        return (
            f"{source} does not match its signature: it was altered, or written by someone "
            "without the checkpoint key"
        )
    return checkpoint


def read_checkpoints(path: Path) -> tuple[list[Checkpoint], list[Problem]]:
    """The authentic checkpoints in a file, and a problem for each line that is not one."""
    keyring = checkpoint_keyring()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [
            Problem(
                f"the checkpoint file {path} does not exist. If no checkpoint was ever written, "
                "run 'familiebro audit-checkpoint' once (the worker writes them from then on); "
                "if it existed before, it was removed"
            )
        ]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(f"the checkpoint file {path} cannot be read: {exc}")]
    checkpoints: list[Checkpoint] = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parsed = _parse_line(line, f"line {number} of {path}", keyring)
        if isinstance(parsed, str):
            problems.append(Problem(parsed))
        else:
            checkpoints.append(parsed)
    return checkpoints, problems


def verify_trail(checkpoint_files: list[Path]) -> VerificationResult:
    """Verify the chain with the audit keys and against the checkpoints in the files, and
    record the run (AuditVerification) for the instance health page."""
    checkpoints: list[Checkpoint] = []
    file_problems: list[Problem] = []
    for path in checkpoint_files:
        found, problems = read_checkpoints(path)
        checkpoints += found
        file_problems += problems
    result = verify_chain(checkpoints)
    result.problems += file_problems
    _record_verification(result, checkpoints)
    return result


def _record_verification(result: VerificationResult, checkpoints: list[Checkpoint]) -> None:
    newest = max(checkpoints, key=lambda c: c.event_id or 0, default=None)
    written_at = None
    if newest is not None:
        try:
            written_at = datetime.datetime.fromisoformat(newest.written_at)
        except ValueError:
            written_at = None  # signed, so Familiebro wrote it; an old format has no time
    AuditVerification.objects.create(
        verified_at=timezone.now(),
        intact=result.ok,
        events_checked=result.events_checked,
        checkpoints_checked=result.checkpoints_checked,
        problems=len(result.problems),
        checkpoint_event_id=newest.event_id if newest is not None else None,
        checkpoint_written_at=written_at,
    )


def checkpoint_interval_seconds() -> float | None:
    """How often the worker writes a checkpoint; None when no destination is configured."""
    return settings.AUDIT_CHECKPOINT_MINUTES * 60.0 if destinations() else None
