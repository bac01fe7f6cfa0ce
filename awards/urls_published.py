"""Published award lists, for anyone (issue 7): the years and issuers, and one issuer's list of a year."""

from django.urls import path

from .views import publication

urlpatterns = [
    path("", publication.published_index, name="published_index"),
    path("<int:year>/<str:code>/", publication.published_list, name="published_list"),
]
