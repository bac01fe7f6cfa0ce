from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from organizations.models import CouncilMember
from thiduakt.lib import permissions


@login_required
def home(request):
    user = request.user
    context = {
        "assignments": permissions.role_assignments(user),
        "secretariat_councils": permissions.secretariat_councils(user),
        "memberships": CouncilMember.objects.filter(user=user, end__isnull=True).select_related("council__unit"),
    }
    return render(request, "organizations/home.html", context)
