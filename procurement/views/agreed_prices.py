"""The agreed prices page: proposals and agreed prices between a hospital and a manufacturer,
answered by the other side [R-LIST-PRICE-CAP]; the same services as the API twin
(procurement/api/agreed_prices.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFoundError, PermissionDeniedError
from core.exports import xlsx_response
from core.forms import add_domain_error
from core.permissions import can
from core.web import paginate, parse_id, wants_xlsx
from procurement.choices import AgreedPriceStatus, ListingStatus, product_label
from procurement.forms.agreed_prices import AgreedPriceForm
from procurement.selectors import agreed_prices as agreed_price_selectors
from procurement.selectors import listings as selectors
from procurement.services import agreed_prices
from procurement.views.common import is_manufacturer

T = "procurement/listings/"


@login_required
def agreed_price_list(request):
    user = request.user
    params = request.GET
    rows = agreed_price_selectors.agreed_price_list(actor=user, status=params.get("status", ""))
    if wants_xlsx(request):
        return xlsx_response(
            "agreed-prices.xlsx",
            [
                _("Hospital"),
                _("National code"),
                _("Product"),
                _("Manufacturer"),
                _("Agreed price"),
                _("Listed price"),
                _("Reference price"),
                _("Committed annual volume"),
                _("Valid from"),
                _("Valid until"),
                _("Status"),
            ],
            (
                [
                    x.hospital.name,
                    x.listing.consumable.code,
                    x.listing.consumable.product_name,
                    x.listing.manufacturer.name,
                    x.price,
                    x.listing.price,
                    x.reference_price,
                    x.annual_volume,
                    x.valid_from,
                    x.valid_until,
                    x.get_status_display(),
                ]
                for x in rows.iterator()
            ),
            sheet=_("Agreed prices"),
        )
    if request.method == "POST" and not can(user, "agreed_price.negotiate"):
        raise PermissionDeniedError(action="agreed_price.negotiate")
    form = _agreed_price_form(request)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        hospital = data.get("hospital")
        try:
            agreed_prices.agreed_price_propose(
                actor=user,
                listing_id=data["listing"].pk,
                hospital_id=hospital.pk if hospital else None,
                price=data["price"],
                annual_volume=data["annual_volume"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except DomainError as error:
            if error.http_status in (403, 404):
                raise
            add_domain_error(form, error)
        else:
            messages.success(request, _("Proposal sent. The other side accepts or declines it."))
            return redirect("procurement:agreed_price_list")
    page = paginate(request, rows)
    for row in page:
        row.actions = agreed_price_selectors.agreed_price_actions(actor=user, agreed_price=row)
    return render(
        request,
        T + "agreed_prices.html",
        {
            "page": page,
            "params": params,
            "form": form,
            "statuses": AgreedPriceStatus.choices,
            "can_negotiate": can(user, "agreed_price.negotiate"),
        },
    )


def _agreed_price_form(request) -> AgreedPriceForm | None:
    """Suppliers propose for their own listed products to any hospital; a hospital proposes
    for the listing it came from (``?listing=``), since it may choose from thousands."""
    user = request.user
    if not can(user, "agreed_price.negotiate") or user.organization is None:
        return None
    listed = selectors.listing_list(actor=user, status=ListingStatus.LISTED)
    if user.organization.is_hospital:
        listing_id = parse_id(request.GET.get("listing") or request.POST.get("listing"))
        if listing_id is None:
            return None
        return AgreedPriceForm(
            request.POST or None,
            listings=listed.filter(pk=listing_id),
            initial={"listing": listing_id},
        )
    if not is_manufacturer(user):
        return None
    return AgreedPriceForm(
        request.POST or None,
        listings=listed.filter(manufacturer_id=user.organization_id),
        hospitals=selectors.hospital_list_unscoped(actor=user),
        initial={"listing": parse_id(request.GET.get("listing"))},
    )


@login_required
@require_POST
def agreed_price_action(request, pk: int, action: str):
    services = {
        "accept": agreed_prices.agreed_price_accept,
        "decline": agreed_prices.agreed_price_decline,
        "end": agreed_prices.agreed_price_end,
    }
    if action not in services:
        raise NotFoundError()
    agreed = services[action](actor=request.user, agreed_price_id=pk)
    messages.success(
        request,
        _("Agreed price of %(product)s: %(status)s.")
        % {"product": product_label(agreed.listing), "status": agreed.get_status_display()},
    )
    return redirect("procurement:agreed_price_list")
