from thiduakt.lib import permissions


def navigation(request):
    """What the header needs to decide which menu entries to show. The eligibility and sessions flags are
    callables, so that their queries run only on pages that render the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_system_admin": False, "may_check_eligibility": False, "may_see_sessions": False}
    admin = permissions.is_system_admin(user)
    return {
        "is_system_admin": admin,
        "may_check_eligibility": lambda: permissions.may_check_eligibility(user),
        "may_see_sessions": lambda: admin or permissions.concerned_by_councils(user),
    }
