// LSTM and GRU as the tflc.LSTM / tflc.GRU composites (docs/ir-contract.md).
#include "layers.h"

namespace tflc::keras {

namespace {

struct RnnConfig {
  int64_t units = -1;
  std::string activation, recurrent_activation;
  bool use_bias = true, return_sequences = false, go_backwards = false;
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

StatusOr<RnnConfig> ReadRnn(LayerContext& ctx, const std::string& default_recurrent_activation) {
  RnnConfig c;
  TFLC_ASSIGN_OR_RETURN(c.units, ctx.Int("units", -1));
  if (c.units <= 0) return InvalidArgument("config 'units' is missing or not positive");
  TFLC_ASSIGN_OR_RETURN(c.activation, RnnActivation(ctx, "activation", "tanh"));
  TFLC_ASSIGN_OR_RETURN(c.recurrent_activation, RnnActivation(ctx, "recurrent_activation", default_recurrent_activation));
  TFLC_ASSIGN_OR_RETURN(c.use_bias, ctx.Bool("use_bias", true));
  TFLC_ASSIGN_OR_RETURN(c.return_sequences, ctx.Bool("return_sequences", false));
  TFLC_ASSIGN_OR_RETURN(c.go_backwards, ctx.Bool("go_backwards", false));
  TFLC_ASSIGN_OR_RETURN(bool return_state, ctx.Bool("return_state", false));
  TFLC_ASSIGN_OR_RETURN(bool stateful, ctx.Bool("stateful", false));
  TFLC_ASSIGN_OR_RETURN(bool time_major, ctx.Bool("time_major", false));
  if (stateful)
    return Unimplemented("stateful=True is not supported (a converted model has no state between calls); "
                         "re-create the layer with stateful=False, copy its weights and save again");
  if (return_state)
    return Unimplemented("return_state=True is not supported (the fused op returns the output sequence only)");
  if (time_major) return Unimplemented("time_major=True is not supported");
  if (ctx.inputs().size() != 1)
    return Unimplemented("initial states or masks passed as extra inputs are not supported");
  return c;
}

}  // namespace

Status ConvertLSTM(LayerContext& ctx, std::vector<Tensor>* out) {
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 3, "[batch, time, features]"));
  // Keras 2.x standalone and tf.keras defaults differ (hard_sigmoid vs sigmoid); configs always say.
  TFLC_ASSIGN_OR_RETURN(RnnConfig c, ReadRnn(ctx, "sigmoid"));
  const int64_t in = x.shape[2];
  if (in < 0) return Unimplemented("the feature dimension of input shape " + ShapeStr(x.shape) + " is unknown");
  const int64_t u = c.units;
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(c.use_bias ? std::vector<std::string>{"kernel", "recurrent_kernel", "bias"}
                                                  : std::vector<std::string>{"kernel", "recurrent_kernel"}));
  std::vector<ValueView> ins = {x.value};
  TFLC_ASSIGN_OR_RETURN(ValueView k, ctx.Weight("kernel", {in, 4 * u}));
  TFLC_ASSIGN_OR_RETURN(ValueView rk, ctx.Weight("recurrent_kernel", {u, 4 * u}));
  ins.push_back(k);
  ins.push_back(rk);
  if (c.use_bias) {
    TFLC_ASSIGN_OR_RETURN(ValueView b, ctx.Weight("bias", {4 * u}));
    ins.push_back(b);
  }
  Tensor y;
  y.shape = c.return_sequences ? Shape{x.shape[0], x.shape[1], u} : Shape{x.shape[0], u};
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("tflc.LSTM", ins,
                                        {Attr::Int("units", u), Attr::Str("activation", c.activation),
                                         Attr::Str("recurrent_activation", c.recurrent_activation),
                                         Attr::Bool("return_sequences", c.return_sequences),
                                         Attr::Bool("go_backwards", c.go_backwards), Attr::Bool("time_major", false)}));
  out->push_back(y);
  return OkStatus();
}

Status ConvertGRU(LayerContext& ctx, std::vector<Tensor>* out) {
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 3, "[batch, time, features]"));
  TFLC_ASSIGN_OR_RETURN(RnnConfig c, ReadRnn(ctx, "sigmoid"));
  TFLC_ASSIGN_OR_RETURN(bool reset_after, ctx.Bool("reset_after", true));
  const int64_t in = x.shape[2];
  if (in < 0) return Unimplemented("the feature dimension of input shape " + ShapeStr(x.shape) + " is unknown");
  const int64_t u = c.units;
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(c.use_bias ? std::vector<std::string>{"kernel", "recurrent_kernel", "bias"}
                                                  : std::vector<std::string>{"kernel", "recurrent_kernel"}));
  std::vector<ValueView> ins = {x.value};
  TFLC_ASSIGN_OR_RETURN(ValueView k, ctx.Weight("kernel", {in, 3 * u}));
  TFLC_ASSIGN_OR_RETURN(ValueView rk, ctx.Weight("recurrent_kernel", {u, 3 * u}));
  ins.push_back(k);
  ins.push_back(rk);
  if (c.use_bias) {
    TFLC_ASSIGN_OR_RETURN(ValueView b, ctx.Weight("bias", reset_after ? Shape{2, 3 * u} : Shape{3 * u}));
    ins.push_back(b);
  }
  Tensor y;
  y.shape = c.return_sequences ? Shape{x.shape[0], x.shape[1], u} : Shape{x.shape[0], u};
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("tflc.GRU", ins,
                                        {Attr::Int("units", u), Attr::Str("activation", c.activation),
                                         Attr::Str("recurrent_activation", c.recurrent_activation),
                                         Attr::Bool("return_sequences", c.return_sequences),
                                         Attr::Bool("go_backwards", c.go_backwards), Attr::Bool("reset_after", reset_after)}));
  out->push_back(y);
  return OkStatus();
}

}  // namespace tflc::keras
