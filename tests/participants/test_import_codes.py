"""The import's coded columns (issue 21): the problems list the valid codes, the preview shows
labels, and templates with the codes can be downloaded; the wording of the count in Portuguese."""
import csv
import io

from openpyxl import load_workbook

from tests.factories import login

MENTEE_FILE = (
    "full_name,email,municipality,country_of_origin,age_band,residence_status,languages,support_areas,gender\n"
    "Ana Sousa,ana@example.pt,Porto,NG,25_34,residence_permit,en:b2,health,female\n"
)


def _upload(client, base, text, role="mentee"):
    response = client.post(f"{base}/imports/new", data={"role": role, "file": (io.BytesIO(text.encode()), "list.csv")})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.location).get_data(as_text=True)


def test_a_wrong_code_is_answered_with_the_valid_codes(client, two_partners):
    login(client, two_partners.alpha_staff, locale="en")
    base = f"/t/{two_partners.alpha.slug}"
    page = _upload(client, base, MENTEE_FILE.replace("25_34", "25-34").replace("female", "woman"))
    assert "Choose one of the options." not in page
    assert "Use one of: 18_24 (18 to 24)" in page and "25_34 (25 to 34)" in page
    assert "female (Female)" in page


def test_the_preview_shows_labels_for_codes(client, two_partners):
    login(client, two_partners.alpha_staff, locale="en")
    page = _upload(client, f"/t/{two_partners.alpha.slug}", MENTEE_FILE)
    assert "Nigeria" in page and "25 to 34" in page and "Residence permit" in page and "English B2" in page
    assert ">NG<" not in page and ">25_34<" not in page
    assert '<div class="table-scroll" tabindex="0" role="region"' in page  # wide lists scroll, not the page


def test_the_count_of_rows_with_problems_reads_well_in_portuguese(client, two_partners):
    login(client, two_partners.alpha_staff, locale="pt_PT")
    page = _upload(client, f"/t/{two_partners.alpha.slug}", MENTEE_FILE.replace("25_34", "x"))
    assert "1 linha tem problemas." in page and "das linhas" not in page


def test_templates_with_the_valid_codes_can_be_downloaded(client, two_partners):
    login(client, two_partners.alpha_staff, locale="en")
    base = f"/t/{two_partners.alpha.slug}/imports"
    page = client.get(f"{base}/new").get_data(as_text=True)
    assert f'href="{base}/template.xlsx?role=mentee"' in page and f'href="{base}/codes.csv?role=mentor"' in page

    response = client.get(f"{base}/template.csv?role=mentee")
    assert response.headers["Content-Disposition"] == 'attachment; filename="rede-mentores-mentees-template.csv"'
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert header[:3] == ["full_name", "email", "phone"] and "age_band" in header

    workbook = load_workbook(io.BytesIO(client.get(f"{base}/template.xlsx?role=mentee").data))
    people, codes = workbook.worksheets
    assert [cell.value for cell in people[1]][:2] == ["full_name", "email"]
    rows = {(row[0], row[1]): row[2] for row in codes.iter_rows(min_row=2, values_only=True)}
    assert rows[("age_band", "25_34")] == "25 to 34" and rows[("country_of_origin", "NG")] == "Nigeria"
    assert rows[("languages", "b2")].startswith("B2")

    codes_csv = client.get(f"{base}/codes.csv?role=mentor").get_data(as_text=True)
    assert "availability_days,mon,Monday" in codes_csv and "age_band" not in codes_csv
    assert client.get(f"{base}/template.csv?role=other").status_code == 404
