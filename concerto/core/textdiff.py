"""What changed between two versions of a Markdown text, as escaped HTML.

Shared by every text kept in versions (the CIQ's opinions, its content
pages). The text is split into blocks (lines separated by a blank line);
the diff is built on the server with ``difflib``: a block added, removed or
changed, and inside a changed block the words added or removed. Insertions
are ``<ins>`` and deletions ``<del>``, each also announced in words for
screen readers and marked by a sign and a line style on screen, never by
colour alone (WCAG 1.4.1).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def blocks(text: str) -> list[str]:
    """The blocks of ``text`` (separated by a blank line), stripped."""
    normalized = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return [b.strip() for b in re.split(r"\n\s*\n", normalized) if b.strip()]


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


def compared_number(request, number: int) -> int:
    """The version a diff page compares ``number`` with: ``?depuis=N``, by default the one before."""
    try:
        return int(request.GET.get("depuis", number - 1))
    except ValueError:
        return number - 1
