"""The negotiation pages [R-NEGOTIATION]: the bureau lists its region's negotiations, opens
one (the candidates the data suggests beside the form), reads its rounds and offers, counters,
accepts offers, concludes or cancels; an invited supplier reads its invitations, offers or
accepts the round's target. The same services and selectors as procurement/api/negotiations.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFoundError
from core.forms import add_domain_error
from core.permissions import can, require
from core.web import paginate
from procurement.choices import NegotiationItemStatus
from procurement.forms.negotiations import (
    NegotiationCounterForm,
    NegotiationLinkedImportForm,
    NegotiationOpenForm,
    NegotiationSearchForm,
)
from procurement.selectors import negotiations as selectors
from procurement.services import negotiation_sources as sources
from procurement.services import negotiations as services
from procurement.views.common import FIELD_ERROR_STATUS

T = "procurement/negotiations/"


@login_required
def negotiation_list(request):
    user = request.user
    require(user, "negotiation.view")
    form = NegotiationSearchForm(request.GET or None)
    filters = form.filters()
    rows = selectors.negotiation_list(
        actor=user,
        status=[filters["status"]] if filters.get("status") else None,
        todo=filters.get("todo", ""),
    )
    return render(
        request,
        T + "list.html",
        {
            "form": form,
            "page": paginate(request, rows),
            "can_open": can(user, "negotiation.manage"),
        },
    )


def _item_fields(error: DomainError) -> DomainError:
    """The service names a product row ``items.<n>.<field>``; the form, ``item<n>_code``."""
    fields = error.extra.get("fields") if isinstance(error.extra, dict) else None
    if fields:
        names = {"consumable_code": "code", "listing_id": "code", "target_price": "target"}
        renamed = {}
        for name, value in fields.items():
            parts = name.split(".")
            if len(parts) == 3 and parts[0] == "items" and parts[2] in names:
                name = f"item{parts[1]}_{names[parts[2]]}"
            renamed[name] = value
        error.extra["fields"] = renamed
    return error


@login_required
def negotiation_open(request):
    user = request.user
    require(user, "negotiation.manage")
    form = NegotiationOpenForm(
        request.POST or None,
        hospitals=selectors.negotiation_hospital_choices(actor=user),
        manufacturers=selectors.negotiation_manufacturer_choices(actor=user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            negotiation = services.negotiation_open(
                actor=user,
                title=data["title"],
                kind=data["kind"],
                items=form.items(),
                manufacturer_id=data.get("manufacturer"),
                cut_ratio=form.ratio(),
                hospital_ids=data.get("hospitals") or [],
                all_hospitals=data.get("all_hospitals", False),
                outcome=data["outcome"],
                deadline=data["deadline"],
                effective_on=data["effective_on"],
                valid_until=data["valid_until"],
            )
        except DomainError as error:
            if error.http_status != FIELD_ERROR_STATUS:
                raise
            add_domain_error(form, _item_fields(error))
        else:
            messages.success(request, _("Negotiation drafted: invite the suppliers when ready."))
            return redirect("procurement:negotiation_detail", pk=negotiation.pk)
    return render(
        request,
        T + "open.html",
        {"form": form, "candidates": selectors.negotiation_candidates(actor=user)[:20]},
    )


def _detail_context(user, negotiation, counter_form=None):
    items = negotiation.shown_items
    open_items = [i for i in items if i.status != NegotiationItemStatus.AGREED]
    counter_form = counter_form or NegotiationCounterForm(items=open_items)
    return {
        "counter_rows": [(i, counter_form[f"target_{i.pk}"]) for i in open_items],
        "negotiation": negotiation,
        "actions": selectors.negotiation_actions(actor=user, negotiation=negotiation),
        "rows": [
            (item, selectors.negotiation_actions(actor=user, negotiation=negotiation, item=item))
            for item in items
        ],
        "counter_form": counter_form,
    }


@login_required
def negotiation_detail(request, pk: int):
    user = request.user
    negotiation = selectors.negotiation_get(actor=user, negotiation_id=pk)
    return render(request, T + "detail.html", _detail_context(user, negotiation))


@login_required
@require_POST
def negotiation_act(request, pk: int, action: str):
    """The bureau's actions on the negotiation (a refusal is a message: core.middleware);
    a counter whose fields are refused shows the page again with the errors in place."""
    user = request.user
    if action == "counter":
        require(user, "negotiation.manage")
        negotiation = selectors.negotiation_get(actor=user, negotiation_id=pk)
        open_items = [
            i
            for i in negotiation.shown_items  # type: ignore[attr-defined]
            if i.status != NegotiationItemStatus.AGREED
        ]
        form = NegotiationCounterForm(request.POST, items=open_items)
        if form.is_valid():
            try:
                services.negotiation_counter(
                    actor=user,
                    negotiation_id=pk,
                    deadline=form.cleaned_data["deadline"],
                    note=form.cleaned_data["note"],
                    targets=form.targets(),
                )
            except DomainError as error:
                if error.http_status != FIELD_ERROR_STATUS:
                    raise
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("New round opened; the suppliers are invited to offer.")
                )
                return redirect("procurement:negotiation_detail", pk=pk)
        return render(
            request,
            T + "detail.html",
            _detail_context(user, negotiation, counter_form=form),
            status=FIELD_ERROR_STATUS,
        )
    done = {
        "invite": lambda: services.negotiation_invite(actor=user, negotiation_id=pk),
        "conclude": lambda: services.negotiation_conclude(actor=user, negotiation_id=pk),
        "cancel": lambda: services.negotiation_cancel(
            actor=user, negotiation_id=pk, reason=request.POST.get("reason", "")
        ),
    }
    if action not in done:
        raise NotFoundError()
    negotiation = done[action]()
    messages.success(
        request,
        _("Negotiation %(number)s: %(status)s.")
        % {"number": negotiation.pk, "status": negotiation.get_status_display()},
    )
    return redirect("procurement:negotiation_detail", pk=pk)


@login_required
@require_POST
def negotiation_item_act(request, pk: int, item: int, action: str):
    """A product's actions: the supplier offers or accepts the target; the bureau accepts the
    offer."""
    user = request.user
    done = {
        "offer": lambda: services.negotiation_offer(
            actor=user, negotiation_id=pk, item_id=item, price=request.POST.get("price", "")
        ),
        "accept-target": lambda: services.negotiation_accept_counter(
            actor=user, negotiation_id=pk, item_id=item
        ),
        "accept-offer": lambda: services.negotiation_accept_offer(
            actor=user, negotiation_id=pk, item_id=item
        ),
    }
    if action not in done:
        raise NotFoundError()
    found = done[action]()
    messages.success(
        request,
        _("%(product)s: %(status)s.")
        % {"product": found.listing.consumable.product_name, "status": found.get_status_display()},
    )
    return redirect("procurement:negotiation_detail", pk=pk)


@login_required
def negotiation_linked_import(request):
    """NJ 2.3 linked price cuts: the bureau uploads other regions' winning prices; the
    manufacturers of matching listed products are invited to match them."""
    user = request.user
    require(user, "negotiation.manage")
    form = NegotiationLinkedImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            negotiation = sources.negotiation_linked_import(
                actor=user,
                raw=data["file"],
                title=data["title"],
                deadline=data["deadline"],
                effective_on=data["effective_on"],
                valid_until=data["valid_until"],
            )
        except DomainError as error:
            if error.http_status not in (FIELD_ERROR_STATUS, 409):
                raise
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Linked price cut opened: %(count)s products, their manufacturers invited.")
                % {"count": negotiation.items.count()},
            )
            return redirect("procurement:negotiation_detail", pk=negotiation.pk)
    return render(request, T + "linked_import.html", {"form": form})
