"""The set-up pages for people and the owners they act for."""

from django.urls import path

from tracker.views.setup import people

urlpatterns = [
    path("people/", people.setup_people, name="setup_people"),
    path("people/invite/", people.setup_person_invite, name="setup_person_invite"),
    path("people/<id:person_id>/", people.setup_person, name="setup_person"),
    path("people/<id:person_id>/deactivate/", people.setup_person_deactivate, name="setup_person_deactivate"),
    path("people/<id:person_id>/reactivate/", people.setup_person_reactivate, name="setup_person_reactivate"),
    path("people/<id:person_id>/invitation/", people.setup_person_invite_again, name="setup_person_invite_again"),
    path("owners/", people.setup_owners, name="setup_owners"),
    path("owners/new/", people.setup_owner_new, name="setup_owner_new"),
    path("owners/<id:owner_id>/", people.setup_owner, name="setup_owner"),
]
