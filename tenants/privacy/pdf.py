"""The subject-access export as a PDF a person can be handed: the same readable sections as
the page, written with the one PDF writer (`network.core.pdf`). Texts arrive translated; this
module only lays them out."""
from network.core.pdf import new_document, to_bytes, write_text


def export_pdf(title, lines, sections, language):
    """`lines`: paragraphs under the title; `sections`: (heading, rows), each row a list of
    (label, text) pairs. Returns the PDF's bytes."""
    pdf = new_document()
    pdf.set_title(title)
    pdf.set_lang(language)
    write_text(pdf, str(title), size=16, style="B", height=9)
    for line in lines:
        write_text(pdf, str(line), size=10, height=5)
    for heading, rows in sections:
        pdf.ln(4)
        write_text(pdf, str(heading), size=12, style="B", height=7)
        for index, row in enumerate(rows):
            if index:
                pdf.ln(2)
            for label, text in row:
                write_text(pdf, str(label), size=9, style="B", height=4.5)
                write_text(pdf, str(text), size=10, height=5)
    return to_bytes(pdf)
