"""Benchmark: opening sealed bids against a bare decrypt loop of the same envelopes.

    python -m bench.sealed_open [--rows 10000] [--repeat 1]

A 3-of-5 key ceremony, then ``--rows`` bids sealed as suppliers seal them (compact JWE,
ECDH-ES P-256 + A256GCM, a fresh ephemeral key each), each with its receipt (commitment).

- project: ``core.sealed.open_bids`` with three custodians' shares: the shares checked and
  combined, the key checked against the public key, then per bid the commitment recomputed
  over the stored bytes, the header inspected, the envelope decrypted, the payload parsed and
  validated (price through ``core.money.parse_amount``, product and round matched, the group
  maximum).
- baseline: the same envelopes decrypted with the same (already rebuilt) key in a bare
  ``joserfc.jwe.decrypt_compact`` loop, nothing else.

Both are pure CPU in one process; no database. They run interleaved in blocks of
``--block`` bids (500; the project opens each block with ``open_bids``, the shares combined
each time), alternating which goes first, so that the load of a shared machine falls on both
alike; each one's blocks are added up. Target ratio <= 2.0 (issue #12's
``tender_opening`` for the crypto part alone; the full opening with ranking and writes is
that benchmark's job). With ``--repeat`` the best time of each counts.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from decimal import Decimal

from bench.common import ROOT, Result, peak_rss_mb, report, timed

TARGET_RATIO = 2.0
ROUND = "bench-round"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--block", type=int, default=500)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()  # translations for the errors; no database is touched
    logging.getLogger("core.sealed").setLevel(logging.WARNING)  # the opening's summary line
    from joserfc import jwe

    from core.sealed import (
        SealedBid,
        commitment,
        key_ceremony,
        open_bids,
        recover_private_key,
        seal_bid,
    )

    ceremony = key_ceremony(threshold=3, custodians=5)
    shares = [ceremony.shares[i].text for i in (0, 2, 4)]
    started = time.perf_counter()
    bids = []
    for i in range(args.rows):
        product = f"P{i % 50:02d}-G{i // 50:03d}"
        supplier = f"S{i:05d}"
        token = seal_bid(
            ceremony.public_jwk,
            price=Decimal(10_000 + (i * 7919) % 1_990_000) / 100,
            product=product,
            round_ref=ROUND,
        )
        receipt = commitment(
            token, round_fingerprint=ceremony.fingerprint, supplier=supplier, product=product
        )
        bids.append(SealedBid(token, receipt, supplier, product, ref=i, maximum=Decimal(20_000)))
    seal_s = time.perf_counter() - started
    tokens = [bid.envelope for bid in bids]
    key = recover_private_key(shares, ceremony.public_jwk)

    # This machine is shared and its load swings by the second: the two loops run interleaved,
    # a block of each in turn (which one goes first alternates), and each one's blocks add up.
    # The project still opens its blocks with open_bids, shares and all, as the opening would.
    runs = []
    for _ in range(args.repeat):
        times = {"baseline": 0.0, "project": 0.0}
        opened = 0
        for block, start in enumerate(range(0, args.rows, args.block)):
            chunk = bids[start : start + args.block]
            order = ("baseline", "project") if block % 2 == 0 else ("project", "baseline")
            for which in order:
                step: dict = {}
                with timed(step, which):
                    if which == "baseline":
                        plaintexts = [
                            jwe.decrypt_compact(t, key).plaintext
                            for t in tokens[start : start + args.block]
                        ]
                    else:
                        opening = open_bids(shares, ceremony.public_jwk, chunk, round_ref=ROUND)
                times[which] += step[which]
            assert len(plaintexts) == len(chunk)
            assert not opening.refused, opening.refused[:3]
            opened += len(opening.opened)
        assert opened == args.rows
        runs.append(times)
    del key

    result = Result(
        "sealed_open",
        args.rows,
        min(r["project"] for r in runs),
        min(r["baseline"] for r in runs),
        peak_rss_mb(),
        extra=f"seal_s={seal_s:.2f} target_ratio<={TARGET_RATIO}",
    )
    report(result)
    if result.ratio > TARGET_RATIO:
        print(f"target missed (ratio <= {TARGET_RATIO}): sealed_open", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
