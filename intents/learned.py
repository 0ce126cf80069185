"""A learned signal beside the fuzzy scores: a linear model over character n-grams, trained at start-up on the
catalog's own phrasings (and keywords), one class per topic.

Character n-grams (within word boundaries, 2 to 4 characters, TF-IDF with sublinear term frequency) need no
Japanese tokenizer and tolerate typos and inflections ("deletd", "消して/消去して"); a linear classifier over them
learns which fragments tell topics apart instead of how similar a message is to one phrasing. It is trained on
the catalog only (never on evaluation items), deterministically (fixed seed), in well under a second; the
scores it adds are its decision function clipped at 0, times `Thresholds.learned_points`.

Off by default (`learned_points = 0`): the ablation in the README showed no gain on the held-out sets, and its
per-message cost is larger than the rest of matching. scikit-learn is then never imported (it is the optional
extra `learned`, installed with the test extra so the signal stays tested).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from intents.catalog import Intent
from intents.normalize import clean, fold

#: Longest text the model reads (characters, after folding): the ask of a long message is what matters, and the
#: n-gram analyzer costs time per character.
MAX_CHARS = 400


class LearnedSignal:
    """Per-intent scores (0..~1.5) from a linear SVM over character n-grams of the catalog's phrasings."""

    def __init__(self, intents: Sequence[Intent], topic_of: Sequence[int]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer  # optional dependency, only when enabled
        from sklearn.svm import LinearSVC

        texts: list[str] = []
        labels: list[int] = []
        for n, intent in enumerate(intents):
            if intent.kind == "smalltalk":
                continue
            for lang in ("en", "ja"):
                for text in intent.examples.get(lang, ()) + intent.keywords.get(lang, ()):
                    folded = fold(clean(text))
                    if folded:
                        texts.append(folded)
                        labels.append(int(topic_of[n]))
        self._topic_of = np.asarray(topic_of, dtype=np.int64)
        self._size = len(intents)
        self._vectorizer: Any = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1,
                                           dtype=np.float32)
        features = self._vectorizer.fit_transform(texts)
        self._model: Any = LinearSVC(C=0.5, random_state=0, max_iter=4000)
        self._model.fit(features, labels)
        self._classes = np.asarray(self._model.classes_, dtype=np.int64)

    def scores(self, folded: str) -> np.ndarray:
        """Score per intent (catalog order) for a folded text: its topic's decision value, clipped at 0."""
        out = np.zeros(self._size, dtype=np.float64)
        if not folded:
            return out
        decision = self._model.decision_function(self._vectorizer.transform([folded[-MAX_CHARS:]]))[0]
        by_topic = np.zeros(self._size, dtype=np.float64)
        by_topic[self._classes] = np.maximum(decision, 0.0)
        out[:] = by_topic[self._topic_of]
        return out
