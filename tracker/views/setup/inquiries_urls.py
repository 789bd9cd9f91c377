"""The set-up pages for inquiries."""

urlpatterns = []
