"""The coordination team extends the network's support areas and companies."""
import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from marshmallow import ValidationError

from network.core.extensions import db
from network.core.reference import services
from network.core.reference.models import Company, SupportArea
from tests.factories import login


def test_the_ten_programme_support_areas_are_there_in_both_languages(app_context):
    areas = services.active_support_areas()
    assert [area.code for area in areas][:3] == ["qualification_job_search", "entrepreneurship", "health"]
    assert len(areas) == 10
    with force_locale("en"):
        assert areas[5].label == "Portuguese language"
    with force_locale("pt_PT"):
        assert areas[5].label == "Língua portuguesa"


def test_codes_and_company_names_are_unique(app_context):
    services.add_support_area("sports", "Desporto", "Sports")
    services.create_company("Empresa Exemplo, S.A.")
    with force_locale("en"):
        with pytest.raises(ValidationError) as error:
            services.add_support_area("sports", "Desporto", "Sport")
        assert [str(m) for m in error.value.normalized_messages()["code"]] == [
            "This code is already used by another support area."]
        with pytest.raises(ValidationError) as error:
            services.create_company("empresa exemplo, s.a.")
        messages = [str(m) for m in error.value.normalized_messages()["name"]]
        assert messages == ["A company with this name already exists."]
    assert services.active_support_areas()[-1].code == "sports"


def test_coordinators_add_to_the_lists_and_partners_cannot(app, client, two_partners):
    login(client, two_partners.alpha_admin, locale="en")
    assert client.get(f"/t/{two_partners.alpha.slug}/reference").status_code == 404
    client.post("/logout")
    login(client, two_partners.coordinator, locale="en")
    url = f"/t/{two_partners.coordination.slug}/reference"
    refused = client.post(url, data={"list": "support_area", "code": "Sports!", "name_pt": "", "name_en": "Sports"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Use lowercase letters, digits and underscores" in page
    assert 'value="Sports!"' in page
    assert client.post(url, data={"list": "support_area", "code": "sports", "name_pt": "Desporto",
                                  "name_en": "Sports"}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "The support area is added for every partner." in page and "Desporto" in page
    # Companies have their own pages (tests/coordination/test_companies.py).
    assert client.post(url, data={"list": "company", "name": "Empresa Exemplo"}).status_code == 400
    assert client.post(url, data={"list": "nothing"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(SupportArea.name_en).filter_by(code="sports")) == "Sports"
        assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 0
