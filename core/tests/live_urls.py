"""The project's URL conf plus the probe endpoints under /api/test/, for live-server tests."""

from django.urls import include, path

from core.tests.urls_probe import probe_patterns

urlpatterns = [path("api/test/", include(probe_patterns)), path("", include("config.urls"))]
