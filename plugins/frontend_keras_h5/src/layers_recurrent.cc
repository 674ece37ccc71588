// SimpleRNN, LSTM and GRU as the tflc.SimpleRNN / tflc.LSTM / tflc.GRU composites
// (docs/ir-contract.md, plugins/lower_builtin/src/rnn.cc).
//
// Inputs: x, kernel, recurrent_kernel[, bias[, initial states...]]; attribute num_initial_states
// counts the initial states (the bias is then always given: zeros when use_bias is false).
// Outputs: the sequence (return_sequences) or the last output, then with return_state the final
// h (and c for LSTM), as Keras returns [y, h(, c)].
#include "layers.h"

namespace tflc::keras {

namespace {

enum class Cell { kSimple, kLSTM, kGRU };

struct RnnConfig {
  int64_t units = -1;
  std::string activation, recurrent_activation;
  bool use_bias = true, return_sequences = false, go_backwards = false, return_state = false;
};

StatusOr<std::string> RnnActivation(LayerContext& ctx, const std::string& key, const std::string& dflt) {
  std::string name = dflt;
  if (ctx.Has(key)) { TFLC_ASSIGN_OR_RETURN(name, ActivationName(ctx.config()[key])); }
  if (name == "hard_sigmoid" && ctx.keras_major() >= 3)
    return Unimplemented(key + " 'hard_sigmoid' of Keras 3 (relu6(x + 3) / 6) differs from the Keras 2 one the "
                         "fused recurrent ops implement; use 'sigmoid'");
  if (name != "tanh" && name != "sigmoid" && name != "hard_sigmoid" && name != "relu" && name != "linear")
    return Unimplemented(key + " '" + name + "' is not supported for recurrent layers (use tanh, sigmoid, "
                         "hard_sigmoid, relu or linear)");
  return name;
}

StatusOr<RnnConfig> ReadRnn(LayerContext& ctx, Cell cell) {
  RnnConfig c;
  TFLC_ASSIGN_OR_RETURN(c.units, ctx.Int("units", -1));
  if (c.units <= 0) return InvalidArgument("config 'units' is missing or not positive");
  TFLC_ASSIGN_OR_RETURN(c.activation, RnnActivation(ctx, "activation", "tanh"));
  // Keras 2.x standalone and tf.keras defaults differ (hard_sigmoid vs sigmoid); configs always say.
  if (cell != Cell::kSimple) {
    TFLC_ASSIGN_OR_RETURN(c.recurrent_activation, RnnActivation(ctx, "recurrent_activation", "sigmoid"));
  }
  TFLC_ASSIGN_OR_RETURN(c.use_bias, ctx.Bool("use_bias", true));
  TFLC_ASSIGN_OR_RETURN(c.return_sequences, ctx.Bool("return_sequences", false));
  TFLC_ASSIGN_OR_RETURN(c.go_backwards, ctx.Bool("go_backwards", false));
  TFLC_ASSIGN_OR_RETURN(c.return_state, ctx.Bool("return_state", false));
  TFLC_ASSIGN_OR_RETURN(bool stateful, ctx.Bool("stateful", false));
  TFLC_ASSIGN_OR_RETURN(bool time_major, ctx.Bool("time_major", false));
  if (stateful)
    return Unimplemented("stateful=True is not supported (a converted model has no state between calls); "
                         "re-create the layer with stateful=False, copy its weights and save again");
  if (time_major)
    return Unimplemented("time_major=True is not supported; feed [batch, time, features] with time_major=False");
  return c;
}

// The call's `initial_state` tensors: Keras 2 passes them as extra positional inputs ([x, h, c]),
// Keras 3 as the `initial_state` argument (a tensor or a list). A mask is refused.
StatusOr<std::vector<Tensor>> InitialStates(LayerContext& ctx) {
  std::vector<Tensor> states;
  const Json& kw = ctx.call_kwargs();
  if (kw.is_object() && kw.contains("mask") && !kw["mask"].is_null())
    return Unimplemented("a mask passed to the layer (mask=...) is not supported; remove the mask (the layer then "
                         "also processes the padded steps)");
  if (ctx.inputs().size() > 1) {
    states.assign(ctx.inputs().begin() + 1, ctx.inputs().end());
    return states;
  }
  if (!kw.is_object() || !kw.contains("initial_state") || kw["initial_state"].is_null()) return states;
  Json init = kw["initial_state"];
  if (!init.is_array()) init = Json::array({init});
  for (const auto& s : init) {
    size_t i = 0;
    if (!IsTensorSlot(s, &i) || i >= ctx.tensors().size())
      return InvalidArgument("call argument 'initial_state' must be Keras tensors");
    states.push_back(ctx.tensors()[i]);
  }
  return states;
}

Status ConvertRecurrent(LayerContext& ctx, Cell cell, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(RefuseImplicitMask(ctx));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 3, "[batch, time, features]"));
  TFLC_ASSIGN_OR_RETURN(RnnConfig c, ReadRnn(ctx, cell));
  const int gates = cell == Cell::kLSTM ? 4 : cell == Cell::kGRU ? 3 : 1;
  const int num_states = cell == Cell::kLSTM ? 2 : 1;
  bool reset_after = false;
  if (cell == Cell::kGRU) { TFLC_ASSIGN_OR_RETURN(reset_after, ctx.Bool("reset_after", true)); }
  const int64_t in = x.shape[2];
  if (in < 0) return Unimplemented("the feature dimension of input shape " + ShapeStr(x.shape) + " is unknown");
  const int64_t u = c.units;
  TFLC_ASSIGN_OR_RETURN(std::vector<Tensor> init, InitialStates(ctx));
  if (!init.empty() && static_cast<int>(init.size()) != num_states)
    return InvalidArgument("initial_state has " + std::to_string(init.size()) + " tensor(s); " + ctx.layer().class_name +
                           " takes " + std::to_string(num_states) + " ([h" + (num_states == 2 ? ", c]" : "]") + ")");
  for (const auto& s : init) {
    if (s.rank() != 2 || s.shape[1] != u)
      return InvalidArgument("initial_state tensors must be [batch, " + std::to_string(u) + "], got " + ShapeStr(s.shape));
  }

