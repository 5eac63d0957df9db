"""Row locks for the catalogue: the only way a service fetches a row it is about to change.

Lock order: a product before its reference prices (proposing decides against the prices the
product already has), a reference price before its objections (raising an objection and
confirming the price queue up on the price). Several rows are always locked in primary-key
order. Reference prices are public, so these locks are not scoped to an organisation: the
services check the role (``reference_price.manage``) before they call them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.choices import ReferencePriceStatus
from catalog.models import Consumable, ImportJob, PriceObjection, ReferencePrice
from core.errors import NotFoundError


def lock_consumable(*, consumable_id: int) -> Consumable:
    """The product, locked: two proposals for it are decided one after the other."""
    consumable = Consumable.objects.select_for_update().filter(pk=consumable_id).first()
    if consumable is None:
        raise NotFoundError()
    return consumable


def lock_reference_prices_of(*, consumable: Consumable) -> QuerySet:
    """Every reference price of a product (the caller holds the product), locked in pk order
    when evaluated; filter it further as needed."""
    return ReferencePrice.objects.select_for_update().filter(consumable=consumable).order_by("pk")


def lock_reference_price(*, reference_price_id: int) -> ReferencePrice:
    rp = ReferencePrice.objects.select_for_update().filter(pk=reference_price_id).first()
    if rp is None:
        raise NotFoundError()
    return rp


def lock_confirmed_reference_price(*, consumable_id: int) -> ReferencePrice | None:
    """The product's confirmed reference price, locked, if it has one (confirming a new one
    supersedes it)."""
    return (
        ReferencePrice.objects.select_for_update()
        .filter(consumable_id=consumable_id, status=ReferencePriceStatus.CONFIRMED)
        .first()
    )


def lock_price_objection(*, objection_id: int) -> PriceObjection:
    """An objection, locked (lock its reference price first)."""
    return PriceObjection.objects.select_for_update().get(pk=objection_id)


def lock_import_job(*, job_id: int) -> ImportJob:
    """An import job, locked (retrying one must not race the worker that fails it)."""
    job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise NotFoundError()
    return job
