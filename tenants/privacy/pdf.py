"""The subject-access export as a PDF a person can be handed (fpdf2): the same readable
sections as the page. Texts arrive translated; this module only lays them out."""
from pathlib import Path

from fpdf import FPDF

# A Unicode font, so every name prints (Łucja, Zoë, Ngũgĩ); the core fonts know Latin-1 only.
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)


def _font(pdf):
    for path in FONT_FILES:
        if Path(path).is_file():
            pdf.add_font("body", "", path)
            bold = path.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
            pdf.add_font("body", "B", bold if Path(bold).is_file() else path)
            return "body", str
    # Without one, the core font, and any character it cannot print as "?".
    return "helvetica", lambda text: str(text).encode("latin-1", "replace").decode("latin-1")


def export_pdf(title, lines, sections, language):
    """`lines`: paragraphs under the title; `sections`: (heading, rows), each row a list of
    (label, text) pairs. Returns the PDF's bytes."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.set_auto_page_break(True, margin=15)
    family, safe = _font(pdf)
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 9, safe(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    for line in lines:
        pdf.multi_cell(0, 5, safe(line), new_x="LMARGIN", new_y="NEXT")
    for heading, rows in sections:
        pdf.ln(4)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 7, safe(heading), new_x="LMARGIN", new_y="NEXT")
        for index, row in enumerate(rows):
            if index:
                pdf.ln(2)
            for label, text in row:
                pdf.set_font(family, "B", 9)
                pdf.multi_cell(0, 4.5, safe(label), new_x="LMARGIN", new_y="NEXT")
                pdf.set_font(family, "", 10)
                pdf.multi_cell(0, 5, safe(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
