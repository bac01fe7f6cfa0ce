from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from organizations.views import home
from thiduakt.accounts.forms import AdminLoginForm

# The admin login goes through the same lockout as the site login.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/", include("thiduakt.accounts.urls")),
    path("", include("organizations.urls")),
    path("audit/", include("audit.urls")),
    path("", include("campaigns.urls")),
    path("awards/", include("awards.urls")),
    path("consultation/", include("awards.urls_consultation")),
    path("published/", include("awards.urls_published")),
    path("verify/", include("awards.urls_verify")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg"), permanent=True)),
]

handler403 = "thiduakt.errors.permission_denied"
handler404 = "thiduakt.errors.page_not_found"
handler500 = "thiduakt.errors.server_error"
