"""Celery entry points for procurement: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="procurement.listing_reference_cuts_process")
def listing_reference_cuts_process_task() -> dict:
    """[R-LIST-PRICE-CAP] nightly after the 02:00 lowest-price sync (beat: 03:00): flag
    listings priced above a lowered reference price. Redelivery is harmless: processed cuts
    are skipped."""
    from procurement.services.listings import listing_reference_cuts_process

    result = listing_reference_cuts_process()
    return {"cuts": result.cuts, "flagged": result.flagged, "recatalogued": result.recatalogued}


@shared_task(name="procurement.listing_overdue_restrict")
def listing_overdue_restrict_task() -> dict:
    """[R-LIST-PRICE-CAP] [R-LABELS] nightly (beat: 03:15): label Restricted the listings whose
    price-cut deadline passed. Idempotent: restricted listings are not touched again."""
    from procurement.services.listings import listing_overdue_restrict

    return {"restricted": listing_overdue_restrict()}


@shared_task(name="procurement.rounds_close_bidding_due")
def rounds_close_bidding_due_task() -> dict:
    """Sealed bids (beat: every minute): close bidding of the rounds whose deadline passed.
    Idempotent: a closed round is not touched again."""
    from procurement.services.bids import rounds_close_bidding_due

    return {"closed": rounds_close_bidding_due()}


@shared_task(name="procurement.rounds_finalise_due")
def rounds_finalise_due_task() -> dict:
    """(beat: every 5 minutes) make final the results of rounds whose publicity ended and
    apply them (services.awards.round_apply_results). Idempotent."""
    from procurement.services.bids import rounds_finalise_due

    return {"finalised": rounds_finalise_due()}
