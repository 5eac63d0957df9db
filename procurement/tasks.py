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


@shared_task(name="procurement.negotiation_quarterly_open")
def negotiation_quarterly_open_task() -> dict:
    """[R-NEGOTIATION] NJ 2.4 (beat: 04:00 on the first day of each quarter): open the
    quarter's lowest-price negotiation of each region. Idempotent per region and quarter."""
    from procurement.services.negotiation_sources import negotiation_quarterly_open

    return {"opened": negotiation_quarterly_open()}


@shared_task(name="procurement.negotiation_listed_prices_apply")
def negotiation_listed_prices_apply_task() -> dict:
    """[R-NEGOTIATION] daily (beat: 00:10): agreements that become the listed price apply on
    their effective date. Idempotent: an applied negotiation is marked."""
    from procurement.services.negotiations import negotiation_listed_prices_apply

    return {"applied": negotiation_listed_prices_apply()}
