"""A participation certificate (PDF) for a mentor or a mentee who completed a process, in the
current language (the caller sets it: `force_locale`), through the one PDF writer."""
from flask_babel import format_date, format_decimal, gettext

from network.core.pdf import new_document as _document
from network.core.pdf import to_bytes as _bytes
from network.core.pdf import write_text as _text


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
        _text(pdf, gettext("Mentoring meetings confirmed by both sides: %(hours)s hours.",
                           hours=format_decimal(hours, format="#,##0.0")), 13, height=8)
    pdf.ln(14)
    _text(pdf, gettext("Issued on %(date)s.", date=format_date(completed.today(), "long")), 10)
    return _bytes(pdf)
