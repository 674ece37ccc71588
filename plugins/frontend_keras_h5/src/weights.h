// Finding a layer's weights in the file and reading them (docs/keras-layers.md, KERAS.md A).
//
//  - Legacy .h5: /model_weights/<top-level layer>/ lists its weights in the `weight_names` attr;
//    each name is a dataset path relative to that group. A layer inside nested models shares the
//    outermost nested model's group and owns the weights whose names designate it best (its name
//    a component, enclosing model names scored). Weights are matched to roles ("kernel", "bias",
//    ...) by their last component (without ":0"), or by position when the names follow no known
//    scheme (Keras 1).
//  - .keras: <dir>/<key>/vars/<i> with <dir> `layers` (Keras 3, tf.keras 2.15) or
//    `_layer_checkpoint_dependencies` (tf.keras 2.13/2.14) and <key> the unique snake_case class
//    name as the writer counted it (2.13 counts layers with variables twice); a vars group's
//    `name` attr (Keras >= 3.6) decides when present; '\\' in link names reads as '/' (Windows).
//    Children such as `cell/vars/<i>` follow the layer's own vars; by position.
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_WEIGHTS_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_WEIGHTS_H_

#include <string>
#include <utility>
#include <vector>

#include "emitter.h"
#include "keras_file.h"
#include "model_config.h"

namespace tflc::keras {

// The path from the top-level model to a layer: (owning model, layer) at each nesting level.
using LayerChain = std::vector<std::pair<const ModelDef*, const LayerDef*>>;

struct WeightRef {
  std::string name;  // as Keras names it ("dense/kernel:0", "layers/dense/vars/0")
  std::string path;  // dataset path relative to the weights root (.keras: may hold '\\', see weights.cc)
};

// The weights of one layer, bound to the roles its converter declares.
class LayerWeights {
 public:
  LayerWeights() = default;
  LayerWeights(const KerasFile* file, std::string layer_name, std::string where, std::vector<WeightRef> refs,
               bool by_position)
      : file_(file), layer_(std::move(layer_name)), where_(std::move(where)), refs_(std::move(refs)),
        by_position_(by_position) {}

  // Binds roles (in Keras weight order) to the file's weights; checks that the counts agree.
  Status Bind(const std::vector<std::string>& roles);
  bool has(const std::string& role) const;

  // Reads a weight straight into a new host constant (no intermediate copy). `expected` is the
  // shape the layer config implies (checked); `const_dims` (same element count) is the shape the
  // constant gets, default `expected`.
  StatusOr<ValueView> ReadConst(Emitter& em, const std::string& const_name, const std::string& role,
                                const Shape& expected, const Shape* const_dims = nullptr) const;
  // Custom layers: weight k (refs() order) as a constant of the shape the file stores.
  StatusOr<ValueView> ReadConstAt(Emitter& em, const std::string& const_name, size_t k, Shape* dims) const;
  StatusOr<Shape> StoredShape(size_t k) const;
  // Reads a weight into memory (for constants the frontend computes, e.g. folded batch norm).
  StatusOr<std::vector<float>> ReadData(const std::string& role, const Shape& expected) const;

  // How Keras would name the weight of `role` ("dense_1/kernel:0") for messages.
  std::string DisplayName(const std::string& role) const;

  // Wrapper layers (Bidirectional, TimeDistributed): the file lists the wrapped layers' weights
  // under the wrapper, in Keras order. size() counts them; Slice() is weights [begin, begin + n)
  // (fewer when the file has fewer) as the weights of the wrapped layer `layer_name`, unbound.
  size_t size() const { return refs_.size(); }
  LayerWeights Slice(size_t begin, size_t n, const std::string& layer_name) const;
  // Where the layer's weights were looked for ("model_weights/dense_1", "layers/dense") and what
  // was found there (for tests and messages).
  const std::string& where() const { return where_; }
  const std::vector<WeightRef>& refs() const { return refs_; }

 private:
  StatusOr<const WeightRef*> Find(const std::string& role) const;
  Status Read(const WeightRef& ref, const std::string& role, const Shape& expected, float* out) const;
  // The file offset of the weight's bytes when they can be used in place (a contiguous, unfiltered
  // little-endian float32 dataset of a legacy .h5 on disk), or -1. Shape errors are reported.
  StatusOr<int64_t> InPlaceOffset(const WeightRef& ref, const std::string& role, const Shape& expected) const;
  // Bind() for roles of sub-layers ("query/kernel"; MultiHeadAttention): see weights.cc.
  Status BindSubLayers(const std::vector<std::string>& listed, const std::string& file_desc);
  // After binding: every role has a weight and no weight of the file is left over.
  Status CheckBound(const std::vector<bool>& used, const std::vector<std::string>& listed,
                    const std::string& file_desc) const;

  const KerasFile* file_ = nullptr;
  std::string layer_;
  std::string where_;  // "model_weights/dense_1" / "layers/dense" for messages
  std::vector<WeightRef> refs_;
  bool by_position_ = false;
  std::vector<std::string> roles_;
  std::vector<int> bound_;  // roles_[i] → index into refs_
};

// Resolves a layer's weight list.
// `whole_tree` (custom layers, whose sub-objects are unknown): a .keras layer's weights include
// those of Sequential/Functional objects it holds.
StatusOr<LayerWeights> FindLayerWeights(const KerasFile& file, const LayerChain& chain, bool whole_tree = false);

// Keras 3's naming.to_snake_case.
std::string SnakeCase(const std::string& class_name);

}  // namespace tflc::keras

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_WEIGHTS_H_
