"""The clinic form once a logo is stored: save without a new file, replace it, remove it."""

from __future__ import annotations

import base64
import io
import re

from flask.testing import FlaskClient
from PIL import Image

from tests.conftest import csrf_from, launch_as


def png(colour: str, size: tuple[int, int] = (30, 10)) -> bytes:
    """A small real PNG of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def post_clinic(client: FlaskClient, cid: int, **fields: object) -> object:
    """Post the clinic form as a browser does: the file part is always sent, maybe empty."""
    page = client.get(f"/c/{cid}/handouts/clinic").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "name": "Lakeside Neurology", "phone": "555-0142",
            "logo": (io.BytesIO(b""), ""), **fields}
    return client.post(f"/c/{cid}/handouts/clinic", data=data,
                       content_type="multipart/form-data")


def stored_logo(client: FlaskClient, cid: int) -> bytes | None:
    """The logo the clinic page shows, decoded, or None."""
    page = client.get(f"/c/{cid}/handouts/clinic").get_data(as_text=True)
    found = re.search(r'src="data:image/[a-z+]+;base64,([^"]+)"', page)
    return base64.b64decode(found.group(1)) if found else None


def test_saving_again_without_a_new_file_keeps_the_logo(client: FlaskClient,
                                                        platform: object) -> None:
    cid = launch_as(client, platform, "instructor")
    first = png("teal")
    assert post_clinic(client, cid, logo=(io.BytesIO(first), "logo.png")).status_code == 302
    # No file chosen this time: before the fix the stored bytes reached upload.read() (500).
    resp = post_clinic(client, cid, name="Lakeside MS Clinic")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    assert stored_logo(client, cid) == first
    assert 'value="Lakeside MS Clinic"' in client.get(f"/c/{cid}/handouts/clinic").get_data(
        as_text=True)


def test_a_form_error_with_a_stored_logo_is_a_400_page(client: FlaskClient,
                                                       platform: object) -> None:
    cid = launch_as(client, platform, "instructor")
    post_clinic(client, cid, logo=(io.BytesIO(png("teal")), "logo.png"))
    resp = post_clinic(client, cid, name="")
    assert resp.status_code == 400 and "Enter the clinic" in resp.get_data(as_text=True)


def test_logo_can_be_replaced_and_removed(client: FlaskClient, platform: object) -> None:
    cid = launch_as(client, platform, "instructor")
    post_clinic(client, cid, logo=(io.BytesIO(png("teal")), "logo.png"))
    second = png("navy", (40, 20))
    assert post_clinic(client, cid, logo=(io.BytesIO(second), "new.png")).status_code == 302
    assert stored_logo(client, cid) == second
    assert post_clinic(client, cid, remove_logo="y").status_code == 302
    assert stored_logo(client, cid) is None


def test_a_large_logo_is_stored_at_its_printed_size(client: FlaskClient, platform: object) -> None:
    cid = launch_as(client, platform, "instructor")
    buffer = io.BytesIO()
    Image.new("RGBA", (2000, 2000), (11, 61, 107, 200)).save(buffer, format="PNG")
    assert post_clinic(client, cid, logo=(io.BytesIO(buffer.getvalue()), "big.png")
                       ).status_code == 302
    stored = stored_logo(client, cid)
    assert stored is not None
    with Image.open(io.BytesIO(stored)) as image:
        # 16 mm at 600 dpi is 378 px: the box's height bounds a square logo.
        assert (image.format, image.size, image.mode) == ("PNG", (378, 378), "RGBA")
        assert image.getpixel((189, 189)) == (11, 61, 107, 200)


def test_the_logo_field_says_it_is_shrunk_to_print_size(client: FlaskClient,
                                                        platform: object) -> None:
    cid = launch_as(client, platform, "instructor")
    page = client.get(f"/c/{cid}/handouts/clinic").get_data(as_text=True)
    assert re.search(r'<input[^>]*aria-describedby="logo-hint"[^>]*type="file"'
                     r'|<input[^>]*type="file"[^>]*aria-describedby="logo-hint"', page)
    assert 'id="logo-hint"' in page and "45 mm wide and 16 mm tall" in page
