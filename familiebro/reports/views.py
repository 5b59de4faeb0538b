"""The leader's dashboard and its exports: thin views over reports.pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from familiebro.core.decorators import staff_required

from . import charts, exports, pages, periods, permissions
from .forms import PeriodForm
from .periods import CUSTOM, Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read(request: HttpRequest) -> tuple[PeriodForm, pages.Dashboard | None]:
    """The form as filled in, and the figures it asks for (None when it has errors)."""
    permissions.require_scope(request.user, None)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, pages.dashboard(request.user, form.cleaned_data["omfang"], form.period)


def _query(board: pages.Dashboard, period: Period) -> str:
    """The address's query for the same figures over `period`."""
    fields = {
        "omfang": board.scope.key,
        "periode": period.kind,
        "fra": period.first_day.isoformat(),
    }
    if period.kind == CUSTOM:
        fields["til"] = period.last_day.isoformat()
    return urlencode(fields)


@never_cache
@staff_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form, board = _read(request)
    if board is None:
        return render(
            request,
            "reports/dashboard.html",
            {"form": form, "scopes": permissions.scopes_for(request.user)},
            status=400,
        )
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "board": board,
            "scopes": board.scopes,
            "sections": [
                (view, charts.bar_chart(view) if view.is_breakdown else None)
                for view in board.figures
            ],
            "query": _query(board, board.period),
            "previous_query": _query(board, board.previous),
            "following_query": _query(board, board.period.following()),
            "kinds": periods.KINDS,
        },
    )


def _export(
    request: HttpRequest, suffix: str, content_type: str, write: Callable[[Any], Any]
) -> HttpResponse:
    _form, board = _read(request)
    if board is None:
        return HttpResponse(
            _("The period could not be read. Choose it again on the figures page."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    period = board.period
    name = f"tall-{period.first_day:%Y-%m-%d}-{period.last_day:%Y-%m-%d}.{suffix}"
    response = HttpResponse(write(board), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@staff_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv", "text/csv; charset=utf-8", exports.as_csv)


@never_cache
@staff_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx", XLSX, exports.as_xlsx)
