"""community.cache: values reused for their time, forgotten on demand, never kept with a ttl of 0."""

from community import cache


def test_remember_reuse_forget_and_live():
    cache.clear()
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.remember(("k", 1), 60, compute)[0] == 1
    assert cache.remember(("k", 1), 60, compute)[0] == 1  # reused
    assert cache.remember(("k", 2), 60, compute)[0] == 2  # another key
    cache.forget(("k", 1))
    assert cache.remember(("k", 1), 60, compute)[0] == 3  # computed again
    assert cache.remember(("live",), 0, compute)[0] == 4
    assert cache.remember(("live",), 0, compute)[0] == 5  # ttl 0: every time
    cache.clear()


def test_settings_changed_here_are_read_again_at_once(app, monkeypatch):
    from community.services import settings
    from community.templating import community_settings, invalidate_settings_cache

    cache.clear()
    monkeypatch.setattr(app, "testing", False)  # tests read settings live; production caches them
    with app.app_context():
        first = community_settings(app)
        monkeypatch.setattr(settings, "all_settings", lambda: {**first, "community_name": "Renamed"})
        assert community_settings(app) is first  # cached for 30 s
        invalidate_settings_cache()
        assert community_settings(app)["community_name"] == "Renamed"
    cache.clear()
