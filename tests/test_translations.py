"""The catalogs stay complete: every string extracted, translated, and shown translated."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.factories import login

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("pt_PT", "en")


def _ids(catalog):
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


def _read(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def test_the_committed_template_matches_the_code(tmp_path):
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "config/babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(extracted), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    missing = _ids(_read(extracted)) - _ids(_read(TRANSLATIONS / "messages.pot"))
    stale = _ids(_read(TRANSLATIONS / "messages.pot")) - _ids(_read(extracted))
    assert not missing, f"strings not extracted (run `make update-translations`): {sorted(missing)}"
    assert not stale, f"strings no longer in the code (run `make update-translations`): {sorted(stale)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_catalog_entry_is_translated_and_not_fuzzy(locale):
    catalog = _read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    template_ids = _ids(_read(TRANSLATIONS / "messages.pot"))
    assert _ids(catalog) == template_ids
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == []


def english_only_texts():
    """Message ids whose Portuguese translation differs: they must never show in a pt_PT page.
    Short ids (names, single words) could appear legitimately inside data, so they are left out."""
    catalog = _read(TRANSLATIONS / "pt_PT" / "LC_MESSAGES" / "messages.po")
    leaks = []
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or message.string == message.id:
            continue
        fixed_text = message.id.split("%(")[0].strip()
        if len(fixed_text) >= 12:
            leaks.append(fixed_text)
    return leaks


def leaked(texts, page):
    """The English texts shown in the page (whole words: "proficient" is not in "proficiente")."""
    return [text for text in texts if re.search(re.escape(text) + r"(?!\w)", page)]


def _pages_as(client, network):
    anonymous = ["/login", "/password/forgot", "/no-such-page", "/join/alpha/bad-token"]
    yield from ((url, client.get(url)) for url in anonymous)
    login(client, network.alpha_admin)
    for url in [f"/t/{network.alpha.slug}/", f"/t/{network.alpha.slug}/members", "/account", "/account/password",
                "/t/beta/"]:
        yield url, client.get(url)
    client.post(f"/t/{network.alpha.slug}/members", data={"email": "bad", "role": "nope"})
    yield "invite form with errors", client.post(f"/t/{network.alpha.slug}/members", data={"email": "bad"})
    client.post("/logout")
    login(client, network.coordinator)
    yield "partners", client.get(f"/t/{network.coordination.slug}/partners")


def test_no_english_leaks_into_portuguese_pages(client, two_partners):
    leaks = english_only_texts()
    assert leaks
    for url, response in _pages_as(client, two_partners):
        page = response.get_data(as_text=True)
        assert 'lang="pt-PT"' in page, url
        found = leaked(leaks, page)
        assert found == [], f"{url} shows untranslated text: {found}"
