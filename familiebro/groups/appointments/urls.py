from django.urls import path

from . import public_views, views

app_name = "appointments"
urlpatterns = [
    path("ansatt/timebok/", views.book_list, name="books"),
    path("ansatt/timebok/ny/", views.book_create, name="book-create"),
    path("ansatt/timebok/<int:book_id>/", views.book_day, name="book"),
    path("ansatt/timebok/<int:book_id>/lag-timer/", views.make_slots, name="make-slots"),
    path("ansatt/timebok/<int:book_id>/ekstra-time/", views.add_slot, name="add-slot"),
    path(
        "ansatt/timebok/<int:book_id>/timer/<int:slot_id>/bestill/",
        views.book_slot,
        name="book-slot",
    ),
    path("ansatt/timebok/avtaler/<int:booking_id>/", views.booking, name="booking"),
    path("ansatt/timebok/avtaler/<int:booking_id>/oppmote/", views.no_show, name="no-show"),
    path("ansatt/timebok/avtaler/<int:booking_id>/avlys/", views.cancel, name="cancel"),
    path("ansatt/timebok/avtaler/<int:booking_id>/oppfolging/", views.follow_up, name="follow-up"),
    path("timebestilling/<int:book_id>/", public_views.choose, name="choose"),
    path("timebestilling/<int:book_id>/<int:slot_id>/", public_views.confirm, name="confirm"),
    path("timebestilling/avbestill/<str:token>/", public_views.cancel_link, name="cancel-link"),
    path("min-side/timer/", public_views.mine, name="mine"),
    path("min-side/timer/timer.ics", public_views.calendar_file, name="calendar-file"),
    path(
        "min-side/timer/<int:booking_id>/avbestill/", public_views.cancel_mine, name="cancel-mine"
    ),
]
