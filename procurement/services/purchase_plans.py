"""Annual purchase plans: each hospital's annual purchase total, the base of the
alternate-catalogue cap [R-LIST-ALT-CAP] (procurement.selectors.caps).

Hospital finance sets its own hospital's total; the bureau sets it for the hospitals of its
region. History (pghistory) keeps every earlier total with who set it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.db import IntegrityError, transaction

from accounts.models import User
from core import clock
from core.errors import ValidationError
from core.money import AmountInvalidError, parse_amount
from core.permissions import require
from procurement.errors import PurchasePlanYearInvalidError
from procurement.locks import lock_purchase_plan
from procurement.models import AnnualPurchasePlan
from procurement.selectors.purchase_plans import plan_hospital_get
from procurement.services.listings import history_context


@transaction.atomic
def purchase_plan_set(
    *, actor: User, year: int, total: Decimal | str, hospital_id: int | None = None
) -> AnnualPurchasePlan:
    """Create or change a hospital's annual purchase total for ``year`` (last, this or next
    year: plans are made ahead and corrected after the year closes). Lowering the total below
    what is already used leaves nothing remaining under the cap; it never cancels orders."""
    require(actor, "purchase_plan.set")
    hospital = plan_hospital_get(actor=actor, hospital_id=hospital_id)
    this_year = clock.local_today().year
    if isinstance(year, bool) or not isinstance(year, int) or abs(year - this_year) > 1:
        raise PurchasePlanYearInvalidError(year=year)
    try:
        amount = parse_amount(total)
    except AmountInvalidError as error:
        raise ValidationError(fields={"total": [error.message]}) from None
    with history_context(actor, "purchase_plan_set"):
        # The order services lock this row while checking the cap: lock it too, so a
        # submission never checks against a total half-way through a change.
        plan = lock_purchase_plan(hospital_id=hospital.pk, year=year)
        if plan is None:
            try:
                with transaction.atomic():
                    return AnnualPurchasePlan.objects.create(
                        hospital=hospital, year=year, total=amount
                    )
            except IntegrityError:
                # Set concurrently: fall through to update the row the other request made.
                plan = lock_purchase_plan(hospital_id=hospital.pk, year=year)
        plan = cast(AnnualPurchasePlan, plan)  # it exists now: ours, or the concurrent one
        plan.total = amount
        plan.save(update_fields=["total"])
        return plan
