"""A post's permalink (/p/<id>, used by e-mails, the audit log and notifications) opens the page that holds
the post at its anchor: a discussion's later page, a blog comment's #comment-<id>."""

from tests.factories import make_user
from tests.factories_blogs import make_blog_post, make_comment
from tests.factories_boards import make_board, make_discussion, make_reply


def test_a_reply_on_a_discussions_second_page_is_opened_there(client, login, pat):
    board = make_board(make_user("ada", role="admin"))
    topic = make_discussion(pat, board)
    replies = [make_reply(pat, topic, f"Reply number {i}") for i in range(25)]
    login(pat)
    last, first = replies[-1], replies[0]
    assert client.get(f"/p/{last.id}").headers["Location"] == f"/discussions/{topic.id}?page=2#post-{last.number}"
    assert client.get(f"/p/{first.id}").headers["Location"] == f"/discussions/{topic.id}#post-{first.number}"
    page = client.get(f"/discussions/{topic.id}?page=2").get_data(as_text=True)
    assert f'id="post-{last.number}"' in page
    assert client.get(f"/t/{topic.id}").headers["Location"] == f"/discussions/{topic.id}"


def test_a_blog_comment_is_opened_at_its_own_anchor(client, login, pat, sam):
    topic = make_blog_post(pat, title="What I learned")
    comment = make_comment(sam, topic, "Thanks for sharing")
    login(sam)
    location = client.get(f"/p/{comment.id}").headers["Location"]
    assert location.endswith(f"/{topic.id}#comment-{comment.id}")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    assert f'id="comment-{comment.id}"' in page
