"""Choices of supervision: the five rates [R-FIVE-RATES] and the slices they are read by."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rate(models.TextChoices):
    """The five rates (五率), in the order the seeds name them (NJ 4.1)."""

    DELIVERY = "delivery", _("Delivery rate")
    PAYMENT_REQUEST = "payment_request", _("Payment-request rate")
    HOSPITAL_CONFIRMATION = "hospital_confirmation", _("Hospital confirmation rate")
    PAYMENT = "payment", _("Payment rate")
    AGENCY_SETTLEMENT = "agency_settlement", _("Agency settlement rate")


class SliceKind(models.TextChoices):
    """What the rates are grouped by: the hospital's city (region) or district (its own
    region code), the hospital, the supplier (the order's manufacturer), the product's level-1
    category."""

    REGION = "region", _("Region")
    DISTRICT = "district", _("District")
    HOSPITAL = "hospital", _("Hospital")
    SUPPLIER = "supplier", _("Supplier")
    CATEGORY = "category", _("Product category")


# The region policy's threshold field of each rate (core.policy.RegionPolicy).
THRESHOLD_FIELD: dict[str, str] = {
    Rate.DELIVERY: "delivery_rate_threshold",
    Rate.PAYMENT_REQUEST: "payment_request_rate_threshold",
    Rate.HOSPITAL_CONFIRMATION: "hospital_confirmation_rate_threshold",
    Rate.PAYMENT: "payment_rate_threshold",
    Rate.AGENCY_SETTLEMENT: "agency_settlement_rate_threshold",
}

# The slice kinds a month is frozen by: a region's figures are the sum of its districts'.
FROZEN_KINDS = (SliceKind.DISTRICT, SliceKind.HOSPITAL, SliceKind.SUPPLIER, SliceKind.CATEGORY)
