"""Opening: k shares rebuild the round's key in memory, every bid is checked and decrypted,
the key is dropped.

A problem with the shares refuses the whole opening (nothing is decrypted). A problem with one
bid refuses that bid only, with its reason, and the opening goes on: the caller records each
refusal as an invalid bid and shows it to its supplier.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from joserfc import jwe
from joserfc.errors import JoseError

from core.errors import DomainError
from core.money import AmountInvalidError, parse_amount
from core.sealed.envelopes import (
    ALG,
    ENC,
    OPTIONAL_PAYLOAD_MEMBERS,
    PAYLOAD_MEMBERS,
    commitment,
    envelope_bytes,
    inspect_for,
)
from core.sealed.errors import (
    BidCommitmentMismatchError,
    BidCompanionPriceAboveMaximumError,
    BidPayloadInvalidError,
    BidPriceAboveMaximumError,
    BidUndecryptableError,
)
from core.sealed.keys import public_jwk_fingerprint, recover_private_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SealedBid:
    """A stored bid as the opening needs it: the envelope bytes, the receipt's commitment, the
    identity it was committed with, the caller's reference, and optionally the group's
    maximum valid price (checked again at opening)."""

    envelope: str | bytes = field(repr=False)
    commitment: str
    supplier: object
    product: object
    ref: object = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class OpenedBid:
    ref: object
    supplier: object
    product: object
    price: Decimal
    nonce: str = field(repr=False)
    # [R-VBP-COMPANION] the price with companion service, None when the bid offered none.
    companion_price: Decimal | None = None


@dataclass(frozen=True)
class RefusedBid:
    ref: object
    supplier: object
    product: object
    error: DomainError


@dataclass
class Opening:
    fingerprint: str
    opened: list[OpenedBid] = field(default_factory=list)
    refused: list[RefusedBid] = field(default_factory=list)


def open_bids(
    shares: Iterable[str],
    public_jwk: dict,
    envelopes: Iterable[SealedBid],
    *,
    round_ref: object = None,
    threshold: int | None = None,
) -> Opening:
    """Open a round's bids with k custodians' shares.

    The shares are checked and combined first (``recover_private_key``: any refusal there
    stops the opening before anything is decrypted). Each bid is then checked in this order:
    its stored bytes against its receipt (``BidCommitmentMismatchError``), its header
    (``inspect_envelope``'s errors), decryption (``BidUndecryptableError``: the AES-GCM tag
    fails on any altered bit), the payload (``BidPayloadInvalidError``: four members, the
    price a positive amount in cents, the product the bid's own and, if ``round_ref`` is given,
    the round this one; a ``companion_price``, when not empty, an amount in cents not below the
    price) and the group maximum (``BidPriceAboveMaximumError``, then
    ``BidCompanionPriceAboveMaximumError``).

    ``threshold`` is the k recorded with the round (see ``recover_private_key``).

    The private key lives in this call's frame only and is dropped on the way out; nothing
    here logs a share, a key or a plaintext.
    """
    fingerprint = public_jwk_fingerprint(public_jwk)
    key = recover_private_key(shares, public_jwk, threshold=threshold)
    opening = Opening(fingerprint=fingerprint)
    try:
        for bid in envelopes:
            try:
                opening.opened.append(_open_one(bid, key, fingerprint, round_ref))
            except DomainError as error:
                opening.refused.append(RefusedBid(bid.ref, bid.supplier, bid.product, error))
    finally:
        del key
    logger.info(
        "sealed: opened %s bids, refused %s, round key %s",
        len(opening.opened),
        len(opening.refused),
        fingerprint,
    )
    return opening


def _open_one(bid: SealedBid, key, fingerprint: str, round_ref: object) -> OpenedBid:
    expected = commitment(
        bid.envelope, round_fingerprint=fingerprint, supplier=bid.supplier, product=bid.product
    )
    if not hmac.compare_digest(expected, str(bid.commitment).lower()):
        raise BidCommitmentMismatchError(ref=bid.ref)
    inspect_for(bid.envelope, fingerprint, check_point=False)  # decryption loads the epk
    try:
        token = envelope_bytes(bid.envelope)
        plaintext = jwe.decrypt_compact(token, key, algorithms=[ALG, ENC]).plaintext
    except (JoseError, ValueError):
        raise BidUndecryptableError(ref=bid.ref) from None
    payload = _payload(plaintext)
    if payload["product"] != str(bid.product):
        raise BidPayloadInvalidError(reason=_("it names another product than the one bid for"))
    if round_ref is not None and payload["round"] != str(round_ref):
        raise BidPayloadInvalidError(reason=_("it names another round"))
    try:
        price = parse_amount(payload["price"])
    except AmountInvalidError as error:
        raise BidPayloadInvalidError(reason=error.message) from None
    if price <= 0:
        raise BidPayloadInvalidError(reason=_("the price is not above zero"))
    if bid.maximum is not None and price > bid.maximum:
        raise BidPriceAboveMaximumError(price=price, maximum=bid.maximum)
    companion = _companion_price(payload.get("companion_price", ""), price)
    if companion is not None and bid.maximum is not None and companion > bid.maximum:
        raise BidCompanionPriceAboveMaximumError(price=companion, maximum=bid.maximum)
    return OpenedBid(bid.ref, bid.supplier, bid.product, price, payload["nonce"], companion)


def _companion_price(text: str, price: Decimal) -> Decimal | None:
    """[R-VBP-COMPANION] the price with companion service (伴随服务): empty for none, else an
    amount in cents not below the price without it (the service is on top of the product)."""
    if text == "":
        return None
    try:
        companion = parse_amount(text)
    except AmountInvalidError as error:
        raise BidPayloadInvalidError(
            reason=_("the price with companion service: %(reason)s") % {"reason": error.message}
        ) from None
    if companion < price:
        raise BidPayloadInvalidError(
            reason=_("the price with companion service is below the price without it")
        )
    return companion


def _payload(plaintext: bytes | None) -> dict:
    try:
        payload = json.loads(plaintext or b"")
    except ValueError:
        raise BidPayloadInvalidError(reason=_("it is not JSON")) from None
    if (
        not isinstance(payload, dict)
        or not set(payload) >= PAYLOAD_MEMBERS
        or set(payload) - PAYLOAD_MEMBERS - OPTIONAL_PAYLOAD_MEMBERS
    ):
        raise BidPayloadInvalidError(
            reason=_(
                "it must have exactly price, product, round, nonce and optionally companion_price"
            )
        )
    if not all(isinstance(value, str) for value in payload.values()):
        raise BidPayloadInvalidError(reason=_("every member must be a string"))
    return payload
