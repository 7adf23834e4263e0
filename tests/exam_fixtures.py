"""A small hand-made question bank, copied from the seeds, for the exam tests."""
from __future__ import annotations

import re

from pathlib import Path

from pipeline.select.definitions import parse_definitions
from pipeline.select.versions import ExamVersion, select_versions
from pipeline.model import BreakdownItem, Choice, Computed, Document, Figure, Question, SourceSpan

GRU_EQUATIONS = r"""Here're the update equations for the GRU.

$$\tilde{c}^{< t>} = \tanh(W_c[\Gamma_r * c^{< t-1>}, x^{< t>}] + b_c)$$

$$\Gamma_u = \sigma(W_u[c^{< t-1>}, x^{< t>}] + b_u)$$

$$\Gamma_r = \sigma(W_r[c^{< t-1>}, x^{< t>}] + b_r)$$

$$c^{< t>} = \Gamma_u * \tilde{c}^{< t>} + (1 - \Gamma_u) * c^{< t-1>}$$

$$a^{< t>} = c^{< t>}$$"""

TASK1_CONTEXT = """Consider a simple RNN with one hidden layer and the following assumptions:

1. Hidden Layer Size: 128
2. Output Layer Size: 10
3. Input Vector Size at each Time Step: 20"""


def _span(file: str, start: int, end: int) -> SourceSpan:
    return SourceSpan(file=f"seeds/{file}.md", line_start=start, line_end=end)


