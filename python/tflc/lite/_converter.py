"""TFLiteConverter: tf.lite.TFLiteConverter's API over tflc's converter (the one the CLI runs).

The attributes are turned into the CLI's options (TensorFlow flag names) and the native module runs
the same conversion as ``tflc convert``, so the same model and options give the same bytes.
"""
import enum
import os
import sys

import numpy as np

from .. import _paths
from .. import _tflc


class ConverterError(ValueError):
    """A conversion failed; the message is the one ``tflc convert`` prints after ``tflc: error:``."""


ConverterError.__module__ = "tflc.lite"


class Optimize(enum.Enum):
    """tf.lite.Optimize. OPTIMIZE_FOR_SIZE and OPTIMIZE_FOR_LATENCY act as DEFAULT (as in TF)."""
    DEFAULT = "DEFAULT"
    OPTIMIZE_FOR_SIZE = "OPTIMIZE_FOR_SIZE"
    OPTIMIZE_FOR_LATENCY = "OPTIMIZE_FOR_LATENCY"
    EXPERIMENTAL_SPARSITY = "EXPERIMENTAL_SPARSITY"

    def __str__(self):
        return str(self.value)


class OpsSet(enum.Enum):
    """tf.lite.OpsSet."""
    TFLITE_BUILTINS = "TFLITE_BUILTINS"
    SELECT_TF_OPS = "SELECT_TF_OPS"
    TFLITE_BUILTINS_INT8 = "TFLITE_BUILTINS_INT8"
    EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8 = \
        "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8"

    def __str__(self):
        return str(self.value)

    @staticmethod
    def get_options():
        return [str(o.value) for o in OpsSet]


class RepresentativeDataset:
    """tf.lite.RepresentativeDataset: wraps a callable returning a generator of samples."""

    def __init__(self, input_gen):
        self.input_gen = input_gen


class TargetSpec:
    """tf.lite.TargetSpec."""

    def __init__(self, supported_ops=None, supported_types=None, experimental_select_user_tf_ops=None,
                 experimental_supported_backends=None):
        self.supported_ops = supported_ops if supported_ops is not None else {OpsSet.TFLITE_BUILTINS}
        self.supported_types = supported_types if supported_types is not None else set()
        self.experimental_select_user_tf_ops = experimental_select_user_tf_ops or set()
        self.experimental_supported_backends = experimental_supported_backends
        self._experimental_custom_op_registerers = []
        self._experimental_supported_accumulation_type = None


# ---- attribute checks --------------------------------------------------------------------------

def _describe(value):
    return "%r (%s)" % (value, type(value).__name__)


def _items(attr, value, what):
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ConverterError("%s: expected a list or set of %s, got %s" % (attr, what, _describe(value)))
    return list(value)


def _enum_names(attr, value, enum_cls, example):
    names = []
    for item in _items(attr, value, enum_cls.__name__ + " values (e.g. %s)" % example):
        # Also TensorFlow's own enum members (same class name and member names).
        if isinstance(item, enum_cls) or (type(item).__name__ == enum_cls.__name__ and
                                           getattr(item, "name", None) in enum_cls.__members__):
            names.append(enum_cls[item.name].value)
        else:
            raise ConverterError("%s: %s is not a tflc.lite.%s value; use one of %s (e.g. %s)" % (
                attr, _describe(item), enum_cls.__name__,
                ", ".join("tf.lite.%s.%s" % (enum_cls.__name__, m) for m in enum_cls.__members__), example))
    return names


_TYPE_NAMES = {"float32": "float32", "float": "float32", "float16": "float16", "half": "float16",
               "int8": "int8", "uint8": "uint8", "int16": "int16", "int32": "int32", "int64": "int64",
               "float64": "float64", "double": "float64", "quantized_uint8": "uint8"}


