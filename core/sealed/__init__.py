"""Sealed bids: what no one can read before the opening (issue #12, item 4).

Self-contained: it knows no round, group or bid model. The tender services call it:

- at publication, ``key_ceremony(threshold=3, custodians=5)``: store ``public_jwk`` and
  ``fingerprint`` on the round, hand each ``Share`` (``.text`` / ``.printable()``) to its
  custodian once, store no share;
- at submission, ``inspect_envelope(token, public_jwk)`` (refuses a malformed or foreign-key
  envelope without decrypting), store the exact bytes, return ``commitment(...)`` as the
  receipt;
- at opening, ``open_bids(shares, public_jwk, [SealedBid(...)], round_ref=...)``.

Design, threat model and limits: docs/sealed-bids.md.
"""

from core.sealed.envelopes import (
    MAX_ENVELOPE_BYTES,
    EnvelopeInfo,
    bid_payload,
    commitment,
    envelope_bytes,
    inspect_envelope,
    seal_bid,
)
from core.sealed.keys import (
    Ceremony,
    Share,
    check_share,
    fingerprint_short,
    key_ceremony,
    public_jwk_fingerprint,
    recover_private_key,
)
from core.sealed.opening import OpenedBid, Opening, RefusedBid, SealedBid, open_bids

__all__ = [
    "MAX_ENVELOPE_BYTES",
    "Ceremony",
    "EnvelopeInfo",
    "OpenedBid",
    "Opening",
    "RefusedBid",
    "SealedBid",
    "Share",
    "bid_payload",
    "check_share",
    "commitment",
    "envelope_bytes",
    "fingerprint_short",
    "inspect_envelope",
    "key_ceremony",
    "open_bids",
    "public_jwk_fingerprint",
    "recover_private_key",
    "seal_bid",
]
