"""The set-up pages for council."""

urlpatterns = []
