#!/usr/bin/env python3
"""Generate a synthetic, deterministic Obsidian vault for notels benchmarks.

The vault imitates the note dialect notels understands: YAML frontmatter with
aliases, ``anki``, ``created``, ``parent``/``connected`` wikilinks and nested tags; bodies mixing
English and Cyrillic prose with inline and display LaTeX, wikilinks of every shape, embeds, tags,
block ids and code; and an ``Anki`` section of Obsidian_to_Anki blocks (``START`` ... ``END``).

Realistic defects are sprinkled in at low, fixed rates: broken and ambiguous links, cards without
IDs, duplicated IDs, ``START `` with a trailing space, unclosed blocks, ``ENDPOINT:`` lines inside
blocks, invalid ``created`` dates, stale or missing ``fix/empty`` tags, CRLF files and BOMs.

All text is synthetic. The output depends only on ``notes`` and ``seed``: the same arguments give
byte-identical files.

Usage::

    python benchmarks/generate_vault.py OUT_DIR --notes 10000 --seed 0

or from Python::

    from benchmarks.generate_vault import generate_vault
    stats = generate_vault(Path("/tmp/vault"), notes=1000, seed=0)
"""

# The vocabulary is deliberately Cyrillic; its letters look like Latin ones to RUF001.

from __future__ import annotations

import argparse
import shutil
import string
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from random import Random

__all__ = ["VaultStats", "generate_vault", "main"]

# ---------------------------------------------------------------------------------------------
# Rates (probabilities). Kept together so the benchmark's mix is easy to read and to tune.
# ---------------------------------------------------------------------------------------------
P_CYRILLIC_TITLE = 0.30
P_DUPLICATE_NAME = 0.01  # share of notes whose file name also exists in another folder
P_LARGE = 0.01  # share of notes with 2,000+ lines
P_EMPTY = 0.05  # share of notes with an empty body
P_EMPTY_TAGGED = 0.6  # of empty notes, share tagged fix/empty
P_STALE_FIX_EMPTY = 0.01  # non-empty notes still tagged fix/empty
P_NO_FRONTMATTER = 0.01
P_BROKEN_LINK = 0.03
P_CRLF = 0.01
P_MIXED_EOL = 0.002
P_BOM = 0.003
P_NO_FINAL_NEWLINE = 0.02
P_CARD_NO_ID = 0.05
P_CARD_DUP_ID = 0.005
P_CARD_ID_COMMENT = 0.02
P_START_SPACE = 0.002
P_UNCLOSED = 0.002
P_ENDPOINT = 0.002
P_SECOND_DECK = 0.01
P_REPEAT_DECK = 0.25
CARDS_PER_NOTE_WEIGHTS = (25, 25, 20, 15, 10, 5)  # for 0..5 cards

MIN_FOLDER = 20
MAX_FOLDER = 200
LARGE_MIN_LINES = 2000
EPOCH = datetime(1970, 1, 1)
DATE_FIRST = datetime(2022, 1, 1)
DATE_SPAN_MINUTES = 4 * 365 * 24 * 60
ATTACHMENTS = "attachments"

# A 1x1 transparent PNG, so that image embeds point at real files.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
SVG_STUB = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"></svg>\n'

# ---------------------------------------------------------------------------------------------
# Vocabulary (synthetic; written for this generator).
# ---------------------------------------------------------------------------------------------
# (folder name, deck slug, [(sub-folder name, deck slug), ...])
AREAS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Математика",
        "math",
        (
            ("Топология", "topology"),
            ("Анализ", "calculus"),
            ("Линейная алгебра", "linalg"),
            ("Теория множеств", "sets"),
            ("Оптимизация", "optimization"),
            ("Теория вероятностей", "probability"),
            ("algebra", "algebra"),
            ("Geometry", "geometry"),
        ),
    ),
    (
        "ml",
        "ml",
        (
            ("core", "core"),
            ("engineering", "engineering"),
            ("nlp", "nlp"),
            ("vision", "vision"),
            ("Обучение с подкреплением", "rl"),
            ("LLM", "llm"),
            ("evaluation", "evaluation"),
        ),
    ),
    (
        "Statistics",
        "stats",
        (
            ("Inference", "inference"),
            ("Регрессия", "regression"),
            ("Bayesian", "bayes"),
            ("Временные ряды", "timeseries"),
        ),
    ),
    (
        "Физика",
        "physics",
        (("Механика", "mechanics"), ("Quantum", "quantum"), ("Термодинамика", "thermo")),
    ),
    (
        "CS",
        "cs",
        (
            ("Algorithms", "algorithms"),
            ("Структуры данных", "datastructures"),
            ("Complexity", "complexity"),
            ("Компиляторы", "compilers"),
        ),
    ),
    (
        "Экономика",
        "econ",
        (("Micro", "micro"), ("Макроэкономика", "macro"), ("Game theory", "games")),
    ),
)
AREA_WEIGHTS = (30, 25, 15, 10, 12, 8)
LEAF_FOLDERS = (
    "Определения",
    "Theorems",
    "Примеры",
    "Lemmas",
    "Задачи",
    "Notes",
    "Конспекты",
    "Exercises",
    "Лекции",
    "Archive",
    "Разное",
    "Drafts",
    "Semester 1",
    "Семинар 2",
)

