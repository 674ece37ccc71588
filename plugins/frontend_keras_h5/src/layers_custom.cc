// Custom (user-defined) Keras layers: a .h5 / .keras file holds their class name, config and
// weights, never their code. Each call becomes one claimable source node `keras.<Class>` that a
// Keras layer plugin lowers like any TF op (docs/writing-a-plugin.md, "Keras layers"):
//   inputs   the call's tensors (positional first), then the layer's weights as constants in the
//            file's order; attribute `_keras_weights` names them relative to the layer;
//   attrs    every config key (numbers, strings and their lists as such, anything else as JSON
//            text), plus `_keras_config` (raw JSON), `_keras_class`, `_keras_module`,
//            `_keras_registered_name`, `_keras_call`, `_keras_version`, `_keras_inputs`;
//   outputs  as many as the model uses; their shapes come from the claimant's source-domain opset
//            entry (host Node_InferShape), checked against the shapes Keras 3 records, or - with
//            --allow_custom_ops and no claimant - from the shapes Keras 3 records.
#include <algorithm>
#include <optional>

#include "layer_class.h"
#include "layers.h"

namespace tflc::keras {

namespace {

bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// The class name without a registered package ("my_pkg>TransformerBlock" → "TransformerBlock").
std::string BareClass(const LayerDef& l) {
  std::string c = l.class_name;
  const size_t gt = c.rfind('>');
  return gt == std::string::npos ? c : c.substr(gt + 1);
}

// A config value as a node attribute (nullopt: left out).
std::optional<Attr> ConfigAttr(const std::string& key, const Json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_boolean()) return Attr::Bool(key, v.get<bool>());
  if (v.is_number_integer()) return Attr::Int(key, v.get<int64_t>());
  if (v.is_number()) return Attr::Float(key, v.get<double>());
  if (v.is_string()) return Attr::Str(key, v.get<std::string>());
  if (v.is_array()) {
    if (v.empty()) return std::nullopt;
    bool ints = true, nums = true, strs = true;
    for (const auto& e : v) {
      ints = ints && e.is_number_integer();
      nums = nums && e.is_number();
      strs = strs && e.is_string();
    }
    if (ints) return Attr::Ints(key, v.get<std::vector<int64_t>>());
    if (nums) return Attr::Floats(key, v.get<std::vector<double>>());
    if (strs) return Attr::Strs(key, v.get<std::vector<std::string>>());
  }
  return Attr::Str(key, v.dump());
}

// The weight's name relative to the layer: legacy H5 "transformer_block/sequential/dense/kernel:0"
// → "sequential/dense/kernel"; .keras "layers/transformer_block/ffn/layers/dense/vars/0" →
// "ffn/layers/dense/vars/0".
std::string RelativeWeightName(const std::string& name, const std::string& layer, const std::string& where,
                               bool keras_zip) {
  std::string n = name;
  if (keras_zip) {
    if (StartsWith(n, where + "/")) n = n.substr(where.size() + 1);
    return n;
  }
  if (n.size() > 2 && n.compare(n.size() - 2, 2, ":0") == 0) n.resize(n.size() - 2);
  // Drop everything up to the layer's own name component.
  const std::string probe = "/" + n;
  const size_t at = probe.rfind("/" + layer + "/");
  if (at != std::string::npos) n = probe.substr(at + layer.size() + 2);
  return n;
}

}  // namespace

std::string CustomLayerOp(const LayerDef& layer) { return "keras." + BareClass(layer); }

