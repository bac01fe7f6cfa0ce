from django.urls import include, path

urlpatterns = [
    path("campaigns/", include("campaigns.urls_campaigns")),
    path("blocs/", include("campaigns.urls_blocs")),
]
