"""Every foreign key column leads an index: deleting (or purging) a referenced row then finds its references
by key. Without one, PostgreSQL scanned every topic for each post a purge removed (ten minutes for 600 posts
at a million posts)."""

from community.extensions import db


def _indexed_prefixes(table) -> set[tuple[str, ...]]:
    prefixes: set[tuple[str, ...]] = set()
    for index in table.indexes:
        columns = tuple(c.name for c in index.columns)
        prefixes.update(columns[:n] for n in range(1, len(columns) + 1))
    for constraint in table.constraints:
        columns = tuple(c.name for c in getattr(constraint, "columns", ()))
        if columns and constraint.__class__.__name__ in ("PrimaryKeyConstraint", "UniqueConstraint"):
            prefixes.update(columns[:n] for n in range(1, len(columns) + 1))
    return prefixes


def test_every_foreign_key_leads_an_index():
    missing = []
    for table in db.metadata.sorted_tables:
        indexed = _indexed_prefixes(table)
        for fk in table.foreign_key_constraints:
            columns = tuple(c.name for c in fk.columns)
            if columns not in indexed:
                missing.append(f"{table.name}({', '.join(columns)}) -> {fk.referred_table.name}")
    assert missing == [], "\n".join(missing)
