"""Catalogue pages: search with a scan box, product page, publicity, sync runs, imports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors
from catalog.choices import SyncRunStatus
from catalog.errors import BarcodeInvalidError
from catalog.services import import_jobs, prices
from catalog.services.sync import sync_runs_fail_stale
from catalog.services.sync_start import sync_run_enqueue
from core import clock, permissions
from core.paging import CappedPaginator
from core.web import paginate, redirect_back


@login_required
def consumable_list(request):
    params = request.GET
    high_value = {"1": True, "0": False}.get(params.get("high_value", ""))
    consumables = selectors.consumable_list(
        actor=request.user,
        q=params.get("q", ""),
        code_prefix=params.get("code", ""),
        category=params.get("category", ""),
        high_value=high_value,
    )
    category = selectors.normalize_category(params.get("category", ""))
    return render(
        request,
        "catalog/consumable_list.html",
        {
            "page": paginate(request, consumables, CappedPaginator),
            "categories": selectors.category_filter_options(actor=request.user, category=category),
            "category": category,
            "params": params,
        },
    )


@login_required
@require_POST
def scan(request):
    """htmx: the scan box posts the barcode; the product (or the reason) replaces the panel."""
    barcode = request.POST.get("barcode", "")
    try:
        result = selectors.scan(actor=request.user, barcode=barcode)
    except BarcodeInvalidError as error:
        return render(
            request, "catalog/partials/scan_result.html", {"error": error, "barcode": barcode}
        )
    return render(request, "catalog/partials/scan_result.html", {"result": result})


@login_required
def consumable_detail(request, code: str):
    consumable = selectors.consumable_get(actor=request.user, code=code)
    if consumable.code != code.strip().upper():
        # An old code a release replaced: show the product under the code it has now.
        messages.info(
            request,
            _("National code %(old)s was replaced by %(new)s in the national release.")
            % {"old": code.strip().upper(), "new": consumable.code},
        )
        return redirect("catalog:consumable_detail", code=consumable.code)
    return render(
        request,
        "catalog/consumable_detail.html",
        {
            "consumable": consumable,
            "replaced_by": selectors.consumable_replacements(consumable=consumable),
            "categories": selectors.consumable_categories(consumable=consumable),
            "history": selectors.consumable_price_history(consumable=consumable),
        },
    )


@login_required
def publicity(request):
    """Reference prices under way: in publicity (with time left), proposed, and increases
    flagged for the bureau. Bureau staff act on them; suppliers may object during publicity."""
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    prices = selectors.reference_price_list(
        actor=request.user, status=status, open_only=not status, q=q
    )
    page = paginate(request, prices)
    today = clock.local_today()
    for price in page:
        price.actions = selectors.reference_price_actions(
            actor=request.user, reference_price=price, today=today
        )
    return render(
        request,
        "catalog/publicity.html",
        {"page": page, "status": status, "q": q, "today": today},
    )


@login_required
@require_POST
def reference_price_action(request, pk: int, action: str):
    if action == "publicity":
        prices.reference_price_publicity_start(reference_price_id=pk, actor=request.user)
        messages.success(request, _("Publicity started."))
    elif action == "confirm":
        prices.reference_price_confirm(reference_price_id=pk, actor=request.user)
        messages.success(request, _("Reference price confirmed."))
    elif action == "withdraw":
        prices.reference_price_withdraw(
            reference_price_id=pk, actor=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Reference price withdrawn."))
    elif action == "object":
        prices.price_objection_raise(
            reference_price_id=pk, actor=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Objection raised. The bureau will answer it."))
    else:
        raise Http404
    return redirect_back(request, reverse("catalog:publicity"))


@login_required
def objections(request):
    status = request.GET.get("status", "")
    rows = selectors.price_objection_list(actor=request.user, status=status)
    return render(
        request,
        "catalog/objections.html",
        {
            "page": paginate(request, rows),
            "status": status,
            "can_resolve": permissions.can(request.user, "price_objection.resolve"),
        },
    )


@login_required
@require_POST
def objection_resolve(request, pk: int):
    prices.price_objection_resolve(
        objection_id=pk,
        actor=request.user,
        outcome=request.POST.get("outcome", ""),
        resolution=request.POST.get("resolution", ""),
    )
    messages.success(request, _("Objection answered."))
    return redirect("catalog:objections")


@login_required
def sync_runs(request):
    if request.method == "POST":
        sync_run_enqueue(actor=request.user)
        messages.success(request, _("The sync is queued; refresh in a moment to see the run."))
        return redirect("catalog:sync_runs")
    sync_runs_fail_stale()  # a run whose worker died shows as failed, not running
    status = request.GET.get("status", "")
    status = status if status in SyncRunStatus.values else ""
    runs = selectors.sync_run_list(actor=request.user, status=status)
    return render(
        request,
        "catalog/sync_runs.html",
        {"page": paginate(request, runs), "status": status, "statuses": SyncRunStatus.choices},
    )


@login_required
def imports(request):
    if request.method == "POST":
        permissions.require(request.user, "catalog.import", request=request)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to import."))
        else:
            job = import_jobs.import_job_create(
                actor=request.user,
                kind=request.POST.get("kind", "catalog"),
                uploaded_file=upload,
                partial=request.POST.get("partial") == "1",
            )
            messages.success(request, _("Import queued: %(file)s") % {"file": job.file_name})
        return redirect("catalog:imports")
    jobs = selectors.import_job_list(actor=request.user)
    import_jobs.import_jobs_fail_stale()  # a job whose worker died shows as failed
    return render(
        request,
        "catalog/imports.html",
        {
            "jobs": jobs[:50],
            "conflicts": selectors.crosswalk_conflict_list(actor=request.user)[:50],
        },
    )


@login_required
def import_job_progress(request, pk: int):
    """htmx polls this every two seconds while the job runs; a job whose worker died turns
    failed here once its heartbeat is older than the limit."""
    selectors.import_job_get(actor=request.user, job_id=pk)
    import_jobs.import_jobs_fail_stale(job_ids=[pk])
    job = selectors.import_job_get(actor=request.user, job_id=pk)
    return render(request, "catalog/partials/import_job.html", {"job": job})


@login_required
@require_POST
def import_job_retry(request, pk: int):
    partial = {"1": True, "0": False}.get(request.POST.get("partial", ""))
    job = import_jobs.import_job_retry(actor=request.user, job_id=pk, partial=partial)
    messages.success(request, _("Import queued again: %(file)s") % {"file": job.file_name})
    return redirect("catalog:imports")
