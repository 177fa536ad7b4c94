"""Key management services behind `flask keys …`: rotate, rewrap, status, retire.

Each asks the policy (operators on a host that holds the keyring) and audits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.policy import Permission, authorize
from core import datakeys, keyring


class KeyInUse(Exception):
    """A KEK version still wraps data keys (or is current) and cannot be retired."""


@dataclass(frozen=True)
class KeyStatus:
    keyring_versions: tuple[int, ...]
    current: int
    live_by_version: dict[int, int]
    shredded: int

    @property
    def needing_rewrap(self) -> int:
        return sum(n for version, n in self.live_by_version.items() if version != self.current)


def rotate(session: Session, ctx: AuditContext, keys: keyring.KeyringFile) -> int:
    """Add a KEK version to the keyring file and make it current; return the new version."""
    authorize(ctx.actor, Permission.KEYS_MANAGE)
    rotated = keyring.with_new_kek(keyring.load(keys.path))
    keyring.replace_file(keys.path, rotated)
    keys.reload()
    record(
        session, ctx, Action.KEYS_ROTATED, object_type="keyring", new_version=rotated.current_kek
    )
    return rotated.current_kek


def rewrap(
    session: Session,
    ctx: AuditContext,
    keys: keyring.KeyringFile,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Re-wrap every data key under the current KEK, one committed batch at a time.

    Resumable: an interrupted run leaves whole batches done, and the next run picks up the rest.
    Each batch's audit event commits with it.
    """
    authorize(ctx.actor, Permission.KEYS_MANAGE)
    keys.reload()  # wrap under the newest current version, whatever this process saw before
    total = 0
    last = None
    while True:
        count, from_versions, last = datakeys.rewrap_batch(session, keys, batch_size, last)
        if count == 0:
            break
        record(
            session,
            ctx,
            Action.KEYS_REWRAPPED,
            object_type="data_keys",
            count=count,
            from_versions=sorted(from_versions),
            to_version=keys.current_kek_version,
        )
        session.commit()
        datakeys.forget_unwrapped(session)
        total += count
        if progress is not None:
            progress(count)
    return total


def status(session: Session, ctx: AuditContext, keys: keyring.KeyringFile) -> KeyStatus:
    authorize(ctx.actor, Permission.KEYS_MANAGE)
    current = keys.reload()
    result = KeyStatus(
        keyring_versions=tuple(sorted(current.keks)),
        current=current.current_kek,
        live_by_version=datakeys.count_by_kek_version(session),
        shredded=datakeys.count_shredded(session),
    )
    record(session, ctx, Action.KEYS_STATUS_READ, object_type="keyring")
    return result


def retire(session: Session, ctx: AuditContext, keys: keyring.KeyringFile, version: int) -> None:
    """Remove KEK `version` from the keyring file; refused while anything uses it."""
    authorize(ctx.actor, Permission.KEYS_MANAGE)
    current = keyring.load(keys.path)
    if version == current.current_kek:
        raise KeyInUse(f"version {version} is the current key-encryption key")
    in_use = datakeys.count_by_kek_version(session).get(version, 0)
    if in_use:
        raise KeyInUse(
            f"{in_use} data keys are still wrapped under version {version}; run 'keys rewrap'"
        )
    keyring.replace_file(keys.path, keyring.without_kek(current, version))
    keys.reload()
    record(session, ctx, Action.KEYS_RETIRED, object_type="keyring", version=version)
