"""The set-up home: where the scrutiny office finds everything it sets up."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tracker import permissions, selectors


@login_required
def setup_home(request):
    permissions.ensure(request.user, "set_up")
    return render(request, "setup/home.html", {"counts": selectors.setup_counts()})
