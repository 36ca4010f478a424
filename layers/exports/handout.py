"""Printable A4 handouts in English or Khmer: the situation on a date, and the story as a booklet.

Inputs are plain values (PNG bytes of the map, rows of text already in the reader's language), so
the handout does not depend on how the engine computes them.

Why fpdf2: pure Python, fonts embedded as subsets, text kept as text, and text shaping through
HarfBuzz (uharfbuzz wheels), which Khmer needs (subscript consonants, vowels drawn before their
consonant). Matplotlib's PDF shapes Khmer as well, but its text layer repeats clusters when the text
is extracted; HTML-to-PDF engines with Khmer shaping (WeasyPrint, Chromium) need system libraries or
a browser. Two things fpdf2 leaves to us, done here: lines are broken between Khmer syllables when
a phrase is longer than the line (`khmer_text.wrap`), and glyphs that HarfBuzz adds inside a
cluster get an empty text mapping, so extraction does not invent characters for them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Sequence

from fpdf import FPDF

from ..text.i18n import FONT_FILES, N_, format_day, format_number, translator
from ..text.khmer_text import khmer_digits, wrap

A4_MARGIN_MM = 15
INK, GREY, RULE = (34, 34, 34), (90, 90, 90), (190, 190, 190)


@dataclass(frozen=True)
class SituationRow:
    """One place in the situation table, every field already in the handout's language."""

    place: str
    held_by: str
    since: str
    certainty: str


@dataclass(frozen=True)
class EventItem:
    date: str                      # formatted, e.g. format_date(...)
    title: str
    sources: tuple[str, ...] = ()  # citations, e.g. analysis.citations(...)
    description: str = ""


@dataclass(frozen=True)
class Chapter:
    title: str
    date: str
    text: str
    sources: tuple[str, ...] = ()
    map_png: bytes | None = None


def _fallback_font(bold: bool) -> Path:
    import matplotlib

    # DejaVu Sans ships with matplotlib: ± ² ◀ ▶ and other signs the Khmer font lacks.
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")


class _Document(FPDF):
    def __init__(self, lang: str, footer_text: str, pages_total: int | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.lang, self.footer_text, self.pages_total = lang, footer_text, pages_total
        self.set_margins(A4_MARGIN_MM, A4_MARGIN_MM, A4_MARGIN_MM)
        self.set_auto_page_break(True, margin=A4_MARGIN_MM + 6)
        self.add_font("Atlas", "", str(FONT_FILES["regular"]))
        self.add_font("Atlas", "B", str(FONT_FILES["bold"]))
        self.add_font("AtlasFallback", "", str(_fallback_font(False)))
        self.add_font("AtlasFallback", "B", str(_fallback_font(True)))
        self.set_fallback_fonts(["AtlasFallback"], exact_match=False)
        # The Khmer shaper also handles the Latin text inside Khmer lines; English text is left to
        # HarfBuzz's own guess of the script.
        if lang == "km":
            self.set_text_shaping(use_shaping_engine=True, script="khmr", language="khm")
        else:
            self.set_text_shaping(use_shaping_engine=True)
        self.set_lang(lang)
        self.set_text_color(*INK)

    @property
    def text_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self) -> None:
        t = translator(self.lang)
        page = _count(self.page_no(), self.lang)
        pages = _count(self.pages_total or self.page_no(), self.lang)
        self.set_y(-A4_MARGIN_MM - 2)
        self.set_font("Atlas", "", 8)
        self.set_text_color(*GREY)
        self.cell(self.text_width / 2, 5, self.footer_text)
        self.cell(self.text_width / 2, 5, t._("Page {page} of {pages}", page=page, pages=pages), align="R")
        self.set_text_color(*INK)

    def paragraph(self, text: str, size: float, *, bold: bool = False, color=INK, width: float | None = None,
                  line_height: float | None = None, x: float | None = None) -> None:
        """Text wrapped to `width` (default: the text column), between Khmer syllables if need be."""
        self.set_font("Atlas", "B" if bold else "", size)
        self.set_text_color(*color)
        width = width or self.text_width
        # Khmer stacks subscripts below and vowels above the line: it needs more leading than Latin.
        line_height = (line_height or size * 0.5) * (1.3 if self.lang == "km" else 1.0)
        for line in wrap(text, width - 1, self.get_string_width):
            self.set_x(self.l_margin if x is None else x)
            self.cell(width, line_height, line, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)

    def picture(self, png: bytes, max_height: float) -> None:
        from PIL import Image

        with Image.open(io.BytesIO(png)) as image:
            w_px, h_px = image.size
        width = min(self.text_width, max_height * w_px / h_px)
        height = width * h_px / w_px
        x = self.l_margin + (self.text_width - width) / 2
        self.image(io.BytesIO(png), x=x, y=self.get_y(), w=width, h=height)
        self.set_y(self.get_y() + height + 3)


