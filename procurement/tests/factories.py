"""Factories for procurement: minimal valid rows, organisations derived from their parents.

Listing factories build the row directly in its final state (``listed`` by default); tests of
the transitions themselves go through the services.
"""

import datetime as dt
from decimal import Decimal

import factory

from accounts.tests.factories import DistributorFactory, HospitalFactory, OrganizationFactory
from catalog.choices import ReferencePriceStatus
from catalog.models import ReferencePrice
from catalog.tests.factories import ConsumableFactory
from core import clock
from core.money import quantize
from procurement.choices import AgreedPriceStatus, Catalogue, ListingStatus, PurchasePlanStatus
from procurement.models import AgreedPrice, AnnualPurchasePlan, Listing, ListingDistributor


def _catalogue_for(consumable) -> str:
    """[R-LIST-CATALOGUES] capped when the product has a confirmed reference price."""
    confirmed = ReferencePrice.objects.filter(
        consumable=consumable, status=ReferencePriceStatus.CONFIRMED
    ).exists()
    return Catalogue.CAPPED if confirmed else Catalogue.ALTERNATE


class ListingFactory(factory.django.DjangoModelFactory):
    """A listed product of its manufacturer. Create a confirmed ReferencePrice for the
    consumable first (or pass ``consumable=``) to get a capped-catalogue listing."""

    class Meta:
        model = Listing

    manufacturer = factory.SubFactory(OrganizationFactory)
    consumable = factory.SubFactory(
        ConsumableFactory, manufacturer=factory.SelfAttribute("..manufacturer")
    )
    price = Decimal("100.00")
    registration_number = factory.LazyAttribute(lambda o: o.consumable.registration_number)
    status = ListingStatus.LISTED
    catalogue = factory.LazyAttribute(lambda o: _catalogue_for(o.consumable))
    submitted_at = factory.LazyAttribute(
        lambda o: None if o.status == ListingStatus.DRAFT else clock.now()
    )
    reviewed_at = factory.LazyAttribute(
        lambda o: (
            clock.now()
            if o.status in (ListingStatus.LISTED, ListingStatus.SUSPENDED, ListingStatus.REJECTED)
            else None
        )
    )


class ListingDistributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListingDistributor

    listing = factory.SubFactory(ListingFactory)
    distributor = factory.SubFactory(DistributorFactory)
    region_code = "320100"


class AgreedPriceFactory(factory.django.DjangoModelFactory):
    """An agreed price 10% below the listed price, valid for a year around today."""

    class Meta:
        model = AgreedPrice

    listing = factory.SubFactory(ListingFactory)
    hospital = factory.SubFactory(HospitalFactory)
    price = factory.LazyAttribute(lambda o: quantize(o.listing.price * Decimal("0.9")))
    annual_volume = 100
    valid_from = factory.LazyFunction(lambda: clock.local_today() - dt.timedelta(days=30))
    valid_until = factory.LazyFunction(lambda: clock.local_today() + dt.timedelta(days=335))
    status = AgreedPriceStatus.AGREED
    proposed_by = factory.SelfAttribute("hospital")
    decided_at = factory.LazyAttribute(
        lambda o: clock.now() if o.status != AgreedPriceStatus.PROPOSED else None
    )


class AnnualPurchasePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualPurchasePlan

    hospital = factory.SubFactory(HospitalFactory)
    year = factory.LazyFunction(lambda: clock.local_today().year)
    # An approved figure in force (tests of the proposal go through the services).
    total = Decimal("1000000.00")
    status = PurchasePlanStatus.APPROVED
    proposed_total = factory.LazyAttribute(lambda o: o.total)
    reason = "年度预算"
    proposed_at = factory.LazyFunction(clock.now)
    decided_at = factory.LazyFunction(clock.now)


# --- Orders, deliveries, invoices, usage (services/orders.py and siblings). Rows are built
# directly in the state asked for, counters included; tests of the flow go through services.
# Models and related factories are named by string so this section needs no imports of its own.


