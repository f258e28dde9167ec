"""The opinion's text: its sections and paragraphs, and the diff between two versions.

The text is Markdown. A block (lines separated by a blank line) starting
with ``#`` is a section heading; every other block is a paragraph (a list is
one paragraph). Paragraphs are what citations and the follow-up point to:
each keeps a stable key from one version to the next when its text is the
same or close enough (``difflib``), so that its citations follow it.

The diff between two versions is the shared one of ``concerto.core.textdiff``
(also used by the CIQ's content pages).
"""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass

from concerto.core.textdiff import DiffRow, blocks, diff_versions, word_diff

__all__ = ["DiffRow", "blocks", "carry_keys", "diff_versions", "sections", "split_paragraphs", "word_diff"]

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
SIMILAR = 0.6
"""How close a changed paragraph must be to its former self to keep its key."""


@dataclass
class Block:
    position: int
    section: str
    text: str
    key: str = ""


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
