"""Pages of sealed bids (docs/sealed-bids.md): the supplier's bid page of a round (prices
sealed in the browser by static/js/sealed_bid.js), its receipts, withdrawals and refusals;
the custodian's page (collect the share once, enter it at the opening); the bureau's view
of who bid and when and of the opening; the public results (公示) without login. The same
services as procurement/api/bids.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import clock
from core.errors import DomainError
from core.permissions import can, require
from core.web import paginate, parse_id
from procurement.choices import RoundStatus
from procurement.selectors import bids as selectors
from procurement.selectors.rounds import group_products, round_groups, round_party_check
from procurement.services import bids

T = "procurement/bids/"


def _bids_url(pk: int) -> str:
    return reverse("procurement:round_bids", args=[pk])


def _is_regulator_of(user, found) -> bool:
    try:
        round_party_check(actor=user, round=found, permission="bid.view")
    except DomainError:
        return False
    return True


@login_required
def round_bids(request, pk: int):
    """The supplier's bid page of a round, or the bureau's view of who bid and when."""
    require(request.user, "bid.view")
    found = selectors.bid_round_get(actor=request.user, round_id=pk)
    org = request.user.organization
    context: dict = {"round": found, "now": clock.now()}
    if org is not None and org.is_supplier:
        live = {
            (b.group_id, b.consumable_id): b
            for b in selectors.bid_list(actor=request.user, round=found, live_only=True)
        }
        groups = []
        for group in round_groups(round=found):
            products = [
                {"product": product, "live_bid": live.get((group.pk, product.pk))}
                for product in group_products(group=group).filter(manufacturer_id=org.pk)
            ]
            if products:
                groups.append({"group": group, "products": products})
        context.update(
            groups=groups,
            bids=selectors.bid_list(actor=request.user, round=found),
            refusals=selectors.bid_refusal_list(actor=request.user, round=found)[:50],
            can_bid=found.status == RoundStatus.PUBLISHED and clock.now() < found.bid_deadline,
            supplier=True,
        )
    else:
        context.update(
            bids=selectors.bid_list(actor=request.user, round=found),
            custodians=selectors.custodian_list(round=found)
            if _is_regulator_of(request.user, found)
            else [],
            manages=can(request.user, "round.open") and _is_regulator_of(request.user, found),
            supplier=False,
        )
    return render(request, T + "bids.html", context)


@login_required
@require_POST
def bid_submit(request, pk: int):
    require(request.user, "bid.submit")
    try:
        bid = bids.bid_submit(
            actor=request.user,
            round_id=pk,
            group_id=parse_id(request.POST.get("group")) or 0,
            product_id=parse_id(request.POST.get("product")) or 0,
            envelope=str(request.POST.get("envelope") or ""),
        )
    except DomainError as error:
        if error.http_status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Bid sealed and stored. Receipt: %(receipt)s") % {"receipt": bid.commitment},
        )
    return redirect(_bids_url(pk))


@login_required
@require_POST
def bid_withdraw(request, pk: int, bid_id: int):
    require(request.user, "bid.submit")
    try:
        bids.bid_withdraw(actor=request.user, round_id=pk, bid_id=bid_id)
    except DomainError as error:
        if error.http_status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Bid withdrawn."))
    return redirect(_bids_url(pk))


@login_required
@never_cache
def round_custody(request, pk: int):
    """A custodian's page: collect the share once (shown in this one response), enter it
    from the opening time."""
    require(request.user, "share.hold")
    found = selectors.bid_round_get(actor=request.user, round_id=pk)
    mine = selectors.my_custodianship(actor=request.user, round=found)
    share_text = None
    if request.method == "POST" and mine is not None:
        action = request.POST.get("action")
        try:
            if action == "collect":
                share_text = bids.share_collect(actor=request.user, round_id=pk)[1]
            elif action == "enter":
                bids.share_enter(
                    actor=request.user, round_id=pk, share=str(request.POST.get("share") or "")
                )
                messages.success(request, _("Share entered."))
                return redirect(reverse("procurement:round_custody", args=[pk]))
        except DomainError as error:
            if error.http_status == 404:
                raise
            messages.error(request, error.message)
        found = selectors.bid_round_get(actor=request.user, round_id=pk)
        mine = selectors.my_custodianship(actor=request.user, round=found)
    entered = sum(1 for c in selectors.custodian_list(round=found) if c.entered_at)
    return render(
        request,
        T + "custody.html",
        {
            "round": found,
            "mine": mine,
            "share_text": share_text,
            "entered": entered,
            "opening_due": clock.now() >= found.opening_at,
        },
    )


@login_required
def custody_list(request):
    """The rounds the user holds a key share of."""
    require(request.user, "share.hold")
    todo = request.GET.get("todo", "")
    rows = {
        "collect": selectors.shares_to_collect,
        "enter": selectors.shares_to_enter,
    }.get(todo, selectors.custodian_rounds)(actor=request.user)
    return render(
        request,
        T + "custody_list.html",
        {"page": paginate(request, rows), "todo": todo if todo in ("collect", "enter") else ""},
    )


@login_required
@require_POST
def round_open(request, pk: int):
    require(request.user, "round.open")
    try:
        bids.round_open(actor=request.user, round_id=pk)
    except DomainError as error:
        if error.http_status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("The round is open: its results are in publicity."))
    return redirect(_bids_url(pk))
