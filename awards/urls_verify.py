"""Public verification of a certificate by the token its QR code carries (issue 7): no login."""

from django.urls import path

from .views import certificates

urlpatterns = [
    path("<str:token>/", certificates.certificate_verify, name="certificate_verify"),
]
