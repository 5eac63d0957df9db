"""The purchase label the evidence suggests for a listing [R-LABELS]; the bureau decides
(procurement.services.labels). Supplier credit comes from supervision through core.credit's
registry (sanctions in force, the credit score, confirmed serious quality reports); evidence the
platform does not record yet (VBP results) comes from the clearly named hook below, which
reports "no data" until that issue lands."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from core import credit as core_credit
from procurement.choices import (
    PurchaseLabel,
)
from procurement.models import Listing
from procurement.selectors.reference_prices import listing_reference_price

# [R-LABELS] "well below the reference price": at least this much below suggests Preferred.
# A platform constant rather than a region figure until a bureau asks to tune it.
PREFERRED_PRICE_RATIO = Decimal("0.90")


class VbpStatus(enum.StrEnum):
    NONE = "none"  # the product took part in no volume-based procurement
    WINNER = "winner"
    NON_WINNER = "non_winner"


def vbp_status_for(*, listing: Listing) -> VbpStatus:
    """HOOK: volume-based procurement does not exist yet: every product counts as NONE."""
    return VbpStatus.NONE


class CreditStanding(enum.StrEnum):
    NONE = "none"  # no rating (or a good one): no effect on the label
    POOR = "poor"  # e.g. a risk notice: at most Restricted
    BLACKLISTED = "blacklisted"  # joint punishment / blacklist: Forbidden


def supplier_credit_verdict(
    *, manufacturer_id: int, listing: Listing | None = None
) -> core_credit.CreditVerdict:
    """[R-LABELS] [R-CREDIT] the supplier's credit as supervision judges it (core.credit's
    providers), for ``listing`` and its product when given."""
    return core_credit.credit_verdict(
        organization_id=manufacturer_id,
        listing_id=listing.pk if listing is not None else None,
        consumable_id=listing.consumable_id if listing is not None else None,
    )


def supplier_credit_for(*, manufacturer_id: int, listing: Listing | None = None) -> CreditStanding:
    """[R-LABELS] [R-CREDIT] the supplier's credit standing: blacklisted (a bar from tenders or
    a public disclosure in force), poor (a risk notice or a suspension in force, a low credit
    score, a confirmed serious quality report on the product) or none."""
    verdict = supplier_credit_verdict(manufacturer_id=manufacturer_id, listing=listing)
    return CreditStanding(verdict.standing)


def _credit_reasons(listing: Listing, credit: CreditStanding) -> list[Any]:
    if credit == CreditStanding.NONE:
        return []
    verdict = supplier_credit_verdict(manufacturer_id=listing.manufacturer_id, listing=listing)
    return list(verdict.reasons)


_STRICTNESS: list[str] = [
    PurchaseLabel.PREFERRED,
    PurchaseLabel.ENCOURAGED,
    PurchaseLabel.NORMAL,
    PurchaseLabel.RESTRICTED,
    PurchaseLabel.FORBIDDEN,
]


def _stricter(a: str, b: str) -> str:
    return a if _STRICTNESS.index(a) >= _STRICTNESS.index(b) else b


@dataclass(frozen=True)
class LabelSuggestion:
    label: str
    reasons: list[Any] = field(default_factory=list)

    @property
    def label_display(self) -> str:
        return str(PurchaseLabel(self.label).label)


def listing_label_suggestion(*, listing: Listing) -> LabelSuggestion:
    """[R-LABELS] The label the evidence suggests; the bureau decides.

    1. Credit (supervision's, through core.credit): blacklisted -> Forbidden; poor ->
       Restricted.
    2. Price above the confirmed reference price (a cut not yet followed) -> Restricted.
    3. VBP winner -> Preferred (hook, no data yet).
    4. Price level: at least 10% below the reference price -> Preferred; at or below it ->
       Encouraged; no reference price (alternate catalogue) -> Normal.
    5. A VBP non-winner is at best Normal.
    """
    reference = listing_reference_price(listing)
    reasons: list[Any] = []
    credit = supplier_credit_for(manufacturer_id=listing.manufacturer_id, listing=listing)
    if credit == CreditStanding.BLACKLISTED:
        return LabelSuggestion(
            PurchaseLabel.FORBIDDEN,
            [_("The supplier is blacklisted."), *_credit_reasons(listing, credit)],
        )
    strict_floor = PurchaseLabel.PREFERRED
    if credit == CreditStanding.POOR:
        reasons.append(_("The supplier's credit rating is poor."))
        reasons.extend(_credit_reasons(listing, credit))
        strict_floor = PurchaseLabel.RESTRICTED
    if reference is not None and listing.price > reference:
        reasons.append(_("The price is above the reference price."))
        strict_floor = PurchaseLabel.RESTRICTED
    if strict_floor == PurchaseLabel.RESTRICTED:
        return LabelSuggestion(PurchaseLabel.RESTRICTED, reasons)

    vbp = vbp_status_for(listing=listing)
    if vbp == VbpStatus.WINNER:
        return LabelSuggestion(PurchaseLabel.PREFERRED, [_("Winner of volume-based procurement.")])
    label: str
    if reference is None:
        label = PurchaseLabel.NORMAL
        reasons.append(_("No reference price (alternate catalogue)."))
    elif listing.price <= reference * PREFERRED_PRICE_RATIO:
        label = PurchaseLabel.PREFERRED
        reasons.append(_("At least a tenth below the reference price."))
    else:
        label = PurchaseLabel.ENCOURAGED
        reasons.append(_("At or below the reference price."))
    if vbp == VbpStatus.NON_WINNER:
        label = _stricter(label, PurchaseLabel.NORMAL)
        reasons.append(_("Did not win volume-based procurement."))
    return LabelSuggestion(label, reasons)
