"""Errors raised while parsing catalogue codes: national codes, registration numbers, barcodes.

Each error carries a stable ``reason`` in ``extra`` so that callers and tests branch on it, never
on the wording. The message is picked by reason and names the offending value and what is wrong
with it; the placeholders are filled from ``extra``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from core.errors import ValidationError


class _ReasonedError(ValidationError):
    """A validation error whose message is chosen by a stable reason code."""

    reason_messages: ClassVar[dict[str, Any]] = {}

    def __init__(self, reason: str, value: str, **extra: Any) -> None:
        if reason not in self.reason_messages:
            # A typo here would silently give users the generic message: fail loudly instead.
            raise ValueError(f"unknown reason {reason!r} for {type(self).__name__}")
        super().__init__(self.reason_messages[reason], reason=reason, value=value, **extra)

    @property
    def reason(self) -> str:
        return self.extra["reason"]


class NhsaCodeInvalidError(_ReasonedError):
    code = "nhsa_code_invalid"
    message_template = _("%(value)s is not a valid national medical consumables code.")
    reason_messages: ClassVar[dict[str, Any]] = {
        "empty": _(
            "The national medical consumables code is empty: enter the 20- or 27-character "
            "code that starts with C."
        ),
        "bad_length": _(
            "National medical consumables code %(value)s has %(length)s characters: it must "
            "have 20 (base code) or 27 (with the specification serial)."
        ),
        "bad_prefix": _(
            "National medical consumables code %(value)s must start with the letter C, "
            "not %(char)s."
        ),
        "bad_character": _(
            "National medical consumables code %(value)s has %(char)s at position "
            "%(position)s: only digits may follow the leading C."
        ),
        "bad_level1": _(
            "National medical consumables code %(value)s has first-level category "
            "%(level1)s: it must be one of the categories 01 to 17."
        ),
    }


class RegistrationNumberInvalidError(_ReasonedError):
    code = "registration_number_invalid"
    message_template = _("%(value)s is not a valid device registration or filing number.")
    reason_messages: ClassVar[dict[str, Any]] = {
        "empty": _("The device registration certificate or filing number is empty."),
        "bad_prefix": _(
            "Registration number %(value)s does not start with a known issuer and form, "
            "such as 国械注准, 国械注进, 国械注许, 苏械注准, 国械备 or 苏宁械备."
        ),
        "bad_characters": _(
            "Registration number %(value)s has characters other than digits after %(prefix)s."
        ),
        "bad_length": _(
            "Registration number %(value)s has %(length)s digits after %(prefix)s: "
            "%(expected)s are required."
        ),
        "bad_year": _(
            "Registration number %(value)s gives the year %(year)s, which is outside "
            "%(min_year)s to %(max_year)s."
        ),
        "bad_class": _(
            "Registration number %(value)s gives management class %(device_class)s, but a "
            "%(prefix)s number can only be class %(allowed)s."
        ),
    }


class BarcodeInvalidError(_ReasonedError):
    code = "barcode_invalid"
    message_template = _("Barcode %(value)s could not be read.")
    reason_messages: ClassVar[dict[str, Any]] = {
        "empty": _("The scanned barcode is empty."),
        "unknown_structure": _(
            "Barcode %(value)s is neither a GS1, an MA (IDcode) nor an AHM code."
        ),
        "bad_gs1_syntax": _(
            "Barcode %(value)s looks like GS1 data but its application identifiers or their "
            "values do not follow the GS1 General Specifications."
        ),
        "bad_check_digit": _(
            "Barcode %(value)s: GTIN %(gtin)s ends in check digit %(actual)s, but the "
            "correct check digit is %(expected)s."
        ),
        "missing_di": _(
            "Barcode %(value)s has no product identifier (a GTIN in application identifier "
            "01), so the product cannot be identified."
        ),
        "bad_date": _("Barcode %(value)s: %(field)s value %(date)s is not a real date."),
        "expiry_before_production": _(
            "Barcode %(value)s: the expiry date %(expiry_date)s is before the production "
            "date %(production_date)s."
        ),
        "bad_di": _(
            "Barcode %(value)s: the %(agency)s product identifier %(di)s is malformed; "
            "expected %(expected)s."
        ),
        "bad_segment": _(
            "Barcode %(value)s: %(segment)s is not a known %(agency)s production identifier "
            "or its value is malformed."
        ),
        "duplicate_segment": _("Barcode %(value)s gives the %(agency)s field %(field)s twice."),
    }