EN_ADJ = (
    "Compact", "Open", "Closed", "Bounded", "Convex", "Linear", "Stochastic", "Orthogonal",
    "Dense", "Sparse", "Uniform", "Conditional", "Marginal", "Bayesian", "Recurrent", "Residual",
    "Normal", "Discrete", "Continuous", "Smooth", "Finite", "Infinite", "Inner", "Outer", "Local",
    "Global", "Adaptive", "Weighted", "Partial", "Total", "Relative", "Absolute", "Affine",
    "Projective", "Symmetric", "Positive definite", "Hermitian", "Unitary", "Random", "Latent",
    "Regularized", "Spectral", "Hidden", "Self-adjoint", "Monotone", "Measurable", "Integrable",
    "Lipschitz", "Gaussian", "Euclidean", "Dual", "Quadratic", "Polynomial", "Exponential",
    "Causal", "Robust", "Greedy", "Amortized", "Ergodic", "Stationary",
)  # fmt: skip
EN_NOUN = (
    "Set", "Space", "Function", "Operator", "Matrix", "Vector", "Norm", "Metric", "Topology",
    "Sequence", "Series", "Limit", "Integral", "Derivative", "Map", "Group", "Ring", "Field",
    "Module", "Graph", "Tree", "Process", "Chain", "Distribution", "Estimator", "Variance",
    "Kernel", "Embedding", "Network", "Layer", "Attention", "Loss", "Optimizer", "Regression",
    "Classifier", "Encoder", "Decoder", "Sampler", "Filter", "Transform", "Basis", "Subspace",
    "Projection", "Eigenvalue", "Determinant", "Manifold", "Measure", "Partition", "Cover", "Hull",
    "Cone", "Polytope", "Lattice", "Ideal", "Functional", "Inequality", "Bound", "Entropy",
    "Divergence", "Likelihood", "Prior", "Posterior", "Gradient", "Lemma", "Criterion", "Flow",
    "Policy", "Reward", "Heap", "Automaton",
)  # fmt: skip
EN_NAMES = (
    "Cauchy", "Weierstrass", "Bolzano", "Lagrange", "Fermat", "Rolle", "Gauss", "Markov",
    "Chebyshev", "Kolmogorov", "Lyapunov", "Lebesgue", "Riemann", "Fourier", "Banach", "Hilbert",
    "Euler", "Newton", "Jensen", "Hoeffding", "Bayes", "Noether", "Sylvester", "Hahn", "Zorn",
    "Cantor", "Fubini", "Taylor", "Laplace", "Bellman",
)  # fmt: skip
EN_KINDS = ("Theorem", "Lemma", "Inequality", "Criterion", "Principle", "Formula", "Method")
DOMAINS = (
    "math", "statistics", "linear algebra", "topology", "ML", "graph theory", "physics",
    "optimization", "economics",
)  # fmt: skip
FUNC_SUFFIX = ("int", "cl", "aff", "conv", "span", "rank", "ker", "im", "sup", "inf", "dom")

# Russian nouns with grammatical gender, adjectives as (masculine, feminine, neuter) forms.
RU_NOUNS = (
    ("множество", "n"), ("пространство", "n"), ("функция", "f"), ("оператор", "m"),
    ("матрица", "f"), ("вектор", "m"), ("норма", "f"), ("метрика", "f"),
    ("последовательность", "f"), ("ряд", "m"), ("предел", "m"), ("интеграл", "m"),
    ("производная", "f"), ("отображение", "n"), ("группа", "f"), ("кольцо", "n"), ("поле", "n"),
    ("граф", "m"), ("процесс", "m"), ("распределение", "n"), ("оценка", "f"), ("ядро", "n"),
    ("слой", "m"), ("базис", "m"), ("подпространство", "n"), ("многообразие", "n"), ("мера", "f"),
    ("разбиение", "n"), ("оболочка", "f"), ("конус", "m"), ("решётка", "f"), ("неравенство", "n"),
    ("энтропия", "f"), ("дивергенция", "f"), ("функционал", "m"), ("критерий", "m"),
    ("модель", "f"), ("выборка", "f"), ("стратегия", "f"), ("алгоритм", "m"),
)  # fmt: skip
RU_ADJ = (
    ("компактный", "компактная", "компактное"),
    ("открытый", "открытая", "открытое"),
    ("замкнутый", "замкнутая", "замкнутое"),
    ("ограниченный", "ограниченная", "ограниченное"),
    ("выпуклый", "выпуклая", "выпуклое"),
    ("линейный", "линейная", "линейное"),
    ("стохастический", "стохастическая", "стохастическое"),
    ("ортогональный", "ортогональная", "ортогональное"),
    ("плотный", "плотная", "плотное"),
    ("разреженный", "разреженная", "разреженное"),
    ("равномерный", "равномерная", "равномерное"),
    ("условный", "условная", "условное"),
    ("байесовский", "байесовская", "байесовское"),
    ("нормальный", "нормальная", "нормальное"),
    ("дискретный", "дискретная", "дискретное"),
    ("непрерывный", "непрерывная", "непрерывное"),
    ("гладкий", "гладкая", "гладкое"),
    ("конечный", "конечная", "конечное"),
    ("внутренний", "внутренняя", "внутреннее"),
    ("локальный", "локальная", "локальное"),
    ("глобальный", "глобальная", "глобальное"),
    ("взвешенный", "взвешенная", "взвешенное"),
    ("полный", "полная", "полное"),
    ("относительный", "относительная", "относительное"),
    ("аффинный", "аффинная", "аффинное"),
    ("симметричный", "симметричная", "симметричное"),
    ("случайный", "случайная", "случайное"),
    ("скрытый", "скрытая", "скрытое"),
    ("спектральный", "спектральная", "спектральное"),
    ("двойственный", "двойственная", "двойственное"),
    ("монотонный", "монотонная", "монотонное"),
    ("измеримый", "измеримая", "измеримое"),
    ("квадратичный", "квадратичная", "квадратичное"),
    ("жадный", "жадная", "жадное"),
    ("устойчивый", "устойчивая", "устойчивое"),
)
GENDER_INDEX = {"m": 0, "f": 1, "n": 2}
RU_NAMES_GEN = (
    "Коши", "Вейерштрасса", "Больцано", "Лагранжа", "Ферма", "Ролля", "Гаусса", "Маркова",
    "Чебышёва", "Колмогорова", "Ляпунова", "Лебега", "Римана", "Фурье", "Банаха", "Гильберта",
    "Эйлера", "Ньютона", "Йенсена", "Байеса", "Кантора", "Фубини", "Тейлора", "Беллмана",
)  # fmt: skip
RU_KINDS = ("Теорема", "Лемма", "Неравенство", "Критерий", "Принцип", "Формула", "Метод", "Признак")

HEADINGS = (
    "Definition", "Statement", "Properties", "Key Properties", "Examples", "Proof", "Intuition",
    "Applications", "Counterexamples", "Related concepts", "Notation", "Algorithm", "Complexity",
    "Visual Intuition", "Generalizations", "Special cases", "Key Conditions", "Motivation",
    "Определение", "Свойства", "Примеры", "Доказательство", "Интуиция", "Применение", "Источник",
    "Обобщения", "Замечания", "Алгоритм", "Связь с другими понятиями", "Частные случаи",
    "Формулировка", "Идея",
)  # fmt: skip
CALLOUTS = ("tip", "tip", "tip", "tip", "note", "info", "example", "warning", "quote")
EMOJI = ("💡", "⚠️", "✅", "🔥", "📌", "🧠", "❗", "🎯", "📝", "🤔")
EMOJI_HEADING = ("📌", "🧩", "🔍", "✨")

