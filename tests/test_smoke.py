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
