"""The hospital's own catalogue (院内目录) [R-HOSP-CATALOGUE]: its purchasers record what the
committee (药事会 / 医用耗材管理委员会) decided.

- ``catalogue_admit``: products of the platform's listings admitted, one or many at once (the
  committee admits a list in one sitting), all or nothing, with the decision's date and
  reference. Only listed products are admitted; a listing is admitted once (a stopped one is
  resumed, not admitted again).
- ``catalogue_stop`` / ``catalogue_resume`` (停用 / 复用): with a reason, any number of times.

Each writes the entry (tracked by pghistory) and one ``CatalogueEvent`` per change, the
history the entry's page shows. Ordering reads the entries (procurement.selectors.catalogue);
a product stopped after a draft was made is refused when the draft is submitted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core import clock
from core.errors import (
    DomainError,
    LinesRefusedError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from core.permissions import require
from procurement.choices import (
    CATALOGUE_STATES,
    CatalogueAction,
    CatalogueEntryStatus,
    CatalogueEventKind,
    ListingStatus,
)
from procurement.errors import (
    CatalogueDecisionRequiredError,
    CatalogueEntryExistsError,
    CatalogueListingNotAdmissibleError,
)
from procurement.locks import lock_catalogue_entry
from procurement.models import CatalogueEntry, CatalogueEvent, Listing
from procurement.services.listings import history_context, require_reason

MAX_ADMIT = 200
REFERENCE_MAX = 100


def _own_hospital(actor: User) -> Organization:
    require(actor, "catalogue.manage")
    org = actor.organization
    if org is None or not org.is_hospital:
        raise PermissionDeniedError(action="catalogue.manage")
    return org


def _decision(decision_date: object, decision_reference: object) -> tuple[dt.date, str]:
    reference = str(decision_reference or "").strip()
    valid_date = isinstance(decision_date, dt.date) and not isinstance(decision_date, dt.datetime)
    if (
        not valid_date
        or decision_date > clock.local_today()  # type: ignore[operator]
        or not reference
        or len(reference) > REFERENCE_MAX
    ):
        raise CatalogueDecisionRequiredError(
            decision_date=str(decision_date or ""), decision_reference=reference[:REFERENCE_MAX]
        )
    return decision_date, reference  # type: ignore[return-value]


@transaction.atomic
def catalogue_admit(
    *,
    actor: User,
    listing_ids: Sequence[int],
    decision_date: dt.date,
    decision_reference: str,
) -> list[CatalogueEntry]:
    """[R-HOSP-CATALOGUE] admit listed products into the actor's hospital's catalogue, all or
    nothing: every refused listing is named at once (``lines_refused``), else the one."""
    hospital = _own_hospital(actor)
    date, reference = _decision(decision_date, decision_reference)
    ids = list(dict.fromkeys(listing_ids))
    if not ids or len(ids) > MAX_ADMIT:
        raise ValidationError(
            fields={"listings": [_("Choose 1 to %(n)s products.") % {"n": MAX_ADMIT}]}
        )
    listings = {
        listing.pk: listing
        for listing in Listing.objects.visible_to(actor)
        .select_related("consumable")
        .filter(pk__in=ids)
    }
    existing = dict(
        CatalogueEntry.objects.filter(hospital=hospital, listing_id__in=ids).values_list(
            "listing_id", "status"
        )
    )
    errors: dict[int, DomainError] = {}
    for index, listing_id in enumerate(ids, start=1):
        listing = listings.get(listing_id)
        if listing is None:
            errors[index] = NotFoundError(listing=listing_id, line=index)
        elif listing_id in existing:
            errors[index] = CatalogueEntryExistsError(
                product=str(listing.consumable),
                status=CatalogueEntryStatus(existing[listing_id]).label,
                listing=listing_id,
                line=index,
            )
        elif listing.status != ListingStatus.LISTED:
            errors[index] = CatalogueListingNotAdmissibleError(
                product=str(listing.consumable),
                status=ListingStatus(listing.status).label,
                listing=listing_id,
                line=index,
            )
    if errors:
        raise LinesRefusedError.of(errors)
    now = clock.now()
    entries = [
        CatalogueEntry(
            hospital=hospital,
            listing=listings[listing_id],
            consumable_id=listings[listing_id].consumable_id,
            status=CatalogueEntryStatus.ADMITTED,
            decision_date=date,
            decision_reference=reference,
            admitted_by=actor,
            admitted_at=now,
            changed_at=now,
        )
        for listing_id in ids
    ]
    with history_context(actor, "catalogue_admit"):
        try:
            with transaction.atomic():
                created = CatalogueEntry.objects.bulk_create(entries)
        except IntegrityError:
            # Another purchaser admitted one of them between our read and insert.
            first = entries[0]
            raise CatalogueEntryExistsError(
                product=str(first.listing.consumable),
                status=CatalogueEntryStatus.ADMITTED.label,
                listing=first.listing_id,
            ) from None
        CatalogueEvent.objects.bulk_create(
            [
                CatalogueEvent(
                    entry=entry,
                    kind=CatalogueEventKind.ADMITTED,
                    decision_date=date,
                    decision_reference=reference,
                    actor=actor,
                    at=now,
                )
                for entry in created
            ]
        )
    return created


def _change(*, actor: User, entry_id: int, action: str, reason: str, kind: str) -> CatalogueEntry:
    hospital = _own_hospital(actor)
    text = require_reason(reason)[:500]
    entry = lock_catalogue_entry(actor=actor, entry_id=entry_id)
    if entry.hospital_id != hospital.pk:
        # The bureau sees its region's catalogues but another hospital's is not its to change;
        # a purchaser sees only its own, so this is a platform admin acting as a hospital.
        raise NotFoundError(catalogue_entry=entry_id)
    CATALOGUE_STATES.check(entry, action)
    now = clock.now()
    entry.status = CATALOGUE_STATES.targets[action]
    entry.stop_reason = text if kind == CatalogueEventKind.STOPPED else ""
    entry.changed_at = now
    with history_context(actor, f"catalogue_{action}"):
        entry.save(update_fields=["status", "stop_reason", "changed_at"])
        CatalogueEvent.objects.create(entry=entry, kind=kind, reason=text, actor=actor, at=now)
    return entry


@transaction.atomic
def catalogue_stop(*, actor: User, entry_id: int, reason: str) -> CatalogueEntry:
    """[R-HOSP-CATALOGUE] stop a product for the hospital (停用), with a reason: orders of it
    are refused from now on, drafts included when submitted, and its usage records are
    flagged."""
    return _change(
        actor=actor,
        entry_id=entry_id,
        action=CatalogueAction.STOP,
        reason=reason,
        kind=CatalogueEventKind.STOPPED,
    )


@transaction.atomic
def catalogue_resume(*, actor: User, entry_id: int, reason: str) -> CatalogueEntry:
    """[R-HOSP-CATALOGUE] resume a stopped product (复用), with a reason."""
    return _change(
        actor=actor,
        entry_id=entry_id,
        action=CatalogueAction.RESUME,
        reason=reason,
        kind=CatalogueEventKind.RESUMED,
    )
