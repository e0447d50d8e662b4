"""The composer in the browser, on a desktop and a 390 px phone: typing and formatting with the toolbar and
its shortcuts, pasting and dropping an image (alt text, upload, Markdown), a too-large picture refused with
the text untouched, and a reply typed before the connection drops offered back as a draft."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, acting, make_user

SIZES = {"desktop": (1280, 860), "phone": (390, 844)}


def _png_base64() -> str:
    image = Image.new("RGB", (120, 80), (31, 95, 191))
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


# In the page: a File from base64 (or `size` zero bytes), delivered by a synthetic paste or drop.
DELIVER = """([how, b64, size]) => {
  const bytes = b64 ? Uint8Array.from(atob(b64), c => c.charCodeAt(0)) : new Uint8Array(size);
  const file = new File([bytes], "chart.png", {type: "image/png"});
  const data = new DataTransfer();
  data.items.add(file);
  const box = document.querySelector("#body");
  box.focus();
  if (how === "paste") {
    box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
  } else {
    box.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
    box.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
  }
}"""


@pytest.fixture
def discussion(live_data):
    from community.services.boards import create_board, start_discussion
    from community.services.groups import add_member, create_group

    fran = make_user("cfran", role="facilitator", display_name="Fran Okafor")
    pat = make_user("cpat", display_name="Pat Lindqvist")
    cohort = create_group(fran, name="Cohort 12", visibility="open", description="Our cohort.")
    add_member(cohort, pat)
    board = create_board(acting(fran), name="Study room", description="", group=cohort)
    topic = start_discussion(acting(fran), board, "How do you plan a stakeholder interview?",
                             "Share what worked for you. @cpat, you did one last week?", "")  # fmt: skip
    return topic.id


def _leave(page):
    """Leave the page (its last draft save goes out whole) before the test closes the browser: a request
    cut half-way by closing the context would hold the live server's SQLite write lock until it times out."""
    page.goto("about:blank")
    page.wait_for_timeout(300)


def _open(new_page, live_server, size, topic_id):
    page = new_page(*SIZES[size])
    sign_in(page, live_server, "cpat", PASSWORD)
    page.goto(live_server(f"/discussions/{topic_id}"))
    expect(page.get_by_role("toolbar", name="Styling")).to_be_visible()
    return page


