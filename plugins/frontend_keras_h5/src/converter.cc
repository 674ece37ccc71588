#include "converter.h"

#include <algorithm>

#include "layer_class.h"
#include "layers.h"

namespace tflc::keras {

std::string ShapeStr(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ",";
    out += s[i] < 0 ? std::string("?") : std::to_string(s[i]);
  }
  return out + "]";
}

int64_t ConvOutputLength(int64_t in, int64_t kernel, const std::string& padding, int64_t stride, int64_t dilation) {
  if (in < 0) return -1;
  const int64_t dilated = (kernel - 1) * dilation + 1;
  int64_t out = in;
  if (padding == "valid") out = in - dilated + 1;
  else if (padding == "full") out = in + dilated - 1;
  return (out + stride - 1) / stride;
}

// ============================== LayerContext ==============================

namespace {

std::string Brief(const Json& j) {
  std::string s = j.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

}  // namespace

LayerContext::LayerContext(Converter* conv, const LayerDef& layer, LayerChain chain, std::string scope,
                           std::vector<Tensor> tensors, const CallArgs* call)
    : conv_(conv), layer_(layer), chain_(std::move(chain)), scope_(std::move(scope)), tensors_(std::move(tensors)),
      call_(call) {
  const size_t n = call_->num_positional > 0 ? std::min(call_->num_positional, tensors_.size()) : tensors_.size();
  inputs_.assign(tensors_.begin(), tensors_.begin() + static_cast<std::ptrdiff_t>(n));
}

Json LayerContext::Arg(size_t pos, const std::string& name) const {
  const Json& args = call_->args;
  // A single list first argument holds the positional inputs ([query, value, key] / [a, b]).
  if (args.is_array() && args.size() == 1 && args[0].is_array()) {
    if (pos < args[0].size()) return args[0][pos];
  } else if (args.is_array() && pos < args.size()) {
    return args[pos];
  }
  const Json& kw = call_->kwargs;
  if (kw.is_object() && kw.contains(name)) return kw[name];
  return Json();
}

StatusOr<std::optional<Tensor>> LayerContext::TensorArg(size_t pos, const std::string& name) const {
  Json a = Arg(pos, name);
  if (a.is_null()) return std::optional<Tensor>();
  size_t i = 0;
  if (!IsTensorSlot(a, &i) || i >= tensors_.size())
    return InvalidArgument("call argument '" + name + "' is " + Brief(a) + ", expected a Keras tensor");
  return std::optional<Tensor>(tensors_[i]);
}

Emitter& LayerContext::em() { return conv_->em(); }
int LayerContext::keras_major() const { return conv_->file().keras_major; }
const std::string& LayerContext::keras_version() const { return conv_->file().keras_version; }
std::pair<int, int> LayerContext::keras_major_minor() const {
  const std::string& v = keras_version();
  const size_t dot = v.find('.');
  int minor = 0;
  if (dot != std::string::npos) {
    for (size_t i = dot + 1; i < v.size() && v[i] >= '0' && v[i] <= '9' && minor < 100000; ++i)
      minor = minor * 10 + (v[i] - '0');
  }
  return {keras_major(), minor};
}

bool LayerContext::Has(const std::string& key) const {
  return layer_.config.contains(key) && !layer_.config[key].is_null();
}

StatusOr<int64_t> LayerContext::Int(const std::string& key, int64_t dflt) const {
  if (!Has(key)) return dflt;
  const Json& v = layer_.config[key];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>())))
    return static_cast<int64_t>(v.get<double>());
  if (v.is_array() && v.size() == 1 && v[0].is_number_integer()) return v[0].get<int64_t>();
  return InvalidArgument("config '" + key + "' is " + Brief(v) + ", expected an integer");
}

StatusOr<double> LayerContext::Float(const std::string& key, double dflt) const {
  if (!Has(key)) return dflt;
  const Json& v = layer_.config[key];
  if (v.is_number()) return v.get<double>();
  return InvalidArgument("config '" + key + "' is " + Brief(v) + ", expected a number");
}

