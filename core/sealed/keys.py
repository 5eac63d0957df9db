"""The key ceremony: a P-256 key pair per round, its private key split k-of-n (Shamir).

The private scalar (32 bytes) is split as two 16-byte halves, each with pycryptodome's
``Shamir`` (GF(2^128)) at the same x-coordinates 1..n, so a custodian's share is one index and
two 16-byte values. Only the public JWK and its RFC 7638 thumbprint (the round's fingerprint)
are meant to be stored; the shares exist once, as texts handed to the custodians.

A share as text (``Share.text``)::

    YGS-<fp>-<index>-<payload>-<check>

- ``fp``: the first 5 bytes of the round's fingerprint digest in base32 (8 characters, see
  ``fingerprint_short``), so a custodian sees at a glance which round a share is for;
- ``index``: the custodian's number, 1..n, in decimal;
- ``payload``: base32 (no padding) of version (1), threshold k (1), custodians n (1) and the
  two 16-byte Shamir values: 35 bytes, 56 characters;
- ``check``: the first 5 bytes, base32, of HMAC-SHA256 keyed with the round's full fingerprint
  digest over ``"YGS" || index || payload``: catches a mistyped character and a share of
  another round (whose fingerprint differs). It is public data computed from public data: it
  proves nothing against someone forging a share on purpose; a forged or altered share is
  caught when the rebuilt key does not match the public key (``SharesMismatchError``).

Reading ignores whitespace and case, so the printed form (``Share.printable()``, groups of
four) reads back as well as the one-line text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from Crypto.Protocol.SecretSharing import Shamir
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from joserfc.jwk import ECKey

from core.sealed.errors import (
    CeremonyParametersError,
    ShareRejectedError,
    SharesInsufficientError,
    SharesMismatchError,
)

PREFIX = "YGS"
SHARE_VERSION = 1
MAX_CUSTODIANS = 16
# With more shares than needed, which k of them rebuild the key is searched; beyond this many
# combinations the search stops and the opening asks for the right shares instead.
MAX_COMBINATIONS = 5000
_HALF = 16
_PAYLOAD_LEN = 3 + 2 * _HALF
_SHARE_RE = re.compile(r"^([A-Z]+)-([A-Z2-7]{8})-(\d{1,3})-([A-Z2-7]+)-([A-Z2-7]{8})$")


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_jwk_fingerprint(public_jwk: dict) -> str:
    """The RFC 7638 thumbprint (SHA-256, base64url) of an EC public JWK: the round's
    fingerprint, also the ``kid`` every envelope of the round carries."""
    return ECKey.import_key(_public_members(public_jwk)).thumbprint()


def _public_members(public_jwk: dict) -> dict:
    return {name: public_jwk[name] for name in ("kty", "crv", "x", "y")}


def fingerprint_short(fingerprint: str) -> str:
    """The 8 characters a share starts with, for showing next to the round's fingerprint."""
    return _b32(_b64url_decode(fingerprint)[:5])


@dataclass(frozen=True)
class Share:
    """One custodian's share, to be shown or printed once and never stored by the platform."""

    index: int
    text: str = field(repr=False)

    def printable(self) -> str:
        """The same text with the payload in groups of four, for copying by hand or printing."""
        prefix, fp, index, payload, check = self.text.split("-")
        groups = " ".join(payload[i : i + 4] for i in range(0, len(payload), 4))
        return f"{prefix}-{fp}-{index}-{groups}-{check}"

    def __str__(self) -> str:  # never print the secret by accident
        return f"Share(index={self.index})"


@dataclass(frozen=True)
class Ceremony:
    """What a key ceremony produces: the public half to store, the shares to hand out once."""

    public_jwk: dict
    fingerprint: str
    threshold: int
    custodians: int
    shares: tuple[Share, ...] = field(repr=False)


