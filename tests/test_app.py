"""App-wide behaviour of the server process."""

from __future__ import annotations

import gc

from ugc.app import YOUNG_COLLECTION_THRESHOLD, create_app


async def test_the_server_keeps_its_start_up_heap_out_of_the_collector(settings_factory):
    app = create_app(settings_factory(), freeze_heap=True)
    thresholds = gc.get_threshold()
    try:
        async with app.router.lifespan_context(app):
            # Modules, engines and settings: tens of thousands of objects no pass revisits.
            assert gc.get_freeze_count() > 10_000
            # And the young generation is collected far less often than by default.
            assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, *thresholds[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def test_apps_made_for_tests_leave_the_collector_alone(settings_factory):
    app = create_app(settings_factory())
    thresholds = gc.get_threshold()
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == thresholds