StatusOr<bool> LayerContext::Bool(const std::string& key, bool dflt) const {
  if (!Has(key)) return dflt;
  const Json& v = layer_.config[key];
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>() != 0;
  return InvalidArgument("config '" + key + "' is " + Brief(v) + ", expected true or false");
}

StatusOr<std::string> LayerContext::Str(const std::string& key, const std::string& dflt) const {
  if (!Has(key)) return dflt;
  const Json& v = layer_.config[key];
  if (v.is_string()) return v.get<std::string>();
  return InvalidArgument("config '" + key + "' is " + Brief(v) + ", expected a string");
}

StatusOr<std::vector<int64_t>> LayerContext::IntTuple(const std::string& key, size_t n, int64_t dflt) const {
  if (!Has(key)) return std::vector<int64_t>(n, dflt);
  const Json& v = layer_.config[key];
  if (v.is_number_integer()) return std::vector<int64_t>(n, v.get<int64_t>());
  if (v.is_array() && (v.size() == n || v.size() == 1)) {
    std::vector<int64_t> out;
    for (const auto& e : v) {
      if (!e.is_number_integer())
        return InvalidArgument("config '" + key + "' is " + Brief(v) + ", expected " + std::to_string(n) + " integers");
      out.push_back(e.get<int64_t>());
    }
    if (out.size() == 1 && n > 1) out.assign(n, out[0]);
    return out;
  }
  return InvalidArgument("config '" + key + "' is " + Brief(v) + ", expected " + std::to_string(n) + " integers");
}

Status LayerContext::RequireChannelsLast() const {
  TFLC_ASSIGN_OR_RETURN(std::string df, Str("data_format", "channels_last"));
  if (df != "channels_last")
    return Unimplemented("data_format '" + df + "' is not supported (TFLite is channels_last/NHWC); "
                         "rebuild the model with data_format='channels_last'");
  return OkStatus();
}

Status LayerContext::ExpectInputs(size_t n) const {
  if (inputs_.size() != n)
    return InvalidArgument("expects " + std::to_string(n) + " input(s), the model config gives it " +
                           std::to_string(inputs_.size()));
  return OkStatus();
}

Status LayerContext::ExpectRank(const Tensor& t, int rank, const char* what) const {
  if (t.rank() != rank)
    return InvalidArgument(std::string("expects a rank-") + std::to_string(rank) + " input (" + what + "), got shape " +
                           ShapeStr(t.shape));
  return OkStatus();
}

Status LayerContext::RequireStatic(const Tensor& t, const char* why) const {
  for (int64_t d : t.shape)
    if (d < 0)
      return Unimplemented("input shape " + ShapeStr(t.shape) + " has an unknown dimension, which " + why +
                           " needs; give the model's input shapes with --input_shapes (e.g. a time axis of any "
                           "length: --input_shapes=1,60,3), or re-create the model with a fixed input shape "
                           "(Input(shape=...))");
  return OkStatus();
}

// Weight problems read "layer 'dense_1': weight 'dense_1/kernel:0' ..." (the weight names the rest).
Status LayerContext::WeightError(const Status& s) const {
  if (s.ok()) return s;
  std::string msg = "layer '" + scope_ + "': " + s.message();
  // A legacy .h5 records only the class name (KERAS.md A.4): weights that do not fit the stock
  // layer may mean a user class that shares its name.
  if (layer_.module.empty() && conv_->file().kind == FileKind::kHdf5 &&
      (s.code() == TFLC_CODE_INVALID_ARGUMENT || s.code() == TFLC_CODE_NOT_FOUND))
    msg += " (if '" + layer_.name + "' is a user-defined class that shares the name of the stock Keras layer " +
           layer_.class_name + ", tflc cannot convert it: replace it with stock Keras layers before saving, or "
           "convert a SavedModel export of the model with --saved_model_dir)";
  return Status(s.code(), msg);
}

Status LayerContext::BindWeights(const std::vector<std::string>& roles) {
  auto w = conv_->WeightsFor(chain_);
  if (!w.ok()) return WeightError(w.status());
  weights_ = *w;
  return WeightError(weights_->Bind(roles));
}

