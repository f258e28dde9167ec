"""The second key: Concerto re-keys every pseudonym it receives.

An order sends ``HMAC-SHA256(shared key, identifier)``; the shared key stays
with the orders, so the Office cannot reverse it. At ingest Concerto computes
``HMAC-SHA256(Concerto's key, pseudonym)`` and stores only that. Its key is
held outside the database, in the file named by the setting
``CONCERTO_PATHWAY_KEY_FILE`` (environment variable of the same name): a copy
of the database alone does not link to the orders' pseudonyms, and destroying
the key file at the end of the purpose makes the stored data unlinkable.

A pseudonym is personal information (Loi 25): no message, log line or error
of this module ever contains one; errors say « valeur non conforme ».
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PSEUDONYM_RE = re.compile(r"[0-9a-f]{64}")
MIN_KEY_BYTES = 32


class PseudonymError(ValueError):
    """A value is not a well-formed pseudonym. The message never holds the value."""


def is_pseudonym(value: object) -> bool:
    """Exactly 64 lowercase hexadecimal characters (an HMAC-SHA256 in hex)."""
    return isinstance(value, str) and PSEUDONYM_RE.fullmatch(value) is not None


def rekey(pseudonym: str, key: bytes) -> str:
    """``HMAC-SHA256(key, pseudonym)`` in lowercase hex (64 characters)."""
    if not is_pseudonym(pseudonym):
        raise PseudonymError(
            "pseudonyme : valeur non conforme (64 caractères hexadécimaux minuscules attendus)."
        )
    return hmac.digest(key, pseudonym.encode("ascii"), hashlib.sha256).hex()


def rekey_all(pseudonyms, key: bytes) -> list[str]:
    """``rekey`` over a sequence of values already checked well-formed (the ingest's hot loop).

    HMAC computed from copies of the two pre-keyed SHA-256 states (RFC 2104):
    the same result as ``hmac.digest``, which sets up a new context per call
    and is more than twice as slow over a million values.
    """
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def one(pseudonym: str) -> str:
        i = inner.copy()
        i.update(pseudonym.encode("ascii"))
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()

    return [one(p) for p in pseudonyms]


def read_key(path: str | Path) -> bytes:
    """The key in a file: its bytes, surrounding whitespace removed; at least 32 bytes."""
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"CONCERTO_PATHWAY_KEY_FILE : lecture impossible de {path} ({exc})."
        ) from exc
    if len(key) < MIN_KEY_BYTES:
        raise ImproperlyConfigured(
            f"CONCERTO_PATHWAY_KEY_FILE : la clé doit compter au moins {MIN_KEY_BYTES} octets."
        )
    return key


def concerto_key() -> bytes:
    """Concerto's own key, read from ``settings.CONCERTO_PATHWAY_KEY_FILE`` at each call
    (so that a destroyed key is not kept alive in a long-running process)."""
    path = getattr(settings, "CONCERTO_PATHWAY_KEY_FILE", "")
    if not path:
        raise ImproperlyConfigured(
            "CONCERTO_PATHWAY_KEY_FILE n’est pas défini : la clé de Concerto est requise pour recevoir "
            "des données du parcours d’admission."
        )
    return read_key(path)
