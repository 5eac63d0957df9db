from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("api-clients/", views.api_client_list, name="api_client_list"),
    path("api-clients/<int:pk>/revoke/", views.api_client_revoke, name="api_client_revoke"),
    path("security-events/", views.security_event_list, name="security_event_list"),
]
