"""tf.lite.constants: the TF1 type constants, as numpy types."""
import numpy as _np

FLOAT = _np.float32
FLOAT16 = _np.float16
INT8 = _np.int8
INT16 = _np.int16
INT32 = _np.int32
INT64 = _np.int64
QUANTIZED_UINT8 = _np.uint8
STRING = _np.str_
COMPLEX64 = _np.complex64
TFLITE = "TFLITE"
GRAPHVIZ_DOT = "GRAPHVIZ_DOT"