def bank() -> list[Question]:
    """Eleven questions of every kind: choice questions with math options, one numeric with a computed
    breakdown, open questions with answers, one unanswered question and one with a missing figure."""
    return [
        Question(
            id="coursera-rnn/q01", document="coursera-rnn", number="1", kind="single_choice",
            stem="Suppose your training examples are sentences (sequences of words). Which of the following "
                 "refers to the $j^{th}$ word in the $i^{th}$ training example?",
            source=_span("coursera-rnn", 8, 16),
            choices=(
                Choice("$x^{(i)<j>}$", True, 10),
                Choice("$x^{<i>(j)}$", False, 11),
                Choice("$x^{(j)<i>}$", False, 12),
                Choice("$x^{<j>(i)}$", False, 13),
            ),
            explanation="We index into the $i^{th}$ row first to get the $i^{th}$ training example "
                        "(represented by parentheses), then the $j^{th}$ column to get the $j^{th}$ word "
                        "(represented by the brackets).",
            tags=("coursera", "notation"),
        ),
        Question(
            id="coursera-rnn/q02", document="coursera-rnn", number="2", kind="single_choice",
            stem="Consider this RNN: This specific type of architecture is appropriate when:",
            source=_span("coursera-rnn", 20, 35),
            choices=(
                Choice("$T_x = T_y$", True, 28),
                Choice("$T_x < T_y$", False, 29),
                Choice("$T_x > T_y$", False, 30),
                Choice("$T_x = 1$", False, 31),
            ),
            explanation="It is appropriate when every input should be matched to an output.",
            figures=(Figure("stem", "Figure: the RNN architecture referred to (figure not included in the source)", 20,
                            diagram="many-to-many Tx=4"),),
        ),
        Question(
            id="coursera-rnn/q03", document="coursera-rnn", number="3", kind="multi_choice",
            stem="To which of these tasks would you apply a many-to-one RNN architecture? (Check all that apply).",
            source=_span("coursera-rnn", 37, 47),
            choices=(
                Choice("Speech recognition (input an audio clip and output a transcript)", False, 42),
                Choice("Sentiment classification (input a piece of text and output a 0/1 to denote positive "
                       "or negative sentiment)", True, 43),
                Choice("Image classification (input an image and output a label)", False, 47),
                Choice("Gender recognition from speech (input an audio clip and output a label indicating "
                       "the speaker's gender)", True, 48),
            ),
        ),
        Question(
            id="coursera-rnn/q04", document="coursera-rnn", number="4", kind="single_choice",
            stem="You are training this RNN language model. At the $t^{th}$ time step, what is the RNN doing? "
                 "Choose the best answer.",
            source=_span("coursera-rnn", 54, 67),
            choices=(
                Choice(r"Estimating $P(y^{<1>}, y^{<2>}, \ldots, y^{< t-1>})$", False, 63),
                Choice(r"Estimating $P(y^{<t>})$", False, 64),
                Choice(r"Estimating $P(y^{< t>} \mid y^{< 1>}, y^{< 2>}, \ldots, y^{< t-1>})$", True, 65),
                Choice(r"Estimating $P(y^{< t>} \mid y^{< 1>}, y^{< 2>}, \ldots, y^{< t>})$", False, 66),
            ),
            explanation="Yes, in a language model we try to predict the next step based on the knowledge of "
                        "all prior steps.",
        ),
        Question(
            id="coursera-rnn/q07", document="coursera-rnn", number="7", kind="single_choice",
            stem="Suppose you are training a LSTM. You have a 10000 word vocabulary, and are using an LSTM with "
                 r"100-dimensional activations $a^{< t>}$. What is the dimension of $\Gamma_u$ at each time step?",
            source=_span("coursera-rnn", 87, 93),
            choices=(Choice("1", False, 88), Choice("100", True, 89), Choice("300", False, 90),
                     Choice("10000", False, 91)),
            explanation=r"Correct, $\Gamma_u$ is a vector of dimension equal to the number of hidden units "
                        "in the LSTM.",
        ),
        Question(
            id="coursera-rnn/q08", document="coursera-rnn", number="8", kind="single_choice",
            context=GRU_EQUATIONS,
            stem=r"Alice proposes to simplify the GRU by always removing the $\Gamma_u$. i.e., setting "
                 r"$\Gamma_u = 1$. Betty proposes to simplify the GRU by removing the $\Gamma_r$. i. e., "
                 r"setting $\Gamma_r = 1$ always. Which of these models is more likely to work without "
                 "vanishing gradient problems even when trained on very long input sequences?",
            source=_span("coursera-rnn", 94, 119),
            choices=(
                Choice(r"Alice's model (removing $\Gamma_u$), because if $\Gamma_r \approx 0$ for a timestep, "
                       "the gradient can propagate back through that timestep without much decay.", False, 112),
                Choice(r"Alice's model (removing $\Gamma_u$), because if $\Gamma_r \approx 1$ for a timestep, "
                       "the gradient can propagate back through that timestep without much decay.", False, 113),
                Choice(r"Betty's model (removing $\Gamma_r$), because if $\Gamma_u \approx 0$ for a timestep, "
                       "the gradient can propagate back through that timestep without much decay.", True, 114),
                Choice(r"Betty's model (removing $\Gamma_r$), because if $\Gamma_u \approx 1$ for a timestep, "
                       "the gradient can propagate back through that timestep without much decay.", False, 115),
            ),
            explanation=r"Yes. For the signal to backpropagate without vanishing, we need $c^{< t>}$ to be "
                        r"highly dependant on $c^{< t-1>}$.",
        ),
        Question(
            id="rnn-exercises/task1-q1", document="rnn-exercises", number="Task 1 Question 1", kind="numeric",
            context=TASK1_CONTEXT,
            stem="Calculate the number of parameters required to unroll this vanilla RNN for 5 time steps and "
                 "for 10 time steps.",
            source=_span("rnn-exercises", 28, 52),
            answer="For an RNN, the number of parameters does not depend on the number of time steps it's "
                   "unrolled for: $2560 + 16384 + 1280 + 128 + 10 = 20362$ for both.",
            section="Task 1",
            computed=(Computed(
                quantity="parameter total", asks="parameters", value="20362", method="reference.count_parameters(simple_rnn)",
                breakdown=(
                    BreakdownItem("W_xh: input -> hidden weights", r"20 \times 128", 2560),
                    BreakdownItem("W_hh: hidden -> hidden weights", r"128 \times 128", 16384),
                    BreakdownItem("W_hy: hidden -> output weights", r"128 \times 10", 1280),
                    BreakdownItem("b_h: hidden bias", "128", 128),
                    BreakdownItem("b_y: output bias", "10", 10),
                ),
                document_value="20362", agrees=True, line=52,
                note="The document swaps the labels of W_hh and W_hy; the counts are unaffected.",
            ),),
        ),
        Question(
            id="rnn-quiz/q02", document="rnn-quiz", number="2", kind="open",
            stem="You are given a many to many RNN, that has output $y^{(t)}$ at time step $t$. At the $t$-th "
                 "time step, what is the RNN estimating from a probabilistic point of view?",
            source=_span("rnn-quiz", 13, 21),
            answer=r"The RNN estimates $\mathbb{P}(y^{(t)} \mid y^{(1)}, \dots, y^{(t-1)})$.",
            figures=(Figure("stem", "Figure 1: Traditional RNN architecture (figure not included in the source)", 18,
                            diagram="many-to-many Tx=4"),),
        ),
        Question(
            id="rnn-quiz/q05", document="rnn-quiz", number="5", kind="open",
            stem="How can adding an $L2$ norm regularization term to layer weights affect an RNN? If it helps, "
                 "consider extreme examples to make your case.",
            source=_span("rnn-quiz", 35, 37),
            answer="Adding $L2$ regularization penalizes high values, and in extreme cases (oversmoothing), the "
                   "weights become too small, which can exacerbate the vanishing gradient problem that RNNs are "
                   "already prone to.",
        ),
        Question(
            id="rnn-interview/q04", document="rnn-interview", number="Q4", kind="open",
            stem="How many dimensions must the inputs of an *RNN* layer have? What does each dimension "
                 "represent? What about its outputs?",
            source=_span("rnn-interview", 47, 61),
            answer="An RNN layer must have three-dimensional inputs: the *batch dimension*, the *time* "
                   "dimension (number of time steps) and the *inputs at each time step* (number of input "
                   "features). A batch of 5 time series of 10 steps with 2 values per step has shape "
                   "[5, 10, 2]. The outputs are also three-dimensional, with the same first two dimensions, "
                   "but the last dimension is equal to the *number of neurons*: [5, 10, 32] for 32 neurons.",
            attribution="Source: www.amazon.com",
        ),
        Question(
            id="dl-book-ch10/10.2.1", document="dl-book-ch10", number="10.2.1", kind="open",
            stem=r"""What is the fundamental difference between the two deep RNNs described by the equations 10.1 and 10.2 below?

$$h_{1}^{(t)} = \tanh(b_{1} + W_{1}h_{1}^{(t-1)} + U_{1}x^{(t)})$$

$$\vdots$$

$$o^{(t)} = c + Vh_{l}^{(t)}$$

$$h_{1}^{(t)} = \tanh(\mathbf{b}_{1} + W_{1}\mathbf{x}^{(t-1)} + U_{1}\mathbf{x}^{(t)})$$

$$\vdots$$

$$o^{(t)} = c + V\mathbf{h}_{l}^{(t)}$$""",
            source=_span("dl-book-ch10", 31, 64),
            section="10.2 Questions for Recurrent Neural Networks",
        ),
    ]


