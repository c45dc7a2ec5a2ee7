"""`/favicon.ico`: browsers ask for it on every site; it answers with a small icon they may keep."""
import struct


def test_the_favicon_is_a_small_icon_cached_for_a_month(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    reserved, kind, count = struct.unpack("<HHH", response.data[:6])
    assert (reserved, kind) == (0, 1) and count >= 1 and len(response.data) < 4096
    assert "max-age=2592000" in response.headers["Cache-Control"]
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in page
