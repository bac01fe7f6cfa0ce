from django.contrib import admin
from django.urls import include, path

from organizations.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/", include("thiduakt.accounts.urls")),
    path("", include("organizations.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "thiduakt.errors.permission_denied"
handler404 = "thiduakt.errors.page_not_found"
handler500 = "thiduakt.errors.server_error"