Status ConvertCustomLayer(LayerContext& ctx, CustomLayerUse& use, std::vector<Tensor>* out) {
  const LayerDef& l = ctx.layer();
  const std::string op = CustomLayerOp(l);
  std::vector<ValueView> inputs;
  for (const Tensor& t : ctx.tensors()) inputs.push_back(t.value);
  const size_t num_data = inputs.size();

  // The weights, as stored.
  TFLC_ASSIGN_OR_RETURN(const LayerWeights* w, ctx.OwnWeights());
  std::vector<std::string> weight_names;
  const bool zip = w->where().rfind("model_weights/", 0) != 0;  // .keras: "layers/<key>"
  for (size_t k = 0; k < w->size(); ++k) {
    const std::string rel = RelativeWeightName(w->refs()[k].name, l.name, w->where(), zip);
    weight_names.push_back(rel);
    Shape dims;
    TFLC_ASSIGN_OR_RETURN(ValueView c, ctx.CustomWeight(k, ctx.scope() + "/" + rel, &dims));
    inputs.push_back(c);
  }

  std::vector<Attr> attrs;
  const Json& cfg = l.config;
  if (cfg.is_object()) {
    for (const auto& [key, v] : cfg.items()) {
      if (key.empty() || key[0] == '_') continue;
      if (auto a = ConfigAttr(key, v)) attrs.push_back(*a);
    }
  }
  attrs.push_back(Attr::Str("_keras_config", cfg.dump()));
  attrs.push_back(Attr::Str("_keras_class", l.class_name));
  if (!l.module.empty()) attrs.push_back(Attr::Str("_keras_module", l.module));
  if (!l.registered_name.empty()) attrs.push_back(Attr::Str("_keras_registered_name", l.registered_name));
  attrs.push_back(Attr::Str("_keras_call", Json{{"args", ctx.call_args()}, {"kwargs", ctx.call_kwargs()}}.dump()));
  attrs.push_back(Attr::Str("_keras_version", ctx.keras_version()));
  attrs.push_back(Attr::Int("_keras_inputs", static_cast<int64_t>(num_data)));
  attrs.push_back(Attr::Strs("_keras_weights", weight_names));

  const size_t num_outputs = std::max<size_t>(1, use.num_outputs);
  TFLC_ASSIGN_OR_RETURN(NodeView node, ctx.em().Node(ctx.scope(), op, inputs, attrs, num_outputs, "call"));

  // Output shapes: the claimant's shape function, else what Keras 3 recorded.
  Status shaped = node.InferShape();
  const bool claimed = shaped.ok();
  if (!shaped.ok() && shaped.code() != TFLC_CODE_NOT_FOUND) {
    // The plugin refused the layer (or failed): its message says why.
    return shaped.WithContext("the plugin that claims " + op);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    const std::optional<Shape>& recorded = i < use.recorded.size() ? use.recorded[i] : std::nullopt;
    ValueView v = node.output(i);
    if (claimed) {
      if (!v.has_shape() || v.type() == TFLC_TYPE_UNKNOWN)
        return Internal("the shape function of " + op + " left output " + std::to_string(i) + " without a shape");
      const Shape got = v.dims();
      if (recorded) {
        bool agree = recorded->size() == got.size();
        for (size_t d = 1; agree && d < got.size(); ++d)
          agree = (*recorded)[d] < 0 || (*recorded)[d] == got[d];
        if (!agree)
          return InvalidArgument("the plugin that claims " + op + " gives output " + std::to_string(i) + " the shape " +
                                 ShapeStr(got) + ", but the file records " + ShapeStr(*recorded) +
                                 " for it; the plugin does not implement this layer as the model uses it");
      }
      out->push_back(Tensor{v, got, v.type()});
      continue;
    }
    if (!use.allow_custom_ops || !recorded) {
      // No claimant (or no shape to go on): the converter reports every such layer at the end.
      use.unclaimed = true;
      out->clear();
      return OkStatus();
    }
    Shape s = *recorded;
    if (!s.empty()) s[0] = ctx.tensors().empty() || ctx.tensors()[0].shape.empty() ? 1 : ctx.tensors()[0].shape[0];
    for (size_t d = 1; d < s.size(); ++d) {
      if (s[d] < 0)
        return InvalidArgument("with --allow_custom_ops the output shape of this custom layer must be known, and the "
                               "file records " + ShapeStr(*recorded) + " for output " + std::to_string(i) +
                               "; give the unknown input dimensions with --input_shapes, or lower the layer with a "
                               "Keras layer plugin");
    }
    TflcDataType t = TFLC_TYPE_FLOAT32;
    if (i < use.recorded_dtype.size() && !use.recorded_dtype[i].empty() && use.recorded_dtype[i] != "float32") {
      const std::string& d = use.recorded_dtype[i];
      t = d == "int32" ? TFLC_TYPE_INT32 : d == "int64" ? TFLC_TYPE_INT64 : d == "bool" ? TFLC_TYPE_BOOL : TFLC_TYPE_UNKNOWN;
      if (t == TFLC_TYPE_UNKNOWN)
        return Unimplemented("output " + std::to_string(i) + " has dtype '" + d + "', which a custom op here cannot carry");
    }
    TFLC_RETURN_IF_ERROR(v.SetShape(t, s));
    out->push_back(Tensor{v, s, t});
  }
  return OkStatus();
}

}  // namespace tflc::keras
