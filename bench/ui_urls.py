"""The baseline page of `ui_pages`, mounted under /bench/ only when YANGGUANG_BENCH_ENDPOINTS=1:
a logged-in page of the project's own layout (base.html: navigation, language switcher) with
no content, behind the same middleware as every page (session, idle limits, password age,
history context), so that a page's ratio measures what its own queries and template cost."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def bare_page(request):
    return render(request, "base.html", {})


urlpatterns = [path("page/", bare_page)]
