"""``tidu.utils.data``: PyTorch's ``torch.utils.data`` on tidu tensors.

The same names, signatures, defaults and return types: `Dataset`, `IterableDataset`,
`TensorDataset`, `StackDataset`, `ConcatDataset`, `ChainDataset`, `Subset`,
`random_split`; the samplers `Sampler`, `SequentialSampler`, `RandomSampler`,
`SubsetRandomSampler`, `WeightedRandomSampler`, `BatchSampler`; `default_collate`,
`default_convert`, `DataLoader`, `get_worker_info`.  Code written for
``torch.utils.data`` runs unchanged, and a `DataLoader` over a `TensorDataset` cuts each
batch from the whole tensors at once (tidu's fast array path, as `tidu.data.DataLoader`).

Where tidu differs from PyTorch:

* ``generator=`` is a ``numpy.random.Generator`` (`tidu.Generator` is one; ``None`` means
  tidu's global generator, fixed by `tidu.manual_seed`): random orders and splits follow
  the same distributions as PyTorch's, not PyTorch's numbers for the same seed;
* ``num_workers > 0`` loads in the main process (no worker processes, so the same batches,
  only the speed differs; ``worker_init_fn`` is never called); ``pin_memory`` does nothing;
* some argument errors PyTorch raises as AssertionError (a `TensorDataset` size mismatch,
  an empty `ConcatDataset`) are tidu's `ShapeError` / `ArgumentError` (ValueErrors), and a
  bad `WeightedRandomSampler` weight vector is refused when built, not when first iterated.
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                      TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "default_collate", "default_convert", "DataLoader", "get_worker_info"]
