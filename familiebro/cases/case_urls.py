"""Cases on the collaboration pathway: /ansatt/saker/…"""

from django.urls import path

from . import case_views as views
from .deadlines import views as deadline_views
from .meetings import views as meeting_views

app_name = "cases"

case = "ansatt/saker/<int:pk>/"
handover = case + "koordinator/<int:handover_id>/"
measure = case + "tiltak/<int:measure_id>/"
urlpatterns = [
    path("ansatt/saker/", views.my_cases, name="mine"),
    path("ansatt/saker/ny/", views.open_case, name="open"),
    path("ansatt/fordeling/", views.allocation, name="allocation"),
    path("ansatt/individuelle-planer/", views.plan_register, name="plan-register"),
    # The sections of the case page; the log's is at logg/, where entries are posted.
    path(case, views.detail, name="detail"),
    path(case + "mal-og-tiltak/", views.goals, name="goals"),
    path(case + "moter/", views.meetings, name="meetings"),
    path(case + "deltakere-og-samtykker/", views.participants, name="participants"),
    path(case + "plan-og-vedtak/", views.decisions, name="decisions"),
    path(case + "beslutning/", views.decide, name="decide"),
    path(case + "milepel/", views.milestone, name="milestone"),
    path(case + "koordinator/", views.offer_handover, name="offer-handover"),
    path(handover + "godta/", views.accept_handover, name="accept-handover"),
    path(handover + "avsla/", views.decline_handover, name="decline-handover"),
    path(handover + "trekk/", views.withdraw_handover, name="withdraw-handover"),
    path(case + "deltakere/", views.add_participant, name="add-participant"),
    path(
        case + "deltakere/<int:participant_id>/avslutt/",
        views.end_participation,
        name="end-participation",
    ),
    path(case + "samtykker/ny/", views.record_consent, name="record-consent"),
    path(case + "frigi/", views.release_to_family, name="release-to-family"),
    path(case + "mal/", views.add_goal, name="add-goal"),
    path(case + "tiltak/", views.add_measure, name="add-measure"),
    path(measure, views.change_measure, name="measure"),
    path(measure + "evaluering/", views.evaluate_measure, name="evaluate-measure"),
    path(case + "plan/", views.start_plan, name="start-plan"),
    path(case + "plan/avslutt/", views.end_plan, name="end-plan"),
    path(case + "rettigheter/", views.record_plan_decision, name="record-plan-decision"),
    path(case + "plan/individuell-plan.pdf", views.plan_pdf, name="plan-pdf"),
    path(case + "logg/alle/", views.log, name="log"),
    path(case + "logg/", views.write_log_entry, name="write-log"),
    path(case + "logg/<int:entry_id>/rett/", views.correct_log_entry, name="correct-log"),
    path("ansatt/tilbakemeldinger/<int:pk>/", views.feedback, name="feedback"),
    path("ansatt/frister/", deadline_views.deadlines, name="deadlines"),
    path("ansatt/varsler/", deadline_views.notifications, name="notifications"),
    path(
        "ansatt/varsler/lest/",
        deadline_views.mark_notifications_read,
        name="notifications-read",
    ),
]

meetings = case + "moter/"
meeting = meetings + "<int:meeting_id>/"
urlpatterns += [
    path(meetings + "ny/", meeting_views.plan_meeting, name="plan-meeting"),
    path(meeting, meeting_views.meeting, name="meeting"),
    path(meeting + "invitasjoner/", meeting_views.invite, name="invite"),
    path(meeting + "flytt/", meeting_views.move_meeting, name="move-meeting"),
    path(meeting + "avlys/", meeting_views.cancel_meeting, name="cancel-meeting"),
    path(meeting + "referat/", meeting_views.save_minutes, name="save-minutes"),
    path(meeting + "referat/godkjenn/", meeting_views.approve_minutes, name="approve-minutes"),
    path(meeting + "tiltak/", meeting_views.add_measure, name="meeting-measure"),
]