def _count(n: int, lang: str) -> str:
    return khmer_digits(str(n)) if lang == "km" else str(n)


def _metadata(pdf: FPDF, *, title: str, subject: str, keywords: str, version: str, made_on: date | None) -> None:
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_keywords(keywords)
    pdf.set_creator(f"Pailin Atlas {version}".strip())
    pdf.set_producer("Pailin Atlas (fpdf2)")
    # A fixed creation date keeps the file the same for the same inputs.
    when = made_on or date(2000, 1, 1)
    pdf.set_creation_date(datetime(when.year, when.month, when.day, tzinfo=timezone.utc))


def _footer_text(lang: str, version: str, made_on: date | None) -> str:
    t = translator(lang)
    if made_on is None:
        return t._("Pailin Atlas") + (f" {version}" if version else "")
    return t._("Pailin Atlas {version}, made on {date}", version=version, date=format_day(made_on, lang)).replace("  ", " ")


def _situation_table(pdf: _Document, rows: Sequence[SituationRow]) -> None:
    t = translator(pdf.lang)
    headers = (t.gettext("Place"), t.gettext("Held by"), t.gettext("Since"), t.gettext("Certainty"))
    fractions = (0.27, 0.30, 0.25, 0.18)
    widths = [pdf.text_width * f for f in fractions]
    size, line_h, pad = 9.5, 4.6 * (1.25 if pdf.lang == "km" else 1.0), 1.2

    def draw(cells: Sequence[str], bold: bool, fill: bool) -> None:
        pdf.set_font("Atlas", "B" if bold else "", size)
        wrapped = [wrap(text, w - 2 * pad, pdf.get_string_width) for text, w in zip(cells, widths)]
        height = max(len(lines) for lines in wrapped) * line_h + 2 * pad
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            if not bold:
                draw(headers, True, True)  # the header again at the top of the new page
                pdf.set_font("Atlas", "", size)
        y, x = pdf.get_y(), pdf.l_margin
        if fill:
            pdf.set_fill_color(236, 236, 236)
            pdf.rect(x, y, pdf.text_width, height, style="F")
        for lines, w in zip(wrapped, widths):
            for k, line in enumerate(lines):
                pdf.set_xy(x + pad, y + pad + k * line_h)
                pdf.cell(w - 2 * pad, line_h, line)
            x += w
        pdf.set_draw_color(*RULE)
        pdf.line(pdf.l_margin, y + height, pdf.l_margin + pdf.text_width, y + height)
        pdf.set_xy(pdf.l_margin, y + height)

    draw(headers, True, True)
    for row in rows:
        draw((row.place, row.held_by, row.since, row.certainty), False, False)
    pdf.ln(3)


def _heading(pdf: _Document, text: str, size: float = 12.5) -> None:
    pdf.ln(1.5)
    pdf.paragraph(text, size, bold=True)
    pdf.ln(0.5)


def _sources_line(pdf: _Document, sources: Sequence[str], size: float = 8.5) -> None:
    if sources:
        t = translator(pdf.lang)
        pdf.paragraph(t._("Sources: {sources}", sources="; ".join(sources)), size, color=GREY)


