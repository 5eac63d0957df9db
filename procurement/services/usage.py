"""Usage records: a consumable used in an operation, reported by the hospital's HIS.

[R-TRACE] [R-ALERT-USE] the raw input of traceability and abnormal-use alerts. The product is
resolved from the UDI-DI (never taken from the client) and the brand (manufacturer) from the
product, so supervision can aggregate by doctor, department, brand and operation.

Privacy: the platform never receives a patient's case number, only a digest the HIS computed
(e.g. SHA-256 with a hospital-held salt). A value that is not a hex digest of at least 128 bits
is refused, so a raw case number sent by mistake is never stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock, permissions
from core.errors import PermissionDeniedError, ValidationError
from core.money import parse_amount
from procurement.errors import (
    PatientHashInvalidError,
    UdiMissingError,
    UdiUnknownError,
    UsageSerialUsedError,
    UsedAtInvalidError,
)
from procurement.models import UsageRecord
from procurement.selectors.catalogue import usage_flags
from procurement.selectors.deliveries import consumable_for_di
from procurement.selectors.orders import parse_quantity
from procurement.services.deliveries import udi_from_input

MAX_RECORDS = 500
# A hex digest: MD5 (32) up to SHA-512 (128) characters.
_HEX_DIGEST = re.compile(r"^[0-9a-f]{32,128}$")
# Clocks of HIS servers drift; a few minutes ahead is not "in the future".
CLOCK_SKEW = dt.timedelta(minutes=5)
TEXT_FIELDS = {"operation_id": 64, "doctor_code": 32, "department": 100}


def validate_patient_hash(value: object, *, record: int) -> str:
    """A hex digest of at least 32 characters. All-digit values are refused even at digest
    length: a real digest is all digits with negligible probability, while long numeric case
    and insurance numbers are common."""
    text = str(value or "").strip().lower()
    if not _HEX_DIGEST.match(text) or text.isdigit() or len(text) % 2:
        raise PatientHashInvalidError(record=record)
    return text


def _text(raw: Mapping[str, Any], name: str, *, record: int) -> str:
    text = str(raw.get(name) or "").strip()
    limit = TEXT_FIELDS[name]
    if not text or len(text) > limit:
        raise ValidationError(
            fields={
                f"records[{record}].{name}": [
                    _("Required, at most %(n)s characters.") % {"n": limit}
                ]
            }
        )
    return text


@transaction.atomic
def usage_record(*, actor: User, records: Sequence[Mapping[str, Any]]) -> list[UsageRecord]:
    """Store usage records, all or nothing. Each is ``{"barcode"}`` or ``{"udi_di", "lot",
    "serial"}``, plus ``quantity`` (default 1), ``operation_id``, ``doctor_code``,
    ``department``, ``patient_hash``, ``used_at`` (aware datetime) and optionally
    ``charged_price`` (the price charged to the patient, [R-ZERO-MARKUP]). [R-HOSP-CATALOGUE]
    a record of a product outside the hospital's catalogue, or stopped in it, is accepted and
    flagged (``catalogue_flag``)."""
    permissions.require(actor, "usage.record")
    hospital = actor.organization
    if hospital is None or not hospital.is_hospital:
        raise PermissionDeniedError(action="usage.record")
    if not records or len(records) > MAX_RECORDS:
        raise ValidationError(
            fields={"records": [_("Send 1 to %(n)s records.") % {"n": MAX_RECORDS}]}
        )
    now = clock.now()
    rows: list[UsageRecord] = []
    serials: set[tuple[str, str]] = set()
    for index, raw in enumerate(records, start=1):
        udi = udi_from_input(raw, line=index, prefix="records")
        if not udi.di:
            raise UdiMissingError(product=_("record %(n)s") % {"n": index}, missing="UDI-DI")
        consumable = consumable_for_di(udi.di)
        if consumable is None:
            raise UdiUnknownError(di=udi.di, record=index)
        used_at = raw.get("used_at")
        if not isinstance(used_at, dt.datetime) or used_at.tzinfo is None:
            raise ValidationError(
                fields={f"records[{index}].used_at": [_("Give an ISO 8601 time with offset.")]}
            )
        if used_at > now + CLOCK_SKEW:
            raise UsedAtInvalidError(record=index, value=used_at.isoformat())
        charged = raw.get("charged_price")
        if udi.serial:
            key = (udi.di, udi.serial)
            if key in serials:
                raise UsageSerialUsedError(record=index, di=udi.di, serial=udi.serial)
            serials.add(key)
        rows.append(
            UsageRecord(
                hospital=hospital,
                consumable=consumable,
                manufacturer_id=consumable.manufacturer_id,
                udi_di=udi.di,
                lot=udi.lot,
                serial=udi.serial,
                quantity=parse_quantity(raw.get("quantity", 1), line=index),
                operation_id=_text(raw, "operation_id", record=index),
                doctor_code=_text(raw, "doctor_code", record=index),
                department=_text(raw, "department", record=index),
                patient_hash=validate_patient_hash(raw.get("patient_hash"), record=index),
                used_at=used_at,
                charged_price=None if charged in (None, "") else parse_amount(charged),
            )
        )
    # [R-HOSP-CATALOGUE] a product never admitted to the hospital's catalogue, or stopped in
    # it, is still recorded (it was used) and flagged with the reason.
    flags = usage_flags(hospital=hospital, consumable_ids={row.consumable_id for row in rows})
    for row in rows:
        row.catalogue_flag = flags[row.consumable_id]
    if serials:
        used = (
            UsageRecord.objects.filter(hospital=hospital, serial__in={s for _d, s in serials})
            .values_list("udi_di", "serial")
            .order_by()
        )
        for di, serial in used:
            if (di, serial) in serials:
                index = next(
                    i for i, row in enumerate(rows, 1) if (row.udi_di, row.serial) == (di, serial)
                )
                raise UsageSerialUsedError(record=index, di=di, serial=serial)
    try:
        with transaction.atomic():
            return UsageRecord.objects.bulk_create(rows)
    except IntegrityError:
        # A concurrent report of the same serial committed between our check and insert.
        first = next(row for row in rows if row.serial)
        raise UsageSerialUsedError(record="-", di=first.udi_di, serial=first.serial) from None
