"""App-wide behaviour of the server process."""

from __future__ import annotations

import gc

from ugc.app import create_app


async def test_the_server_keeps_its_start_up_heap_out_of_the_collector(settings_factory):
    app = create_app(settings_factory(), freeze_heap=True)
    try:
        async with app.router.lifespan_context(app):
            # Modules, engines and settings: tens of thousands of objects no pass revisits.
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


async def test_apps_made_for_tests_leave_the_collector_alone(settings_factory):
    app = create_app(settings_factory())
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0
