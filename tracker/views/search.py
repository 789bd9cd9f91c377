"""Search for committee members (and everyone signed in) over recommendations and evidence."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tracker import search as search_service


@login_required
def search(request):
    query = search_service.clean_query(request.GET.get("q", ""))
    hits = search_service.search(query) if query else []
    return render(request, "tracker/search.html", {"query": query, "hits": hits})
