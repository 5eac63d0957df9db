"""What the daily check reports and where money is pooled: read by the ledger's verification
(settlement.selectors.ledger) and by reconciliation (settlement.selectors.reconciliation)."""

from __future__ import annotations

import dataclasses


def pooling_region(region_code: str) -> str:
    """The insurance pooling region (统筹区) of a region code: the city (a district's city; a
    province-level code stays itself). Escrow and the fund are kept per pooling region."""
    if region_code.endswith("0000"):
        return region_code
    return region_code[:4] + "00"


@dataclasses.dataclass(frozen=True)
class Finding:
    """One invariant that does not hold: what, where, and the figures."""

    check: str
    object: str
    detail: dict
