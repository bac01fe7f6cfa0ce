from django.urls import include, path

from .views import blocs, campaigns, registrations, scoring

campaign_patterns = [
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

bloc_patterns = [
    path("", blocs.bloc_list, name="bloc_list"),
    path("new/", blocs.bloc_create, name="bloc_create"),
    path("<int:pk>/", blocs.bloc_detail, name="bloc_detail"),
    path("<int:pk>/edit/", blocs.bloc_edit, name="bloc_edit"),
    path("<int:pk>/pledge/", blocs.pledge_edit, name="pledge_edit"),
    path("<int:pk>/lock/", blocs.bloc_lock, name="bloc_lock"),
    path("<int:pk>/ranking/", blocs.bloc_ranking, name="bloc_ranking"),
    path("<int:pk>/result/", blocs.bloc_result, name="bloc_result"),
    path("templates/", blocs.template_list, name="template_list"),
    path("templates/new/", blocs.template_create, name="template_create"),
    path("templates/<int:pk>/", blocs.template_detail, name="template_detail"),
    path("sheets/<int:pk>/", scoring.sheet_detail, name="sheet_detail"),
    path("sheets/<int:pk>/submit/", scoring.sheet_submit, name="sheet_submit"),
    path("sheets/<int:pk>/verify/", scoring.sheet_verify, name="sheet_verify"),
    path("sheets/<int:pk>/evidence/<int:entry_pk>/", scoring.sheet_evidence, name="sheet_evidence"),
]

urlpatterns = [
    path("campaigns/", include(campaign_patterns)),
    path("blocs/", include(bloc_patterns)),
]
