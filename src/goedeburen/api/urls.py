"""`/api/v1/`: the REST API, its OpenAPI document and the browsable reference."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import schema, views  # noqa: F401 - schema extends drf-spectacular's document

app_name = "api"

router = SimpleRouter()
router.register("organisers", views.OrganiserViewSet, basename="organiser")
router.register("events", views.EventViewSet, basename="event")

event = "events/<slug:event>/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    path(f"{event}rounds/", views.RoundList.as_view(), name="round-list"),
    path(f"{event}sessions/", views.SessionList.as_view(), name="session-list"),
    path(f"{event}items/", views.ItemList.as_view(), name="item-list"),
    path(f"{event}speakers/", views.SpeakerList.as_view(), name="speaker-list"),
    path(f"{event}projects/", views.ProjectList.as_view(), name="project-list"),
    path(f"{event}rooms/", views.RoomList.as_view(), name="room-list"),
    path(f"{event}ticket-types/", views.TicketTypeList.as_view(), name="tickettype-list"),
    path(f"{event}quotas/", views.QuotaList.as_view(), name="quota-list"),
    path(f"{event}registrations/", views.RegistrationList.as_view(), name="registration-list"),
    path(
        f"{event}registrations/<str:code>/",
        views.RegistrationDetail.as_view(),
        name="registration-detail",
    ),
    path(f"{event}attendees/", views.AttendeeList.as_view(), name="attendee-list"),
    path(
        f"{event}attendees/<int:attendee>/",
        views.AttendeeDetail.as_view(),
        name="attendee-detail",
    ),
    path(f"{event}questions/", views.QuestionList.as_view(), name="question-list"),
    path(f"{event}answers/", views.AnswerList.as_view(), name="answer-list"),
    path(f"{event}payments/", views.PaymentList.as_view(), name="payment-list"),
    path(f"{event}payments/<int:pk>/", views.PaymentDetail.as_view(), name="payment-detail"),
    path(f"{event}invoices/", views.InvoiceList.as_view(), name="invoice-list"),
    path(f"{event}invoices/<int:pk>/", views.InvoiceDetail.as_view(), name="invoice-detail"),
    path(f"{event}invoices/<int:pk>/pdf/", views.InvoicePdf.as_view(), name="invoice-pdf"),
    path(f"{event}invoices/<int:pk>/ubl/", views.InvoiceUbl.as_view(), name="invoice-ubl"),
    path(f"{event}mails/", views.MailList.as_view(), name="mail-list"),
    path(f"{event}assignment-runs/", views.RunList.as_view(), name="run-list"),
    path(f"{event}assignment-runs/<int:pk>/", views.RunDetail.as_view(), name="run-detail"),
    path(f"{event}placements/", views.PlacementList.as_view(), name="placement-list"),
    path(f"{event}check-ins/", views.CheckInList.as_view(), name="checkin-list"),
    path(f"{event}survey-results/", views.SurveyResults.as_view(), name="survey-results"),
    path(
        "organisers/<slug:organiser>/bank-lines/",
        views.BankLineList.as_view(),
        name="bankline-list",
    ),
    # Anything else under /api/v1/: a problem document, not the site's HTML page.
    re_path(r"^.*$", views.not_found, name="not-found"),
]
