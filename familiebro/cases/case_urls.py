"""Cases on the collaboration pathway: /ansatt/saker/…"""

from django.urls import path

from . import case_views

app_name = "cases"

urlpatterns = [
    path("ansatt/saker/", case_views.my_cases, name="mine"),
    path("ansatt/saker/<int:pk>/", case_views.detail, name="detail"),
]
