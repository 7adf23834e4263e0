"""Hostile content: markup, file paths and URLs in every field a document, an overlay or an exam definition
can set. A build opens no file outside the project and no URL, and no live markup reaches a page."""
from __future__ import annotations

import html.parser
import io
import os
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.files import cache
from pipeline.build import build
from pipeline.select.definitions import read_definitions
from pipeline.select.versions import select_versions
from pipeline.render.exam.page import exam_html, key_html

ROOT = Path(__file__).resolve().parent.parent

# Set while a build runs under watch: (fd to report to, paths that must never be opened).
_WATCH: dict[str, object] = {}


def _audit(event: str, args: tuple) -> None:
    """Report, on a file descriptor opened beforehand, every opening of a watched file and every network
    access. Forked render workers inherit both the hook and the descriptor."""
    if not _WATCH:
        return
    report = None
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        opened = os.fsdecode(args[0])
        if any(opened.endswith(name) for name in _WATCH["canaries"]):  # type: ignore[attr-defined]
            report = f"opened {opened}"
    elif event == "urllib.Request" and not str(args[0]).startswith("data:"):
        report = f"fetched {args[0]}"
    elif event in ("socket.connect", "socket.getaddrinfo"):
        report = f"{event} {args[1] if len(args) > 1 else args}"
    if report:
        os.write(_WATCH["fd"], (report + "\n").encode())  # type: ignore[arg-type]


sys.addaudithook(_audit)


