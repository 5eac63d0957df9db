"""Listing pages: the supplier's listings and applications, price changes and distributor
authorisations, the bureau's review queue and labels.

Every page action calls the same service as its API twin (procurement/api/listings.py). A
refusal from a service on a plain action becomes a message on the page it came from
(core.middleware.DomainErrorMiddleware); on a form, it is shown next to its field and the form
keeps what was typed. Every list exports to XLSX with ``?export=xlsx`` (core.exports).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog import selectors as catalog_selectors
from core import clock
from core.errors import DomainError, NotFoundError, PermissionDeniedError
from core.exports import export_response, xlsx_response
from core.forms import ReasonForm, add_domain_error
from core.permissions import can
from core.tenancy import OVERSEER_ROLES
from core.web import attachment_response, local_time, paginate, redirect_back, wants_xlsx
from procurement import exports
from procurement.choices import (
    Catalogue,
    ListingAction,
    ListingStatus,
    PriceChangeStatus,
    PurchaseLabel,
    product_label,
)
from procurement.forms.listings import (
    DistributorAddForm,
    EvidenceFileForm,
    LabelForm,
    ListingForm,
    NoteForm,
    PriceChangeForm,
)
from procurement.models import Listing
from procurement.models.evidence import EVIDENCE_FILE_MAX_BYTES
from procurement.selectors import labels as label_selectors
from procurement.selectors import listing_evidence as evidence_selectors
from procurement.selectors import listings as selectors
from procurement.services import labels, listings
from procurement.services import listing_evidence as evidence_services
from procurement.views.common import is_manufacturer

T = "procurement/listings/"


def _require_applicant(user, listing=None) -> None:
    """The application pages are a manufacturer's (the services check again on save)."""
    own = listing is None or listing.manufacturer_id == user.organization_id
    if not (can(user, "listing.apply") and is_manufacturer(user) and own):
        raise PermissionDeniedError(action="listing.apply")


# ---------------------------------------------------------------------------------------------
# Listings


@login_required
def listing_list(request):
    """A manufacturer's "My listings"; everyone else the listings they may see."""
    params = request.GET
    if wants_xlsx(request):
        return export_response(request.user, exports.LISTINGS, params)
    own = is_manufacturer(request.user)
    rows = selectors.listing_list(
        actor=request.user,
        status=params.get("status", ""),
        catalogue=params.get("catalogue", ""),
        label=params.get("label", ""),
        q=params.get("q", ""),
        code=params.get("code", ""),
        price_cut_due=True if params.get("price_cut_due") in ("1", "overdue") else None,
        price_cut_overdue=params.get("price_cut_due") == "overdue",
        own=own,
    )
    page = paginate(request, rows)
    if own:  # a manufacturer's own listings offer their actions (edit...)
        page.object_list = list(page.object_list)
        selectors.listing_page_actions(actor=request.user, listings=page.object_list)
    return render(
        request,
        T + "list.html",
        {
            "page": page,
            "params": params,
            "own": own,
            "can_apply": own and can(request.user, "listing.apply"),
            "statuses": ListingStatus.choices,
            "catalogues": Catalogue.choices,
            "labels": PurchaseLabel.choices,
            "today": clock.local_today(),
        },
    )


@login_required
def listing_create(request):
    _require_applicant(request.user)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            consumable = catalog_selectors.consumable_get(
                actor=request.user, code=data.pop("consumable_code")
            )
        except NotFoundError:
            form.add_error("consumable_code", _("No product in the catalogue has this code."))
        else:
            try:
                listing = listings.listing_create(
                    actor=request.user, consumable_id=consumable.pk, **data
                )
            except DomainError as error:
                if error.http_status == 403:
                    raise
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("Application saved as a draft. Check it, then submit it.")
                )
                return redirect("procurement:listing_detail", listing.pk)
    return render(request, T + "form.html", {"form": form, "listing": None})


@login_required
def listing_edit(request, pk: int):
    listing = selectors.listing_get(actor=request.user, listing_id=pk)
    _require_applicant(request.user, listing)
    initial = {name: getattr(listing, name) for name in listings.EDITABLE_FIELDS[:-1]}
    initial.update(ListingForm.provinces_initial(listing))
    form = ListingForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
        }
        if form.provinces_changed:
            changes["provinces"] = form.cleaned_data["provinces"]
        try:
            listings.listing_update(actor=request.user, listing_id=pk, **changes)
        except DomainError as error:
            if error.http_status in (403, 404, 409):
                raise
            add_domain_error(form, error)
        else:
            messages.success(request, _("Application saved."))
            return redirect("procurement:listing_detail", pk)
    return render(request, T + "form.html", {"form": form, "listing": listing})


