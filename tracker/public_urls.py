"""The public register, signed out (tracker.views.public)."""

from django.urls import path

from tracker.views import public

app_name = "public"

urlpatterns = [
    path("", public.home, name="home"),
    path("committees/<id:committee_id>/", public.committee, name="committee"),
    path("inquiries/<id:inquiry_id>/", public.inquiry, name="inquiry"),
    path("recommendations/<id:recommendation_id>/", public.recommendation, name="recommendation"),
    path("packs/<id:pack_id>/download/", public.pack_download, name="pack_download"),
    path("search/", public.search, name="search"),
]
