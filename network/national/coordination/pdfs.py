"""The PDFs a company or a participant takes away: the company's impact pack and a participation
certificate, written with fpdf2 in the current language (the caller sets it: `force_locale`).
Debian's DejaVu Sans carries every Portuguese letter; without it, the core Helvetica (latin-1)."""
import logging
import os

from flask_babel import format_date, format_decimal, gettext
from fpdf import FPDF

from network.national.dashboards.impact_presentation import INDICATORS
from tenants.outcomes.measures import CHANGES

# fontTools logs every subsetting step of every PDF at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def _document():
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_creator("Rede Mentores")
    if all(os.path.exists(os.path.join(FONT_DIR, name)) for name in FONTS.values()):
        for style, name in FONTS.items():
            pdf.add_font("DejaVu", style, os.path.join(FONT_DIR, name))
        pdf.text_family = "DejaVu"
    else:
        pdf.text_family = "Helvetica"
    pdf.add_page()
    return pdf


def _text(pdf, text, size=11, style="", height=6):
    if pdf.text_family == "Helvetica":  # the core fonts hold latin-1 only
        text = text.encode("latin-1", "replace").decode("latin-1")
    pdf.set_font(pdf.text_family, style, size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _bytes(pdf):
    return bytes(pdf.output())


def _number(value):
    return format_decimal(value)


def pack_pdf(pack):
    """The company's impact pack for one year: published (rounded) counts only."""
    pdf = _document()
    pdf.set_title(gettext("Impact report %(year)s: %(company)s", year=pack.year, company=pack.company))
    _text(pdf, "Rede Mentores", 10)
    _text(pdf, gettext("Impact report %(year)s: %(company)s", year=pack.year, company=pack.company), 18, "B", 9)
    pdf.ln(2)
    _text(pdf, gettext("The company's employees who volunteer as mentors in the programme for migrants, the time "
                       "they gave and what changed for the people they mentored."))
    pdf.ln(3)
    for label, value in (
        (gettext("Volunteers"), _number(pack.volunteers)),
        (gettext("Volunteers who met in %(year)s", year=pack.year), _number(pack.year_volunteers)),
        (gettext("Meetings"), _number(pack.meetings)),
        (gettext("Volunteer hours"), format_decimal(pack.hours, format="#,##0.0")),
        (gettext("Mentoring processes completed in %(year)s", year=pack.year), _number(pack.completed)),
    ):
        _text(pdf, f"{label}: {value}")
    pdf.ln(3)
    _text(pdf, gettext("Change from the start to closing"), 13, "B", 8)
    for code in pack.changes:
        counts = pack.changes[code]
        shown = ", ".join(f"{CHANGES[change]}: {_number(count)}" for change, count in counts.items())
        _text(pdf, f"{INDICATORS[code]}: {shown}")
    if pack.gas_mean is not None:
        _text(pdf, gettext("Goal attainment: mean T-score %(score)s over %(num)s processes",
                           score=format_decimal(pack.gas_mean, format="#,##0.0"), num=_number(pack.gas_processes)))
    pdf.ln(3)
    _text(pdf, gettext("Counts of people are rounded to a multiple of %(num)d, up or down at random, always the same "
                       "way for the same figure, so that no small number of people can be worked out; totals are the "
                       "sums of the rounded figures.", num=pack.rounding_base), 8, height=4)
    _text(pdf, gettext("Volunteer hours are the meetings logged in the volunteers' mentoring processes."), 8, height=4)
    return _bytes(pdf)


def certificate_pdf(name, role, partner, started, completed, hours=None):
    """A participation certificate for a mentor or a mentee who completed a process."""
    pdf = _document()
    pdf.set_title(gettext("Certificate of participation"))
    _text(pdf, "Rede Mentores", 10)
    pdf.ln(20)
    _text(pdf, gettext("Certificate of participation"), 22, "B", 12)
    pdf.ln(8)
    sentence = (gettext("%(name)s took part as a mentor in the Mentoring Programme for Migrants, with %(partner)s, "
                        "from %(start)s to %(end)s.", name=name, partner=partner, start=format_date(started, "long"),
                        end=format_date(completed, "long"))
                if role == "mentor" else
                gettext("%(name)s took part as a mentee in the Mentoring Programme for Migrants, with %(partner)s, "
                        "from %(start)s to %(end)s.", name=name, partner=partner, start=format_date(started, "long"),
                        end=format_date(completed, "long")))
    _text(pdf, sentence, 13, height=8)
    if hours:
        pdf.ln(2)
        _text(pdf, gettext("Mentoring meetings: %(hours)s hours.", hours=format_decimal(hours, format="#,##0.0")), 13,
              height=8)
    pdf.ln(14)
    _text(pdf, gettext("Issued on %(date)s.", date=format_date(completed.today(), "long")), 10)
    return _bytes(pdf)
