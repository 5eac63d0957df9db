"""Envelopes: a bid's payload as a compact JWE (RFC 7516), ECDH-ES on P-256 with A256GCM.

The browser seals with the ``jose`` npm package (static/js/sealed_bid.js); a supplier's own
system may seal with any JOSE library; ``seal_bid`` here does the same with ``joserfc`` (for the
API's examples, the demo, tests and the benchmark). The server never needs the private key to
accept an envelope: ``inspect_envelope`` checks its protected header and framing without
decrypting, and ``commitment`` is the receipt.

The payload is the UTF-8 JSON object ``{"price": "<amount as a string>", "companion_price":
"<amount or empty>", "product": "<id>", "round": "<id>", "nonce": "<random>"}``: the four
members ``price``, ``product``, ``round``, ``nonce``, and optionally ``companion_price``
[R-VBP-COMPANION], the price with companion service (伴随服务), an empty string (or absent) when
none is offered. The browser always sends it, so an envelope does not tell whether one was.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric import ec
from django.utils.translation import gettext as _
from joserfc import jwe
from joserfc.jwk import ECKey

from core.money import quantize
from core.sealed.errors import (
    EnvelopeForeignKeyError,
    EnvelopeMalformedError,
    EnvelopeTooLargeError,
    EnvelopeUnsupportedError,
)
from core.sealed.keys import public_jwk_fingerprint

ALG = "ECDH-ES"
ENC = "A256GCM"
CRV = "P-256"
# A payload of five short members seals to about 500 bytes; anything far larger is not a bid.
MAX_ENVELOPE_BYTES = 4096
HEADER_MEMBERS = frozenset({"alg", "enc", "kid", "epk", "apu", "apv", "typ", "cty"})
EPK_MEMBERS = frozenset({"kty", "crv", "x", "y"})
PAYLOAD_MEMBERS = frozenset({"price", "product", "round", "nonce"})
OPTIONAL_PAYLOAD_MEMBERS = frozenset({"companion_price"})
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_COMMITMENT_TAG = b"YGS-commitment-v1"


@dataclass(frozen=True)
class EnvelopeInfo:
    """What can be known about a sealed bid without its key."""

    kid: str
    size: int
    ciphertext_size: int


def _b64url(part: str, what: str) -> bytes:
    if not _B64URL.match(part) or len(part) % 4 == 1:
        raise EnvelopeMalformedError(reason=_("%(part)s is not base64url") % {"part": what})
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise EnvelopeMalformedError(
            reason=_("%(part)s is not base64url") % {"part": what}
        ) from None


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result: dict = {}
    for name, value in pairs:
        if name in result:
            raise EnvelopeMalformedError(
                reason=_("the header member %(name)s appears twice") % {"name": name}
            )
        result[name] = value
    return result


def envelope_bytes(token: str | bytes) -> bytes:
    """The exact bytes to store and commit to: the compact JWE as ASCII."""
    if isinstance(token, str):
        try:
            return token.encode("ascii")
        except UnicodeEncodeError:
            raise EnvelopeMalformedError(reason=_("not ASCII")) from None
    if isinstance(token, (bytes, bytearray, memoryview)):
        return bytes(token)
    raise EnvelopeMalformedError(reason=_("not text"))


def inspect_envelope(token: str | bytes, public_jwk: dict) -> EnvelopeInfo:
    """Check that ``token`` is a compact JWE this round's key could open, without decrypting:
    five parts, no encrypted key (ECDH-ES is direct key agreement), a protected header of
    ``alg`` ECDH-ES, ``enc`` A256GCM, ``kid`` = the round's fingerprint and an ephemeral
    public key on P-256, a 96-bit IV and a 128-bit tag; nothing else (no ``zip``, ``crit``,
    ``jku``, ``jwk``, ``x5u``…). Raises an ``Envelope*Error`` otherwise."""
    return inspect_for(token, public_jwk_fingerprint(public_jwk))


def inspect_for(token: str | bytes, fingerprint: str, *, check_point: bool = True) -> EnvelopeInfo:
    """``inspect_envelope`` with the round's fingerprint already computed (for loops).
    ``check_point=False`` skips loading the ephemeral key as a curve point, for the opening,
    where decryption loads (and refuses) it anyway."""
    raw = envelope_bytes(token)
    if len(raw) > MAX_ENVELOPE_BYTES:
        raise EnvelopeTooLargeError(size=len(raw), limit=MAX_ENVELOPE_BYTES)
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise EnvelopeMalformedError(reason=_("not ASCII")) from None
    parts = text.split(".")
    if len(parts) != 5:
        raise EnvelopeMalformedError(
            reason=_("a compact JWE has 5 parts separated by dots, this has %(count)s")
            % {"count": len(parts)}
        )
    header_part, encrypted_key, iv_part, ciphertext_part, tag_part = parts
    try:
        header = json.loads(
            _b64url(header_part, "header").decode("utf-8"), object_pairs_hook=_no_duplicates
        )
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise EnvelopeMalformedError(reason=_("the header is not JSON")) from None
    if not isinstance(header, dict):
        raise EnvelopeMalformedError(reason=_("the header is not a JSON object"))
    unknown = sorted(set(header) - HEADER_MEMBERS)
    if unknown:
        raise EnvelopeUnsupportedError(member=unknown[0], value=str(header[unknown[0]])[:40])
    for member, wanted in (("alg", ALG), ("enc", ENC)):
        if header.get(member) != wanted:
            raise EnvelopeUnsupportedError(member=member, value=str(header.get(member))[:40])
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise EnvelopeMalformedError(reason=_("the header names no key (kid)"))
    if kid != fingerprint:
        raise EnvelopeForeignKeyError(kid=kid[:64], fingerprint=fingerprint)
    _check_epk(header.get("epk"), check_point=check_point)
    if encrypted_key:
        raise EnvelopeMalformedError(reason=_("ECDH-ES carries no encrypted key"))
    if len(_b64url(iv_part, "iv")) != 12:
        raise EnvelopeMalformedError(reason=_("the IV is not 96 bits"))
    if len(_b64url(tag_part, "tag")) != 16:
        raise EnvelopeMalformedError(reason=_("the tag is not 128 bits"))
    ciphertext = _b64url(ciphertext_part, "ciphertext")
    if not ciphertext:
        raise EnvelopeMalformedError(reason=_("the ciphertext is empty"))
    return EnvelopeInfo(kid=kid, size=len(raw), ciphertext_size=len(ciphertext))


def _check_epk(epk: object, *, check_point: bool) -> None:
    if not isinstance(epk, dict):
        raise EnvelopeMalformedError(reason=_("the header has no ephemeral public key (epk)"))
    if set(epk) != EPK_MEMBERS:
        raise EnvelopeMalformedError(reason=_("the epk must have exactly kty, crv, x and y"))
    if epk["kty"] != "EC":
        raise EnvelopeUnsupportedError(member="epk.kty", value=str(epk["kty"])[:40])
    if epk["crv"] != CRV:
        raise EnvelopeUnsupportedError(member="epk.crv", value=str(epk["crv"])[:40])
    coordinates = []
    for name in ("x", "y"):
        if not isinstance(epk[name], str):
            raise EnvelopeMalformedError(
                reason=_("%(part)s is not base64url") % {"part": f"epk.{name}"}
            )
        value = _b64url(epk[name], f"epk.{name}")
        if len(value) != 32:
            raise EnvelopeMalformedError(
                reason=_("%(part)s is not 32 bytes") % {"part": f"epk.{name}"}
            )
        coordinates.append(int.from_bytes(value, "big"))
    if not check_point:
        return
    try:
        x, y = coordinates
        ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError:
        raise EnvelopeMalformedError(reason=_("the epk is not a point on P-256")) from None


def _field(value: object) -> bytes:
    data = str(value).encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def commitment(
    token: str | bytes, *, round_fingerprint: str, supplier: object, product: object
) -> str:
    """The receipt: SHA-256 (hex) over the tag ``YGS-commitment-v1`` and four length-prefixed
    fields (4-byte big-endian length, then UTF-8): the round's fingerprint, the supplier's id,
    the product's id and exactly the stored envelope bytes. Anyone holding the receipt and the
    stored row can recompute it; it reveals nothing about the price (the envelope is
    randomised by its ephemeral key and IV)."""
    digest = hashlib.sha256(_COMMITMENT_TAG)
    for value in (round_fingerprint, supplier, product):
        digest.update(_field(value))
    raw = envelope_bytes(token)
    digest.update(len(raw).to_bytes(4, "big"))
    digest.update(raw)
    return digest.hexdigest()


def bid_payload(
    *,
    price: Decimal,
    product: object,
    round_ref: object,
    nonce: str | None = None,
    companion_price: Decimal | None = None,
) -> bytes:
    """The payload JSON the browser builds, byte for byte (prices as strings with 2 places;
    ``companion_price`` an empty string when none is offered)."""
    if not isinstance(price, Decimal):
        raise TypeError("price must be a Decimal")
    if companion_price is not None and not isinstance(companion_price, Decimal):
        raise TypeError("companion_price must be a Decimal")
    payload = {
        "price": str(quantize(price)),
        "companion_price": "" if companion_price is None else str(quantize(companion_price)),
        "product": str(product),
        "round": str(round_ref),
        "nonce": nonce or secrets.token_urlsafe(16),
    }
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def seal_bid(
    public_jwk: dict,
    *,
    price: Decimal,
    product: object,
    round_ref: object,
    nonce: str | None = None,
    companion_price: Decimal | None = None,
) -> str:
    """Seal a bid as the browser does: what a supplier's own system would send."""
    key = ECKey.import_key(_public_only(public_jwk))
    header = {"alg": ALG, "enc": ENC, "kid": public_jwk_fingerprint(public_jwk)}
    plaintext = bid_payload(
        price=price,
        product=product,
        round_ref=round_ref,
        nonce=nonce,
        companion_price=companion_price,
    )
    return jwe.encrypt_compact(header, plaintext, key)


def _public_only(public_jwk: dict) -> dict:
    return {name: public_jwk[name] for name in ("kty", "crv", "x", "y")}
