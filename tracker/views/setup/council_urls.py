"""The set-up pages for the council, its committees and its assessment schemes."""

from django.urls import path

from tracker.views.setup import committees, council, schemes

urlpatterns = [
    path("council/", council.setup_council, name="setup_council"),
    path("council/change/", council.setup_council_change, name="setup_council_change"),
    path("council/logo/", council.setup_council_logo, name="setup_council_logo"),
    path("council/words/", council.setup_council_words, name="setup_council_words"),
    path("committees/", committees.setup_committees, name="setup_committees"),
    path("committees/new/", committees.setup_committee_new, name="setup_committee_new"),
    path("committees/<id:committee_id>/", committees.setup_committee, name="setup_committee"),
    path("schemes/", schemes.setup_schemes, name="setup_schemes"),
    path("schemes/new/", schemes.setup_scheme_new, name="setup_scheme_new"),
    path("schemes/<id:scheme_id>/", schemes.setup_scheme, name="setup_scheme"),
    path("schemes/<id:scheme_id>/change/", schemes.setup_scheme_change, name="setup_scheme_change"),
    path("schemes/<id:scheme_id>/categories/new/", schemes.setup_category_new, name="setup_category_new"),
    path("schemes/<id:scheme_id>/categories/<id:category_id>/", schemes.setup_category, name="setup_category"),
    path("schemes/<id:scheme_id>/categories/<id:category_id>/remove/", schemes.setup_category_remove,
         name="setup_category_remove"),
    path("schemes/<id:scheme_id>/categories/<id:category_id>/move/", schemes.setup_category_move,
         name="setup_category_move"),
]
