"""The CPD log and learning record as files for a professional body: CSV and PDF.

The PDF is made with fpdf2 (pure Python, no system libraries, well kept, small) in DejaVu Sans, vendored under
static/fonts/dejavu/, so every language's letters print. fpdf2 is imported inside ``log_pdf``: the app starts
without it, and only an export pays for it.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from community.i18n import format_day, format_number
from community.services.cpd.read import CpdLog, LearningRecord

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(value: object) -> str:
    """A spreadsheet cell that is never read as a formula (a quote before =, +, -, @, tab, ...)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def hours_text(hundredths: int) -> str:
    """12.5, in the reader's language (two decimals at most)."""
    return format_number(round(hundredths / 100, 2))


def period_text(log: CpdLog) -> str:
    """'1 Jan 2026 to 31 Dec 2026', or the open ends said in words."""
    if log.start is None and log.end is None:
        return _("All entries")
    start = format_day(log.start) if log.start else _("the first entry")
    end = format_day(log.end) if log.end else _("today")
    return _("%(start)s to %(end)s", start=start, end=end)


def log_csv(log: CpdLog, record: LearningRecord) -> str:
    """The log as CSV: one row per entry, then totals and the learning record's figures."""
    out = io.StringIO()
    writer = csv.writer(out)
    write = lambda row: writer.writerow([safe_cell(c) for c in row])  # noqa: E731
    write([_("CPD record"), log.owner.display_name])
    write([_("Period"), period_text(log)])
    write([])
    write([_("date"), _("what I did"), _("what I learned"), _("how I will apply it"), _("hours"), _("linked to")])
    for entry in log.entries:
        links = "; ".join(_link_title(link) for link in entry.links)
        hours = f"{entry.hours_hundredths / 100:.2f}"
        write([entry.done_on.isoformat(), entry.title, entry.learned, entry.apply, hours, links])
    write([])
    write([_("year"), _("hours")])
    for year, hundredths in log.hours_by_year.items():
        write([year, f"{hundredths / 100:.2f}"])
    write([_("total"), f"{log.total_hundredths / 100:.2f}"])
    write([])
    write([_("figure"), _("value")])
    write([_("answers accepted"), record.answers_accepted])
    write([_("peers helped"), record.peers_helped])
    write([_("events attended"), record.events_attended])
    return out.getvalue()


def _link_title(link: object) -> str:
    post, event = getattr(link, "post", None), getattr(link, "event", None)
    if post is not None:
        return post.topic.title
    if event is not None:
        return event.topic.title
    return ""


def log_pdf(log: CpdLog, record: LearningRecord, today: date) -> bytes:
    """The log as a PDF ready to sign: name, period, entries, totals, the learning record, a signature line."""
    from fpdf import FPDF  # a heavy import, for exports only

    fonts = os.path.join(current_app.static_folder or "static", "fonts", "dejavu")
    pdf = FPDF(format="A4")
    pdf.set_title(_("CPD record") + " - " + log.owner.display_name)
    pdf.set_author(log.owner.display_name)
    pdf.add_font("DejaVu", "", os.path.join(fonts, "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", os.path.join(fonts, "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float = 10, bold: bool = False, gap: float = 1.5) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(width, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    line(_("Continuing professional development record"), 16, bold=True, gap=3)
    line(_("Name: %(name)s", name=log.owner.display_name), 11)
    if log.owner.organisation:
        line(_("Organisation: %(name)s", name=log.owner.organisation), 11)
    line(_("Period: %(period)s", period=period_text(log)), 11)
    line(_("Prepared on %(day)s", day=format_day(today)), 9, gap=4)
    line(_("Entries"), 13, bold=True)
    if not log.entries:
        line(_("No entries in this period."))
    for entry in log.entries:
        hours = _("%(hours)s h", hours=hours_text(entry.hours_hundredths))
        line(f"{format_day(entry.done_on)} · {entry.title} · {hours}", 11, bold=True, gap=0.5)
        if entry.learned:
            line(_("What I learned: %(text)s", text=entry.learned), gap=0.5)
        if entry.apply:
            line(_("How I will apply it: %(text)s", text=entry.apply), gap=0.5)
        if entry.links:
            line(_("Linked to: %(titles)s", titles="; ".join(_link_title(link) for link in entry.links)), 9, gap=0.5)
        pdf.ln(2)
    line(_("Hours"), 13, bold=True)
    for year, hundredths in log.hours_by_year.items():
        line(_("%(year)s: %(hours)s hours", year=year, hours=hours_text(hundredths)), gap=0.5)
    line(_("Total: %(hours)s hours", hours=hours_text(log.total_hundredths)), 11, bold=True, gap=4)
    line(_("Learning record"), 13, bold=True)
    line(_("Answers accepted: %(num)s", num=format_number(record.answers_accepted)), gap=0.5)
    line(_("Peers helped: %(num)s", num=format_number(record.peers_helped)), gap=0.5)
    line(_("Events attended: %(num)s", num=format_number(record.events_attended)), gap=10)
    line(_("I confirm that this record is a true account of my professional development."), gap=8)
    line(_("Signature: ______________________________    Date: ______________"), 11)
    return bytes(pdf.output())