@pytest.mark.parametrize("size", sorted(SIZES))
def test_type_and_format_with_the_toolbar_and_shortcuts(new_page, live_server, discussion, size):
    page = _open(new_page, live_server, size, discussion)
    box = page.locator("#body")
    box.fill("Plan the questions")
    box.press("ControlOrMeta+a")
    box.press("ControlOrMeta+b")
    expect(box).to_have_value("**Plan the questions**")
    box.press("End")
    box.press("Enter")
    box.type("listen more")
    box.press("Shift+Home")
    page.get_by_role("button", name="Bulleted list").click()
    expect(box).to_have_value(re.compile(r"^\*\*Plan the questions\*\*\n\n- listen more$"))
    box.press("End")
    box.type(" and ")
    page.get_by_role("button", name="Italic").click()
    box.type("summarise")
    expect(box).to_have_value(re.compile(r"- listen more and _summarise_$"))
    # The toolbar is one tab stop; the arrow keys move between its buttons.
    bold = page.get_by_role("button", name="Bold")
    bold.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("button", name="Italic")).to_be_focused()
    page.keyboard.press("End")
    expect(page.get_by_role("button", name="Mention someone")).to_be_focused()
    assert page.get_by_role("button", name="Italic").get_attribute("tabindex") == "-1"
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("[data-editor-output]")
    expect(preview.locator("strong")).to_have_text("Plan the questions")
    expect(preview.locator("em")).to_have_text("summarise")
    screenshot(page, f"composer-format-{size}")
    _leave(page)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_paste_and_drop_an_image(new_page, live_server, discussion, size):
    page = _open(new_page, live_server, size, discussion)
    box = page.locator("#body")
    box.fill("Here is the chart:")
    box.press("End")
    page.evaluate(DELIVER, ["paste", _png_base64(), 0])
    alt = page.get_by_label("Describe the image for people who can't see it")
    expect(alt).to_be_focused()
    screenshot(page, f"composer-alt-{size}")
    alt.fill("Bar chart of the replies")
    alt.press("Enter")
    expect(page.get_by_text("Image added to your text.")).to_be_visible()
    first = r"^Here is the chart:\n\n!\[Bar chart of the replies\]\(/uploads/[\w-]+\.\w+\)\n\n$"
    expect(box).to_have_value(re.compile(first))
    page.evaluate(DELIVER, ["drop", _png_base64(), 0])
    alt.fill("Second chart")
    page.get_by_role("button", name="Insert image").click()
    expect(box).to_have_value(re.compile(r"!\[Second chart\]\(/uploads/[\w-]+\.\w+\)\n\n$"))
    assert len(re.findall(r"!\[", box.input_value())) == 2
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-editor-output] img")).to_have_count(2)
    screenshot(page, f"composer-images-{size}")
    _leave(page)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_too_large_image_is_refused_in_the_editor_with_the_text_untouched(new_page, live_server, discussion, size):
    page = _open(new_page, live_server, size, discussion)
    box = page.locator("#body")
    box.fill("My careful text")
    limit = live_server.app.config["IMAGE_MAX_BYTES"]
    page.evaluate(DELIVER, ["paste", "", limit + 1])
    expect(page.get_by_role("status")).to_contain_text("the largest we take is 5 MB")
    expect(box).to_have_value("My careful text")
    expect(page.get_by_label("Describe the image for people who can't see it")).to_have_count(0)
    screenshot(page, f"composer-too-large-{size}")
    _leave(page)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_reply_typed_before_the_connection_drops_comes_back_as_a_draft(new_page, live_server, discussion, size):
    page = _open(new_page, live_server, size, discussion)
    box = page.locator("#body")
    box.fill("I asked open questions and left silences.")
    expect(page.locator("[data-composer][data-draft-saved='true']")).to_have_count(1)
    page.context.set_offline(True)
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_timeout(500)
    page.context.set_offline(False)
    page.goto(live_server(f"/discussions/{discussion}"))
    notice = page.get_by_role("group", name="Your draft")
    expect(notice).to_contain_text("You have a draft from")
    expect(page.locator("#body")).to_have_value("")  # nothing overwritten until the member says so
    screenshot(page, f"composer-draft-offer-{size}")
    notice.get_by_role("button", name="Restore").click()
    expect(page.locator("#body")).to_have_value("I asked open questions and left silences.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("[data-post-body]").last).to_contain_text("I asked open questions and left silences.")
    # Posted: the draft is gone, so the next visit offers nothing.
    page.goto(live_server(f"/discussions/{discussion}"))
    expect(page.get_by_role("toolbar", name="Styling")).to_be_visible()
    page.wait_for_timeout(300)
    expect(page.get_by_role("group", name="Your draft")).to_have_count(0)
    _leave(page)


def test_quote_puts_the_caret_after_the_quote_on_a_new_line(new_page, live_server, discussion):
    page = _open(new_page, live_server, "desktop", discussion)
    page.get_by_role("link", name="Quote").click()
    page.wait_for_url(re.compile(r"quote=\d+"))
    box = page.locator("#body")
    expect(box).to_be_focused()
    expect(box).to_have_value(re.compile(r"^Fran Okafor wrote:\n> Share what worked for you\..*\n\n$", re.S))
    assert (
        page.evaluate("() => { const b = document.querySelector('#body'); return [b.selectionStart, b.value.length]; }")
        == [len(box.input_value())] * 2
    )
    page.keyboard.type("It did help.")
    expect(box).to_have_value(re.compile(r"last week\?\n\nIt did help\.$"))
    _leave(page)


# In the page: a synthetic paste carrying text (and HTML), as a browser's clipboard hands it over.
PASTE_TEXT = """([plain, html]) => {
  const data = new DataTransfer();
  data.setData("text/plain", plain);
  if (html) { data.setData("text/html", html); }
  const box = document.querySelector("#body");
  box.focus();
  box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def test_pasting_a_link_a_table_and_word_text_gives_clean_markdown(new_page, live_server, discussion):
    page = _open(new_page, live_server, "desktop", discussion)
    box = page.locator("#body")
    box.fill("Read the guide first")
    page.evaluate("() => document.querySelector('#body').setSelectionRange(5, 14)")
    page.evaluate(PASTE_TEXT, ["https://example.org/guide", ""])
    expect(box).to_have_value("Read [the guide](https://example.org/guide) first")
    box.fill("")
    table = "<table><tr><th>Name</th><th>Role</th></tr><tr><td>Pat</td><td>HR advisor</td></tr></table>"
    page.evaluate(PASTE_TEXT, ["Name\tRole\nPat\tHR advisor", table])
    expect(box).to_have_value("| Name | Role |\n| --- | --- |\n| Pat | HR advisor |\n\n")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-editor-output] table td").last).to_have_text("HR advisor")
    page.get_by_role("button", name="Hide preview").click()
    box.fill("")
    word = ('<html xmlns:o="urn:schemas-microsoft-com:office:office"><body><p class=MsoNormal style="mso-line-height'
            '-alt:12pt"><b><span style="font-family:Calibri">Notes</span></b> from <a href="https://example.org/'
            'cipd">the CIPD page</a><o:p></o:p></p></body></html>')  # fmt: skip
    page.evaluate(PASTE_TEXT, ["Notes from the CIPD page", word])
    expect(box).to_have_value("Notes from [the CIPD page](https://example.org/cipd)")
    box.fill("")
    word_table = (
        "<html><head><style>p.MsoNormal {margin:0}</style></head><body><!--StartFragment--><table class=MsoTableGrid>"
        "<tr><td><p class=MsoNormal><b>Week</b></p></td><td><p class=MsoNormal>Topic</p></td></tr>"
        "<tr><td>1</td><td>Culture | change</td></tr></table><!--EndFragment--></body></html>"
    )
    page.evaluate(PASTE_TEXT, ["Week\tTopic\n1\tCulture | change", word_table])
    expect(box).to_have_value("| Week | Topic |\n| --- | --- |\n| 1 | Culture \\| change |\n\n")
    _leave(page)


@pytest.fixture
def blog_and_question(live_data):
    from community.services.groups import add_member, create_group
    from tests.factories_blogs import make_blog_post, make_comment
    from tests.factories_qa import make_question

    fran = make_user("bfran", role="facilitator", display_name="Fran Okafor")
    pat = make_user("bpat", display_name="Pat Lindqvist")
    sam = make_user("bsam", display_name="Sam Reyes")
    cohort = create_group(fran, name="Cohort 14", visibility="open", description="Our cohort.")
    add_member(cohort, pat)
    add_member(cohort, sam)
    post = make_blog_post(sam, title="What I learned about feedback", body="Ask first, then listen.", group=cohort)
    comment = make_comment(fran, post, "Lovely summary, Sam.")
    question = make_question(sam, title="How long should a reflective log entry be?", body="Mine run to two pages.")
    return post.id, comment.id, question.id


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_blog_reply_and_the_question_comment_boxes_are_composers(new_page, live_server, blog_and_question, size):
    post_id, comment_id, question_id = blog_and_question
    page = new_page(*SIZES[size])
    sign_in(page, live_server, "bpat", PASSWORD)
    page.goto(live_server(f"/blog/{post_id}"))
    page.get_by_role("link", name="Reply to Fran Okafor").click()
    box = page.locator(f"#reply-body-{comment_id}")
    expect(box).to_be_focused()
    expect(page.get_by_role("toolbar", name="Styling")).to_have_count(2)
    box.fill("Thank you")
    box.press("ControlOrMeta+a")
    box.press("ControlOrMeta+b")
    expect(box).to_have_value("**Thank you**")
    expect(page.locator(f"[data-draft-url$='reply:post:{comment_id}'][data-draft-saved='true']")).to_have_count(1)
    # Closed and opened again: the reply box offers the draft back.
    page.goto(live_server(f"/blog/{post_id}"))
    page.get_by_role("link", name="Reply to Fran Okafor").click()
    expect(page.get_by_role("group", name="Your draft")).to_contain_text("You have a draft from")
    page.get_by_role("group", name="Your draft").get_by_role("button", name="Restore").click()
    expect(box).to_have_value("**Thank you**")
    screenshot(page, f"composer-blog-reply-{size}")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".comment-tree strong", has_text="Thank you")).to_be_visible()

    page.goto(live_server(f"/questions/{question_id}"))
    page.get_by_text("Add a comment").first.click()
    comment_box = page.get_by_label("Your comment").first
    comment_box.fill("Which programme is it for?")
    comment_box.press("ControlOrMeta+a")
    comment_box.press("ControlOrMeta+i")
    expect(comment_box).to_have_value("_Which programme is it for?_")
    screenshot(page, f"composer-qa-comment-{size}")
    page.get_by_role("button", name="Add comment").first.click()
    expect(page.locator(".qa-comment-body em", has_text="Which programme is it for?")).to_be_visible()
    _leave(page)
