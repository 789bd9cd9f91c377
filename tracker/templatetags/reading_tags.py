"""Helpers for reading long pages: messages shown beside the recommendation they are about."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from tracker import words

register = template.Library()

SECTION_TAG = "section:rec-"


def section_tag(recommendation) -> str:
    """The extra tag of a message about one recommendation: the page that has the
    recommendation's section (``#rec-<pk>``) shows the message there, where the reader lands."""
    return f"{SECTION_TAG}{recommendation.pk}"


def _section(message) -> str:
    for tag in (message.extra_tags or "").split():
        if tag.startswith(SECTION_TAG):
            return tag.removeprefix(SECTION_TAG)
    return ""


@register.simple_tag
def messages_here(messages, section=None, sections=None):
    """The messages to show at this place of the page.

    In a recommendation's section (``section`` its pk): the messages about it. At the top
    of the page: every other one, and those about a recommendation the page has no section
    for (``sections``: the pks it has), so that no message is ever lost.
    """
    if not messages:
        return []
    if section:
        return [m for m in messages if _section(m) == str(section)]
    here = {str(pk) for pk in sections or ()}
    return [m for m in messages if _section(m) not in here or not _section(m)]


@register.simple_tag(takes_context=True)
def page_link(context, param: str, number) -> str:
    """"?…" for page ``number`` of a list, keeping every other parameter (the filters, the other
    list's page): Django's {% querystring %} with a parameter named by a variable."""
    params = context["request"].GET.copy()
    params[param] = number
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def keyset_link(context, name: str, direction: str, token: str | None = None) -> str:
    """"?…" for the page of list ``name`` after (``direction`` "after") or before ("before") the
    place ``token`` names, or its first page (no token), keeping every other parameter."""
    params = context["request"].GET.copy()
    for each in ("after", "before"):
        params.pop(f"{name}_{each}", None)
    if token:
        params[f"{name}_{direction}"] = token
    return f"?{params.urlencode()}"


@register.filter
def number(value) -> str:
    """A count as a sentence says it: 1,007."""
    return number_format(value, force_grouping=True)


@register.filter
def listed(named) -> str:
    """Some recommendations by number (``selectors.Named``): "R04, R05" or "R03, R07 and 212 others"."""
    return words.listed(named.numbers, named.count)