INLINE_MATH = (
    r"f: X \to Y", r"x \in A", r"\varepsilon > 0", r"\delta > 0", r"x_n \to x",
    r"\sum_{i=1}^{n} a_i", r"\lim_{n \to \infty} a_n = L", r"A \subseteq B", r"\mathbb{E}[X]",
    r"\operatorname{Var}(X)", r"\|x\|_2", r"O(n \log n)", r"p(y \mid x)", r"\nabla f(x) = 0",
    r"\det A \neq 0", r"\lambda_{\max}", r"\mathbb{R}^n", r"[a, b]", r"d(x, y) \geq 0",
    r"\int_a^b f(x)\,dx", r"\theta^{*}", r"\sigma(z) = \frac{1}{1 + e^{-z}}",
    r"\langle x, y \rangle", r"A^{\top} A", r"\operatorname{rank} A = r", r"P(A \cap B)",
    r"\hat{\beta}", r"k \geq 1", r"n", r"x", r"f", r"\mathcal{F}", r"\alpha \in (0, 1)",
    r"B(x, r)", r"\overline{S}", r"\text{relint}(S)", r"H(p) = -\sum_i p_i \log p_i",
    r"\mathrm{KL}(p \,\|\, q)", r"\Omega", r"2^n", r"\emptyset", r"\{x_k\}_{k \ge 1}",
)  # fmt: skip
DISPLAY_MATH = (
    r"\int_a^b f'(x)\,dx = f(b) - f(a)",
    r"\hat{\theta} = \arg\max_{\theta} \sum_{i=1}^{n} \log p(x_i \mid \theta)",
    r"d(x, z) \leq d(x, y) + d(y, z)",
    r"\mathbb{E}[X] = \int_{\Omega} X \, dP",
    r"\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j} e^{z_j}}",
    r"\|Ax\|_2 \leq \|A\|_2 \, \|x\|_2",
    r"\theta_{t+1} = \theta_t - \eta \nabla_\theta L(\theta_t)",
    r"P(A \mid B) = \frac{P(B \mid A) P(A)}{P(B)}",
    r"\text{Attention}(Q, K, V) = \operatorname{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V",
    r"f(x) = \sum_{k=0}^{\infty} \frac{f^{(k)}(a)}{k!} (x - a)^k",
)
DISPLAY_MATH_MULTI = (
    (r"\begin{aligned}", r"f(x) &= x^2 + 1 \\", r"f'(x) &= 2x", r"\end{aligned}"),
    (
        r"d(x,y) = \begin{cases}",
        r"0 & \text{if } x = y \\",
        r"1 & \text{otherwise}",
        r"\end{cases}",
    ),
    (r"\mathcal{L}(x, \lambda) = f(x) + \sum_{i} \lambda_i g_i(x)",),
)
CODE_BLOCKS = (
    (
        "python",
        (
            "import numpy as np",
            "",
            "def step(theta: np.ndarray, grad: np.ndarray, lr: float = 0.1) -> np.ndarray:",
            "    # [[not a link]] and #not-a-tag inside code",
            "    return theta - lr * grad",
        ),
    ),
    (
        "python",
        (
            "from collections import Counter",
            "counts = Counter(tokens)  # частоты токенов",
            "top = counts.most_common(10)",
        ),
    ),
    ("bash", ("pip install scikit-learn", "python train.py --epochs 10 --lr 3e-4")),
    ("sql", ("SELECT user_id, COUNT(*)", "FROM events", "GROUP BY user_id;")),
    ("text", ("$not math$ [[not a link]] #not-a-tag", "^not-a-block-id")),
)
TAGS_FRONT = (
    "content/definition", "content/theorem", "content/example", "контент/определение",
    "контент/теорема", "theorem", "definition", "lemma", "algorithm", "ml/concept",
    "math/analysis", "math/topology", "stats/inference", "todo",
)  # fmt: skip
TAGS_BODY = (
    "theorem", "math/topology", "контент/пример", "todo/review", "ml/llm", "важно", "exam-2024",
    "idea", "stats/bayes", "cs/algorithms",
)  # fmt: skip
CONNECTED_TAGS = ("#обс/linking", "#topic/review", "#обс/hub")

EN_TEMPLATES = (
    "Let ${m}$ be a {a} {n} and assume ${m2}$.",
    "Every {a} {n} is {a2} whenever ${m}$ holds.",
    "In practice the {n} is computed via {link}.",
    "This generalises {link} to the {a} case.",
    "A standard example is ${m}$, where ${m2}$.",
    "Note that ${m}$ does not imply ${m2}$ in general.",
    "The key idea: the {n} behaves like a {a} {n2} near ${m}$.",
    "See {link} for the {a} version.",
    "If ${m}$, then the {n} is {a} and ${m2}$.",
    "We often write ${m}$ for the {n} of ${m2}$.",
    "Compare with {link} and {link2}.",
    "The {a} {n} is unique up to ${m}$.",
    "Without ${m}$ the statement fails, e.g. for a {a} {n}.",
)
RU_TEMPLATES = (
    "Пусть ${m}$ — {ra}, тогда ${m2}$.",
    "Это свойство связано с {link} и выполняется при ${m}$.",
    "На практике {n} оценивают через {link}.",
    "Заметим, что из ${m}$ не следует ${m2}$.",
    "Интуитивно: {ra} ведёт себя как {link} в окрестности ${m}$.",
    "Определение требует, чтобы ${m}$ для всех ${m2}$.",
    "Подробнее см. {link}; там же доказательство.",
    "Важно: условие ${m}$ существенно — без него утверждение неверно.",
    "В отличие от {link}, здесь {ra} задаётся явно.",
    "Обычно пишут ${m}$, подразумевая {ra}.",
    "{Ra} — частный случай {link}.",
)
ANKI_FRONTS_EN = ("{t}", "{t} (def)", "{t} - conditions", "What is a {tl}?", "{t} (prop)")
ANKI_FRONTS_RU = ("Что такое {t}?", "{t} — свойства", "Чем {t} отличается от похожих понятий?")


def _parse(template: str) -> tuple[tuple[str, str], ...]:
    """Split a template into (literal, slot) pairs; slot is '' for a trailing literal."""
    return tuple(
        (literal, name or "") for literal, name, _, _ in string.Formatter().parse(template)
    )


EN_PARSED = tuple(_parse(t) for t in EN_TEMPLATES)
RU_PARSED = tuple(_parse(t) for t in RU_TEMPLATES)
YAML_SPECIAL = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"})


