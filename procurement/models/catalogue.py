"""The hospital's own catalogue (院内目录) [R-HOSP-CATALOGUE]: the products of the platform's
listings a hospital's committee (药事会 / 医用耗材管理委员会) admitted for use, each in use or
stopped (停用 / 复用). Ordering a product outside it, or stopped, is refused
(procurement.selectors.catalogue). Every admission, stop and resumption is also an event row
of its own (``CatalogueEvent``, append-only) that the entry's page shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.tenancy import AnyActor, TenantQuerySet, scope_q
from procurement.choices import CatalogueEntryStatus, CatalogueEventKind


class CatalogueEntryQuerySet(TenantQuerySet):
    def in_use(self):
        return self.filter(status=CatalogueEntryStatus.ADMITTED)


@history.track()
class CatalogueEntry(models.Model):
    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="catalogue_entries",
    )
    listing = models.ForeignKey(
        "procurement.Listing",
        verbose_name=_("listing"),
        on_delete=models.PROTECT,
        related_name="catalogue_entries",
    )
    # The product of the listing, kept here so that a usage record (which names a product, not
    # a listing) finds its entry in one indexed lookup.
    consumable = models.ForeignKey(
        "catalog.Consumable",
        verbose_name=_("consumable"),
        on_delete=models.PROTECT,
        related_name="catalogue_entries",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CatalogueEntryStatus.choices,
        default=CatalogueEntryStatus.ADMITTED,
    )
    decision_date = models.DateField(_("committee decision date"))
    decision_reference = models.CharField(_("committee decision reference"), max_length=100)
    # Empty for a catalogue loaded by the platform (the demo, a hospital's existing list
    # imported from its HIS); a person's admission always names them.
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("admitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    admitted_at = models.DateTimeField(_("admitted at"))
    # The last stop's reason while stopped (blank in use); every reason stays in the events.
    stop_reason = models.CharField(_("reason stopped"), max_length=500, blank=True)
    changed_at = models.DateTimeField(_("status changed at"))

    objects = CatalogueEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue entries")
        ordering = ["-admitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "listing"], name="catalogue_listing_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in CatalogueEntryStatus]),
                name="catalogue_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["hospital", "consumable"], name="catalogue_hosp_consumable"),
            models.Index(fields=["hospital", "status"], name="catalogue_hosp_status"),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id} {self.listing_id} {self.status}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        """The hospital itself, and the bureau and agency of the hospital's region."""
        return scope_q(actor, org_field="hospital_id", region_field="hospital__region_code")


class CatalogueEventQuerySet(TenantQuerySet):
    pass


class CatalogueEvent(models.Model):
    """One admission, stop or resumption, with its reason or the committee's decision, who and
    when. Insert-only."""

    entry = models.ForeignKey(
        CatalogueEntry,
        verbose_name=_("catalogue entry"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    kind = models.CharField(_("event"), max_length=10, choices=CatalogueEventKind.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decision_date = models.DateField(_("committee decision date"), null=True, blank=True)
    decision_reference = models.CharField(
        _("committee decision reference"), max_length=100, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    objects = CatalogueEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue event")
        verbose_name_plural = _("catalogue events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in CatalogueEventKind]),
                name="catalogue_event_kind_known",
            ),
        ]
        triggers = [history.append_only()]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind}"

    @classmethod
    def tenant_q(cls, actor: AnyActor) -> models.Q:
        return scope_q(
            actor, org_field="entry__hospital_id", region_field="entry__hospital__region_code"
        )
