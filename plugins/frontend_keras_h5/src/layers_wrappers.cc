// Bidirectional and TimeDistributed: wrappers that run another layer's converter
// (reference: Keras layers/rnn/bidirectional.py, layers/rnn/time_distributed.py).
#include "layers.h"

namespace tflc::keras {

namespace {

// The wrapped layer of a wrapper's config key `key` ({"class_name", "config"[, "module",
// "registered_name"]}, both dialects) as a LayerDef; `name` overrides the config's name when set.
StatusOr<LayerDef> WrappedLayer(const Json& entry, const std::string& key, const std::string& name = "") {
  if (!entry.is_object() || !entry.contains("class_name") || !entry["class_name"].is_string() ||
      !entry.contains("config") || !entry["config"].is_object())
    return InvalidArgument("config '" + key + "' must be a layer ({\"class_name\": ..., \"config\": {...}})");
  LayerDef d;
  d.class_name = entry["class_name"].get<std::string>();
  d.config = entry["config"];
  if (entry.contains("module") && entry["module"].is_string()) d.module = entry["module"].get<std::string>();
  if (entry.contains("registered_name") && entry["registered_name"].is_string())
    d.registered_name = entry["registered_name"].get<std::string>();
  d.name = !name.empty() ? name
           : d.config.contains("name") && d.config["name"].is_string() ? d.config["name"].get<std::string>()
                                                                        : d.class_name;
  return d;
}

bool IsRecurrent(const std::string& c) { return c == "LSTM" || c == "GRU" || c == "SimpleRNN"; }

// The number of weights a recurrent layer config has: kernel, recurrent_kernel[, bias].
size_t RecurrentWeightCount(const Json& config) {
  bool use_bias = true;
  if (config.contains("use_bias") && config["use_bias"].is_boolean()) use_bias = config["use_bias"].get<bool>();
  return use_bias ? 3 : 2;
}

bool ConfigBool(const Json& config, const char* key, bool dflt) {
  return config.contains(key) && config[key].is_boolean() ? config[key].get<bool>() : dflt;
}

}  // namespace

// Bidirectional(layer, merge_mode, backward_layer): the forward layer and a backward copy (Keras 3
// writes it as `backward_layer`; tf.keras without one re-creates the layer with go_backwards
// negated), the backward sequence flipped back along time when return_sequences, then merged.
// Weights: the forward layer's, then the backward layer's.
Status ConvertBidirectional(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(RefuseImplicitMask(ctx));
  const Json& cfg = ctx.config();
  if (!cfg.contains("layer")) return InvalidArgument("config 'layer' (the wrapped RNN) is missing");
  TFLC_ASSIGN_OR_RETURN(LayerDef fwd, WrappedLayer(cfg["layer"], "layer"));
  if (!IsRecurrent(fwd.class_name))
    return Unimplemented("wrapped layer class " + fwd.class_name + " is not supported (LSTM, GRU or SimpleRNN)");
  fwd.name = "forward_" + fwd.name;
  LayerDef bwd;
  if (ctx.Has("backward_layer")) {
    TFLC_ASSIGN_OR_RETURN(bwd, WrappedLayer(cfg["backward_layer"], "backward_layer"));
    if (!IsRecurrent(bwd.class_name))
      return Unimplemented("backward layer class " + bwd.class_name + " is not supported (LSTM, GRU or SimpleRNN)");
    if (bwd.name == fwd.name.substr(8)) bwd.name = "backward_" + bwd.name;
  } else {
    TFLC_ASSIGN_OR_RETURN(bwd, WrappedLayer(cfg["layer"], "layer"));
    bwd.name = "backward_" + bwd.name;
    // Keras 3 sets go_backwards (and always saves backward_layer); tf.keras negates it.
    bwd.config["go_backwards"] = ctx.keras_major() >= 3 || !ConfigBool(bwd.config, "go_backwards", false);
  }
  const bool return_sequences = ConfigBool(fwd.config, "return_sequences", false);
  const bool return_state = ConfigBool(fwd.config, "return_state", false);
  if (ConfigBool(bwd.config, "return_sequences", false) != return_sequences ||
      ConfigBool(bwd.config, "return_state", false) != return_state)
    return InvalidArgument("the backward layer must have the forward layer's return_sequences and return_state");
  if (ConfigBool(fwd.config, "time_major", false))
    return Unimplemented("time_major=True is not supported; feed [batch, time, features] with time_major=False");
  std::string merge_mode = "concat";
  if (cfg.contains("merge_mode")) {
    if (cfg["merge_mode"].is_null()) merge_mode = "";
    else { TFLC_ASSIGN_OR_RETURN(merge_mode, ctx.Str("merge_mode", "concat")); }
  }
  if (!merge_mode.empty() && merge_mode != "concat" && merge_mode != "sum" && merge_mode != "mul" &&
      merge_mode != "ave")
    return InvalidArgument("merge_mode '" + merge_mode + "' is not one of concat, sum, mul, ave or null");
  const Json& kw = ctx.call_kwargs();
  const bool has_init = kw.is_object() && ((kw.contains("initial_state") && !kw["initial_state"].is_null()) ||
                                           (kw.contains("constants") && !kw["constants"].is_null()));
  if (ctx.inputs().size() != 1 || has_init)
    return Unimplemented("initial states or constants passed to Bidirectional are not supported");
  if (kw.is_object() && kw.contains("mask") && !kw["mask"].is_null())
    return Unimplemented("a mask passed to Bidirectional is not supported");

  TFLC_ASSIGN_OR_RETURN(const LayerWeights* all, ctx.OwnWeights());
  const size_t nf = RecurrentWeightCount(fwd.config), nb = RecurrentWeightCount(bwd.config);
  if (all->size() != nf + nb)
    return InvalidArgument("the file has " + std::to_string(all->size()) + " weight(s) for this layer, its config implies " +
                           std::to_string(nf + nb) + " (forward, then backward layer); the file does not match its "
                           "model config");
  const LayerWeights fwd_weights = all->Slice(0, nf, fwd.name), bwd_weights = all->Slice(nf, nb, bwd.name);
  std::vector<Tensor> f, b;
  TFLC_RETURN_IF_ERROR(ctx.CallWrapped(fwd, {ctx.in()}, fwd_weights, &f));
  TFLC_RETURN_IF_ERROR(ctx.CallWrapped(bwd, {ctx.in()}, bwd_weights, &b));
  if (f.empty() || b.empty() || f.size() != b.size())
    return Internal("the forward and backward layers returned different outputs");

  Tensor yb = b[0];
  if (return_sequences) {
    // Position t of both halves then refers to input step t (the backward layer ran T-1 .. 0).
    TFLC_ASSIGN_OR_RETURN(ValueView axis, ctx.ConstI32("ReverseV2/axis", {1}, {1}));
    TFLC_ASSIGN_OR_RETURN(yb.value, ctx.Op("ReverseV2", {yb.value, axis},
                                           {Attr::T(), Attr::Type("Tidx", TFLC_TYPE_INT32)}));
    TFLC_RETURN_IF_ERROR(ctx.SetShape(yb.value, yb.shape));
  }
  const Tensor& yf = f[0];
  if (merge_mode.empty()) {
    out->push_back(yf);
    out->push_back(yb);
  } else {
    Tensor y = yf;
    if (merge_mode == "concat") {
      TFLC_ASSIGN_OR_RETURN(ValueView axis, ctx.ConstI32("concat/axis", {}, {-1}));
      TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("ConcatV2", {yf.value, yb.value, axis},
                                            {Attr::T(), Attr::Int("N", 2), Attr::Type("Tidx", TFLC_TYPE_INT32)}));
      y.shape.back() = yf.shape.back() + yb.shape.back();
      TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
    } else if (merge_mode == "sum") {
      TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("AddV2", {yf.value, yb.value}, {Attr::T()}));
    } else if (merge_mode == "mul") {
      TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Mul", {yf.value, yb.value}, {Attr::T()}));
    } else {  // ave: (y + y_rev) / 2
      TFLC_ASSIGN_OR_RETURN(ValueView sum, ctx.Op("AddV2", {yf.value, yb.value}, {Attr::T()}));
      TFLC_ASSIGN_OR_RETURN(ValueView two, ctx.ScalarF32("truediv/y", 2.0f));
      TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("RealDiv", {sum, two}, {Attr::T()}, "truediv"));
    }
    out->push_back(y);
  }
  // return_state: [merged (or both outputs), forward states..., backward states...].
  for (size_t i = 1; i < f.size(); ++i) out->push_back(f[i]);
  for (size_t i = 1; i < b.size(); ++i) out->push_back(b[i]);
  return OkStatus();
}

