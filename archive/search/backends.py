"""The two search engines behind :mod:`archive.search`: PostgreSQL full-text search and
SQLite FTS5. Both index the same three weighted fields (title > headings > body) and are
kept current on every save; both answer the same parsed query (see ``query.py``).

Why a side table, not a column on the article: ranking and highlighting need only the
vectors, and keeping them out of ``archive_article`` keeps every other article query (lists,
exports) reading narrow rows.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection, connections, router, transaction
from django.db.models import QuerySet

from archive.text import fold

from .query import ParsedQuery, Term, to_fts5, to_tsquery_sql

TABLE = "archive_search_article"
#: PostgreSQL: each article's pairs of adjacent words, hashed (migration 0014), so a phrase
#: is looked up in a GIN index instead of re-checking every article holding all its words.
PAIRS = "archive_search_pair"
PG_CONFIG = "archive_search"
# Ranking reads every candidate's vector, so past this many matches only the best
# candidates are ranked: title/heading matches first (a small index), then body matches.
RANK_CAP = 500
HEAD_CAP = 250
# Body matches gathered before ranking (more than are shown: filters apply afterwards).
POOL = RANK_CAP + 250
# Matches of the query's words standing together (its phrase, or its words as a phrase)
# added to the pool, found through the pairs index: they rank first, so they must be in it.
PHRASE_CAP = 250
COUNT_CAP = 10_000
# A phrase whose pairs of words at most this many articles hold is looked up among them.
FEW_PAIRS = 2_000
# A pair the planner's statistics put in at least this many articles is not probed for
# holders at all (they would be more than FEW_PAIRS): the statistics come from a sample, so
# the margin is wide; a pair wrongly judged either way costs time, never a wrong hit.
MANY_PAIRS = 4 * FEW_PAIRS
# How long the pairs' frequencies from the planner's statistics are kept (they change only
# when the table is analysed).
PAIR_STATISTICS_SECONDS = 600
# With filters the planner expects to keep at most this many articles, the filtered articles
# are found first and their vectors checked; with more, each match is checked against them.
DRIVING_BASE = 5_000
# With filters driving the search (DRIVING_BASE), the body branch runs alone when the planner
# expects fewer matches than this among that many filtered articles: it then holds them all.
ALONE_BELOW = POOL
# A span's years index is read only for a word with at least 1/YEARS_INDEX_SHARE as many
# matches as the span has articles: an index entry costs about a sixteenth of checking a row.
YEARS_INDEX_SHARE = 16
# Sorted by date, a query the planner expects in at least this many articles (and fewer than
# VERY_COMMON_SHARE) is read a window of years at a time; rarer ones are simply sorted.
WINDOWED = 5_000
#: A lexeme no article holds: its estimate is the planner's floor for words it has no
#: statistics for (see the date orders in ``PostgresBackend.candidates``).
UNKNOWN_LEXEME = "qzxjqzxjqzxj"
#: The article's filter keys the index table holds beside the vectors (migration 0022):
#: the filter's name, the column and its SQL type. They only narrow (``base`` decides).
KEYS = {"publication": ("publication_id", "bigint"), "kind": ("kind", "text")}
#: The years the years index holds (migration 0017 clamps to them).
INDEXED_YEARS = (1500, 2100)
# A query the planner expects in at least this share of articles is "very common": its first
# matches are found by reading vectors in table order rather than through the index.
VERY_COMMON_SHARE = 0.3
START, STOP = "\x02", "\x03"
#: The orders a search lists its hits in (``?ordering=``): rank descending, or the article's
#: effective date oldest or newest first; undated articles last either way; ties by id in
#: the date's direction (ascending for relevance). The ArticleFilterSet orders the hits'
#: rows by the same keys, so the API and the search page list them alike.
ORDERINGS = ("relevance", "date", "-date")
DATE_ORDER_SQL = {
    "date": "a.effective_date_start IS NULL, a.effective_date_start, a.id",
    "-date": "a.effective_date_start IS NULL, a.effective_date_start DESC, a.id DESC",
}


#: PostgreSQL settings of a search's transaction (why: see ``PostgresBackend.candidates``):
#: no scan in table order, no JIT, no parallel workers.
STATEMENT_SETTINGS = {
    "enable_seqscan": "off",
    "synchronize_seqscans": "off",
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
}
#: And of the statements that gather the candidates (after the estimates): nested loops only.
JOIN_SETTINGS = {"enable_mergejoin": "off", "enable_hashjoin": "off", "enable_material": "off"}


def apply_settings(cursor, settings: dict[str, str]) -> None:
    """Set ``settings`` for the rest of the cursor's transaction (``set_config(…, true)``)."""
    cursor.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
        [value for item in settings.items() for value in item],
    )


def headings_of(body: str) -> str:
    return " ".join(p[3:].strip() for p in re.split(r"\n\s*\n", body or "") if p.startswith("## "))


def body_without_headings(body: str) -> str:
    return "\n\n".join(p for p in re.split(r"\n\s*\n", body or "") if not p.startswith("## "))


