"""The skeleton stands: private by default, sign-in page, home for members, security headers."""


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")


def test_sign_in_page_renders_with_security_headers(client):
    response = client.get("/signin")
    assert response.status_code == 200
    assert b"Sign in" in response.data
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_member_sees_home(client, login, pat):
    login(pat)
    response = client.get("/")
    assert response.status_code == 200
    assert b"Pat Participant" in response.data
    assert response.headers["Cache-Control"] == "no-store"
    assert "Cookie" in response.headers["Vary"]


def test_suspended_member_sees_only_the_holding_page(client, login, suspended):
    login(suspended)
    response = client.get("/")
    assert response.status_code == 403
    assert b"suspended" in response.data


def test_a_returning_member_is_seen_without_blocking_their_own_write(client, login, pat, db):
    """A POST after a long absence records the visit inside its own transaction (no self-deadlock)."""
    from datetime import timedelta

    from community.models import User, utcnow

    login(pat)
    earlier = utcnow() - timedelta(hours=3)
    pat.last_seen_at = earlier
    db.session.commit()
    response = client.post("/signout")
    assert response.status_code == 302
    member = db.session.get(User, pat.id)
    assert member.last_visit_at is not None and abs((member.last_visit_at - earlier).total_seconds()) < 1
    assert member.last_seen_at > earlier


def test_a_page_view_records_the_visit_in_a_short_write_of_its_own(client, login, pat, db):
    from datetime import timedelta

    from community.models import User, utcnow

    login(pat)
    earlier = utcnow() - timedelta(hours=3)
    pat.last_seen_at = earlier
    db.session.commit()
    assert client.get("/").status_code == 200
    member = db.session.get(User, pat.id)
    assert member.last_seen_at > earlier
    assert abs((member.last_visit_at - earlier).total_seconds()) < 1
