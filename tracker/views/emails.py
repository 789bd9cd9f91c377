"""Each person's "Your e-mails" page: which optional e-mails they are sent, and the last ones sent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from tracker import notifications, permissions, services
from tracker.forms.emails import EmailChoicesForm
from tracker.models import Council, Message
from tracker.views.common import render_form, submit

RECENT = 10


@login_required
def my_emails(request):
    permissions.ensure(request.user, "view")
    council = Council.current()
    initial = {"wanted": [kind for kind in notifications.OPTIONAL
                          if kind not in notifications.turned_off(request.user)]}

    def save(data):
        services.choose_messages(request.user, by=request.user, wanted=set(data["wanted"]))
        messages.success(request, "Your choices have been saved.")
        return redirect("my_emails")

    submission = submit(request, lambda data, version=None: EmailChoicesForm(data, council=council, initial=initial),
                        save)
    always = [notifications.in_words(kind, council) for kind in Message.Kind if kind not in notifications.OPTIONAL]
    recent = Message.objects.filter(recipient=request.user).select_related("meeting__committee")[:RECENT]
    return render_form(request, "tracker/my_emails.html", {
        "always": always, "recent": recent, "address": request.user.email,
    }, submission)
