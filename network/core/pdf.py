"""The one PDF writer (fpdf2): a document in Debian's DejaVu Sans, which carries every
Portuguese letter, or in the core Helvetica (latin-1 only) where that font is missing. The
certificates, the companies' impact pack and the subject-access export are written with it."""
import logging
import os

from fpdf import FPDF

# fontTools logs every subsetting step of every PDF at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def new_document():
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


def write_text(pdf, text, size=11, style="", height=6):
    if pdf.text_family == "Helvetica":  # the core fonts hold latin-1 only
        text = text.encode("latin-1", "replace").decode("latin-1")
    pdf.set_font(pdf.text_family, style, size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def to_bytes(pdf):
    return bytes(pdf.output())
