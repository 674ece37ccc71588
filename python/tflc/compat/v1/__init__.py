"""tflc.compat.v1: tf.compat.v1.lite."""
from . import lite

__all__ = ["lite"]
