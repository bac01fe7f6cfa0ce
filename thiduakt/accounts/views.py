"""Django's own authentication views, with the lockout form and audit events for password changes."""

from django.contrib.auth import views as auth_views
from django.db import transaction

from audit.services import audit_record

from . import forms, lockout

PASSWORD_CHANGED = "account.password_changed"


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    template_name = "registration/login.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "registration/password_change_form.html"

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit_record(actor=form.user, verb=PASSWORD_CHANGED, obj=form.user, data={"via": "change"})
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Answers the same page whether or not the address belongs to an account (Django's behaviour)."""

    form_class = forms.PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "registration/password_reset_confirm.html"

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit_record(actor=form.user, verb=PASSWORD_CHANGED, obj=form.user, data={"via": "reset"})
        # Whoever reads the mailbox owns the account: let them log in at once.
        lockout.clear_username(form.user.get_username())
        return response
