from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:pk>/", views.notification_open, name="notification_open"),
    path("read/", views.notification_mark_read, name="notification_mark_read"),
    path("preferences/", views.notification_preferences, name="notification_preferences"),
]
