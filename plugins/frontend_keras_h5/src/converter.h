// Walks a Keras model config and emits the source graph (docs/ir-contract.md).
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_CONVERTER_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_CONVERTER_H_

#include <map>
#include <optional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "emitter.h"
#include "keras_file.h"
#include "model_config.h"
#include "weights.h"

namespace tflc::keras {

// A Keras tensor while converting: the graph value plus the shape Keras would give it, with the
// batch dimension set to 1 (-1 = unknown).
struct Tensor {
  ValueView value;
  Shape shape;
  TflcDataType dtype = TFLC_TYPE_FLOAT32;
  int rank() const { return static_cast<int>(shape.size()); }
};

class Converter;

// What a layer converter sees for one call of one layer.
class LayerContext {
 public:
  // `tensors`: every tensor the call reads (LayerDef::nodes order); `call` its arguments.
  LayerContext(Converter* conv, const LayerDef& layer, LayerChain chain, std::string scope, std::vector<Tensor> tensors,
               const CallArgs* call);

  const LayerDef& layer() const { return layer_; }
  // The model that owns this layer (nullptr for a layer wrapped by another one).
  const ModelDef* model() const { return chain_.empty() ? nullptr : chain_.back().first; }
  const std::string& name() const { return layer_.name; }
  const Json& config() const { return layer_.config; }
  // Node-name prefix: the layer name, inside nested models "<model>/<layer>".
  const std::string& scope() const { return scope_; }
  // The tensors of the positional arguments (of the keyword arguments when there are none): what
  // most layers take as their input(s).
  const std::vector<Tensor>& inputs() const { return inputs_; }
  const Tensor& in(size_t i = 0) const { return inputs_[i]; }
  // Every tensor the call reads, positional first; index i is {"__tflc_tensor__": i} in args/kwargs.
  const std::vector<Tensor>& tensors() const { return tensors_; }
  // The call's arguments (model_config.h CallArgs): for layers called with keyword tensors
  // (MultiHeadAttention's value/key/attention_mask) and TF-op / Keras 3 operation layers.
  const Json& call_args() const { return call_->args; }
  const Json& call_kwargs() const { return call_->kwargs; }
  // The argument at position `pos` or keyword `name` (Keras' call signature), flattened so that a
  // single list first argument (Keras 2 [query, value] or Keras 3 [[q, v]]) counts as positions:
  // a tensor → its Tensor; absent or null → nullopt; anything else → an error naming the argument.
  StatusOr<std::optional<Tensor>> TensorArg(size_t pos, const std::string& name) const;
  // The argument at position `pos` or keyword `name` as written (null Json when absent).
  Json Arg(size_t pos, const std::string& name) const;
  Emitter& em();
  int keras_major() const;
  // The writer's keras_version ("2.8.0", "3.6.0"; "1" when the file does not say).
  const std::string& keras_version() const;
  // keras_version as (major, minor); minor 0 when absent.
  std::pair<int, int> keras_major_minor() const;

  // ---- config access: a missing or null key gives the default; a wrong type is an error ----
  bool Has(const std::string& key) const;
  StatusOr<int64_t> Int(const std::string& key, int64_t dflt) const;
  StatusOr<double> Float(const std::string& key, double dflt) const;
  StatusOr<bool> Bool(const std::string& key, bool dflt) const;
  StatusOr<std::string> Str(const std::string& key, const std::string& dflt) const;
  // An int or a list of `n` ints ("kernel_size": 3 or [3, 3]).
  StatusOr<std::vector<int64_t>> IntTuple(const std::string& key, size_t n, int64_t dflt) const;
  // "data_format" must be channels_last (TFLite is NHWC).
  Status RequireChannelsLast() const;

  // ---- checks ----
  Status ExpectInputs(size_t n) const;
  Status ExpectRank(const Tensor& t, int rank, const char* what) const;
  // Fails when a dimension this layer needs is unknown.
  Status RequireStatic(const Tensor& t, const char* why) const;

