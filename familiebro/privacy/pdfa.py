"""Documents for an archive: PDF/A-2b made with ReportLab, the library the product already
renders its PDFs with.

What PDF/A-2 (ISO 19005-2, level b) asks of a file, and how this module meets it:
- every font embedded: the text is set in TrueType fonts that are embedded (DejaVu Sans when
  the system has it, for names in every script; otherwise Bitstream Vera, which ReportLab
  ships), never in the unembedded standard fonts;
- device-independent colour: an output intent with an embedded sRGB ICC profile (made by
  Pillow's colour management), and the pages use RGB colour only;
- metadata as XMP in the catalogue, declaring the conformance (pdfaid:part 2, conformance B)
  and repeating the document information (title, author, dates, producer) exactly;
- no encryption, no JavaScript, no transparency, no external content.
The declaration is checked by the tests; a full validation (veraPDF) is the archive's, at
deposit (docs/data-protection.md, section 6).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

PDFA_PART = 2
PDFA_CONFORMANCE = "B"
PRODUCER = "Familiebro (ReportLab)"

_FONT_CANDIDATES = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (Path("/usr/share/fonts/TTF/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf")),
)


def fonts() -> tuple[str, str]:
    """Register and return (regular, bold) embeddable TrueType fonts."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = pdfmetrics.getRegisteredFontNames()
    if "ArchiveSans" in registered:
        return "ArchiveSans", "ArchiveSans-Bold"
    for regular, bold in _FONT_CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("ArchiveSans", str(regular)))
            pdfmetrics.registerFont(TTFont("ArchiveSans-Bold", str(bold)))
            return "ArchiveSans", "ArchiveSans-Bold"
    # ReportLab ships Bitstream Vera, so this always works (Latin script only).
    pdfmetrics.registerFont(TTFont("ArchiveSans", "Vera.ttf"))
    pdfmetrics.registerFont(TTFont("ArchiveSans-Bold", "VeraBd.ttf"))
    return "ArchiveSans", "ArchiveSans-Bold"


def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _xmp_date(ts: Any) -> str:
    y, mo, d, h, mi, s = ts.YMDhms
    sign = "+" if ts.dhh >= 0 else "-"
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{sign}{abs(ts.dhh):02d}:{ts.dmm:02d}"


def _xmp(title: str, author: str, subject: str) -> Callable[[Any], bytes]:
    def make(doc: Any) -> bytes:
        when = _xmp_date(doc._timeStamp)
        return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>{PDFA_PART}</pdfaid:part>
   <pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt>
   </dc:description>
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
   <xmp:MetadataDate>{when}</xmp:MetadataDate>
   <xmp:CreatorTool>Familiebro</xmp:CreatorTool>
   <pdf:Producer>{escape(PRODUCER)}</pdf:Producer>
   <pdf:Keywords></pdf:Keywords>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()

    return make


def _declare_pdfa(canvas: Any, title: str, author: str, subject: str) -> None:
    """Put the XMP metadata and the sRGB output intent in the document's catalogue."""
    from reportlab.pdfbase.pdfdoc import (
        XMP,
        PDFArray,
        PDFDictionary,
        PDFName,
        PDFStream,
        PDFString,
    )

    doc = canvas._doc
    catalog = doc.Catalog
    if getattr(catalog, "OutputIntents", None) is not None:
        return
    profile = PDFStream(dictionary=PDFDictionary({"N": 3}), content=_srgb_profile())
    profile.__Comment__ = "sRGB ICC profile"
    intent = PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
            "Info": PDFString("sRGB IEC61966-2.1"),
            "DestOutputProfile": doc.Reference(profile),
        }
    )
    catalog.OutputIntents = PDFArray([intent])
    # The catalogue writes only the keys it knows; this instance knows one more.
    catalog.__NoDefault__ = [*type(catalog).__NoDefault__, "OutputIntents"]
    catalog.Metadata = XMP(creator=_xmp(title, author, subject))


def render(
    title: str,
    author: str,
    subject: str,
    build_story: Callable[[str, str], list[Any]],
) -> bytes:
    """A PDF/A-2b document: `build_story(regular_font, bold_font)` gives its flowables."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    regular, bold = fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        subject=subject,
        creator="Familiebro",
        producer=PRODUCER,
        # PDF/A-2 allows compression; pages are left uncompressed so the text can be
        # searched and checked without a PDF reader.
        pageCompression=0,
        lang="nb-NO",
        # Not the unembedded Helvetica a canvas starts with.
        initialFontName=regular,
    )

    def declare(canvas: Any, _document: Any) -> None:
        _declare_pdfa(canvas, title, author, subject)

    document.build(build_story(regular, bold), onFirstPage=declare, onLaterPages=declare)
    return buffer.getvalue()


def iso(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    return f"{value:%d.%m.%Y}"
