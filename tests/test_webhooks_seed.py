"""`community seed-demo` gives the manager two (disabled) webhooks, one with a test delivery waiting."""

from __future__ import annotations

from sqlalchemy import select

from community.extensions import db
from community.models import User, Webhook, WebhookDelivery
from community.webhooks import demo


def test_the_demo_has_webhooks_that_never_send(app, client, login):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    hooks = {h.url: h for h in db.session.scalars(select(Webhook))}
    assert set(hooks) == {demo.CRM_URL, demo.REPORTING_URL}
    assert not any(h.enabled for h in hooks.values())  # demo addresses lead nowhere
    [waiting] = db.session.scalars(select(WebhookDelivery)).all()
    assert waiting.event == "ping" and waiting.webhook_id == hooks[demo.CRM_URL].id
    assert hooks[demo.REPORTING_URL].board_id is not None
    login(db.session.get(User, hooks[demo.CRM_URL].created_by_id))
    page = client.get(f"/admin/webhooks/{hooks[demo.CRM_URL].id}").get_data(as_text=True)
    assert "ping" in page and "Waiting" in page
