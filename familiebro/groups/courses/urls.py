from django.urls import path

from . import public_views, views

app_name = "courses"
urlpatterns = [
    path("ansatt/kurs/", views.course_list, name="list"),
    path("ansatt/kurs/nytt/", views.new_course, name="new"),
    path("ansatt/kurs/<uuid:course_id>/", views.course_detail, name="detail"),
    path("ansatt/kurs/<uuid:course_id>/samlinger/ny/", views.new_session, name="new-session"),
    path("ansatt/kurs/<uuid:course_id>/ledere/", views.add_leader, name="add-leader"),
    path("ansatt/kurs/<uuid:course_id>/pamelding/", views.enrol, name="enrol"),
    path(
        "ansatt/kurs/<uuid:course_id>/deltakere/<uuid:enrolment_id>/avmeld/",
        views.cancel,
        name="cancel-participant",
    ),
    path(
        "ansatt/kurs/<uuid:course_id>/samlinger/<int:session_id>/oppmote/",
        views.attendance,
        name="attendance",
    ),
    path("tilbud/<uuid:offer_id>/kurs/", public_views.offer_courses, name="offer-courses"),
    path("kurs/<uuid:course_id>/", public_views.course_page, name="public"),
    path("kurs/<uuid:course_id>/bekreft/", public_views.verify, name="verify"),
    path("kurs/<uuid:course_id>/kalender.ics", public_views.course_ical, name="ical"),
    path("kurs/avmeld/<str:token>/", public_views.cancel_link, name="cancel"),
    path("kurs/ta-plassen/<str:token>/", public_views.claim_link, name="claim"),
    path("min-side/kurs/", public_views.my_courses, name="mine"),
    path("min-side/kurs/<uuid:enrolment_id>/avmeld/", public_views.my_cancel, name="my-cancel"),
]
