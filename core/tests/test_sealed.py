"""Sealed bids (core/sealed): the key ceremony, envelopes checked without the key, opening.

No database: the package knows no model. Each test seals with the same code path a supplier's
system uses (``seal_bid``, joserfc); e2e/test_sealed_bid_browser.py seals in chromium.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
from decimal import Decimal
from unittest.mock import ANY

import pytest
from joserfc import jwe
from joserfc.jwk import ECKey

from core.errors import DomainError
from core.sealed import (
    SealedBid,
    bid_payload,
    check_share,
    commitment,
    fingerprint_short,
    inspect_envelope,
    key_ceremony,
    open_bids,
    seal_bid,
)
from core.sealed import envelopes as envelopes_module
from core.sealed.keys import _b64url_decode, _share_text, _unb32
from core.tests.helpers import code_of

ROUND = "round-7"
CANARY = Decimal("98765.43")


@pytest.fixture(scope="module")
def ceremony():
    return key_ceremony(threshold=3, custodians=5)


@pytest.fixture(scope="module")
def other_ceremony():
    return key_ceremony(threshold=3, custodians=5)


def texts(ceremony, indexes):
    return [ceremony.shares[i - 1].text for i in indexes]


def sealed(ceremony, *, price=Decimal("1234.50"), supplier="s-1", product="p-1", round_ref=ROUND):
    token = seal_bid(ceremony.public_jwk, price=price, product=product, round_ref=round_ref)
    receipt = commitment(
        token, round_fingerprint=ceremony.fingerprint, supplier=supplier, product=product
    )
    return SealedBid(token, receipt, supplier, product, ref=f"{supplier}/{product}")


def refusal(call, *args, **kwargs) -> DomainError:
    """The domain error ``call(*args, **kwargs)`` is refused with."""
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    return error.value


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def reheader(token: str, **changes) -> str:
    """The token with its protected header members changed (None removes one)."""
    head, *rest = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    for name, value in changes.items():
        if value is None:
            header.pop(name, None)
        else:
            header[name] = value
    return ".".join([b64(json.dumps(header).encode()), *rest])


def flip_bit(part: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    raw[0] ^= 0x01
    return b64(bytes(raw))


# --- Round trip and the threshold -------------------------------------------------------------


def test_the_server_keeps_only_the_public_key_and_its_fingerprint(ceremony):
    assert set(ceremony.public_jwk) == {"kty", "crv", "x", "y", "kid", "alg"}
    assert ceremony.public_jwk["kid"] == ceremony.fingerprint
    assert ceremony.fingerprint == ECKey.import_key(ceremony.public_jwk).thumbprint()
    assert [share.index for share in ceremony.shares] == [1, 2, 3, 4, 5]
    # The shares never print their secret by accident.
    assert ceremony.shares[0].text not in repr(ceremony) + str(ceremony.shares[0])


def test_a_sealed_bid_opens_to_the_price_and_product_the_bidder_sealed(ceremony):
    bids = [sealed(ceremony), sealed(ceremony, price=Decimal("88.00"), supplier="s-2")]
    opening = open_bids(texts(ceremony, [1, 2, 3]), ceremony.public_jwk, bids, round_ref=ROUND)
    assert opening.refused == []
    assert [(b.supplier, b.product, b.price) for b in opening.opened] == [
        ("s-1", "p-1", Decimal("1234.50")),
        ("s-2", "p-1", Decimal("88.00")),
    ]
    assert all(isinstance(b.price, Decimal) for b in opening.opened)


@pytest.mark.parametrize("indexes", list(itertools.combinations(range(1, 6), 2)))
def test_k_minus_one_shares_cannot_open(ceremony, indexes):
    error = refusal(open_bids, texts(ceremony, indexes), ceremony.public_jwk, [sealed(ceremony)])
    assert error.code == "sealed_shares_insufficient"
    assert error.extra == {"given": 2, "needed": 3}


@pytest.mark.parametrize("indexes", list(itertools.combinations(range(1, 6), 3)))
def test_any_k_of_n_shares_open(ceremony, indexes):
    opening = open_bids(texts(ceremony, indexes), ceremony.public_jwk, [sealed(ceremony)])
    assert [b.price for b in opening.opened] == [Decimal("1234.50")]


def test_a_share_reads_back_from_its_printed_form_whatever_the_case_and_spacing(ceremony):
    printed = [ceremony.shares[i].printable().lower().replace(" ", "\n  ") for i in (0, 2, 4)]
    opening = open_bids(printed, ceremony.public_jwk, [sealed(ceremony)])
    assert len(opening.opened) == 1
    assert check_share(ceremony.shares[3].printable(), ceremony.public_jwk) == 4
    assert ceremony.shares[0].text.startswith(f"YGS-{fingerprint_short(ceremony.fingerprint)}-1-")


# --- Wrong shares -----------------------------------------------------------------------------


def test_a_share_of_another_round_is_refused_by_position(ceremony, other_ceremony):
    shares = [*texts(ceremony, [1, 2]), other_ceremony.shares[2].text]
    error = refusal(open_bids, shares, ceremony.public_jwk, [sealed(ceremony)])
    assert error.code == "sealed_share_rejected"
    assert error.extra["shares"] == [{"position": 3, "index": 3, "reason": "other_round"}]
    assert code_of(lambda: check_share(other_ceremony.shares[0].text, ceremony.public_jwk)) == (
        "sealed_share_rejected"
    )


def test_a_mistyped_share_is_caught_by_its_check_characters(ceremony):
    text = ceremony.shares[1].text
    prefix, fp, index, payload, check = text.split("-")
    typo = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    shares = [ceremony.shares[0].text, f"{prefix}-{fp}-{index}-{typo}-{check}", "not a share"]
    error = refusal(open_bids, shares, ceremony.public_jwk, [])
    assert error.extra["shares"] == [
        {"position": 2, "index": 2, "reason": "checksum"},
        {"position": 3, "index": None, "reason": "unreadable"},
    ]


def test_the_same_custodians_share_twice_counts_once(ceremony):
    shares = [*texts(ceremony, [1, 2]), ceremony.shares[1].printable()]
    error = refusal(open_bids, shares, ceremony.public_jwk, [])
    assert error.extra["shares"] == [{"position": 3, "index": 2, "reason": "duplicate"}]


def forged(ceremony, other_ceremony, index):
    """Another round's share values relabelled as this round's: reads well, checks out, wrong."""
    raw = _unb32(other_ceremony.shares[index - 1].text.split("-")[3])
    digest = _b64url_decode(ceremony.fingerprint)
    return _share_text(digest, index, raw[1], raw[2], raw[3:19], raw[19:])


def test_shares_that_read_well_but_do_not_rebuild_the_key_refuse_the_opening(
    ceremony, other_ceremony
):
    shares = [*texts(ceremony, [1, 2]), forged(ceremony, other_ceremony, 3)]
    assert check_share(shares[2], ceremony.public_jwk) == 3  # the format alone cannot tell
    error = refusal(open_bids, shares, ceremony.public_jwk, [sealed(ceremony)])
    assert error.code == "sealed_shares_mismatch"


def test_with_one_share_more_than_needed_the_wrong_one_is_named(ceremony, other_ceremony):
    shares = [
        *texts(ceremony, [1, 2]),
        forged(ceremony, other_ceremony, 3),
        ceremony.shares[4].text,
    ]
    error = refusal(open_bids, shares, ceremony.public_jwk, [sealed(ceremony)])
    assert error.code == "sealed_share_rejected"
    assert error.extra["shares"] == [{"position": 3, "index": 3, "reason": "wrong"}]


@pytest.mark.parametrize(("threshold", "custodians"), [(1, 5), (4, 3), (3, 17)])
def test_a_ceremony_needs_a_sensible_threshold(threshold, custodians):
    assert code_of(lambda: key_ceremony(threshold=threshold, custodians=custodians)) == (
        "sealed_ceremony_parameters"
    )


# --- Envelopes: checked at submission without the key -----------------------------------------


def malformed_cases(ceremony, other_ceremony):
    token = seal_bid(ceremony.public_jwk, price=Decimal("10.00"), product="p", round_ref=ROUND)
    head, key, iv, ciphertext, tag = token.split(".")
    epk = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["epk"]
    return {
        "four parts": (".".join([head, key, iv, ciphertext]), "sealed_envelope_malformed"),
        "not base64url": (".".join([head, key, iv, "***", tag]), "sealed_envelope_malformed"),
        "header not json": (
            ".".join([b64(b"{nope"), key, iv, ciphertext, tag]),
            "sealed_envelope_malformed",
        ),
        "header a list": (
            ".".join([b64(b"[1]"), key, iv, ciphertext, tag]),
            "sealed_envelope_malformed",
        ),
        "alg RSA": (reheader(token, alg="RSA-OAEP-256"), "sealed_envelope_unsupported"),
        "alg dir": (reheader(token, alg="dir"), "sealed_envelope_unsupported"),
        "enc CBC": (reheader(token, enc="A128CBC-HS256"), "sealed_envelope_unsupported"),
        "zip": (reheader(token, zip="DEF"), "sealed_envelope_unsupported"),
        "embedded jwk": (reheader(token, jwk=epk), "sealed_envelope_unsupported"),
        "no kid": (reheader(token, kid=None), "sealed_envelope_malformed"),
        "no epk": (reheader(token, epk=None), "sealed_envelope_malformed"),
        "epk other curve": (
            reheader(token, epk={**epk, "crv": "P-384"}),
            "sealed_envelope_unsupported",
        ),
        "epk off the curve": (
            reheader(token, epk={**epk, "y": flip_bit(epk["y"])}),
            "sealed_envelope_malformed",
        ),
        "epk with private part": (
            reheader(token, epk={**epk, "d": epk["x"]}),
            "sealed_envelope_malformed",
        ),
        "encrypted key present": (
            ".".join([head, b64(b"k" * 32), iv, ciphertext, tag]),
            "sealed_envelope_malformed",
        ),
        "short iv": (
            ".".join([head, key, b64(b"12345678"), ciphertext, tag]),
            "sealed_envelope_malformed",
        ),
        "short tag": (
            ".".join([head, key, iv, ciphertext, b64(b"short")]),
            "sealed_envelope_malformed",
        ),
        "empty ciphertext": (".".join([head, key, iv, "", tag]), "sealed_envelope_malformed"),
        "not ascii": (token + "é", "sealed_envelope_malformed"),
        "too large": (".".join([head, key, iv, "A" * 5000, tag]), "sealed_envelope_too_large"),
        "not text": (12345, "sealed_envelope_malformed"),
        "another round's key": (
            seal_bid(other_ceremony.public_jwk, price=Decimal(1), product="p", round_ref=ROUND),
            "sealed_envelope_foreign_key",
        ),
        "kid of another round": (
            reheader(token, kid=other_ceremony.fingerprint),
            "sealed_envelope_foreign_key",
        ),
    }


CASES = [
    "four parts", "not base64url", "header not json", "header a list", "alg RSA", "alg dir",
    "enc CBC", "zip", "embedded jwk", "no kid", "no epk", "epk other curve", "epk off the curve",
    "epk with private part", "encrypted key present", "short iv", "short tag",
    "empty ciphertext", "not ascii", "too large", "not text", "another round's key",
    "kid of another round",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_or_foreign_key_envelope_is_refused_without_decrypting(
    ceremony, other_ceremony, monkeypatch, case
):
    token, code = malformed_cases(ceremony, other_ceremony)[case]

    def no_decrypting(*args, **kwargs):
        raise AssertionError("inspect_envelope must not decrypt")

    monkeypatch.setattr(jwe, "decrypt_compact", no_decrypting)
    monkeypatch.setattr(envelopes_module.jwe, "decrypt_compact", no_decrypting)
    assert code_of(lambda: inspect_envelope(token, ceremony.public_jwk)) == code


def test_a_well_formed_envelope_passes_inspection_with_the_public_key_alone(ceremony):
    token = seal_bid(ceremony.public_jwk, price=Decimal("10.00"), product="p", round_ref=ROUND)
    public_only = {k: ceremony.public_jwk[k] for k in ("kty", "crv", "x", "y")}
    info = inspect_envelope(token, public_only)
    assert info.kid == ceremony.fingerprint
    assert info.size == len(token)


# --- Bids refused at opening ------------------------------------------------------------------


def test_a_ciphertext_bit_flip_is_refused_at_opening_and_the_others_open(ceremony):
    good = sealed(ceremony, supplier="s-1")
    victim = sealed(ceremony, supplier="s-2")
    head, key, iv, ciphertext, tag = victim.envelope.split(".")
    tampered = ".".join([head, key, iv, flip_bit(ciphertext), tag])
    # Even with a receipt recomputed over the altered bytes, AES-GCM's tag refuses it.
    receipt = commitment(
        tampered, round_fingerprint=ceremony.fingerprint, supplier="s-2", product="p-1"
    )
    bad = SealedBid(tampered, receipt, "s-2", "p-1", ref="tampered")
    opening = open_bids(texts(ceremony, [2, 3, 4]), ceremony.public_jwk, [good, bad])
    assert [b.supplier for b in opening.opened] == ["s-1"]
    assert [(r.ref, r.error.code) for r in opening.refused] == [
        ("tampered", "sealed_bid_undecryptable")
    ]


def test_stored_bytes_that_differ_from_the_receipt_are_detected(ceremony):
    first, second = sealed(ceremony, supplier="s-1"), sealed(ceremony, supplier="s-2")
    swapped = SealedBid(second.envelope, first.commitment, "s-1", "p-1", ref="swapped")
    reassigned = SealedBid(first.envelope, first.commitment, "s-3", "p-1", ref="other supplier")
    opening = open_bids(texts(ceremony, [1, 2, 3]), ceremony.public_jwk, [swapped, reassigned])
    assert opening.opened == []
    assert [(r.ref, r.error.code) for r in opening.refused] == [
        ("swapped", "sealed_bid_commitment_mismatch"),
        ("other supplier", "sealed_bid_commitment_mismatch"),
    ]


def custom(ceremony, payload: dict, *, product="p-1"):
    key = ECKey.import_key({k: ceremony.public_jwk[k] for k in ("kty", "crv", "x", "y")})
    header = {"alg": "ECDH-ES", "enc": "A256GCM", "kid": ceremony.fingerprint}
    token = jwe.encrypt_compact(header, json.dumps(payload).encode(), key)
    receipt = commitment(
        token, round_fingerprint=ceremony.fingerprint, supplier="s", product=product
    )
    return SealedBid(token, receipt, "s", product, ref=json.dumps(payload, sort_keys=True))


def test_an_opened_payload_is_checked_again(ceremony):
    base = {"price": "10.00", "product": "p-1", "round": ROUND, "nonce": "n"}
    bids = [
        custom(ceremony, {**base, "price": 10.5}),
        custom(ceremony, {**base, "price": "10.001"}),
        custom(ceremony, {**base, "price": "0.00"}),
        custom(ceremony, {**base, "product": "p-2"}),
        custom(ceremony, {**base, "round": "round-8"}),
        custom(ceremony, {k: v for k, v in base.items() if k != "nonce"}),
        SealedBid(
            **{**sealed(ceremony, price=Decimal("200.01")).__dict__, "maximum": Decimal(200)}
        ),
        SealedBid(
            **{**sealed(ceremony, price=Decimal("200.00")).__dict__, "maximum": Decimal(200)}
        ),
    ]
    opening = open_bids(texts(ceremony, [1, 3, 5]), ceremony.public_jwk, bids, round_ref=ROUND)
    assert [b.price for b in opening.opened] == [Decimal("200.00")]
    assert [r.error.code for r in opening.refused] == ["sealed_bid_payload_invalid"] * 6 + [
        "sealed_bid_price_above_maximum"
    ]


def test_companion_price_r_vbp_companion_opens_with_the_price_and_is_checked_again(ceremony):
    """[R-VBP-COMPANION] the price with companion service is sealed in the same envelope:
    empty or absent for none, not below the price, not above the maximum."""
    base = {"price": "10.00", "product": "p-1", "round": ROUND, "nonce": "n"}

    def with_companion(price, companion, maximum=Decimal(200)):
        token = seal_bid(
            ceremony.public_jwk,
            price=Decimal(price),
            companion_price=None if companion is None else Decimal(companion),
            product="p-1",
            round_ref=ROUND,
        )
        receipt = commitment(
            token, round_fingerprint=ceremony.fingerprint, supplier="s", product="p-1"
        )
        return SealedBid(token, receipt, "s", "p-1", ref=f"{price}/{companion}", maximum=maximum)

    bids = [
        with_companion("150.00", "180.5"),
        with_companion("150.00", None),
        custom(ceremony, base),  # a supplier's own system may leave the member out
        with_companion("150.00", "150.00"),  # equal: the service at no extra cost
        with_companion("150.00", "200.01"),
        with_companion("150.00", "149.99"),
        custom(ceremony, {**base, "companion_price": "1.001"}),
        custom(ceremony, {**base, "companion_price": 12.5}),
        custom(ceremony, {**base, "companion_price": "12.00", "supplier": "s"}),
    ]
    opening = open_bids(texts(ceremony, [1, 2, 3]), ceremony.public_jwk, bids, round_ref=ROUND)
    assert [(b.price, b.companion_price) for b in opening.opened] == [
        (Decimal("150.00"), Decimal("180.50")),
        (Decimal("150.00"), None),
        (Decimal("10.00"), None),
        (Decimal("150.00"), Decimal("150.00")),
    ]
    assert [r.error.code for r in opening.refused] == [
        "sealed_bid_companion_price_above_maximum",
        "sealed_bid_payload_invalid",
        "sealed_bid_payload_invalid",
        "sealed_bid_payload_invalid",
        "sealed_bid_payload_invalid",
    ]
    assert "200.01" in str(opening.refused[0].error.message)
    assert "低于不含伴随服务的申报价" in str(opening.refused[1].error.message)  # in Chinese


def test_every_envelope_carries_a_companion_member_so_its_presence_is_hidden(ceremony):
    """The browser and seal_bid always send companion_price ("" for none)."""
    assert json.loads(bid_payload(price=Decimal(1), product="p", round_ref="r")) == {
        "price": "1.00",
        "companion_price": "",
        "product": "p",
        "round": "r",
        "nonce": ANY,
    }


# --- Nothing readable before opening ----------------------------------------------------------


def test_a_canary_price_never_appears_in_the_envelope_receipt_errors_or_logs(
    ceremony, other_ceremony, caplog
):
    caplog.set_level(logging.DEBUG)
    bid = sealed(ceremony, price=CANARY)
    info = inspect_envelope(bid.envelope, ceremony.public_jwk)
    refusals = [
        refusal(inspect_envelope, bid.envelope, other_ceremony.public_jwk),
        refusal(inspect_envelope, reheader(bid.envelope, zip="DEF"), ceremony.public_jwk),
    ]
    before = caplog.text
    # The opening may log, but never a price, a share or a key.
    opening = open_bids(texts(ceremony, [1, 2, 3]), ceremony.public_jwk, [bid])
    assert opening.opened[0].price == CANARY
    head = bid.envelope.split(".")[0]
    decoded_header = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode()
    seen = "\n".join(
        [bid.envelope, decoded_header, bid.commitment, repr(info), caplog.text, before]
        + [json.dumps(e.as_dict()) for e in refusals]
    )
    for form in ("98765.43", "98765", "9876543"):
        assert form not in seen
    for share in texts(ceremony, [1, 2, 3]):
        assert share.split("-")[3] not in caplog.text
    assert "sealed: opened 1 bids" in caplog.text


def test_refusals_are_explained_in_chinese(ceremony):
    from django.utils import translation

    with translation.override("zh-hans"):
        error = refusal(open_bids, [ceremony.shares[0].text, "nope"], ceremony.public_jwk, [])
        assert error.message == "录入的密钥分片中有 1 份被拒绝：第 2 份：不是密钥分片文本"
        error = refusal(open_bids, texts(ceremony, [1, 2]), ceremony.public_jwk, [])
        assert error.message == "已录入 2 份有效密钥分片；开启本轮需要 3 份。"
        error = refusal(inspect_envelope, "a.b.c", ceremony.public_jwk)
        assert error.message == (
            "密封报价不是格式正确的信封：紧凑格式 JWE 应由点号分隔为 5 段，此信封有 3 段"
        )


def test_an_ephemeral_key_off_the_curve_is_refused_at_opening(ceremony):
    bid = sealed(ceremony)
    head = json.loads(base64.urlsafe_b64decode(bid.envelope.split(".")[0] + "=="))
    token = reheader(bid.envelope, epk={**head["epk"], "y": flip_bit(head["epk"]["y"])})
    receipt = commitment(
        token, round_fingerprint=ceremony.fingerprint, supplier="s-1", product="p-1"
    )
    opening = open_bids(
        texts(ceremony, [1, 2, 3]), ceremony.public_jwk, [SealedBid(token, receipt, "s-1", "p-1")]
    )
    assert [r.error.code for r in opening.refused] == ["sealed_bid_undecryptable"]


def test_the_rounds_recorded_threshold_names_what_is_missing_and_refuses_another_k(ceremony):
    error = refusal(open_bids, [], ceremony.public_jwk, [], threshold=3)
    assert (error.code, error.extra) == ("sealed_shares_insufficient", {"given": 0, "needed": 3})
    raw = _unb32(ceremony.shares[1].text.split("-")[3])
    digest = _b64url_decode(ceremony.fingerprint)
    claims_two = _share_text(digest, 2, 2, 5, raw[3:19], raw[19:])  # says "2 of 5 open it"
    error = refusal(
        open_bids, [ceremony.shares[0].text, claims_two], ceremony.public_jwk, [], threshold=3
    )
    assert error.extra["shares"] == [{"position": 2, "index": 2, "reason": "other_ceremony"}]
