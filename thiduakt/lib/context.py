from thiduakt.lib import permissions


def navigation(request):
    """What the header needs to decide which menu entries to show. The eligibility flag is a callable, so
    that its query runs only on pages that render the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_system_admin": False, "may_check_eligibility": False}
    return {
        "is_system_admin": permissions.is_system_admin(user),
        "may_check_eligibility": lambda: permissions.may_check_eligibility(user),
    }
