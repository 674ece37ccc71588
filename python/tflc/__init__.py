"""tflc: convert TensorFlow and Keras models to TensorFlow Lite, without TensorFlow.

``tflc.lite`` mirrors ``tf.lite``, so TensorFlow's conversion examples run with ``import tflc as tf``
(see docs/python.md). The dtype names TensorFlow's examples use (``tf.float16``, ``tf.int8``...)
are numpy's types here.
"""
import numpy as _np

from . import _tflc

__version__ = _tflc.__version__

# tf.<dtype> names, as numpy types (what tflc.lite accepts wherever TF takes a tf.DType).
float16 = _np.float16
float32 = _np.float32
float64 = _np.float64
int8 = _np.int8
uint8 = _np.uint8
int16 = _np.int16
int32 = _np.int32
int64 = _np.int64
bool = _np.bool_  # noqa: A001 (tf.bool)
half = _np.float16
double = _np.float64

from . import lite  # noqa: E402
from . import compat  # noqa: E402

__all__ = ["lite", "compat", "float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64",
           "bool", "half", "double"]