def _type_name(attr, value, allowed):
    """numpy dtype / numpy type / a name ("float16", "tf.float16") / a tf.DType-like -> "float16"."""
    name = None
    try:
        if isinstance(value, str):
            key = value.lower()
            for prefix in ("tf.", "np.", "numpy.", "tflc."):
                if key.startswith(prefix):
                    key = key[len(prefix):]
            name = _TYPE_NAMES.get(key)
        elif hasattr(value, "as_numpy_dtype"):  # a tf.DType
            name = np.dtype(value.as_numpy_dtype).name
        elif value is not None and not isinstance(value, (bool, int, float)):
            name = np.dtype(value).name
    except TypeError:
        name = None
    if name not in allowed:
        raise ConverterError("%s: %s is not one of the types it takes: %s (numpy types such as np.%s, or their names)" % (
            attr, _describe(value), ", ".join("tf." + a for a in allowed), allowed[0]))
    return name


def _bool(attr, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ConverterError("%s: expected True or False, got %s" % (attr, _describe(value)))
    return bool(value)


def _path(attr, value):
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, bytes):
        value = value.decode()
    if not isinstance(value, str):
        raise ConverterError("%s: expected a path, got %s" % (attr, _describe(value)))
    return value


def _names(attr, value):
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    items = _items(attr, value, "names")
    for item in items:
        if not isinstance(item, str):
            raise ConverterError("%s: expected names (str), got %s" % (attr, _describe(item)))
    return items


# ---- the representative dataset stream ----------------------------------------------------------

def _strip0(name):
    return name[:-2] if name.endswith(":0") else name


def _as_array(value):
    array = value if isinstance(value, np.ndarray) else np.asarray(value)
    return np.require(array, requirements="C")  # no copy when it already is C-contiguous


def _samples(generator, inputs, signature_key):
    """Yields each sample as a list of C-contiguous arrays in graph input order.

    `inputs` are (name, tensor name, dtype name, shape) per graph input. dtype, shape and values are
    checked natively (the messages of the CLI's file datasets)."""
    names = [i[0] for i in inputs]
    for index, item in enumerate(generator):
        where = "representative_dataset: sample %d" % index
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict):
            # TF's form for several signatures: (signature_key, {input name: array}).
            if item[0] != signature_key:
                continue
            item = item[1]
        if isinstance(item, dict):
            arrays = []
            keys = {str(k): v for k, v in item.items()}
            used = set()
            for name, tensor_name, dtype, shape in inputs:
                for key in (name, tensor_name, _strip0(tensor_name)):
                    if key in keys:
                        arrays.append(keys[key])
                        used.add(key)
                        break
                else:
                    raise ConverterError("%s has no array for input '%s' (expected dtype %s, shape %s); it has keys %s; "
                                         "yield a dict keyed by the input names %s" % (
                                             where, name, dtype, list(shape), sorted(keys), names))
            extra = sorted(set(keys) - used)
            if extra:
                raise ConverterError("%s: key(s) %s match no model input; the model inputs are %s" % (where, extra, names))
        elif isinstance(item, (list, tuple)):
            arrays = list(item)
            if len(arrays) != len(inputs):
                raise ConverterError("%s has %d arrays but the model has %d inputs %s (in this order): yield one "
                                     "array per input" % (where, len(arrays), len(inputs), names))
        elif isinstance(item, np.ndarray) and len(inputs) == 1:
            arrays = [item]
        else:
            raise ConverterError("%s is %s: expected a list of numpy arrays, one per model input %s "
                                 "(or a dict keyed by input name)" % (where, type(item).__name__, names))
        out = []
        for k, a in enumerate(arrays):
            try:
                out.append(_as_array(a))
            except (TypeError, ValueError) as e:
                raise ConverterError("%s, input '%s': %s is not an array (%s)" % (where, names[k], type(a).__name__, e))
            if out[-1].dtype.hasobject:
                raise ConverterError("%s, input '%s': an object array; expected dtype %s, shape %s" % (
                    where, names[k], inputs[k][2], list(inputs[k][3])))
        yield out


