"""The CPD record: ``write`` (entries, links, shares; owns the transaction), ``read`` (the log, the learning
record) and ``export`` (PDF and CSV)."""

from community.services.cpd.read import (
    CpdLog,
    LearningRecord,
    access_cpd_entry,
    cpd_log,
    learning_record,
    link_choices,
    logs_shared_with,
    shares_of,
    visible_links,
)
from community.services.cpd.write import (
    EntryFields,
    create_entry,
    delete_entry,
    parse_hours,
    revoke_share,
    share_log,
    update_entry,
)

__all__ = [
    "CpdLog",
    "EntryFields",
    "LearningRecord",
    "access_cpd_entry",
    "cpd_log",
    "create_entry",
    "delete_entry",
    "learning_record",
    "link_choices",
    "logs_shared_with",
    "parse_hours",
    "revoke_share",
    "share_log",
    "shares_of",
    "update_entry",
    "visible_links",
]