@login_required
def listing_detail(request, pk: int):
    """The listing page: what it offers is ``listing_actions`` (the services' own checks)."""
    listing = selectors.listing_detail(actor=request.user, listing_id=pk)
    user = request.user
    is_owner = is_manufacturer(user) and listing.manufacturer_id == user.organization_id
    actions = selectors.listing_actions(actor=user, listing=listing)
    price_changes = list(selectors.listing_price_change_list(actor=user, listing_id=pk))
    for change in price_changes:
        change.actions = selectors.price_change_actions(actor=user, change=change)
    context = {
        "listing": listing,
        "actions": actions,
        # Who the viewer is, for the page's layout: the applicant's panel or the bureau's.
        "is_owner": is_owner and can(user, "listing.apply"),
        "can_review": can(user, "listing.review"),
        "price_changes": price_changes,
        "reason_form": ReasonForm(),
        "note_form": NoteForm(),
        "price_change_form": PriceChangeForm(),
        "label_form": LabelForm(
            initial={"label": listing.suggested_label.label, "reason": listing.label_reason}
        ),
        "today": clock.local_today(),
    }
    if actions[ListingAction.SET_DISTRIBUTORS]:
        context["distributor_form"] = DistributorAddForm(
            distributors=selectors.distributor_list_unscoped(actor=user)
        )
    # [R-LIST-OTHER] the evidence files: the supplier's and the regulators' to see only.
    if is_owner or set(user.roles) & OVERSEER_ROLES:
        context["evidence_files"] = list(
            evidence_selectors.listing_evidence_list(actor=user, listing_id=pk)
        )
        if context["is_owner"] and actions[ListingAction.EDIT] and listing.province_rows:
            context["evidence_form"] = EvidenceFileForm(
                provinces={
                    p.province_code: p.get_province_code_display() for p in listing.province_rows
                }
            )
    return render(request, T + "detail.html", context)


@login_required
@require_POST
def listing_evidence_upload(request, pk: int):
    """[R-LIST-OTHER] attach an evidence file; a refused one is named with its reason."""
    upload = request.FILES.get("file")
    try:
        # No file is an empty one: the service checks who may attach before what.
        evidence_services.listing_evidence_attach(
            actor=request.user,
            listing_id=pk,
            province_code=request.POST.get("province", ""),
            name=(upload.name if upload else "") or "",
            content=upload.read(EVIDENCE_FILE_MAX_BYTES + 1) if upload else b"",
        )
    except DomainError as error:
        if error.http_status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Evidence file attached."))
    return redirect("procurement:listing_detail", pk)


@login_required
@require_GET
def listing_evidence_download(request, pk: int, evidence_id: int):
    evidence = evidence_selectors.listing_evidence_get(
        actor=request.user, listing_id=pk, evidence_id=evidence_id
    )
    return attachment_response(
        bytes(evidence.content), content_type=evidence.content_type, name=evidence.name
    )


# action -> (service, whether the page sends a reason)
# action -> (the service, whether it takes a reason)
LISTING_ACTIONS: dict[str, tuple[Callable[..., Listing], bool]] = {
    "submit": (listings.listing_submit, False),
    "approve": (listings.listing_approve, True),
    "reject": (listings.listing_reject, True),
    "suspend": (listings.listing_suspend, True),
    "reinstate": (listings.listing_reinstate, True),
    "delist": (listings.listing_delist, True),
}


@login_required
@require_POST
def listing_action(request, pk: int, action: str):
    if action not in LISTING_ACTIONS:
        raise NotFoundError()
    service, with_reason = LISTING_ACTIONS[action]
    kwargs = {"reason": request.POST.get("reason", "")} if with_reason else {}
    if action == "approve":
        # [R-LIST-OTHER] the officer ticks that the provinces' evidence was checked.
        kwargs["provinces_checked"] = request.POST.get("provinces_checked") == "on"
    listing = service(actor=request.user, listing_id=pk, **kwargs)
    messages.success(
        request,
        _("Listing %(product)s is now %(status)s.")
        % {"product": product_label(listing), "status": listing.get_status_display()},
    )
    return redirect_back(request, reverse("procurement:listing_detail", args=[pk]))


@login_required
@require_POST
def listing_label(request, pk: int):
    """[R-LABELS] set the label; from the labels page (htmx) the row is swapped in place."""
    form = LabelForm(request.POST)
    error = None
    if form.is_valid():
        try:
            labels.listing_label_set(actor=request.user, listing_id=pk, **form.cleaned_data)
        except DomainError as exc:
            if not request.htmx or exc.http_status in (403, 404):
                raise
            error = exc.message
    else:
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
        if not request.htmx:
            messages.error(request, error)
            return redirect_back(request, reverse("procurement:listing_detail", args=[pk]))
    if request.htmx:
        listing = selectors.listing_get(actor=request.user, listing_id=pk)
        listing.suggestion = label_selectors.listing_label_suggestion(listing=listing)
        return render(
            request,
            T + "partials/label_row.html",
            {
                "x": listing,
                "error": error,
                "saved": error is None,
                "label_choices": PurchaseLabel.choices,
            },
        )
    messages.success(request, _("Purchase label saved."))
    return redirect_back(request, reverse("procurement:listing_detail", args=[pk]))


