"""Contact photos on published offers: the only uploaded files anyone may fetch directly.

Uploaded files live under MEDIA_ROOT, which the web server never serves (scanned consent forms
lie there too). A photo is handed out only while a published offer shows it.
"""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from .models import Offer


@require_GET
def contact_photo(request, path: str):
    offer = (
        Offer.objects.published()
        .filter(contact_photo=f"contacts/{path}")
        .only("contact_photo")
        .first()
    )
    if offer is None:
        raise Http404("No published offer shows this photo.")
    try:
        photo = offer.contact_photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The photo file is missing.") from exc
    response = FileResponse(photo)
    response["Cache-Control"] = "public, max-age=3600"
    return response
