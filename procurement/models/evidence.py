"""[R-LIST-OTHER] Files a supplier attaches as evidence that other provinces list its product
(a screenshot of the province's platform, its listing notice as a PDF), for the bureau's review.

Stored in the database (a ``bytea`` column), not MEDIA_ROOT: the platform is deployed on a
hospital-bureau intranet where the database is the one thing backed up and replicated; a
file is written in the same transaction as the application it belongs to (a refused upload
leaves nothing behind, a rolled-back one no orphan on disk); web and worker containers need no
shared volume; and the tenancy of a download is the listing's own queryset. The size limit
(``EVIDENCE_FILE_MAX_BYTES``, 5 MB) and the number per listing keep the table small."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.regions import MAINLAND_PROVINCES
from core.tenancy import OVERSEER_ROLES, AnyActor, TenantQuerySet, is_active_actor

EVIDENCE_FILE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_FILES_PER_LISTING = 20


class EvidenceKind(models.TextChoices):
    """What the content is, sniffed from its bytes (never from the file name)."""

    PDF = "application/pdf", "PDF"
    PNG = "image/png", "PNG"
    JPEG = "image/jpeg", "JPEG"


EVIDENCE_EXTENSIONS = {EvidenceKind.PDF: "pdf", EvidenceKind.PNG: "png", EvidenceKind.JPEG: "jpg"}


class ListingEvidenceFileQuerySet(TenantQuerySet):
    pass


class ListingEvidenceFile(models.Model):
    listing = models.ForeignKey(
        "procurement.Listing",
        verbose_name=_("listing"),
        on_delete=models.CASCADE,
        related_name="evidence_files",
    )
    province_code = models.CharField(
        _("province"), max_length=2, choices=sorted(MAINLAND_PROVINCES.items())
    )
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=40, choices=EvidenceKind.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The bureau officer's confirmation, on approval, that this file was checked.
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    objects = ListingEvidenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["province_code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gt=0, size__lte=EVIDENCE_FILE_MAX_BYTES),
                name="evidence_file_size_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        """[R-LIST-OTHER] the supplier that attached it and the regulators who review the
        listing (the regulators, who see every listing, as ``Listing.tenant_q``); no one
        else: not a hospital that sees the listing, nor a distributor authorised for it."""
        if not is_active_actor(actor) or actor.organization is None:
            return models.Q(pk__in=[])
        if set(actor.roles) & OVERSEER_ROLES:
            return models.Q()
        return models.Q(listing__manufacturer_id=actor.organization_id)
