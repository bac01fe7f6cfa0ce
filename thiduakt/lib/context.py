from functools import cache

from thiduakt.lib import permissions


def navigation(request):
    """What the header needs to decide which menu entries to show, and the unread notifications' badge. The flags
    other than the admin's and the count are callables sharing one query (permissions.menu_roles), run only on
    pages that render the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "is_system_admin": False,
            "may_check_eligibility": False,
            "may_see_sessions": False,
            "may_see_decisions": False,
            "may_see_statistics": False,
            "may_see_state_report": False,
            "unread_notifications": 0,
        }
    roles = cache(lambda: permissions.menu_roles(user))
    if permissions.is_system_admin(user):
        return {
            "is_system_admin": True,
            "may_check_eligibility": True,
            "may_see_sessions": True,
            "may_see_decisions": True,
            "may_see_statistics": True,
            "may_see_state_report": True,
            "unread_notifications": lambda: roles()["unread"],
        }
    return {
        "is_system_admin": False,
        "may_check_eligibility": lambda: roles()["editor"] or roles()["secretariat"],
        "may_see_sessions": lambda: roles()["secretariat"] or roles()["member"],
        "may_see_decisions": lambda: roles()["signer"] or roles()["secretariat"],
        # awards.views.statistics and awards.views.reports: a role on some unit (statistics: or a secretariat).
        "may_see_statistics": lambda: roles()["unit_role"] or roles()["secretariat"],
        "may_see_state_report": lambda: roles()["unit_role"],
        "unread_notifications": lambda: roles()["unread"],
    }