@dataclass
class Candidates:
    """Matching article ids in display order, for one query, filter set and ordering."""

    ids: list[int]
    ranks: dict[int, float]  # by relevance: every listed id's rank; by date: empty
    total: int
    exact: bool  # False when more than COUNT_CAP match (total is then a floor)
    ranked_all: bool  # False when only the best RANK_CAP candidates were ranked


def _subquery(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


class PostgresBackend:
    vendor = "postgresql"

    def tsquery(self, parsed: ParsedQuery) -> tuple[str, list[str]]:
        return to_tsquery_sql(parsed, PG_CONFIG)

    def matching_ids_sql(self, parsed: ParsedQuery) -> tuple[str, list]:
        tsq, params = self.tsquery(parsed)
        return f"SELECT article_id FROM {TABLE} WHERE document @@ {tsq}", params

    def rank_expr(self, parsed: ParsedQuery, vector: str = "s.document") -> tuple[str, list]:
        """The rank of a row as SQL over its ``vector``: ``ts_rank_cd`` brought into [0, 1),
        plus 1 when the query's words stand together (:meth:`ParsedQuery.adjacent`), so such
        articles come first. Only ever computed for a bounded set of rows."""
        tsq, params = self.tsquery(parsed)
        sql = f"(1 - 1 / (1 + ts_rank_cd({vector}, {tsq}, 1)))"
        adjacent = parsed.adjacent()
        if adjacent:
            phrase, phrase_params = self.tsquery(adjacent)
            sql = f"({sql} + ({vector} @@ {phrase})::int)"
            params = [*params, *phrase_params]
        return sql, params

    def rank_sql(self, parsed: ParsedQuery, pk_sql: str) -> tuple[str, list]:
        """The rank of the article whose id is the SQL ``pk_sql`` (a correlated subquery)."""
        rank, params = self.rank_expr(parsed)
        return (f"(SELECT {rank} FROM {TABLE} s WHERE s.article_id = {pk_sql})", params)

    def pairs(self, cursor, phrases: list[str]) -> list[int]:
        """The hashed pairs of adjacent words every article matching all of ``phrases``
        holds (the same function as the index, over the phrases' own words); empty when
        the phrases have no two adjacent words (one word, or stop words between them)."""
        if not phrases:
            return []
        cursor.execute(
            "SELECT coalesce(array_agg(DISTINCT h), '{}') FROM unnest(%s::text[]) AS t, "
            f"unnest(archive_search_pairs(to_tsvector('{PG_CONFIG}', t))) AS h",
            [phrases],
        )
        return list(cursor.fetchone()[0])

    def required_pairs(self, cursor, parsed: ParsedQuery) -> list[int]:
        """Pairs every match of ``parsed`` must hold: those of its phrases, when the query
        is one group (with OR, no pair is required of every match)."""
        if len(parsed.groups) != 1:
            return []
        terms = [t for t in parsed.groups[0].positive if len(t.words) > 1 and not t.prefix]
        return self.pairs(cursor, [t.text for t in terms])

    def frequent_pairs(self, cursor, using: str) -> dict[int, float]:
        """``{pair: share of articles holding it}`` for the pairs common enough to be in the
        planner's statistics of the pairs column (``most_common_elems``; a few hundred
        pairs), kept in the cache for ``PAIR_STATISTICS_SECONDS``. Empty before the table
        is first analysed."""
        from django.core.cache import cache

        key = f"search:frequent-pairs:{using}"
        kept = cache.get(key)
        if kept is None:
            cursor.execute(
                "SELECT most_common_elems::text::int4[], most_common_elem_freqs FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'pairs'",
                [PAIRS],
            )
            row = cursor.fetchone()
            # The frequencies list ends with three summary figures: zip stops before them.
            kept = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
            cache.set(key, kept, PAIR_STATISTICS_SECONDS)
        return kept

    def candidates(
        self,
        parsed: ParsedQuery,
        base: QuerySet,
        ordering: str,
        filtered: bool = True,
        years: Sequence[int] = (),
        keys: Mapping[str, Sequence] | None = None,
    ) -> Candidates:
        """At most RANK_CAP matching ids of ``base``, in ``ordering`` (see ORDERINGS).

        ``years``: when ``base`` is narrowed to a span of dates, the years of that span; the
        index then narrows the word's matches to those years before anything is read
        (migration 0017). ``keys``: the values ``base`` keeps of the article's filter keys
        the index holds (:data:`KEYS`, migration 0022), e.g. ``{"kind": ["editorial"]}``;
        a match of another value is dropped on the index row. ``base`` still decides.

        By relevance, the best first (rank descending, ties by id).

        Ranking reads each candidate's whole vector, so a word in half the archive must not
        be ranked over every match: candidates are the first matches whose title or
        headings contain the words (a small index) plus the first body matches, then only
        those are ranked. Whether more exist is known from the LIMIT; how many is then the
        planner's estimate (from the index statistics), shown as "about N".
        """
        tsq, tparams = self.tsquery(parsed)
        base_sql, base_params = _subquery(base)
        limit = RANK_CAP + 1  # one more than is listed: says whether more match
        # Without filters the candidates are taken first and checked against the (nearly
        # all-published) base afterwards; with filters the base narrows them inside.
        pool = POOL
        # The database the base query reads from: a read replica for a reader's request when
        # one is configured (archive/db_routers.py), so candidates and records agree.
        using = base.db
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            # Only the GIN indexes find matches: a scan in table order would read (and
            # decompress) every vector until enough matches turned up, which for a word in
            # 5 % of a million articles is tens of thousands of vectors. (The planner does
            # not count the cost of decompressing vectors, so it has to be told.)
            # JIT off: the planner's penalty for the disabled scans inflates every plan's cost
            # past jit_above_cost, and compiling took 150 ms of a 160 ms query at a million
            # articles. No parallel workers: starting them costs more than these bounded
            # statements save.
            apply_settings(cursor, STATEMENT_SETTINGS)
            # How many match (the planner's estimate from the lexeme statistics): the total
            # shown when there are too many to count, and the choice of plan below.
            scoped = (base_sql, base_params) if filtered else (None, ())
            estimate = self._estimate(cursor, tsq, tparams, *scoped)
            size = self._size(cursor)
            # Except for a word in most articles: then the index would hand over its whole
            # posting list (840,000 entries at a million articles) to find the first few
            # hundred, while reading vectors in table order finds them after a few hundred
            # rows. Both give the same rows: the first matches in table order (the bitmap
            # scan visits the table in that order too; synchronised scans are off so a
            # concurrent scan cannot move the starting point). Decided per column: a word in
            # most bodies may still be rare in titles.
            # "Most" is of the articles the filters keep: a word in 84 % of the archive is in
            # about 84 % of one publication's articles too, and reading that publication's
            # articles in order finds its first matches at once, where the index would still
            # hand over the whole posting list.
            scope = self._rows(cursor, base_sql, base_params) if filtered else size
            # The years index narrows the word's matches to the span's years inside the
            # indexes (migration 0017): the matches' order in the table need not follow
            # their dates, so the first matches in table order may all lie outside the span.
            # Unless the word is much rarer than the span: ANDing the bitmaps then read the
            # years index for a whole decade (15,000 entries a partition, 45 ms in all) to
            # narrow a word found in a few hundred articles, whose own rows are checked in
            # a fraction of that. The base keeps only the span's articles either way. (The
            # word's matches in the archive: its estimate in the span, scaled to the whole.)
            word = estimate * size / scope if scope else estimate
            hinted = bool(years) and word * YEARS_INDEX_SHARE >= scope
            key_hint, key_params = "", []
            for key, values in (keys or {}).items():
                column, cast = KEYS[key]
                key_hint += f" AND s.{column} = ANY(%s::{cast}[])"
                key_params.append(list(values))
            hint, hint_params = key_hint, key_params
            if hinted:
                hint = f" AND s.years && %s::int4[]{key_hint}"
                hint_params = [list(years), *key_params]
            # A narrow filter (one person's few hundred articles) is evaluated once, first, and
            # drives the search: its articles' vectors are checked (hundreds), instead of the
            # word's matches being walked (tens of thousands) for the few the filter keeps.
            # A broad one (a publication: a tenth of the archive) is checked per match instead,
            # by index lookups: a merge or hash join would read the whole filter (every
            # article of the publication, in id order) to keep a few hundred matches.
            # Either way every join here is a bounded walk through indexes: a merge or hash
            # join would read a whole side (all 20,000 issues, or every article of the
            # publication in id order) for a few hundred rows.
            if filtered and scope <= DRIVING_BASE:
                cte, cte_params = f"b AS MATERIALIZED ({base_sql}), ", list(base_params)
                base_ref, base_ref_params = "SELECT pk FROM b", []
            else:
                cte, cte_params = "", []
                base_ref, base_ref_params = base_sql, list(base_params)
            # (Materialising is off too: it let the planner cross-join the mentions of a place
            # with every publication before looking each article up, ten lookups per row.)
            apply_settings(cursor, JOIN_SETTINGS)
            # Without filters the candidates are taken first and checked against the (nearly
            # all-published) base afterwards; with filters the base narrows them inside.
            inner, inner_params = ("", [])
            if filtered:
                inner, inner_params = f" AND s.article_id IN ({base_ref})", base_ref_params
            inner, inner_params = f"{hint}{inner}", [*hint_params, *inner_params]

            def with_cte(sql: str, params: list) -> tuple[str, list]:
                """``sql`` (a SELECT, or ``WITH c AS …``) with the driving filter first."""
                if not cte:
                    return sql, params
                if sql.startswith("WITH "):
                    return f"WITH {cte}{sql[5:]}", [*cte_params, *params]
                return f"WITH {cte[:-2]} {sql}", [*cte_params, *params]

            def checked_in_order(select: str, inner: str, key: str, order: str, cap: str) -> str:
                """``inner`` (already in ``order``, said over its columns as ``x``) checked
                against the base in that order, only until ``cap`` rows pass: each check is
                three index lookups or more, and the rows kept are often a fraction of
                those sorted. ``OFFSET 0`` keeps the check out of ``inner``. Only for a
                bounded ``inner``: without a LIMIT of its own, a walk down an index would be
                planned as a sort of every row. Parameters: ``inner``'s, the base's, ``cap``'s.
                """
                return (
                    f"SELECT {select} FROM ({inner} OFFSET 0) x "
                    f"WHERE x.{key} IN ({base_ref}) ORDER BY {order} LIMIT {cap}"
                )

            common = {"document": scope > 0 and estimate >= VERY_COMMON_SHARE * scope}
            if ordering == "relevance" and common["document"]:
                head = self._estimate(cursor, tsq, tparams, *scoped, "head")
                common["head"] = head >= VERY_COMMON_SHARE * scope

            # A phrase is found through the pairs index: only the articles holding every
            # pair of its adjacent words are re-checked (a few hundred), not every article
            # holding its words (tens of thousands for two common words).
            required = self.required_pairs(cursor, parsed)

            held: dict[tuple[int, ...], list[int] | None] = {}

            def with_pairs(cond: str, params: list, pairs: list[int]) -> tuple[str, list]:
                if not pairs:
                    return cond, params
                # The articles holding the pairs, read first through their index: when they
                # are few (a rare phrase), the candidates are looked up among them one by
                # one; as a join, PostgreSQL re-checked every article holding the words
                # instead (7,800 vectors for "strike congress"). When they are many, reading
                # them all costs more than the join: the join is kept.
                key = tuple(pairs)
                if key not in held:
                    # An article matching holds every pair: the rarest bounds the holders.
                    # A pair known common is not probed: reading 2,001 holders of a pair
                    # in 7 % of the archive built its whole bitmap first (24 ms), only to
                    # learn that they are many.
                    frequent = self.frequent_pairs(cursor, using)
                    if min(frequent.get(p, 0.0) for p in pairs) * size >= MANY_PAIRS:
                        held[key] = None
                if key not in held:
                    cursor.execute(
                        f"SELECT p.article_id FROM {PAIRS} p WHERE p.pairs @> %s::int4[] LIMIT %s",
                        [pairs, FEW_PAIRS + 1],
                    )
                    found = [row[0] for row in cursor.fetchall()]
                    held[key] = found if len(found) <= FEW_PAIRS else None
                if held[key] is not None:
                    # The words' condition is hidden from the GIN index (coalesce), or the
                    # planner, expecting few phrase matches, would still start from it. The
                    # holders are a subquery, not "= ANY(array)": as a join each is looked
                    # up in its own partition only (pruned at run time), where the array
                    # was probed whole in every partition read, 16 times the lookups.
                    return (
                        f"coalesce(({cond}), false) AND s.article_id IN "
                        f"(SELECT unnest(%s::bigint[]))",
                        [*params, held[key]],
                    )
                return (
                    f"{cond} AND s.article_id IN "
                    f"(SELECT p.article_id FROM {PAIRS} p WHERE p.pairs @> %s::int4[])",
                    [*params, pairs],
                )

            def match(col: str) -> tuple[str, list]:
                if common.get(col) and not required:
                    return f"coalesce(s.{col} @@ {tsq}, false)", list(tparams)
                return with_pairs(f"s.{col} @@ {tsq}", list(tparams), required)

            def by_date(
                where: str, order: str, at_most: int, extra=(), window: bool = False
            ) -> list[tuple]:
                # Ranks are not read here: a list by date is ranked only for the rows shown.
                cond, params = match("document")
                # A window names its own years (within the span's): the span's are not read.
                narrow, narrow_params = (key_hint, key_params) if window else (hint, hint_params)
                matches = (
                    f"FROM archive_article a JOIN {TABLE} s ON s.article_id = a.id "
                    f"WHERE {cond}{narrow}"
                )
                if not window:
                    # A walk down the date index (or a sort of a rare word's matches) with
                    # the filters inside: they may keep few of the matches, and the walk
                    # stops at ``at_most`` anyway.
                    sql = (
                        f"SELECT a.id, NULL, 0 {matches} AND a.id IN ({base_ref}){where} "
                        f"ORDER BY {order} LIMIT %s"
                    )
                    params = [*params, *narrow_params, *base_ref_params, *extra, at_most]
                else:
                    # A window's matches (a few thousand, bounded by the years index): all
                    # 2,246 of a window were checked before 501 were kept.
                    sql = checked_in_order(
                        "x.id, NULL, 0",
                        f"SELECT a.id, a.effective_date_start {matches}{where} ORDER BY {order}",
                        "id",
                        re.sub(r"\ba\.", "x.", order),
                        "%s",
                    )
                    params = [*params, *narrow_params, *extra, *base_ref_params, at_most]
                cursor.execute(*with_cte(sql, params))
                return cursor.fetchall()

            windowed = (
                ordering in DATE_ORDER_SQL and not common["document"] and estimate >= WINDOWED
            )
            if windowed and estimate <= self._estimate(
                cursor, "%s::tsquery", [UNKNOWN_LEXEME], *scoped
            ):
                # The planner knows nothing of the words: a lexeme missing from the column's
                # statistics (its most common thousand) is given a floor, half the rarest
                # one's frequency: 5,000 articles of a million, for a word in 168 as for one
                # in 4,000. Windows of years for a rare word read the years index over ever
                # wider spans (330 ms for 168 matches, against 70 ms sorting them), so
                # its matches are counted, up to WINDOWED, before windows are chosen.
                cond, params = match("document")
                cursor.execute(*with_cte(
                    f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} s WHERE {cond}{inner} "
                    f"LIMIT %s) AS m",
                    [*params, *inner_params, WINDOWED],
                ))  # fmt: skip
                windowed = cursor.fetchone()[0] >= WINDOWED
            if ordering in DATE_ORDER_SQL:
                newest = ordering == "-date"
                # A date filter's span (its years), when the years index holds the year
                # before it: its matches start inside it, or before it for the dates running
                # into it (``_crossing``), read first oldest first and last newest first.
                # From the archive's end instead, a walk met the 1980s' first match after
                # half a million articles (1.7 s), and windows crossed centuries (0.6 s).
                low_year, high_year = INDEXED_YEARS
                span = years if years and low_year < years[0] <= years[-1] <= high_year else ()
                crossing = self._crossing(span) if span else None
                order = (
                    "a.effective_date_start DESC NULLS LAST, a.id DESC"
                    if newest
                    else "a.effective_date_start, a.id"
                )
                rows = []
                if crossing and not newest:
                    rows += by_date(crossing[0], order, limit, crossing[1], window=True)
                if len(rows) < limit and windowed:
                    rows += self._by_year_windows(cursor, newest, by_date, limit - len(rows), span)
                elif len(rows) < limit:
                    # Through the (effective_date_start DESC NULLS LAST, id DESC) index
                    # (migration 0010), read backwards oldest first: for a word in most
                    # articles the walk meets 500 matches within a few hundred articles
                    # instead of sorting every match; bounded by the span's end (newest
                    # first) or start (oldest first).
                    dated, extra = " AND a.effective_date_start IS NOT NULL", []
                    if span:
                        bound = dt.date(span[-1], 12, 31) if newest else dt.date(span[0], 1, 1)
                        dated = f" AND a.effective_date_start {'<=' if newest else '>='} %s"
                        extra = [bound]
                    rows += by_date(dated, order, limit - len(rows), extra)
                if crossing and newest and len(rows) < limit:
                    rows += by_date(crossing[0], order, limit - len(rows), crossing[1], window=True)
                if len(rows) < limit:
                    # Undated last both ways, by id in the date's direction.
                    undated = " AND a.effective_date_start IS NULL"
                    rows += by_date(undated, "a.id DESC" if newest else "a.id", limit - len(rows))
                complete = len(rows) <= RANK_CAP
            else:
                body, body_params = match("document")
                body_branch = (
                    f"SELECT s.article_id FROM {TABLE} s WHERE {body}{inner} LIMIT %s",
                    [*body_params, *inner_params, pool],
                )

                def other_branches() -> list[tuple[str, list]]:
                    head, head_params = match("head")
                    if any(group.negative for group in parsed.groups):
                        # A title matching "stalinism -trotsky" says nothing of the body:
                        # the excluded word may stand there. (Without exclusions a title
                        # match is a match: the document holds the title.)
                        head = f"{head} AND s.document @@ {tsq}"
                        head_params = [*head_params, *tparams]
                    branches = [
                        (f"SELECT s.article_id FROM {TABLE} s WHERE {head}{inner} LIMIT %s",
                         [*head_params, *inner_params, HEAD_CAP]),
                    ]  # fmt: skip
                    # The matches where the words stand together rank first: wherever they
                    # are in the table, they join the pool (through the pairs index).
                    adjacent = parsed.adjacent()
                    adjacent_pairs = self.required_pairs(cursor, adjacent) if adjacent else []
                    if adjacent_pairs:
                        phrase, phrase_params = self.tsquery(adjacent)
                        cond, params = with_pairs(
                            f"s.document @@ {tsq} AND s.document @@ {phrase}",
                            [*tparams, *phrase_params],
                            adjacent_pairs,
                        )
                        branches.append(
                            (f"SELECT s.article_id FROM {TABLE} s WHERE {cond}{inner} LIMIT %s",
                             [*params, *inner_params, PHRASE_CAP])
                        )  # fmt: skip
                    return branches

                rank, rank_params = self.rank_expr(parsed)

                def ranked(branches: list[tuple[str, list]]) -> list[tuple]:
                    pool_sql = " UNION ".join(f"({sql})" for sql, _ in branches)
                    pool_params = [p for _, params in branches for p in params]
                    scored = (
                        f"SELECT s.article_id, {rank} AS r, (SELECT count(*) FROM c) AS n "
                        f"FROM {TABLE} s JOIN c USING (article_id)"
                    )
                    if filtered:  # every branch kept only the base's articles already
                        sql, params = f"{scored} ORDER BY r DESC, s.article_id", rank_params
                    else:
                        # The ranked candidates, best first: when the pool is full, until a
                        # list's worth pass; when it holds every match, all of them, to count
                        # them (LIMIT NULL).
                        sql = checked_in_order(
                            "x.article_id, x.r, x.n",
                            f"{scored} ORDER BY r DESC, s.article_id",
                            "article_id",
                            "x.r DESC, x.article_id",
                            "(SELECT CASE WHEN count(*) >= %s THEN %s END FROM c)",
                        )
                        params = [*rank_params, *base_ref_params, pool, limit]
                    cursor.execute(*with_cte(
                        f"WITH c AS MATERIALIZED ({pool_sql}) {sql}",
                        [*pool_params, *params],
                    ))  # fmt: skip
                    return cursor.fetchall()

                # The title and words-together branches only add matches the body branch
                # left out when it stopped at its LIMIT. With a narrow filter driving the
                # search and a word the planner puts in few of its articles, the body branch
                # is expected to hold every match, and the title branch would read each of
                # the filter's articles once more for nothing (a place's 2,000). So the body
                # branch runs alone, and the whole statement again only if it was cut.
                share = estimate / scope if scope else 1.0
                alone = bool(cte) and share * DRIVING_BASE < ALONE_BELOW
                rows = ranked([body_branch] if alone else [body_branch, *other_branches()])
                if alone and rows and rows[0][2] >= pool:
                    rows = ranked([body_branch, *other_branches()])
                complete = not rows or rows[0][2] < pool
            total = len(rows) if complete else max(len(rows), estimate)
        return Candidates(
            ids=[r[0] for r in rows[:RANK_CAP]],
            ranks={r[0]: float(r[1]) for r in rows[:RANK_CAP] if r[1] is not None},
            total=total,
            exact=complete,
            ranked_all=complete,
        )

    def _by_year_windows(
        self, cursor, newest_first: bool, by_date, limit: int, span: Sequence[int] = ()
    ) -> list[tuple]:
        """The dated matches in date order, at most ``limit``, read a window of years at a
        time from the newest (or oldest) end: 1 year, then the 2 before, then 4, …

        For a word in a few percent of the articles, walking the date index re-checks about
        ten vectors per match (5,000 for a list of 500); sorting all its matches reads
        tens of thousands of rows. A window asks the indexes for the word's matches in those
        years (the years index ANDed with the word's, no vector re-checked), and only those
        few thousand rows are sorted. Each window's rows are exactly the matches dated
        inside it, so the windows' rows, one after the other, are the date order itself.

        ``span``: the years of a date filter: the windows stay within them (the matches
        starting before the span are the caller's, ``_crossing``)."""
        cursor.execute(
            "SELECT min(effective_date_start), max(effective_date_start) FROM archive_article"
        )
        first, last = cursor.fetchone()
        if first is None:
            return []
        low_year, high_year = INDEXED_YEARS
        low, high = first.year, last.year
        if span:
            low, high = max(low, span[0]), min(high, span[-1])
        order = DATE_ORDER_SQL["-date" if newest_first else "date"].replace(
            "a.effective_date_start IS NULL, ", ""
        )
        rows: list[tuple] = []
        width = 1
        edge = high if newest_first else low
        while len(rows) < limit:
            if newest_first:
                start, end = max(edge - width + 1, low), edge
            else:
                start, end = edge, min(edge + width - 1, high)
            if start > end:
                break
            years = sorted({min(high_year, max(low_year, y)) for y in range(start, end + 1)})
            rows += by_date(
                " AND s.years && %s::int4[] AND a.effective_date_start >= %s "
                "AND a.effective_date_start <= %s",
                order,
                limit - len(rows),
                [years, dt.date(start, 1, 1), dt.date(end, 12, 31)],
                window=True,
            )
            edge = start - 1 if newest_first else end + 1
            width *= 2
        return rows

    @staticmethod
    def _crossing(span: Sequence[int]) -> tuple[str, list]:
        """The condition for the matches of a date filter over ``span`` (its years) that
        start before it: date ranges running into it, whose years hold both the span's first
        year and the one before (the years index finds them)."""
        return (
            " AND s.years @> %s::int4[] AND a.effective_date_start < %s",
            [[span[0] - 1, span[0]], dt.date(span[0], 1, 1)],
        )

    def _size(self, cursor) -> int:
        """Rows in the index table as of the last ANALYZE (0 if never analysed): the sum over
        its partitions (migration 0021), which autovacuum analyses, not their parent."""
        cursor.execute(
            "SELECT coalesce((SELECT sum(greatest(c.reltuples, 0)) FROM pg_class c "
            "JOIN pg_inherits i ON i.inhrelid = c.oid WHERE i.inhparent = %s::regclass), "
            "(SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass), 0)",
            [TABLE, TABLE],
        )
        return int(cursor.fetchone()[0])

    def _estimate(self, cursor, tsq, tparams, base_sql, base_params, col="document") -> int:
        """The planner's estimate of the matches in ``base``; ``base_sql=None`` for every
        public article: then the word's alone (the same figure, planned in half the time,
        1.7 ms instead of 3.2: the join to the public articles need not be planned)."""
        if base_sql is None:
            sql, params = f"SELECT 1 FROM {TABLE} s WHERE s.{col} @@ {tsq}", list(tparams)
        else:
            sql = f"SELECT 1 FROM {TABLE} s WHERE s.{col} @@ {tsq} AND s.article_id IN ({base_sql})"
            params = [*tparams, *base_params]
        return self._rows(cursor, sql, params)

    def _rows(self, cursor, sql: str, params) -> int:
        """The planner's estimate of the rows ``sql`` returns (no execution)."""
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", list(params))
        plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def snippets(self, parsed: ParsedQuery, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """``ts_headline`` for the shown page only (it re-parses each whole body)."""
        if not ids:
            return {}
        tsq, tparams = self.tsquery(parsed)
        options = (
            f"StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=18, "
            'MaxFragments=2, FragmentDelimiter=" … "'
        )
        from archive.models import Article

        with connections[router.db_for_read(Article)].cursor() as cursor:
            cursor.execute(
                f"SELECT a.id, ts_headline('{PG_CONFIG}', a.title, {tsq}, %s), "
                f"ts_headline('{PG_CONFIG}', a.body, {tsq}, %s) "
                f"FROM archive_article a WHERE a.id = ANY(%s)",
                [*tparams, f"StartSel={START}, StopSel={STOP}, HighlightAll=true",
                 *tparams, options, list(ids)],
            )  # fmt: skip
            return {r[0]: (_marks(r[1]), _marks(r[2].replace("## ", ""))) for r in cursor}

    def index(self, ids: Iterable[int] | None = None) -> None:
        """Recompute vectors (the trigger does this on every write; this is for bulk
        rebuilds). ``None`` rebuilds every article."""
        where, params = ("", []) if ids is None else ("WHERE a.id = ANY(%s)", [list(ids)])
        with connection.cursor() as cursor:
            if ids is None:
                cursor.execute(f"DELETE FROM {TABLE}")
            cursor.execute(
                f"INSERT INTO {TABLE} (article_id, head, document, years, publication_id, kind) "
                f"SELECT a.id, archive_search_head(a.title, a.subtitle, a.body), "
                f"archive_search_document(a.title, a.subtitle, a.body), "
                f"archive_search_years(a.effective_date_start, a.effective_date_end), "
                f"i.publication_id, a.kind "
                f"FROM archive_article a LEFT JOIN archive_issue i ON i.id = a.issue_id "
                f"{where} "
                f"ON CONFLICT (article_id) DO UPDATE SET head = EXCLUDED.head, "
                f"document = EXCLUDED.document, years = EXCLUDED.years, "
                f"publication_id = EXCLUDED.publication_id, kind = EXCLUDED.kind",
                params,
            )
            where = "" if ids is None else "WHERE article_id = ANY(%s)"
            if ids is None:
                cursor.execute(f"DELETE FROM {PAIRS}")
            cursor.execute(
                f"INSERT INTO {PAIRS} (article_id, pairs) "
                f"SELECT article_id, archive_search_pairs(document) FROM {TABLE} {where} "
                f"ON CONFLICT (article_id) DO UPDATE SET pairs = EXCLUDED.pairs",
                params,
            )

    def remove(self, ids: Iterable[int]) -> None:
        pass  # the delete trigger removes rows


class SqliteBackend:
    vendor = "sqlite"

    def candidates(
        self,
        parsed: ParsedQuery,
        base: QuerySet,
        ordering: str,
        filtered: bool = True,
        years: Sequence[int] = (),
        keys: Mapping[str, Sequence] | None = None,
    ) -> Candidates:
        """At most RANK_CAP matching ids of ``base`` in ``ordering`` (see ORDERINGS).
        ``years`` and ``keys`` are PostgreSQL's index hints; here ``base`` alone filters."""
        match = to_fts5(parsed)
        base_sql, base_params = _subquery(base)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s "
                f"AND rowid IN ({base_sql}) LIMIT %s)",
                [match, *base_params, COUNT_CAP + 1],
            )
            total = cursor.fetchone()[0]
            if ordering in DATE_ORDER_SQL:
                cursor.execute(
                    f"SELECT a.id, NULL FROM archive_article a JOIN {TABLE} s ON s.rowid = a.id "
                    f"WHERE {TABLE} MATCH %s AND a.id IN ({base_sql}) "
                    f"ORDER BY {DATE_ORDER_SQL[ordering]} LIMIT %s",
                    [match, *base_params, RANK_CAP],
                )
            else:
                rank, rank_params = self.rank_expr(parsed)
                cursor.execute(
                    f"SELECT rowid, {rank} AS r FROM {TABLE} "
                    f"WHERE {TABLE} MATCH %s AND rowid IN ({base_sql}) "
                    f"ORDER BY r DESC, rowid LIMIT %s",
                    [*rank_params, match, *base_params, RANK_CAP],
                )
            rows = cursor.fetchall()
        return Candidates(
            ids=[r[0] for r in rows],
            ranks={r[0]: float(r[1]) for r in rows if r[1] is not None},
            total=min(total, COUNT_CAP),
            exact=total <= COUNT_CAP,
            ranked_all=total <= RANK_CAP,
        )

    def matching_ids_sql(self, parsed: ParsedQuery) -> tuple[str, list]:
        return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [to_fts5(parsed)]

    def rank_expr(self, parsed: ParsedQuery) -> tuple[str, list]:
        """The rank of a row of a MATCH query, as SQL: ``bm25`` (title 10, headings 4, body
        1) brought into [0, 1), plus 1 when the query's words stand together
        (:meth:`ParsedQuery.adjacent`): the same rule as PostgreSQL's."""
        sql = f"(1 - 1 / (1 - bm25({TABLE}, 10.0, 4.0, 1.0)))"
        adjacent = parsed.adjacent()
        if not adjacent:
            return sql, []
        return (
            f"({sql} + (rowid IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s)))",
            [to_fts5(adjacent)],
        )

    def rank_sql(self, parsed: ParsedQuery, pk_sql: str) -> tuple[str, list]:
        """The rank of the article whose id is the SQL ``pk_sql``. bm25() only works in a
        full-text query, so it is a correlated MATCH."""
        rank, params = self.rank_expr(parsed)
        return (
            f"(SELECT {rank} FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid = {pk_sql})",
            [*params, to_fts5(parsed)],
        )

    def snippets(self, parsed: ParsedQuery, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        from archive.models import Article

        terms = parsed.positive_terms()
        return {
            a.pk: (highlight(a.title, terms, whole=True), highlight(a.body, terms))
            for a in Article.objects.filter(pk__in=list(ids)).only("title", "body")
        }

    def index(self, ids: Iterable[int] | None = None) -> None:
        from archive.models import Article

        qs = Article.objects.all() if ids is None else Article.objects.filter(pk__in=list(ids))
        with connection.cursor() as cursor:
            if ids is None:
                cursor.execute(f"DELETE FROM {TABLE}")
            rows = []
            for pk, title, subtitle, body in qs.values_list(
                "pk", "title", "subtitle", "body"
            ).iterator():
                rows.append(
                    (
                        pk,
                        fold(f"{title} {subtitle}"),
                        fold(headings_of(body)),
                        fold(body_without_headings(body)),
                    )
                )
                if len(rows) >= 500:
                    self._write(cursor, rows)
                    rows = []
            self._write(cursor, rows)

    def _write(self, cursor, rows: list[tuple]) -> None:
        if not rows:
            return
        cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(r[0],) for r in rows])
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, title, headings, body) VALUES (%s, %s, %s, %s)", rows
        )

    def remove(self, ids: Iterable[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(i,) for i in ids])


