"""The assessment schemes' set-up pages: a scheme's guidance, its rule for dates and its
categories with their rules (the scrutiny office).

A scheme that meetings have used is never changed under them: the services make its
next version, for its committees' next meetings, and these pages say so before and after.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tracker import categories, permissions, selectors, services
from tracker.forms.council import NOTHING, CategoryForm, SchemeForm, SchemeNewForm
from tracker.models import AssessmentScheme, Category
from tracker.views.common import render_form, submit


def _scheme(scheme_id) -> AssessmentScheme:
    try:
        return selectors.scheme_for_setup(scheme_id)
    except AssessmentScheme.DoesNotExist:
        raise Http404("No such assessment scheme.")


def _earlier_version(request, scheme: AssessmentScheme):
    """Pages that change a scheme send an earlier version's visitor to its read-only page."""
    messages.warning(request, f"Version {scheme.version} of {scheme.name} is kept as it was for the meetings that "
                              "used it, so it cannot be changed. Change the version in use now instead.")
    return redirect("setup_scheme", scheme_id=scheme.pk)


def _changed(request, scheme: AssessmentScheme, target: AssessmentScheme, done: str):
    """Back to the scheme's page, saying what was done and whether it made a new version."""
    if target.pk != scheme.pk:
        messages.success(
            request,
            f"{done} Meetings had used version {scheme.version}, so this is version {target.version}: its committees "
            f"use it from their next meeting with nothing assessed, and the meetings that used version "
            f"{scheme.version} keep printing it.",
        )
    else:
        messages.success(request, done)
    return redirect("setup_scheme", scheme_id=target.pk)


def _unchanged(request, scheme: AssessmentScheme):
    """Saving what was already there changes nothing (and, for a scheme in use, makes no new version)."""
    messages.info(request, "Nothing was changed, so nothing was saved.")
    return redirect("setup_scheme", scheme_id=scheme.pk)


def _in_use(scheme: AssessmentScheme) -> bool:
    return not scheme.retired and services.scheme_in_use(scheme)


@login_required
def setup_schemes(request):
    permissions.ensure(request.user, "set_up")
    return render(request, "setup/council/schemes.html", {"schemes": selectors.schemes_for_setup()})


@login_required
def setup_scheme_new(request):
    permissions.ensure(request.user, "set_up")
    schemes = list(selectors.schemes_to_choose())

    def save(data):
        copy_from = None if data["start_from"] == NOTHING else data["start_from"]
        scheme = services.create_scheme(by=request.user, name=data["name"], copy_from=copy_from)
        if copy_from is None:
            messages.success(request, f"{scheme.name} has been added, with no categories: committees using it track "
                                      "by narrative updates. Add categories here if it needs them.")
        else:
            messages.success(request, f"{scheme.name} has been added, a copy of {copy_from.name}.")
        return redirect("setup_scheme", scheme_id=scheme.pk)

    submission = submit(request, lambda data, version=None: SchemeNewForm(data, schemes=schemes), save)
    return render_form(request, "setup/council/scheme_new.html", {}, submission)


@login_required
def setup_scheme(request, scheme_id):
    """A scheme's guidance, date rule and categories with their rules; an earlier version read-only."""
    permissions.ensure(request.user, "set_up")
    scheme = _scheme(scheme_id)
    rows = [(category, categories.explain(category)) for category in scheme.categories.all()]
    return render(request, "setup/council/scheme.html", {
        "scheme": scheme,
        "rows": rows,
        "committees": list(scheme.committees.all()),
        "in_use": _in_use(scheme),
        "versions": selectors.scheme_versions(scheme),
        "meetings": selectors.meetings_using(scheme) if scheme.retired else [],
    })


@login_required
def setup_scheme_change(request, scheme_id):
    permissions.ensure(request.user, "set_up")
    scheme = _scheme(scheme_id)
    if scheme.retired:
        return _earlier_version(request, scheme)

    def save(data):
        if all(getattr(scheme, name) == value for name, value in data.items()):
            return _unchanged(request, scheme)
        target = services.update_scheme(scheme, by=request.user, **data)
        return _changed(request, scheme, target, f"{target.name} has been saved.")

    submission = submit(
        request, lambda data, version=None: SchemeForm(data, initial=SchemeForm.initial_for(scheme)), save,
    )
    return render_form(request, "setup/council/scheme_form.html", {"scheme": scheme, "in_use": _in_use(scheme)},
                       submission)


def _category_page(request, scheme: AssessmentScheme, category: Category | None):
    def make_form(data, version=None):
        return CategoryForm(
            data, scheme_categories=list(scheme.categories.all()), category=category,
            initial=CategoryForm.initial_for(category) if category else {},
        )

    def save(data):
        fields = CategoryForm.service_fields(data)
        if category is not None and all(getattr(category, name) == value for name, value in fields.items()):
            return _unchanged(request, scheme)
        saved = services.save_category(scheme, category, by=request.user, **fields)
        target = AssessmentScheme.objects.get(pk=saved.scheme_id)
        return _changed(request, scheme, target, f"“{saved}” has been {'saved' if category else 'added'}.")

    submission = submit(request, make_form, save)
    return render_form(request, "setup/council/category_form.html", {
        "scheme": scheme, "category": category, "in_use": _in_use(scheme),
    }, submission)


@login_required
def setup_category_new(request, scheme_id):
    permissions.ensure(request.user, "set_up")
    scheme = _scheme(scheme_id)
    if scheme.retired:
        return _earlier_version(request, scheme)
    return _category_page(request, scheme, None)


def _category(scheme: AssessmentScheme, category_id) -> Category:
    category = next((c for c in scheme.categories.all() if c.pk == category_id), None)
    if category is None:
        raise Http404("No such category in this scheme.")
    return category


@login_required
def setup_category(request, scheme_id, category_id):
    permissions.ensure(request.user, "set_up")
    scheme = _scheme(scheme_id)
    category = _category(scheme, category_id)
    if scheme.retired:
        return _earlier_version(request, scheme)
    return _category_page(request, scheme, category)


@login_required
def setup_category_remove(request, scheme_id, category_id):
    """Ask first; then take the category out (a scheme in use keeps it in its earlier version)."""
    permissions.ensure(request.user, "set_up")
    scheme = _scheme(scheme_id)
    category = _category(scheme, category_id)
    if scheme.retired:
        return _earlier_version(request, scheme)
    if request.method == "POST":
        try:
            target = services.remove_category(scheme, category, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("setup_scheme", scheme_id=scheme.pk)
        return _changed(request, scheme, target, f"“{category}” has been removed.")
    return render(request, "setup/council/category_remove.html", {
        "scheme": scheme, "category": category, "in_use": _in_use(scheme), "left": len(scheme.categories.all()) - 1,
    })


@login_required
@require_POST
def setup_category_move(request, scheme_id, category_id):
    """Move a category up or down the scheme's printed order (buttons on the scheme's page)."""
    permissions.ensure(request.user, "set_up")
    scheme = _scheme(scheme_id)
    category = _category(scheme, category_id)
    up = request.POST.get("direction") != "down"
    try:
        target = services.move_category(scheme, category, by=request.user, up=up)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("setup_scheme", scheme_id=scheme.pk)
    return _changed(request, scheme, target, f"“{category}” has been moved {'up' if up else 'down'}.")
