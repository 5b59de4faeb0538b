from django.urls import path

from . import export_views as views

urlpatterns = [
    path(
        "ansatt/personer/<int:pk>/innsyn/eksport.json",
        views.person_export_json,
        name="person-export-json",
    ),
    path(
        "ansatt/personer/<int:pk>/innsyn/eksport.pdf",
        views.person_export_pdf,
        name="person-export-pdf",
    ),
]
