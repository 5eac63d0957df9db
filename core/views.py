"""Platform pages: home per role, health, change history, region policy, working-day calendar."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST, require_safe

from core import clock, export_jobs, health, permissions, selectors, services
from core.errors import DomainError, NotFoundError
from core.forms import CalendarDayForm, HistoryFilterForm, RegionPolicyForm, add_domain_error
from core.home import home_cards, panels_for
from core.paging import CappedPaginator
from core.policy import RULES
from core.web import paginate


@login_required
def home(request):
    """The actor's work queues: the cards the apps register (core.home), one query each."""
    return render(
        request,
        "core/home.html",
        {"cards": home_cards(actor=request.user), "panels": panels_for(request.user)},
    )


def not_found(request, exception):
    """handler404. An address under /api/ that no route matches (``/api/v1/orders/x/`` where
    an id belongs) is answered in the API's error format; pages keep the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse(NotFoundError().as_dict(), status=404)
    return defaults.page_not_found(request, exception)


@require_GET
def healthz(request):
    result = health.health()
    return JsonResponse(result, status=200 if health.vital(result) else 503)


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    """/favicon.ico, which browsers ask for by that address whatever the page links: the
    platform's icon from static/ (the pages link its static copy)."""
    return FileResponse(open(finders.find("favicon.ico"), "rb"), content_type="image/x-icon")


@login_required
def history(request):
    """Who changed what, when: filtered by object type and object (each object's page links
    here with both), person and Beijing day range; one page at a time."""
    form = HistoryFilterForm(request.GET or None, models=selectors.history_models())
    filters = form.filters()
    events = selectors.history_list(actor=request.user, **filters)
    # Every change of the platform is a long list: the count stops past a cap, as the
    # catalogue's does.
    page = paginate(request, events, paginator=CappedPaginator)
    page.object_list = selectors.history_describe(page.object_list)
    return render(request, "core/history.html", {"page": page, "form": form, **filters})


@login_required
def region_policy(request):
    """The region's figures. Saving takes two steps: the form shows what would change (old ->
    new) with a confirm button, and only the confirmed POST (``confirm=1``) saves; no script
    is needed. Each figure shows its own history below it."""
    policy = selectors.region_policy_get(actor=request.user)
    can_edit = permissions.can(request.user, "region_policy.edit")
    form = RegionPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST":
        permissions.require(request.user, "region_policy.edit", request=request)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, _("Nothing was changed."))
                return redirect("core:region_policy")
            if request.POST.get("confirm") != "1":
                return render(
                    request,
                    "core/region_policy_confirm.html",
                    {"form": form, "changes": changes, "policy": policy},
                )
            changed = {c["name"]: form.cleaned_data[c["name"]] for c in changes}
            services.region_policy_update(actor=request.user, changes=changed)
            messages.success(request, _("Region policy saved."))
            return redirect("core:region_policy")
    history = selectors.region_policy_history(actor=request.user, policy=policy)
    rows = [
        (
            form[f.name],
            RULES[f.name],
            form.display(f.name, getattr(policy, f.name)),
            history[f.name],
        )
        for f in policy.figures()
    ]
    return render(
        request,
        "core/region_policy.html",
        {"form": form, "rows": rows, "policy": policy, "can_edit": can_edit},
    )


@login_required
def calendar(request):
    """The platform's working-day calendar: where each year's days come from, the days of one
    year (add, remove) and their history. Platform administrators only."""
    asked = _calendar_year_asked(request)
    years = selectors.calendar_years(actor=request.user, include=asked)
    year = asked or next((y.year for y in years if y.degraded), clock.local_today().year)
    form = CalendarDayForm(request.POST or None, initial={"date": dt.date(year, 1, 1)})
    if request.method == "POST" and form.is_valid():
        try:
            day = services.calendar_day_create(
                actor=request.user,
                date=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(date)s entered as %(kind)s.")
                % {"date": f"{day.date:%Y-%m-%d}", "kind": day.get_kind_display()},
            )
            return redirect(f"{reverse('core:calendar')}?year={day.date.year}")
    return render(
        request,
        "core/calendar.html",
        {
            "years": years,
            "year": year,
            "source": next((y for y in years if y.year == year), None),
            "days": selectors.calendar_day_list(actor=request.user, year=year),
            "events": selectors.calendar_day_history(actor=request.user, year=year),
            "form": form,
        },
    )


def _calendar_year_asked(request) -> int | None:
    """The year of the date posted, else ?year=; None when neither names a year the calendar
    takes (the page then shows the first year known to neither source, else this year)."""
    raw = request.POST.get("date", "")[:4] if request.method == "POST" else ""
    raw = raw or request.GET.get("year", "")
    if raw.isdigit() and services.CALENDAR_FIRST_YEAR <= int(raw) <= services.CALENDAR_LAST_YEAR:
        return int(raw)
    return None


@login_required
@require_POST
def calendar_day_delete(request, pk: int):
    day = selectors.calendar_day_get(actor=request.user, day_id=pk)
    services.calendar_day_delete(actor=request.user, day_id=day.pk)
    messages.success(
        request, _("%(date)s removed from the calendar.") % {"date": f"{day.date:%Y-%m-%d}"}
    )
    return redirect(f"{reverse('core:calendar')}?year={day.date.year}")


# --- Exports prepared in the background (core.export_jobs) ----------------------------------


@login_required
@require_POST
def export_start(request, kind: str):
    """The export button of a list page: the list's filters come as the form's fields. With
    htmx the progress panel replaces the button's placeholder (a refusal is shown in it, as
    200, because htmx swaps no 4xx); without, the job's own page. A refusal is a 4xx."""
    params = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    if not request.htmx:
        job = export_jobs.export_job_start(actor=request.user, kind=kind, params=params)
        return redirect("core:export_job", job.pk)
    try:
        job = export_jobs.export_job_start(actor=request.user, kind=kind, params=params)
    except DomainError as error:
        if error.http_status == 404:
            raise
        return render(request, "core/partials/export_job.html", {"error": error})
    return render(request, "core/partials/export_job.html", {"job": job})


@login_required
@require_safe
def export_job(request, pk: int):
    """One export's page: its progress, then its download link."""
    job = export_jobs.export_job_get(actor=request.user, job_id=pk)
    return render(request, "core/export_job.html", {"job": job})


@login_required
@require_safe
def export_job_progress(request, pk: int):
    """htmx polls this every second while the job is queued or running."""
    job = export_jobs.export_job_get(actor=request.user, job_id=pk)
    return render(request, "core/partials/export_job.html", {"job": job})


@login_required
@require_safe
def export_job_list(request):
    """The requester's own exports of the last EXPORT_RETENTION_H hours."""
    export_jobs.export_jobs_fail_stale()
    status = request.GET.get("status", "")
    jobs = export_jobs.export_job_list(actor=request.user, status=status)
    return render(
        request, "core/export_jobs.html", {"page": paginate(request, jobs), "status": status}
    )


@login_required
@require_safe
def export_job_download(request, pk: int):
    job = export_jobs.export_job_file(actor=request.user, job_id=pk)
    return export_jobs.export_file_response(job)
