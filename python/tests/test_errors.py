"""Wrong attribute values and bad samples raise tflc.lite.ConverterError (a ValueError) naming the
attribute, and for samples the sample index, the input, and expected vs got shape/dtype; failed
conversions carry the CLI's message."""
import subprocess

import numpy as np
import pytest

import tflc as tf

KERAS_H5 = "st_stmnist_v1/stmnist_v1.h5"  # input_1 [1, 28, 28, 1] float32


@pytest.fixture
def int8_converter(model):
    c = tf.lite.TFLiteConverter.from_keras_model(model(KERAS_H5))
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    return c


def good(i=0):
    return np.full((1, 28, 28, 1), 0.5, np.float32)


def raises(converter, *fragments):
    with pytest.raises(ValueError) as e:
        converter.convert()
    assert isinstance(e.value, tf.lite.ConverterError)
    for f in fragments:
        assert f in str(e.value), str(e.value)
    return str(e.value)


def test_converter_error_is_value_error():
    assert issubclass(tf.lite.ConverterError, ValueError)
    assert tf.compat.v1.lite.TFLiteConverter.from_frozen_graph  # TF1 names exist


def test_optimizations_string(int8_converter):
    int8_converter.optimizations = "DEFAULT"
    raises(int8_converter, "optimizations", "'DEFAULT' (str)")
    int8_converter.optimizations = ["DEFAULT"]
    raises(int8_converter, "optimizations", "tf.lite.Optimize.DEFAULT")


def test_unknown_ops_set(int8_converter):
    int8_converter.target_spec.supported_ops = ["TFLITE_BUILTINS_INT4"]
    raises(int8_converter, "target_spec.supported_ops", "TFLITE_BUILTINS_INT4", "OpsSet")


def test_supported_types_and_io_types(int8_converter):
    int8_converter.target_spec.supported_types = [np.complex64]
    raises(int8_converter, "target_spec.supported_types", "complex64")
    int8_converter.target_spec.supported_types = ["float16"]
    int8_converter.inference_input_type = np.float64
    raises(int8_converter, "inference_input_type", "float64")
    int8_converter.inference_input_type = None
    int8_converter.inference_output_type = 8
    raises(int8_converter, "inference_output_type")


def test_bool_attributes(int8_converter):
    int8_converter.allow_custom_ops = "yes"
    raises(int8_converter, "allow_custom_ops")


def test_non_callable_dataset(int8_converter):
    int8_converter.representative_dataset = [good()]
    raises(int8_converter, "representative_dataset", "callable", "list")


def test_dataset_not_a_generator(int8_converter):
    int8_converter.representative_dataset = lambda: 42
    raises(int8_converter, "representative_dataset", "not iterable")


def test_wrong_dtype_sample(int8_converter):
    def gen():
        yield [good()]
        yield [good()]
        yield [np.zeros((1, 28, 28, 1), np.float64)]
    int8_converter.representative_dataset = gen
    raises(int8_converter, "representative_dataset", "sample 2", "'input_1'", "float64", "float32")


def test_wrong_shape_sample(int8_converter):
    def gen():
        yield [good()]
        yield [np.zeros((1, 32, 32, 1), np.float32)]
    int8_converter.representative_dataset = gen
    raises(int8_converter, "representative_dataset", "sample 1", "'input_1'", "shape is (1, 32, 32, 1)", "(1, 28, 28, 1)")


def test_nan_sample(int8_converter):
    def gen():
        x = good()
        x[0, 3, 3, 0] = np.nan
        yield [x]
    int8_converter.representative_dataset = gen
    raises(int8_converter, "sample 0", "NaN")


def test_wrong_structure(int8_converter):
    int8_converter.representative_dataset = lambda: iter([[good(), good()]])
    raises(int8_converter, "sample 0", "2 arrays", "1 inputs")
    int8_converter.representative_dataset = lambda: iter([{"x": good()}])
    raises(int8_converter, "sample 0", "no array for input 'input_1'")
    int8_converter.representative_dataset = lambda: iter([])
    raises(int8_converter, "no samples")


def test_generator_exception_propagates(int8_converter):
    def gen():
        yield [good()]
        raise KeyError("from the user's generator")
    int8_converter.representative_dataset = gen
    with pytest.raises(KeyError, match="from the user's generator"):
        int8_converter.convert()


def test_samples_are_streamed(int8_converter):
    # The generator is consumed lazily while calibration runs: at most a few samples in flight.
    alive = {"n": 0, "max": 0}

    class Sample(np.ndarray):
        def __del__(self):
            alive["n"] -= 1

    def gen():
        for _ in range(64):
            x = good().view(Sample)
            alive["n"] += 1
            alive["max"] = max(alive["max"], alive["n"])
            yield [x]
    int8_converter.representative_dataset = gen
    assert int8_converter.convert()[4:8] == b"TFL3"
    assert alive["max"] <= 8, alive


def test_cli_message(model, tflc_bin, out_dir):
    # A failed conversion carries the message the CLI prints after "tflc: error: ".
    c = tf.lite.TFLiteConverter.from_keras_model(model(KERAS_H5))
    c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    msg = raises(c)
    r = subprocess.run([tflc_bin, "convert", "--keras_model_file", model(KERAS_H5), "--output_file",
                        str(out_dir / "x.tflite"), "--target_spec.supported_ops", "TFLITE_BUILTINS_INT8"],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert r.stderr.strip() == "tflc: error: " + msg


def test_missing_input():
    with pytest.raises(tf.lite.ConverterError, match="does not exist"):
        tf.lite.TFLiteConverter.from_saved_model("/nonexistent/saved_model").convert()


def test_live_objects_need_tensorflow():
    with pytest.raises(tf.lite.ConverterError, match="tf.saved_model.save"):
        tf.lite.TFLiteConverter.from_concrete_functions([object()])
    with pytest.raises(tf.lite.ConverterError, match="from_saved_model"):
        tf.lite.TFLiteConverter.experimental_from_jax([object()], [[("x", np.zeros(1))]])
    with pytest.raises(tf.lite.ConverterError, match="model.save"):
        tf.lite.TFLiteConverter.from_keras_model(object())