def key_ceremony(*, threshold: int = 3, custodians: int = 5) -> Ceremony:
    """Generate a round's P-256 key pair and split its private key ``threshold``-of-
    ``custodians``. The private key exists only inside this call."""
    if not (2 <= threshold <= custodians <= MAX_CUSTODIANS):
        raise CeremonyParametersError(
            threshold=threshold, custodians=custodians, max_shares=MAX_CUSTODIANS
        )
    private_key = ec.generate_private_key(ec.SECP256R1())
    scalar = bytearray(private_key.private_numbers().private_value.to_bytes(32, "big"))
    try:
        low = Shamir.split(threshold, custodians, bytes(scalar[:_HALF]))
        high = Shamir.split(threshold, custodians, bytes(scalar[_HALF:]))
    finally:
        scalar[:] = bytes(len(scalar))  # best effort: see docs/sealed-bids.md on memory
    key = ECKey.import_key(private_key.public_key())
    fingerprint = key.thumbprint()
    public_jwk = {**key.as_dict(private=False), "kid": fingerprint, "alg": "ECDH-ES"}
    digest = _b64url_decode(fingerprint)
    shares = tuple(
        Share(index=i, text=_share_text(digest, i, threshold, custodians, lo, hi))
        for (i, lo), (j, hi) in zip(low, high, strict=True)
        if i == j
    )
    del private_key
    return Ceremony(
        public_jwk=public_jwk,
        fingerprint=fingerprint,
        threshold=threshold,
        custodians=custodians,
        shares=shares,
    )


def _checksum(digest: bytes, index: int, payload: str) -> str:
    mac = hmac.new(digest, f"{PREFIX}|{index}|{payload}".encode(), hashlib.sha256).digest()
    return _b32(mac[:5])


def _share_text(digest: bytes, index: int, k: int, n: int, low: bytes, high: bytes) -> str:
    payload = _b32(bytes([SHARE_VERSION, k, n]) + low + high)
    return f"{PREFIX}-{_b32(digest[:5])}-{index}-{payload}-{_checksum(digest, index, payload)}"


@dataclass(frozen=True)
class _ParsedShare:
    position: int
    index: int
    threshold: int
    custodians: int
    low: bytes = field(repr=False)
    high: bytes = field(repr=False)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).upper()


def _parse(position: int, text: str, digest: bytes) -> _ParsedShare:
    """One share, checked against the round's fingerprint; raises a (position, index, reason)
    tuple as ``ValueError`` args for the caller to collect."""
    match = _SHARE_RE.match(_normalise(text))
    if not match or match[1] != PREFIX:
        raise ValueError(position, None, "unreadable")
    _, fp, index_text, payload, check = match.groups()
    index = int(index_text)
    if fp != _b32(digest[:5]):
        raise ValueError(position, index, "other_round")
    if not hmac.compare_digest(check, _checksum(digest, index, payload)):
        raise ValueError(position, index, "checksum")
    try:
        raw = _unb32(payload)
    except ValueError:
        raise ValueError(position, index, "unreadable") from None
    if len(raw) != _PAYLOAD_LEN or raw[0] != SHARE_VERSION:
        raise ValueError(position, index, "unreadable")
    k, n = raw[1], raw[2]
    if not (2 <= k <= n <= MAX_CUSTODIANS and 1 <= index <= n):
        raise ValueError(position, index, "unreadable")
    return _ParsedShare(position, index, k, n, raw[3 : 3 + _HALF], raw[3 + _HALF :])


def check_share(text: str, public_jwk: dict) -> int:
    """Check one share against the round's public key, revealing nothing: its custodian index
    when it reads well and carries this round's fingerprint, else ``ShareRejectedError``.
    (Whether it is the *right* share shows only when k of them rebuild the key.)"""
    digest = _b64url_decode(public_jwk_fingerprint(public_jwk))
    try:
        return _parse(1, text, digest).index
    except ValueError as refusal:
        raise _rejected([refusal.args]) from None


REFUSAL_REASONS = {
    "unreadable": gettext_lazy("not a share text"),
    "checksum": gettext_lazy("mistyped (the check characters do not match)"),
    "other_round": gettext_lazy("a share of another round"),
    "duplicate": gettext_lazy("the same custodian's share twice"),
    "other_ceremony": gettext_lazy("from another key ceremony"),
    "wrong": gettext_lazy("does not fit the others"),
}


