"""Text handling shared by every area: slugs, Markdown rendering and HTML sanitizing."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import nh3
from markdown_it import MarkdownIt
from slugify import slugify as _slugify

# What survives in stored HTML (show notes, article bodies): structure and links, no
# script, style, event handlers, iframes or forms.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "del", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre",
    "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _headings_below_the_page_title(state) -> None:
    """The page's title is its <h1>: a body's "# Heading" becomes <h2>, "##" <h3>… (<h6>
    at most), so every heading the author wrote survives the sanitizer, in order."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


_markdown.core.ruler.push("headings_below_the_page_title", _headings_below_the_page_title)


def slugify(text: str, max_length: int = 80) -> str:
    """A URL slug for ``text`` (transliterated, lowercase, hyphens), never empty."""
    return _slugify(text or "", max_length=max_length, word_boundary=True) or "untitled"


def unique_slug(text: str, taken: Callable[[str], bool], max_length: int = 80) -> str:
    """slugify(text), with -2, -3… appended until ``taken(slug)`` is false."""
    base = slugify(text, max_length=max_length)
    candidate, counter = base, 2
    while taken(candidate):
        candidate = f"{base[: max_length - len(str(counter)) - 1]}-{counter}"
        counter += 1
    return candidate


def sanitize_html(html: str) -> str:
    """Keep safe structure and links; drop scripts, handlers and unknown tags."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Markdown (CommonMark, raw HTML disabled) to sanitized HTML."""
    return sanitize_html(_markdown.render(source or ""))


def strip_tags(html: str) -> str:
    """Plain text of an HTML fragment (for summaries, meta descriptions and search).

    Plain means unescaped ("a < b", not "a &lt; b"): templates and JSON escape it once
    where it is written; escaped here, "&lt;" would show up as "&amp;lt;".
    """
    return unescape(nh3.clean(html or "", tags=set())).strip()


_PASTE_CONTROL = re.compile(r"[\x00-\x08\x0c\x0e-\x1f\x7f]")


def normalize_pasted(text: str) -> str:
    """Text pasted from word processors: a vertical tab (Word's line break) becomes a line
    break, carriage returns become newlines, other control characters are removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    return _PASTE_CONTROL.sub("", text)
