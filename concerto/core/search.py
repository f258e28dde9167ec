"""Accent-insensitive text search, the same on SQLite and PostgreSQL.

« Reconnaissance des acquis » must find « RECONNAISSANCE DES ACQUIS » and
« reconnaissance des acquis » alike, and « etudiants etrangers » must find
« étudiants étrangers ». Both sides of the comparison are folded the same
way: lowercase, French accents and ligatures replaced by plain letters,
typographic apostrophes by straight ones. ``fold`` does it in Python (for
the words searched), ``Folded`` in SQL (for the column), with one table, so
no database extension is needed (PostgreSQL's ``unaccent`` is not installed
everywhere and SQLite has none): on PostgreSQL with TRANSLATE, on SQLite by
calling ``fold`` itself, registered as an SQL function on each connection.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Func, Q, TextField

# Lowercase letters and what they fold to. SQLite's LOWER() only lowercases
# ASCII letters, so the uppercase accented letters are listed too.
_LETTERS = {
    "a": "àâäáãåÀÂÄÁÃÅ",
    "c": "çÇ",
    "e": "éèêëÉÈÊË",
    "i": "îïíìÎÏÍÌ",
    "n": "ñÑ",
    "o": "ôöóòõÔÖÓÒÕ",
    "u": "ùûüúÙÛÜÚ",
    "y": "ÿýŸÝ",
}
_SINGLE = {accented: plain for plain, letters in _LETTERS.items() for accented in letters}
_SINGLE.update({"’": "'", "‘": "'", "\u00a0": " "})
_MULTI = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"}
_TABLE = str.maketrans({**_SINGLE, **_MULTI})


def fold(text: str) -> str:
    """``text`` lowercased, without accents or ligatures (as ``Folded`` in SQL)."""
    return text.lower().translate(_TABLE)


def search_words(text: str, *, limit: int = 8) -> list[str]:
    """The folded words of a search box, at most ``limit`` (each costs a condition)."""
    return [word for word in fold(text).split() if word][:limit]


class Folded(Func):
    """SQL: the column lowercased, without accents or ligatures (as ``fold``)."""

    output_field = TextField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(f"Folded: no folding for the {connection.vendor} database")

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite has no TRANSLATE and too shallow a parser for a chain of
        # REPLACE: ``fold`` itself, registered on each connection (below).
        sql, params = compiler.compile(self.source_expressions[0])
        return f"concerto_fold({sql})", params

    def as_postgresql(self, compiler, connection, **extra_context):
        # One TRANSLATE for the single letters (PostgreSQL's LOWER() knows
        # accented capitals), then the ligatures, which become two letters.
        sql, params = compiler.compile(self.source_expressions[0])
        sql, params = (
            f"TRANSLATE(LOWER({sql}), %s, %s)",
            [*params, "".join(_SINGLE), "".join(_SINGLE.values())],
        )
        for ligature, plain in _MULTI.items():
            sql = f"REPLACE({sql}, %s, %s)"
            params += [ligature, plain]
        return sql, params


def register_sqlite_fold(sender, connection, **kwargs):
    """``connection_created`` receiver: ``concerto_fold()`` in SQLite's SQL (see CoreConfig)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "concerto_fold", 1, lambda value: None if value is None else fold(value), deterministic=True
        )


def full_text_matching(queryset, query: str, *, field: str = "search_text"):
    """``queryset`` narrowed to the rows whose folded ``field`` matches ``query``.

    ``field`` holds the row's text already folded by :func:`fold` (kept up to
    date by the model's ``save()``), as the recommendations' and opinions'
    ``search_text``:

    - PostgreSQL: French full-text search (stemming: « études » finds
      « étude ») or every folded word as a substring, so that a reference or
      a word fragment is found too;
    - SQLite: every folded word must occur in the folded text.
    """
    words = search_words(query)
    if not words:
        return queryset
    substring = Q()
    for word in words:
        substring &= Q(**{f"{field}__contains": word})
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return queryset.annotate(_search=SearchVector(field, config="french")).filter(
            Q(_search=SearchQuery(" ".join(words), config="french")) | substring
        )
    return queryset.filter(substring)