def _rejected(refusals: Sequence[tuple]) -> ShareRejectedError:
    shares = [{"position": p, "index": i, "reason": r} for p, i, r in refusals]
    summary = "; ".join(
        (
            _("#%(position)s (custodian %(index)s): %(reason)s")
            if s["index"]
            else _("#%(position)s: %(reason)s")
        )
        % {**s, "reason": str(REFUSAL_REASONS[s["reason"]])}
        for s in shares
    )
    return ShareRejectedError(count=len(shares), summary=summary, shares=shares)


def recover_private_key(
    shares: Iterable[str], public_jwk: dict, *, threshold: int | None = None
) -> ECKey:
    """Rebuild the round's private key from k (or more) share texts, in memory only.

    Refuses unreadable, mistyped, duplicate and other-round shares all at once
    (``ShareRejectedError``), fewer valid shares than the threshold
    (``SharesInsufficientError``), and shares that do not rebuild this round's key
    (``SharesMismatchError``; with more than k shares, the wrong ones are named by a
    ``ShareRejectedError`` with reason ``wrong``). ``threshold``, the k the round recorded
    at its ceremony, makes the refusal of too few shares name it even when no share reads,
    and refuses a share stating another k (``other_ceremony``). The caller drops the key.
    """
    fingerprint = public_jwk_fingerprint(public_jwk)
    digest = _b64url_decode(fingerprint)
    parsed: list[_ParsedShare] = []
    refusals: list[tuple] = []
    seen: set[int] = set()
    for position, text in enumerate(shares, start=1):
        try:
            share = _parse(position, text, digest)
        except ValueError as refusal:
            refusals.append(refusal.args)
            continue
        if share.index in seen:
            refusals.append((position, share.index, "duplicate"))
            continue
        seen.add(share.index)
        parsed.append(share)
    if parsed:
        # The round's threshold, else the first share's; a share stating another k (or n)
        # came from another ceremony.
        reference = next((s for s in parsed if threshold in (None, s.threshold)), None)
        k, n = (reference.threshold, reference.custodians) if reference else (threshold, None)
        for share in parsed:
            if (share.threshold, share.custodians) != (k, n):
                refusals.append((share.position, share.index, "other_ceremony"))
        parsed = [s for s in parsed if (s.threshold, s.custodians) == (k, n)]
    if refusals:
        raise _rejected(sorted(refusals))
    needed = parsed[0].threshold if parsed else threshold
    if needed is None or len(parsed) < needed:
        raise SharesInsufficientError(given=len(parsed), needed=needed or "k")
    if len(parsed) == needed:
        key = _combine(parsed, fingerprint)
        if key is None:
            raise SharesMismatchError(given=len(parsed), needed=needed)
        return key
    for count, subset in enumerate(itertools.combinations(parsed, needed)):
        if count >= MAX_COMBINATIONS:
            break
        key = _combine(list(subset), fingerprint)
        if key is None:
            continue
        wrong = [s for s in parsed if s not in subset and not _fits(subset, s, fingerprint)]
        if wrong:
            raise _rejected([(s.position, s.index, "wrong") for s in wrong])
        return key
    raise SharesMismatchError(given=len(parsed), needed=needed)


def _fits(subset: Sequence[_ParsedShare], extra: _ParsedShare, fingerprint: str) -> bool:
    return _combine([*subset[1:], extra], fingerprint) is not None


def _combine(shares: Sequence[_ParsedShare], fingerprint: str) -> ECKey | None:
    """The private key the shares interpolate to, if its public key is the round's."""
    scalar = bytearray(
        Shamir.combine([(s.index, s.low) for s in shares])
        + Shamir.combine([(s.index, s.high) for s in shares])
    )
    try:
        value = int.from_bytes(scalar, "big")
        try:
            private_key = ec.derive_private_key(value, ec.SECP256R1())
        except ValueError:  # zero or beyond the group order: not this key
            return None
        key = ECKey.import_key(private_key)
        if not hmac.compare_digest(key.thumbprint(), fingerprint):
            return None
        return key
    finally:
        scalar[:] = bytes(len(scalar))
        del scalar
