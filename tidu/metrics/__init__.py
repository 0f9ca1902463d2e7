"""tidu.metrics: classification metrics equal to scikit-learn's (accuracy, precision,
recall, F1 with binary/macro/micro/weighted averaging, confusion matrix, top-k accuracy)."""
from .classification import (accuracy, confusion_matrix, f1_score, precision,
                             precision_recall_fscore, recall, top_k_accuracy)

__all__ = ["accuracy", "precision", "recall", "f1_score", "precision_recall_fscore",
           "confusion_matrix", "top_k_accuracy"]
