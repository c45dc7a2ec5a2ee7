"""The duplicate check across partners: it flags, and reveals nothing."""
import re
from datetime import date

import pytest
import sqlalchemy as sa

from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass, tenant_context
from network.core.tenancy.rls import NATIONAL_ROLE, RUNTIME_ROLE
from tenants.transfers import fingerprints as fp
from tenants.transfers.duplicates import network_duplicate_count, registered_elsewhere
from tenants.transfers.models import DuplicateFingerprint
from tests.factories import login, make_mentee

BORN = date(1991, 4, 17)


def _register_at_alpha(app, two_partners, name="Olena Shevchenko", **extra):
    with app.app_context(), tenant_context(two_partners.alpha.id):
        make_mentee(name, email="olena.s@example.org", phone="+351 912 345 678", date_of_birth=BORN, **extra)
        db.session.commit()


@pytest.mark.parametrize("spelling", ["Олена Шевченко", "CHEVTCHENKO Olena", "olena shevchenko"])
def test_normalisation_meets_accents_order_and_transliteration(spelling):
    assert fp.normalised_values(spelling, BORN) == fp.normalised_values("Olena Shevchenko", BORN)
    assert fp.normalised_values("José da Silva Gonçalves", BORN)[fp.NAME_ENDS] == \
        fp.normalised_values("Jose Goncalves", BORN)[fp.NAME_ALL]
    assert fp.normalised_phone("00351 912 345 678") == fp.normalised_phone("912345678")


def test_a_person_registered_again_at_another_partner_is_flagged_with_no_detail(app, client, two_partners):
    _register_at_alpha(app, two_partners, name="Maria José Gonçalves")
    login(client, two_partners.beta_staff, locale="en")
    response = client.post("/t/beta/mentees/new", data={
        "full_name": "GONCALVES Maria Jose", "date_of_birth": BORN.isoformat(), "email": "mj.other@example.org",
        "municipality": "Faro", "need-1": "", "need-2": "", "need-3": ""}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This person may already be registered with another partner. Ask them, and start a transfer if they " \
           "agree." in page
    for detail in ("alpha", "Alfa", "Maria José", "olena.s", "912"):
        assert detail not in page
    with app.app_context(), tenant_context(two_partners.beta.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "duplicates.flagged")) == 1


def test_a_different_person_is_not_flagged(app, client, two_partners):
    _register_at_alpha(app, two_partners)
    login(client, two_partners.beta_staff, locale="en")
    page = client.post("/t/beta/mentees/new", data={
        "full_name": "Olena Shevchenko", "date_of_birth": "1990-04-17", "email": "another.olena@example.org",
        "municipality": "Faro"}, follow_redirects=True).get_data(as_text=True)
    assert "is registered." in page and "may already be registered" not in page


def test_a_phone_written_otherwise_is_flagged_and_only_another_partners_count(app, two_partners):
    _register_at_alpha(app, two_partners)
    with app.app_context(), tenant_context(two_partners.beta.id):
        mentee = make_mentee("Someone Else", email="else@example.org", phone="00351912345678")
        assert mentee.may_be_registered_elsewhere
        db.session.commit()
    with app.app_context(), tenant_context(two_partners.alpha.id):
        rows = db.session.execute(sa.select(DuplicateFingerprint.kind, DuplicateFingerprint.digest)).all()
        digests = [digest for _kind, digest in rows]
        # Alpha's name and e-mail are alpha's alone: only the phone is also held elsewhere.
        assert registered_elsewhere("mentee", digests) == {digest for kind, digest in rows if kind == "phone"}
        # A mentor is another role: a mentee's fingerprints never flag one.
        assert registered_elsewhere("mentor", digests) == set()


def test_the_network_table_holds_no_plain_names_or_contacts(app, two_partners):
    _register_at_alpha(app, two_partners)
    with app.app_context(), db.engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("SELECT set_config('role', %(r)s, true)", {"r": NATIONAL_ROLE})
        dump = " ".join(str(value) for row in connection.exec_driver_sql(
            "SELECT * FROM duplicate_fingerprints").all() for value in row).lower()
    assert dump
    for plain in ("olena", "shevchenko", "xevxenko", "olena.s", "example.org", "912345678", "1991"):
        assert plain not in dump
    with app.app_context():
        kinds = db.session.execute(sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'duplicate_fingerprints'"
        )).scalars().all()
        assert sorted(kinds) == sorted(["id", "tenant_id", "mentor_id", "mentee_id", "kind", "digest", "created_at"])


def test_a_partner_cannot_read_another_partners_fingerprints_and_the_function_says_only_yes_or_no(app, two_partners):
    _register_at_alpha(app, two_partners)
    with app.app_context(), db.engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("SELECT set_config('app.tenant_id', %(t)s, true), set_config('role', %(r)s, true)",
                                   {"t": str(two_partners.beta.id), "r": RUNTIME_ROLE})
        assert connection.exec_driver_sql("SELECT count(*) FROM duplicate_fingerprints").scalar() == 0
        answer = connection.exec_driver_sql(
            "SELECT transfers_registered_elsewhere('mentee', ARRAY['00', 'ff'])").scalar()
        assert answer == []
    with app.app_context(), db.engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("SELECT set_config('role', %(r)s, true)", {"r": RUNTIME_ROLE})
        with pytest.raises(sa.exc.DBAPIError, match="no tenant"):
            connection.exec_driver_sql("SELECT transfers_registered_elsewhere('mentee', ARRAY['00'])")


def test_coordinators_see_a_count_only(app, two_partners):
    _register_at_alpha(app, two_partners)
    with app.app_context(), tenant_context(two_partners.beta.id):
        make_mentee("Shevchenko Olena", email="o2@example.org", date_of_birth=BORN)
        db.session.commit()
    with app.app_context(), national_rollup_bypass("test"):
        assert network_duplicate_count() == 2
    # On the coordinators' partners page: the published count (a multiple of the rounding base,
    # as every national count), and no name, no e-mail.
    client = app.test_client()
    login(client, two_partners.coordinator, locale="en")
    page = client.get("/t/coordenacao/partners").get_data(as_text=True)
    shown = re.search(r'id="possible-duplicates">[^:]+: (\d+) \(rounded to a multiple of (\d+)\)', page)
    assert shown and int(shown.group(1)) % int(shown.group(2)) == 0 and int(shown.group(1)) in (0, 6)
    assert "Olena" not in page and "o2@example.org" not in page


def test_erasure_clears_the_fingerprints(app, two_partners):
    from tenants.privacy.erasure import erase_participant

    _register_at_alpha(app, two_partners)
    with app.app_context(), tenant_context(two_partners.alpha.id):
        mentee = db.session.scalar(sa.select(DuplicateFingerprint)).mentee_id
        from tenants.participants.models import Mentee

        erase_participant(db.session.get(Mentee, mentee), None, "asked")
        db.session.commit()
        assert db.session.scalars(sa.select(DuplicateFingerprint.digest)).all() == [None] * 3


def test_an_import_counts_the_people_registered_elsewhere_and_names_none(app, two_partners):
    from tenants.participants import imports

    _register_at_alpha(app, two_partners)
    with app.app_context(), tenant_context(two_partners.beta.id):
        csv = (b"full_name,email,municipality,date_of_birth\n"
               b"Shevchenko Olena,other@example.org,Faro,1991-04-17\n"
               b"Rui Novo,rui@example.org,Faro,\n")
        result = imports.confirm_import(imports.start_import("mentee", "list.csv", csv, None), None)
        assert (result.count, result.registered_elsewhere) == (2, 1)
