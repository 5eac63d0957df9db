"""The pages of the hospital's own catalogue (院内目录) [R-HOSP-CATALOGUE]: the catalogue
with its search and status tabs; the admission page (the platform's listed products the
hospital has not admitted, ticked in bulk, with the committee's decision); an entry's page
with its history and the stop and resume forms. The same services and selectors as
procurement/api/catalogue.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFoundError
from core.forms import ReasonForm, add_domain_error
from core.permissions import can, require
from core.web import paginate
from procurement.forms.catalogue import CatalogueAdmitForm, CatalogueSearchForm
from procurement.selectors import catalogue as selectors
from procurement.services import catalogue as services
from procurement.views.common import FIELD_ERROR_STATUS

T = "procurement/catalogue/"


@login_required
def catalogue_list(request):
    user = request.user
    require(user, "catalogue.view")
    form = CatalogueSearchForm(request.GET or None)
    filters = form.filters()
    rows = selectors.catalogue_entry_list(
        actor=user, status=filters.get("status", ""), q=filters.get("q", "")
    )
    return render(
        request,
        T + "list.html",
        {
            "form": form,
            "page": paginate(request, rows),
            "counts": selectors.catalogue_counts(actor=user),
            "status": filters.get("status", ""),
            "q": filters.get("q", ""),
            "can_manage": can(user, "catalogue.manage"),
        },
    )


def _listing_ids(post) -> list[int]:
    ids = []
    for raw in post.getlist("listing"):
        if not raw.isdigit() or len(raw) > 18:
            raise NotFoundError(listing=raw)
        ids.append(int(raw))
    return ids


@login_required
def catalogue_admit(request):
    """GET: the listed products not yet admitted (search, tick several); POST: admit the ones
    ticked with the committee's decision, all or nothing."""
    user = request.user
    require(user, "catalogue.manage")
    q = request.GET.get("q", "").strip()[:200]
    code = request.GET.get("code", "").strip()[:40]
    form = CatalogueAdmitForm(request.POST or None)
    ticked: set[int] = set()
    status = 200
    if request.method == "POST":
        ticked = set(_listing_ids(request.POST))
        if form.is_valid():
            try:
                created = services.catalogue_admit(
                    actor=user,
                    listing_ids=sorted(ticked),
                    decision_date=form.cleaned_data["decision_date"],
                    decision_reference=form.cleaned_data["decision_reference"],
                )
            except DomainError as error:
                if error.http_status not in (FIELD_ERROR_STATUS, 409):
                    raise
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(count)s products admitted to the hospital's catalogue.")
                    % {"count": len(created)},
                )
                return redirect("procurement:catalogue_list")
        status = FIELD_ERROR_STATUS
    rows = selectors.catalogue_admissible(actor=user, q=q, code=code)
    return render(
        request,
        T + "admit.html",
        {"form": form, "page": paginate(request, rows), "q": q, "code": code, "ticked": ticked},
        status=status,
    )


@login_required
def catalogue_detail(request, pk: int):
    user = request.user
    entry = selectors.catalogue_entry_get(actor=user, entry_id=pk)
    return render(
        request,
        T + "detail.html",
        {
            "entry": entry,
            "history": selectors.catalogue_history(entry=entry),
            "actions": selectors.catalogue_actions(actor=user, entry=entry),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def catalogue_change(request, pk: int, action: str):
    """Stop or resume the product for the hospital, with a reason (a refusal is shown as a
    message by core.middleware)."""
    changes = {"stop": services.catalogue_stop, "resume": services.catalogue_resume}
    if action not in changes:
        raise NotFoundError()
    entry = changes[action](actor=request.user, entry_id=pk, reason=request.POST.get("reason", ""))
    messages.success(
        request,
        _("%(product)s: %(status)s.")
        % {"product": entry.consumable, "status": entry.get_status_display()},
    )
    return redirect(reverse("procurement:catalogue_detail", kwargs={"pk": entry.pk}))
