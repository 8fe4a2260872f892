"""CloudinaryStorage through the real cloudinary SDK against the fake Cloudinary server."""

from __future__ import annotations

import httpx
import pytest

from tests.fakes.cloudinary_server import FakeCloudinary, error, server_error
from tests.fakes.fixtures import fake_cloudinary, fake_cloudinary_server
from tests.fakes.http import Reply
from tests.fakes.media import make_mp4, make_png
from ugc.storage.base import ObjectNotFound, StorageError
from ugc.storage.cloudinary import CloudinaryStorage

__all__ = ["fake_cloudinary", "fake_cloudinary_server"]

PNG = make_png(64, 96)


@pytest.fixture
def storage(fake_cloudinary: FakeCloudinary) -> CloudinaryStorage:
    return CloudinaryStorage(fake_cloudinary.storage_url)


@pytest.mark.parametrize(
    ("key", "public_id", "resource_type"),
    [
        ("images/abc.png", "images/abc", "image"),
        ("videos/abc.mp4", "videos/abc", "video"),
        ("uploads/p1/person.jpg", "uploads/p1/person", "image"),
        ("uploads/p1/notes.txt", "uploads/p1/notes.txt", "raw"),
    ],
)
def test_keys_map_to_public_ids(key: str, public_id: str, resource_type: str) -> None:
    asset = CloudinaryStorage("cloudinary://k:s@cloud").asset(key)

    assert (asset.public_id, asset.resource_type) == (public_id, resource_type)


def test_root_folder_from_url_path() -> None:
    storage = CloudinaryStorage("cloudinary://k:s@cloud/ugc-prod")

    assert storage.asset("images/a.png").public_id == "ugc-prod/images/a"


@pytest.mark.parametrize("key", ["", "/abs.png", "../x.png", "images/a b.png"])
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(StorageError):
        CloudinaryStorage("cloudinary://k:s@cloud").asset(key)


@pytest.mark.parametrize("url", ["s3://bucket", "cloudinary://cloud", "cloudinary://k@cloud"])
def test_bad_urls_fail_clearly(url: str) -> None:
    with pytest.raises(ValueError, match="cloudinary://KEY:SECRET@CLOUD"):
        CloudinaryStorage(url)


async def test_put_get_roundtrip_image(
    storage: CloudinaryStorage, fake_cloudinary: FakeCloudinary
) -> None:
    await storage.put("images/abc.png", PNG, "image/png")

    assert await storage.get("images/abc.png") == PNG
    upload = fake_cloudinary.requests[0]
    assert upload.path == f"/v1_1/{fake_cloudinary.cloud}/image/upload"
    assert fake_cloudinary.objects_by_public_id["images/abc"].resource_type == "image"


async def test_put_get_roundtrip_video(
    storage: CloudinaryStorage, fake_cloudinary: FakeCloudinary
) -> None:
    data = make_mp4(128, 228, 0.5, audio=False)

    await storage.put("videos/v1.mp4", data, "video/mp4")

    assert await storage.get("videos/v1.mp4") == data
    assert fake_cloudinary.requests[0].path.endswith("/video/upload")


async def test_put_replaces(storage: CloudinaryStorage) -> None:
    await storage.put("uploads/p/person.png", PNG, "image/png")
    other = make_png(32, 32, (0, 0, 0))
    await storage.put("uploads/p/person.png", other, "image/png")

    assert await storage.get("uploads/p/person.png") == other


async def test_raw_upload(storage: CloudinaryStorage, fake_cloudinary: FakeCloudinary) -> None:
    await storage.put("uploads/p/scene.bin", b"\x01\x02", "application/octet-stream")

    assert await storage.get("uploads/p/scene.bin") == b"\x01\x02"
    assert fake_cloudinary.requests[0].path.endswith("/raw/upload")


async def test_get_missing_raises_not_found(storage: CloudinaryStorage) -> None:
    with pytest.raises(ObjectNotFound):
        await storage.get("images/missing.png")


async def test_delete_then_missing(storage: CloudinaryStorage) -> None:
    await storage.put("images/gone.png", PNG, "image/png")

    await storage.delete("images/gone.png")
    await storage.delete("images/gone.png")  # a second delete is not an error

    with pytest.raises(ObjectNotFound):
        await storage.get("images/gone.png")


async def test_url_is_secure_and_downloadable(fake_cloudinary: FakeCloudinary) -> None:
    production = CloudinaryStorage("cloudinary://k:s@demo")
    assert (await production.url("images/a.png", expires_in=60)).startswith(
        "https://res.cloudinary.com/demo/image/upload/"
    )
    storage = CloudinaryStorage(fake_cloudinary.storage_url)
    await storage.put("videos/x.mp4", make_mp4(64, 64, 0.5, audio=False), "video/mp4")

    url = await storage.url("videos/x.mp4", expires_in=3600, download_name="My ad.mp4")

    assert "fl_attachment:My_ad" in url
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="My_ad"'


async def test_wrong_secret_is_a_storage_error(fake_cloudinary: FakeCloudinary) -> None:
    url = fake_cloudinary.storage_url.replace(fake_cloudinary.api_secret, "wrong")
    storage = CloudinaryStorage(url)

    with pytest.raises(StorageError, match="Invalid Signature") as caught:
        await storage.put("images/a.png", PNG, "image/png")
    assert "wrong" not in str(caught.value)  # the secret never reaches messages
    assert fake_cloudinary.assets == {}


async def test_server_error_is_a_storage_error(
    storage: CloudinaryStorage, fake_cloudinary: FakeCloudinary
) -> None:
    fake_cloudinary.script(upload=[server_error()])

    with pytest.raises(StorageError, match="General Error"):
        await storage.put("images/a.png", PNG, "image/png")


async def test_delivery_failure_is_a_storage_error(
    storage: CloudinaryStorage, fake_cloudinary: FakeCloudinary
) -> None:
    await storage.put("images/a.png", PNG, "image/png")
    fake_cloudinary.script(download=[Reply(502, b"bad gateway")])

    with pytest.raises(StorageError):
        await storage.get("images/a.png")


async def test_destroy_error_is_a_storage_error(
    storage: CloudinaryStorage, fake_cloudinary: FakeCloudinary
) -> None:
    fake_cloudinary.script(destroy=[error(420, "Rate Limit Exceeded")])

    with pytest.raises(StorageError):
        await storage.delete("images/a.png")


async def test_unreachable_api_is_a_storage_error() -> None:
    storage = CloudinaryStorage("cloudinary://k:s@c", upload_prefix="http://127.0.0.1:9")

    with pytest.raises(StorageError):
        await storage.put("images/a.png", PNG, "image/png")


async def test_upload_prefix_keyword(fake_cloudinary: FakeCloudinary) -> None:
    base = f"cloudinary://{fake_cloudinary.api_key}:{fake_cloudinary.api_secret}@demo-cloud"
    storage = CloudinaryStorage(base, upload_prefix=fake_cloudinary.base_url)

    await storage.put("images/k.png", PNG, "image/png")

    assert "images/k" in fake_cloudinary.objects_by_public_id
