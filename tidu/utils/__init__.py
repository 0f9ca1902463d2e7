"""PyTorch's ``torch.utils`` names: ``tidu.utils.data``."""
