"""The emergency purchase pages [R-EMERG-DEADLINE] [R-EMERG-CAP]: the hospital registers a
purchase (the cap panel updates as it types, htmx), lists and reads its registrations; the
bureau lists its region's, decides on the amounts over the cap, and reads the violations. The
same services and selectors as procurement/api/emergency.py."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.errors import DomainError, NotFoundError
from core.forms import add_domain_error
from core.money import ZERO, AmountInvalidError, parse_amount, quantize
from core.permissions import require
from core.web import paginate
from procurement.forms.emergency import LINE_ROWS, EmergencyRegisterForm, EmergencySearchForm
from procurement.selectors import emergency as selectors
from procurement.services import emergency as services
from procurement.views.common import FIELD_ERROR_STATUS, is_hospital

T = "procurement/emergency/"


def _adding(data) -> Decimal:
    """The amount the form's lines add up to so far (rows that do not parse count 0)."""
    total = ZERO
    for i in range(1, LINE_ROWS + 1):
        try:
            price = parse_amount((data.get(f"line{i}_price") or "").replace(",", ""))
            quantity = int(data.get(f"line{i}_quantity") or 0)
        except (AmountInvalidError, ValueError):
            continue
        if price > 0 and 0 < quantity <= 10**9:
            total += price * quantity
    return quantize(total)


def _year(data) -> int:
    raw = data.get("bought_on") or ""
    try:
        return int(raw[:4]) if len(raw) >= 4 and 2000 <= int(raw[:4]) <= 2100 else 0
    except ValueError:
        return 0


@login_required
def emergency_list(request):
    user = request.user
    require(user, "emergency.view")
    form = EmergencySearchForm(request.GET or None)
    filters = form.filters()
    rows = selectors.emergency_purchase_list(
        actor=user,
        status=[filters["status"]] if filters.get("status") else None,
        year=filters.get("year"),
        violation=filters.get("violation", ""),
    )
    cap = selectors.emergency_cap_for(actor=user) if is_hospital(user) else None
    return render(
        request,
        T + "list.html",
        {"form": form, "page": paginate(request, rows), "cap": cap, "is_hospital": cap},
    )


@login_required
def emergency_register(request):
    user = request.user
    require(user, "emergency.register")
    form = EmergencyRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            purchase = services.emergency_purchase_register(
                actor=user,
                bought_on=data["bought_on"],
                reason=data["reason"],
                approver_name=data["approver_name"],
                approver_role=data["approver_role"],
                listed_reason=data["listed_reason"],
                lines=form.lines(),
            )
        except DomainError as error:
            if error.http_status != FIELD_ERROR_STATUS:
                raise
            add_domain_error(form, error)
        else:
            if purchase.over_cap or purchase.late:
                messages.warning(
                    request,
                    _("Emergency purchase registered and recorded as a violation: %(violations)s.")
                    % {
                        "violations": "、".join(
                            str(v.get_kind_display()) for v in purchase.violations.all()
                        )
                    },
                )
            else:
                messages.success(request, _("Emergency purchase registered."))
            return redirect("procurement:emergency_detail", pk=purchase.pk)
    year = _year(request.POST) or clock.local_today().year
    cap = selectors.emergency_cap_for(actor=user, year=year)
    adding = _adding(request.POST)
    return render(
        request,
        T + "register.html",
        {"form": form, "cap": cap, "adding": adding, "over_by": cap.over_by(adding)},
    )


@login_required
def emergency_cap_panel(request):
    """The form's live cap panel (htmx): the year of the date typed, the lines' amount."""
    user = request.user
    require(user, "emergency.register")
    year = _year(request.GET) or clock.local_today().year
    cap = selectors.emergency_cap_for(actor=user, year=year)
    adding = _adding(request.GET)
    return render(
        request,
        T + "partials/cap.html",
        {"cap": cap, "adding": adding, "over_by": cap.over_by(adding)},
    )


@login_required
def emergency_detail(request, pk: int):
    user = request.user
    purchase = selectors.emergency_purchase_get(actor=user, purchase_id=pk)
    return render(
        request,
        T + "detail.html",
        {
            "purchase": purchase,
            "actions": selectors.emergency_actions(actor=user, purchase=purchase),
        },
    )


@login_required
@require_POST
def emergency_decide(request, pk: int, action: str):
    """[R-EMERG-CAP] the bureau approves or refuses the amount over the cap, with a reason (a
    refusal is shown as a message by core.middleware)."""
    decisions = {
        "approve": services.emergency_purchase_approve,
        "reject": services.emergency_purchase_reject,
    }
    if action not in decisions:
        raise NotFoundError()
    purchase = decisions[action](
        actor=request.user, purchase_id=pk, reason=request.POST.get("reason", "")
    )
    messages.success(
        request,
        _("Emergency purchase %(number)s of %(hospital)s: %(status)s.")
        % {
            "number": purchase.pk,
            "hospital": purchase.hospital.name,
            "status": purchase.get_status_display(),
        },
    )
    return redirect(reverse("procurement:emergency_detail", kwargs={"pk": purchase.pk}))


@login_required
def emergency_violation_list(request):
    user = request.user
    require(user, "emergency.view")
    form = EmergencySearchForm(request.GET or None)
    filters = form.filters()
    violation = filters.get("violation", "")
    rows = selectors.emergency_violation_list(
        actor=user,
        year=filters.get("year"),
        kind=violation if violation in ("late", "over_cap") else "",
        standing=request.GET.get("standing") == "1",
    )
    return render(request, T + "violations.html", {"form": form, "page": paginate(request, rows)})