// TimeDistributed(layer): the layer applied to every time slice. (B, T, ...) is reshaped to
// (B·T, ...), the wrapped layer's converter runs on it, and the result is reshaped to (B, T, ...).
// Dense acts on the last axis only, so it is applied to the rank-3 input directly (fewer ops).
// The wrapped layer's weights are the wrapper's.
Status ConvertTimeDistributed(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Json& cfg = ctx.config();
  if (!cfg.contains("layer")) return InvalidArgument("config 'layer' (the wrapped layer) is missing");
  TFLC_ASSIGN_OR_RETURN(LayerDef inner, WrappedLayer(cfg["layer"], "layer"));
  if (IsModelClass(inner.class_name))
    return Unimplemented("a model wrapped in TimeDistributed is not supported");
  const Json& kw = ctx.call_kwargs();
  if (kw.is_object() && kw.contains("mask") && !kw["mask"].is_null())
    return Unimplemented("a mask passed to TimeDistributed is not supported");
  const Tensor& x = ctx.in();
  if (x.rank() < 3)
    return InvalidArgument("expects an input of rank 3 or more ([batch, time, ...]), got shape " + ShapeStr(x.shape));
  TFLC_ASSIGN_OR_RETURN(const LayerWeights* all, ctx.OwnWeights());
  const LayerWeights weights = all->Slice(0, all->size(), inner.name);

  std::vector<Tensor> inner_out;
  if (inner.class_name == "Dense") {
    TFLC_RETURN_IF_ERROR(ctx.CallWrapped(inner, {x}, weights, &inner_out));
    if (inner_out.size() != 1) return Internal("Dense returned " + std::to_string(inner_out.size()) + " outputs");
    out->push_back(inner_out[0]);
    return OkStatus();
  }
  if (inner.class_name == "Flatten" || inner.class_name == "Reshape") {
    // Per slice these only reshape: one Reshape of the whole input to (B, T, ...) (Flatten and
    // Reshape converters take dimension 0 as a batch of 1).
    int64_t n = 1;
    for (size_t i = 2; i < x.shape.size(); ++i) n = x.shape[i] < 0 || n < 0 ? -1 : n * x.shape[i];
    if (n < 0) return Unimplemented("input shape " + ShapeStr(x.shape) + " has an unknown dimension after the time axis");
    Shape target = {x.shape[0] < 0 ? 1 : x.shape[0], x.shape[1]};
    if (inner.class_name == "Flatten") {
      target.push_back(n);
    } else {
      const Json& ts = inner.config.contains("target_shape") ? inner.config["target_shape"] : Json();
      if (!ts.is_array()) return InvalidArgument("wrapped Reshape: config 'target_shape' must be a list of integers");
      int64_t known = 1, unknown_at = -1;
      for (const auto& d : ts) {
        if (!d.is_number_integer()) return InvalidArgument("wrapped Reshape: config 'target_shape' must be a list of integers");
        int64_t v = d.get<int64_t>();
        if (v == -1 && unknown_at < 0) unknown_at = static_cast<int64_t>(target.size());
        else if (v <= 0) return InvalidArgument("wrapped Reshape: config 'target_shape' has an invalid dimension");
        else known *= v;
        target.push_back(v);
      }
      if (unknown_at >= 0) target[static_cast<size_t>(unknown_at)] = n / known;
      if (n % known != 0 || (unknown_at < 0 && known != n))
        return InvalidArgument("wrapped Reshape: target_shape does not match the slice shape " + ShapeStr(x.shape));
    }
    Tensor y = x;
    y.shape = target;
    y.shape[0] = x.shape[0];
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Reshape(x.value, target, "Reshape"));
    out->push_back(y);
    return OkStatus();
  }
  for (size_t i = 1; i < x.shape.size(); ++i) {
    if (x.shape[i] < 0)
      return Unimplemented("input shape " + ShapeStr(x.shape) + " has an unknown dimension after the batch, which "
                           "TimeDistributed needs; re-create the model with a fixed input shape (Input(shape=...))");
  }
  const int64_t batch = x.shape[0] < 0 ? 1 : x.shape[0];
  const int64_t steps = x.shape[1];
  Tensor flat = x;
  flat.shape.erase(flat.shape.begin());
  flat.shape[0] = batch * steps;
  TFLC_ASSIGN_OR_RETURN(flat.value, ctx.Reshape(x.value, flat.shape, "Reshape"));
  TFLC_RETURN_IF_ERROR(ctx.CallWrapped(inner, {flat}, weights, &inner_out));
  if (inner_out.size() != 1)
    return Unimplemented("wrapped layer '" + inner.name + "' returns " + std::to_string(inner_out.size()) +
                         " outputs; TimeDistributed supports layers with one output");
  const Tensor& r = inner_out[0];
  if (r.rank() < 1 || r.shape[0] != batch * steps)
    return Internal("wrapped layer '" + inner.name + "' changed the batch dimension (" + ShapeStr(r.shape) + ")");
  for (size_t i = 1; i < r.shape.size(); ++i) {
    if (r.shape[i] < 0) return Unimplemented("the output shape " + ShapeStr(r.shape) + " of wrapped layer '" + inner.name + "' is not static");
  }
  Tensor y;
  y.dtype = r.dtype;
  y.shape = {x.shape[0], steps};
  y.shape.insert(y.shape.end(), r.shape.begin() + 1, r.shape.end());
  Shape to = y.shape;
  to[0] = batch;
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Reshape(r.value, to, "Reshape_1"));
  out->push_back(y);
  return OkStatus();
}

}  // namespace tflc::keras
