from django.contrib import admin
from django.urls import include, path

from scrutiny import health, passwords

admin.site.site_header = "Scrutiny tracking"
admin.site.site_title = "Scrutiny tracking"

urlpatterns = [
    path("admin/", admin.site.urls),
    # For a load balancer or monitoring: 200 "OK" while the database answers (scrutiny/health.py).
    path("health/", health.health, name="health"),
    # Every user's own password (Django's auth views with GOV.UK pages; sign-in is in tracker.urls).
    path("accounts/password/", passwords.ChangePasswordView.as_view(), name="password_change"),
    path("accounts/password/changed/", passwords.PasswordChangedView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", passwords.ResetPasswordView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", passwords.ResetLinkSentView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        passwords.ChooseNewPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/password/reset/done/", passwords.NewPasswordSetView.as_view(), name="password_reset_complete"),
    # The link in an invitation e-mail: the invited person chooses their first password.
    path("accounts/welcome/", include("tracker.views.setup.welcome_urls")),
    path("", include("tracker.urls")),
]

# Every refusal (PermissionDenied from tracker.permissions) is shown by one page, in its own words.
handler403 = "tracker.views.common.permission_denied"
# The database lost on the way out of a page (reading or saving the session) is a 503 "try again" too.
handler400 = "tracker.unavailable.bad_request"
handler500 = "tracker.unavailable.server_error"
