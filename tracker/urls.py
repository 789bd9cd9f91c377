from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from tracker.converters import IdConverter
from tracker.forms import SignInForm
from tracker.views import (
    attachments,
    bulk,
    cabinet,
    cover,
    emails,
    home,
    impact,
    meetings,
    officer,
    overview,
    search,
    timeline,
)

register_converter(IdConverter, "id")

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/emails/", emails.my_emails, name="my_emails"),
    # Officers
    path("my-recommendations/", officer.officer_home, name="officer_home"),
    path("my-recommendations/meetings/<id:meeting_id>/", officer.officer_meeting, name="officer_meeting"),
    path(
        "meetings/<id:meeting_id>/recommendations/<id:recommendation_id>/evidence/new/",
        officer.add_evidence,
        name="add_evidence",
    ),
    path(
        "meetings/<id:meeting_id>/recommendations/<id:recommendation_id>/evidence/late/",
        officer.add_late_evidence,
        name="add_late_evidence",
    ),
    path("evidence/<id:update_id>/correct/", officer.edit_evidence, name="edit_evidence"),
    path("evidence/<id:update_id>/attach/", attachments.attach_to_evidence, name="attach_to_evidence"),
    path("attachments/<id:attachment_id>/", attachments.download, name="attachment"),
    path("public/attachments/<id:attachment_id>/", attachments.public_download, name="public_attachment"),
    # Cabinet members
    path("portfolio/", cabinet.cabinet_home, name="cabinet_home"),
    path("portfolio/meetings/<id:meeting_id>/", cabinet.cabinet_meeting, name="cabinet_meeting"),
    path("portfolio/meetings/<id:meeting_id>/proposals/", bulk.portfolio_proposals, name="portfolio_proposals"),
    path("assessments/<id:assessment_id>/proposal/", cabinet.propose, name="propose"),
    # Meetings: the scrutiny office runs them, everyone reads them
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<id:meeting_id>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<id:meeting_id>/change/", meetings.meeting_change, name="meeting_change"),
    path("meetings/<id:meeting_id>/recommendations/", meetings.meeting_choose, name="meeting_choose"),
    path(
        "meetings/<id:meeting_id>/recommendations/<id:recommendation_id>/",
        meetings.tracked_recommendation,
        name="tracked_recommendation",
    ),
    path("meetings/<id:meeting_id>/advance/", meetings.meeting_advance, name="meeting_advance"),
    path("meetings/<id:meeting_id>/decisions/", bulk.meeting_decisions, name="meeting_decisions"),
    path("assessments/<id:assessment_id>/decision/", meetings.decide, name="decide"),
    path("meetings/<id:meeting_id>/cover/<id:inquiry_id>/", cover.cover_report, name="cover_report"),
    # Everyone reads
    path("recommendations/", timeline.recommendation_list, name="recommendation_list"),
    path("recommendations/download.xlsx", timeline.recommendation_download, {"extension": "xlsx"},
         name="recommendations_xlsx"),
    path("recommendations/download.csv", timeline.recommendation_download, {"extension": "csv"},
         name="recommendations_csv"),
    path("recommendations/<id:recommendation_id>/", timeline.timeline, name="timeline"),
    path("search/", search.search, name="search"),
    # The overview of the round: the scrutiny office and committee members
    path("overview/", overview.overview, name="overview"),
    # The annual impact report: the scrutiny office and committee members
    path("impact/", impact.impact_report, name="impact_report"),
    path("impact/report.pdf", impact.impact_pdf, name="impact_pdf"),
    path("impact/report.docx", impact.impact_docx, name="impact_docx"),
    # The meeting pack (its own module)
    path("", include("tracker.pack.urls")),
    # The public register: what has been published, for anyone, signed out
    path("public/", include("tracker.public_urls")),
    # Setting up the council, its committees, schemes, inquiries and people (scrutiny office)
    path("setup/", include("tracker.views.setup.urls")),
    # Open data: the public facts as JSON and CSV, for anyone (tracker.api)
    path("api/v1/", include("tracker.api.urls")),
]