StatusOr<ValueView> LayerContext::Weight(const std::string& role, const Shape& expected, const Shape* const_dims) {
  if (!weights_) return Internal("weights used before BindWeights");
  auto v = conv_->CachedWeight(chain_, *weights_, role, expected, const_dims);
  if (!v.ok()) return WeightError(v.status());
  return v;
}

StatusOr<std::vector<float>> LayerContext::WeightData(const std::string& role, const Shape& expected) {
  if (!weights_) return Internal("weights used before BindWeights");
  auto v = weights_->ReadData(role, expected);
  if (!v.ok()) return WeightError(v.status());
  return v;
}

StatusOr<const LayerWeights*> LayerContext::OwnWeights() {
  auto w = conv_->WeightsFor(chain_);
  if (!w.ok()) return WeightError(w.status());
  return static_cast<const LayerWeights*>(*w);
}

StatusOr<ValueView> LayerContext::CustomWeight(size_t k, const std::string& const_name, Shape* dims) {
  auto w = conv_->WeightsFor(chain_);
  if (!w.ok()) return WeightError(w.status());
  auto v = conv_->CachedCustomWeight(chain_, **w, k, const_name, dims);
  if (!v.ok()) return WeightError(v.status());
  return v;
}

Status LayerContext::CallWrapped(const LayerDef& inner, const std::vector<Tensor>& inputs, LayerWeights weights,
                                 std::vector<Tensor>* outputs) {
  const std::string where = "wrapped layer '" + inner.name + "' (" + inner.class_name + ")";
  LayerFn fn = FindLayerConverter(inner);
  if (!fn)
    return Unimplemented(where + ": layer class " + inner.class_name + " is not supported inside " +
                         layer_.class_name);
  CallArgs call;
  call.args = Json::array();
  for (size_t i = 0; i < inputs.size(); ++i) call.args.push_back(Json{{"__tflc_tensor__", i}});
  if (inputs.size() > 1) call.args = Json::array({call.args});
  call.num_positional = inputs.size();
  LayerChain chain = chain_;
  chain.emplace_back(nullptr, &inner);
  conv_->AdoptWeights(chain, std::move(weights));
  LayerContext inner_ctx(conv_, inner, chain, scope_ + "/" + inner.name, inputs, &call);
  Status s = fn(inner_ctx, outputs);
  if (!s.ok()) return s.WithContext(where);
  for (const auto& t : *outputs) {
    if (t.value && !t.value.has_shape() && t.value.producer()) {
      Status st = t.value.SetShape(t.dtype, t.shape);
      if (!st.ok()) return st.WithContext(where);
    }
  }
  return OkStatus();
}

namespace {

// Ops whose output has the broadcast shape of their (float) inputs.
bool IsElementwise(const std::string& op) {
  static const char* const kOps[] = {"Relu", "Relu6", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus", "Softsign",
                                     "Exp", "Neg", "Abs", "Softmax", "LogSoftmax", "LeakyRelu", "Mul", "AddV2",
                                     "Sub", "RealDiv", "Maximum", "Minimum", "BiasAdd", "Greater", "Cast",
                                     "Identity", "tflc.Gelu", "tflc.PRelu"};
  for (const char* k : kOps)
    if (op == k) return true;
  return false;
}

}  // namespace

Status LayerContext::SetShape(const ValueView& v, const Shape& shape, TflcDataType type) {
  if (!v || v.has_shape() || !v.producer()) return OkStatus();
  return v.SetShape(type, shape);
}

StatusOr<ValueView> LayerContext::Op(const std::string& op, const std::vector<ValueView>& inputs,
                                     const std::vector<Attr>& attrs, const std::string& name_hint) {
  TFLC_ASSIGN_OR_RETURN(ValueView out, em().Op(scope_, op, inputs, attrs, name_hint));
  if (IsElementwise(op) && !inputs.empty()) {
    Shape s;
    bool known = true;
    TflcDataType type = inputs[0].has_shape() ? inputs[0].type() : TFLC_TYPE_UNKNOWN;
    for (const auto& in : inputs) {
      if (!in.has_shape()) { known = false; break; }
      Shape b;
      if (!BroadcastShapes(s, in.dims(), &b)) { known = false; break; }
      s = b;
    }
    if (op == "Greater") type = TFLC_TYPE_BOOL;
    if (op == "Cast") {
      for (const auto& a : attrs)
        if (a.name == "DstT") type = static_cast<TflcDataType>(a.i);
    }
    if (known && type != TFLC_TYPE_UNKNOWN) TFLC_RETURN_IF_ERROR(SetShape(out, s, type));
  }
  return out;
}

