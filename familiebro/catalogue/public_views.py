"""The public finder ("Finn hjelp"), offer pages, their calendar files, the guide and the map.

No login, no JavaScript needed: every page is a plain GET. With htmx, the finder's form
replaces only the results (the same view answers with the results fragment).
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from . import ical
from .finder import crisis, navigation, programme_register, widen
from .finder import programme_map as programmes
from .finder.guide import Asker, guide_destination
from .finder.offer_page import offer_calendar_sessions, offer_page
from .finder.search import page_number, search
from .public_forms import FinderForm, GuideAgeForm, GuideAskerForm, GuideNeedForm

MUNICIPALITY_COOKIE = "fb_kommune"
MUNICIPALITY_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
CONTENT_LANGUAGE_PARAMETER = "språk"


def _is_htmx_fragment_request(request: HttpRequest) -> bool:
    # htmx asks for the whole page again when it restores history from the server.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@require_safe
def finder_page(request: HttpRequest) -> HttpResponse:
    remembered = request.COOKIES.get(MUNICIPALITY_COOKIE, "")
    form = FinderForm(request.GET, remembered_municipality=remembered)
    page = page_number(request.GET.get("side"))
    result = search(form.criteria(), page) if form.is_valid() else None
    fragment = _is_htmx_fragment_request(request)
    language = get_language() or "nb"
    crisis_lines: list = []
    widenings: list[widen.Widening] = []
    if result is not None:
        navigation.distinguish_shared_titles(result.offers)
        criteria = result.criteria
        crisis_lines = crisis.with_descriptions(
            crisis.crisis_lines_for_search(criteria.text, criteria.municipality), language
        )
        if not result.count:
            widenings = widen.ways_to_widen(
                criteria, request.GET, lambda changed: search(changed).count, language
            )
    response = render(
        request,
        "catalogue/_results.html" if fragment else "catalogue/finder.html",
        {
            "form": form,
            "result": result,
            "crisis_lines": crisis_lines,
            "widenings": widenings,
            # The address of these results, for "back to the results" on an offer's page.
            "results_query": navigation.results_query(request.GET.urlencode()),
            "filters_chosen": form.filters_chosen() if result is not None else 0,
        },
        status=200 if result is not None else 400,
    )
    patch_vary_headers(response, ["HX-Request"])
    if "kommune" in request.GET and result is not None:
        chosen = form.cleaned_data["kommune"]
        if chosen:
            response.set_cookie(
                MUNICIPALITY_COOKIE,
                chosen,
                max_age=MUNICIPALITY_COOKIE_MAX_AGE,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        else:
            response.delete_cookie(MUNICIPALITY_COOKIE, samesite="Lax")
    elif remembered and not form.knows_municipality(remembered):
        # A municipality that no longer exists (merged, renamed number): forget it.
        response.delete_cookie(MUNICIPALITY_COOKIE, samesite="Lax")
    return response


@require_safe
def offer_detail(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    page = offer_page(offer_id, request.GET.get(CONTENT_LANGUAGE_PARAMETER, ""))
    return render(
        request,
        "catalogue/offer_detail.html",
        {
            "offer": page.offer,
            "translation": page.translation,
            # Isolated and marked with its language: the name is written in itself ("العربية").
            "missing_language_name": format_html(
                '<bdi lang="{}">{}</bdi>', page.missing_language, page.missing_language_name
            )
            if page.missing_language
            else "",
            "available_languages": page.available_languages,
            "show_language_links": True,
            "results_query": navigation.results_query(
                request.GET.get(navigation.FROM_PARAMETER, "")
            ),
        },
    )


@require_safe
def offer_calendar(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    offer, sessions = offer_calendar_sessions(offer_id)
    offer_url = request.build_absolute_uri(reverse("finder:offer", args=[offer.pk]))
    response = HttpResponse(
        ical.offer_calendar(offer, sessions, offer_url=offer_url),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="tilbud-{offer.pk}.ics"'
    return response


@require_safe
def guide(request: HttpRequest) -> HttpResponse:
    """The guide "Hva trenger du hjelp med?": who are you, how old is the child, what is it about.

    Each step is a small GET form carrying the earlier answers; the last one leads to the
    finder with the matching filters.
    """
    data = request.GET
    if "hvem" not in data:
        return _guide_step(request, 1, GuideAskerForm(), bound=False)
    asker_form = GuideAskerForm(data)
    if not asker_form.is_valid():
        return _guide_step(request, 1, asker_form)
    asker = asker_form.cleaned_data["hvem"]
    expecting = asker == Asker.EXPECTING
    if not expecting and "alder" not in data:
        return _guide_step(request, 2, GuideAgeForm(initial={"hvem": asker}), bound=False)
    if not expecting:
        age_form = GuideAgeForm(data)
        if not age_form.is_valid():
            return _guide_step(request, 2, age_form)
    if "hjelp" not in data:
        initial = {"hvem": asker, "alder": "" if expecting else data["alder"]}
        return _guide_step(request, 3, GuideNeedForm(initial=initial), bound=False)
    need_form = GuideNeedForm(data)
    if not need_form.is_valid():
        return _guide_step(request, 3, need_form)
    params = guide_destination(
        asker, need_form.cleaned_data["alder"], need_form.cleaned_data["hjelp"]
    )
    return redirect(f"{reverse('finder:finder')}?{urlencode(params, doseq=True)}")


def _guide_step(request: HttpRequest, step: int, form, *, bound: bool = True) -> HttpResponse:
    asker = request.GET.get("hvem", "")
    expecting = asker == Asker.EXPECTING
    # Expecting parents skip the age step: the guide then has two steps, not three.
    steps = 2 if expecting else 3
    shown_step = 2 if expecting and step == 3 else step
    back_params: dict[str, str] = {}
    if step == 3 and not expecting:
        back_params = {"hvem": asker}
    return render(
        request,
        "catalogue/guide.html",
        {
            "form": form,
            "step": shown_step,
            "steps": steps,
            "back_url": (
                f"{reverse('finder:guide')}?{urlencode(back_params)}"
                if back_params
                else reverse("finder:guide")
            )
            if step > 1
            else "",
        },
        status=400 if bound and form.errors else 200,
    )


@require_safe
def programme_map(request: HttpRequest) -> HttpResponse:
    return render(request, "catalogue/programme_map.html", {"map": programmes.programme_map()})


@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/programme_register.html",
        {"entries": programme_register.programme_register()},
    )


@require_safe
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(
        request,
        "catalogue/programme_detail.html",
        {"entry": programme_register.programme_entry(slug)},
    )
