"""tf.compat.v1.lite: the TF1 converter (from_session is not available: it needs a live TF session)."""
from ...lite import ConverterError, Optimize, OpsSet, RepresentativeDataset, TargetSpec, constants
from ...lite._converter import TFLiteConverterV1 as TFLiteConverter

__all__ = ["ConverterError", "Optimize", "OpsSet", "RepresentativeDataset", "TargetSpec", "TFLiteConverter",
           "constants"]
