"""The audit as a hash chain (issue 14): each entry carries the hash of the one before it, so an
entry altered, removed or moved afterwards no longer matches. Pure: the hashing and the check.

An entry's hash is SHA-256 over the previous hash and the entry's fields in a fixed order (JSON, so
no field can bleed into the next). The first entry's previous hash is GENESIS. What the chain
cannot show by itself is the removal of the newest entries: keep the latest hash somewhere else
(print it with `python -m talks audit verify`) to anchor the chain's end.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor_id", "action", "subject", "granted", "basis")


def entry_hash(prev_hash: str, entry: Mapping) -> str:
    values = [_plain(entry[f]) for f in FIELDS]
    return hashlib.sha256((prev_hash + json.dumps(values, ensure_ascii=False, separators=(",", ":"))).encode()).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def problems(entries: Iterable[Mapping], prev_hash: str = GENESIS, expected_seq: int = 1) -> list[str]:
    """What is wrong with the chain, in order (entries as stored, by seq); empty when intact. A page
    after the first is checked from the last entry before it (its hash, its seq + 1)."""
    found: list[str] = []
    for e in entries:
        seq = e["seq"]
        if seq != expected_seq:
            found.append(f"entry {seq}: expected entry {expected_seq} next (entries removed or moved)")
        if e["prev_hash"] != prev_hash:
            found.append(f"entry {seq}: does not follow the entry before it (an entry removed, moved or altered)")
        if entry_hash(e["prev_hash"], e) != e["hash"]:
            found.append(f"entry {seq}: its content does not match its hash (altered)")
        prev_hash, expected_seq = e["hash"], seq + 1
    return found
