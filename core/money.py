"""CNY amounts: the one place that knows how money is stored, rounded, parsed and shown.

Amounts are ``Decimal`` with two places, rounded half-up (the rounding Chinese invoices and
fund settlement use). Floats are refused everywhere: a float has already lost the cents.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 18
DECIMAL_PLACES = 2
# A share such as 0.1500 (15%): four places, so that 2.5% and 0.15% are exact.
RATIO_MAX_DIGITS = 5
RATIO_DECIMAL_PLACES = 4


class AmountInvalidError(ValidationError):
    code = "amount_invalid"
    message_template = _("%(value)s is not a valid amount: %(reason)s")


def quantize(value: Decimal | int) -> Decimal:
    """Round to cents, half-up. Idempotent."""
    if isinstance(value, float) or not isinstance(value, (Decimal, int)):
        raise TypeError("quantize() takes Decimal or int, never float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value: object, *, allow_negative: bool = False) -> Decimal:
    """Parse user or API input into an amount, refusing anything that is not exact cents."""
    if isinstance(value, (bool, float)):
        raise AmountInvalidError(value=value, reason=_("send amounts as strings, not numbers"))
    if isinstance(value, int) and value.bit_length() > 64:
        # Far too large, and too long to echo: str() of it may even refuse (4,300 digits).
        raise AmountInvalidError(value="…", reason=_("too large"))
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, (int, str)):
        text = str(value) if isinstance(value, int) else value
        text = text.strip().replace(",", "").removeprefix("¥").strip()
        if not text:
            raise AmountInvalidError(value=value, reason=_("empty"))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise AmountInvalidError(value=value, reason=_("not a number")) from None
    else:
        raise AmountInvalidError(value=value, reason=_("not a number"))
    if not amount.is_finite():
        raise AmountInvalidError(value=value, reason=_("not a finite number"))
    # Size first, before any arithmetic: quantize() of a number with more digits than the
    # decimal context's precision (28) raises InvalidOperation instead of answering, and a
    # number with more than MAX_DIGITS - DECIMAL_PLACES whole digits fits no money column.
    if amount and amount.adjusted() >= MAX_DIGITS - DECIMAL_PLACES:
        raise AmountInvalidError(value=value, reason=_("too large"))
    exponent = amount.as_tuple().exponent
    # "1.230" is exact cents; "1.234" is not.
    too_precise = isinstance(exponent, int) and exponent < -DECIMAL_PLACES
    if too_precise and amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise AmountInvalidError(value=value, reason=_("more than 2 decimal places"))
    if amount < 0 and not allow_negative:
        raise AmountInvalidError(value=value, reason=_("must not be negative"))
    return amount.quantize(CENT)


def format_cny(value: Decimal | None) -> str:
    """¥1,234.56; negative amounts as -¥1,234.56."""
    if value is None:
        return ""
    amount = quantize(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def allocate(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` so that the parts sum to it exactly.

    Largest-remainder method: each part is rounded down to the cent, then the leftover cents go
    to the parts with the largest remainders (ties to the earlier part).
    """
    total = quantize(total)
    if not weights:
        raise ValueError("allocate() needs at least one weight")
    if any(Decimal(w) < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(Decimal(w) for w in weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    cents = int(total / CENT)
    sign = -1 if cents < 0 else 1
    cents = abs(cents)
    raw = [Decimal(cents) * Decimal(w) / weight_sum for w in weights]
    floors = [int(r) for r in raw]
    leftover = cents - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Decimal(sign * c) * CENT for c in floors]


def money_field(verbose_name: Any = None, **kwargs: Any) -> models.DecimalField:
    """The model field for a CNY amount."""
    return models.DecimalField(
        verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs
    )


def ratio_field(verbose_name: Any = None, **kwargs: Any) -> models.DecimalField:
    """A share between 0 and 1 such as 0.1500 (15%); four places so that 2.5% and 0.15% are
    exact. The validators give forms and serializers a field-level error for values outside."""
    return models.DecimalField(
        verbose_name,
        max_digits=RATIO_MAX_DIGITS,
        decimal_places=RATIO_DECIMAL_PLACES,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        **kwargs,
    )
