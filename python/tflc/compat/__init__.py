"""tflc.compat: tf.compat.v1's converter names (tflc.compat.v1.lite.TFLiteConverter)."""
from . import v1

__all__ = ["v1"]
