"""The link in an invitation e-mail (included at accounts/welcome/: the invited person is not signed in,
so it cannot live under /setup/, whose pages are the scrutiny office's)."""

from django.urls import path

from tracker.views.setup import people

urlpatterns = [
    path("<str:token>/", people.accept_invitation, name="accept_invitation"),
]
