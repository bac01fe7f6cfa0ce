from django.urls import path

from . import views, views_schedules

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:pk>/", views.notification_open, name="notification_open"),
    path("read/", views.notification_mark_read, name="notification_mark_read"),
    path("preferences/", views.notification_preferences, name="notification_preferences"),
    path("schedules/", views_schedules.reminder_schedule_list, name="reminder_schedule_list"),
    path("schedules/<int:pk>/", views_schedules.reminder_schedule_detail, name="reminder_schedule_detail"),
    path("schedules/<int:pk>/<slug:kind>/", views_schedules.reminder_schedule_set, name="reminder_schedule_set"),
    path(
        "schedules/<int:pk>/<slug:kind>/reset/", views_schedules.reminder_schedule_reset, name="reminder_schedule_reset"
    ),
]
