"""[R-LIST-OTHER] Reads of a listing's evidence files: the supplier that attached them and the
regulators who review the listing (``ListingEvidenceFile.tenant_q``); anyone else gets the 404
of a missing file, a hospital or an authorised distributor that sees the listing included."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from core import permissions
from core.errors import NotFoundError
from procurement.models import ListingEvidenceFile


def listing_evidence_list(*, actor: User, listing_id: int) -> QuerySet[ListingEvidenceFile]:
    """The listing's evidence files the actor may see, without their content."""
    permissions.require(actor, "listing.view")
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