  // ---- weights ----
  // Declares the layer's weights in Keras order ("kernel", "bias") and matches them to the file.
  Status BindWeights(const std::vector<std::string>& roles);
  // A weight as a graph constant (read once per layer, shared by every call of a shared layer).
  StatusOr<ValueView> Weight(const std::string& role, const Shape& expected, const Shape* const_dims = nullptr);
  // A weight read into memory, for constants computed here.
  StatusOr<std::vector<float>> WeightData(const std::string& role, const Shape& expected);

  // ---- emission shorthands (node names "<scope>/<Op>") ----
  StatusOr<ValueView> Op(const std::string& op, const std::vector<ValueView>& inputs, const std::vector<Attr>& attrs,
                         const std::string& name_hint = "");
  StatusOr<ValueView> ConstI32(const std::string& base, const Shape& dims, const std::vector<int32_t>& v);
  StatusOr<ValueView> ConstF32(const std::string& base, const Shape& dims, const std::vector<float>& v);
  StatusOr<ValueView> ScalarF32(const std::string& base, float v) { return ConstF32(base, {}, {v}); }
  StatusOr<ValueView> Reshape(const ValueView& x, const Shape& to, const std::string& name_hint = "");

  // Custom layers: weight k of OwnWeights() as a constant of its stored shape (*dims), named
  // `const_name`, read once per layer.
  StatusOr<ValueView> CustomWeight(size_t k, const std::string& const_name, Shape* dims);

  // ---- wrapped layers (Bidirectional, TimeDistributed) ----
  // This layer's weights as the file lists them (for a wrapper: its wrapped layers', in Keras order).
  StatusOr<const LayerWeights*> OwnWeights();
  // Runs the converter of `inner` (a layer config held by this wrapper layer; the caller keeps it
  // alive during the call) on `inputs` as one call of its own, with node names "<scope>/<inner
  // name>" and `weights` (a part of OwnWeights()) as its weights. Errors name the wrapped layer.
  Status CallWrapped(const LayerDef& inner, const std::vector<Tensor>& inputs, LayerWeights weights,
                     std::vector<Tensor>* outputs);

  // Records the shape of an emitted value (lowerings run before the host's shape inference and
  // may need it). Op() does this itself for elementwise ops whose inputs have known shapes; layer
  // outputs are recorded by the converter; converters call this for other intermediate values.
  Status SetShape(const ValueView& v, const Shape& shape, TflcDataType type = TFLC_TYPE_FLOAT32);

 private:
  Status WeightError(const Status& s) const;

  Converter* conv_;
  const LayerDef& layer_;
  LayerChain chain_;
  std::string scope_;
  std::vector<Tensor> tensors_;
  std::vector<Tensor> inputs_;
  const CallArgs* call_;
  LayerWeights* weights_ = nullptr;
};

// A layer converter: emits the ops of one call and returns the call's output tensors.
using LayerFn = Status (*)(LayerContext& ctx, std::vector<Tensor>* outputs);

// The converter for a layer entry of the config, or nullptr (layers.cc holds the tables). Dispatch
// is on the class name and, where the file records it, the module (a Keras 3 operation layer
// `keras.src.ops.numpy` / `Add` is not the layer `keras.layers` / `Add`).
LayerFn FindLayerConverter(const LayerDef& layer);

// A call of a custom layer (layers_custom.cc): what the model's config says of its outputs.
struct CustomLayerUse {
  size_t num_outputs = 1;                       // outputs the model uses (1 + highest index)
  std::vector<std::optional<Shape>> recorded;   // per output: the shape Keras 3 recorded, if any
  std::vector<std::string> recorded_dtype;      // per output: its recorded dtype, if any
  bool allow_custom_ops = false;
  bool unclaimed = false;  // set: no plugin claims the class (or no shape to go on); no outputs
};

class Converter {
 public:
  Converter(const KerasFile& file, Emitter& em) : file_(file), em_(em) {}

