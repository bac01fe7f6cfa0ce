from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from organizations.models import CouncilMember
from thiduakt.lib import permissions

# Panels other apps add to the home page: (template name, function(user) -> context dict, or None to hide).
# Registered in their AppConfig.ready(), so that organisations never import the apps built on them.
HOME_PANELS: list[tuple[str, object]] = []


def register_home_panel(template_name: str, context) -> None:
    if (template_name, context) not in HOME_PANELS:
        HOME_PANELS.append((template_name, context))


@login_required
def home(request):
    user = request.user
    panels = []
    for template_name, build in HOME_PANELS:
        context = build(user)
        if context is not None:
            panels.append((template_name, context))
    context = {
        "assignments": permissions.role_assignments(user),
        "secretariat_councils": permissions.secretariat_councils(user),
        "memberships": CouncilMember.objects.filter(user=user, end__isnull=True).select_related("council__unit"),
        "panels": panels,
    }
    return render(request, "organizations/home.html", context)
