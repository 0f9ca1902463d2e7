"""The compatibility corpus of issue 11: PyTorch training scripts run with real PyTorch and
through a ``torch -> tidu`` import shim, their results compared (see ``test_corpus.py``)."""
