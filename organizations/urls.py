from django.urls import include, path

from .views import councils, people, roles, units

urlpatterns = [
    path("units/", units.unit_tree, name="unit_tree"),
    path("imports/", include("organizations.views.imports")),
]
