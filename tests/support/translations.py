"""Reading gettext catalogues (.po files) in tests."""

import re


def entries(text: str):
    """(msgid, msgstr) pairs of a .po file, multi-line strings joined."""
    blocks = [b for b in text.split("\n\n") if "msgid" in b]
    for block in blocks:
        if block.lstrip().startswith("#~"):
            continue
        fuzzy = "#, fuzzy" in block or re.search(r"#,.*\bfuzzy\b", block)
        parts = re.findall(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) ((?:".*"\n?)+)', block + "\n", re.M)
        values = {key: "".join(re.findall(r'"(.*)"', raw)) for key, raw in parts}
        yield values, bool(fuzzy)
