"""Hand-made Documents with text from the seeds, for the deck and identity tests."""
from __future__ import annotations

from dataclasses import replace

from pipeline.model import BreakdownItem, Choice, Computed, Document, Figure, Question, SourceSpan
from pipeline.curate.tags import tags_for


def tagged(q: Question) -> Question:
    """The question with the tags the build gives it (document, section, kind, markers, its own)."""
    return q.with_(tags=tags_for(q))


def _q(doc: str, path: str, label: str, kind: str, stem: str, line: int, **kw) -> Question:
    # The label as a reader numbers it: "q01" is question "1", as `relabel` numbers it after an insertion.
    return tagged(Question(id=f"{doc}/{label}", document=doc, number=label.lstrip("q").lstrip("0"), kind=kind,
                           stem=stem,
                           source=SourceSpan(path, line, line + 4), **kw))


COURSERA = "seeds/coursera-rnn.md"
INDEX_STEM = ("Suppose your training examples are sentences (sequences of words). Which of the following "
              "refers to the $j^{th}$ word in the $i^{th}$ training example?")
INDEX_CHOICES = (
    Choice("$x^{(i)<j>}$", True, 10),
    Choice("$x^{<i>(j)}$", False, 11),
    Choice("$x^{(j)<i>}$", False, 12),
    Choice("$x^{<j>(i)}$", False, 13),
)
MANY_TO_ONE_STEM = ("To which of these tasks would you apply a many-to-one RNN architecture? "
                    "(Check all that apply).")
MANY_TO_ONE_CHOICES = (
    Choice("Speech recognition (input an audio clip and output a transcript)", False, 40),
    Choice("Sentiment classification (input a piece of text and output a 0/1 to denote positive or "
           "negative sentiment)", True, 41),
    Choice("Image classification (input an image and output a label)", False, 45),
    Choice("Gender recognition from speech (input an audio clip and output a label indicating the "
           "speaker's gender)", True, 46),
)
LM_STEM = "You are training this RNN language model. At the $t^{th}$ time step, what is the RNN doing? Choose the best answer."
LM_CHOICES = (
    Choice("Estimating $P(y^{<1>}, y^{<2>}, \\ldots, y^{<t-1>})$", False, 56),
    Choice("Estimating $P(y^{<t>})$", False, 57),
    Choice("Estimating $P(y^{<t>} \\mid y^{<1>}, y^{<2>}, \\ldots, y^{<t-1>})$", True, 58),
    Choice("Estimating $P(y^{<t>} \\mid y^{<1>}, y^{<2>}, \\ldots, y^{<t>})$", False, 59),
)
TX_TY_STEM = "Consider this RNN: This specific type of architecture is appropriate when:"


def coursera() -> Document:
    d, p = "coursera-rnn", COURSERA
    qs = (
        _q(d, p, "q01", "single_choice", INDEX_STEM, 9, choices=INDEX_CHOICES, section="Recurrent Neural Networks",
           explanation="We index into the $i^{th}$ row first to get the $i^{th}$ training example (represented "
                       "by parentheses), then the $j^{th}$ column to get the $j^{th}$ word (represented by the "
                       "brackets)."),
        _q(d, p, "q02", "single_choice", TX_TY_STEM, 20, section="Recurrent Neural Networks",
           choices=(Choice("$T_x = T_y$", True, 26), Choice("$T_x < T_y$", False, 27),
                    Choice("$T_x > T_y$", False, 28), Choice("$T_x = 1$", False, 29)),
           figures=(Figure("stem", "The document refers to a diagram of the RNN here, but the image is not in the source.",
                           20, diagram="many-to-many Tx=4"),),
           explanation="It is appropriate when every input should be matched to an output."),
        _q(d, p, "q03", "multi_choice", MANY_TO_ONE_STEM, 35, choices=MANY_TO_ONE_CHOICES,
           section="Recurrent Neural Networks", tags=("architectures",)),
        _q(d, p, "q04", "single_choice", LM_STEM, 50, choices=LM_CHOICES, section="Recurrent Neural Networks",
           explanation="Yes, in a language model we try to predict the next step based on the knowledge of "
                       "all prior steps."),
    )
    return Document(path=p, slug=d, dialect="coursera", title="Coursera: Recurrent Neural Networks quiz",
                    questions=qs, lines=("",) * 159)


EXERCISES = "seeds/rnn-exercises.md"
RNN_CONTEXT = ("Consider a simple RNN with one hidden layer and the following assumptions:\n\n"
               "1. Hidden Layer Size: 128\n2. Output Layer Size: 10\n3. Input Vector Size at each Time Step: 20")
PARAMS_STEM = ("Calculate the number of parameters required to unroll this vanilla RNN for:\n\n"
               "1. 5-time steps\n2. 10-time steps")