# ---------------------------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VaultStats:
    """What :func:`generate_vault` wrote."""

    notes: int
    folders: int
    cards: int
    bytes: int  # all files written, markdown and attachments
    markdown_bytes: int
    lines: int
    seconds: float
    links: int
    broken_links: int
    ambiguous_names: int
    images: int
    cards_without_id: int
    duplicate_ids: int
    large_notes: int
    empty_notes: int
    crlf_files: int
    bom_files: int

    def summary(self) -> str:
        """A short human-readable report."""
        return (
            f"notes: {self.notes}  folders: {self.folders}  cards: {self.cards}  "
            f"bytes: {self.bytes:,} ({self.bytes / 1e6:.1f} MB)  time: {self.seconds:.2f} s\n"
            f"lines: {self.lines:,}  links: {self.links:,} (broken {self.broken_links:,})  "
            f"ambiguous names: {self.ambiguous_names}  images: {self.images}\n"
            f"cards without ID: {self.cards_without_id}  duplicate IDs: {self.duplicate_ids}  "
            f"large notes: {self.large_notes}  empty notes: {self.empty_notes}  "
            f"CRLF files: {self.crlf_files}  BOM files: {self.bom_files}"
        )


@dataclass(slots=True)
class _Folder:
    path: str  # POSIX, relative to the vault root
    deck: str
    members: list[int]


@dataclass(slots=True)
class _Note:
    index: int
    folder: int
    title: str
    aliases: list[str]
    headings: list[str]
    block_ids: list[str]
    created: datetime | None
    empty: bool
    large: bool
    n_cards: int


