from tests.support import signup


async def test_signup_gives_twenty_credits(client):
    user = await signup(client)
    assert user["credits"] == 20
    me = await client.get("/api/user/me")
    assert me.json()["credits"] == 20