  TFLC_RETURN_IF_ERROR(ctx.BindWeights(c.use_bias ? std::vector<std::string>{"kernel", "recurrent_kernel", "bias"}
                                                  : std::vector<std::string>{"kernel", "recurrent_kernel"}));
  const Shape bias_shape = reset_after ? Shape{2, gates * u} : Shape{gates * u};
  std::vector<ValueView> ins = {x.value};
  TFLC_ASSIGN_OR_RETURN(ValueView k, ctx.Weight("kernel", {in, gates * u}));
  TFLC_ASSIGN_OR_RETURN(ValueView rk, ctx.Weight("recurrent_kernel", {u, gates * u}));
  ins.push_back(k);
  ins.push_back(rk);
  if (c.use_bias) {
    TFLC_ASSIGN_OR_RETURN(ValueView b, ctx.Weight("bias", bias_shape));
    ins.push_back(b);
  } else if (!init.empty()) {
    TFLC_ASSIGN_OR_RETURN(ValueView b, ctx.ConstF32("zero_bias", bias_shape,
                                                    std::vector<float>(static_cast<size_t>(sdk::NumElements(bias_shape)), 0.f)));
    ins.push_back(b);
  }
  for (const auto& s : init) ins.push_back(s.value);

  std::vector<Attr> attrs = {Attr::Int("units", u), Attr::Str("activation", c.activation)};
  if (cell != Cell::kSimple) attrs.push_back(Attr::Str("recurrent_activation", c.recurrent_activation));
  attrs.push_back(Attr::Bool("return_sequences", c.return_sequences));
  attrs.push_back(Attr::Bool("go_backwards", c.go_backwards));
  if (cell == Cell::kLSTM) attrs.push_back(Attr::Bool("time_major", false));
  if (cell == Cell::kGRU) attrs.push_back(Attr::Bool("reset_after", reset_after));
  if (!init.empty()) attrs.push_back(Attr::Int("num_initial_states", static_cast<int64_t>(init.size())));
  const char* op = cell == Cell::kLSTM ? "tflc.LSTM" : cell == Cell::kGRU ? "tflc.GRU" : "tflc.SimpleRNN";
  const size_t num_outputs = c.return_state ? 1 + static_cast<size_t>(num_states) : 1;
  TFLC_ASSIGN_OR_RETURN(NodeView node, ctx.em().Node(ctx.scope(), op, ins, attrs, num_outputs));

  Tensor y;
  y.value = node.output(0);
  y.shape = c.return_sequences ? Shape{x.shape[0], x.shape[1], u} : Shape{x.shape[0], u};
  out->push_back(y);
  for (size_t i = 1; i < num_outputs; ++i) {
    Tensor s;
    s.value = node.output(i);
    s.shape = {x.shape[0], u};
    out->push_back(s);
  }
  return OkStatus();
}

}  // namespace

Status RefuseImplicitMask(LayerContext& ctx) {
  const ModelDef* m = ctx.model();
  if (!m) return OkStatus();
  for (const auto& call : ctx.layer().nodes) {
    for (const auto& ref : call) {
      const LayerDef* p = m->Find(ref.layer);
      if (!p) continue;
      const bool mask_zero = p->class_name == "Embedding" && p->config.contains("mask_zero") &&
                             p->config["mask_zero"].is_boolean() && p->config["mask_zero"].get<bool>();
      if (mask_zero || p->class_name == "Masking")
        return Unimplemented("its input comes from layer '" + p->name + "' (" + p->class_name +
                             (mask_zero ? ", mask_zero=True" : "") + "), whose mask Keras applies to the recurrent "
                             "steps; masked recurrent layers are not supported (set mask_zero=False / remove the "
                             "Masking layer, or convert a model without padding)");
    }
  }
  return OkStatus();
}

Status ConvertSimpleRNN(LayerContext& ctx, std::vector<Tensor>* out) { return ConvertRecurrent(ctx, Cell::kSimple, out); }
Status ConvertLSTM(LayerContext& ctx, std::vector<Tensor>* out) { return ConvertRecurrent(ctx, Cell::kLSTM, out); }
Status ConvertGRU(LayerContext& ctx, std::vector<Tensor>* out) { return ConvertRecurrent(ctx, Cell::kGRU, out); }

}  // namespace tflc::keras
