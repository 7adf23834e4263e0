"""Questions -> Questions with values recomputed by the reference model and checked against the document: first the
forms the model answers directly (`forms`), else any network the text describes (`networks`)."""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

from pipeline.compute import networks, sizes, statement
from pipeline.compute.claims import arithmetic_claims
from pipeline.compute.forms import RECOGNISERS
from pipeline.compute.position import Result, Where, flag
from pipeline.compute.reference import counts
from pipeline.compute.wording import ASKED, convention_words, network_words, shown
from pipeline.model import Computed, Diagnostic, Question

PIN = "`sizes = { n_x = 20, n_h = 128 }`"


def _network_question(q: Question, where: Where) -> Result:
    binding, why = networks.bind(q, where.lines, where.line_of)
    stem_line = where.line_of(q.stem[:80])
    if binding is None:
        if not why:
            return q, [], []
        return q, [], [flag(q, stem_line, "info", "size-unbound",
                             f"{why}: state it in the question or pin it in the overlay ({PIN})")]
    try:
        value = counts.value(binding)
    except (ValueError, IndexError, ZeroDivisionError) as err:
        return q, [], [flag(q, stem_line, "info", "size-unbound", f"the network it describes cannot be computed "
                                                                    f"({err}): pin its sizes in the overlay ({PIN})")]
    shape = isinstance(value, tuple)
    if shape and binding.framework == "pytorch" and None in value:
        return q, [], [flag(q, stem_line, "info", "size-unbound",
                             "it asks for a shape but states no batch size or sequence length")]
    alts: dict[str, object] = {}
    if binding.framework == "" and networks.bias_rule(f"{q.context}\n{q.stem}") is None:
        for name, biases in (("PyTorch's two bias vectors per gate", 2), ("the textbook's one bias vector per gate", 1)):
            other = replace(binding, layers=tuple(replace(l, biases=biases) if l.kind in counts.RECURRENT else l
                                                  for l in binding.layers))
            v = counts.value(other)
            if v != value:
                alts[name] = v
    said = statement.stated(q, shape)
    diags, note = [], ""
    doc_value, agrees, line = None, None, stem_line
    if said is not None:
        stated_value, text, line = said
        line = line or where.line_of(text)
        doc_value = shown(stated_value)
        agrees = statement.same(stated_value, value)
        other = next((name for name, v in alts.items() if statement.same(stated_value, v)), None)
        if other:
            agrees, note = True, (f"The document's {doc_value} counts {other}; with Keras' defaults the count is "
                                  f"{shown(value)}. Both are right: the question names no framework.")
        elif not agrees:
            likely = next((what for what, v in counts.mistakes(binding) if statement.same(stated_value, v)), None)
            diags.append(flag(q, line, "error", "claim-false",
                               f"the document's answer is {doc_value}; the reference model gives {shown(value)} "
                               f"for {network_words(binding.layers)}" + (f"; likely mistake: {likely}" if likely
                                                                          else "")))
    if alts and not note:
        note = "The question names no framework; this count follows Keras' defaults. " + "; ".join(
            f"with {name} it is {shown(v)}" for name, v in alts.items()) + "."
    asked = ASKED[binding.asks]
    if binding.layer >= 0 and binding.asks == "parameters":
        asked = f"parameter count of layer {binding.layer + 1} ({counts.NAMES[binding.layers[binding.layer].kind]})"
    parts = binding.layers if binding.layer < 0 else (binding.layers[binding.layer],)
    method = (f"{network_words(binding.layers)}: " + " + ".join(counts.formula(l) for l in parts)
              + ", from the weight shapes each layer holds; the closed form agrees"
              if binding.asks == "parameters" else f"{network_words(binding.layers)}, from the weight shapes and "
                                                   "the layers' input and output sizes")
    computed = Computed(quantity=asked, asks=binding.asks, value=shown(value), method=method,
                        convention=convention_words(binding),
                        document_value=doc_value, agrees=agrees, line=line, note=note, binding=binding)
    return q, [computed], diags


# --- driver ---------------------------------------------------------------------------------------

def recompute(questions: Sequence[Question], lines: Mapping[str, Sequence[str]] | None = None
              ) -> tuple[list[Question], list[Diagnostic]]:
    """Attach reference-model values to the questions they apply to; report where the document disagrees.

    lines maps a question's source file to its lines, so messages can point at the line of a claim;
    without it they point at the question's first line.
    """
    out = []
    for q in questions:
        where = Where(q, (lines or {}).get(q.source.file))
        diags = arithmetic_claims(q, where.line_of)
        diags += [flag(q, where.line_of(text), "warning", "size-refused", why)
                  for text, why in sizes.refused(q, (sizes.PARAMETER_SIZES, sizes.GATE_SIZES, sizes.SHAPE_SIZES))]
        computed: list[Computed] = []
        for recognise in RECOGNISERS:
            q, found, found_diags = recognise(q, where)
            computed += found
            diags += found_diags
        if not computed:  # a network in any phrasing, when none of the documents' own forms applied
            try:
                q, found, found_diags = _network_question(q, where)
            except Exception as err:  # a bug must cost this question its computation, never the document
                found, found_diags = [], [flag(q, where.line_of(q.stem[:80]), "warning", "size-unbound",
                                                f"reading its network failed ({type(err).__name__}: {err}); "
                                                "nothing is computed for it")]
            computed += found
            diags += found_diags
        if computed or diags:
            q = q.with_(computed=q.computed + tuple(computed), diagnostics=q.diagnostics + tuple(diags))
        if q.kind == "open" and any(c.value.isdigit() for c in computed):
            q = q.with_(kind="numeric")  # the answer is a number the model computes: a numeric card
        out.append(q)
    return out, []
