from thiduakt.lib.permissions import is_system_admin


def navigation(request):
    """What the header needs to decide which menu entries to show."""
    user = getattr(request, "user", None)
    return {"is_system_admin": bool(user and is_system_admin(user))}
