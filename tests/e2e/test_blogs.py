"""Blogs in the browser: a participant drafts a post with an inline image, publishes it to their cohort
group, a peer comments, the author replies, and a non-member can reach neither the post nor its image."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, acting, make_user


def _png(path, size=(900, 420), hue=(31, 95, 191)) -> str:
    """A real PNG made with Pillow: a simple bar chart."""
    image = Image.new("RGB", size, (246, 247, 249))
    draw = ImageDraw.Draw(image)
    for i, height in enumerate([120, 210, 160, 300, 260, 340]):
        x = 60 + i * 135
        draw.rectangle((x, size[1] - 40 - height, x + 90, size[1] - 40), fill=hue)
    draw.line((40, size[1] - 40, size[0] - 40, size[1] - 40), fill=(29, 36, 48), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def _background_posts(people, cohort, tmp_path):
    """A few published posts so the index looks lived in (one featured, one with a cover)."""
    from community.services import blogs

    pat, sam, fran = people
    with open(_png(tmp_path / "cover.png", (1200, 500), (15, 123, 95)), "rb") as cover:
        featured = blogs.write_post(acting(fran), title="Five questions that open up a coaching conversation",
                                    body="Open questions give the other person room to think. Here are the five I "
                                         "use most, and what they tend to unlock.\n\n1. What would good look like?",
                                    tags="coaching, questions", action="publish", cover=cover)  # fmt: skip
    blogs.set_featured(acting(fran), featured, True)
    blogs.write_post(acting(sam), title="What I learned from my first stakeholder interview",
                     body="I over-prepared the questions and under-prepared the listening. Next time I will leave "
                          "more silence and summarise back before moving on.", tags="reflection", group=cohort,
                     action="publish")  # fmt: skip
    blogs.write_post(acting(pat), title="Reading notes: the learning organisation",
                     body="Senge's five disciplines, in my own words, with one example from work for each.",
                     tags="reading", action="publish")  # fmt: skip


def test_a_blog_post_from_draft_to_conversation(new_page, live_server, live_data, tmp_path):
    from community.services.groups import add_member, create_group

    fran = make_user("bfran", role="facilitator", display_name="Fran Okafor")
    pat = make_user("bpat", display_name="Pat Lindqvist", headline="HR advisor, cohort 12")
    sam = make_user("bsam", display_name="Sam Achebe")
    make_user("bmal", display_name="Mal Outsider")
    cohort = create_group(fran, name="Cohort 12", visibility="private", description="Our cohort.")
    add_member(cohort, pat)
    add_member(cohort, sam)
    _background_posts((acting(pat), acting(sam), acting(fran)), cohort, tmp_path)

    # The participant drafts a post with an inline image (uploaded from the editor).
    author = new_page()
    sign_in(author, live_server, "bpat", PASSWORD)
    author.goto(live_server("/blogs"))
    author.get_by_role("link", name="Write a post").click()
    author.get_by_label("Title").fill("Three things our first assignment taught me")
    body = author.get_by_label("Your post")
    body.fill("Our first assignment was harder than I expected. Here is **what helped**:\n\n"
              "- Planning backwards from the deadline\n- Asking the cohort early\n- Reading one source properly\n")
    author.get_by_label("Add an image to your text").set_input_files(_png(tmp_path / "chart.png"))
    author.get_by_label("Describe the image").fill("Hours spent per week")
    author.get_by_role("button", name="Insert image").click()
    author.get_by_text("Image added to your text.").wait_for()
    assert re.search(r"!\[Hours spent per week\]\(/uploads/[0-9a-f]{32}\.(png|jpg)\)", body.input_value())
    author.get_by_label("Tags (optional)").fill("assignments, reflection")
    author.get_by_label("Who can read it").select_option(label="Only members of Cohort 12")
    author.evaluate("window.scrollTo(0, 0)")
    screenshot(author, "blogs-write")
    author.get_by_role("button", name="Save draft").click()
    expect(author.get_by_text("This is a draft: only you can see it.")).to_be_visible()
    post_url = author.url
    image_src = author.locator(".blog-body img").get_attribute("src")
    assert image_src and image_src.startswith("/uploads/")

    # Keep editing, then publish to the cohort.
    author.get_by_role("link", name="Edit post").click()
    author.get_by_label("Your post").press("Control+End")
    author.get_by_label("Your post").type("\nWhat helped you?")
    author.get_by_role("button", name="Publish").click()
    expect(author.get_by_text("Published! Your post is live.")).to_be_visible()
    expect(author.get_by_role("link", name="Cohort 12").first).to_be_visible()

    # A peer in the cohort comments.
    peer = new_page()
    sign_in(peer, live_server, "bsam", PASSWORD)
    peer.goto(post_url)
    expect(peer.locator(".blog-body img")).to_be_visible()
    peer.get_by_label("Your comment").fill("Planning backwards saved me too. Did you use a template?")
    peer.get_by_role("button", name="Post comment").click()
    expect(peer.get_by_text("Did you use a template?")).to_be_visible()

    # The author replies to that comment.
    author.goto(post_url)
    author.get_by_role("link", name="Reply to Sam Achebe").click()
    reply = author.get_by_label("Reply to Sam Achebe")
    reply.fill("Yes: the one from week two. I'll share it on the cohort board.")
    author.get_by_role("button", name="Post reply").click()
    nested = author.locator(".comment-children .comment").filter(has_text="the one from week two")
    nested.wait_for()
    expect(nested).to_be_visible()
    peer.goto(post_url)
    peer.get_by_role("button", name=re.compile("^Like this post")).click()
    liked = peer.get_by_role("button", name=re.compile("^Liked this post, likes: 1$"))
    expect(liked).to_have_attribute("aria-pressed", "true")
    peer.goto(post_url)  # back to the top of the page for the picture
    screenshot(peer, "blogs-post", keep=True)

    # Feed links: the blog's "follow" link offers this blog's feed; the link is shown once, no page carries
    # it again (no <link rel="alternate"> with a token), and a feed reader (no cookie) finds the post with it.
    assert peer.locator('link[rel="alternate"]').count() == 0
    peer.goto(live_server("/members/bpat/blog"))
    peer.get_by_role("link", name="Follow this blog in your feed reader").click()
    expect(peer.get_by_label("Which feed")).to_have_value("member:bpat")
    peer.get_by_role("button", name="Make the link").click()
    link = peer.get_by_label("Feed link for Pat Lindqvist's blog").input_value()
    assert "/members/bpat/blog/feed.atom?token=" in link
    screenshot(peer, "blogs-feed-link")
    peer.goto(post_url)
    assert peer.locator('link[rel="alternate"]').count() == 0
    href = link.split("://", 1)[1].split("/", 1)[1]
    href = "/" + href
    reader = peer.context.browser.new_context()  # no cookies: a feed reader
    feed = reader.request.get(live_server(href))
    assert feed.status == 200 and "Three things our first assignment taught me" in feed.text()
    reader.close()

    # A non-member finds nothing: not the post, not its image.
    outsider = new_page()
    sign_in(outsider, live_server, "bmal", PASSWORD)
    response = outsider.goto(post_url)
    assert response is not None and response.status == 404
    image = outsider.request.get(live_server(image_src))
    assert image.status == 404
    outsider.goto(live_server("/blogs"))
    assert outsider.get_by_text("Three things our first assignment taught me").count() == 0

    # The index, on desktop and on a phone.
    peer.goto(live_server("/blogs"))
    expect(peer.get_by_text("Three things our first assignment taught me")).to_be_visible()
    screenshot(peer, "blogs-index", keep=True)
    phone = new_page(390, 844)
    sign_in(phone, live_server, "bsam", PASSWORD)
    phone.goto(live_server("/blogs"))
    screenshot(phone, "blogs-index-phone")
    phone.goto(post_url)
    screenshot(phone, "blogs-post-phone")
    phone.goto(live_server("/blogs/new"))
    screenshot(phone, "blogs-write-phone")
    author.goto(live_server("/members/bpat/blog"))
    expect(author.get_by_role("heading", name="Pat Lindqvist's blog")).to_be_visible()
    screenshot(author, "blogs-member")
    author.goto(live_server("/blogs/feeds"))
    screenshot(author, "blogs-feeds")
