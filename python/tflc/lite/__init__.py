"""tflc.lite: TensorFlow's tf.lite converter API, implemented by tflc (docs/python.md)."""
from . import constants
from ._converter import (ConverterError, Optimize, OpsSet, RepresentativeDataset, TargetSpec,
                         TFLiteConverter)

__all__ = ["ConverterError", "Optimize", "OpsSet", "RepresentativeDataset", "TargetSpec", "TFLiteConverter",
           "constants"]