# --- highlighting in Python (SQLite; FTS5 only knows the folded text) ---------------------

_SUFFIXES = ("'s", "ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _matcher(terms: list[Term]):
    words = [(w, t.prefix and i == len(t.words) - 1) for t in terms for i, w in enumerate(t.words)]

    def matches(token: str) -> bool:
        key = fold(token)
        for word, prefix in words:
            if key == word or (prefix and key.startswith(word)):
                return True
            if not prefix and _stem(key) == _stem(word):
                return True
        return False

    return matches


def highlight(text: str, terms: list[Term], *, whole: bool = False, width: int = 36) -> str:
    """Escaped ``text`` (or a window of about ``width`` words around the first match) with
    matching words wrapped in <mark>."""
    text = (text or "").replace("## ", "")
    matches = _matcher(terms)
    tokens = re.split(r"(\w+(?:['’]\w+)*)", text)
    hits = [i for i in range(1, len(tokens), 2) if matches(tokens[i])]
    if not whole:
        words_idx = list(range(1, len(tokens), 2))
        centre = words_idx.index(hits[0]) if hits else 0
        lo = max(0, centre - width // 3)
        hi = min(len(words_idx), lo + width)
        start_tok = words_idx[lo] if words_idx else 0
        end_tok = min(len(tokens), words_idx[hi - 1] + 2) if words_idx else len(tokens)
        prefix = "… " if lo > 0 else ""
        suffix = " …" if hi < len(words_idx) else ""
    else:
        start_tok, end_tok, prefix, suffix = 0, len(tokens), "", ""
    out = []
    hitset = set(hits)
    for i in range(start_tok, end_tok):
        piece = html.escape(tokens[i], quote=False)
        out.append(f"<mark>{piece}</mark>" if i in hitset else piece)
    return prefix + re.sub(r"\s+", " ", "".join(out)).strip() + suffix


def _marks(text: str) -> str:
    """Escape a ts_headline result, then turn its sentinel characters into <mark>."""
    escaped = html.escape(text or "", quote=False)
    return re.sub(r"\s+", " ", escaped.replace(START, "<mark>").replace(STOP, "</mark>")).strip()


def get_backend() -> PostgresBackend | SqliteBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"No search backend for {connection.vendor}")