StatusOr<ValueView> LayerContext::ConstI32(const std::string& base, const Shape& dims, const std::vector<int32_t>& v) {
  return em().ConstI32(scope_, base, dims, v);
}

StatusOr<ValueView> LayerContext::ConstF32(const std::string& base, const Shape& dims, const std::vector<float>& v) {
  return em().ConstF32(scope_, base, dims, v);
}

StatusOr<ValueView> LayerContext::Reshape(const ValueView& x, const Shape& to, const std::string& name_hint) {
  std::vector<int32_t> s(to.begin(), to.end());
  TFLC_ASSIGN_OR_RETURN(ValueView shape, ConstI32((name_hint.empty() ? "Reshape" : name_hint) + "/shape",
                                                  {static_cast<int64_t>(s.size())}, s));
  TFLC_ASSIGN_OR_RETURN(ValueView y, Op("Reshape", {x, shape}, {Attr::T(), Attr::Type("Tshape", TFLC_TYPE_INT32)}, name_hint));
  bool known = true;
  for (int64_t d : to) known = known && d >= 0;
  if (known) TFLC_RETURN_IF_ERROR(SetShape(y, to, x.has_shape() ? x.type() : TFLC_TYPE_FLOAT32));
  return y;
}

// ================================ Converter ================================

namespace {

std::string ChainKey(const LayerChain& chain) {
  std::string k;
  for (const auto& [m, l] : chain) k += (k.empty() ? "" : "/") + l->name;
  return k;
}

StatusOr<TflcDataType> InputType(const LayerDef& input) {
  const std::string& d = input.dtype;
  if (d == "float32" || d == "float16" || d == "bfloat16" || d == "float64" || d.rfind("mixed_", 0) == 0)
    return TFLC_TYPE_FLOAT32;
  if (d == "int32") return TFLC_TYPE_INT32;
  if (d == "int64") return TFLC_TYPE_INT64;
  if (d == "int8") return TFLC_TYPE_INT8;
  if (d == "uint8") return TFLC_TYPE_UINT8;
  if (d == "int16") return TFLC_TYPE_INT16;
  if (d == "bool") return TFLC_TYPE_BOOL;
  return Unimplemented("input layer '" + input.name + "' has dtype '" + d + "', which is not supported");
}

}  // namespace

StatusOr<LayerWeights*> Converter::WeightsFor(const LayerChain& chain) {
  const std::string key = ChainKey(chain);
  auto it = weights_.find(key);
  if (it != weights_.end()) return it->second.get();
  // A custom layer's weights include those of the models it holds (its code, which would say
  // what they are, is not in the file).
  const bool custom = ClassifyLayer(*chain.back().second).origin == LayerOrigin::kCustom;
  TFLC_ASSIGN_OR_RETURN(LayerWeights w, FindLayerWeights(file_, chain, custom));
  auto& slot = weights_[key];
  slot = std::make_unique<LayerWeights>(std::move(w));
  return slot.get();
}

void Converter::AdoptWeights(const LayerChain& chain, LayerWeights w) {
  auto& slot = weights_[ChainKey(chain)];
  if (!slot) slot = std::make_unique<LayerWeights>(std::move(w));
}

StatusOr<ValueView> Converter::CachedWeight(const LayerChain& chain, LayerWeights& w, const std::string& role,
                                            const Shape& expected, const Shape* const_dims) {
  const std::string base = ChainKey(chain) + "/" + role;
  std::string key = base + ShapeStr(const_dims ? *const_dims : expected);
  auto it = consts_.find(key);
  if (it != consts_.end()) return it->second;
  TFLC_ASSIGN_OR_RETURN(ValueView v, w.ReadConst(em_, base, role, expected, const_dims));
  consts_[key] = v;
  return v;
}

