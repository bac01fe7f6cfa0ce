from django.urls import include, path

from .views import councils, people, roles, units

urlpatterns = [
    path("units/", units.unit_tree, name="unit_tree"),
    path("units/new/", units.unit_create, name="unit_create"),
    path("units/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("units/<int:pk>/children/", units.unit_children, name="unit_children"),
    path("units/<int:pk>/edit/", units.unit_edit, name="unit_edit"),
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("households/new/", people.household_create, name="household_create"),
    path("households/<int:pk>/", people.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", people.household_edit, name="household_edit"),
    path("councils/", councils.council_list, name="council_list"),
    path("councils/new/", councils.council_create, name="council_create"),
    path("councils/<int:pk>/", councils.council_detail, name="council_detail"),
    path("councils/<int:pk>/edit/", councils.council_edit, name="council_edit"),
    path("councils/<int:pk>/members/add/", councils.council_member_add, name="council_member_add"),
    path("councils/<int:pk>/members/<int:member_pk>/end/", councils.council_member_end, name="council_member_end"),
    path("roles/", roles.role_list, name="role_list"),
    path("roles/grant/", roles.role_grant, name="role_grant"),
    path("roles/revoke/", roles.role_revoke, name="role_revoke"),
    path("roles/secretariat/grant/", roles.secretariat_grant, name="secretariat_grant"),
    path("roles/secretariat/revoke/", roles.secretariat_revoke, name="secretariat_revoke"),
    path("imports/", include("organizations.views.imports")),
]
