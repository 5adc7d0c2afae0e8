"""Languages of the web app: every string translatable, every catalogue complete,
the language chosen per person, and numbers and dates in the person's locale.

When a template or web module gains a string, ``test_every_catalogue_translates_every_extracted_string``
fails until ``make translations`` has been run and the new entries translated (docs/web.md, "Languages").
"""

from __future__ import annotations

import datetime as dt
import gettext as stdlib_gettext
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from web_support import Client, Team

from realist import accounts
from realist.web import i18n

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "realist" / "web" / "templates"
LOCALES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]

# Text a template may show untranslated: the product's name and a fixed identifier prefix.
ALLOWED_TEXT = {"realist", "doi:"}
# Attributes a person reads or hears (screen readers): their text must be translated too.
VISIBLE_ATTRS = {"placeholder", "aria-label", "title", "alt", "data-label"}
MARK = "\x00"
LETTERS = re.compile(r"[^\W\d_]")


# ---------------------------------------------------------------- (a) templates


class _TextFinder(HTMLParser):
    """Literal text (and visible attribute values) left once Jinja blocks are blanked out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("code", "pre"):  # commands and data shown verbatim
            self._code += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRS and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "pre"):
            self._code -= 1

    def handle_data(self, data: str) -> None:
        if not self._code:
            self._check(data)

    def _check(self, text: str) -> None:
        for piece in text.split(MARK):
            piece = piece.strip()
            words = set(re.sub(r"[^\w:.]+", " ", piece).lower().split())  # "· realist" -> {"realist"}
            if LETTERS.search(piece) and not words <= ALLOWED_TEXT:
                self.found.append(piece)


def untranslated_text(source: str) -> list[str]:
    """Literal words in a Jinja/HTML template outside ``{{ _() }}`` and ``{% trans %}``."""
    source = re.sub(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", MARK, source, flags=re.S)
    source = re.sub(r"{%.*?%}|{#.*?#}", "", source, flags=re.S)  # statements print nothing
    source = re.sub(r"{{.*?}}", MARK, source, flags=re.S)
    finder = _TextFinder()
    finder.feed(source)
    finder.close()
    return finder.found


def test_the_checker_finds_text_outside_gettext() -> None:
    found = untranslated_text(
        '<h1>Hello {{ name }}</h1><p>{{ _("Wrapped") }}</p><input placeholder="Type here">'
        "<p>{% trans %}Also wrapped{% endtrans %}</p><code>realist user add NAME</code>"
    )
    assert found == ["Hello", "Type here"]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_every_template_string_goes_through_gettext(template: str) -> None:
    found = untranslated_text((TEMPLATES / template).read_text(encoding="utf-8"))
    assert not found, f"{template}: wrap these in {{{{ _('...') }}}}: {found}"


# ---------------------------------------------------------------- (b) catalogues


def extracted() -> dict[str, str | tuple[str, str]]:
    """Every gettext string of the web app, extracted with babel.cfg (as ``make translations`` does)."""
    method_map, options_map = parse_mapping_cfg((ROOT / "babel.cfg").open(encoding="utf-8"))
    out: dict[str, str | tuple[str, str]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map):
        key = message if isinstance(message, str) else message[0]
        out[key] = message if isinstance(message, str) else (message[0], message[1])
    return out


def _catalog(code: str) -> Catalog:
    path = i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return read_po(f, locale=code)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)[sdr]", text))


def test_extraction_finds_the_strings_of_templates_and_python() -> None:
    found = extracted()
    assert "Sign in" in found  # login.html
    assert "Title and abstract" in found  # views.py, N_()
    assert "sign in first" in found  # auth.py, gettext()
    assert found["%(num)s event."] == ("%(num)s event.", "%(num)s events.")


@pytest.mark.parametrize("code", LOCALES)
def test_every_catalogue_translates_every_extracted_string(code: str) -> None:
    catalog = _catalog(code)
    problems = []
    for key, message in sorted(extracted().items()):
        entry = catalog.get(key)
        if entry is None:
            problems.append(f"missing: {key!r}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            problems.append(f"empty: {key!r}")
            continue
        wanted = _placeholders(key if isinstance(message, str) else message[1]) - {"num"}
        for text in strings:
            if not wanted <= _placeholders(text) or not _placeholders(text) <= wanted | {"num"}:
                problems.append(f"placeholders differ: {key!r} -> {text!r}")
    assert not problems, f"{code}: run `make translations`, then translate:\n" + "\n".join(problems)


@pytest.mark.parametrize("code", LOCALES)
def test_each_compiled_catalogue_matches_its_po_file(code: str) -> None:
    catalog = _catalog(code)
    path = i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.mo"
    with path.open("rb") as f:
        compiled = stdlib_gettext.GNUTranslations(f)
    plural = stdlib_gettext.c2py(catalog.plural_expr)  # the .po's plural rule, not the .mo's
    for entry in catalog:
        if not entry.id or entry.fuzzy:
            continue
        if isinstance(entry.id, tuple):
            assert isinstance(entry.string, tuple)
            for n, form in enumerate(entry.string):
                sample = next(k for k in range(200) if plural(k) == n)
                assert compiled.ngettext(entry.id[0], entry.id[1], sample) == form, (
                    f"{path} is stale: run `make translations`"
                )
        else:
            assert compiled.gettext(entry.id) == entry.string, f"{path} is stale: run `make translations`"


def test_every_offered_language_is_marked_machine_drafted_until_reviewed() -> None:
    for code in LOCALES:
        language = i18n.LANGUAGES[code]
        assert language.machine_drafted == (not language.reviewed)
    assert not i18n.LANGUAGES["en"].machine_drafted


# ---------------------------------------------------------------- (c) over HTTP


def test_a_french_browser_gets_the_french_sign_in_page(team: Team) -> None:
    page = Client(team.app).http.get("/login", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert '<html lang="fr">' in page.text
    assert "<h1>Se connecter</h1>" in page.text and "Mot de passe" in page.text
    assert "pas encore été relue par un locuteur natif" in page.text  # the machine-drafted banner


def test_an_unsupported_browser_language_falls_back_to_english(team: Team) -> None:
    page = Client(team.app).http.get("/login", headers={"Accept-Language": "de-DE, ja;q=0.5"})
    assert '<html lang="en">' in page.text and "<h1>Sign in</h1>" in page.text
    assert "native speaker" not in page.text  # no banner for English


def test_the_browsers_preferred_supported_language_wins(team: Team) -> None:
    page = Client(team.app).http.get("/login", headers={"Accept-Language": "de;q=0.9, ru;q=0.8, fr;q=0.1"})
    assert '<html lang="ru">' in page.text and "Войти" in page.text


def test_the_picker_works_without_signing_in(team: Team) -> None:
    visitor = Client(team.app)
    moved = visitor.http.post("/language", data={"language": "vi", "next": "/login"}, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/login"
    page = visitor.http.get("/login", headers={"Accept-Language": "fr"})
    assert '<html lang="vi">' in page.text and "Đăng nhập" in page.text


def test_the_picker_refuses_an_unknown_language_and_changes_nothing(team: Team) -> None:
    visitor = Client(team.app)
    refused = visitor.http.post("/language", data={"language": "xx", "next": "/"}, follow_redirects=False)
    assert refused.status_code == 400 and "xx" in refused.text
    assert i18n.COOKIE not in visitor.http.cookies


def test_the_picker_never_redirects_off_the_site(team: Team) -> None:
    visitor = Client(team.app)
    moved = visitor.http.post("/language", data={"language": "es", "next": "//evil.example/"}, follow_redirects=False)
    assert moved.headers["location"] == "/"


def test_a_stored_preference_overrides_the_browser(team: Team) -> None:
    rae = team.client("reviewer")
    assert rae.post("/language", {"language": "es", "next": "/"}).status_code == 303
    rae_id = next(m.account_id for m in accounts.members(team.review) if m.name == "rae")
    assert accounts.account_locale(team.review.engine, rae_id) == "es"
    elsewhere = team.client("reviewer")  # another browser: no language cookie, a French Accept-Language
    elsewhere.http.cookies.delete(i18n.COOKIE)
    page = elsewhere.http.get("/", headers={"Accept-Language": "fr"})
    assert '<html lang="es">' in page.text and "Sus revisiones" in page.text


def test_choosing_the_browser_language_again_forgets_the_preference(team: Team) -> None:
    rae = team.client("reviewer")
    rae.post("/language", {"language": "ru", "next": "/"})
    rae.post("/language", {"language": "", "next": "/"})
    rae_id = next(m.account_id for m in accounts.members(team.review) if m.name == "rae")
    assert accounts.account_locale(team.review.engine, rae_id) is None
    assert '<html lang="fr">' in rae.http.get("/", headers={"Accept-Language": "fr"}).text


def test_a_signed_in_change_of_language_needs_the_csrf_token(team: Team) -> None:
    rae = team.client("reviewer")
    refused = rae.post("/language", {"language": "ru", "next": "/"}, csrf=False)
    assert refused.status_code == 403
    rae_id = next(m.account_id for m in accounts.members(team.review) if m.name == "rae")
    assert accounts.account_locale(team.review.engine, rae_id) is None


def test_placeholders_and_plurals_are_filled_in_a_translation(team: Team) -> None:
    olu = team.client("owner")
    olu.post("/language", {"language": "fr", "next": "/"})
    rid = team.review.review_id
    records = olu.get(f"/reviews/{rid}/records?q=Soil").text
    assert "3 références. Les exporter en :" in records
    dashboard = olu.get(f"/reviews/{rid}").text
    assert "Vous êtes propriétaire." in dashboard  # a role word translated inside a sentence
    olu.post("/language", {"language": "ru", "next": "/"})
    assert "3 записи. Экспортировать как:" in olu.get(f"/reviews/{rid}/records?q=Soil").text
    one = olu.get(f"/reviews/{rid}/records", params={"q": "maize rotation (2)"}).text
    assert len(re.findall(r"<tr><td>\d+</td><td>Soil nitrogen", one)) == 1
    assert "1 запись. Экспортировать как:" in one


def test_a_message_composed_in_the_web_layer_is_translated(team: Team) -> None:
    olu = team.client("owner")
    olu.post("/language", {"language": "es", "next": "/"})
    page = olu.get(f"/reviews/{team.review.review_id}/jobs/no-such-job")
    assert page.status_code == 404 and "no hay ninguna tarea no-such-job en esta revisión" in page.text


def test_the_json_api_answers_in_english(team: Team) -> None:
    answer = Client(team.app).http.get("/api/v1/me", headers={"Accept-Language": "fr"})
    assert answer.status_code == 401 and answer.json()["detail"] == "sign in first"


def test_concurrent_requests_each_get_their_own_language(team: Team) -> None:
    results: dict[str, list[bool]] = {}
    expected = {"en": "<h1>Sign in</h1>", "fr": "<h1>Se connecter</h1>", "es": "<h1>Iniciar sesión</h1>"}
    expected |= {"ru": "<h1>Войти</h1>", "vi": "<h1>Đăng nhập</h1>"}

    def browse(code: str) -> None:
        client = Client(team.app).http
        results[code] = [
            expected[code] in client.get("/login", headers={"Accept-Language": code}).text for _ in range(15)
        ]

    threads = [threading.Thread(target=browse, args=(code,)) for code in expected]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {code: all(ok) for code, ok in results.items()} == {code: True for code in expected}


# ---------------------------------------------------------------- (d) numbers and dates


def test_numbers_follow_the_locale() -> None:
    shown = {}
    for code in ("en", "fr", "es", "ru", "vi"):
        with i18n.use_locale(code):
            shown[code] = i18n.format_number(1234567.5, 1)
    assert shown["en"] == "1,234,567.5"
    assert re.fullmatch(r"1\s234\s567,5", shown["fr"])  # thin no-break spaces
    assert re.fullmatch(r"1\s234\s567,5", shown["ru"])
    assert shown["es"] == "1.234.567,5" and shown["vi"] == "1.234.567,5"


def test_percentages_follow_the_locale() -> None:
    with i18n.use_locale("en"):
        assert i18n.format_percent(0.95) == "95%"
    with i18n.use_locale("fr"):
        assert re.fullmatch(r"95\s%", i18n.format_percent(0.95))
    with i18n.use_locale("es"):
        assert re.fullmatch(r"95\s%", i18n.format_percent(0.95))
    assert i18n.format_percent(None) == "–"


def test_dates_follow_the_locale() -> None:
    day = dt.date(2026, 3, 5)
    shown = {}
    for code in ("en", "fr", "es", "ru", "vi"):
        with i18n.use_locale(code):
            shown[code] = i18n.format_date(day, "long")
    assert shown["en"] == "March 5, 2026"
    assert shown["fr"] == "5 mars 2026"
    assert shown["es"] == "5 de marzo de 2026"
    assert "марта" in shown["ru"] and "2026" in shown["ru"]
    assert "tháng 3" in shown["vi"]


def test_event_times_on_a_page_follow_the_locale(team: Team) -> None:
    olu = team.client("owner")
    olu.post("/language", {"language": "fr", "next": "/"})
    page = olu.get(f"/reviews/{team.review.review_id}/activity").text
    stamps = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', page)
    assert stamps
    iso, shown = stamps[0]
    when = dt.datetime.fromisoformat(iso).astimezone(dt.UTC)
    assert shown == f"{when:%d/%m/%Y} {when:%H:%M}"  # French short form: day first, 24-hour clock
