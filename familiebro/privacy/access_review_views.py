"""The data controller's review of the access log: /ansatt/tilgangskontroll/"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from familiebro.core.decorators import staff_required
from familiebro.core.forms import StyledForm
from familiebro.core.responses import forbidden

from . import access_review


class PeriodForm(StyledForm):
    fra = forms.CharField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    til = forms.CharField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReviewForm(StyledForm):
    notes = forms.CharField(
        label=gettext_lazy("Your notes from the review"),
        help_text=gettext_lazy(
            "What you checked, and what you will follow up with whom, or that nothing needs "
            "it. Name staff if needed, never the families."
        ),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 30}),
        max_length=4000,
        required=False,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    organisation_id = data.get("virksomhet")
    period_form = PeriodForm({"fra": data.get("fra", ""), "til": data.get("til", "")})
    period_form.is_valid()
    form = ReviewForm(request.POST or None)
    start, end = data.get("fra"), data.get("til")
    try:
        if request.method == "POST" and form.is_valid():
            try:
                recorded = access_review.record_review(
                    request.user,
                    organisation_id=organisation_id,
                    start=start,
                    end=end,
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    target = form if name in form.fields else period_form
                    target.add_error(name if name in target.fields else None, errors)
            else:
                messages.success(request, _("Your review is recorded."))
                query = urlencode(
                    {
                        "virksomhet": str(recorded.organisation_id),
                        "fra": recorded.period_start.isoformat(),
                        "til": recorded.period_end.isoformat(),
                    }
                )
                return redirect(f"{reverse('access-review')}?{query}")
        try:
            page = access_review.review_page(
                request.user, organisation_id=organisation_id, start=start, end=end
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                period_form.add_error(name if name in period_form.fields else None, errors)
            page = access_review.review_page(request.user, organisation_id=organisation_id)
    except PermissionDenied as exc:
        return forbidden(request, str(exc), reverse("staff-home"), _("Back to my page"))
    failed = bool(period_form.errors or form.errors)
    if not period_form.errors:
        # The dates of the period shown, also when none were asked for (the last 30 days).
        period_form = PeriodForm(
            {"fra": page.period.start.isoformat(), "til": page.period.end.isoformat()}
        )
    return render(
        request,
        "privacy/access_review/review.html",
        {"page": page, "period_form": period_form, "form": form},
        status=400 if failed else 200,
    )
