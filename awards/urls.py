from django.urls import include, path

from .views import (
    authorities,
    bulk_nominations,
    catalogue,
    documents,
    eligibility,
    history,
    nominations,
    review,
    search,
    sessions,
)
from .views.publication import decision_publish, decision_unpublish, published_admin
from .views.session_minutes import session_minutes as minutes_pdf

urlpatterns = [
    path("catalogue/", catalogue.award_type_list, name="award_type_list"),
    path("catalogue/<str:code>/", catalogue.award_type_detail, name="award_type_detail"),
    path("catalogue/<str:code>/rules/new/", catalogue.award_rules_edit, name="award_rules_edit"),
    path("base-salary/", catalogue.base_salary_list, name="base_salary_list"),
    path("base-salary/new/", catalogue.base_salary_create, name="base_salary_create"),
    path("search/", search.search, name="search"),
    path("people/<int:pk>/", history.person_awards, name="person_awards"),
    path("units/<int:pk>/", history.unit_awards, name="unit_awards"),
    path("households/<int:pk>/", history.household_awards, name="household_awards"),
    path("eligibility/", eligibility.eligibility_check, name="eligibility_check"),
    path("history-import/", include("awards.views.imports")),
    path("authorities/", authorities.authority_list, name="authority_list"),
    path("authorities/new/", authorities.authority_create, name="authority_create"),
    path(
        "nominations/<int:pk>/documents/upload/",
        documents.nomination_document_upload,
        name="nomination_document_upload",
    ),
    path(
        "nominations/<int:pk>/documents/<int:doc_pk>/",
        documents.nomination_document_download,
        name="nomination_document_download",
    ),
    path(
        "nominations/<int:pk>/documents/<int:doc_pk>/remove/",
        documents.nomination_document_remove,
        name="nomination_document_remove",
    ),
    path("review/", review.review_list, name="review_list"),
    path("review/bulk/", review.review_bulk, name="review_bulk"),
    path("review/<int:pk>/", review.review_stage, name="review_stage"),
    path("review/<int:pk>/act/", review.review_act, name="review_act"),
    path("review/letters/<int:pk>/", review.review_letter, name="review_letter"),
]

urlpatterns += [
    path("nominations/", nominations.nomination_list, name="nomination_list"),
    path("nominations/new/", nominations.nomination_create, name="nomination_create"),
    path("nominations/<int:pk>/", nominations.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/edit/", nominations.nomination_edit, name="nomination_edit"),
    path("nominations/<int:pk>/resubmit/", nominations.nomination_resubmit, name="nomination_resubmit"),
    path("letters/", nominations.submission_list, name="submission_list"),
    path("letters/new/", nominations.submission_create, name="submission_create"),
    path("letters/<int:pk>/", nominations.submission_detail, name="submission_detail"),
    path("letters/<int:pk>/add/", nominations.submission_add, name="submission_add"),
    path("letters/<int:pk>/send/", nominations.submission_send, name="submission_send"),
    path("letters/<int:pk>/recall/", nominations.submission_recall, name="submission_recall"),
]

# Nominations in bulk from a campaign's registrations or a bloc's result, and a campaign's registered targets.
urlpatterns += [
    path("nominations/bulk/", bulk_nominations.bulk_nomination_sources, name="bulk_nomination_sources"),
    path(
        "nominations/bulk/campaigns/<int:pk>/units/<int:unit_pk>/",
        bulk_nominations.bulk_from_registration,
        name="bulk_from_registration",
    ),
    path("nominations/bulk/blocs/<int:pk>/", bulk_nominations.bulk_from_bloc, name="bulk_from_bloc"),
    path("campaigns/<int:pk>/targets/", bulk_nominations.campaign_targets, name="campaign_targets"),
]

# Council sessions: the list, a new session, one session with the secretariat's actions, the agenda picker and a
# member's secret ballot (issue 6).
urlpatterns += [
    path("sessions/", sessions.session_list, name="session_list"),
    path("sessions/new/", sessions.session_create, name="session_create"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/agenda/", sessions.session_agenda, name="session_agenda"),
    path("sessions/<int:pk>/act/", sessions.session_act, name="session_act"),
    path("sessions/<int:pk>/ballot/", sessions.session_ballot, name="session_ballot"),
]

# The minutes and ballot-count minutes of a closed session, as PDF (issue 6).
urlpatterns += [
    path("sessions/<int:pk>/minutes/<str:kind>.pdf", minutes_pdf, name="session_minutes"),
]

# Published award lists (issue 7): the system admins' page of issued decisions, publish and withdraw. The public
# pages are in awards/urls_published.py.
urlpatterns += [
    path("publication/", published_admin, name="published_admin"),
    path("publication/<int:pk>/publish/", decision_publish, name="decision_publish"),
    path("publication/<int:pk>/unpublish/", decision_unpublish, name="decision_unpublish"),
]

# Award decisions (issue 7): the list, a new draft, one decision with its actions, its PDF, its attached list as
# Excel and its signed scan.
from .views import decisions as decision_views  # noqa: E402

urlpatterns += [
    path("decisions/", decision_views.decision_list, name="decision_list"),
    path("decisions/new/", decision_views.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", decision_views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/act/", decision_views.decision_act, name="decision_act"),
    path("decisions/<int:pk>/decision.pdf", decision_views.decision_pdf, name="decision_pdf"),
    path("decisions/<int:pk>/list.xlsx", decision_views.decision_xlsx, name="decision_xlsx"),
    path("decisions/<int:pk>/signed-scan.pdf", decision_views.decision_scan, name="decision_scan"),
]

# Certificates of issued decisions (issue 7): the decision page's panel (generate, progress, downloads), single
# PDFs, and the admins' template preview. The public verification is in awards/urls_verify.py.
from .views import certificates as certificate_views  # noqa: E402

urlpatterns += [
    path("decisions/<int:pk>/certificates/", certificate_views.certificate_panel, name="certificate_panel"),
    path(
        "decisions/<int:pk>/certificates/generate/", certificate_views.certificate_generate, name="certificate_generate"
    ),
    path(
        "decisions/<int:pk>/certificates/print.pdf",
        certificate_views.certificate_batch_pdf,
        name="certificate_batch_pdf",
    ),
    path(
        "decisions/<int:pk>/certificates/all.zip", certificate_views.certificate_batch_zip, name="certificate_batch_zip"
    ),
    path("certificates/<int:pk>.pdf", certificate_views.certificate_pdf, name="certificate_pdf"),
    path("certificates/templates/", certificate_views.certificate_templates, name="certificate_templates"),
    path("certificates/templates/<slug:family>.pdf", certificate_views.certificate_preview, name="certificate_preview"),
]

# The national statistical report of state-level awards, form 0602.N of Circular 02/2023/TT-BNV (issue 9).
from .views import reports as report_views  # noqa: E402

urlpatterns += [
    path("reports/0602/", report_views.report_0602, name="report_0602"),
    path("reports/0602.xlsx", report_views.report_0602_xlsx, name="report_0602_xlsx"),
]

# Statistics of a unit subtree over a range of years (issue 9): the page, its workbook and its PDF report.
from .views import statistics as statistics_views  # noqa: E402

urlpatterns += [
    path("statistics/", statistics_views.statistics_page, name="statistics"),
    path("statistics/statistics.xlsx", statistics_views.statistics_xlsx, name="statistics_xlsx"),
    path("statistics/report.pdf", statistics_views.statistics_pdf, name="statistics_pdf"),
]
