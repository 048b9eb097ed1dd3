"""Accent-free search of persons through an index made for it, never a scan of every name:

* SQLite: an FTS5 table over `Person.search_key` (external content: it stores only the index), kept in step by
  triggers on insert, delete and a change of the key; a bulk load drops the triggers and rebuilds the index
  afterwards (`suspend` / `rebuild`).
* PostgreSQL: a GIN index on `to_tsvector('simple', search_key)` (an expression index: nothing to keep in step).
* Any other database: `search_key LIKE '%word%'` for each word.

Every word typed is matched as the beginning of a word of the name or of the citizen ID, accents and case
ignored: "nguyen van a" finds "Nguyễn Văn An", "0792" finds the citizen IDs starting with 0792. The search
key is folded (`core.text.fold`) by `Person.save`; the words typed are folded the same way."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from ketnap.core.paging import estimated_rows, search_text
from ketnap.core.text import fold

FTS_TABLE = "people_person_fts"
# SQLite: a search matching at least this many persons is served by the list's own order instead of the index
DENSE = 2000
_WORD = re.compile(r"[a-z0-9]+")

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_key, content='people_person', "
    "content_rowid='id', tokenize='unicode61', prefix='2 3')",
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON people_person BEGIN
        INSERT INTO {FTS_TABLE} (rowid, search_key) VALUES (new.id, new.search_key); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON people_person BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, search_key) VALUES ('delete', old.id, old.search_key); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE OF search_key ON people_person BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, search_key) VALUES ('delete', old.id, old.search_key);
        INSERT INTO {FTS_TABLE} (rowid, search_key) VALUES (new.id, new.search_key); END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
PG_INDEX = "people_person_search_fts"
PG_CREATE = [
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON people_person USING gin (to_tsvector('simple'::regconfig, search_key))"
]
PG_DROP = [f"DROP INDEX IF EXISTS {PG_INDEX}"]
# PostgreSQL: the words of the names (the index's lexemes that begin with a letter), kept by a trigger. A word
# typed is looked up in it and searched as the exact words it begins ("thi" → thi | thien | thinh): the GIN
# index answers exact words by merging their lists, while a prefix ("thi:*") first builds the bitmap of every
# person it matches — a third of a nation for "thi".
PG_WORDS = "people_name_word"
PG_WORDS_CREATE = [
    f'CREATE TABLE IF NOT EXISTS {PG_WORDS} (word text COLLATE "C" PRIMARY KEY)',
    f"""CREATE OR REPLACE FUNCTION {PG_WORDS}_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {PG_WORDS} (word)
            SELECT lexeme FROM unnest(to_tsvector('simple'::regconfig, NEW.search_key)) WHERE lexeme ~ '^[a-z]'
            ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    f"DROP TRIGGER IF EXISTS {PG_WORDS}_add ON people_person",
    f"""CREATE TRIGGER {PG_WORDS}_add AFTER INSERT OR UPDATE OF search_key ON people_person
        FOR EACH ROW EXECUTE FUNCTION {PG_WORDS}_add()""",
]
PG_WORDS_FILL = f"""INSERT INTO {PG_WORDS} (word)
    SELECT DISTINCT lexeme FROM people_person, unnest(to_tsvector('simple'::regconfig, people_person.search_key))
    WHERE lexeme ~ '^[a-z]' ON CONFLICT DO NOTHING"""
PG_WORDS_DROP = [
    f"DROP TRIGGER IF EXISTS {PG_WORDS}_add ON people_person",
    f"DROP FUNCTION IF EXISTS {PG_WORDS}_add()",
    f"DROP TABLE IF EXISTS {PG_WORDS}",
]
PG_EXPAND = 64  # a word typed that begins more name words than this stays a prefix


def words(text) -> list[str]:
    """The words of a search, folded like the search keys, at most 8 of them."""
    return _WORD.findall(fold(search_text(text)))[:8]


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _pg_query(typed: list[str]) -> str:
    """The tsquery of the words typed: each one the exact name words it begins (from `PG_WORDS`), or a prefix
    (a citizen ID's digits, a word beginning no name word, or too many of them)."""
    parts = []
    with connection.cursor() as cur:
        for w in typed:
            found = []
            if w[0].isalpha():
                cur.execute(f"SELECT word FROM {PG_WORDS} WHERE word LIKE %s ORDER BY word LIMIT %s",
                            [w + "%", PG_EXPAND + 1])  # fmt: skip
                found = [row[0] for row in cur.fetchall()]
            if 0 < len(found) <= PG_EXPAND:
                parts.append("(" + " | ".join(_lexeme(x) for x in found) + ")")
            else:
                parts.append(f"{_lexeme(w)}:*")
    return " & ".join(parts)


PG_MATCH = "to_tsvector('simple'::regconfig, {table}.search_key) @@ %s::tsquery"
PG_DENSE_SHARE = 500  # PostgreSQL: dense when the planner expects at least one person in this many to match
# PostgreSQL: words matching at most PG_SPARSE_MAX persons in all can be read through the index (≈ 2.5–3 µs a
# match at nation scale: ≈ 200 ms at most), and are when the list's order would be slow to reach the first
# `limit` matches: a single word (most often a given name, and the list is sorted by given name: its matches
# all sort together, "yen" at the end: 4.5 M entries read, 670 ms), or words whose matches in the list's
# scope and filters are expected to need more than PG_DENSE_READS entries of the order (matches spread evenly)
PG_SPARSE_MAX = 90_000
PG_DENSE_READS = 100_000


