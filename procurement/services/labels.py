"""Purchase labels [R-LABELS]: 优先 preferred, 鼓励 encouraged, 正常 normal, 限制 restricted,
严禁 forbidden (NJ 3.2). The bureau sets them with a reason; pghistory keeps every earlier label
with who changed it. ``procurement.selectors.labels.listing_label_suggestion`` states the rule
the label page suggests from. Orders refuse Forbidden products and ask a reason for Restricted
ones (the order services check ``Listing.label``)."""

from __future__ import annotations

from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ValidationError
from core.permissions import require
from procurement.choices import LISTING_STATES, ListingAction, PurchaseLabel
from procurement.locks import lock_listing
from procurement.models import Listing
from procurement.services.listings import history_context, require_reason

LABEL_REASON_MAX = cast(int, Listing._meta.get_field("label_reason").max_length)


@transaction.atomic
def listing_label_set(*, actor: User, listing_id: int, label: str, reason: str) -> Listing:
    listing = lock_listing(actor=actor, listing_id=listing_id)
    require(actor, "listing.review")
    if label not in PurchaseLabel.values:
        raise ValidationError(fields={"label": [_("Unknown purchase label.")]})
    reason = require_reason(reason)
    if len(reason) > LABEL_REASON_MAX:
        raise ValidationError(
            fields={"reason": [_("At most %(max)s characters.") % {"max": LABEL_REASON_MAX}]}
        )
    LISTING_STATES.check(listing, ListingAction.SET_LABEL)
    listing.label = label
    listing.label_reason = reason
    with history_context(actor, "listing_label_set"):
        listing.save(update_fields=["label", "label_reason"])
    return listing
