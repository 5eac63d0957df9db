"""Reads of the hospital's own catalogue (院内目录) [R-HOSP-CATALOGUE], and the check every
order path shares: a hospital orders only the listings its committee admitted and has not
stopped, where its region's policy says so (``hospital_catalogue_required``, on by default).

The check reads nothing of its own on the cart and the quote: ``with_catalogue`` adds the
entry's status, stop reason and date and the region's figure to the listing query those paths
already make (procurement.selectors.cart). ``order_submit`` re-reads the entries of the
order's listings (``catalogue_states``), so a product stopped after the draft was made is
refused on submission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import (
    BooleanField,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import Organization, User
from core import clock, permissions
from core.actions import Actions, Allowed, role_check, verdict
from core.errors import DomainError, NotFoundError, PermissionDeniedError
from core.policy import RegionPolicy, policy_for
from procurement.choices import (
    CATALOGUE_STATES,
    CatalogueAction,
    CatalogueEntryStatus,
    ListingStatus,
    PurchaseLabel,
    UsageCatalogueFlag,
)
from procurement.errors import CatalogueNotAdmittedError, CatalogueStoppedError
from procurement.models import CatalogueEntry, CatalogueEvent, Listing
from procurement.selectors.listings import listing_list


def _policy_candidates(region_code: str) -> list[str]:
    return [region_code, region_code[:4] + "00", region_code[:2] + "0000"]


def _required_expression(region_code: str) -> Coalesce:
    """The region's ``hospital_catalogue_required`` as a subquery, as core.policy.policy_for
    reads it: the nearest enclosing region's policy (district, city, province: of the three
    codes the more specific sorts first in descending order), else the default."""
    default = RegionPolicy._meta.get_field("hospital_catalogue_required").default
    nearest = (
        RegionPolicy.objects.filter(region_code__in=_policy_candidates(region_code))
        .order_by("-region_code")
        .values("hospital_catalogue_required")[:1]
    )
    return Coalesce(Subquery(nearest), Value(default), output_field=BooleanField())


_ListingsT = TypeVar("_ListingsT", bound=QuerySet[Listing])


def with_catalogue(qs: _ListingsT, *, hospital: Organization) -> _ListingsT:
    """Listings with the hospital's entry (``hc_status``, ``hc_stop_reason``,
    ``hc_changed_at``; None when never admitted) and the region's rule (``hc_required``)."""
    entry = CatalogueEntry.objects.filter(hospital_id=hospital.pk, listing_id=OuterRef("pk"))
    return qs.annotate(
        hc_status=Subquery(entry.values("status")[:1]),
        hc_stop_reason=Subquery(entry.values("stop_reason")[:1]),
        hc_changed_at=Subquery(entry.values("changed_at")[:1]),
        hc_required=_required_expression(hospital.region_code),
    )


@dataclass(frozen=True)
class EntryState:
    status: str
    stop_reason: str
    changed_at: dt.datetime


def catalogue_refusal(
    *, product: str, listing_id: int, line: int, required: bool, state: EntryState | None
) -> DomainError | None:
    """[R-HOSP-CATALOGUE] why the hospital cannot order this listing, or None."""
    if not required:
        return None
    if state is None:
        return CatalogueNotAdmittedError(product=product, listing=listing_id, line=line)
    if state.status == CatalogueEntryStatus.STOPPED:
        return CatalogueStoppedError(
            product=product,
            listing=listing_id,
            line=line,
            since=clock.to_local(state.changed_at).date().isoformat(),
            reason=state.stop_reason,
        )
    return None


def check_in_catalogue(listing: Listing, *, line: int) -> None:
    """The check on a listing read through ``with_catalogue``."""
    status = getattr(listing, "hc_status", None)
    state = (
        EntryState(
            status=status,
            stop_reason=listing.hc_stop_reason,  # type: ignore[attr-defined]
            changed_at=listing.hc_changed_at,  # type: ignore[attr-defined]
        )
        if status
        else None
    )
    error = catalogue_refusal(
        product=str(listing.consumable),
        listing_id=listing.pk,
        line=line,
        required=bool(getattr(listing, "hc_required", True)),
        state=state,
    )
    if error is not None:
        raise error


def catalogue_required(*, hospital: Organization) -> bool:
    return policy_for(hospital.region_code).hospital_catalogue_required


def catalogue_states(
    *, hospital: Organization, listing_ids: Iterable[int]
) -> dict[int, EntryState]:
    """The hospital's entries of these listings, by listing (one query)."""
    rows = CatalogueEntry.objects.filter(
        hospital_id=hospital.pk, listing_id__in=set(listing_ids)
    ).values_list("listing_id", "status", "stop_reason", "changed_at")
    return {
        listing_id: EntryState(status=status, stop_reason=reason, changed_at=changed)
        for listing_id, status, reason, changed in rows
    }