def _dataset_opener(dataset):
    gen_fn = dataset.input_gen if isinstance(dataset, RepresentativeDataset) else dataset
    if not callable(gen_fn):
        raise ConverterError("representative_dataset: expected a callable that returns a generator of samples "
                             "(def representative_dataset(): ... yield [array]), or tf.lite.RepresentativeDataset(it); "
                             "got %s" % _describe(gen_fn))

    def open_stream(signature_key, inputs):
        generator = gen_fn()
        try:
            iterator = iter(generator)
        except TypeError:
            raise ConverterError("representative_dataset: calling it returned %s, which is not iterable: it must return "
                                 "a generator (use yield) or an iterable of samples" % _describe(generator)) from None
        return _samples(iterator, inputs, signature_key)

    return open_stream


# ---- the converter -------------------------------------------------------------------------------

_KNOWN_EXPERIMENTAL = {
    # TF attributes that are accepted and stored; tflc has no use for them.
    "experimental_new_converter": True, "experimental_new_quantizer": True,
    "experimental_enable_resource_variables": True, "experimental_lower_to_saved_model": True,
    "_experimental_calibrate_only": False, "_experimental_sparsify_model": False,
    "_experimental_disable_per_channel": False, "_experimental_new_dynamic_range_quantizer": True,
    "_experimental_low_bit_qat": False, "_experimental_full_integer_quantization_bias_type": None,
    "_experimental_quantization_options": None, "_experimental_variable_quantization": False,
    "_experimental_disable_fuse_mul_and_fc": False, "_experimental_use_buffer_offset": False,
    "_experimental_reduce_type_precision": False, "_experimental_qdq_conversion_mode": None,
    "_experimental_disable_batchmatmul_unfold": False, "_experimental_lower_tensor_list_ops": True,
    "_experimental_default_to_single_batch_in_tensor_list_ops": False,
    "_experimental_unfold_large_splat_constant": False, "_experimental_tf_quantization_mode": None,
    "_experimental_disable_per_channel_quantization_for_dense_layers": False,
    "_experimental_enable_composite_direct_lowering": False, "_experimental_strict_qdq": False,
    "_experimental_preserve_assert_op": False, "_experimental_guarantee_all_funcs_one_use": False,
    "unfold_batchmatmul": False, "_metadata": None, "_debug_info": None,
}

_IO_TYPES = ["float32", "int8", "uint8", "int16"]
_SUPPORTED_TYPES = ["float32", "float16", "int8", "int16"]


