"""Word equations (OMML) -> TeX, for the structures study documents use: fractions, sub- and superscripts,
roots, delimiters, sums and products, functions, accents, bars and matrices. Anything else keeps its text."""
from __future__ import annotations

from pipeline.formats.docx.namespaces import M

_SYMBOLS = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon", "ϵ": r"\epsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ι": r"\iota", "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu",
    "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau", "υ": r"\upsilon",
    "φ": r"\phi", "ϕ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta",
    "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma", "Φ": r"\Phi", "Ψ": r"\Psi",
    "Ω": r"\Omega", "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "∙": r"\cdot", "≤": r"\le", "≥": r"\ge",
    "≠": r"\ne", "≈": r"\approx", "∞": r"\infty", "→": r"\to", "←": r"\leftarrow", "∈": r"\in",
    "∂": r"\partial", "∇": r"\nabla", "±": r"\pm", "−": "-", "⊙": r"\odot", "∘": r"\circ", "⊗": r"\otimes",
    "∑": r"\sum", "∏": r"\prod", "∫": r"\int", "√": r"\sqrt", "…": r"\ldots", "⋯": r"\cdots", "ℝ": r"\mathbb{R}",
}
_NARY = {"∑": r"\sum", "∏": r"\prod", "∫": r"\int", "∬": r"\iint", "∮": r"\oint", "⋃": r"\bigcup", "⋂": r"\bigcap"}
_ACCENTS = {"̂": r"\hat", "^": r"\hat", "̃": r"\tilde", "~": r"\tilde", "̄": r"\bar", "¯": r"\bar", "⃗": r"\vec",
            "→": r"\vec", "̇": r"\dot", "̈": r"\ddot"}
_FUNCTIONS = {"sin", "cos", "tan", "log", "ln", "exp", "max", "min", "tanh", "sigmoid", "lim", "softmax"}


def _val(el, path: str, default: str = "") -> str:
    found = el.find(path)
    return found.get(M + "val", default) if found is not None else default


def _text(s: str) -> str:
    out = []
    for ch in s:
        sym = _SYMBOLS.get(ch)
        out.append(sym + " " if sym and sym[0] == "\\" else sym if sym else ch)
    return "".join(out).rstrip()


def _group(s: str) -> str:
    return s if len(s) == 1 else "{" + s + "}"


def _arg(el, name: str) -> str:
    part = el.find(M + name)
    return omml_tex(part) if part is not None else ""


def omml_tex(el) -> str:
    """TeX for an OMML element and everything inside it."""
    out = []
    for child in el.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag.endswith("Pr"):
            continue  # properties, comments
        local = tag[len(M):] if tag.startswith(M) else ""
        if local == "r":
            out.append(_text("".join(t.text or "" for t in child.iter(M + "t"))))
        elif local == "f":
            out.append(rf"\frac{{{_arg(child, 'num')}}}{{{_arg(child, 'den')}}}")
        elif local == "sSub":
            out.append(f"{_group(_arg(child, 'e'))}_{{{_arg(child, 'sub')}}}")
        elif local == "sSup":
            out.append(f"{_group(_arg(child, 'e'))}^{{{_arg(child, 'sup')}}}")
        elif local == "sSubSup":
            out.append(f"{_group(_arg(child, 'e'))}_{{{_arg(child, 'sub')}}}^{{{_arg(child, 'sup')}}}")
        elif local == "sPre":
            out.append(f"{{}}_{{{_arg(child, 'sub')}}}^{{{_arg(child, 'sup')}}}{_group(_arg(child, 'e'))}")
        elif local == "rad":
            deg = _arg(child, "deg")
            out.append(rf"\sqrt[{deg}]{{{_arg(child, 'e')}}}" if deg else rf"\sqrt{{{_arg(child, 'e')}}}")
        elif local == "d":
            pr = child.find(M + "dPr")
            beg = _val(pr, M + "begChr", "(") if pr is not None else "("
            end = _val(pr, M + "endChr", ")") if pr is not None else ")"
            sep = _val(pr, M + "sepChr", ",") if pr is not None else ","
            inner = sep.join(omml_tex(e) for e in child.iterchildren(M + "e"))
            out.append(rf"\left{_delim(beg)}{inner}\right{_delim(end)}")
        elif local == "nary":
            pr = child.find(M + "naryPr")
            op = _NARY.get(_val(pr, M + "chr", "∫") if pr is not None else "∫", r"\int")
            sub, sup = _arg(child, "sub"), _arg(child, "sup")
            out.append(op + (f"_{{{sub}}}" if sub else "") + (f"^{{{sup}}}" if sup else "") + " " + _arg(child, "e"))
        elif local == "func":
            name = _arg(child, "fName").strip()
            out.append((f"\\{name}" if name in _FUNCTIONS else rf"\operatorname{{{name}}}") + " " + _arg(child, "e"))
        elif local == "acc":
            pr = child.find(M + "accPr")
            out.append(_ACCENTS.get(_val(pr, M + "chr", "̂") if pr is not None else "̂", r"\hat")
                       + f"{{{_arg(child, 'e')}}}")
        elif local == "bar":
            pr = child.find(M + "barPr")
            pos = _val(pr, M + "pos", "bot") if pr is not None else "bot"
            out.append((r"\overline" if pos == "top" else r"\underline") + f"{{{_arg(child, 'e')}}}")
        elif local in ("limLow", "limUpp"):
            out.append(f"{_group(_arg(child, 'e'))}{'_' if local == 'limLow' else '^'}{{{_arg(child, 'lim')}}}")
        elif local == "m":
            rows = [" & ".join(omml_tex(e) for e in mr.iterchildren(M + "e")) for mr in child.iterchildren(M + "mr")]
            out.append(r"\begin{matrix}" + r" \\ ".join(rows) + r"\end{matrix}")
        elif local == "eqArr":
            out.append(r" \\ ".join(omml_tex(e) for e in child.iterchildren(M + "e")))
        elif local in ("e", "num", "den", "sub", "sup", "deg", "lim", "fName", "box", "borderBox", "groupChr",
                       "phant", "oMath"):
            out.append(omml_tex(child))
        else:
            out.append(omml_tex(child))
    return "".join(out).strip()


def _delim(ch: str) -> str:
    return {"{": r"\{", "}": r"\}", "": ".", "|": "|", "‖": r"\|", "⟨": r"\langle", "⟩": r"\rangle",
            "⌈": r"\lceil", "⌉": r"\rceil", "⌊": r"\lfloor", "⌋": r"\rfloor"}.get(ch, ch)