def _match_rows(typed: list[str]) -> float:
    """PostgreSQL: the planner's estimate of the persons matching the words (no scan)."""
    from ketnap.people.models import Person

    return _plan_rows(Person.objects.all().extra(where=[PG_MATCH.format(table=Person._meta.db_table)],
                                                 params=[_pg_query(typed)]))  # fmt: skip


def _plan_rows(queryset) -> float:
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"]


def dense(text, scoped=None, limit: int = 0) -> bool:
    """The words match many persons (a common name: "nguyen van" is a third of a city). Such a list is best read
    in its own order, checking the words row by row (the first page comes at once); a rare name through the
    index. SQLite: at least DENSE persons, counted through the FTS index up to DENSE. PostgreSQL: the planner's
    estimate of the matches (the GIN index's word statistics, no scan: a bitmap of every "thi" or "nguyen" in a
    nation is what takes seconds) is at least DENSE and one person in PG_DENSE_SHARE, unless the words are few
    enough to read through the index and the list's order would be slow to reach them (PG_SPARSE_MAX; `scoped`
    and `limit`: the list being searched, with its scope and filters, and the rows wanted)."""
    typed = words(text)
    if not typed:
        return False
    if connection.vendor == "postgresql":
        from ketnap.people.models import Person

        expected = _match_rows(typed)
        total = estimated_rows(Person)
        if not (expected >= DENSE and expected * PG_DENSE_SHARE >= total):
            return False
        if expected > PG_SPARSE_MAX:
            return True
        if len(typed) == 1:
            return False
        if scoped is not None and limit:
            # `scoped()`: the list's persons matching the words through the index (its scope and filters)
            return limit * total / max(_plan_rows(scoped()), 1.0) <= PG_DENSE_READS
        return True
    if connection.vendor != "sqlite":
        return False
    match = " AND ".join(f'"{w}"*' for w in typed)
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s)",
                    [match, DENSE])  # fmt: skip
        return cur.fetchone()[0] >= DENSE


def matching(queryset, text, *, by_order: bool = False):
    """The persons of `queryset` whose name or citizen ID has a word beginning with each word of `text`:
    through the index, or (`by_order`, for a `dense` search on SQLite) word by word on the rows read."""
    typed = words(text)
    if not typed:
        return queryset
    vendor = connection.vendor
    if by_order:
        for w in typed:
            queryset = queryset.filter(Q(search_key__startswith=w) | Q(search_key__contains=f" {w}"))
        return queryset
    if vendor == "sqlite":
        match = " AND ".join(f'"{w}"*' for w in typed)
        return queryset.filter(
            pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
        )
    if vendor == "postgresql":
        table = queryset.model._meta.db_table
        return queryset.extra(where=[PG_MATCH.format(table=table)], params=[_pg_query(typed)])
    for w in typed:
        queryset = queryset.filter(search_key__contains=w)
    return queryset


def first_in_order(queryset, limit: int, *, dense: bool):
    """A search on PostgreSQL, in the list's own order: the ids of the first `limit` matches (enough for every
    page the capped count lets one open), then the list is those persons — its pages and its count read at most
    `limit` rows.

    * `dense` (the matches filtered word by word, `matching(by_order=True)`): read in the list's order from the
      index that also holds the search key (`people_person_order`, migration 0010): an index-only scan checks the words
      on the index's entries and reads no person's row.
    * otherwise (through the GIN index): every match is found through the index first, then sorted. The
      subquery's `OFFSET 0` keeps the planner from reading the list's order index instead, checking the words
      row by row over the whole table in the hope of finding the first page early (a rare name is not found
      early)."""
    if dense:
        ids = list(queryset.order_by("sort_key", "id").values_list("pk", flat=True)[:limit])
    else:
        sql, params = queryset.order_by().values("pk", "sort_key").query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT m.pk FROM ({sql} OFFSET 0) AS m ORDER BY m.sort_key, m.pk LIMIT %s", [*params, limit]
            )
            ids = [row[0] for row in cur.fetchall()]
    return queryset.filter(pk__in=ids)


def install(cursor, vendor: str) -> None:
    """Create the index (and on SQLite its triggers, on PostgreSQL the name words and their trigger), and fill
    it."""
    if vendor == "sqlite":
        for sql in SQLITE_CREATE + SQLITE_TRIGGERS:
            cursor.execute(sql)
        cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
    elif vendor == "postgresql":
        for sql in PG_CREATE + PG_WORDS_CREATE + [PG_WORDS_FILL]:
            cursor.execute(sql)


def uninstall(cursor, vendor: str) -> None:
    for sql in (
        SQLITE_DROP if vendor == "sqlite" else PG_DROP + PG_WORDS_DROP if vendor == "postgresql" else []
    ):
        cursor.execute(sql)


def suspend(cursor) -> None:
    """Before a bulk load of persons: stop the triggers (PostgreSQL's index is dropped with the other secondary
    indexes by the loader)."""
    if connection.vendor == "sqlite":
        for sql in SQLITE_DROP[:3]:
            cursor.execute(sql)
    elif connection.vendor == "postgresql":
        cursor.execute(PG_WORDS_DROP[0])


def rebuild(cursor) -> None:
    """After a bulk load: fill the index (SQLite) or the name words (PostgreSQL) from the table and put the
    triggers back."""
    if connection.vendor == "sqlite":
        install(cursor, "sqlite")
    elif connection.vendor == "postgresql":
        for sql in PG_WORDS_CREATE + [PG_WORDS_FILL]:
            cursor.execute(sql)
