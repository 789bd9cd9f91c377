from django.urls import path

from tracker.pack import views

urlpatterns = [
    path("meetings/<id:meeting_id>/pack/", views.pack_versions, name="pack_versions"),
    path("meetings/<id:meeting_id>/pack/preview/", views.pack_preview, name="pack_preview"),
    path("meetings/<id:meeting_id>/pack.pdf", views.pack_pdf, name="pack_pdf"),
    path("meetings/<id:meeting_id>/pack.docx", views.pack_docx, name="pack_docx"),
    path("meetings/<id:meeting_id>/pack/publish/", views.pack_publish, name="pack_publish"),
    path("meetings/<id:meeting_id>/pack/supplement/", views.pack_publish_supplement, name="pack_publish_supplement"),
    path("meetings/<id:meeting_id>/pack/builds/<id:build_id>/", views.pack_build, name="pack_build"),
    path("meetings/<id:meeting_id>/pack/builds/<id:build_id>/progress.json", views.pack_build_progress,
         name="pack_build_progress"),
    path("meetings/<id:meeting_id>/pack/builds/<id:build_id>/download/", views.pack_build_download,
         name="pack_build_download"),
    path("packs/<id:pk>/download/", views.pack_download, name="pack_download"),
]