StatusOr<ValueView> Converter::CachedCustomWeight(const LayerChain& chain, const LayerWeights& w, size_t k,
                                                  const std::string& const_name, Shape* dims) {
  const std::string key = ChainKey(chain) + "/#" + std::to_string(k);
  auto it = consts_.find(key);
  if (it != consts_.end()) {
    *dims = it->second.dims();
    return it->second;
  }
  TFLC_ASSIGN_OR_RETURN(ValueView v, w.ReadConstAt(em_, const_name, k, dims));
  consts_[key] = v;
  return v;
}

namespace {

// The converter for a layer: none for a custom class, whatever its class name (a user class called
// `Add` is not keras.layers.Add).
LayerFn ConverterFor(const LayerDef& layer) {
  if (ClassifyLayer(layer).origin == LayerOrigin::kCustom) return nullptr;
  return FindLayerConverter(layer);
}

}  // namespace

StatusOr<Tensor> Converter::AddGraphInput(const LayerDef& input, size_t index, size_t count) {
  TFLC_ASSIGN_OR_RETURN(TflcDataType type, InputType(input));
  Shape dims = input.batch_shape;
  if (dims.empty()) return InvalidArgument("input layer '" + input.name + "' has a scalar shape; Keras inputs have a batch dimension");
  // An unknown batch becomes 1, kept as -1 in the input's shape_signature (as TF's converter does).
  std::vector<int64_t> declared;
  bool open = false;
  for (int64_t d : dims) open = open || d < 0;
  if (open) declared = dims;
  dims[0] = 1;
  // --input_shapes fixes the other unknown dimensions (a time axis of any length); the declared
  // shape keeps them open (-1) in shape_signature.
  if (!input_shapes_.empty()) {
    if (input_shapes_.size() != count)
      return InvalidArgument("--input_shapes gives " + std::to_string(input_shapes_.size()) + " shape(s) for a model with " +
                             std::to_string(count) + " input(s) (one per input, in order, separated by ':')");
    const std::vector<int64_t>& given = input_shapes_[index];
    if (given.size() != dims.size())
      return InvalidArgument("--input_shapes: shape " + std::to_string(index + 1) + " has " + std::to_string(given.size()) +
                             " dimensions, input '" + input.name + "' has " + std::to_string(dims.size()) + " " +
                             ShapeStr(input.batch_shape));
    for (size_t k = 0; k < dims.size(); ++k) {
      if (input.batch_shape[k] >= 0 && given[k] != input.batch_shape[k])
        return InvalidArgument("--input_shapes: input '" + input.name + "' has shape " + ShapeStr(input.batch_shape) +
                               "; dimension " + std::to_string(k) + " is " + std::to_string(input.batch_shape[k]) +
                               ", not " + std::to_string(given[k]));
      dims[k] = given[k];
    }
  }
  TFLC_ASSIGN_OR_RETURN(ValueView v, em_.graph().Input("serving_default_" + input.name + ":0", type, dims, input.name,
                                                       declared));
  return Tensor{v, dims, type};
}

CustomLayerUse Converter::CustomUse(const Scope& scope, const LayerDef& layer, int node) const {
  CustomLayerUse use;
  use.allow_custom_ops = allow_custom_ops_;
  int highest = 0;
  auto see = [&](const TensorRef& r) {
    if (r.layer != layer.name || r.node != node || r.tensor < 0) return;
    highest = std::max(highest, r.tensor);
    const size_t t = static_cast<size_t>(r.tensor);
    if (use.recorded.size() <= t) {
      use.recorded.resize(t + 1);
      use.recorded_dtype.resize(t + 1);
    }
    if (r.has_shape && !use.recorded[t]) use.recorded[t] = r.shape;
    if (!r.dtype.empty() && use.recorded_dtype[t].empty()) use.recorded_dtype[t] = r.dtype;
  };
  for (const auto& l : scope.model->layers)
    for (const auto& refs : l.nodes)
      for (const auto& r : refs) see(r);
  for (const auto& r : scope.model->outputs) see(r);
  use.num_outputs = static_cast<size_t>(highest) + 1;
  return use;
}

