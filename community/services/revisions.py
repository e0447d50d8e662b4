"""A post's edit history as readable changes: each edit is a word diff of the Markdown its author typed.

``Revision`` rows keep the text a post had *before* each edit (number 1 is the original), so edit k turns
revision k's text into revision k+1's (the last one into the current text). Words are compared with difflib;
the page marks inserted words with <ins> and removed ones with <del>, escaped like any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher

from community.models import Post, Revision, Topic, User
from community.services.posts import revisions_of

_WORDS = re.compile(r"[\w'’-]+")  # what counts as a word in "3 words added" (not marks such as "," or "@")
_TOKENS = re.compile(r"\s+|[\w'’-]+|[^\w\s]")  # spaces, words, and each mark on its own


@dataclass
class Piece:
    """A run of text that is unchanged (``equal``), added (``insert``) or taken out (``delete``)."""

    op: str
    text: str


@dataclass
class Edit:
    """One edit: who made it and when, the title it changed (opening posts), and the body's changes."""

    number: int  # the version it made: 2 for the first edit
    editor: User | None
    at: datetime
    body: list[Piece] = field(default_factory=list)
    old_title: str | None = None
    new_title: str | None = None

    @property
    def added(self) -> int:
        """How many words it added."""
        return sum(len(_WORDS.findall(piece.text)) for piece in self.body if piece.op == "insert")

    @property
    def removed(self) -> int:
        """How many words it took out."""
        return sum(len(_WORDS.findall(piece.text)) for piece in self.body if piece.op == "delete")


def word_diff(old: str, new: str) -> list[Piece]:
    """The changes from ``old`` to ``new``, word by word (whitespace kept, so line breaks show as typed)."""
    before, after = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    pieces: list[Piece] = []

    def add(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if pieces and pieces[-1].op == op:
            pieces[-1].text += text
        else:
            pieces.append(Piece(op, text))

    opcodes = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    skip = 0  # tokens of the next equal run already shown (moved before a pure insertion or removal)
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            add("equal", before[i1 + skip:i2])
            skip = 0
            continue
        removed, inserted = before[i1:i2], after[j1:j2]
        changed = removed or inserted
        following = opcodes[index + 1] if index + 1 < len(opcodes) else None
        if (not removed or not inserted) and len(changed) > 1 and not changed[0].strip() and following is not None \
                and following[0] == "equal" and before[following[1]] == changed[0]:
            # "I<ins> really</ins> liked" reads better as "I <ins>really </ins>liked": the same text, the
            # change's leading space moved to its end (the next unchanged run began with that space).
            add("equal", changed[:1])
            add("delete" if removed else "insert", [*changed[1:], changed[0]])
            skip = 1
            continue
        # A change's outer whitespace reads as unchanged: "a <del>b</del><ins>c</ins> d", not "a<del> b</del>".
        lead = _common_space(removed, inserted, start=True)
        trail = _common_space(removed[len(lead):], inserted[len(lead):], start=False)
        add("equal", lead)
        add("delete", removed[len(lead):len(removed) - len(trail)])
        add("insert", inserted[len(lead):len(inserted) - len(trail)])
        add("equal", trail)
    return pieces


def _common_space(a: list[str], b: list[str], *, start: bool) -> list[str]:
    """The whitespace tokens both lists begin (or end) with."""
    same: list[str] = []
    pairs = zip(a, b, strict=False) if start else zip(reversed(a), reversed(b), strict=False)
    for x, y in pairs:
        if x != y or x.strip():
            break
        same.append(x)
    return same if start else same[::-1]


def edit_history(post: Post, topic: Topic) -> list[Edit]:
    """Every edit of the post, newest first, as word diffs (one query: the revisions with their editors)."""
    revisions: list[Revision] = sorted(revisions_of(post), key=lambda r: r.number)
    edits = []
    for index, revision in enumerate(revisions):
        following = revisions[index + 1] if index + 1 < len(revisions) else None
        new_body = following.body if following is not None else post.body
        edit = Edit(number=revision.number + 1, editor=revision.editor, at=revision.created_at,
                    body=word_diff(revision.body, new_body))  # fmt: skip
        if revision.title is not None:
            new_title = following.title if following is not None and following.title is not None else topic.title
            if new_title != revision.title:
                edit.old_title, edit.new_title = revision.title, new_title
        edits.append(edit)
    return edits[::-1]
