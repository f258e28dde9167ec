"""The opinion's text: its sections and paragraphs, and the diff between two versions.

The text is Markdown. A block (lines separated by a blank line) starting
with ``#`` is a section heading; every other block is a paragraph (a list is
one paragraph). Paragraphs are what citations and the follow-up point to:
each keeps a stable key from one version to the next when its text is the
same or close enough (``difflib``), so that its citations follow it.

The diff is built on the server with ``difflib``, escaped, as HTML: a
paragraph added, removed or changed, and inside a changed paragraph the
words added or removed. Insertions are ``<ins>`` and deletions ``<del>``,
each also announced in words for screen readers and marked by a sign and a
line style on screen, never by colour alone (WCAG 1.4.1).
"""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
SIMILAR = 0.6
"""How close a changed paragraph must be to its former self to keep its key."""


@dataclass
class Block:
    position: int
    section: str
    text: str
    key: str = ""


def blocks(text: str) -> list[str]:
    normalized = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return [b.strip() for b in re.split(r"\n\s*\n", normalized) if b.strip()]


def split_paragraphs(text: str) -> list[Block]:
    """The paragraphs of ``text``, each with the title of its section."""
    section = ""
    found = []
    for block in blocks(text):
        heading = HEADING.match(block) if "\n" not in block else None
        if heading:
            section = heading.group(2).strip()
            continue
        found.append(Block(position=len(found) + 1, section=section, text=block))
    return found


def sections(text: str) -> list[str]:
    return [m.group(2).strip() for b in blocks(text) if (m := HEADING.match(b)) and "\n" not in b]


def new_key() -> str:
    return uuid.uuid4().hex[:8]


def carry_keys(previous: list[Block], current: list[Block]) -> list[Block]:
    """Give ``current`` paragraphs the keys of their counterparts in ``previous``.

    Identical paragraphs keep their key; in a changed run, paragraphs are
    paired in order and keep the key when similar enough; the rest get a
    new key."""
    matcher = difflib.SequenceMatcher(
        a=[b.text for b in previous], b=[b.text for b in current], autojunk=False
    )
    used = set()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                current[j1 + offset].key = previous[i1 + offset].key
        elif tag == "replace":
            for offset in range(min(i2 - i1, j2 - j1)):
                old, new = previous[i1 + offset], current[j1 + offset]
                if difflib.SequenceMatcher(a=old.text, b=new.text, autojunk=False).ratio() >= SIMILAR:
                    new.key = old.key
    for block in current:
        if not block.key or block.key in used:
            block.key = new_key()
        used.add(block.key)
    return current


# --- the diff -------------------------------------------------------------------

_WORDS = re.compile(r"\s+|[^\s]+")


def _marked(tag: str, text: str, start: str, end: str) -> str:
    return (
        f'<{tag}><span class="qc-sr-only">{escape(start)} </span>{escape(text)}'
        f'<span class="qc-sr-only"> {escape(end)}</span></{tag}>'
    )


def _ins(text: str) -> str:
    return _marked("ins", text, _("[début d’ajout]"), _("[fin d’ajout]"))


def _del(text: str) -> str:
    return _marked("del", text, _("[début de suppression]"), _("[fin de suppression]"))


def word_diff(old: str, new: str) -> SafeString:
    """``new`` with the words removed from ``old`` and those added marked."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            out.append(_del("".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(_ins("".join(b[j1:j2])))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


@dataclass
class DiffRow:
    kind: str  # equal, added, removed, changed
    html: SafeString

    @property
    def label(self) -> str:
        return {
            "equal": _("Inchangé"),
            "added": _("Paragraphe ajouté"),
            "removed": _("Paragraphe supprimé"),
            "changed": _("Paragraphe modifié"),
        }[self.kind]


def diff_versions(old_text: str, new_text: str) -> list[DiffRow]:
    """Block by block (headings included), what changed from ``old_text`` to ``new_text``."""
    a, b = blocks(old_text), blocks(new_text)
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffRow("equal", escape(block)) for block in b[j1:j2]]
            continue
        old, new = a[i1:i2], b[j1:j2]
        if tag == "replace":
            paired = min(len(old), len(new))
            rows += [
                DiffRow("changed", word_diff(o, n)) for o, n in zip(old[:paired], new[:paired], strict=True)
            ]
            old, new = old[paired:], new[paired:]
        rows += [DiffRow("removed", mark_safe(_del(block))) for block in old]  # noqa: S308 - escaped in _del
        rows += [DiffRow("added", mark_safe(_ins(block))) for block in new]  # noqa: S308 - escaped in _ins
    return rows
