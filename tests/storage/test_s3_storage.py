"""S3-compatible storage through obstore, against moto's S3 server on 127.0.0.1."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from tests.support import create_project, signup, wait_for_project
from ugc.storage.base import ObjectNotFound
from ugc.storage.s3 import S3Storage

pytestmark = pytest.mark.xdist_group("moto")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server for this module."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket; AWS_* variables point obstore at moto."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ALLOW_HTTP": "true",
    }.items():
        monkeypatch.setenv(name, value)
    name = f"ugc-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name


def _keys(endpoint: str, bucket: str) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


async def test_put_get_url_delete(bucket: str, s3_endpoint: str):
    storage = S3Storage(f"s3://{bucket}/prefix")
    await storage.put("images/a.png", b"\x89PNG-bytes", "image/png")
    assert _keys(s3_endpoint, bucket) == ["prefix/images/a.png"]
    assert await storage.get("images/a.png") == b"\x89PNG-bytes"
    url = await storage.url("images/a.png", expires_in=120)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=120" in url
    async with httpx.AsyncClient() as http:
        fetched = await http.get(url)
    assert fetched.content == b"\x89PNG-bytes"
    assert fetched.headers["content-type"] == "image/png"
    await storage.delete("images/a.png")
    await storage.delete("images/a.png")  # deleting twice is fine
    with pytest.raises(ObjectNotFound):
        await storage.get("images/a.png")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_app_on_s3_stores_serves_and_deletes(make_client, bucket: str, s3_endpoint: str):
    client = await make_client(storage_url=f"s3://{bucket}/media")
    await signup(client)
    project_id = (await create_project(client)).json()["projectId"]
    project = await wait_for_project(client, project_id)
    assert project["status"] == "ready", project["error"]
    keys = _keys(s3_endpoint, bucket)
    assert f"media/uploads/{project_id}/person.jpg" in keys
    assert any(k.startswith("media/images/") and k.endswith(".png") for k in keys)
    assert project["generatedImage"].startswith(s3_endpoint)
    await client.post("/api/project/publish", json={"projectId": project_id, "isPublished": True})
    stable = f"/media/published/{project_id}/image.png"
    redirect = await client.get(stable)
    assert redirect.status_code == 302
    async with httpx.AsyncClient() as http:
        image = await http.get(redirect.headers["location"])
    assert image.status_code == 200 and image.content[:4] == b"\x89PNG"
    assert (await client.delete(f"/api/project/{project_id}")).status_code == 204
    assert _keys(s3_endpoint, bucket) == []
