"""Search across everything the member may see.

The engine (``community.search.core``: SQLite FTS5 or PostgreSQL full text, kept in step by the writing
services) is re-exported here, so ``from community.search import search_topics`` is the one entry point.
"""

from flask import Blueprint

from community.search.core import (
    SearchHit,
    count_topics,
    ensure_search_schema,
    query_terms,
    ranked_topics,
    reindex_all,
    search_topics,
)

bp = Blueprint("search", __name__, url_prefix="/search")

__all__ = [
    "SearchHit",
    "bp",
    "count_topics",
    "ensure_search_schema",
    "query_terms",
    "ranked_topics",
    "reindex_all",
    "search_topics",
]
