"""tidu.model_selection: split the data, cross-validate, retrain the chosen model.

The notes' workflow (note 001, 训练，验证，测试集 · 划分数据集): the training set teaches
(上课学知识), the validation set tunes the hyper-parameters (课后的练习题), the test set gives
the final verdict (期末考试) and is used once.

* `train_val_test_split` — the notes' hold-out rule: 60/20/20 for small data, fixed-size
  (10,000 each) validation and test sets for large data; `train_test_split` — one split,
  scikit-learn's for the same seed (plain or stratified);
* splitters — `KFold` (k = 10 by default, as the notes), `StratifiedKFold`, `LeaveOneOut`,
  `ShuffleSplit`: the same index sets as scikit-learn's for the same arguments and seed;
  `check_cv` turns an int into one;
* `cross_validate` (k folds) and `holdout_score` (one split) score the model that a
  ``build()`` function makes, per fold and as mean ± std (`CVResult`); `refit` retrains it
  on all the training data with the chosen hyper-parameters.
"""
from .cross_validation import CVResult, Refit, cross_validate, holdout_score, refit
from .split import train_test_split, train_val_test_split
from .splitters import KFold, LeaveOneOut, ShuffleSplit, StratifiedKFold, check_cv

__all__ = ["train_test_split", "train_val_test_split", "KFold", "StratifiedKFold",
           "LeaveOneOut", "ShuffleSplit", "check_cv", "cross_validate", "holdout_score",
           "refit", "CVResult", "Refit"]
