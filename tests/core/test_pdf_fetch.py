"""Official documents render from inline resources only (core.pdf)."""

import base64

import pytest
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from core import pdf

PNG = base64.b64encode(
    base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
).decode()


@pytest.mark.parametrize("src", ["file:///etc/hostname", "http://127.0.0.1:9/x.png"])
def test_a_document_may_not_fetch_from_the_disk_or_the_network(src):
    with pytest.raises(FatalURLFetchingError) as refused:
        HTML(string=f'<p>附件</p><img src="{src}">', url_fetcher=pdf._inline_only()).write_pdf()
    assert "disallowed protocol" in str(refused.value.__context__)


def test_inline_images_are_rendered():
    html = f'<p>附件</p><img src="data:image/png;base64,{PNG}">'
    assert HTML(string=html, url_fetcher=pdf._inline_only()).write_pdf().startswith(b"%PDF")
