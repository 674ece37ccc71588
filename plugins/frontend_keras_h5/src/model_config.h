// The Keras model config (the model_config attribute / config.json) as a graph of layer calls.
//
// Both config dialects are normalized here, so the converter sees one form:
//  - Keras 2 (tf.keras / standalone): inbound_nodes = [[[layer, node, tensor, kwargs], ...], ...];
//  - Keras 3: inbound_nodes = [{"args": [...__keras_tensor__...], "kwargs": {...}}, ...];
//  - Sequential models (with or without an InputLayer) become a chain with an explicit input layer.
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_MODEL_CONFIG_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_MODEL_CONFIG_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tflc/sdk/status.h"

namespace tflc::keras {

using Json = nlohmann::json;

// A reference to one output tensor of one call (node) of a layer.
struct TensorRef {
  std::string layer;
  int node = 0;
  int tensor = 0;
  // Keras 3 records each tensor's shape and dtype where it is used (`__keras_tensor__` config):
  // [None → -1, ...] and "float32"; unset in Keras 2 configs.
  bool has_shape = false;
  std::vector<int64_t> shape = {};
  std::string dtype = {};
};

struct ModelDef;

// The arguments of one call of a layer, both dialects in one form. Keras tensors are replaced by
// {"__tflc_tensor__": i}, i indexing the call's tensors (LayerDef::nodes[k]); other values stay as
// the file wrote them (numbers, lists, Keras 3 {"class_name": "__numpy__" | "__slice__" | ...}).
//  - Keras 2: args = [the first argument as serialized: one tensor, or a list of tensors and
//    constants (a "_CONSTANT_VALUE" leaf becomes its value)]; kwargs = the leaves' kwargs dict,
//    where 3-item [layer, node, tensor] lists are tensors (Keras' own rule).
//  - Keras 3: args / kwargs as written.
struct CallArgs {
  Json args = Json::array();
  Json kwargs = Json::object();
  // nodes[k][0 .. num_positional) are the tensors in `args` (depth first), the rest are in kwargs.
  size_t num_positional = 0;
};

// True for {"__tflc_tensor__": i}; *index = i.
bool IsTensorSlot(const Json& j, size_t* index = nullptr);

struct LayerDef {
  std::string class_name;
  std::string name;
  // Where the file says the class comes from (Keras 3 and tf.keras .keras configs; empty when the
  // entry has no such key, as in legacy H5): "keras.layers", "keras.src.ops.numpy", "qkeras.qlayers".
  std::string module;
  std::string registered_name;              // "QDense", "qkeras>QDense", "Functional"; empty if absent
  Json config;                              // the layer's "config" object
  std::vector<std::vector<TensorRef>> nodes;  // tensors each call reads, in call order (args, kwargs)
  std::vector<CallArgs> calls;              // the arguments of each call (parallel to `nodes`)
  std::unique_ptr<ModelDef> model;          // set when the layer is itself a model (nested)
  bool is_input = false;                    // InputLayer (real or synthesized for a Sequential)
  std::vector<int64_t> batch_shape;         // InputLayer: [-1 or batch, dims...] (-1 = None)
  std::string dtype = "float32";            // InputLayer: input dtype name
};

struct ModelDef {
  std::string class_name;  // Sequential, Functional, Model
  std::string name;
  std::vector<LayerDef> layers;
  std::map<std::string, size_t> index;  // layer name → position in `layers`
  std::vector<TensorRef> inputs;
  std::vector<TensorRef> outputs;
  // The model declares its input (an InputLayer, or a Sequential whose first layer has
  // batch_input_shape): Keras then builds it with an internal node 0 of its own.
  bool declared_input = false;

  const LayerDef* Find(const std::string& layer_name) const {
    auto it = index.find(layer_name);
    return it == index.end() ? nullptr : &layers[it->second];
  }
};

// True for the class names that denote a model (Sequential / Functional / Model).
bool IsModelClass(const std::string& class_name);

// Parses {"class_name": ..., "config": {...}}. Messages do not include the file path.
// `keras_major` decides how calls of nested models are numbered in the config: Keras 2 leaves out
// the internal node 0 of every built nested model (the first call is node 1), Keras 3 does so for
// nested Functional models only. References are rewritten to positions in LayerDef::nodes.
StatusOr<std::unique_ptr<ModelDef>> ParseModelConfig(const Json& model_config, int keras_major = 2);

// Keras "dtype" config values: a string, or a Keras 3 DTypePolicy dict → its name ("float32").
std::string DtypeName(const Json& dtype);

}  // namespace tflc::keras

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_MODEL_CONFIG_H_
