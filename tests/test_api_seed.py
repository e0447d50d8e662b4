"""``community seed-demo`` leaves two API tokens: a facilitator's read token, used, and a participant's write one."""

from sqlalchemy import select

from community.extensions import db
from community.models import ApiToken


def test_seed_demo_leaves_api_tokens_on_the_tokens_page(app, client, login):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    rows = {t.name: t for t in db.session.scalars(select(ApiToken))}
    assert set(rows) == {"Cohort reporting spreadsheet", "Learning platform sync"}
    spreadsheet = rows["Cohort reporting spreadsheet"]
    assert spreadsheet.scope == "read" and spreadsheet.last_used_at is not None
    assert spreadsheet.user.role == "facilitator" and rows["Learning platform sync"].scope == "write"
    login(spreadsheet.user)
    assert "Cohort reporting spreadsheet" in client.get("/account/api/tokens").data.decode()
