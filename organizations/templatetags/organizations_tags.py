from django import template

from thiduakt.lib.permissions import role_label

register = template.Library()


@register.filter(name="role_label")
def role_label_filter(codename: str) -> str:
    """The translated name of a role codename (the names stored with Django's permissions are not)."""
    return role_label(codename)
