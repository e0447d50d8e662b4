"""schemathesis, a third-party API tester, against the OpenAPI document the app serves, with a write token,
on whichever database the suite runs (SQLite, or PostgreSQL with COMMUNITY_TEST_DATABASE_URL): no server
error, no response that breaks the document (status, content type, headers, body), positive and negative
cases. The world holds a private group the token's member is outside of and a conversation of others."""

import contextvars

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.parameters import ParameterLocation

from community.services import messages
from tests.factories import acting
from tests.factories_api import bearer, token_for
from tests.factories_events import make_event
from tests.factories_groups import make_group
from tests.factories_social import discussion, question, reply

EXAMPLES = 40  # per operation and mode: ~20 operations x 2 modes keeps the run near a minute


def _world(fran, pat, sam, mallory):
    open_group = make_group(fran, "open", members=[pat, sam, mallory])
    secret_group = make_group(fran, "private", members=[sam])
    topic = discussion(fran, open_group, title="Open plans")
    reply(sam, topic, "Agreed")
    asked = question(sam, open_group, title="How to start?")
    reply(pat, asked, "Like this", kind="answer")
    discussion(fran, secret_group, title="Secret plans")
    make_event(fran, open_group, title="Open session", capacity=2)
    make_event(fran, secret_group, title="Secret session")
    messages.start_conversation(acting(sam), "@fran", "Between us", subject="Private")
    messages.start_conversation(acting(pat), "@sam", "Hello Sam", subject="Ours")


def test_schemathesis_finds_no_server_error_and_no_response_off_the_document(app, fran, pat, sam, mallory):
    _world(fran, pat, sam, mallory)
    headers = bearer(token_for(pat, "write"))
    # The pages' rules that a JSON schema can't state (a tag's letters, a title of spaces alone, the spam
    # screen) answer 400 naming the field: a refusal of well-formed data, not a breach of the document.
    config = schemathesis.Config.from_dict({"checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", 400, 401, 403, 404, 409, 429, "5xx"]}}})
    # The document as the app serves it to a token (it is for members alone), then the WSGI app to call, as
    # schemathesis.openapi.from_wsgi does it (whose loading headers would go with every probe too).
    served = app.test_client().get("/api/v1/openapi.json", headers=headers)
    assert served.status_code == 200
    schema = schemathesis.openapi.from_dict(served.json, config=config)
    schema.app, schema.location = app, "/api/v1/openapi.json"
    cases = 0
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            def check(case):
                nonlocal cases
                cases += 1
                # A case made wrong in its headers (no token, a made-up one) is sent as made: 401 expected.
                wrong = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
                sent = dict(case.headers or {}) if wrong else headers
                response = contextvars.Context().run(case.call, headers=sent)
                assert response.status_code < 500, (case.method, case.formatted_path, response.text)
                case.validate_response(response, headers=sent)

            check()
    print(f"schemathesis: {operations} operations, {cases} cases")
    assert operations >= 20 and cases > operations * 10