class TFLiteConverter:
    """tf.lite.TFLiteConverter: build one with a from_* method, set attributes, call convert()."""

    def __init__(self, input_path, fmt, options=None):
        self._input_path = input_path
        self._format = fmt
        self._source_options = dict(options or {})
        self.optimizations = set()
        self.representative_dataset = None
        self.target_spec = TargetSpec()
        self.inference_input_type = None
        self.inference_output_type = None
        self.allow_custom_ops = False
        self.exclude_conversion_metadata = False
        # tflc's own options (the CLI's --bias_correction and --experimental_quantizer).
        self.bias_correction = None
        self.experimental_quantizer = None
        for k, v in _KNOWN_EXPERIMENTAL.items():
            setattr(self, k, v)

    # -- front doors ----------------------------------------------------------------------------
    @classmethod
    def from_saved_model(cls, saved_model_dir, signature_keys=None, tags=None):
        """A SavedModel directory (TF1 or TF2). signature_keys: list (default serving_default);
        tags: set of MetaGraph tags (default {"serve"})."""
        options = {}
        keys = _names("signature_keys", signature_keys)
        if keys:
            options["saved_model_signature_key"] = ",".join(keys)
        tag_list = _names("tags", tags)
        if tag_list:
            options["saved_model_tag_set"] = ",".join(sorted(tag_list))
        return cls(_path("saved_model_dir", saved_model_dir), "saved_model", options)

    @classmethod
    def from_keras_model(cls, model):
        """A Keras model FILE: a .h5 (Keras 2 or 3) or .keras path. tflc has no live Keras models:
        save yours with model.save("model.keras") and pass the path."""
        if not isinstance(model, (str, bytes, os.PathLike)):
            raise ConverterError("from_keras_model: tflc takes the path of a saved Keras model (.h5 or .keras), not "
                                 "a live %s object (tflc runs without TensorFlow): save it with "
                                 "model.save('model.keras') and pass 'model.keras'" % type(model).__name__)
        return cls(_path("model", model), "keras")

    @classmethod
    def from_keras_model_file(cls, model_file, input_arrays=None, input_shapes=None, output_arrays=None,
                              custom_objects=None):
        """TF1's name: a Keras .h5 / .keras file."""
        return cls.from_keras_model(model_file)

    @classmethod
    def from_frozen_graph(cls, graph_def_file, input_arrays, output_arrays, input_shapes=None):
        """A frozen GraphDef (.pb or .pbtxt). input_shapes: {input name: shape} (None dims as -1)."""
        options = {}
        inputs = _names("input_arrays", input_arrays)
        outputs = _names("output_arrays", output_arrays)
        if inputs:
            options["input_arrays"] = ",".join(inputs)
        if outputs:
            options["output_arrays"] = ",".join(outputs)
        if input_shapes is not None:
            if not isinstance(input_shapes, dict):
                raise ConverterError("input_shapes: expected a dict {input name: shape}, got %s" % _describe(input_shapes))
            unknown = [n for n in input_shapes if n not in (inputs or [])]
            if unknown:
                raise ConverterError("input_shapes: %s not in input_arrays %s" % (unknown, inputs))
            pieces = []
            for name in inputs:
                shape = input_shapes.get(name)
                if shape is None:
                    raise ConverterError("input_shapes: no shape for input '%s' (give one per input array)" % name)
                pieces.append(",".join("-1" if d is None else str(int(d)) for d in shape))
            options["input_shapes"] = ":".join(pieces)
        return cls(_path("graph_def_file", graph_def_file), "graph_def", options)

    @classmethod
    def from_concrete_functions(cls, funcs, trackable_obj=None):
        raise ConverterError("from_concrete_functions needs a live TensorFlow (tflc runs without it): save the "
                             "functions as a SavedModel with tf.saved_model.save(obj, dir, signatures=...) and "
                             "convert it with TFLiteConverter.from_saved_model(dir)")

    @classmethod
    def experimental_from_jax(cls, serving_funcs, inputs):
        raise ConverterError("experimental_from_jax needs a live JAX and TensorFlow (tflc runs without them): "
                             "export the model as a SavedModel (jax2tf.convert + tf.saved_model.save) and convert "
                             "it with TFLiteConverter.from_saved_model(dir)")

    @classmethod
    def from_session(cls, *args, **kwargs):
        raise ConverterError("from_session needs a live TensorFlow session (tflc runs without TensorFlow): freeze "
                             "the graph to a .pb and use from_frozen_graph, or save a SavedModel and use from_saved_model")

    # -- options -------------------------------------------------------------------------------
    def _options(self):
        """The CLI's options (TF flag names) and export flags for these attributes."""
        options = dict(self._source_options)
        optimizations = _enum_names("optimizations", self.optimizations, Optimize, "[tf.lite.Optimize.DEFAULT]")
        if getattr(self, "post_training_quantize", False) and not optimizations:  # TF1's name
            optimizations = ["DEFAULT"]
        if optimizations:
            options["optimizations"] = ",".join(sorted(set(optimizations)))
        spec = self.target_spec
        if not isinstance(spec, TargetSpec) and not hasattr(spec, "supported_ops"):
            raise ConverterError("target_spec: expected a tf.lite.TargetSpec, got %s" % _describe(spec))
        ops = _enum_names("target_spec.supported_ops", spec.supported_ops, OpsSet, "{tf.lite.OpsSet.TFLITE_BUILTINS}")
        ops = [o.value for o in OpsSet if o.value in ops]  # a set: one canonical order
        if ops and ops != ["TFLITE_BUILTINS"]:
            options["target_spec.supported_ops"] = ",".join(ops)
        types = [_type_name("target_spec.supported_types", t, _SUPPORTED_TYPES)
                 for t in _items("target_spec.supported_types", spec.supported_types or [], "types (e.g. [tf.float16])")]
        types = [t for t in _SUPPORTED_TYPES if t in types]
        if types:
            options["target_spec.supported_types"] = ",".join(types)
        for attr in ("inference_input_type", "inference_output_type"):
            value = getattr(self, attr)
            if value is not None:
                name = _type_name(attr, value, _IO_TYPES)
                if name != "float32":
                    options[attr] = name
        allow_custom_ops = _bool("allow_custom_ops", self.allow_custom_ops)
        if allow_custom_ops:
            options["allow_custom_ops"] = "true"
        if self.bias_correction is not None:
            options["bias_correction"] = "true" if _bool("bias_correction", self.bias_correction) else "false"
        if self.experimental_quantizer is not None:
            if not isinstance(self.experimental_quantizer, str):
                raise ConverterError("experimental_quantizer: expected a quantizer name (str), got %s" %
                                     _describe(self.experimental_quantizer))
            options["quantizer"] = self.experimental_quantizer
        dataset = None
        if self.representative_dataset is not None:
            dataset = _dataset_opener(self.representative_dataset)
            options["representative_dataset"] = "<python generator>"
        export = dict(conversion_metadata=not _bool("exclude_conversion_metadata", self.exclude_conversion_metadata),
                      allow_custom_ops=allow_custom_ops,
                      enable_select_tf_ops="SELECT_TF_OPS" in ops)
        return options, export, dataset

    def convert(self):
        """Converts the model; returns the .tflite as bytes. Raises ConverterError on failure."""
        options, export, dataset = self._options()
        package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        own_plugin_dir = os.path.normpath(os.path.join(package_dir, _paths.PLUGIN_DIR_RELATIVE))
        ok, payload, info, warnings = _tflc.convert(
            self._input_path, self._format, options, export["conversion_metadata"], export["allow_custom_ops"],
            export["enable_select_tf_ops"], [], own_plugin_dir, dataset)
        for w in warnings:
            sys.stderr.write(w if w.endswith("\n") else w + "\n")
        if not ok:
            raise ConverterError(payload)
        if info:
            sys.stderr.write(info)
        return payload


