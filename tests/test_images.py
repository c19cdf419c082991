"""A curator gives an article a picture: digest resizes it once, offers every reader the smallest file that is
sharp enough, shares it on social media, and says clearly what is wrong with a picture it cannot use."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from digest.build import Changes, Session
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, SITE_YAML, article, only_problem, snapshot
from tests.html_refs import StartTags

PACT_PAGE = "2021/11/24/pact/index.html"
IMAGE = """image:
  src: images/pact.jpg
  alt: The two ministers shake hands in Rabat
  caption: The signing ceremony in Rabat.
  credit: Photo by the desk
"""


def with_image(slug: str, image: str = IMAGE, **fields: str) -> str:
    """An inline article whose front matter ends with `image`."""
    return article(slug, **fields).replace("summary:", image + "summary:", 1)


def write_picture(path: Path, size: tuple[int, int], mode: str = "RGB", fmt: str = "JPEG", **options: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    colour = (200, 60, 40, 128) if mode == "RGBA" else (200, 60, 40)
    picture = Image.new(mode, size, colour)
    for x in range(0, size[0], 40):  # some detail, so encoders have work to do
        picture.paste((20, 20, 90) if mode == "RGB" else (20, 20, 90, 255), (x, 0, x + 10, size[1]))
    picture.save(path, fmt, **options)


def candidates(srcset: str) -> list[tuple[str, int]]:
    return [(url, int(width[:-1])) for url, width in (item.split() for item in srcset.split(","))]


def test_a_local_picture_is_offered_in_every_width_and_format_with_its_true_size(make_site):
    site = make_site(SITE_YAML + with_image("pact"))
    write_picture(site.root / "content/images/pact.jpg", (2000, 1000))
    out = site.build()
    page = StartTags(out.read(PACT_PAGE))

    img = next(a for a in page.all("img") if a.get("alt") == "The two ministers shake hands in Rabat")
    assert img["fetchpriority"] == "high" and "loading" not in img  # the article's own picture is the first thing seen
    offered = candidates(img["srcset"]) + [c for s in page.all("source") for c in candidates(s["srcset"])]
    assert sorted({w for _, w in offered}) == [480, 800, 1200, 1600]  # never wider than 1600, never upscaled
    assert {s["type"] for s in page.all("source")} == {"image/avif", "image/webp"}
    for url, width in offered:
        file = out.root / url.lstrip("/")
        with Image.open(file) as picture:
            assert picture.size == (width, width // 2), url  # the proportions kept
            assert picture.format == {".jpg": "JPEG", ".webp": "WEBP", ".avif": "AVIF"}[file.suffix]
    with Image.open(out.root / img["src"].lstrip("/")) as fallback:
        assert (int(img["width"]), int(img["height"])) == fallback.size  # no layout shift while it loads
    assert "<figcaption>The signing ceremony in Rabat. <span class=\"credit\">Photo by the desk</span></figcaption>" in out.read(PACT_PAGE)
    assert page.meta("og:image") == "https://news.example.org" + max(candidates(img["srcset"]), key=lambda c: c[1])[0]
    assert page.meta("og:image:alt") == "The two ministers shake hands in Rabat"
    assert re.fullmatch(r"images/pact-[0-9a-f]{8}-1600\.jpg", page.meta("og:image").split("/", 3)[3])  # named by content
    home = StartTags(out.read("index.html"))
    assert any(a.get("alt") == "The two ministers shake hands in Rabat" for a in home.all("img"))
    assert '"image": "https://news.example.org/images/pact-' in out.read("feed.json")


def test_a_second_build_resizes_nothing_even_in_a_new_process(make_site):
    site = make_site(SITE_YAML + with_image("pact") + article("port", date="2021-11-20"))
    write_picture(site.root / "content/images/pact.jpg", (1300, 700))
    assert site.cli("build").returncode == 0
    made = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (site.root / ".digest-cache/images").rglob("*") if p.is_file()}
    assert len([p for p in made if p.suffix in (".jpg", ".webp", ".avif")]) == 12  # 480, 800, 1200 and the source's 1300

    edit = site.root / "content/articles/port.md"
    edit.write_text(edit.read_text().replace("title: Port", "title: Port deal"))  # a real rebuild, not the no-op shortcut
    again = site.cli("build")
    assert again.returncode == 0, again.stderr
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in made} == made  # not one file written again
    assert set((site.root / ".digest-cache/images").rglob("*")) >= set(made)


def test_a_small_picture_is_never_enlarged_and_a_transparent_one_keeps_its_transparency(make_site):
    site = make_site(SITE_YAML + with_image("pact", IMAGE.replace("pact.jpg", "logo.png")))
    write_picture(site.root / "content/images/logo.png", (300, 200), mode="RGBA", fmt="PNG")
    out = site.build()
    img = next(a for a in StartTags(out.read(PACT_PAGE)).all("img") if a.get("alt", "").startswith("The two"))
    assert candidates(img["srcset"]) == [(img["src"], 300)] and img["src"].endswith(".png")
    with Image.open(out.root / img["src"].lstrip("/")) as fallback:
        assert fallback.mode == "RGBA" and fallback.size == (300, 200)


def test_a_photo_taken_sideways_is_turned_upright_and_loses_its_camera_metadata(make_site):
    site = make_site(SITE_YAML + with_image("pact"))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    exif[0x010F] = "Camera maker"
    write_picture(site.root / "content/images/pact.jpg", (600, 400), exif=exif)
    out = site.build()
    img = next(a for a in StartTags(out.read(PACT_PAGE)).all("img") if a.get("alt", "").startswith("The two"))
    assert (img["width"], img["height"]) == ("400", "600")
    with Image.open(out.root / img["src"].lstrip("/")) as upright:
        assert upright.size == (400, 600) and not upright.getexif()


def test_a_picture_on_another_host_is_used_as_it_is(make_site):
    remote = IMAGE.replace("images/pact.jpg", "https://images.example.org/pact.jpg")
    out = make_site(SITE_YAML + with_image("pact", remote)).build()
    page = StartTags(out.read(PACT_PAGE))
    img = next(a for a in page.all("img") if a.get("alt", "").startswith("The two"))
    assert img["src"] == "https://images.example.org/pact.jpg" and "srcset" not in img
    assert page.meta("og:image") == "https://images.example.org/pact.jpg"
    assert not any(f.startswith("images/") for f in out.files())


@pytest.mark.parametrize(
    "image, line, message",
    [
        (IMAGE.replace("  alt: The two ministers shake hands in Rabat\n", ""), 8, "image: needs alt:"),
        (IMAGE.replace("pact.jpg", "missing.jpg"), 9, "image: content/images/missing.jpg does not exist"),
        (IMAGE.replace("images/pact.jpg", "../site.yaml"), 9, "image: '../site.yaml' must be a path inside content/"),
        (IMAGE.replace("pact.jpg", "broken.jpg"), 9, "image: content/images/broken.jpg is not an image digest can read"),
        ("image: images/pact.jpg\n", 8, "image: must be a mapping with src and alt"),
    ],
    ids=["no-alt", "missing-file", "outside-content", "not-an-image", "just-a-path"],
)
def test_a_picture_digest_cannot_use_is_an_error_at_its_line_and_the_last_site_stays(make_site, image, line, message):
    site = make_site(SITE_YAML + with_image("pact"))
    write_picture(site.root / "content/images/pact.jpg", (640, 360))
    (site.root / "content/images/broken.jpg").write_text("this is a text file, not a picture")
    assert site.cli("build").returncode == 0
    before = snapshot(site.root / "public")

    page = site.root / "content/articles/pact.md"
    page.write_text(page.read_text().replace(IMAGE, image))
    result = site.cli("build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"content/articles/pact.md:{line}:" in result.stderr and message in result.stderr
    assert snapshot(site.root / "public") == before


def test_a_damaged_picture_is_named_and_never_crashes_the_build(make_site):
    site = make_site(SITE_YAML + with_image("pact"))
    whole = BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 200)).save(whole, "PNG")
    (site.root / "content/images").mkdir(parents=True)
    (site.root / "content/images/pact.jpg").write_bytes(whole.getvalue()[:300])  # cut off mid-way
    problem = only_problem(site.build_error())
    assert problem.field == "image" and problem.location.line == 9
    assert "content/images/pact.jpg" in problem.message and "damaged" in problem.message


def test_replacing_a_picture_while_serving_renews_its_pages_and_matches_a_clean_build(make_site, tmp_path):
    far = article("gas", date="2021-10-01", countries="Egypt", topics="energy")  # neither a neighbour of pact nor related
    site = make_site(SITE_YAML + with_image("pact") + article("port", date="2021-11-20") + article("oil", date="2021-11-01") + far)
    picture = site.root / "content/images/pact.jpg"
    write_picture(picture, (900, 600))
    live = Session(site.root, BuildOptions(now=FIXED_NOW))
    live.build()
    old = {f for f in site.output.files() if f.startswith("images/")}

    write_picture(picture, (900, 300))
    result = live.rebuild(Changes(content=frozenset({picture})))
    assert PACT_PAGE in result.rendered_outputs and "index.html" in result.rendered_outputs
    assert "2021/10/01/gas/index.html" not in result.rendered_outputs
    new = {f for f in site.output.files() if f.startswith("images/")}
    assert new.isdisjoint(old) and len(new) == len(old)  # new names, old files gone
    clean = site.build(output_dir=tmp_path / "clean")
    assert snapshot(site.root / "public") == snapshot(clean.root)
    live.close()
