"""The open data API's addresses, under /api/v1/ (tracker.urls)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from tracker.api import views

app_name = "api"


class Router(DefaultRouter):
    APIRootView = views.Root
    include_format_suffixes = False  # JSON only; the CSV files have addresses of their own


router = Router()
for prefix, (viewset, basename) in views.VIEWSETS.items():
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("openapi.json", views.OpenAPI.as_view(), name="openapi"),
    *(path(f"{name}.csv", views.csv_download(name), name=f"{name}-csv") for name in views.CSV_DOWNLOADS),
    *router.urls,
]
