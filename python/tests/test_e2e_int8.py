"""Full-integer quantization from a Python generator, run in the real TFLite runtime (the WASM
harness of tests/e2e) and compared with the float Keras model and the official converter's int8
file, as tests/quant does for the CLI (compare_quant.js --mode int8: mean cosine and argmax
agreement within the official file's, minus 0.01 / 3 points)."""
import subprocess

import numpy as np

import tflc as tf

KERAS_H5 = "st_stmnist_v1/stmnist_v1.h5"
OFFICIAL = "st_stmnist_v1/stmnist_v1_int8.tflite"  # uint8 -> float32, inputs in [0, 1]


def test_int8_from_generator_runs_in_tflite(model, e2e_dir, out_dir):
    h5, official = model(KERAS_H5), model(OFFICIAL)
    rng = np.random.default_rng(1)

    def representative_dataset():
        for _ in range(100):
            yield [rng.uniform(0, 1, size=(1, 28, 28, 1)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(h5)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.inference_input_type = tf.uint8
    candidate = out_dir / "model_int8.tflite"
    candidate.write_bytes(converter.convert())

    r = subprocess.run(["node", str(e2e_dir / "compare_quant.js"), h5, str(candidate), "--range=0,1",
                        "--samples", "32", "--seed", "1001", "--mode", "int8", "--official", official,
                        "--expect-input-type", "uint8", "--expect-output-type", "float32"],
                       capture_output=True, text=True, timeout=240)
    print(r.stdout)
    assert r.returncode == 0, r.stdout + r.stderr
