from django.urls import path

from . import views

urlpatterns = [
    path("verify/", views.audit_verify_page, name="audit_verify"),
    path("<str:object_type>/<str:object_id>/", views.audit_object, name="audit_object"),
]
