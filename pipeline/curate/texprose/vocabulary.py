"""What bare TeX in prose is made of: the TeX commands and Unicode symbols of mathematics, and the patterns that
find a fragment's parts, for the recogniser in fragments.py."""
from __future__ import annotations

import re

_GREEK_NAMES = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi "
    "rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()
GREEK_CHARS = dict(zip(
    "αβγδεζηθικλμνξπρσςτυφχψωϵϑϕϱϖΓΔΘΛΞΠΣΥΦΨΩ",
    ["\\" + n for n in (
        "alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma varsigma "
        "tau upsilon varphi chi psi omega epsilon vartheta phi varrho varpi "
        "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()]))
UNICODE_PREFIX = {"∂": r"\partial", "∇": r"\nabla", "∑": r"\sum", "∏": r"\prod"}
UNICODE_BINOPS = {"×": r"\times", "·": r"\cdot", "≈": r"\approx", "≤": r"\le", "≥": r"\ge", "≠": r"\neq",
                   "←": r"\leftarrow", "→": r"\rightarrow", "∈": r"\in", "⊙": r"\odot", "∝": r"\propto"}
UNICODE_TEX = {**GREEK_CHARS, **UNICODE_PREFIX, **UNICODE_BINOPS, "∞": r"\infty", "−": "-"}

BINOP_CMDS = set(
    "cdot times div pm mp leftarrow rightarrow Leftarrow Rightarrow leftrightarrow to gets mapsto approx sim "
    "simeq equiv cong neq ne le leq ge geq ll gg in notin subset subseteq supset cup cap mid odot otimes "
    "oplus circ propto".split())
PREFIX_CMDS = set("sum prod int oint partial nabla log ln exp sin cos tan tanh sinh cosh max min argmax "
                   "argmin lim det".split())
FUNC_CMDS = PREFIX_CMDS | set(_GREEK_NAMES)  # may take a parenthesised argument: \sigma(z), \log(p)
ARG_COUNT = {"frac": 2, "dfrac": 2, "tfrac": 2, "binom": 2, "sqrt": 1,
              **{a: 1 for a in ("hat tilde bar vec dot ddot overline underline widehat widetilde mathbf "
                                "mathrm mathcal mathbb mathit boldsymbol bm text operatorname").split()}}
_SYMBOL_CMDS = set("infty ell ldots cdots vdots ddots dots forall exists emptyset top prime".split())
MATH_CMDS = set(_GREEK_NAMES) | BINOP_CMDS | PREFIX_CMDS | set(ARG_COUNT) | _SYMBOL_CMDS
SCRIPT_CMDS = set(_GREEK_NAMES) | {"top", "prime", "ast", "star", "dagger", "infty", "ell"}

MASK = "\x00"  # stands for protected text (code, math, URLs...) while scanning; never part of a fragment

# Inline text markdown-it does not show as written, or where TeX must not be looked for.
PROTECTED = re.compile(
    r"(?P<code>(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\2(?!`))"                   # code span: a whole run of backticks
    r"|\$\$[\s\S]+?\$\$"                                                # $$...$$
    r"|\$(?:[^$\\]|\\[\s\S])+?\$"                                       # $...$
    r"|!\[[^\]\n]*\]\([^)\n]*\)"                                        # image
    r"|(?<=\])\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)"        # link target
    r"|(?<=\])\[[^\]\n]*\]"                                             # reference label
    r"|^[ ]{0,3}\[[^\]\n]+\]:[^\n]*"                                    # link reference definition
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|<[^\s<>@]+@[^\s<>]+>"    # autolinks
    r"|(?:https?|ftp)://[^\s<>]*|www\.[^\s<>]*"                         # bare URLs
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"  # entities
    r"|\\[!-/:-@\[-`{-~]",                                              # backslash escapes
    re.M)
PROTECTED_BLOCKS = {"fence", "code_block", "math_block", "math_block_label", "html_block"}

MAYBE_MATH = re.compile(r"[_^\\" + "".join(GREEK_CHARS) + "".join(UNICODE_PREFIX) + "]")
IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*")
WORD = re.compile(r"[A-Za-z0-9_^]+")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
COMMAND = re.compile(r"\\([A-Za-z]+)")
BARE_RUN = re.compile(r"-?[A-Za-z0-9]+")
SUB_RUN = re.compile(r"[A-Za-z]{1,2}\d{0,3}|\d{1,3}")
SUP_RUN = re.compile(r"[A-Za-z]|-?\d{1,3}")
SIMPLE = re.compile(r"(?:[A-Za-z](?![A-Za-z])|\d+|\\[A-Za-z]+|[" + "".join(GREEK_CHARS) + r"]|[-+−*/,]| )+")
GLUED_OP = re.compile(r"[-+−*/=]|[" + "".join(UNICODE_BINOPS) + "]")
SPACED_OP = re.compile(r"[ \t]+([=+/]|[" + "".join(UNICODE_BINOPS) + r"]|\\[A-Za-z]+)[ \t]+")
LETTER = re.compile(r"[A-Za-z0-9_\\" + "".join(GREEK_CHARS) + "]")


def to_tex(s: str) -> str:
    out = []
    for k, ch in enumerate(s):
        cmd = UNICODE_TEX.get(ch, ch)
        out.append(cmd)
        nxt = s[k + 1:k + 2]
        if cmd.startswith("\\") and nxt.isascii() and nxt.isalpha():
            out.append(" ")
    return "".join(out)
