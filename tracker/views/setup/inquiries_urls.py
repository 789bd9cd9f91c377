"""The set-up pages for inquiries and their recommendations (under /setup/)."""

from django.urls import path

from tracker.views.setup import inquiries, inquiry_imports

urlpatterns = [
    path("inquiries/", inquiries.inquiry_list, name="setup_inquiries"),
    path("inquiries/new/", inquiries.inquiry_new, name="setup_inquiry_new"),
    path("inquiries/<id:inquiry_id>/", inquiries.inquiry_detail, name="setup_inquiry"),
    path("inquiries/<id:inquiry_id>/change/", inquiries.inquiry_change, name="setup_inquiry_change"),
    path("inquiries/<id:inquiry_id>/transfer/", inquiries.inquiry_transfer, name="setup_inquiry_transfer"),
    path("inquiries/<id:inquiry_id>/paste/", inquiry_imports.inquiry_paste, name="setup_inquiry_paste"),
    path("inquiries/<id:inquiry_id>/import/", inquiry_imports.inquiry_import, name="setup_inquiry_import"),
    path("inquiries/<id:inquiry_id>/recommendations/new/", inquiries.recommendation_new,
         name="setup_recommendation_new"),
    path("recommendations/<id:recommendation_id>/", inquiries.recommendation_change, name="setup_recommendation"),
    path("recommendations/<id:recommendation_id>/withdraw/", inquiries.recommendation_withdraw,
         name="setup_recommendation_withdraw"),
    path("recommendations/<id:recommendation_id>/order/", inquiries.recommendation_move,
         name="setup_recommendation_move"),
    path("recommendations/<id:recommendation_id>/transfer/", inquiries.recommendation_transfer,
         name="setup_recommendation_transfer"),
]
