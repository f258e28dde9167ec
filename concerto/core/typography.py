"""French typography for documents: non-breaking spaces where French wants them.

A normal space before « % », « : », « ; », « ! », « ? », « » » and after « « »
becomes a non-breaking space, so that a line never starts with « % » or « : ».
Also splits the small Markdown subset of narratives into blocks (paragraphs
and bullet lists) for Word and Excel documents.
"""

import re
from dataclasses import dataclass, field

NBSP = "\u00a0"

_BEFORE = re.compile(r"[ \u00a0\u202f]+([%:;!?»])")
_AFTER = re.compile(r"«[ \u00a0\u202f]+")
_DIGIT_PERCENT = re.compile(r"(\d)%")


def french_spacing(text: str | None) -> str:
    if not text:
        return ""
    text = _BEFORE.sub(lambda m: NBSP + m.group(1), text)
    text = _AFTER.sub("«" + NBSP, text)
    # URLs keep their colons: "https://" has no space before ":" so is untouched.
    return _DIGIT_PERCENT.sub(lambda m: m.group(1) + NBSP + "%", text)


def percent_text(value) -> str:
    return "" if value is None else f"{value}{NBSP}%"


_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1")
_BULLET = re.compile(r"^\s*[-*+]\s+")


def inline_plain(text: str) -> str:
    """Markdown inline markers removed: links keep their text and URL."""
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    return _EMPHASIS.sub(lambda m: m.group(2), text)


@dataclass
class Block:
    kind: str  # "p" or "ul"
    text: str = ""
    items: list[str] = field(default_factory=list)


def markdown_blocks(text: str | None) -> list[Block]:
    """Paragraphs and bullet lists of a narrative, as plain French text."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line for line in chunk.splitlines() if line.strip()]
        paragraph: list[str] = []
        for line in lines:
            if _BULLET.match(line):
                if paragraph:
                    blocks.append(Block("p", french_spacing(inline_plain(" ".join(paragraph)))))
                    paragraph = []
                item = french_spacing(inline_plain(_BULLET.sub("", line).strip()))
                if blocks and blocks[-1].kind == "ul" and not paragraph:
                    blocks[-1].items.append(item)
                else:
                    blocks.append(Block("ul", items=[item]))
            else:
                paragraph.append(line.strip())
        if paragraph:
            blocks.append(Block("p", french_spacing(inline_plain(" ".join(paragraph)))))
    return blocks
