"""Pages state their words and the server's limits once: templates hold the words, settings
and the upload checks hold the numbers, scripts only show and fill them."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support import create_project, signup, wait_for_project
from ugc.projects.service import MAX_NAME, MAX_TEXT
from ugc.projects.uploads import MIN_SHORT_SIDE

WEB = Path(__file__).resolve().parents[2] / "src" / "ugc" / "web"
SCRIPTS = sorted((WEB / "static" / "js").glob("*.js"))
TEMPLATES = sorted((WEB / "templates").glob("*.html"))


async def test_the_create_form_states_the_limits_the_server_checks(make_client):
    client = await make_client(max_upload_mb=2.5)
    await signup(client)
    page = (await client.get("/generate")).text
    assert 'data-max-mb="2.5"' in page and "up to 2.5 MB each" in page
    assert f'data-min-side="{MIN_SHORT_SIDE}"' in page
    assert f"at least {MIN_SHORT_SIDE} px" in page
    assert page.count(f'maxlength="{MAX_NAME}"') == 2
    assert page.count(f'maxlength="{MAX_TEXT}"') == 2
    assert "up to 2.5 MB each" in (await client.get("/")).text


def test_no_script_or_template_writes_a_limit_as_a_literal():
    numbers = re.compile(r"\b(256|2000|2,000|40_000_000)\b|\b5 MB\b|maxlength=\"\d")
    for path in [*SCRIPTS, *TEMPLATES]:
        text = path.read_text(encoding="utf-8").replace("www.w3.org/2000/svg", "")
        found = numbers.findall(text)
        assert not found, f"{path.name} states a limit itself: {found}"


def test_the_result_script_carries_no_words_of_its_own():
    script = (WEB / "static" / "js" / "result.js").read_text(encoding="utf-8")
    for words in (
        '"Queued"',
        '"Generating"',
        "Composing your ad",
        "Animating your video",
        "No image this time",
        "Get more credits",
        "Costs ",
        "is ready",
        "Generated ad image",
        "insertAdjacentHTML",
        "createElement",
    ):
        assert words not in script, words


async def test_the_result_page_holds_every_word_its_script_shows(client):
    await signup(client)
    project_id = (await create_project(client)).json()["projectId"]
    await wait_for_project(client, project_id)
    page = (await client.get(f"/result/{project_id}")).text
    for attribute in (
        'data-label-queued="Queued"',
        'data-label-failed="Failed"',
        'data-for-image="Composing your ad…"',
        'data-for-video="Animating your video…"',
        'data-say-video-ready="Your video is ready."',
        "<template data-video-template>",
        "data-failed-frame hidden",
        "data-short-note hidden",
    ):
        assert attribute in page, attribute