def documents(questions: list[Question] | None = None) -> list[Document]:
    """The bank as the driver hands it to exam selection: one document per source file, in bank order."""
    by_file: dict[str, list[Question]] = {}
    for q in bank() if questions is None else questions:
        by_file.setdefault(q.source.file, []).append(q)
    return [Document(path=file, slug=qs[0].document, dialect="bullet-quiz", title=qs[0].document,
                     questions=tuple(qs)) for file, qs in by_file.items()]


def versions_of(text: str, questions: list[Question] | None = None) -> list[ExamVersion]:
    """Every version the definitions in `text` draw from the bank (`questions`, else `bank()`), which must
    draw without a problem."""
    definitions, diags = parse_definitions(text, "seeds/exams.toml")
    versions, drawn = select_versions(documents(questions), definitions)
    assert diags + drawn == []
    return versions


# The page box of templates/print.css: the body lies between these margins, the footer below it.
MARGIN_MM = {"top": 17, "right": 18, "bottom": 20, "left": 18}


def page_images(pdf: Path, dpi: int = 50):  # noqa: ANN201 - grey-scale NumPy arrays, one a page
    """Every page of `pdf` rendered in grey (0 black, 255 white) at `dpi`."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_numpy().copy() for page in doc]
    finally:
        doc.close()


def emptiness(pdf: Path, dpi: int = 50) -> list[float]:
    """Per page, the share of the page body below its last ink (0: filled to the bottom, 1: blank)."""
    mm = dpi / 25.4
    shares = []
    for image in page_images(pdf, dpi):
        body = image[round(MARGIN_MM["top"] * mm):image.shape[0] - round(MARGIN_MM["bottom"] * mm)]
        inked = (body < 235).any(axis=1).nonzero()[0]
        shares.append(1 - (inked[-1] + 1 if len(inked) else 0) / len(body))
    return shares


def rubric_blocks(key_text: str) -> list[tuple[list[float], float]]:
    """(criteria points, total points) of every rubric an answer key prints, in order."""
    blocks = []
    for block in re.findall(r"(?:Rubric|and rubric)\n(.*?\bTotal\b[^\n]*?\d+(?:\.\d+)? points?)(?=\n|$)", key_text, re.S):
        body, total = re.fullmatch(r"(.*)\bTotal\b[^\n]*?(\d+(?:\.\d+)?) points?", block, re.S).groups()
        blocks.append(([float(x) for x in re.findall(r"(\d+(?:\.\d+)?) pt\b", body)], float(total)))
    return blocks


__all__ = ["bank", "documents", "versions_of", "emptiness", "page_images", "rubric_blocks", "MARGIN_MM",
           "GRU_EQUATIONS", "TASK1_CONTEXT"]
