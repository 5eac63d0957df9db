"""[R-LIST-ALT-CAP] A hospital's running purchase totals: the amount of its order lines that
count as purchases, per year and catalogue, so the cart and purchase-plan pages read a row
instead of summing a year of order lines (issue #11, item 6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import money_field
from procurement.choices import Catalogue


class PurchaseTotal(models.Model):
    """The amount of the hospital's order lines that count against the alternate-catalogue cap
    (``COUNTED_ORDER_STATUSES`` / ``COUNTED_LINE_STATUSES``) whose order was submitted in
    ``year`` (Asia/Shanghai), in ``catalogue``: the SUM the cap used to compute on each view.

    Kept by the order services (procurement.services.purchase_totals) in the transaction that
    submits, cancels or answers the order, under the hospital's purchase-plan lock
    (procurement.locks.lock_purchase_plan); ``manage.py purchase_totals_rebuild`` recomputes
    it from the order lines. A derived figure, not a record: no history of its own (the orders
    and lines it sums have theirs)."""

    hospital = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="purchase_totals",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    catalogue = models.CharField(_("catalogue"), max_length=10, choices=Catalogue.choices)
    amount = money_field(_("amount"), default=0)

    class Meta:
        verbose_name = _("purchase total")
        verbose_name_plural = _("purchase totals")
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "year", "catalogue"], name="purchase_total_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="purchase_total_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id}/{self.year}/{self.catalogue}"