void Converter::NoteUnclaimed(const std::string& scoped_name, const LayerDef& layer) {
  const std::string entry = "layer '" + scoped_name + "': " + ClassifyLayer(layer).description;
  if (std::find(unclaimed_.begin(), unclaimed_.end(), entry) == unclaimed_.end()) unclaimed_.push_back(entry);
}

void Converter::NoteUnsupported(const std::string& scoped_name, const LayerDef& layer) {
  const std::string entry = "layer '" + scoped_name + "' (class " + layer.class_name + ")";
  if (std::find(unsupported_.begin(), unsupported_.end(), entry) == unsupported_.end()) unsupported_.push_back(entry);
}

// Whether a loaded plugin describes keras.<Class> (a source-domain opset entry): asked with a
// probe node that has no inputs, made only when the conversion fails anyway.
bool Converter::ClaimedClass(const LayerDef& layer) {
  auto probe = em_.graph().Source(CustomLayerOp(layer), em_.UniqueName("tflc_probe", layer.name), {}, 1);
  return probe.ok() && probe->opset_entry() != nullptr;
}

std::string UnclaimedLayersMessage(const std::vector<std::string>& layers, bool allow_custom_ops) {
  std::string m = std::to_string(layers.size()) + " custom Keras layer" + (layers.size() > 1 ? "s" : "") +
                  " that no loaded plugin implements:";
  for (const auto& l : layers) m += "\n  " + l;
  m += "\nA .h5/.keras file stores a custom layer's class name, config and weights, never its code, so tflc cannot "
       "know what the layer computes. What to do: (1) load a Keras layer plugin that implements the class "
       "(--plugin_dir DIR; a plugin claims the source op keras.<Class>: docs/writing-a-plugin.md, \"Keras layers\"); "
       "or (2) export a SavedModel, which carries the traced graph (model.export(\"dir\") in Keras 3, "
       "tf.saved_model.save(model, \"dir\") in tf.keras) and convert it with --saved_model_dir";
  if (allow_custom_ops)
    m += "; --allow_custom_ops cannot make custom ops of these layers because the file does not record their output "
         "shapes (legacy .h5 files never do; Keras 3 .keras files record the shapes of tensors that feed other layers)";
  else
    m += "; or (3) convert with --allow_custom_ops to emit them as custom ops keras.<Class> (the layer config as a "
         "FlexBuffer map, the weights as inputs) that your app implements (this needs their output shapes, which Keras "
         "3 .keras files record where the outputs feed other layers)";
  return m + ".";
}

Status Converter::Run(const ModelDef& top) {

  Scope scope;
  scope.model = &top;
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < top.inputs.size(); ++i) {
    const auto& ref = top.inputs[i];
    const LayerDef* l = top.Find(ref.layer);
    if (!l || !l->is_input) return InvalidArgument("model input '" + ref.layer + "' is not an InputLayer");
    TFLC_ASSIGN_OR_RETURN(Tensor t, AddGraphInput(*l, i, top.inputs.size()));
    inputs.push_back(t);
  }
  TFLC_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, RunModel(scope, inputs));
  // Every layer tflc cannot convert, in one message (one line each, custom layers last).
  if (!unsupported_.empty() || !refused_.empty() || !unclaimed_.empty()) {
    std::string msg;
    if (!unsupported_.empty()) {
      for (const auto& u : unsupported_) msg += u + ", ";
      msg.resize(msg.size() - 2);
      msg += unsupported_.size() > 1 ? ": stock Keras layers" : ": a stock Keras layer";
      msg += " tflc does not support yet; file an issue asking for support of these layers, or convert a SavedModel "
             "export of the model (model.export(\"dir\") in Keras 3, tf.saved_model.save(model, \"dir\") in "
             "tf.keras) with --saved_model_dir";
    }
    for (const auto& r : refused_) msg += (msg.empty() ? "" : "\n") + r;
    if (!unclaimed_.empty()) msg += (msg.empty() ? "" : "\n") + UnclaimedLayersMessage(unclaimed_, allow_custom_ops_);
    return Unimplemented(msg);
  }

  std::set<std::string> used_names;
  std::set<TflcValue*> used_values;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string& layer = top.outputs[i].layer;
    std::string name = layer;
    for (int k = 1; used_names.count(name); ++k) name = layer + "_" + std::to_string(k);
    used_names.insert(name);
    ValueView v = outputs[i].value;
    // A graph output must be produced by its own node: an input or a repeated value gets an Identity.
    if (!v.producer() || used_values.count(v.get())) {
      TFLC_ASSIGN_OR_RETURN(v, em_.Op(layer, "Identity", {v}, {Attr::T(outputs[i].dtype)}));
      TFLC_RETURN_IF_ERROR(v.SetShape(outputs[i].dtype, outputs[i].shape));
    }
    used_values.insert(v.get());
    TFLC_RETURN_IF_ERROR(em_.graph().Output(v, name));
  }
  return OkStatus();
}

