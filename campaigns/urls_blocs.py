from django.urls import path

from .views import blocs, scoring

urlpatterns = [
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
