"""Python and the CLI give byte-identical files for the same model and options (the same
host::Convert runs behind both; CONVERSION_METADATA records the source format, the optimization
modes and the custom/select-ops flags, none of which depends on the front door)."""
import subprocess

import numpy as np
import pytest

import tflc as tf

KERAS_H5 = "st_stmnist_v1/stmnist_v1.h5"        # input_1 [1, 28, 28, 1]
SAVED_MODEL = "number_guesser_keras_savedmodel/saved_model"  # flatten_input [-1, 28, 28]
KERAS3 = "stock_lstm_keras3/lstm_model.keras"


def cli(tflc_bin, out, *args):
    r = subprocess.run([tflc_bin, "convert", "--output_file", str(out), *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out.read_bytes()


def samples(shape, n=24, seed=7):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, size=(n,) + shape).astype(np.float32)


def test_float(model, tflc_bin, out_dir):
    path = model(KERAS_H5)
    assert tf.lite.TFLiteConverter.from_keras_model(path).convert() == \
        cli(tflc_bin, out_dir / "cli.tflite", "--keras_model_file", path)


def test_keras3_archive_without_metadata(model, tflc_bin, out_dir):
    path = model(KERAS3)
    c = tf.lite.TFLiteConverter.from_keras_model(path)
    c.exclude_conversion_metadata = True
    assert c.convert() == cli(tflc_bin, out_dir / "cli.tflite", "--keras_model_file", path,
                              "--exclude_conversion_metadata")


def test_float16_saved_model(model, tflc_bin, out_dir):
    path = model(SAVED_MODEL)
    c = tf.lite.TFLiteConverter.from_saved_model(path)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    c.target_spec.supported_types = [tf.lite.constants.FLOAT16]
    assert c.convert() == cli(tflc_bin, out_dir / "cli.tflite", "--saved_model_dir", path, "--optimizations", "DEFAULT",
                              "--target_spec.supported_types", "float16")


@pytest.mark.parametrize("form", ["list", "dict"])
def test_full_integer_with_dataset(model, tflc_bin, out_dir, form):
    path = model(KERAS_H5)
    x = samples((1, 28, 28, 1))
    np.savez(out_dir / "calib.npz", input_1=x[:, 0])  # the CLI's file: samples on the first axis

    def representative_dataset():
        for s in x:
            yield [s] if form == "list" else {"input_1": s}

    c = tf.lite.TFLiteConverter.from_keras_model(path)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    c.representative_dataset = representative_dataset
    c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    c.inference_input_type = np.uint8
    c.inference_output_type = "float32"
    got = c.convert()
    want = cli(tflc_bin, out_dir / "cli.tflite", "--keras_model_file", path, "--optimizations", "DEFAULT",
               "--representative_dataset", str(out_dir / "calib.npz"),
               "--target_spec.supported_ops", "TFLITE_BUILTINS_INT8", "--inference_input_type", "uint8")
    assert got == want


def test_int16x8_with_bias_correction_default(model, tflc_bin, out_dir):
    # 16x8 records channel means too (bias correction): sums, order-independent across workers.
    path = model(SAVED_MODEL)
    x = samples((1, 28, 28), n=16, seed=3)
    np.savez(out_dir / "calib.npz", flatten_input=x)
    c = tf.lite.TFLiteConverter.from_saved_model(path)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    c.representative_dataset = lambda: ([s] for s in x)
    c.target_spec.supported_ops = {tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8}
    got = c.convert()
    want = cli(tflc_bin, out_dir / "cli.tflite", "--saved_model_dir", path, "--optimizations", "DEFAULT",
               "--representative_dataset", str(out_dir / "calib.npz"), "--target_spec.supported_ops",
               "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8")
    assert got == want
