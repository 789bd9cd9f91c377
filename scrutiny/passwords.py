"""Changing one's password, and resetting a forgotten one by email: Django's auth views, GOV.UK pages.

Every user has these (the admin's own password pages are for the scrutiny office only).
The forms are Django's, with labels, hints and messages in plain words and laid out by
crispy-forms-gds like the sign-in page.
"""

from __future__ import annotations

import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from scrutiny.lockout import in_words
from tracker.forms import GovukForm

NEW_PASSWORD_MESSAGES = {
    "new_password1": {"required": "Enter a new password"},
    "new_password2": {"required": "Enter the new password again"},
}


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page template's <form> carries the token
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields)
    return helper


def _plain_new_password_fields(form) -> None:
    """Labels, hint and messages of the two new-password fields (Django keeps autocomplete="new-password")."""
    first, second = form.fields["new_password1"], form.fields["new_password2"]
    first.label = "New password"
    # The configured validators' own sentences, so the hint never disagrees with the check.
    first.help_text = " ".join(password_validation.password_validators_help_texts())
    second.label = "Confirm new password"
    second.help_text = "Enter the same password again."
    for name, messages in NEW_PASSWORD_MESSAGES.items():
        form.fields[name].error_messages.update(messages)


class ChooseNewPasswordForm(auth_forms.SetPasswordForm):
    """The second step of a reset: the link from the email leads here."""

    error_messages = {
        **auth_forms.SetPasswordForm.error_messages,
        "password_mismatch": "The passwords do not match. Enter the same new password twice.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_new_password_fields(self)
        self.helper = _helper(Field.text("new_password1", field_width=20), Field.text("new_password2", field_width=20))

    error_links = GovukForm.error_links


class ChangePasswordForm(auth_forms.PasswordChangeForm):
    error_messages = {
        **ChooseNewPasswordForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.fields["old_password"]
        current.label = "Current password"
        current.error_messages["required"] = "Enter your current password"
        current.widget.attrs.pop("autofocus", None)
        _plain_new_password_fields(self)
        self.helper = _helper(
            Field.text("old_password", field_width=20),
            Field.text("new_password1", field_width=20),
            Field.text("new_password2", field_width=20),
        )

    error_links = GovukForm.error_links


class ResetPasswordForm(auth_forms.PasswordResetForm):
    """Asks for the email address; sends the link only if an active user has it, and never says which."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = "Email address"
        email.help_text = "The email address the scrutiny office has for you."
        email.error_messages.update({
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        })
        email.widget.attrs["spellcheck"] = "false"
        self.helper = _helper(Field.text("email", field_width=30))

    error_links = GovukForm.error_links


def reset_link_lasts() -> str:
    """How long a reset link works, in words ('2 hours')."""
    return in_words(datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT))


class ChangePasswordView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
    template_name = "registration/change_password.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangedView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_changed.html"


class ResetPasswordView(auth_views.PasswordResetView):
    form_class = ResetPasswordForm
    template_name = "registration/reset_password.html"
    subject_template_name = "registration/reset_password_subject.txt"
    email_template_name = "registration/reset_password_email.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self):
        return {"link_lasts": reset_link_lasts()}


class ResetLinkSentView(auth_views.PasswordResetDoneView):
    template_name = "registration/reset_password_sent.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "link_lasts": reset_link_lasts()}


class ChooseNewPasswordView(auth_views.PasswordResetConfirmView):
    form_class = ChooseNewPasswordForm
    template_name = "registration/reset_password_choose.html"
    success_url = reverse_lazy("password_reset_complete")


class NewPasswordSetView(auth_views.PasswordResetCompleteView):
    template_name = "registration/reset_password_done.html"
