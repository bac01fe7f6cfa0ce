"""The user's inbox: the list (newest first, unread highlighted), opening one (marks it read and goes to its page),
marking read, and the email preferences per kind. Each user sees only their own notifications."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from thiduakt.lib.pagination import page_by_keys

from . import services
from .models import Notification, NotificationPreference

PAGE_SIZE = 30


@login_required
def notification_list(request):
    rows = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        rows = rows.filter(read_at__isnull=True)
    page = page_by_keys(rows.order_by("-created_at", "-pk"), request.GET.get("page"), PAGE_SIZE)
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": unread, "only_unread": bool(request.GET.get("unread"))},
    )


@login_required
def notification_open(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notification_list")


@login_required
@require_POST
def notification_mark_read(request):
    if request.POST.get("id"):
        notification = get_object_or_404(Notification, pk=request.POST["id"], recipient=request.user)
        services.mark_read(user=request.user, notification_ids=[notification.pk])
        messages.success(request, _("The notification was marked as read."))
    else:
        count = services.mark_read(user=request.user)
        text = ngettext(
            "%(count)d notification was marked as read.", "%(count)d notifications were marked as read.", count
        )
        messages.success(request, text % {"count": count})
    return redirect("notification_list")


class PreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Send me an email for"),
        choices=Notification.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@login_required
def notification_preferences(request):
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.preferences_set(user=request.user, email_kinds=form.cleaned_data["email_kinds"])
            messages.success(request, _("Your notification preferences were saved."))
            return redirect("notification_preferences")
    else:
        muted = set(
            NotificationPreference.objects.filter(user=request.user, email=False).values_list("kind", flat=True)
        )
        form = PreferencesForm(
            initial={"email_kinds": [kind for kind in Notification.Kind.values if kind not in muted]}
        )
    return render(request, "notifications/preferences.html", {"form": form, "has_email": bool(request.user.email)})
