"""The set-up pages for people."""

urlpatterns = []