@login_required
@require_POST
def listing_price_change_request(request, pk: int):
    form = PriceChangeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    else:
        listings.listing_price_change_request(
            actor=request.user, listing_id=pk, **form.cleaned_data
        )
        messages.success(request, _("Price change sent to the bureau for review."))
    return redirect("procurement:listing_detail", pk)


@login_required
@require_POST
def price_change_decide(request, pk: int, action: str):
    services = {
        "approve": listings.listing_price_change_approve,
        "reject": listings.listing_price_change_reject,
    }
    if action not in services:
        raise NotFoundError()
    change = services[action](
        actor=request.user, price_change_id=pk, reason=request.POST.get("reason", "")
    )
    messages.success(
        request,
        _("Price change of %(product)s: %(status)s.")
        % {"product": product_label(change.listing), "status": change.get_status_display()},
    )
    return redirect_back(request, reverse("procurement:listing_detail", args=[change.listing_id]))


def _grants(listing_id: int, user):
    return [
        listings.DistributorGrant(row.distributor_id, row.region_code)
        for row in selectors.listing_distributor_list(actor=user, listing_id=listing_id)
    ]


@login_required
@require_POST
def listing_distributor_add(request, pk: int):
    form = DistributorAddForm(
        request.POST, distributors=selectors.distributor_list_unscoped(actor=request.user)
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("procurement:listing_detail", pk)
    grants = _grants(pk, request.user)
    grants.append(
        listings.DistributorGrant(
            form.cleaned_data["distributor"].pk, form.cleaned_data["region_code"]
        )
    )
    listings.listing_distributor_set(actor=request.user, listing_id=pk, grants=grants)
    messages.success(request, _("Distributor authorised."))
    return redirect("procurement:listing_detail", pk)


@login_required
@require_POST
def listing_distributor_remove(request, pk: int, row_id: int):
    rows = selectors.listing_distributor_list(actor=request.user, listing_id=pk)
    grants = [
        listings.DistributorGrant(row.distributor_id, row.region_code)
        for row in rows
        if row.pk != row_id
    ]
    listings.listing_distributor_set(actor=request.user, listing_id=pk, grants=grants)
    messages.success(request, _("Authorisation removed."))
    return redirect("procurement:listing_detail", pk)


# ---------------------------------------------------------------------------------------------
# The bureau's review queue and labels


@login_required
def listing_review_queue(request):
    """Applications and price changes waiting for the bureau, with the listing criteria."""
    queue = list(selectors.listing_review_queue(actor=request.user))
    policy = selectors.reviewer_policy(request.user)
    for listing in queue:
        listing.criteria = selectors.listing_criteria(listing=listing, policy=policy)
    changes = selectors.listing_price_change_list(
        actor=request.user, status=PriceChangeStatus.PENDING
    )
    if wants_xlsx(request):
        return xlsx_response(
            "listing-review.xlsx",
            [
                _("Submitted at"),
                _("National code"),
                _("Product"),
                _("Manufacturer"),
                _("Price"),
                _("Reference price"),
                _("Catalogue"),
                _("Green channel"),
                _("Provinces already listing it"),
                _("Criteria met"),
            ],
            (
                [
                    local_time(x.submitted_at),
                    x.consumable.code,
                    x.consumable.product_name,
                    x.manufacturer.name,
                    x.price,
                    x.criteria.reference_price,
                    x.get_catalogue_display(),
                    x.get_green_channel_display(),
                    x.provinces_listed,
                    x.criteria.approvable,
                ]
                for x in queue
            ),
            sheet=_("Listing review queue"),
        )
    return render(
        request,
        T + "review_queue.html",
        {"queue": queue, "changes": changes, "reason_form": ReasonForm()},
    )


@login_required
def listing_label_list(request):
    params = request.GET
    rows = selectors.listing_label_list(
        actor=request.user,
        label=params.get("label", ""),
        differs=params.get("differs") == "1",
        q=params.get("q", ""),
    )
    if wants_xlsx(request):
        return xlsx_response(
            "purchase-labels.xlsx",
            [
                _("National code"),
                _("Product"),
                _("Manufacturer"),
                _("Listed price"),
                _("Reference price"),
                _("Purchase label"),
                _("Reason"),
                _("Suggested label"),
            ],
            (
                [
                    x.consumable.code,
                    x.consumable.product_name,
                    x.manufacturer.name,
                    x.price,
                    x.reference_price,
                    x.get_label_display(),
                    x.label_reason,
                    x.suggestion.label_display,
                ]
                for x in rows
            ),
            sheet=_("Purchase labels"),
        )
    return render(
        request,
        T + "labels.html",
        {"page": paginate(request, rows), "params": params, "labels": PurchaseLabel.choices},
    )