StatusOr<std::vector<Tensor>> Converter::RunModel(Scope& scope, const std::vector<Tensor>& inputs) {
  const ModelDef& m = *scope.model;
  if (inputs.size() != m.inputs.size())
    return InvalidArgument("model '" + m.name + "' takes " + std::to_string(m.inputs.size()) + " input(s), called with " +
                           std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) scope.done[{m.inputs[i].layer, m.inputs[i].node}] = {inputs[i]};

  // Which nodes feed the outputs (iteratively, so deep models cannot exhaust the stack).
  std::set<std::pair<std::string, int>> needed;
  std::vector<TensorRef> stack(m.outputs.begin(), m.outputs.end());
  while (!stack.empty()) {
    TensorRef r = stack.back();
    stack.pop_back();
    if (!needed.insert({r.layer, r.node}).second) continue;
    const LayerDef* l = m.Find(r.layer);
    if (!l) return InvalidArgument("model '" + m.name + "' refers to unknown layer '" + r.layer + "'");
    if (r.node >= 0 && static_cast<size_t>(r.node) < l->nodes.size())
      for (const auto& in : l->nodes[static_cast<size_t>(r.node)]) stack.push_back(in);
  }
  // Emit in config order (topological in saved models), so recursion in Resolve stays shallow.
  for (const auto& l : m.layers) {
    for (size_t k = 0; k < l.nodes.size(); ++k) {
      if (!needed.count({l.name, static_cast<int>(k)})) continue;
      TFLC_RETURN_IF_ERROR(RunNode(scope, l, static_cast<int>(k)).status());
    }
  }
  std::vector<Tensor> outs;
  for (const auto& r : m.outputs) {
    TFLC_ASSIGN_OR_RETURN(Tensor t, Resolve(scope, r));
    outs.push_back(t);
  }
  return outs;
}

StatusOr<Tensor> Converter::Resolve(Scope& scope, const TensorRef& ref) {
  const LayerDef* l = scope.model->Find(ref.layer);
  if (!l) return InvalidArgument("model '" + scope.model->name + "' refers to unknown layer '" + ref.layer + "'");
  TFLC_ASSIGN_OR_RETURN(const std::vector<Tensor>* outs, RunNode(scope, *l, ref.node));
  if (scope.poisoned.count({ref.layer, ref.node})) return Tensor{};  // a layer that cannot be converted, or fed by one
  if (ref.tensor < 0 || static_cast<size_t>(ref.tensor) >= outs->size())
    return InvalidArgument("layer '" + ref.layer + "' call " + std::to_string(ref.node) + " has no output " +
                           std::to_string(ref.tensor));
  return (*outs)[static_cast<size_t>(ref.tensor)];
}

