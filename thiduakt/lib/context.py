from organizations.models import CouncilMember
from thiduakt.lib import permissions


def navigation(request):
    """What the header needs to decide which menu entries to show. The eligibility and sessions flags are
    callables, so that their queries run only on pages that render the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_system_admin": False, "may_check_eligibility": False, "may_see_sessions": False}
    return {
        "is_system_admin": permissions.is_system_admin(user),
        "may_check_eligibility": lambda: permissions.may_check_eligibility(user),
        "may_see_sessions": lambda: _may_see_sessions(user),
    }


def _may_see_sessions(user) -> bool:
    """Council sessions concern admins, council secretariats and the members of a council."""
    return (
        permissions.is_system_admin(user)
        or permissions.secretariat_councils(user).exists()
        or CouncilMember.objects.filter(user=user, end__isnull=True).exists()
    )