class OrderFactory(factory.django.DjangoModelFactory):
    """A draft order of a hospital to a manufacturer; pass ``status=`` for another state."""

    class Meta:
        model = "procurement.Order"

    number = factory.Sequence(lambda n: f"PO-TEST-{n:06d}")
    hospital = factory.SubFactory(HospitalFactory)
    supplier = factory.SubFactory(OrganizationFactory)
    status = "draft"
    created_by = factory.SubFactory(
        "accounts.tests.factories.UserFactory",
        organization=factory.SelfAttribute("..hospital"),
        roles=["hospital_purchaser"],
    )
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == "draft" else clock.now())


class OrderLineFactory(factory.django.DjangoModelFactory):
    """A line of its order, for a listing of the order's supplier, at the listed price."""

    class Meta:
        model = "procurement.OrderLine"

    order = factory.SubFactory(OrderFactory)
    listing = factory.SubFactory(
        ListingFactory, manufacturer=factory.SelfAttribute("..order.supplier")
    )
    consumable = factory.SelfAttribute("listing.consumable")
    quantity = 10
    unit_price = factory.SelfAttribute("listing.price")
    amount = factory.LazyAttribute(lambda o: quantize(o.unit_price * o.quantity))
    catalogue = factory.SelfAttribute("listing.catalogue")
    label = factory.SelfAttribute("listing.label")
    status = "pending"


class DeliveryFactory(factory.django.DjangoModelFactory):
    """A shipped delivery note of a confirmed order, carried by the manufacturer."""

    class Meta:
        model = "procurement.Delivery"

    number = factory.Sequence(lambda n: f"DN-TEST-{n:06d}")
    order = factory.SubFactory(OrderFactory, status="confirmed")
    carrier = factory.SelfAttribute("order.supplier")
    status = "shipped"
    created_by = factory.SubFactory(
        "accounts.tests.factories.UserFactory",
        organization=factory.SelfAttribute("..carrier"),
        roles=["supplier_sales"],
    )


class DeliveryLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procurement.DeliveryLine"

    delivery = factory.SubFactory(DeliveryFactory)
    order_line = factory.SubFactory(
        OrderLineFactory, order=factory.SelfAttribute("..delivery.order"), status="confirmed"
    )
    quantity = factory.SelfAttribute("order_line.quantity")
    lot = "LOT1"


class InvoiceFactory(factory.django.DjangoModelFactory):
    """A registered invoice of a confirmed order, issued by its manufacturer."""

    class Meta:
        model = "procurement.Invoice"

    number = factory.Sequence(lambda n: f"INV{n:08d}")
    issued_on = factory.LazyFunction(clock.local_today)
    amount = Decimal("100.00")
    order = factory.SubFactory(OrderFactory, status="confirmed")
    issuer = factory.SelfAttribute("order.supplier")
    hospital = factory.SelfAttribute("order.hospital")
    status = "registered"
    registered_by = factory.SubFactory(
        "accounts.tests.factories.UserFactory",
        organization=factory.SelfAttribute("..issuer"),
        roles=["supplier_sales"],
    )


class UsageRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "procurement.UsageRecord"

    hospital = factory.SubFactory(HospitalFactory)
    consumable = factory.SubFactory(ConsumableFactory)
    manufacturer = factory.SelfAttribute("consumable.manufacturer")
    operation_id = factory.Sequence(lambda n: f"OP{n:06d}")
    doctor_code = "D001"
    department = "心内科"
    patient_hash = factory.Faker("sha256")
    used_at = factory.LazyFunction(clock.now)


class TenderResultFactory(factory.django.DjangoModelFactory):
    """One opened bid of a group (what the opening writes): valid, ranked, not won unless
    told. The supplier is the product's manufacturer; pass ``group=``."""

    class Meta:
        model = "procurement.TenderResult"

    # group= is required (round_world.final_round makes one).
    round = factory.LazyAttribute(lambda o: o.group.round)
    consumable = factory.SubFactory(ConsumableFactory)
    supplier = factory.LazyAttribute(lambda o: o.consumable.manufacturer)
    price = Decimal("80.00")
    companion_price = None
    valid = True
    rank = 1
    won = False
