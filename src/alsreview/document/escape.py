"""The one escaping boundary: text from the data reaches Markdown, YAML metadata, BibTeX and figures as inert text.

Curated cells are untrusted: a title may hold `<img onerror=...>`, `[x](javascript:...)`, a raw Typst block,
a Quarto shortcode, a citation or math. Every writer that puts data text into a document format calls one of
the functions below, each for one target format:

- `escape_text` for Markdown (table cells, prose): every ASCII punctuation character is backslash-escaped, which
  Pandoc's Markdown reader turns back into that literal character, so no syntax (HTML, links, spans, raw
  attributes, shortcodes, citations, math, table pipes) can form.
- `meta_text` for values in YAML metadata: Quarto reads metadata strings as Markdown *and* expands shortcodes in
  them even after Markdown escapes are removed, so data text is given as a Pandoc AST string
  (`` `Str "..."`{=pandoc-native} ``, the form Quarto documents for exact strings), with every character outside
  [A-Za-z0-9 ,.;:()-] written as a numeric escape.
- `bibtex_text` for BibTeX fields (Pandoc reads them as LaTeX), `url_text` for addresses. Figures need no
  escaping: export.use_deterministic_style turns Matplotlib's mathtext off, so `$` in a label is a dollar sign.

Markup the code itself generates (a citation of a study id, a cross-reference) is not data: `cite` builds it
from a key that must look like one, and `Markup` marks such a string as trusted so `escape_text` and
`meta_text` pass it through unchanged. Anything not wrapped in `Markup` is escaped.
"""
from __future__ import annotations

import re
import string

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REPLACEMENT = "\ufffd"
MARKDOWN_SPECIAL = frozenset(string.punctuation)
META_PLAIN = frozenset(string.ascii_letters + string.digits + " ,.;:()-")
CITATION_KEY = re.compile(r"^[a-z][a-z0-9]*[0-9]{4}[a-z]?$")
# LaTeX as Pandoc reads it: specials become commands, and the characters that form ligatures (-- --- `` '')
# are isolated or spelled out so that they stay themselves.
BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                  "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "-": "{-}",
                  "'": r"\textquotesingle{}", '"': r"\textquotedbl{}", "`": r"\`{}"}
URL_UNSAFE = {c: f"%{ord(c):02X}" for c in ' "<>\\^`{|}'}


class Markup(str):
    """A string the code built on purpose (citations, cross-references): passed through unescaped."""

    def __add__(self, other):
        return Markup(str.__add__(self, other if isinstance(other, Markup) else escape_text(other)))

    def join(self, parts) -> "Markup":
        """Like str.join, escaping every part that is not Markup itself (e.g. '; '.join of citations and names)."""
        return Markup(str.join(self, (escape_text(part) for part in parts)))


def _plain(value) -> str:
    """Text without control characters (NUL and friends become U+FFFD) and without line breaks."""
    text = "" if value is None else str(value)
    return CONTROL.sub(REPLACEMENT, text).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def escape_text(value) -> Markup:
    """Data text as Pandoc Markdown that reads back as exactly this text (line breaks become spaces)."""
    if isinstance(value, Markup):
        return value
    return Markup("".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in _plain(value)))


def cite(study_id: str) -> Markup:
    """A live citation `@key` for a study id; refuses anything that is not shaped like a citation key."""
    if not CITATION_KEY.match(str(study_id)):
        raise ValueError(f"not a citation key: {study_id!r}")
    return Markup("@" + study_id)


def _native_char(c: str) -> str:
    return c if c in META_PLAIN else f"\\{ord(c)}\\&"


def meta_text(value) -> str:
    """A metadata string Quarto shows literally: a Pandoc-native Str for data, trusted Markup unchanged."""
    if isinstance(value, Markup):
        return str(value)
    text = _plain(value)
    if not text:
        return ""
    return '`Str "' + "".join(_native_char(c) for c in text) + '"`{=pandoc-native}'


def bibtex_text(value) -> str:
    """A BibTeX field value that Pandoc's LaTeX reading shows literally (braces balanced, no commands)."""
    return "".join(BIBTEX_SPECIAL.get(c, c) for c in _plain(value))


def url_text(value) -> str:
    """An address with the characters that could end a BibTeX field or a Markdown link percent-encoded."""
    return "".join(URL_UNSAFE.get(c, c) for c in _plain(value))
