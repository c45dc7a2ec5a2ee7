"""The PDF a company takes away: its impact pack, in the current language (the caller sets it:
`force_locale`), through the one PDF writer (network.core.pdf). Participants' certificates are
the outcomes feature's (tenants.outcomes.certificates)."""
from flask_babel import format_decimal, gettext

from network.core.pdf import new_document as _document
from network.core.pdf import to_bytes as _bytes
from network.core.pdf import write_text as _text
from network.national.dashboards.impact_presentation import INDICATORS
from tenants.outcomes.measures import CHANGES


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
        (gettext("Verified volunteer hours"), format_decimal(pack.hours, format="#,##0.0")),
        (gettext("Volunteer hours logged"), format_decimal(pack.logged_hours, format="#,##0.0")),
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
    _text(pdf, gettext("Verified volunteer hours are the meetings that both the volunteer and the person they mentor "
                       "confirmed; the hours logged count every meeting recorded in the volunteers' mentoring "
                       "processes, confirmed or not."), 8, height=4)
    return _bytes(pdf)
