"""[R-VBP-STEPPED] stepped price-cut targets of non-winners: a product that cuts its listed
price to the winning price level (the group's highest winning price) or below counts as a
winner from then on: its listing is labelled 优先 [R-LABELS], it is paid the winners'
payment standard [R-PAY-STANDARD] and hospitals may choose it until the allocation.

Kept apart from the award services so that the listing services (whose price changes reach
targets) can call it without importing the awards, which import them.
"""

from __future__ import annotations

import pghistory
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock
from procurement.choices import PurchaseLabel, RoundStatus, TargetStatus
from procurement.locks import locked
from procurement.models import Listing, SteppedTarget


def _context(actor: User | None, action: str) -> pghistory.context:
    if actor is None:
        return pghistory.context(action=action, actor="system")
    return pghistory.context(
        action=action, user=actor.pk, organization=getattr(actor, "organization_id", None)
    )


@transaction.atomic(savepoint=False)
def stepped_targets_reach(*, actor: User | None, listing: Listing) -> list[SteppedTarget]:
    """[R-VBP-STEPPED] mark the pending targets of the listing's product and manufacturer
    reached when its (already saved, locked) price is at or below their level; label the
    listing 优先. Called wherever a listed price falls: a price change approved, the
    results applied."""
    if listing.companion_service:
        # The level is a price without companion service; a companion listing is compared
        # with nothing (its price includes the service).
        return []
    targets = list(
        locked(SteppedTarget.objects.all())
        .filter(
            consumable_id=listing.consumable_id,
            supplier_id=listing.manufacturer_id,
            status=TargetStatus.PENDING,
            round__status=RoundStatus.FINAL,
            level__gte=listing.price,
        )
        .select_related("round")
        .order_by("pk")
    )
    if not targets:
        return []
    now = clock.now()
    with _context(actor, "stepped_targets_reach"):
        for target in targets:
            target.status = TargetStatus.REACHED
            target.reached_price = listing.price
            target.reached_at = now
            target.save(update_fields=["status", "reached_price", "reached_at"])
        if listing.label != PurchaseLabel.PREFERRED:
            listing.label = PurchaseLabel.PREFERRED
            listing.label_reason = _(
                "Reached the winning price level of round %(round)s (stepped price cut)."
            ) % {"round": targets[0].round.number}
            listing.save(update_fields=["label", "label_reason"])
    return targets
