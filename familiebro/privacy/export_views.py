"""Downloads of a person's right-of-access export. GET is safe here: the URL holds only the
person's internal id, and every download is audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from familiebro.core.decorators import staff_required
from familiebro.core.models import Person

from . import export, policy, protected


def _as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _download(
    request, pk: int, suffix: str, content_type: str, to_bytes: Callable[[dict], bytes]
) -> HttpResponse:
    person = policy.get_or_404(request.user, Person, pk, export.PURPOSE)
    # Whom the export is for (the person, or a guardian asking on a child's behalf) decides
    # whether a protected address keeps where the family lives out of it; without a
    # recipient it is kept out whenever there is one (privacy.protected).
    reader = protected.ANYONE
    if request.GET.get("til"):
        readers = {str(p.pk): p for p in export.export_readers(person)}
        chosen = readers.get(request.GET["til"])
        if chosen is None:
            reason = _(
                "The export can be made for the person or one of their guardians only. "
                "Choose whom it is for on the person's page."
            )
            return render(request, "privacy/export/refused.html", {"reason": reason}, status=400)
        reader = protected.reader_of(chosen)
    try:
        data = export.export_person(request.user, person, reader=reader)
    except PermissionDenied as exc:
        return render(request, "privacy/export/refused.html", {"reason": str(exc)}, status=403)
    response = HttpResponse(to_bytes(data), content_type=content_type)
    # The file name holds no name or identity number: download folders are not private.
    filename = f"innsyn-{person.pk}-{timezone.localdate():%Y-%m-%d}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
@require_GET
@never_cache
def person_export_json(request, pk: int):
    return _download(request, pk, "json", "application/json; charset=utf-8", _as_json)


@staff_required
@require_GET
@never_cache
def person_export_pdf(request, pk: int):
    return _download(request, pk, "pdf", "application/pdf", export.render_pdf)