StatusOr<const std::vector<Tensor>*> Converter::RunNode(Scope& scope, const LayerDef& layer, int node) {
  const auto key = std::make_pair(layer.name, node);
  auto it = scope.done.find(key);
  if (it != scope.done.end()) return &it->second;
  const std::string where = "layer '" + (scope.prefix.empty() ? layer.name : scope.prefix + "/" + layer.name) +
                            "' (" + (layer.model ? layer.model->class_name : layer.class_name) + ")";
  if (layer.is_input)
    return InvalidArgument("input layer '" + layer.name + "' is used but is not an input of model '" +
                           scope.model->name + "'");
  if (node < 0 || static_cast<size_t>(node) >= layer.nodes.size())
    return InvalidArgument(where + ": the model config refers to its call " + std::to_string(node) + ", but it has " +
                           std::to_string(layer.nodes.size()));
  if (!scope.active.insert(key).second)
    return InvalidArgument(where + ": the model config has a cycle through this layer");

  std::vector<Tensor> inputs;
  for (const auto& r : layer.nodes[static_cast<size_t>(node)]) {
    auto t = Resolve(scope, r);
    if (!t.ok()) {
      scope.active.erase(key);
      return t.status();
    }
    inputs.push_back(std::move(t).value());
  }

  LayerChain chain = scope.parent;
  chain.emplace_back(scope.model, &layer);
  const std::string node_scope = scope.prefix.empty() ? layer.name : scope.prefix + "/" + layer.name;
  std::vector<Tensor> outputs;
  // A value that a layer tflc cannot convert would compute is unknown: so is everything it feeds
  // (the conversion fails at the end, naming every such layer).
  const bool poisoned = std::any_of(inputs.begin(), inputs.end(), [](const Tensor& t) { return !t.value; });
  const bool custom = !layer.model && ClassifyLayer(layer).origin == LayerOrigin::kCustom;
  if (poisoned) {
    scope.poisoned.insert(key);
    // Still name the layers that would fail on their own, so one error lists them all.
    if (custom && !ClaimedClass(layer)) {
      NoteUnclaimed(node_scope, layer);
    } else if (!custom && !layer.model && !ConverterFor(layer)) {
      NoteUnsupported(node_scope, layer);
    }
  } else if (custom) {
    static const CallArgs kNoArgs;
    const CallArgs* call = static_cast<size_t>(node) < layer.calls.size() ? &layer.calls[static_cast<size_t>(node)] : &kNoArgs;
    LayerContext ctx(this, layer, chain, node_scope, inputs, call);
    CustomLayerUse use = CustomUse(scope, layer, node);
    Status s = ConvertCustomLayer(ctx, use, &outputs);
    if (!s.ok()) {
      scope.active.erase(key);
      return s.WithContext(where);
    }
    if (use.unclaimed) {
      scope.poisoned.insert(key);
      NoteUnclaimed(node_scope, layer);
    }
  } else if (layer.model) {
    Scope inner;
    inner.model = layer.model.get();
    inner.prefix = node_scope;
    inner.parent = chain;
    auto outs = RunModel(inner, inputs);
    if (!outs.ok()) {
      scope.active.erase(key);
      return outs.status();
    }
    outputs = std::move(outs).value();
  } else {
    LayerFn fn = ConverterFor(layer);
    if (!fn) {
      // A stock layer tflc does not support: reported at the end with the others.
      scope.active.erase(key);
      scope.poisoned.insert(key);
      NoteUnsupported(node_scope, layer);
      return &scope.done[key];
    }
    if (inputs.empty()) return InvalidArgument(where + ": the call has no input tensors");
    static const CallArgs kNoArgs;
    const CallArgs* call = static_cast<size_t>(node) < layer.calls.size() ? &layer.calls[static_cast<size_t>(node)] : &kNoArgs;
    LayerContext ctx(this, layer, chain, node_scope, inputs, call);
    Status s = fn(ctx, &outputs);
    if (!s.ok()) {
      scope.active.erase(key);
      // Messages from nested calls already name their layer.
      if (s.message().rfind("layer '", 0) != 0) s = s.WithContext(where);
      if (s.code() != TFLC_CODE_UNIMPLEMENTED) return s;
      // A layer (or configuration, or Lambda) tflc does not support: listed at the end with the
      // others; what it feeds is skipped.
      if (std::find(refused_.begin(), refused_.end(), s.message()) == refused_.end()) refused_.push_back(s.message());
      scope.poisoned.insert(key);
      return &scope.done[key];
    }
  }
  scope.active.erase(key);
  // Record every output's Keras shape on its value (lowerings run before host shape inference).
  for (const auto& t : outputs) {
    if (t.value && !t.value.has_shape() && t.value.producer()) {
      Status s = t.value.SetShape(t.dtype, t.shape);
      if (!s.ok()) return s.WithContext(where);
    }
  }
  auto& slot = scope.done[key];
  slot = std::move(outputs);
  return &slot;
}

}  // namespace tflc::keras
