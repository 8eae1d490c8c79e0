import io

import pdfplumber
from reportlab.pdfgen import canvas

from goedeburen.common import pdf_fonts


def test_runs_switch_to_the_cjk_font_only_for_what_dejavu_lacks():
    assert pdf_fonts.runs("Zoë 李明 Ĳ") == [
        (pdf_fonts.FONT, "Zoë "),
        (pdf_fonts.CJK, "李明"),
        (pdf_fonts.FONT, " Ĳ"),
    ]


def test_a_drawn_name_keeps_every_character_in_the_pdf_text():
    pdf_fonts.register_fonts()
    name = "Woonstichting Ĳsselstein – Zoë Şahin-Łukasiewicz 李明"
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    pdf_fonts.draw_string(page, 50, 700, name, 11)
    page.save()

    with pdfplumber.open(io.BytesIO(buffer.getvalue())) as pdf:
        text = pdf.pages[0].extract_text()

    assert text == name