# ---------------------------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------------------------
class _VaultBuilder:
    def __init__(self, n_notes: int, seed: int) -> None:
        self.rng = Random(seed)
        self.n_notes = n_notes
        self.folders: list[_Folder] = []
        self.notes: list[_Note] = []
        self.names: dict[str, int] = {}  # lower-case title/alias -> note index
        self.broken: list[str] = []
        self.images: list[str] = []
        self.used_ids: dict[int, None] = {}
        self.id_list: list[int] = []
        # counters
        self.links = 0
        self.broken_links = 0
        self.ambiguous = 0
        self.cards = 0
        self.cards_without_id = 0
        self.duplicate_ids = 0
        self.crlf_files = 0
        self.bom_files = 0
        self.line_count = 0

    # ---- planning --------------------------------------------------------------------------
    def plan(self) -> None:
        self._plan_folders()
        self._plan_titles()
        self._plan_duplicates()
        self._plan_aliases()
        self._plan_details()
        self._plan_broken_and_images()

    def _plan_folders(self) -> None:
        rng = self.rng
        used: dict[str, None] = {}
        remaining = self.n_notes
        index = 0
        while remaining > 0:
            size = min(remaining, rng.randint(MIN_FOLDER, MAX_FOLDER))
            parts, deck = self._folder_parts()
            for _retry in range(10):
                if "/".join(parts) not in used:
                    break
                parts, deck = self._folder_parts()
            path = "/".join(parts)
            k = 2
            while path in used:  # every name taken: number the last part
                path = "/".join([*parts[:-1], f"{parts[-1]} {k}"])
                k += 1
            used[path] = None
            members = list(range(index, index + size))
            self.folders.append(_Folder(path, deck, members))
            index += size
            remaining -= size

    def _folder_parts(self) -> tuple[list[str], str]:
        """A random folder path (1-3 levels) and the Anki deck its notes use."""
        rng = self.rng
        area = rng.choices(range(len(AREAS)), weights=AREA_WEIGHTS)[0]
        top, top_slug, subs = AREAS[area]
        depth = rng.choices((1, 2, 3), weights=(1, 4, 5))[0]
        parts = [top]
        deck = f"stem::{top_slug}"
        if depth >= 2:
            sub, sub_slug = rng.choice(subs)
            parts.append(sub)
            deck = f"{deck}::{sub_slug}"
        if depth == 3:
            parts.append(rng.choice(LEAF_FOLDERS))
        return parts, deck

    def _en_title(self) -> tuple[str, list[str]]:
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            adj, noun = rng.choice(EN_ADJ), rng.choice(EN_NOUN)
            return (f"{adj} {noun.lower()}" if rng.random() < 0.6 else f"{adj} {noun}"), []
        if r < 0.69:
            a1, a2, noun = rng.choice(EN_ADJ), rng.choice(EN_ADJ), rng.choice(EN_NOUN)
            return f"{a1} {a2.lower()} {noun.lower()}", []
        if r < 0.83:
            name, kind = rng.choice(EN_NAMES), rng.choice(EN_KINDS)
            if rng.random() < 0.5:
                return f"{name}'s {kind}", []
            return f"{name} {rng.choice(EN_NOUN).lower()} {kind.lower()}", []
        if r < 0.89:
            words = [rng.choice(EN_ADJ), rng.choice(EN_NOUN), rng.choice(EN_KINDS)]
            abbr = "".join(w[0] for w in " ".join(words).split()).upper()
            return f"{' '.join(words)} ({abbr})", [abbr]
        if r < 0.94:
            return f"{rng.choice(EN_NOUN)} ({rng.choice(DOMAINS)})", []
        if r < 0.97:
            fn = rng.choice(FUNC_SUFFIX)
            noun = rng.choice(EN_NOUN)
            sep = " - " if rng.random() < 0.5 else " "
            return f"{rng.choice(EN_ADJ)} {noun.lower()}{sep}{fn}(S)", []
        number = f"{rng.randint(100, 999)}.{rng.randint(1, 9)}"
        return f"{number} {rng.choice(EN_NOUN)} MOC", []

    def _ru_phrase(self) -> str:
        noun, gender = self.rng.choice(RU_NOUNS)
        return f"{self.rng.choice(RU_ADJ)[GENDER_INDEX[gender]]} {noun}"

    def _ru_title(self) -> tuple[str, list[str]]:
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return self._ru_phrase().capitalize(), []
        if r < 0.70:
            return f"{rng.choice(RU_KINDS)} {rng.choice(RU_NAMES_GEN)}", []
        if r < 0.90:
            return f"{self._ru_phrase().capitalize()} {rng.choice(RU_NAMES_GEN)}", []
        phrase = self._ru_phrase()
        abbr = "".join(w[0] for w in phrase.split()).upper()
        abbr += rng.choice(("", "М", "Т"))
        return f"{phrase.capitalize()} ({abbr})", [abbr]

    def _title(self) -> tuple[str, list[str]]:
        if self.rng.random() < P_CYRILLIC_TITLE:
            return self._ru_title()
        return self._en_title()

    def _plan_titles(self) -> None:
        for f_index, folder in enumerate(self.folders):
            for i in folder.members:
                title, extra = self._title()
                tries = 0
                while title.lower() in self.names:
                    tries += 1
                    title, extra = self._title()
                    if tries > 30:
                        title = f"{title} {self.rng.randint(2, 99)}"
                        extra = []
                self.names[title.lower()] = i
                note = _Note(i, f_index, title, extra, [], [], None, False, False, 0)
                self.notes.append(note)

    def _plan_duplicates(self) -> None:
        """Give ~1% of notes the name of a note in another folder (ambiguous bare links)."""
        rng = self.rng
        if len(self.folders) < 2:
            return
        count = round(self.n_notes * P_DUPLICATE_NAME)
        taken: dict[int, None] = {}
        for _ in range(count):
            for _attempt in range(20):
                a, b = rng.randrange(self.n_notes), rng.randrange(self.n_notes)
                na, nb = self.notes[a], self.notes[b]
                if na.folder == nb.folder or a in taken or b in taken:
                    continue
                del self.names[na.title.lower()]
                na.title = nb.title
                na.aliases = list(nb.aliases)
                taken[a] = None
                taken[b] = None
                self.ambiguous += 1
                break

    def _plan_aliases(self) -> None:
        rng = self.rng
        for note in self.notes:
            aliases: list[str] = []
            candidates = list(note.aliases)
            note.aliases = []
            r = rng.random()
            if r < 0.25:
                candidates.append(self._ru_phrase().capitalize())
            elif r < 0.35:
                adj, noun = rng.choice(EN_ADJ), rng.choice(EN_NOUN)
                candidates.append(f"{adj} {noun.lower()}")
            elif r < 0.40:
                candidates.append(note.title.lower() + "s")
            for alias in candidates:
                key = alias.lower()
                if key in self.names:
                    continue
                self.names[key] = note.index
                aliases.append(alias)
            note.aliases = aliases

    def _plan_details(self) -> None:
        rng = self.rng
        for note in self.notes:
            note.empty = rng.random() < P_EMPTY
            note.large = not note.empty and rng.random() < P_LARGE
            note.n_cards = rng.choices(range(6), weights=CARDS_PER_NOTE_WEIGHTS)[0]
            if note.empty and rng.random() < 0.5:
                note.n_cards = 0
            minute = rng.randrange(DATE_SPAN_MINUTES)
            note.created = DATE_FIRST + timedelta(minutes=minute)
            if note.empty:
                continue
            if note.large:
                n_head = rng.randint(60, 90)
            else:
                n_head = rng.choices((1, 2, 3, 4, 5), weights=(10, 25, 30, 20, 15))[0]
            pool = rng.sample(HEADINGS, min(n_head, len(HEADINGS)))
            headings = [
                f"{rng.choice(EMOJI_HEADING)} {h}" if rng.random() < 0.03 else h for h in pool
            ]
            k = 1
            while len(headings) < n_head:
                headings.append(f"Part {k}. {rng.choice(HEADINGS)}")
                k += 1
            note.headings = headings
            if rng.random() < 0.3:
                n_ids = min(len(headings), rng.randint(1, 3))
                alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
                ids: dict[str, None] = {}
                while len(ids) < n_ids:
                    ids["".join(rng.choices(alphabet, k=6))] = None
                note.block_ids = list(ids)

    def _plan_broken_and_images(self) -> None:
        rng = self.rng
        while len(self.broken) < 64:
            title, _ = self._title()
            if title.lower() not in self.names:
                self.broken.append(title)
        seen: dict[str, None] = {}
        n_images = max(4, self.n_notes // 40)
        while len(seen) < n_images:
            r = rng.random()
            if r < 0.4:
                day = DATE_FIRST + timedelta(minutes=rng.randrange(DATE_SPAN_MINUTES))
                name = f"Screenshot {day:%Y-%m-%d} at {day:%H.%M}.{rng.randint(10, 59)}.png"
            elif r < 0.6:
                name = f"рисунок {rng.randint(1, 999)}.png"
            elif r < 0.8:
                name = f"{rng.choice(EN_NOUN).lower()}_{rng.choice(EN_ADJ).lower()}.svg"
                name = name.replace(" ", "-")
            else:
                name = f"Pasted image {rng.randint(20220101000000, 20251231235959)}.png"
            seen[name] = None
        self.images = list(seen)

    # ---- links -----------------------------------------------------------------------------
    def _pick_target(self, note: _Note) -> _Note:
        rng = self.rng
        members = self.folders[note.folder].members
        if len(members) > 1 and rng.random() < 0.5:
            return self.notes[rng.choice(members)]
        return self.notes[rng.randrange(self.n_notes)]

    def _display(self, target: _Note) -> str:
        r = self.rng.random()
        if r < 0.5:
            return target.title.split(" (")[0].lower()
        if r < 0.7:
            return self._ru_phrase()
        if r < 0.85:
            return target.title.split(" (")[0].lower() + "s"
        return self.rng.choice(EN_ADJ).lower()

    def link(self, note: _Note) -> str:
        """A wikilink from ``note`` to some note, of a random shape."""
        rng = self.rng
        self.links += 1
        r = rng.random()
        if r < P_BROKEN_LINK:
            self.broken_links += 1
            title = rng.choice(self.broken)
            if rng.random() < 0.3:
                return f"[[{title}|{title.lower()}]]"
            return f"[[{title}]]"
        t = self._pick_target(note)
        if r < 0.48:
            return f"[[{t.title}]]"
        if r < 0.63:
            return f"[[{t.title}|{self._display(t)}]]"
        if r < 0.71 and t.headings:
            return f"[[{t.title}#{rng.choice(t.headings)}]]"
        if r < 0.75 and t.headings:
            return f"[[{t.title}#{rng.choice(t.headings)}|{self._display(t)}]]"
        if r < 0.79 and t.block_ids:
            return f"[[{t.title}#^{rng.choice(t.block_ids)}]]"
        if r < 0.81 and note.headings:
            return f"[[#{rng.choice(note.headings)}]]"
        if r < 0.88 and t.aliases:
            return f"[[{rng.choice(t.aliases)}]]"
        if r < 0.91:
            return f"[[{self.folders[t.folder].path}/{t.title}]]"
        if r < 0.93:
            return f"[[{t.title.lower()}]]"
        return f"[[{t.title}]]"

    def fm_link(self, note: _Note) -> str:
        """A plain link target for frontmatter ``parent``/``connected``."""
        self.links += 1
        if self.rng.random() < P_BROKEN_LINK:
            self.broken_links += 1
            return self.rng.choice(self.broken)
        return self._pick_target(note).title

    def image(self) -> str:
        rng = self.rng
        name = (
            f"missing figure {rng.randint(1, 99)}.png"
            if rng.random() < 0.05
            else rng.choice(self.images)
        )
        r = rng.random()
        if r < 0.5:
            return f"![[{name}|{rng.choice((300, 400, 500, 600, 700))}]]"
        return f"![[{name}]]"

    # ---- prose -----------------------------------------------------------------------------
    def _math(self) -> str:
        return self.rng.choice(INLINE_MATH)

    def sentence(self, note: _Note) -> str:
        rng = self.rng
        parsed = rng.choice(EN_PARSED) if rng.random() < 0.55 else rng.choice(RU_PARSED)
        out: list[str] = []
        for literal, slot in parsed:
            out.append(literal)
            if not slot:
                continue
            if slot in ("m", "m2"):
                out.append(self._math())
            elif slot in ("a", "a2", "n", "n2"):
                word = rng.choice(EN_ADJ if slot[0] == "a" else EN_NOUN).lower()
                if word[0] in "aeiou" and out[-1].endswith(" a "):
                    out[-1] = out[-1][:-1] + "n "
                out.append(word)
            elif slot in ("link", "link2"):
                out.append(self.link(note))
            elif slot == "ra":
                out.append(self._ru_phrase())
            elif slot == "Ra":
                out.append(self._ru_phrase().capitalize())
        text = "".join(out)
        r = rng.random()
        if r < 0.04:
            text = f"{text} #{rng.choice(TAGS_BODY)}"
        elif r < 0.07:
            text = f"{rng.choice(EMOJI)} {text}"
        return text

    def paragraph(self, note: _Note) -> list[str]:
        rng = self.rng
        n = rng.randint(1, 4)
        sentences = [self.sentence(note) for _ in range(n)]
        if n > 2 and rng.random() < 0.2:
            return [" ".join(sentences[:2]), " ".join(sentences[2:])]
        if rng.random() < 0.15:
            sentences[0] = f"**{note.title}** — {sentences[0]}"
        return [" ".join(sentences)]

    def bullet_list(self, note: _Note, items: int) -> list[str]:
        rng = self.rng
        numbered = rng.random() < 0.3
        out: list[str] = []
        for k in range(items):
            r = rng.random()
            if r < 0.3:
                adj, noun = rng.choice(EN_ADJ), rng.choice(EN_NOUN).lower()
                item = f"**{adj} {noun}**: ${self._math()}$"
            elif r < 0.55:
                item = f"{self.link(note)} — {self._ru_phrase()}"
            else:
                item = self.sentence(note)
            if rng.random() < 0.05:
                item += "  "  # trailing spaces, as in real notes
            marker = f"{k + 1}." if numbered else "-"
            out.append(f"{marker} {item}")
            if rng.random() < 0.15:
                out.append(f"    - {self.sentence(note)}")
        return out

    def display_math(self) -> list[str]:
        rng = self.rng
        if rng.random() < 0.6:
            return [f"$${rng.choice(DISPLAY_MATH)}$$"]
        return ["$$", *rng.choice(DISPLAY_MATH_MULTI), "$$"]

    def code_block(self) -> list[str]:
        lang, body = self.rng.choice(CODE_BLOCKS)
        return [f"```{lang}", *body, "```"]

    def section_block(self, note: _Note, out: list[str], para_ends: list[int]) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            out.extend(self.paragraph(note))
            para_ends.append(len(out) - 1)
        elif r < 0.70:
            out.extend(self.bullet_list(note, rng.randint(2, 6)))
        elif r < 0.82:
            out.extend(self.display_math())
        elif r < 0.90:
            out.append(self.image())
        elif r < 0.94:
            out.extend(self.code_block())
        elif r < 0.97:
            out.append(f"![[{self._pick_target(note).title}]]")
            self.links += 1
        else:
            out.extend(["---", self.paragraph(note)[0]])
            para_ends.append(len(out) - 1)

    def body(self, note: _Note) -> list[str]:
        rng = self.rng
        if note.empty:
            return rng.choice(([], [""], ["", ""]))
        out: list[str] = [""] if rng.random() < 0.85 else []
        kind = rng.choice(CALLOUTS)
        head = note.title if rng.random() < 0.8 else note.title.lower()
        if rng.random() < 0.2:
            head += f" ${self._math()}$"
        out.append(f"> [!{kind}] {head}")
        out.append(f"> {self.sentence(note)}")
        if rng.random() < 0.2:
            out.append(f"> $${rng.choice(DISPLAY_MATH)}$$")
        para_ends: list[int] = []
        per_section = 0
        if note.large:
            target = LARGE_MIN_LINES + rng.randint(100, 1200)
            per_section = target // len(note.headings) + 1
        for k, heading in enumerate(note.headings):
            level = "##"
            if k > 0 and rng.random() < 0.2:
                level = "###"
            elif rng.random() < 0.05:
                level = "#"
            shown = heading
            r = rng.random()
            if r < 0.05 and " " in heading:
                first, rest = heading.split(" ", 1)
                shown = f"**{first}** {rest}"
            out.extend(("", f"{level} {shown}", ""))
            start = len(out)
            out.extend(self.paragraph(note))
            para_ends.append(len(out) - 1)
            if note.large:
                while len(out) - start < per_section:
                    out.append("")
                    if rng.random() < 0.5:
                        out.extend(self.bullet_list(note, rng.randint(5, 15)))
                    else:
                        self.section_block(note, out, para_ends)
            else:
                for _ in range(rng.randint(0, 3)):
                    out.append("")
                    self.section_block(note, out, para_ends)
        for line_no, block_id in zip(
            rng.sample(para_ends, len(note.block_ids)), note.block_ids, strict=True
        ):
            out[line_no] = f"{out[line_no].rstrip()} ^{block_id}"
        return out

    # ---- frontmatter -----------------------------------------------------------------------
    def frontmatter(self, note: _Note) -> list[str]:
        rng = self.rng
        fields: dict[str, list[str]] = {}
        # aliases
        if note.aliases:
            lines = ["aliases:"]
            for alias in note.aliases:
                quote = rng.random() < 0.4 or alias.lower() in YAML_SPECIAL
                lines.append(f'  - "{alias}"' if quote else f"  - {alias}")
            fields["aliases"] = lines
        else:
            fields["aliases"] = ["aliases: " if rng.random() < 0.6 else "aliases:"]
        # anki
        anki = note.n_cards > 0
        if rng.random() < 0.05:
            anki = not anki
        fields["anki"] = [f"anki: {'true' if anki else 'false'}"]
        # created
        created = note.created
        assert created is not None
        r = rng.random()
        if r < 0.85:
            text = f"{created:%Y-%m-%d %H:%M}"
        elif r < 0.95:
            text = f'"{created:%Y-%m-%d}"'
        elif r < 0.995:
            text = f"{created:%Y-%m-%d}"
        else:
            text = rng.choice(("2025-13-45 10:00", "2024-02-30 12:00", "2023-07-07 25:61", "soon"))
            note.created = None
        fields["created"] = [f"created: {text}"]
        # parent
        r = rng.random()
        if r < 0.8:
            fields["parent"] = [
                "parent:",
                *(f'  - "[[{self.fm_link(note)}]]"' for _ in range(rng.randint(1, 2))),
            ]
        elif r < 0.9:
            fields["parent"] = [f'parent: "[[{self.fm_link(note)}]]"']
        else:
            fields["parent"] = ["parent: "]
        # connected
        n_conn = rng.choices(range(6), weights=(30, 20, 20, 15, 10, 5))[0]
        if n_conn == 0 and rng.random() < 0.9:
            fields["connected"] = ["connected: " if rng.random() < 0.7 else "connected:"]
        else:
            lines = ["connected:"]
            lines.extend(f'  - "[[{self.fm_link(note)}]]"' for _ in range(n_conn))
            if n_conn == 0 or rng.random() < 0.05:
                lines.append(f'  - "{rng.choice(CONNECTED_TAGS)}"')
            fields["connected"] = lines
        # tags
        tags: list[str] = []
        if note.empty:
            if rng.random() < P_EMPTY_TAGGED:
                tags.append("fix/empty")
        elif rng.random() < P_STALE_FIX_EMPTY:
            tags.append("fix/empty")
        tags.extend(rng.sample(TAGS_FRONT, rng.choices((0, 1, 2), weights=(25, 60, 15))[0]))
        if rng.random() < 0.02:
            tags.append("фикс/анки")
        if rng.random() < 0.01:
            tags.append("fix/links")
        if tags and rng.random() < 0.03:
            fields["tags"] = [f"tags: {' '.join(tags)}"]
        elif tags:
            fields["tags"] = ["tags:", *(f"  - {t}" for t in tags)]
        else:
            fields["tags"] = ["tags:"]
        order = ["aliases", "anki", "created", "parent", "connected", "tags"]
        if rng.random() < 0.1:
            order = ["aliases", "parent", "connected", "anki", "created", "tags"]
        closing = "--- " if rng.random() < 0.003 else "---"
        return ["---", *(line for key in order for line in fields[key]), closing]

    # ---- Anki ------------------------------------------------------------------------------
    def _new_id(self, base: int) -> int:
        while base in self.used_ids:
            base += 1
        self.used_ids[base] = None
        self.id_list.append(base)
        return base

    def _card_fields(self, note: _Note) -> list[str]:
        rng = self.rng
        title = note.title
        trail = "  " if rng.random() < 0.15 else ""
        if rng.random() < 0.6:
            front = rng.choice(ANKI_FRONTS_EN).format(t=title, tl=title.lower())
        else:
            front = rng.choice(ANKI_FRONTS_RU).format(t=title)
        back = self.sentence(note) if rng.random() < 0.3 else self._plain_sentence()
        r = rng.random()
        if r < 0.45:
            kind = "math_complex"
        elif r < 0.92:
            kind = "math_basic_single"
        elif r < 0.97:
            kind = "Basic"
        else:
            kind = "math_complex_old"
        if kind == "Basic":
            return ["Basic", f"Front: {front}{trail}", f"Back: {back}{trail}"]
        if kind == "math_complex_old":
            return [
                "math_complex",
                f"TITLE: {front}{trail}",
                f"DESCRIPTION: {back}{trail}",
                f"FORMULA: ${self._math()}${trail}",
                f"ADDITIONAL: {self._plain_sentence()}{trail}",
                "PICTURE:",
            ]
        lines = [kind, f"FRONT: {front}{trail}"]
        if rng.random() < 0.15:
            lines.append(self._plain_sentence())  # multi-line front
        lines.append(f"BACK: {back}{trail}")
        if rng.random() < 0.15:
            lines.append(f"${self._math()}$")
        if kind == "math_basic_single":
            return lines
        extra: list[list[str]] = []
        if rng.random() < 0.7:
            extra.append([f"FORMULA: ${self._math()}${trail}"])
        else:
            extra.append(["FORMULA:"])
        if rng.random() < 0.3:
            extra.append([f"PICTURE: {self.image()}"])
        else:
            extra.append(["PICTURE:" if rng.random() < 0.7 else "PICTURE: "])
        if rng.random() < 0.6:
            add = [f"ADDITIONAL: {self.sentence(note)}{trail}"]
            if rng.random() < 0.4:
                add = ["ADDITIONAL: Key conditions:"]
                add.extend(f"- ${self._math()}$ {self._ru_phrase()}" for _ in range(3))
            extra.append(add)
        else:
            extra.append(["ADDITIONAL:"])
        if rng.random() < 0.2:
            extra.append(["PROOF: " + self._plain_sentence(), self._plain_sentence()])
        else:
            extra.append(["PROOF:"])
        if rng.random() < 0.2:
            extra[1], extra[2] = extra[2], extra[1]
        for chunk in extra:
            if rng.random() < 0.03:
                lines.append("")  # blank line inside a block
            lines.extend(chunk)
        return lines

    def _plain_sentence(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            adj = rng.choice(EN_ADJ).lower()
            article = "An" if adj[0] in "aeiou" else "A"
            return f"{article} {adj} {rng.choice(EN_NOUN).lower()} such that ${self._math()}$."
        return f"{self._ru_phrase().capitalize()}, для которого ${self._math()}$."

    def anki_section(self, note: _Note) -> list[str]:
        rng = self.rng
        n = note.n_cards
        if n == 0:
            return []
        deck = self.folders[note.folder].deck
        out = ["", rng.choice(("# Anki", "## Anki"))]
        if rng.random() < 0.5:
            out.append("")
        repeat = rng.random() < P_REPEAT_DECK
        second_at = rng.randint(1, n - 1) if n >= 2 and rng.random() < P_SECOND_DECK else -1
        split_deck = rng.random() < 0.03
        created = note.created or DATE_FIRST + timedelta(days=rng.randint(0, 1400))
        base = int((created - EPOCH).total_seconds() * 1000)
        base += rng.randint(0, 90 * 24 * 3600 * 1000)
        unclosed_last = rng.random() < P_UNCLOSED * n
        for k in range(n):
            if k == 0 or repeat or k == second_at:
                card_deck = deck
                if k == second_at:
                    other = rng.choice(self.folders).deck
                    card_deck = other if other != deck else f"{deck}::extra"
                if split_deck and k == 0:
                    out.extend(("TARGET DECK", card_deck))
                else:
                    out.append(f"TARGET DECK: {card_deck}")
                if k == 0 and rng.random() < 0.005:
                    out.append(f"FILE TAGS: {rng.choice(TAGS_FRONT)}")
                if rng.random() < 0.5:
                    out.append("")
            self.cards += 1
            out.append("START " if rng.random() < P_START_SPACE else "START")
            fields = self._card_fields(note)
            if rng.random() < P_ENDPOINT:
                fields.insert(rng.randint(2, len(fields)), "ENDPOINT: https://example.org/v1/q")
            out.extend(fields)
            if rng.random() < 0.01:
                out.append(f"Tags: {rng.choice(TAGS_BODY)} {rng.choice(TAGS_FRONT)}")
            base += rng.randint(1, 12)
            r = rng.random()
            if r < P_CARD_NO_ID:
                self.cards_without_id += 1
            else:
                if r < P_CARD_NO_ID + P_CARD_DUP_ID and self.id_list:
                    card_id = rng.choice(self.id_list)
                    self.duplicate_ids += 1
                else:
                    card_id = self._new_id(base)
                    base = card_id
                if rng.random() < P_CARD_ID_COMMENT:
                    out.append(f"<!--ID: {card_id}-->")
                else:
                    out.append(f"ID: {card_id}")
            if not (unclosed_last and k == n - 1):
                out.append("END")
            if k < n - 1 and rng.random() < 0.85:
                out.append("")
        return out

    # ---- files -----------------------------------------------------------------------------
    def render(self, note: _Note) -> bytes:
        rng = self.rng
        lines: list[str] = []
        if rng.random() >= P_NO_FRONTMATTER:
            lines.extend(self.frontmatter(note))
        lines.extend(self.body(note))
        lines.extend(self.anki_section(note))
        if rng.random() < 0.1:
            lines.append("")
        text = "\n".join(lines)
        if rng.random() >= P_NO_FINAL_NEWLINE:
            text += "\n"
        r = rng.random()
        if r < P_CRLF:
            text = text.replace("\n", "\r\n")
            self.crlf_files += 1
        elif r < P_CRLF + P_MIXED_EOL:
            parts = text.split("\n")
            half = len(parts) // 2
            text = "\r\n".join(parts[:half]) + "\r\n" + "\n".join(parts[half:])
            self.crlf_files += 1
        self.line_count += len(lines)
        data = text.encode("utf-8")
        if rng.random() < P_BOM:
            data = b"\xef\xbb\xbf" + data
            self.bom_files += 1
        return data


def _note_folders(paths: list[str]) -> int:
    """Number of distinct directories holding notes, counting their ancestors."""
    seen: dict[str, None] = {}
    for path in paths:
        parts = path.split("/")
        for k in range(1, len(parts) + 1):
            seen["/".join(parts[:k])] = None
    return len(seen)


VAULTS = Path(__file__).resolve().parent / ".vaults"


def ensure_vault(notes: int, seed: int = 0) -> Path:
    """The benchmarks' shared vault of `notes` notes: benchmarks/.vaults/notes-N-seed-S.

    Made on first use; a run cut short (no `.generated` marker) is made again. Every benchmark
    asks here, so one 48 MB vault serves them all instead of one copy each.
    """
    root = VAULTS / f"notes-{notes}-seed-{seed}"
    done = root / ".generated"
    if not done.exists():
        if root.exists():
            shutil.rmtree(root)
        print(f"generating {notes} notes in {root} ...", file=sys.stderr, flush=True)
        generate_vault(root, notes=notes, seed=seed)
        done.write_text("ok\n")
    return root


def generate_vault(root: Path, notes: int, seed: int = 0) -> VaultStats:
    """Write a synthetic vault of ``notes`` notes under ``root`` and return what was written.

    ``root`` must not exist or be an empty directory. Output is a pure function of ``notes``
    and ``seed``.
    """
    if notes < 1:
        raise ValueError("notes must be at least 1")
    started = time.perf_counter()
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    builder = _VaultBuilder(notes, seed)
    builder.plan()

    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    (root / ".obsidian" / "app.json").write_bytes(b"{}\n")
    total = 3
    for folder in builder.folders:
        (root / folder.path).mkdir(parents=True, exist_ok=True)
    attachments = root / ATTACHMENTS
    attachments.mkdir(exist_ok=True)
    for name in builder.images:
        data = SVG_STUB if name.endswith(".svg") else PNG_1X1
        (attachments / name).write_bytes(data)
        total += len(data)

    md_bytes = 0
    for note in builder.notes:
        data = builder.render(note)
        folder_path = builder.folders[note.folder].path
        (root / folder_path / f"{note.title}.md").write_bytes(data)
        md_bytes += len(data)

    return VaultStats(
        notes=notes,
        folders=_note_folders([f.path for f in builder.folders]),
        cards=builder.cards,
        bytes=total + md_bytes,
        markdown_bytes=md_bytes,
        lines=builder.line_count,
        seconds=time.perf_counter() - started,
        links=builder.links,
        broken_links=builder.broken_links,
        ambiguous_names=builder.ambiguous,
        images=len(builder.images),
        cards_without_id=builder.cards_without_id,
        duplicate_ids=builder.duplicate_ids,
        large_notes=sum(1 for n in builder.notes if n.large),
        empty_notes=sum(1 for n in builder.notes if n.empty),
        crlf_files=builder.crlf_files,
        bom_files=builder.bom_files,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a deterministic synthetic Obsidian vault for notels benchmarks."
    )
    parser.add_argument("out_dir", type=Path, help="output directory (must be empty or absent)")
    parser.add_argument("--notes", type=int, default=10_000, help="number of notes (10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    args = parser.parse_args(argv)
    try:
        stats = generate_vault(args.out_dir, args.notes, args.seed)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"vault: {args.out_dir}")
    print(stats.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
