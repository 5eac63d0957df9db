"""A minimal API endpoint, for testing the base ApiView behaviour in isolation."""

from django.urls import path
from rest_framework.response import Response

from core.api.views import ApiView


class ProbeApi(ApiView):
    def post(self, request):
        return Response({"ok": True}, status=201)


urlpatterns = [path("probe/", ProbeApi.as_view())]
