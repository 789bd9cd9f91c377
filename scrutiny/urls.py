from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Scrutiny tracking"
admin.site.site_title = "Scrutiny tracking"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("tracker.urls")),
]

# Every refusal (PermissionDenied from tracker.permissions) is shown by one page, in its own words.
handler403 = "tracker.views.common.permission_denied"
# The database lost on the way out of a page (reading or saving the session) is a 503 "try again" too.
handler400 = "tracker.unavailable.bad_request"
handler500 = "tracker.unavailable.server_error"
