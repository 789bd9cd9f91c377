from django.urls import include, path

from tracker.views.setup import home

urlpatterns = [
    path("", home.setup_home, name="setup_home"),
    path("", include("tracker.views.setup.council_urls")),
    path("", include("tracker.views.setup.inquiries_urls")),
    path("", include("tracker.views.setup.people_urls")),
]
