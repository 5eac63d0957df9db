"""[R-LIST-OTHER] Reads of a listing's evidence files: the supplier that attached them and the
regulators who review the listing (``ListingEvidenceFile.tenant_q``); anyone else gets the 404
of a missing file, a hospital or an authorised distributor that sees the listing included."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from core import permissions
from core.errors import NotFoundError
from core.tenancy import OVERSEER_ROLES
from procurement.models import Listing, ListingEvidenceFile


def listing_evidence_list(*, actor: User, listing_id: int) -> QuerySet[ListingEvidenceFile]:
    """The listing's evidence files, without their content, for its supplier and the
    regulators; anyone else (or a listing the actor cannot see) is 404."""
    permissions.require(actor, "listing.view")
    listing = Listing.objects.visible_to(actor).filter(pk=listing_id).first()
    org = getattr(actor, "organization", None)
    overseer = bool(set(actor.roles) & OVERSEER_ROLES)
    if listing is None or org is None or not (overseer or listing.manufacturer_id == org.pk):
        raise NotFoundError()
    return (
        ListingEvidenceFile.objects.visible_to(actor)
        .filter(listing_id=listing_id)
        .defer("content")
        .select_related("uploaded_by", "checked_by")
        .order_by("province_code", "pk")
    )


def listing_evidence_get(*, actor: User, listing_id: int, evidence_id: int) -> ListingEvidenceFile:
    """One evidence file with its content, for download; 404 outside the actor's scope."""
    permissions.require(actor, "listing.view")
    found = (
        ListingEvidenceFile.objects.visible_to(actor)
        .filter(listing_id=listing_id, pk=evidence_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    return found
