"""Ids past PostgreSQL's INTEGER (2**31-1) in a path are 404 on the pages and the API, never a 500."""

from tests.factories_api import api_get, token_for


def test_an_id_too_large_for_the_database_is_not_found(client, login, pat):
    login(pat)
    for path in ("/boards/2147483648", "/discussions/2147483648", "/p/99999999999999999999", "/messages/2147483648"):
        assert client.get(path).status_code == 404, path
    assert client.get("/boards/2147483647").status_code == 404  # the largest id: looked up, not there
    secret = token_for(pat)
    for path in ("/boards/2147483648", "/topics/2147483648/posts", "/conversations/99999999999/messages"):
        response = api_get(client, path, secret)
        assert response.status_code == 404 and response.mimetype == "application/problem+json", path