def situation_handout(day: date, lang: str, map_png: bytes, rows: Sequence[SituationRow],
                      events: Sequence[EventItem], *, window: tuple[date, date] | None = None,
                      title: str | None = None, caveat: str | None = None, version: str = "",
                      made_on: date | None = None, row_sources: Sequence[str] = ()) -> bytes:
    """An A4 PDF of the situation on `day`: the map, who held what since when with what certainty (and
    `row_sources`, the citations the table rests on), the events of the window (`window` = its first
    and last day) with their sources, and how the zones are drawn. `title` defaults to "Pailin Atlas"
    and `caveat` to the atlas's own, both translated."""
    t = translator(lang)
    heading = t._("Situation on {date}", date=format_day(day, lang))
    atlas_title = title or t.gettext("Pailin Atlas")

    def build(pages_total: int | None) -> _Document:
        pdf = _Document(lang, _footer_text(lang, version, made_on), pages_total)
        _metadata(pdf, title=f"{atlas_title}: {heading}", subject=heading,
                  keywords=f"date={day.isoformat()} lang={lang}", version=version, made_on=made_on)
        pdf.add_page()
        pdf.paragraph(atlas_title, 10, color=GREY)
        pdf.paragraph(heading, 17, bold=True, line_height=9)
        pdf.ln(2)
        pdf.picture(map_png, max_height=(pdf.h - 2 * A4_MARGIN_MM) * 0.42)
        _heading(pdf, t.gettext("Who held what"))
        _situation_table(pdf, rows)
        _sources_line(pdf, row_sources)
        if window is not None:
            _heading(pdf, t._("Events from {start} to {end}", start=format_day(window[0], lang),
                              end=format_day(window[1], lang)))
        else:
            _heading(pdf, t.gettext("Events"))
        if not events:
            pdf.paragraph(t.gettext("No dated event in this window."), 10, color=GREY)
        for event in events:
            if pdf.get_y() + 14 > pdf.page_break_trigger:
                pdf.add_page()
            pdf.paragraph(f"{event.date} — {event.title}", 10, bold=True)
            if event.description:
                pdf.paragraph(event.description, 9.5)
            _sources_line(pdf, event.sources)
            pdf.ln(1.5)
        _heading(pdf, t.gettext("How the zones are drawn"), 11)
        pdf.paragraph(caveat or t.gettext(CAVEAT), 9, color=GREY)
        return pdf

    return _finish(build(build(None).page_no()))


def story_booklet(chapters: Sequence[Chapter], lang: str, *, title: str | None = None, version: str = "",
                  made_on: date | None = None) -> bytes:
    """The story as an A4 booklet, a chapter a page: chapter number, title, date, map, text, sources."""
    t = translator(lang)
    booklet_title = title or t.gettext("The Pailin Atlas story")

    def build(pages_total: int | None) -> _Document:
        pdf = _Document(lang, _footer_text(lang, version, made_on), pages_total)
        _metadata(pdf, title=booklet_title, subject=booklet_title,
                  keywords=f"story lang={lang} chapters={len(chapters)}", version=version, made_on=made_on)
        for n, chapter in enumerate(chapters, start=1):
            pdf.add_page()
            pdf.paragraph(f"{booklet_title} · {t._('Chapter {n}', n=_count(n, lang))}", 10, color=GREY)
            pdf.paragraph(chapter.title, 17, bold=True, line_height=9)
            pdf.paragraph(chapter.date, 11, color=GREY)
            pdf.ln(2)
            if chapter.map_png:
                pdf.picture(chapter.map_png, max_height=(pdf.h - 2 * A4_MARGIN_MM) * 0.48)
            pdf.paragraph(chapter.text, 10.5, line_height=5.6)
            pdf.ln(2)
            _sources_line(pdf, chapter.sources, 9)
        return pdf

    return _finish(build(build(None).page_no()))


CAVEAT = N_("Zones and front lines are approximate reconstructions from the sources, not surveyed lines. Lighter, "
          "dashed areas are approximate, claimed or contested. A place is coloured by who held it; where no source "
          "says, it takes the controller of the zone it lies in. Dates keep their precision: a month stays a month.")


def _finish(pdf: FPDF) -> bytes:
    return _map_cluster_glyphs(bytes(pdf.output()))


def _map_cluster_glyphs(data: bytes) -> bytes:
    """Give every glyph code of each embedded font a text mapping: fpdf2 maps a shaped cluster's text
    to its first glyph and leaves the others (a subscript, a vowel's second part) unmapped, and some
    text extractors then print the raw code as a character. They get the empty text."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    done = set()
    for page in writer.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            if "/ToUnicode" not in font or id(font) in done:
                continue
            done.add(id(font))
            descendant = font["/DescendantFonts"][0].get_object()
            cid_map = descendant.get("/CIDToGIDMap")
            codes = len(cid_map.get_object().get_data()) // 2 if cid_map is not None and cid_map != "/Identity" else 0
            stream = font["/ToUnicode"].get_object()
            text = stream.get_data().decode("latin-1")
            mapped = {int(code, 16) for code in re.findall(r"^<([0-9A-Fa-f]{4})> <", text, re.M)}
            missing = [code for code in range(codes) if code not in mapped]
            if missing:
                blocks = "".join(f"{len(chunk)} beginbfchar\n" + "".join(f"<{c:04X}> <>\n" for c in chunk) + "endbfchar\n"
                                 for chunk in (missing[i:i + 100] for i in range(0, len(missing), 100)))
                stream.set_data(text.replace("endcmap", blocks + "endcmap", 1).encode("latin-1"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


__all__ = ["CAVEAT", "Chapter", "EventItem", "SituationRow", "format_number", "situation_handout", "story_booklet"]