def usage_flags(*, hospital: Organization, consumable_ids: Iterable[int]) -> dict[int, str]:
    """[R-HOSP-CATALOGUE] per product: blank when some listing of it is in use in the
    hospital's catalogue, ``stopped`` when admitted but every entry stopped, ``not_admitted``
    otherwise (one query). A region without the rule flags nothing."""
    ids = set(consumable_ids)
    if not ids or not catalogue_required(hospital=hospital):
        return dict.fromkeys(ids, UsageCatalogueFlag.NONE.value)
    counts = {
        row["consumable_id"]: row
        for row in CatalogueEntry.objects.filter(hospital_id=hospital.pk, consumable_id__in=ids)
        .values("consumable_id")
        .annotate(
            in_use=Count("pk", filter=Q(status=CatalogueEntryStatus.ADMITTED)), all=Count("pk")
        )
        .order_by()
    }
    flags: dict[int, str] = {}
    for consumable_id in ids:
        row = counts.get(consumable_id)
        if row is None:
            flags[consumable_id] = UsageCatalogueFlag.NOT_ADMITTED.value
        elif row["in_use"] == 0:
            flags[consumable_id] = UsageCatalogueFlag.STOPPED.value
        else:
            flags[consumable_id] = UsageCatalogueFlag.NONE.value
    return flags


# ---------------------------------------------------------------------------------------------
# Pages and the API


def catalogue_entry_list(
    *,
    actor: User,
    status: str = "",
    q: str = "",
    hospital_id: int | None = None,
) -> QuerySet[CatalogueEntry]:
    """The catalogue entries the actor sees (a hospital its own; the bureau its region's),
    newest admission first, filtered by status and words of the product or manufacturer."""
    permissions.require(actor, "catalogue.view")
    qs = CatalogueEntry.objects.visible_to(actor).select_related(
        "hospital", "listing", "listing__manufacturer", "consumable", "admitted_by"
    )
    if status:
        qs = qs.filter(status=status)
    if hospital_id:
        qs = qs.filter(hospital_id=hospital_id)
    for word in q.split():
        qs = qs.filter(
            Q(consumable__product_name__icontains=word)
            | Q(consumable__generic_name__icontains=word)
            | Q(consumable__code__istartswith=word)
            | Q(listing__manufacturer__name__icontains=word)
            | Q(decision_reference__icontains=word)
        )
    return qs.order_by("-admitted_at", "-pk")


def catalogue_entry_get(*, actor: User, entry_id: int) -> CatalogueEntry:
    """One entry (another hospital's: 404)."""
    entry = catalogue_entry_list(actor=actor).filter(pk=entry_id).first()
    if entry is None:
        raise NotFoundError(catalogue_entry=entry_id)
    return entry


def catalogue_history(*, entry: CatalogueEntry) -> QuerySet[CatalogueEvent]:
    """The entry's admissions, stops and resumptions, oldest first (the entry was fetched in
    the actor's scope)."""
    return CatalogueEvent.objects.filter(entry=entry).select_related("actor").order_by("at", "pk")


def catalogue_admissible(*, actor: User, q: str = "", code: str = "") -> QuerySet[Listing]:
    """Listed products the actor's hospital has not admitted yet: what the admit page offers
    (the platform's listing search, less the catalogue and the Forbidden products, which no
    hospital may order [R-LABELS])."""
    permissions.require(actor, "catalogue.manage")
    admitted = CatalogueEntry.objects.filter(hospital_id=actor.organization_id).values("listing_id")
    return (
        listing_list(actor=actor, status=ListingStatus.LISTED, q=q, code=code)
        .exclude(pk__in=admitted)
        .exclude(label=PurchaseLabel.FORBIDDEN)
        .order_by("consumable__code", "pk")
    )


def catalogue_counts(*, actor: User) -> dict[str, int]:
    """Entries in use and stopped, for the list's tabs (one query)."""
    return catalogue_entry_list(actor=actor).aggregate(
        admitted=Count("pk", filter=Q(status=CatalogueEntryStatus.ADMITTED)),
        stopped=Count("pk", filter=Q(status=CatalogueEntryStatus.STOPPED)),
    )


def catalogue_actions(*, actor: User, entry: CatalogueEntry) -> Actions:
    """What the actor may do with the entry now, as procurement.services.catalogue checks:
    the role and own hospital, then the state."""

    def own() -> None:
        if actor.organization_id != entry.hospital_id:
            raise PermissionDeniedError(action="catalogue.manage")

    def decide(action: str) -> Allowed:
        def state() -> None:
            CATALOGUE_STATES.check(entry, action)

        return verdict(action, role_check(actor, "catalogue.manage"), own, state)

    return Actions([decide(CatalogueAction.STOP), decide(CatalogueAction.RESUME)])
