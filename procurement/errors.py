"""Domain errors of procurement, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidStateError, ValidationError


class ProcurementInvalidStateError(InvalidStateError):
    """An action in the wrong state; extra names the object, its state and the action."""

    code = "invalid_state"
    message_template = _("%(object)s is %(state)s: %(action)s is not allowed now.")


class ListingNotOrderableError(DomainError):
    code = "listing_not_orderable"
    message_template = _("%(product)s cannot be ordered: %(reason)s")


class ListingForbiddenError(DomainError):
    """[R-LABELS] a 严禁 (forbidden) product cannot be ordered."""

    code = "listing_forbidden"
    message_template = _("%(product)s carries the purchase label Forbidden and cannot be ordered.")


class RestrictedReasonRequiredError(ValidationError):
    """[R-LABELS] a 限制 (restricted) product needs a written reason on each order line."""

    code = "restricted_reason_required"
    message_template = _("%(product)s is Restricted: give a reason for ordering it.")


class AlternateCapExceededError(DomainError):
    """[R-LIST-ALT-CAP] alternate-catalogue purchases over the cap."""

    code = "alternate_cap_exceeded"
    message_template = _(
        "Alternate-catalogue purchases would reach %(would_be)s, over the cap of %(cap)s "
        "(%(ratio)s of the annual purchase total %(total)s); %(remaining)s remains."
    )


class PurchasePlanMissingError(DomainError):
    code = "purchase_plan_missing"
    message_template = _(
        "No annual purchase total is set for %(year)s, so the alternate-catalogue cap cannot "
        "be checked. Hospital finance sets it on the purchase plan page."
    )


class PriceAboveCapError(ValidationError):
    """[R-LIST-PRICE-CAP] a price above the reference price (or the listed price)."""

    code = "price_above_cap"
    message_template = _("The price %(price)s is above the cap %(cap)s (%(cap_kind)s).")