PARAMS_COMPUTED = Computed(
    quantity="parameter total",
    asks="parameters",
    value="20362",
    method="vanilla RNN parameter count (input 20, hidden 128, output 10)",
    convention="one bias vector per layer",
    breakdown=(
        BreakdownItem("$W_{xh}$: input -> hidden weights", "20 \\times 128", 2560),
        BreakdownItem("$W_{hh}$: hidden -> hidden weights", "128 \\times 128", 16384),
        BreakdownItem("$W_{hy}$: hidden -> output weights", "128 \\times 10", 1280),
        BreakdownItem("$b_h$: hidden bias", "128", 128),
        BreakdownItem("$b_y$: output bias", "10", 10),
    ),
    document_value="20362",
    agrees=True,
    line=47,
    note="The document swaps the labels of $W_{hh}$ and $W_{hy}$; the counts are right.",
)
GROW_STEM = ("Do the number of parameters increase as you increase the number of times steps to unroll?")
GROW_ANSWER = ("The number of parameters does not increase as we increase the number of time steps. The "
               "reason is that an RNN shares parameters across all time steps.")


def exercises() -> Document:
    d, p = "rnn-exercises", EXERCISES
    qs = (
        _q(d, p, "task-1/q1", "numeric", PARAMS_STEM, 30, context=RNN_CONTEXT, section="Task 1",
           computed=(PARAMS_COMPUTED,),
           answer="For an RNN, the number of parameters does not depend on the number of time steps it's "
                  "unrolled for: $2560 + 16384 + 1280 + 128 + 10 = 20362$ for both."),
        _q(d, p, "task-1/q2", "open", GROW_STEM, 49, context=RNN_CONTEXT, section="Task 1", answer=GROW_ANSWER,
           notes=("Parameter sharing is also what lets an RNN handle inputs of varying length.",)),
    )
    return Document(path=p, slug=d, dialect="exercises", title="RNN and LSTM exercises", questions=qs,
                    lines=("",) * 104)


BOOK = "seeds/dl-book-ch10.md"
AGREE_STEM = ("The authors state that \"Much as almost any function can be considered a feed forward neural "
              "network, essentially any function involving recurrence can be considered a recurrent neural "
              "network.\" Do you agree with this statement?")
JOINT_STEM = ("Below (10.3) is a reproduction of equation 10.14 from the book. Under what independence "
              "assumptions is it modelling the joint probability $P(y^{(1)}, y^{(2)}, \\dots, y^{(1)})$?")


def book() -> Document:
    d, p = "dl-book-ch10", BOOK
    qs = (
        _q(d, p, "10.1.1", "open", AGREE_STEM, 9, section="10.1 Questions for Unfolding Computational Graphs"),
        _q(d, p, "10.2.2", "open", JOINT_STEM, 53, section="10.2 Questions for Recurrent Neural Networks"),
    )
    return Document(path=p, slug=d, dialect="book", title="Deep Learning book, chapter 10", questions=qs,
                    lines=("",) * 227)


INTERVIEW = "seeds/rnn-interview.md"
CNN_STEM = ("What's the difference between *Convolutional Neural Networks (CNN)* and *Recurrent Neural "
            "Networks (RNN)* and in which cases would use each one?")
CNN_ANSWER = ("Convolutional neural nets apply a *convolution* to the data before using it in fully connected "
              "layers.\n\nRecurrent neural nets are neural networks that *keep state* between input samples.")
QUIZ_TASKS_STEM = "For which of these tasks would you use an RNN, as opposed to a feed forward network?"


def interview() -> Document:
    d, p = "rnn-interview", INTERVIEW
    qs = (
        _q(d, p, "q1", "open", CNN_STEM, 4, answer=CNN_ANSWER, section="RNN Theoretical Questions",
           attribution="Source: stats.stackexchange.com"),
        _q(d, p, "q2", "multi_choice", QUIZ_TASKS_STEM, 20, section="RNN Theoretical Questions",
           choices=(Choice("Sentiment Classification for Text", True, 21),
                    Choice("Image Classification, i.e. classify an image as cat or not cat", False, 22),
                    Choice("Audio transcription, i.e. take an audio file and convert it to text", False, 23),
                    Choice("Predicting changes in the business cycle (i.e. boom or bust phases)", True, 24)),
           explanation="Both are sequence style problems that make use of other terms in the sequence to "
                       "predict any given."),
    )
    return Document(path=p, slug=d, dialect="interview", title="RNN interview questions", questions=qs,
                    lines=("",) * 226)


def bank() -> list[Document]:
    """The whole hand-made bank: 10 questions in 4 documents."""
    return [coursera(), exercises(), book(), interview()]


def practised(docs: list[Document], count: int = 3) -> list[Document]:
    """The documents as the decks get them: each with the practice questions the compute stage makes."""
    from pipeline.compute.practice import with_practice
    return [with_practice(d, count)[0] for d in docs]


def edit(docs: list[Document], question_id: str, **changes) -> list[Document]:
    """A copy of the bank with one question changed."""
    return [replace(d, questions=tuple(q.with_(**changes) if q.id == question_id else q for q in d.questions))
            for d in docs]


def insert(docs: list[Document], slug: str, index: int, question: Question) -> list[Document]:
    """A copy of the bank with a question inserted into one document."""
    out = []
    for d in docs:
        if d.slug == slug:
            qs = list(d.questions)
            qs.insert(index, question)
            d = replace(d, questions=tuple(qs))
        out.append(d)
    return out


def relabel(doc: Document, prefix: str = "q") -> Document:
    """Renumber a document's question ids by position, as a reader does after an insertion."""
    qs = tuple(q.with_(id=f"{doc.slug}/{prefix}{i:02d}", number=str(i)) for i, q in enumerate(doc.questions, 1))
    return replace(doc, questions=qs)
