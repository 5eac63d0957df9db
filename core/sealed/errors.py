"""Refusals of the sealed-bid core, each with a stable code.

None of them carries a secret in ``extra``: a share is named by its position in the input and
its custodian index, an envelope by the reason it was refused, never by its payload.
"""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, ValidationError

# --- The key ceremony --------------------------------------------------------------------------


class CeremonyParametersError(ValidationError):
    code = "sealed_ceremony_parameters"
    message_template = _(
        "A key needs a threshold of at least 2 shares out of at most %(max_shares)s custodians, "
        "and no more shares needed than custodians (asked: %(threshold)s of %(custodians)s)."
    )


# --- Envelopes (compact JWE), checked without decrypting ---------------------------------------


class EnvelopeMalformedError(ValidationError):
    code = "sealed_envelope_malformed"
    message_template = _("The sealed bid is not a well-formed envelope: %(reason)s")


class EnvelopeTooLargeError(ValidationError):
    code = "sealed_envelope_too_large"
    message_template = _("The sealed bid is %(size)s bytes long, more than the %(limit)s allowed.")


class EnvelopeUnsupportedError(ValidationError):
    code = "sealed_envelope_unsupported"
    message_template = _(
        "The sealed bid uses %(member)s = %(value)s; only alg ECDH-ES with enc A256GCM on "
        "P-256 is accepted."
    )


class EnvelopeForeignKeyError(ValidationError):
    """The envelope names another key than this round's (kid): it could never be opened."""

    code = "sealed_envelope_foreign_key"
    message_template = _(
        "The sealed bid was made for another key (%(kid)s), not this round's key %(fingerprint)s."
    )


# --- Shares at opening -------------------------------------------------------------------------


class ShareRejectedError(ValidationError):
    """One or more shares cannot be read or do not belong to this round.

    ``extra["shares"]`` lists each refused share as ``{position, index, reason}``: ``position``
    counts from 1 in the order given, ``index`` is the custodian number when it could be read,
    and ``reason`` is one of ``unreadable``, ``checksum``, ``other_round``, ``duplicate``,
    ``other_ceremony``, ``wrong``.
    """

    code = "sealed_share_rejected"
    message_template = _("%(count)s of the shares entered were refused: %(summary)s")


class SharesInsufficientError(DomainError):
    code = "sealed_shares_insufficient"
    message_template = _(
        "%(given)s valid share(s) entered; %(needed)s are needed to open this round."
    )


class SharesMismatchError(DomainError):
    """The shares read well but do not rebuild this round's key: at least one is wrong (a
    custodian copied another round's share with this round's prefix, or it was altered)."""

    code = "sealed_shares_mismatch"
    message_template = _(
        "The shares entered do not rebuild this round's key: at least one of them is wrong. "
        "Enter one more share to find out which."
    )


# --- Bids refused at opening (recorded per bid, the opening goes on) ---------------------------


class BidUndecryptableError(DomainError):
    code = "sealed_bid_undecryptable"
    message_template = _(
        "The sealed bid could not be decrypted with the round's key: it was altered after it "
        "was sealed, or was not sealed for this round."
    )


class BidCommitmentMismatchError(DomainError):
    code = "sealed_bid_commitment_mismatch"
    message_template = _(
        "The stored sealed bid no longer matches the receipt given at submission: it was "
        "changed after it was stored."
    )


class BidPayloadInvalidError(DomainError):
    code = "sealed_bid_payload_invalid"
    message_template = _("The opened bid is not valid: %(reason)s")


class BidPriceAboveMaximumError(DomainError):
    code = "sealed_bid_price_above_maximum"
    message_template = _("The bid price %(price)s is above the group's maximum %(maximum)s.")


class BidCompanionPriceAboveMaximumError(DomainError):
    """[R-VBP-COMPANION] the price with companion service is above the group's maximum."""

    code = "sealed_bid_companion_price_above_maximum"
    message_template = _(
        "The bid price with companion service %(price)s is above the group's maximum %(maximum)s."
    )