class _Server(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the handler's name
        _Server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.end_headers()
        self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = HTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _hostile(url: str, outside: Path) -> list[str]:
    """Strings that would read a file or a URL, or open markup, if they reached a page unescaped."""
    return [
        f"</style><link rel=attachment href='file://{outside}/secret.txt'><style>",
        f"<link rel=stylesheet href='file://{outside}/style.css'>",
        f"![remote]({url}/image.svg)",
        f"![local]({outside}/figure.svg)",
        "![relative](../outside/figure.svg)",
        f"![scheme](file://{outside}/figure.svg)",
        f'<img src="{url}/raw.svg"> <script>alert(1)</script> <iframe src="{url}/frame"></iframe>',
        f'"}} @import url({url}/import.css); a {{ b: "',
    ]


def _document(strings: list[str]) -> str:
    lines = ["# Quiz " + strings[0], ""]
    for n, s in enumerate(strings, start=1):
        # Both options hold the string: an option alone in its markup would be a giveaway, refused.
        lines += [f"{n}. Which of these is safe, given {s}?", f"   - Option {s}", f"   - Plain option {s}", "",
                  f"   Answer: A", ""]
    return "\n".join(lines)


def _overlay(strings: list[str]) -> str:
    fix = "\n".join(f"{key} = {_toml(' '.join(strings))}" for key in ("why", "note", "explanation", "answer"))
    return (f"[document]\ntitle = {_toml(strings[0])}\n\n[[fix]]\nquestion = {_toml(strings[2])}\n{fix}\n\n"
            f"[[fix.replace]]\nfield = \"option 2\"\nfind = \"Plain option\"\nwith = {_toml(strings[6])}\n"
            f"[[fix.replace]]\nfield = \"option 1\"\nfind = \"Option\"\nwith = {_toml(strings[6])}\n")


def _exams(strings: list[str]) -> str:
    joined = " ".join(strings)
    return (f'[[exam]]\nname = "hostile"\ntitle = {_toml(strings[0] + strings[-1])}\ncourse = {_toml(strings[1])}\n'
            f'date = {_toml(strings[6])}\ntime = {_toml(strings[7] + strings[1])}\n'
            f'instructions = {_toml(joined)}\nseed = 1\n\n[[exam.draw]]\n'
            f'document = "hostile"\n')


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, server: str) -> dict:
    base = tmp_path_factory.mktemp("hostile")
    project, outside = base / "project", base / "outside"
    outside.mkdir()
    for name in ("secret.txt", "style.css", "figure.svg"):
        (outside / name).write_text("body { background: url(x) }" if name.endswith("css") else
                                    '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
    shutil.copytree(ROOT / "templates", project / "templates")
    seeds = project / "seeds"
    seeds.mkdir()
    strings = _hostile(server, outside)
    (seeds / "hostile.md").write_text(_document(strings), encoding="utf-8")
    (seeds / "hostile.fixes.toml").write_text(_overlay(strings), encoding="utf-8")
    (seeds / "exams.toml").write_text(_exams(strings), encoding="utf-8")
    report = base / "report.txt"
    fd = os.open(report, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    before = os.getcwd()
    os.chdir(project)
    try:
        _WATCH.update(fd=fd, canaries=[str(outside / n) for n in ("secret.txt", "style.css", "figure.svg")])
        diags = build([Path("seeds/hostile.md")], Path("build"), seeds_dir=Path("seeds"))
        _WATCH.clear()
        definitions, _ = read_definitions(Path("seeds/exams.toml"))
        from pipeline.build import load_bank

        versions, _ = select_versions(load_bank([Path("seeds/hostile.md")]), definitions)
        store = cache.Store(Path("build/cache"))
        pages = [page(v, store) for v in versions for page in (exam_html, key_html)]
    finally:
        _WATCH.clear()
        os.chdir(before)
        os.close(fd)
    return {"project": project, "diags": diags, "report": report.read_text(), "strings": strings,
            "pages": pages, "requests": list(_Server.requests)}


def test_the_build_goes_through(built: dict) -> None:
    exams = built["project"] / "build" / "exams"
    assert sorted(p.name for p in exams.iterdir()) == ["hostile-A-key.pdf", "hostile-A.pdf"]
    assert not [d for d in built["diags"] if d.severity == "error"], built["diags"]


def test_no_file_outside_the_project_and_no_url_is_opened(built: dict) -> None:
    assert built["report"] == ""
    assert built["requests"] == []


def test_every_refused_image_is_reported_at_its_line(built: dict) -> None:
    refused = [d for d in built["diags"] if d.code == "exam-image-refused"]
    assert refused and all(d.severity == "warning" and d.line > 0 for d in refused)
    files = {d.file for d in refused}
    assert files == {"seeds/hostile.md", "seeds/exams.toml"}
    messages = " ".join(d.message for d in refused)
    for name in ("/image.svg", "/figure.svg", "../outside/figure.svg"):
        assert name in messages


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


ALLOWED = {"html", "head", "meta", "title", "style", "body", "header", "div", "span", "h1", "p", "ol", "ul",
           "li", "section", "img", "table", "tr", "td", "em", "strong", "code", "pre", "br", "a"}


def test_no_live_markup_reaches_a_page(built: dict) -> None:
    assert len(built["pages"]) == 2
    for page in built["pages"]:
        parser = _Tags()
        parser.feed(page)
        tags = [tag for tag, _ in parser.tags]
        assert set(tags) <= ALLOWED, set(tags) - ALLOWED
        assert tags.count("style") == 1
        for tag, attrs in parser.tags:
            if tag == "img":
                assert (attrs.get("src") or "").startswith("data:image/svg+xml;base64,"), attrs
            if tag == "a":
                assert not (attrs.get("href") or "").startswith(("file:", "javascript:")), attrs
        style = page.split("<style>", 1)[1].split("</style>", 1)[0]
        assert _urls_and_imports(style) == {"rnn-font:RNNMath", "rnn-font:RNNMathScript"}


def _urls_and_imports(css: str) -> set[str]:
    """Every URL and @import of a style sheet as CSS reads it (strings are not URLs), file names cut short."""
    import tinycss2

    found: set[str] = set()

    def walk(tokens) -> None:  # noqa: ANN001
        for token in tokens:
            if token.type == "url":
                found.add(token.value.rsplit("-", 1)[0])
            elif token.type == "function" and token.lower_name == "url":
                found.add(tinycss2.serialize(token.arguments).strip("'\" ").rsplit("-", 1)[0])
            elif token.type == "at-rule" and token.lower_at_keyword == "import":
                found.add("@import")
            for part in ("prelude", "content", "arguments"):
                if isinstance(getattr(token, part, None), list):
                    walk(getattr(token, part))

    walk(tinycss2.parse_stylesheet(css))
    return found


def test_the_pdfs_show_the_strings_as_text_and_attach_nothing(built: dict) -> None:
    for name in ("hostile-A.pdf", "hostile-A-key.pdf"):
        reader = PdfReader(built["project"] / "build" / "exams" / name)
        assert reader.attachments == {}
        text = " ".join(page.extract_text() for page in reader.pages)
        assert "</style><link rel=attachment" in text  # the title, printed as the text it is
        assert "<script>alert(1)</script>" in text


def test_every_field_of_a_question_prints_as_text(tmp_path: Path, server: str) -> None:
    """The same strings in every field the model has, whichever reader or overlay filled it."""
    from pipeline.select.definitions import ExamDefinition
    from pipeline.select.versions import shuffle_version
    from pipeline.model import BreakdownItem, Choice, Computed, Figure, Question, SourceSpan
    from pipeline.render.exam.pdf import html_to_pdf

    outside = tmp_path / "outside"
    outside.mkdir()
    s = " ".join(_hostile(server, outside))
    q = Question(
        id=f"hostile/{s}", document="hostile", number=s, kind="single_choice", stem=s,
        source=SourceSpan(f"seeds/{s}.md", 3, 9), choices=(Choice(s, True, 4), Choice(s, False, 5)), answer=s,
        explanation=s, context=s, section=s, attribution=s, notes=(s,), tags=("t",),
        figures=(Figure("stem", s, 3, file=s, caption=s), Figure("answer", s, 5, diagram=s)),
        computed=(Computed(quantity=s, value=s, method=s, convention=s, breakdown=(BreakdownItem(s, "x", 1),),
                           document_value=s, agrees=False, line=3, note=s),))
    definition = ExamDefinition(name="h", title=s, course=s, date=s, instructions=s, paper="A4", versions=1,
                                seed="1", points=1.0, file=f"{s}.toml")
    version = shuffle_version(definition, [(q, 1.0)], "A")
    report = tmp_path / "report.txt"
    fd = os.open(report, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        _WATCH.update(fd=fd, canaries=[str(outside / n) for n in ("secret.txt", "style.css", "figure.svg")])
        for page in (exam_html(version, None), key_html(version, None)):
            parser = _Tags()
            parser.feed(page)
            assert {tag for tag, _ in parser.tags} <= ALLOWED
            assert [tag for tag, _ in parser.tags].count("style") == 1
            pdf, _ = html_to_pdf(page)
            assert PdfReader(io.BytesIO(pdf)).attachments == {}
    finally:
        _WATCH.clear()
        os.close(fd)
    assert report.read_text() == "" and _Server.requests == []
