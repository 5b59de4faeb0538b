from django.urls import path

from . import consultation_views as views

urlpatterns = [
    path("ansatt/drofting/", views.consultation_list, name="consultation-list"),
    path("ansatt/drofting/ny/", views.consultation_create, name="consultation-create"),
    path("ansatt/drofting/<int:pk>/", views.consultation_detail, name="consultation-detail"),
    path(
        "ansatt/drofting/<int:pk>/melding/",
        views.consultation_report_made,
        name="consultation-report-made",
    ),
]
