"""Figures for leaders: /ansatt/tall/…"""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("ansatt/tall/", views.dashboard, name="dashboard"),
    path("ansatt/tall/tall.csv", views.export_csv, name="export-csv"),
    path("ansatt/tall/tall.xlsx", views.export_xlsx, name="export-xlsx"),
]
