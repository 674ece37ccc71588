"""TensorFlow's own conversion examples, with only `import tensorflow as tf` changed to
`import tflc as tf` and the model paths / input shapes adapted to ../shared/models.

Sources (TF 2.x docs): https://www.tensorflow.org/lite/models/convert/convert_models,
https://www.tensorflow.org/lite/performance/post_training_quantization,
https://www.tensorflow.org/lite/performance/post_training_float16_quant,
https://www.tensorflow.org/lite/performance/post_training_integer_quant_16x8,
https://www.tensorflow.org/lite/guide/ops_select,
https://www.tensorflow.org/api_docs/python/tf/compat/v1/lite/TFLiteConverter.
"""
import os

import numpy as np
import pytest

import tflc as tf

SAVED_MODEL = "number_guesser_keras_savedmodel/saved_model"  # input [-1, 28, 28] float32 (a Keras MLP)
KERAS_H5 = "st_stmnist_v1/stmnist_v1.h5"                       # input [1, 28, 28, 1] float32
FROZEN = "tf2onnx_fc_layers_frozen/frozen.pb"                  # input X, output "output"


def is_tflite(b):
    return isinstance(b, bytes) and b[4:8] == b"TFL3"


@pytest.fixture(autouse=True)
def in_out_dir(out_dir, monkeypatch):
    monkeypatch.chdir(out_dir)  # the examples write model.tflite into the current directory


def test_convert_saved_model(model):
    saved_model_dir = model(SAVED_MODEL)
    # --- convert_models: "Convert a SavedModel (recommended)"
    # Convert the model
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir) # path to the SavedModel directory
    tflite_model = converter.convert()

    # Save the model.
    with open('model.tflite', 'wb') as f:
      f.write(tflite_model)
    # ---
    assert is_tflite(open('model.tflite', 'rb').read())


def test_convert_keras_model(model):
    # --- convert_models: "Convert a Keras model" (tflc takes the saved model file, not a live model)
    model = model(KERAS_H5)
    # Convert the model.
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    tflite_model = converter.convert()

    # Save the model.
    with open('model.tflite', 'wb') as f:
      f.write(tflite_model)
    # ---
    assert is_tflite(open('model.tflite', 'rb').read())


def test_dynamic_range_quantization(model):
    saved_model_dir = model(SAVED_MODEL)
    # --- post_training_quantization: "Dynamic range quantization"
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    tflite_quant_model = converter.convert()
    # ---
    assert is_tflite(tflite_quant_model)
    assert len(tflite_quant_model) < 0.4 * len(tf.lite.TFLiteConverter.from_saved_model(saved_model_dir).convert())


def test_float16_quantization(model):
    saved_model_dir = model(SAVED_MODEL)
    # --- post_training_quantization: "Float16 quantization"
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    tflite_quant_model = converter.convert()
    # ---
    assert is_tflite(tflite_quant_model)
    float_size = len(tf.lite.TFLiteConverter.from_saved_model(saved_model_dir).convert())
    assert len(tflite_quant_model) < 0.55 * float_size


def test_full_integer_quantization(model):
    saved_model_dir = model(SAVED_MODEL)
    # --- post_training_quantization: "Integer only" (shape (1, 244, 244, 3) -> this model's (1, 28, 28))
    def representative_dataset():
        for _ in range(100):
          data = np.random.rand(1, 28, 28)
          yield [data.astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8  # or tf.uint8
    converter.inference_output_type = tf.int8  # or tf.uint8
    tflite_quant_model = converter.convert()
    # ---
    assert is_tflite(tflite_quant_model)


def test_integer_with_float_fallback(model):
    saved_model_dir = model(SAVED_MODEL)
    # --- post_training_quantization: "Integer with float fallback (using default float input/output)"
    def representative_dataset():
        for _ in range(100):
          data = np.random.rand(1, 28, 28)
          yield [data.astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    tflite_quant_model = converter.convert()
    # ---
    assert is_tflite(tflite_quant_model)


def test_int16x8_quantization(model):
    saved_model_dir = model(SAVED_MODEL)
    # --- post_training_quantization: "Integer only: 16-bit activations with 8-bit weights"
    def representative_dataset():
        for _ in range(100):
          data = np.random.rand(1, 28, 28)
          yield [data.astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.representative_dataset = representative_dataset
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_ops = [tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
    tflite_quant_model = converter.convert()
    # ---
    assert is_tflite(tflite_quant_model)


def test_representative_dataset_object_and_dict_form(model):
    saved_model_dir = model(SAVED_MODEL)
    # tf.lite.RepresentativeDataset(gen), and samples as {input name: array} (signature models).
    def gen():
        for _ in range(10):
            yield {"flatten_input": np.random.rand(1, 28, 28).astype(np.float32)}

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = tf.lite.RepresentativeDataset(gen)
    assert is_tflite(converter.convert())


def test_select_tf_ops(model):
    saved_model_dir = model(SAVED_MODEL)
    # --- ops_select: "Convert a model"
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.target_spec.supported_ops = [
      tf.lite.OpsSet.TFLITE_BUILTINS, # enable TensorFlow Lite ops.
      tf.lite.OpsSet.SELECT_TF_OPS # enable TensorFlow ops.
    ]
    tflite_model = converter.convert()
    open("converted_model.tflite", "wb").write(tflite_model)
    # ---
    assert is_tflite(open("converted_model.tflite", "rb").read())


def test_compat_v1_from_frozen_graph(model):
    graph_def_file = model(FROZEN)
    # --- tf.compat.v1.lite.TFLiteConverter: "Converting a GraphDef from file."
    converter = tf.compat.v1.lite.TFLiteConverter.from_frozen_graph(
      graph_def_file, ["X"], ["output"])
    tflite_model = converter.convert()
    open("converted_model.tflite", "wb").write(tflite_model)
    # ---
    assert is_tflite(open("converted_model.tflite", "rb").read())
    # The TF2 class has the TF1 front doors too.
    assert tf.lite.TFLiteConverter.from_frozen_graph(graph_def_file, ["X"], ["output"]).convert() == tflite_model


def test_compat_v1_from_keras_model_file(model):
    keras_file = model(KERAS_H5)
    # --- tf.compat.v1.lite.TFLiteConverter: "Converting a tf.keras model from file."
    converter = tf.compat.v1.lite.TFLiteConverter.from_keras_model_file(keras_file)
    tflite_model = converter.convert()
    open("converted_model.tflite", "wb").write(tflite_model)
    # ---
    assert tflite_model == tf.lite.TFLiteConverter.from_keras_model(keras_file).convert()


def test_experimental_flags_are_accepted(model):
    converter = tf.lite.TFLiteConverter.from_keras_model(model(KERAS_H5))
    plain = converter.convert()
    converter.experimental_new_converter = True
    converter.experimental_new_quantizer = True
    converter._experimental_lower_tensor_list_ops = False
    converter._experimental_anything_new = 1
    assert converter.convert() == plain
    assert os.path.exists(model(KERAS_H5))
