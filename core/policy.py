"""Region policy: every figure that differs between regions, with the rule it belongs to.

Each field's ``rule`` (kept in ``RULES``) is the id of the rule in shared/design/domain.md that
the figure parameterises, so ``grep R-EMERG-CAP`` finds the figure, the service that enforces it
and the test that proves it. Defaults are the seed documents' figures.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.money import ratio_field

# field name -> rule id (domain.md)
RULES: dict[str, str] = {
    "alternate_catalogue_cap_ratio": "R-LIST-ALT-CAP",
    "other_listing_min_provinces": "R-LIST-OTHER",
    "other_listing_min_emergency_hospitals": "R-LIST-OTHER",
    "other_listing_min_emergency_tier3": "R-LIST-OTHER",
    "reference_price_publicity_working_days": "R-LIST-CATALOGUES",
    "listing_price_cut_grace_days": "R-LIST-PRICE-CAP",
    "emergency_cap_ratio_tier3": "R-EMERG-CAP",
    "emergency_cap_ratio_other": "R-EMERG-CAP",
    "emergency_registration_working_days": "R-EMERG-DEADLINE",
    "payment_deadline_days": "R-PAY-30",
    "advance_ratio": "R-ADVANCE",
    "direct_settlement_target_ratio": "R-DIRECT",
    "direct_settlement": "R-DIRECT",
    "delivery_deadline_hours": "R-FIVE-RATES",
    "urgent_delivery_deadline_hours": "R-FIVE-RATES",
    "payment_request_deadline_days": "R-FIVE-RATES",
    "hospital_confirmation_deadline_days": "R-FIVE-RATES",
    "agency_settlement_deadline_days": "R-FIVE-RATES",
    "delivery_rate_threshold": "R-FIVE-RATES",
    "payment_request_rate_threshold": "R-FIVE-RATES",
    "hospital_confirmation_rate_threshold": "R-FIVE-RATES",
    "payment_rate_threshold": "R-FIVE-RATES",
    "agency_settlement_rate_threshold": "R-FIVE-RATES",
    "annual_price_cut_target": "R-CUTS-1000",
    "retained_savings_share": "R-RETAINED",
    "negotiation_candidate_min_spread": "R-NEGOTIATION",
    "negotiation_candidate_min_competitors": "R-NEGOTIATION",
    "negotiation_candidate_min_spend_yuan": "R-NEGOTIATION",
    "disclose_hospital_agreed_prices": "R-DISCLOSE",
    "hospital_catalogue_required": "R-HOSP-CATALOGUE",
}


@history.track()
class RegionPolicy(models.Model):
    region_code = models.CharField(
        _("region code"),
        max_length=6,
        unique=True,
        help_text=_("The bureau's region (GB/T 2260); it applies to every organisation below it."),
    )
    # [R-LIST-ALT-CAP] SZ: alternate-catalogue purchases <= 15% of the annual purchase total.
    alternate_catalogue_cap_ratio = ratio_field(
        _("alternate catalogue cap (share of annual purchases)"), default=Decimal("0.1500")
    )
    # [R-LIST-OTHER] NJ 3.1.3
    other_listing_min_provinces = models.PositiveSmallIntegerField(
        _("listing: minimum provinces already listing"), default=5
    )
    other_listing_min_emergency_hospitals = models.PositiveSmallIntegerField(
        _("listing: minimum tier-2+ hospitals with emergency purchases"), default=5
    )
    other_listing_min_emergency_tier3 = models.PositiveSmallIntegerField(
        _("listing: of which tier-3 hospitals"), default=3
    )
    # [R-LIST-CATALOGUES] publicity before a reference price takes effect (working days).
    reference_price_publicity_working_days = models.PositiveSmallIntegerField(
        _("reference price publicity (working days)"), default=5
    )
    # [R-LIST-PRICE-CAP] days a supplier has to cut a price above a lowered reference price.
    listing_price_cut_grace_days = models.PositiveSmallIntegerField(
        _("days to cut a price above the reference price"), default=15
    )
    # [R-EMERG-CAP] NJ 3.3: tier-3 at most 3%, others 2% of last year's purchases (SZ: 5%).
    emergency_cap_ratio_tier3 = ratio_field(
        _("emergency purchase cap, tier-3 hospitals"), default=Decimal("0.0300")
    )
    emergency_cap_ratio_other = ratio_field(
        _("emergency purchase cap, other hospitals"), default=Decimal("0.0200")
    )
    # [R-EMERG-DEADLINE] NJ: 5 working days (SZ: 10).
    emergency_registration_working_days = models.PositiveSmallIntegerField(
        _("emergency purchase registration deadline (working days)"), default=5
    )
    # [R-PAY-30] SZ 6.2, CX 5.4
    payment_deadline_days = models.PositiveSmallIntegerField(
        _("payment deadline after acceptance (days)"), default=30
    )
    # [R-ADVANCE] CX 5.4 / national: at least 30% of the annual agreed amount (SZ: 50%).
    advance_ratio = ratio_field(_("VBP advance payment ratio"), default=Decimal("0.3000"))
    # [R-DIRECT] NJ 1.1
    direct_settlement_target_ratio = ratio_field(
        _("direct settlement target share"),
        default=Decimal("0.5000"),
        help_text=_(
            "[R-DIRECT] the region's goal for the share, by amount, of supplier payments the "
            "fund makes directly (the fund view's direct-settlement ratio)."
        ),
    )
    # [R-DIRECT] the fund pays suppliers directly (the agency pays an approved request from the
    # fund, deducted from the hospital's next fund settlement) instead of the hospital paying
    # into the escrow account. Off by default: the seed documents' default route is escrow.
    direct_settlement = models.BooleanField(_("direct settlement by the fund"), default=False)
    # [R-FIVE-RATES] platform definitions (domain.md, "The five rates"): the deadlines each
    # rate counts against, and the threshold below which a party is marked (and notified).
    delivery_deadline_hours = models.PositiveSmallIntegerField(
        _("delivery deadline (hours)"),
        default=48,
        help_text=_("[R-FIVE-RATES] delivery rate: hours after the order is sent to the supplier."),
    )
    urgent_delivery_deadline_hours = models.PositiveSmallIntegerField(
        _("urgent delivery deadline (hours)"),
        default=24,
        help_text=_("[R-FIVE-RATES] delivery rate: hours for an urgent order."),
    )
    payment_request_deadline_days = models.PositiveSmallIntegerField(
        _("payment request deadline after acceptance (days)"),
        default=5,
        help_text=_("[R-FIVE-RATES] payment-request rate: days after the hospital accepted."),
    )
    hospital_confirmation_deadline_days = models.PositiveSmallIntegerField(
        _("hospital confirmation deadline (days)"),
        default=5,
        help_text=_("[R-FIVE-RATES] hospital confirmation rate: days after the request."),
    )
    agency_settlement_deadline_days = models.PositiveSmallIntegerField(
        _("agency settlement deadline (days)"),
        default=5,
        help_text=_("[R-FIVE-RATES] agency settlement rate: days after receipt into escrow."),
    )
    # The seeds give no thresholds: 90% is the platform's default for each rate.
    delivery_rate_threshold = ratio_field(
        _("delivery rate threshold"),
        default=Decimal("0.9000"),
        help_text=_("[R-FIVE-RATES] a delivery rate below this share is marked."),
    )
    payment_request_rate_threshold = ratio_field(
        _("payment-request rate threshold"),
        default=Decimal("0.9000"),
        help_text=_("[R-FIVE-RATES] a payment-request rate below this share is marked."),
    )
    hospital_confirmation_rate_threshold = ratio_field(
        _("hospital confirmation rate threshold"),
        default=Decimal("0.9000"),
        help_text=_("[R-FIVE-RATES] a hospital confirmation rate below this share is marked."),
    )
    payment_rate_threshold = ratio_field(
        _("payment rate threshold"),
        default=Decimal("0.9000"),
        help_text=_("[R-FIVE-RATES] [R-PAY-30] a payment rate below this share is marked."),
    )
    agency_settlement_rate_threshold = ratio_field(
        _("agency settlement rate threshold"),
        default=Decimal("0.9000"),
        help_text=_("[R-FIVE-RATES] an agency settlement rate below this share is marked."),
    )
    # [R-CUTS-1000] NJ 1.2
    annual_price_cut_target = models.PositiveIntegerField(
        _("products cut in price per year (target)"), default=1000
    )
    # [R-RETAINED] SZ 5.4.3, CX 5.5: the share of a hospital's VBP budget savings it keeps. The
    # seeds give no figure; 50% is the platform's default (the national VBP drugs practice).
    retained_savings_share = ratio_field(
        _("retained savings share"),
        default=Decimal("0.5000"),
        help_text=_(
            "[R-RETAINED] the share of a hospital's savings on its VBP budget (agreed volume at "
            "pre-tender prices minus actual spend) that it retains."
        ),
    )
    # [R-NEGOTIATION] SZ 5.2.2: candidates for negotiation by price spread, competition and
    # spend. The seeds give no figures; these are the platform's defaults.
    negotiation_candidate_min_spread = ratio_field(
        _("negotiation candidates: minimum price spread across hospitals (1 - lowest/highest)"),
        default=Decimal("0.2000"),
    )
    negotiation_candidate_min_competitors = models.PositiveSmallIntegerField(
        _("negotiation candidates: minimum listed manufacturers in the category"), default=3
    )
    negotiation_candidate_min_spend_yuan = models.PositiveIntegerField(
        _("negotiation candidates: minimum spend in 12 months (yuan)"), default=100000
    )
    # [R-DISCLOSE] SZ 5.2: results are public; a hospital's own agreed prices are not, unless
    # the region publishes them (then on the public listings, never with volumes or orders).
    disclose_hospital_agreed_prices = models.BooleanField(
        _("publish hospitals' agreed prices on the public pages"), default=False
    )
    # [R-HOSP-CATALOGUE] YY 2.2, NM 2.2, CX 3.1: hospitals order only what their own catalogue
    # (院内目录) admitted and has not stopped. On in every seed document.
    hospital_catalogue_required = models.BooleanField(
        _("hospitals order only from their own catalogue"), default=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("region policy")
        verbose_name_plural = _("region policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(alternate_catalogue_cap_ratio__gte=0)
                & models.Q(alternate_catalogue_cap_ratio__lte=1)
                & models.Q(emergency_cap_ratio_tier3__gte=0)
                & models.Q(emergency_cap_ratio_tier3__lte=1)
                & models.Q(emergency_cap_ratio_other__gte=0)
                & models.Q(emergency_cap_ratio_other__lte=1)
                & models.Q(advance_ratio__gte=0)
                & models.Q(advance_ratio__lte=1),
                name="region_policy_ratios_within_0_1",
            )
        ]

    def __str__(self) -> str:
        return self.region_code

    @classmethod
    def figures(cls) -> list[models.Field]:
        return [f for f in cls._meta.concrete_fields if f.name in RULES]


# The figures that are shares (0.1500): people read and type them as percentages (15).
RATIO_FIELDS = frozenset(
    f.name for f in RegionPolicy.figures() if isinstance(f, models.DecimalField)
)


def policy_for(region_code: str) -> RegionPolicy:
    """The policy of the nearest enclosing region (district -> city -> province), or the seed
    defaults, unsaved, when no bureau has set one."""
    candidates = {region_code, region_code[:4] + "00", region_code[:2] + "0000"}
    found = {p.region_code: p for p in RegionPolicy.objects.filter(region_code__in=candidates)}
    for code in (region_code, region_code[:4] + "00", region_code[:2] + "0000"):
        if code in found:
            return found[code]
    return RegionPolicy(region_code=region_code)


def system_region_policy() -> RegionPolicy:
    """The policy the system (the nightly sync) counts publicity days with.

    Reference prices are platform-wide, so the figure is the platform operator's:
    ``settings.REFERENCE_PRICE_REGION_CODE`` when set; otherwise the first region policy a bureau
    saved (the one bureau running the platform); otherwise the seed defaults.
    """
    code = getattr(settings, "REFERENCE_PRICE_REGION_CODE", "")
    if code:
        return policy_for(code)
    first = RegionPolicy.objects.order_by("pk").first()
    return first if first is not None else RegionPolicy(region_code="")
