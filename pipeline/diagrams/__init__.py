"""Diagrams of recurrent networks drawn from a one-line description, as standalone SVG documents.

A description is a kind followed by its sizes as NAME=N, in any order (case does not matter, spaces
round "=" are allowed):

    one-to-one
    one-to-many Ty=N
    many-to-one Tx=N
    many-to-many Tx=N [Ty=N]        Ty left out or equal to Tx: an output at every step; Ty different:
                                    the encoder reads every input, then the decoder emits every output
    encoder-decoder Tx=N Ty=N       the same, the decoder's cells shaded as a second network
    language-model T=N              inputs x<1> = 0, then y<1> ... y<T-1>; outputs ŷ<t> from a softmax
    sampling T=N                    each sampled ŷ<t> fed back as the next step's input
    bidirectional Tx=N              forward and backward activations, each output read from both
    recurrent-neuron                one neuron whose output is fed back to it
    recurrent-neuron unrolled T=N   the same neuron unrolled over the steps t-N+1 ... t
    deep-rnn L=N T=N                L recurrent layers stacked, unrolled over T steps

Any kind may end with `(t)`: its time steps are then written x(t), y(t-1) as in texts that use round
brackets (the Deep Learning book, many lecture notes), instead of x<t> (the Coursera notation).

Every step count is 1 to 6 and L is 1 to 4, and the whole figure at most 640 units wide (an
encoder-decoder of 3 + 3 steps, sampling over 4): a wider figure shrinks its labels below reading size at
phone width. Labels follow the documents' notation (x<t>, a<t>, ŷ<t>, a[l]<t>; x(t), y(t) for the neuron)
and are <text> with their scripts in <tspan>s, so the figure stays searchable and needs no font of its own.

Time runs left to right, data flows bottom to top. Every stroke and glyph is drawn in currentColor with no
background, so an inline figure takes the colour of the text round it (night mode included); an <img>
draws in the SVG's own initial colour, black. The SVG has a viewBox and no width or height: whoever embeds
it sets the size, and `Diagram.width` is the width at which its labels are about the size of body text.
Arrowheads are drawn as triangles, not markers, so the document holds no ids that could clash with others
inlined on the same page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.diagrams.canvas import Canvas, MAX_LAYERS, MAX_STEPS, MAX_WIDTH
from pipeline.diagrams.kinds import (draw_bidirectional, draw_deep_rnn, draw_encoder_decoder,
                                            draw_language_model, draw_many_to_many, draw_many_to_many_unequal,
                                            draw_many_to_one, draw_one_to_many, draw_one_to_one, draw_recurrent_neuron,
                                            draw_recurrent_neuron_unrolled, draw_sampling)


@dataclass(frozen=True)
class Diagram:
    svg: str  # a complete standalone SVG document; the same description always gives the same bytes
    alt: str  # one sentence describing the figure, for screen readers and the caption
    name: str  # a file-name-safe slug, the same for descriptions that draw the same figure
    width: float  # natural width in CSS pixels: shown wider, the labels grow past the size of body text


# --- the description -----------------------------------------------------------------------------------------

# kind -> (required sizes, optional sizes)
_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "one-to-one": ((), ()),
    "one-to-many": (("Ty",), ()),
    "many-to-one": (("Tx",), ()),
    "many-to-many": (("Tx",), ("Ty",)),
    "encoder-decoder": (("Tx", "Ty"), ()),
    "language-model": (("T",), ()),
    "sampling": (("T",), ()),
    "bidirectional": (("Tx",), ()),
    "recurrent-neuron": ((), ()),
    "recurrent-neuron unrolled": (("T",), ()),
    "deep-rnn": (("L", "T"), ()),
}
_SIZE_NAMES = {name.lower(): name for name in ("Tx", "Ty", "T", "L")}
_SIZE = re.compile(r"^([A-Za-z]+)=(.*)$")


PARENTHESES = "(t)"  # the last word of a description whose steps are written x(t)


def _parse(description: str) -> tuple[str, dict[str, int]]:
    words = re.sub(r"\s*=\s*", "=", description.strip()).split()
    if len(words) > 1 and words[-1] == PARENTHESES:
        words = words[:-1]
    if not words:
        raise ValueError("empty diagram description: expected a kind such as 'many-to-one Tx=4'")
    kind = words[0].lower()
    rest = words[1:]
    if kind == "recurrent-neuron" and any(word.lower() == "unrolled" for word in rest):
        kind = "recurrent-neuron unrolled"
        rest = [word for word in rest if word.lower() != "unrolled"]
    if kind not in _KINDS:
        known = ", ".join(k for k in _KINDS if " " not in k)
        raise ValueError(f"diagram {description!r}: unknown kind {words[0]!r}; known kinds: {known}")
    required, optional = _KINDS[kind]
    expected = " ".join([f"{n}=N" for n in required] + [f"[{n}=N]" for n in optional])
    usage = f"'{kind} {expected}'" if expected else f"'{kind}' with no sizes"
    sizes: dict[str, int] = {}
    for word in rest:
        match = _SIZE.match(word)
        name = _SIZE_NAMES.get(match.group(1).lower()) if match else None
        if name is None or name not in required + optional:
            raise ValueError(f"diagram {description!r}: unexpected {word!r}; write {usage}")
        if name in sizes:
            raise ValueError(f"diagram {description!r}: {name} is given twice")
        value = match.group(2)
        if not value.isdigit():
            raise ValueError(f"diagram {description!r}: {name} must be a whole number, not {value!r}")
        limit = MAX_LAYERS if name == "L" else MAX_STEPS
        if not 1 <= int(value) <= limit:
            raise ValueError(f"diagram {description!r}: {name}={value} is out of range: 1 to {limit}, "
                             f"so the labels stay readable at phone width")
        sizes[name] = int(value)
    missing = [name for name in required if name not in sizes]
    if missing:
        raise ValueError(f"diagram {description!r}: {' and '.join(missing)} missing; write {usage}")
    if kind == "many-to-many" and sizes.get("Ty", sizes["Tx"]) == sizes["Tx"]:
        sizes.pop("Ty", None)  # equal lengths draw the same figure as Ty left out
    return kind, sizes


def diagram(description: str) -> Diagram:
    """The figure a one-line description names (grammar in the module's docstring).

    Raises ValueError, saying what was expected, for a description it cannot draw."""
    kind, sizes = _parse(description)
    parentheses = description.split()[-1:] == [PARENTHESES]
    canvas = Canvas()
    if kind == "one-to-one":
        alt = draw_one_to_one(canvas)
    elif kind == "one-to-many":
        alt = draw_one_to_many(canvas, sizes["Ty"])
    elif kind == "many-to-one":
        alt = draw_many_to_one(canvas, sizes["Tx"])
    elif kind == "many-to-many" and "Ty" in sizes:
        alt = draw_many_to_many_unequal(canvas, sizes["Tx"], sizes["Ty"])
    elif kind == "many-to-many":
        alt = draw_many_to_many(canvas, sizes["Tx"])
    elif kind == "encoder-decoder":
        alt = draw_encoder_decoder(canvas, sizes["Tx"], sizes["Ty"])
    elif kind == "language-model":
        alt = draw_language_model(canvas, sizes["T"])
    elif kind == "sampling":
        alt = draw_sampling(canvas, sizes["T"])
    elif kind == "bidirectional":
        alt = draw_bidirectional(canvas, sizes["Tx"])
    elif kind == "recurrent-neuron":
        alt = draw_recurrent_neuron(canvas)
    elif kind == "recurrent-neuron unrolled":
        alt = draw_recurrent_neuron_unrolled(canvas, sizes["T"])
    else:
        alt = draw_deep_rnn(canvas, sizes["L"], sizes["T"])
    required, optional = _KINDS[kind]
    order = [n for n in required + optional if n in sizes]
    name = "-".join([kind.replace(" ", "-")] + [f"{n.lower()}{sizes[n]}" for n in order])
    if parentheses:
        alt = re.sub(r"<([^<>]*)>", r"(\1)", alt)
        name += "-paren"
    svg, width = canvas.svg(alt)
    if parentheses:  # every step label, <tspan>&lt;t&gt;</tspan>, and the title
        svg = re.sub(r"&lt;([^&<>]*)&gt;", r"(\1)", svg)
    if width > MAX_WIDTH:
        raise ValueError(f"diagram {description!r} is too wide to read on a phone ({width:g} units, at most "
                         f"{MAX_WIDTH}): draw fewer steps")
    return Diagram(svg=svg, alt=alt, name=name, width=width)
