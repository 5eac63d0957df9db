"""Errors raised while parsing catalogue codes: national codes, registration numbers, barcodes.

Each error carries a stable ``reason`` in ``extra`` so that callers and tests branch on it, never
on the wording. The message is picked by reason and names the offending value and what is wrong
with it; the placeholders are filled from ``extra``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidStateError, PermissionDeniedError, ValidationError


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


# --- Reference prices, objections and the lowest-price sync (catalog/services/prices.py, sync.py)


class ReferencePricePublicityNotEndedError(InvalidStateError):
    code = "reference_price_publicity_not_ended"
    message_template = _(
        "Reference price %(reference_price)s is in publicity until %(ends_on)s; it can be "
        "confirmed from the next day."
    )


class ReferencePriceOpenObjectionsError(InvalidStateError):
    code = "reference_price_open_objections"
    message_template = _(
        "Reference price %(reference_price)s has %(count)s open objection(s): resolve them first."
    )


class ReferencePriceUnchangedError(ValidationError):
    code = "reference_price_unchanged"
    message_template = _("%(price)s is already the confirmed reference price of %(consumable)s.")


class ReferencePriceIncreaseNeedsBureauError(PermissionDeniedError):
    code = "reference_price_increase_needs_bureau"
    message_template = _(
        "Reference price %(reference_price)s is an increase: only the bureau can put it into "
        "publicity."
    )


class ReferencePriceReasonRequiredError(ValidationError):
    code = "reference_price_reason_required"
    message_template = _("Give the reason for withdrawing the reference price.")


class ObjectionWindowClosedError(InvalidStateError):
    code = "objection_window_closed"
    message_template = _(
        "Reference price %(reference_price)s is not in publicity (status %(status)s, publicity "
        "ends %(ends_on)s): objections are no longer accepted."
    )


class ObjectionAlreadyOpenError(InvalidStateError):
    code = "objection_already_open"
    message_template = _(
        "Your organisation already has an open objection to reference price %(reference_price)s."
    )


class ObjectionAlreadyResolvedError(InvalidStateError):
    code = "objection_already_resolved"
    message_template = _("Objection %(objection)s was already resolved (%(status)s).")


class ObjectionReasonRequiredError(ValidationError):
    code = "objection_reason_required"
    message_template = _("Give the reason for the objection.")


class ObjectionResolutionInvalidError(ValidationError):
    code = "objection_resolution_invalid"
    message_template = _(
        "Resolve an objection as upheld or dismissed (not %(outcome)s), with a written answer."
    )


class LowestPriceFeedError(_ReasonedError):
    """The nightly feed cannot be used; the run aborts and changes nothing."""

    code = "lowest_price_feed_invalid"
    message_template = _("The lowest-price feed %(value)s cannot be used.")
    reason_messages: ClassVar[dict[str, Any]] = {
        "unreachable": _("The lowest-price feed %(value)s could not be read: %(detail)s"),
        "truncated": _("The lowest-price feed %(value)s is truncated: %(detail)s"),
        "bad_header": _(
            "The lowest-price feed %(value)s has the header %(header)s; expected %(expected)s."
        ),
        "bad_trailer": _("The lowest-price feed %(value)s has a malformed trailer: %(detail)s"),
        "empty": _("The lowest-price feed %(value)s has no data rows."),
        "bad_row": _("The lowest-price feed %(value)s has a malformed row: %(detail)s"),
        "too_many_rejected": _(
            "The lowest-price feed %(value)s: %(rejected)s of %(rows)s rows were rejected, "
            "more than the %(limit)s allowed (%(summary)s)."
        ),
    }


# --- Catalogue and UDI database imports (catalog/services/imports.py) ----------------------


class ImportFileInvalidError(_ReasonedError):
    """The file as a whole cannot be imported; nothing in the catalogue changes."""

    code = "import_file_invalid"
    message_template = _("File %(value)s cannot be imported.")
    reason_messages: ClassVar[dict[str, Any]] = {
        "not_found": _("File %(value)s does not exist."),
        "unknown_format": _("File %(value)s is neither a CSV file nor an Excel workbook (.xlsx)."),
        "empty": _("File %(value)s is empty: it has no header row."),
        "no_rows": _("File %(value)s has a header row but no data rows."),
        "missing_columns": _(
            "File %(value)s lacks the required column(s) %(columns)s; its header row is %(header)s."
        ),
        "duplicate_columns": _("File %(value)s has the column %(column)s more than once."),
        "bad_encoding": _(
            "File %(value)s cannot be decoded as %(encoding)s at line %(line)s: save it as "
            "UTF-8 or GBK/GB18030."
        ),
        "unreadable": _("File %(value)s cannot be read: %(detail)s"),
        "cut_mid_row": _(
            "File %(value)s ends in the middle of row %(row)s (line %(line)s): the row has "
            "%(count)s of the %(width)s columns and no line break. The file was cut off; "
            "nothing was imported. Upload the complete file."
        ),
        "cut_in_quote": _(
            "File %(value)s ends inside a quoted value that starts in row %(row)s (line "
            "%(line)s): the file was cut off, or a quote is not closed. Nothing was imported."
        ),
        "line_too_long": _(
            "File %(value)s has a line longer than %(limit)s bytes at line %(line)s: it is not "
            "a catalogue export. Nothing was imported."
        ),
    }


class ImportRowInvalidError(_ReasonedError):
    """One row of an import file is rejected; the rejection report names row and column."""

    code = "import_row_invalid"
    message_template = _("Value %(value)s is invalid.")
    reason_messages: ClassVar[dict[str, Any]] = {
        "required": _("%(column)s is empty, but it is required."),
        "too_long": _("%(column)s has %(length)s characters; at most %(limit)s are allowed."),
        "bad_boolean": _("%(column)s is %(value)s: write 是 (yes) or 否 (no)."),
        "bad_integer": _(
            "%(column)s is %(value)s: a whole number from %(minimum)s up is required."
        ),
        "base_code_only": _(
            "National code %(value)s is a 20-character base code and %(column)s is empty: "
            "the 27-character code is required."
        ),
        "bad_spec_serial": _(
            "%(column)s is %(value)s: the specification serial has exactly 7 digits."
        ),
        "spec_serial_mismatch": _(
            "National code %(code)s ends in %(expected)s, but %(column)s is %(value)s."
        ),
        "not_full_code": _(
            "%(column)s is %(value)s, a 20-character base code: the 27-character code is required."
        ),
        "base_code_mismatch": _(
            "%(column)s is %(value)s, but national code %(code)s begins with %(expected)s."
        ),
        "code_segment_mismatch": _(
            "%(column)s gives %(value)s, but national code %(code)s has %(expected)s in that "
            "place: the number does not belong to this code."
        ),
        "duplicate_code": _(
            "National code %(value)s already appears in row %(first_row)s of this file."
        ),
        "duplicate_di": _("UDI-DI %(value)s already appears in row %(first_row)s of this file."),
        "multiple_codes": _(
            "%(column)s holds several national codes (%(value)s): one UDI-DI maps to one code."
        ),
        "agency_unknown": _("%(value)s is not a known UDI issuing agency: write GS1, MA or AHM."),
        "agency_mismatch": _(
            "UDI-DI %(di)s is a %(detected)s identifier, but the issuing agency is given as "
            "%(value)s."
        ),
        "not_a_di": _(
            "%(value)s carries production identifiers (lot, dates or serial): give the device "
            "identifier %(di)s alone."
        ),
        "extra_cells": _(
            "The row has %(count)s cells, more than the %(width)s columns of the header."
        ),
        "missing_cells": _(
            "The row has %(count)s cells, fewer than the %(width)s columns of the header: it "
            "was cut off or a separator is missing."
        ),
    }


class ImportJobNotRetryableError(InvalidStateError):
    code = "import_job_not_retryable"
    message_template = _(
        "Import %(job)s is %(status)s: only a failed import can be retried. A running import "
        "whose worker stopped shows as failed within a few minutes."
    )
