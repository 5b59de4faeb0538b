"""Editor pages: offers (/ansatt/tilbud/…), crisis numbers and the programme register."""

from django.urls import path

from . import editor_views, register_views

urlpatterns = [
    path("ansatt/krisenummer/", register_views.crisis_line_list, name="crisis-line-list"),
    path("ansatt/krisenummer/nytt/", register_views.crisis_line_edit, name="crisis-line-create"),
    path(
        "ansatt/krisenummer/<int:line_id>/",
        register_views.crisis_line_edit,
        name="crisis-line-edit",
    ),
    path("ansatt/program/", register_views.programme_list, name="programme-register-list"),
    path("ansatt/program/nytt/", register_views.programme_edit, name="programme-register-create"),
    path(
        "ansatt/program/<slug:slug>/", register_views.programme_edit, name="programme-register-edit"
    ),
    path("ansatt/tilbud/", editor_views.offer_list, name="offer-editor-list"),
    path("ansatt/tilbud/nytt/", editor_views.offer_create, name="offer-editor-create"),
    path(
        "ansatt/tilbud/eksport.csv", editor_views.offer_export_csv, name="offer-editor-export-csv"
    ),
    path(
        "ansatt/tilbud/eksport.json",
        editor_views.offer_export_hsds,
        name="offer-editor-export-hsds",
    ),
    path("ansatt/tilbud/import/", editor_views.offer_import, name="offer-editor-import"),
    path("ansatt/tilbud/sokeord/", editor_views.thesaurus_edit, name="thesaurus-editor"),
    path("ansatt/tilbud/<uuid:offer_id>/", editor_views.offer_edit, name="offer-editor-edit"),
    path(
        "ansatt/tilbud/<uuid:offer_id>/forhandsvisning/",
        editor_views.offer_preview,
        name="offer-editor-preview",
    ),
    path(
        "ansatt/tilbud/<uuid:offer_id>/publiser/",
        editor_views.offer_publish,
        name="offer-editor-publish",
    ),
    path(
        "ansatt/tilbud/<uuid:offer_id>/bekreft/",
        editor_views.offer_verify,
        name="offer-editor-verify",
    ),
    path(
        "ansatt/tilbud/<uuid:offer_id>/trekk-tilbake/",
        editor_views.offer_retire,
        name="offer-editor-retire",
    ),
    path(
        "ansatt/tilbud/<uuid:offer_id>/oversettelser/<str:language>/",
        editor_views.offer_translation,
        name="offer-editor-translation",
    ),
    path(
        "ansatt/tilbud/<uuid:offer_id>/oversettelser/<str:language>/fjern/",
        editor_views.offer_translation_remove,
        name="offer-editor-translation-remove",
    ),
]
