"""Public consultation: the secretariat's pages under manage/, the public ones by the consultation's random key."""

from django.urls import path

from .views import consultation

urlpatterns = [
    path("manage/", consultation.consultation_list, name="consultation_list"),
    path("manage/new/", consultation.consultation_create, name="consultation_create"),
    path("manage/<int:pk>/", consultation.consultation_detail, name="consultation_detail"),
    path("manage/feedback/<int:pk>/answer/", consultation.consultation_answer, name="consultation_answer"),
    path("", consultation.consultation_public_list, name="consultation_public_list"),
    path("<slug:token>/", consultation.consultation_public, name="consultation_public"),
    path("<slug:token>/<int:number>/", consultation.consultation_feedback, name="consultation_feedback"),
]
