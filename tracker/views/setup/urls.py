from django.urls import include, path

urlpatterns = [
    path("", include("tracker.views.setup.council_urls")),
    path("", include("tracker.views.setup.inquiries_urls")),
    path("", include("tracker.views.setup.people_urls")),
]
