import datetime

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from thiduakt.lib.forms import BootstrapMixin

from . import lockout


class LockoutMixin:
    """Refuses an authentication form while its username or client address is locked out, and counts the
    failures that start a lockout."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = lockout.client_ip(self.request) if self.request else ""
        until = lockout.locked_until(username=username, ip=ip)
        if until:
            raise self.locked_out_error(until)
        try:
            cleaned_data = super().clean()
        except forms.ValidationError:
            # user_cache is None when the password was wrong (or the account unknown), not when a correct
            # password met confirm_login_allowed (inactive account, non-staff user at the admin login).
            if self.user_cache is None and username:
                until = lockout.record_failure(username=username, ip=ip)
                if until:
                    raise self.locked_out_error(until) from None
            raise
        lockout.clear_username(username)
        return cleaned_data

    @staticmethod
    def locked_out_error(until) -> forms.ValidationError:
        # Rounded up to the minute: "after 10:15" must not be a time at which the lock still holds.
        shown = timezone.localtime(until).replace(second=0, microsecond=0)
        if shown < until:
            shown += datetime.timedelta(minutes=1)
        return forms.ValidationError(
            _(
                "Too many failed login attempts. For your security, logging in is paused until %(time)s. "
                "Please try again after that time, or reset your password by email."
            ),
            code="locked_out",
            params={"time": formats.date_format(shown, "H:i d/m/Y")},
        )


class LoginForm(BootstrapMixin, LockoutMixin, auth_forms.AuthenticationForm):
    pass


class AdminLoginForm(LockoutMixin, AdminAuthenticationForm):
    """For `admin.site.login_form`, so that the admin login is no way around the lockout."""


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(BootstrapMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(BootstrapMixin, auth_forms.SetPasswordForm):
    pass
