"""Safe rendering of narratives: the small Markdown subset, never raw HTML."""

import re

import pytest
from django.utils.safestring import SafeString

from concerto.core.markdown import plain_text, render_markdown


def test_render_markdown_keeps_bulleted_lists():
    html = render_markdown("Travaux :\n\n- Coiffeur\n- Cuisinier")

    assert "<ul>" in html
    assert "<li>Coiffeur</li>" in html
    assert "<li>Cuisinier</li>" in html


def test_render_markdown_keeps_numbered_lists():
    html = render_markdown("1. un\n2. deux")

    assert "<ol>" in html
    assert "<li>deux</li>" in html


def test_render_markdown_keeps_emphasis():
    html = render_markdown("Un *mot* et un **autre**.")

    assert "<em>mot</em>" in html
    assert "<strong>autre</strong>" in html


def test_render_markdown_keeps_paragraphs():
    html = render_markdown("Premier.\n\nSecond.")

    assert html.count("<p>") == 2


def test_render_markdown_keeps_http_links_with_safe_rel():
    html = render_markdown("Voir [le site](https://www.opq.gouv.qc.ca/).")

    assert 'href="https://www.opq.gouv.qc.ca/"' in html
    assert 'rel="noopener noreferrer"' in html
    assert ">le site</a>" in html


def test_render_markdown_returns_a_safe_string():
    assert isinstance(render_markdown("*x*"), SafeString)


def test_render_markdown_escapes_script_tags():
    html = render_markdown("Avant <script>alert(1)</script> après")

    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("href", ["javascript:alert(1)", "JaVaScRiPt:alert(1)"])
def test_render_markdown_strips_javascript_links(href):
    html = render_markdown(f"[cliquer]({href})")

    assert "javascript" not in html.lower()
    assert "cliquer" in html


def test_render_markdown_never_emits_an_onclick_attribute():
    html = render_markdown('<a href="https://x.org" onclick="evil()">y</a> <img src=x onerror=alert(1)>')

    tags = re.findall(r"<[^>]*>", html)
    assert not [t for t in tags if "onclick" in t or "onerror" in t]
    assert "<a " not in html
    assert "<img" not in html


def test_render_markdown_escapes_ampersand_and_angle_brackets_in_text():
    html = render_markdown("A & B < C")

    assert html == "<p>A &amp; B &lt; C</p>"


@pytest.mark.parametrize("text", [None, ""])
def test_render_markdown_of_nothing_is_empty(text):
    assert render_markdown(text) == ""


def test_plain_text_drops_list_markers():
    text = plain_text("Fiches :\n\n- Ingénieurs\n- Infirmiers")

    assert not [line for line in text.splitlines() if line.lstrip().startswith(("- ", "* "))]
    assert "Ingénieurs" in text
    assert "Infirmiers" in text


def test_plain_text_drops_emphasis_and_link_markers():
    assert plain_text("Un *mot*, un **autre** et [un lien](https://x.org).") == (
        "Un mot, un autre et un lien."
    )


def test_plain_text_keeps_special_characters_as_text():
    assert plain_text("A & B < C > D") == "A & B < C > D"


@pytest.mark.parametrize("text", [None, ""])
def test_plain_text_of_nothing_is_empty(text):
    assert plain_text(text) == ""


def test_plain_text_keeps_non_breaking_spaces_as_characters():
    assert (
        plain_text("Avancement de 50\u00a0% : cible atteinte") == "Avancement de 50\u00a0% : cible atteinte"
    )


def test_plain_text_leaves_no_html_entity():
    assert plain_text('Il a dit "oui" & l’a écrit') == 'Il a dit "oui" & l’a écrit'