  // Emits the whole model: graph inputs, ops, graph outputs.
  Status Run(const ModelDef& top);
  // --input_shapes: one shape per model input (empty: none given).
  void set_input_shapes(std::vector<std::vector<int64_t>> shapes) { input_shapes_ = std::move(shapes); }
  // --allow_custom_ops: custom layers no plugin claims become custom ops (shapes from the file).
  void set_allow_custom_ops(bool on) { allow_custom_ops_ = on; }

  // Used by LayerContext.
  Emitter& em() { return em_; }
  const KerasFile& file() const { return file_; }
  StatusOr<LayerWeights*> WeightsFor(const LayerChain& chain);
  // Makes `w` the weights of `chain` (a wrapped layer) unless it has some already.
  void AdoptWeights(const LayerChain& chain, LayerWeights w);
  StatusOr<ValueView> CachedWeight(const LayerChain& chain, LayerWeights& w, const std::string& role,
                                   const Shape& expected, const Shape* const_dims);
  StatusOr<ValueView> CachedCustomWeight(const LayerChain& chain, const LayerWeights& w, size_t k,
                                         const std::string& const_name, Shape* dims);

 private:
  struct Scope {
    const ModelDef* model = nullptr;
    std::string prefix;      // "" at top level, "<nested model>" (or deeper) inside nested models
    LayerChain parent;       // the chain of the nested-model layers leading here
    std::map<std::pair<std::string, int>, std::vector<Tensor>> done;
    std::set<std::pair<std::string, int>> active;  // nodes being computed (cycle guard)
    // Calls whose value cannot be computed because an unclaimed custom layer feeds them.
    std::set<std::pair<std::string, int>> poisoned;
  };

  StatusOr<std::vector<Tensor>> RunModel(Scope& scope, const std::vector<Tensor>& inputs);
  StatusOr<Tensor> Resolve(Scope& scope, const TensorRef& ref);
  StatusOr<const std::vector<Tensor>*> RunNode(Scope& scope, const LayerDef& layer, int node);
  StatusOr<Tensor> AddGraphInput(const LayerDef& input, size_t index, size_t count);
  // Calls of custom layers: how many outputs the model uses and the shapes Keras 3 recorded.
  CustomLayerUse CustomUse(const Scope& scope, const LayerDef& layer, int node) const;
  void NoteUnclaimed(const std::string& scoped_name, const LayerDef& layer);
  void NoteUnsupported(const std::string& scoped_name, const LayerDef& layer);
  bool ClaimedClass(const LayerDef& layer);
  std::vector<std::vector<int64_t>> input_shapes_;
  bool allow_custom_ops_ = false;
  // Custom layers no plugin claims ("layer 'x' (class ...)"), reported together at the end.
  std::vector<std::string> unclaimed_;
  // Stock layer classes tflc has no converter for ("layer 'x' (class Lambda)").
  std::vector<std::string> unsupported_;
  // Layers whose converter refused them (UNIMPLEMENTED: a configuration or Lambda tflc does not
  // support), as messages naming the layer.
  std::vector<std::string> refused_;

  const KerasFile& file_;
  Emitter& em_;
  std::map<std::string, std::unique_ptr<LayerWeights>> weights_;
  std::map<std::string, ValueView> consts_;
};

// The error for custom layers no plugin claims: every such layer, why, and what to do.
std::string UnclaimedLayersMessage(const std::vector<std::string>& layers, bool allow_custom_ops);

// Shared helpers for layer converters (layers_*.cc).
std::string ShapeStr(const Shape& s);
// Applies a Keras activation (a name, or a Keras 3 serialized function / dict) to x.
StatusOr<Tensor> ApplyActivation(LayerContext& ctx, const Tensor& x, const Json& activation);
// The Keras name of an activation config value ("relu"); "linear" for null.
StatusOr<std::string> ActivationName(const Json& activation);
// Keras conv_utils.conv_output_length.
int64_t ConvOutputLength(int64_t in, int64_t kernel, const std::string& padding, int64_t stride, int64_t dilation);

}  // namespace tflc::keras

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_CONVERTER_H_
