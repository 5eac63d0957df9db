"""Keeping a share for a short while: AES-256-GCM under a key derived (HKDF-SHA256) from the
deployment's secret, bound to what it is kept for (``purpose``, e.g. ``round:7:custodian:3``).

Used twice, both documented as limits in docs/sealed-bids.md: from the key ceremony until
the custodian collects their share (the round takes no bid until every share is collected,
so no bid exists while the server could rebuild the key), and from the moment a custodian
enters their share at the opening until the k-th arrives. Whoever holds the secret and the
database can unwrap what is kept; the callers erase it as soon as it is no longer needed.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"YGS-custody-v1"


def _key(secret: str, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=purpose.encode("utf-8"), info=_INFO
    ).derive(secret.encode("utf-8"))


def wrap(text: str, *, secret: str, purpose: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_key(secret, purpose)).encrypt(
        nonce, text.encode("utf-8"), purpose.encode("utf-8")
    )


def unwrap(blob: bytes, *, secret: str, purpose: str) -> str:
    data = bytes(blob)
    return (
        AESGCM(_key(secret, purpose))
        .decrypt(data[:12], data[12:], purpose.encode("utf-8"))
        .decode("utf-8")
    )
