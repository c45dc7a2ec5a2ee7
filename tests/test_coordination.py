"""The coordination page: partners' metadata and aggregates for coordinators, nobody else."""
from tests.factories import login


def test_coordinators_see_every_partner_with_team_sizes(client, two_partners):
    login(client, two_partners.coordinator, locale="en")
    home = client.get(f"/t/{two_partners.coordination.slug}/")
    assert home.status_code == 302 and home.location.endswith("/partners")
    page = client.get(home.location).get_data(as_text=True)
    assert "Câmara Municipal Alfa" in page and "Associação Beta" in page
    assert "2 partners" in page
    # Aggregates only: no person of a partner is named.
    for name in ("Ana Admin", "Tiago Técnico", "Bruno Admin", "admin@alpha.pt"):
        assert name not in page


def test_coordinators_cannot_enter_a_partners_workspace(client, two_partners):
    login(client, two_partners.coordinator)
    assert client.get(f"/t/{two_partners.alpha.slug}/").status_code == 404
    assert client.get(f"/t/{two_partners.alpha.slug}/members").status_code == 404


def test_partner_staff_cannot_see_the_coordination_pages(client, two_partners):
    login(client, two_partners.alpha_admin)
    assert client.get(f"/t/{two_partners.coordination.slug}/partners").status_code == 404
    assert client.get(f"/t/{two_partners.alpha.slug}/partners").status_code == 404
