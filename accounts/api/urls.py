from django.urls import path

from accounts.api import views

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("organizations/", views.OrganizationListApi.as_view(), name="organization_list"),
    path(
        "organizations/<int:pk>/", views.OrganizationDetailApi.as_view(), name="organization_detail"
    ),
    path("api-clients/", views.ApiClientListCreateApi.as_view(), name="api_client_list"),
    path(
        "api-clients/<int:pk>/revoke/", views.ApiClientRevokeApi.as_view(), name="api_client_revoke"
    ),
    path("security-events/", views.SecurityEventListApi.as_view(), name="security_event_list"),
]
