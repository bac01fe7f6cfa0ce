from django.urls import path

from .views import campaigns, registrations

urlpatterns = [
    path("", campaigns.campaign_list, name="campaign_list"),
    path("new/", campaigns.campaign_create, name="campaign_create"),
    path("<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("<int:pk>/launch/", campaigns.campaign_launch, name="campaign_launch"),
    path("<int:pk>/amend/", campaigns.campaign_amend, name="campaign_amend"),
    path("<int:pk>/advance/", campaigns.campaign_advance, name="campaign_advance"),
    path("<int:pk>/plan/", campaigns.campaign_document, name="campaign_document"),
    path("<int:pk>/registrations/", registrations.campaign_registrations, name="campaign_registrations"),
    path("<int:pk>/units/<int:unit_pk>/registration/", registrations.registration_edit, name="registration_edit"),
    path("registrations/<int:pk>/submit/", registrations.registration_submit, name="registration_submit"),
    path("registrations/<int:pk>/approve/", registrations.registration_approve, name="registration_approve"),
    path("registrations/<int:pk>/return/", registrations.registration_return, name="registration_return"),
    path("public/<str:code>/", campaigns.campaign_public, name="campaign_public"),
]
