"""Feature extraction: from records to one sparse matrix, built once per corpus.

:class:`Corpus` is the plain input every extractor reads: one text (title and
abstract), one OpenAlex id and one tuple of referenced OpenAlex ids per record.
:meth:`Corpus.from_records` accepts strings, mappings (CSV rows, JSON) or
objects with attributes (:class:`realist.records.RecordData`).

Registered extractors (``FEATURES``):

``tfidf``
    word uni- and bigram TF-IDF of title + abstract (sublinear tf, l2 rows);
    ``title_repeat=k`` adds the title k more times (up-weighting it);
    ``title_chars=w`` adds a block of character 3-5-gram TF-IDF (``char_wb``,
    within word boundaries, l2 rows) of the titles scaled by ``w`` - it
    matches spelling variants and word forms (randomised / randomized,
    navigator / navigation) that whole words miss.
    ``lsa=k`` computes latent semantic features: a rank-``k`` truncated SVD
    (LSA; randomized, seeded) of the word TF-IDF matrix of *this* corpus, fitted
    once when the features are built (nothing is downloaded or pre-trained),
    rows l2-normalised.  With ``lsa_weight=w > 0`` the block is appended to
    the matrix scaled by ``w``; with ``lsa_weight=0`` it is only kept as
    ``latent`` (a dense array) for a separate scorer (``latent_view`` in
    :mod:`.learner`).
``citations``
    a record's "citation bag": the works it references plus its own id, kept
    only where at least two records of the corpus share the token, idf
    weighted, l2 rows.  Two records that cite the same work share a token
    (bibliographic coupling); a record that cites another shares the cited
    record's own id (a direct citation link).  Records without references
    get an empty row, so with no references anywhere this block is empty.
    ``direct_weight=w`` splits it into a coupling block and a direct-link
    block (own id + corpus records cited), each l2-normalised, the second
    scaled by ``w``.
``tfidf+citations``
    both blocks side by side, the citation block scaled by ``weight``.  With
    no shared references it reduces exactly to ``tfidf``.

An extractor has ``fit_transform(corpus) -> csr_matrix`` and
``transform_text(text) -> csr_matrix`` (one row, for the protocol's criteria
text; citation columns are zero there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from realist.screen.ranking.registry import FactoryRegistry

__all__ = [
    "Corpus",
    "FeatureExtractor",
    "FEATURES",
    "TextTfidf",
    "CitationBag",
    "TextAndCitations",
]

_WORK_ID = re.compile(r"[Ww]\d+")


def _work_id(value: Any) -> str | None:
    if not value:
        return None
    match = _WORK_ID.search(str(value).strip().rsplit("/", 1)[-1])
    return match.group(0).upper() if match else None


def _field(record: Any, name: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def _references(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    items: Iterable[Any] = value.replace(",", " ").split() if isinstance(value, str) else value
    out = []
    for item in items:
        wid = _work_id(item)
        if wid:
            out.append(wid)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Corpus:
    """Texts, own ids and references of the records being ranked (same order)."""

    texts: tuple[str, ...]
    ids: tuple[str | None, ...]
    references: tuple[tuple[str, ...], ...]
    titles: tuple[str, ...] = ()  # empty: titles unknown (plain-string records)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def has_references(self) -> bool:
        return any(self.references)

    @classmethod
    def from_records(cls, records: Sequence[Any]) -> Corpus:
        """Build from strings, mappings or record objects.

        Text is ``title`` + ``abstract``; the own id is ``openalex_id`` (an
        OpenAlex URL or ``W...`` id); references are ``referenced_works`` (a
        list, or a space-separated string as in SYNERGY CSVs).
        """
        texts: list[str] = []
        ids: list[str | None] = []
        refs: list[tuple[str, ...]] = []
        titles: list[str] = []
        for record in records:
            if isinstance(record, str):
                texts.append(record)
                titles.append("")
                ids.append(None)
                refs.append(())
                continue
            title = str(_field(record, "title") or "")
            abstract = str(_field(record, "abstract") or "")
            texts.append(f"{title} {abstract}".strip())
            titles.append(title.strip())
            ids.append(_work_id(_field(record, "openalex_id")))
            refs.append(_references(_field(record, "referenced_works")))
        return cls(tuple(texts), tuple(ids), tuple(refs), tuple(titles))


class FeatureExtractor(Protocol):
    def fit_transform(self, corpus: Corpus) -> sp.csr_matrix: ...

    def transform_text(self, text: str) -> sp.csr_matrix: ...


FEATURES: FactoryRegistry[FeatureExtractor] = FactoryRegistry("feature extractor")


class TextTfidf:
    """Word n-gram TF-IDF over title + abstract."""

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 1,
        max_df: float = 0.95,
        sublinear_tf: bool = True,
        stop_words: str | None = None,
        title_repeat: int = 0,
        title_chars: float = 0.0,
        char_range: tuple[int, int] = (3, 5),
        lsa: int = 0,
        lsa_weight: float = 0.0,
    ) -> None:
        self.title_repeat = title_repeat
        self.lsa = lsa
        self.lsa_weight = lsa_weight
        self.svd: Any = None
        self.lsa_terms = np.zeros(0, dtype=np.intp)
        self.latent: np.ndarray | None = None
        self.n_lsa = 0
        self.title_chars = title_chars
        self.n_chars = 0
        self.char_span = (0, 0)  # columns of the title-character block in the matrix
        self.char_vectorizer = (
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=tuple(char_range), min_df=2, sublinear_tf=True, dtype=np.float64
            )
            if title_chars > 0
            else None
        )
        self.vectorizer = TfidfVectorizer(
            ngram_range=tuple(ngram_range),
            min_df=min_df,
            max_df=max_df,
            sublinear_tf=sublinear_tf,
            stop_words=stop_words,
            dtype=np.float64,
        )

    def fit_transform(self, corpus: Corpus) -> sp.csr_matrix:
        texts = [t or "" for t in corpus.texts]
        if self.title_repeat and corpus.titles:
            texts = [" ".join([title] * self.title_repeat + [t]) for title, t in zip(corpus.titles, texts)]
        try:
            X = sp.csr_matrix(self.vectorizer.fit_transform(texts))
        except ValueError:  # empty vocabulary: no usable text at all
            self.vectorizer = None
            return sp.csr_matrix((len(texts), 0))
        words = X
        if self.char_vectorizer is not None and any(corpus.titles):
            try:
                Ch = sp.csr_matrix(self.char_vectorizer.fit_transform([t or "" for t in corpus.titles]))
            except ValueError:
                Ch = sp.csr_matrix((len(texts), 0))
            self.n_chars = Ch.shape[1]
            if self.n_chars:
                self.char_span = (X.shape[1], X.shape[1] + self.n_chars)
                X = sp.csr_matrix(sp.hstack([X, self.title_chars * Ch]))
        if self.lsa > 0:
            k = min(int(self.lsa), words.shape[0] - 1, words.shape[1] - 1)
            if k >= 1:
                from sklearn.decomposition import TruncatedSVD

                # terms in one record only carry no co-occurrence: left out of the SVD
                # (most bigrams; several times faster on a review's corpus)
                self.lsa_terms = np.flatnonzero(np.bincount(words.indices, minlength=words.shape[1]) >= 2)
                W = sp.csr_matrix(words[:, self.lsa_terms])
                k = min(k, W.shape[1] - 1)
                if k < 1:
                    return X
                self.svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=5, random_state=0)
                self.latent = _l2_dense(np.asarray(self.svd.fit_transform(W), dtype=np.float64))
                if self.lsa_weight > 0:
                    self.n_lsa = k
                    X = sp.csr_matrix(sp.hstack([X, sp.csr_matrix(self.lsa_weight * self.latent)]))
        return X

    def transform_text(self, text: str) -> sp.csr_matrix:
        if self.vectorizer is None:
            return sp.csr_matrix((1, 0))
        T = sp.csr_matrix(self.vectorizer.transform([text or ""]))
        words = T
        if self.n_chars:  # criteria text is not a title: no title-character columns
            T = sp.csr_matrix(sp.hstack([T, sp.csr_matrix((1, self.n_chars))]))
        if self.n_lsa:
            z = _l2_dense(np.asarray(self.svd.transform(words[:, self.lsa_terms]), dtype=np.float64))
            T = sp.csr_matrix(sp.hstack([T, sp.csr_matrix(self.lsa_weight * z)]))
        return T


def _l2_dense(Z: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(Z, axis=1)
    norms[norms == 0] = 1.0
    return np.asarray(Z / norms[:, None], dtype=np.float64)


def _l2_rows(X: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ X)


def _bag_matrix(bags: Sequence[set[str]], min_shared: int, idf: bool = True) -> sp.csr_matrix:
    counts: dict[str, int] = {}
    for bag in bags:
        for token in bag:
            counts[token] = counts.get(token, 0) + 1
    vocab = {t: i for i, t in enumerate(sorted(t for t, c in counts.items() if c >= min_shared))}
    rows, cols = [], []
    for r, bag in enumerate(bags):
        for token in bag:
            j = vocab.get(token)
            if j is not None:
                rows.append(r)
                cols.append(j)
    n = len(bags)
    X = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(vocab)))
    if len(vocab):
        if idf:
            X.sum_duplicates()
            df = np.bincount(X.indices, minlength=X.shape[1])  # rows containing each token
            X = sp.csr_matrix(X @ sp.diags(np.log((1 + n) / (1 + df)) + 1.0))
        X = _l2_rows(X)
    return X


class CitationBag:
    """Shared references and direct citation links as sparse features.

    ``direct_weight=None``: one bag per record (its references plus its own
    id), idf weighted, l2 rows.  With ``direct_weight`` set, two blocks,
    each l2-normalised on its own: bibliographic coupling (the references,
    idf weighted) and direct links (the record's own id plus the ids of the
    corpus records it cites), the second scaled by ``direct_weight`` - so a
    direct link is not diluted by a long reference list.
    """

    def __init__(self, min_shared: int = 2, direct_weight: float | None = None) -> None:
        self.min_shared = min_shared
        self.direct_weight = direct_weight
        self.n_features = 0

    def fit_transform(self, corpus: Corpus) -> sp.csr_matrix:
        if self.direct_weight is None:
            bags = []
            for own, refs in zip(corpus.ids, corpus.references):
                bag = set(refs)
                if own:  # others citing this record share its id
                    bag.add(own)
                bags.append(bag)
            X = _bag_matrix(bags, self.min_shared)
        else:
            own_ids = {own for own in corpus.ids if own}
            coupling = [set(r for r in refs if r not in own_ids) for refs in corpus.references]
            links = []
            for own, refs in zip(corpus.ids, corpus.references):
                bag = set(r for r in refs if r in own_ids)
                if own:
                    bag.add(own)
                links.append(bag)
            B = _bag_matrix(coupling, self.min_shared)
            L = _bag_matrix(links, 2, idf=False)
            X = sp.csr_matrix(sp.hstack([B, self.direct_weight * L]))
        self.n_features = X.shape[1]
        return X

    def transform_text(self, text: str) -> sp.csr_matrix:
        return sp.csr_matrix((1, self.n_features))


class TextAndCitations:
    """``tfidf`` and ``citations`` side by side; citations scaled by ``weight``."""

    def __init__(
        self, weight: float = 1.0, min_shared: int = 2, direct_weight: float | None = None, **text_params: Any
    ) -> None:
        self.text = TextTfidf(**text_params)
        self.citations = CitationBag(min_shared=min_shared, direct_weight=direct_weight)
        self.weight = weight
        self.n_text = 0

    def fit_transform(self, corpus: Corpus) -> sp.csr_matrix:
        T = self.text.fit_transform(corpus)
        self.n_text = T.shape[1]
        C = self.citations.fit_transform(corpus)
        if C.shape[1] == 0:
            return T
        return sp.csr_matrix(sp.hstack([T, self.weight * C]))

    @property
    def latent(self) -> np.ndarray | None:
        return self.text.latent

    @property
    def char_span(self) -> tuple[int, int]:
        return self.text.char_span

    def transform_text(self, text: str) -> sp.csr_matrix:
        T = self.text.transform_text(text)
        if self.citations.n_features == 0:
            return T
        return sp.csr_matrix(sp.hstack([T, sp.csr_matrix((1, self.citations.n_features))]))


FEATURES.register("tfidf", TextTfidf)
FEATURES.register("citations", CitationBag)
FEATURES.register("tfidf+citations", TextAndCitations)