class TFLiteConverterV1(TFLiteConverter):
    """tf.compat.v1.lite.TFLiteConverter: TF1's argument names."""

    def __init__(self, input_path, fmt, options=None):
        super().__init__(input_path, fmt, options)
        self.inference_type = np.float32
        self.quantized_input_stats = {}
        self.default_ranges_stats = None
        self.drop_control_dependency = True
        self.reorder_across_fake_quant = False
        self.change_concat_input_ranges = False
        self.output_format = "TFLITE"
        self.dump_graphviz_dir = None
        self.dump_graphviz_video = False
        self.conversion_summary_dir = None
        self.post_training_quantize = False

    @classmethod
    def from_saved_model(cls, saved_model_dir, input_arrays=None, input_shapes=None, output_arrays=None,
                         tag_set=None, signature_key=None):
        conv = TFLiteConverter.from_saved_model.__func__(cls, saved_model_dir,
                                                         signature_keys=[signature_key] if signature_key else None,
                                                         tags=tag_set)
        if input_shapes is not None:
            if not isinstance(input_shapes, dict):
                raise ConverterError("input_shapes: expected a dict {input name: shape}, got %s" % _describe(input_shapes))
            names = _names("input_arrays", input_arrays) or list(input_shapes)
            conv._source_options["input_shapes"] = ":".join(
                ",".join("-1" if d is None else str(int(d)) for d in input_shapes[n]) for n in names)
        return conv
