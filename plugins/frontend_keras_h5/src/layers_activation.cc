// Activation functions (every layer's `activation` field and the Activation layer) and the
// activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU.
#include "layers.h"

namespace tflc::keras {

namespace {

StatusOr<ValueView> Unary(LayerContext& ctx, const std::string& op, const ValueView& x) {
  return ctx.Op(op, {x}, {Attr::T()});
}

StatusOr<ValueView> Binary(LayerContext& ctx, const std::string& op, const ValueView& a, const ValueView& b) {
  return ctx.Op(op, {a, b}, {Attr::T()});
}

// Softmax over `axis` (normalized): TF's Softmax works on the last axis, so other axes are swapped
// to the end and back, as tf.nn.softmax does.
StatusOr<ValueView> SoftmaxOn(LayerContext& ctx, const Tensor& x, int64_t axis, const std::string& op = "Softmax") {
  const int64_t rank = x.rank();
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank)
    return InvalidArgument("softmax axis " + std::to_string(axis) + " is out of range for shape " + ShapeStr(x.shape));
  if (axis == rank - 1) return Unary(ctx, op, x.value);
  std::vector<int32_t> perm(static_cast<size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) perm[static_cast<size_t>(i)] = static_cast<int32_t>(i);
  std::swap(perm[static_cast<size_t>(axis)], perm.back());
  TFLC_ASSIGN_OR_RETURN(ValueView p, ctx.ConstI32("perm", {rank}, perm));
  TFLC_ASSIGN_OR_RETURN(ValueView t, ctx.Op("Transpose", {x.value, p}, {Attr::T(), Attr::Type("Tperm", TFLC_TYPE_INT32)}));
  Shape swapped = x.shape;
  std::swap(swapped[static_cast<size_t>(axis)], swapped.back());
  TFLC_RETURN_IF_ERROR(ctx.SetShape(t, swapped));
  TFLC_ASSIGN_OR_RETURN(ValueView s, Unary(ctx, op, t));
  return ctx.Op("Transpose", {s, p}, {Attr::T(), Attr::Type("Tperm", TFLC_TYPE_INT32)});
}

// Keras 2 hard_sigmoid: clip(0.2 x + 0.5, 0, 1) (backend.hard_sigmoid).
// Keras 3 hard_sigmoid: relu6(x + 3) / 6.
StatusOr<ValueView> HardSigmoid(LayerContext& ctx, const ValueView& x) {
  if (ctx.keras_major() >= 3) {
    TFLC_ASSIGN_OR_RETURN(ValueView three, ctx.ScalarF32("hard_sigmoid/three", 3.0f));
    TFLC_ASSIGN_OR_RETURN(ValueView sixth, ctx.ScalarF32("hard_sigmoid/one_sixth", 1.0f / 6.0f));
    TFLC_ASSIGN_OR_RETURN(ValueView a, Binary(ctx, "AddV2", x, three));
    TFLC_ASSIGN_OR_RETURN(ValueView r, Unary(ctx, "Relu6", a));
    return Binary(ctx, "Mul", r, sixth);
  }
  TFLC_ASSIGN_OR_RETURN(ValueView point_two, ctx.ScalarF32("hard_sigmoid/point_two", 0.2f));
  TFLC_ASSIGN_OR_RETURN(ValueView point_five, ctx.ScalarF32("hard_sigmoid/point_five", 0.5f));
  TFLC_ASSIGN_OR_RETURN(ValueView one, ctx.ScalarF32("hard_sigmoid/one", 1.0f));
  TFLC_ASSIGN_OR_RETURN(ValueView zero, ctx.ScalarF32("hard_sigmoid/zero", 0.0f));
  TFLC_ASSIGN_OR_RETURN(ValueView m, Binary(ctx, "Mul", x, point_two));
  TFLC_ASSIGN_OR_RETURN(ValueView a, Binary(ctx, "AddV2", m, point_five));
  TFLC_ASSIGN_OR_RETURN(ValueView lo, Binary(ctx, "Minimum", a, one));
  return Binary(ctx, "Maximum", lo, zero);
}

// alpha * elu for alpha != 1 without Select: relu(x) + alpha * min(elu(x), 0).
StatusOr<ValueView> ScaledElu(LayerContext& ctx, const ValueView& x, float alpha) {
  TFLC_ASSIGN_OR_RETURN(ValueView e, Unary(ctx, "Elu", x));
  if (alpha == 1.0f) return e;
  TFLC_ASSIGN_OR_RETURN(ValueView zero, ctx.ScalarF32("elu/zero", 0.0f));
  TFLC_ASSIGN_OR_RETURN(ValueView a, ctx.ScalarF32("elu/alpha", alpha));
  TFLC_ASSIGN_OR_RETURN(ValueView pos, Unary(ctx, "Relu", x));
  TFLC_ASSIGN_OR_RETURN(ValueView neg, Binary(ctx, "Minimum", e, zero));
  TFLC_ASSIGN_OR_RETURN(ValueView scaled, Binary(ctx, "Mul", neg, a));
  return Binary(ctx, "AddV2", pos, scaled);
}

// Keras 2 backend.relu(x, alpha, max_value, threshold), op for op.
StatusOr<ValueView> GeneralRelu(LayerContext& ctx, const ValueView& x, double alpha, bool has_max, double max_value,
                                double threshold) {
  if (alpha != 0 && !has_max && threshold == 0)
    return ctx.Op("LeakyRelu", {x}, {Attr::T(), Attr::Float("alpha", alpha)});
  ValueView negative_part;
  if (alpha != 0) {
    TFLC_ASSIGN_OR_RETURN(ValueView neg, Unary(ctx, "Neg", x));
    if (threshold != 0) {
      TFLC_ASSIGN_OR_RETURN(ValueView th, ctx.ScalarF32("threshold", static_cast<float>(threshold)));
      TFLC_ASSIGN_OR_RETURN(neg, Binary(ctx, "AddV2", neg, th));
    }
    TFLC_ASSIGN_OR_RETURN(negative_part, Unary(ctx, "Relu", neg));
  }
  bool clip_max = has_max;
  ValueView y;
  if (threshold != 0) {
    TFLC_ASSIGN_OR_RETURN(ValueView th, ctx.ScalarF32("threshold", static_cast<float>(threshold)));
    TFLC_ASSIGN_OR_RETURN(ValueView gt, ctx.Op("Greater", {x, th}, {Attr::T()}));
    TFLC_ASSIGN_OR_RETURN(ValueView mask, ctx.Op("Cast", {gt}, {Attr::Type("SrcT", TFLC_TYPE_BOOL),
                                                                 Attr::Type("DstT", TFLC_TYPE_FLOAT32),
                                                                 Attr::Bool("Truncate", false)}));
    TFLC_ASSIGN_OR_RETURN(y, Binary(ctx, "Mul", x, mask));
  } else if (has_max && max_value == 6) {
    TFLC_ASSIGN_OR_RETURN(y, Unary(ctx, "Relu6", x));
    clip_max = false;
  } else {
    TFLC_ASSIGN_OR_RETURN(y, Unary(ctx, "Relu", x));
  }
  if (clip_max) {
    TFLC_ASSIGN_OR_RETURN(ValueView mx, ctx.ScalarF32("max_value", static_cast<float>(max_value)));
    TFLC_ASSIGN_OR_RETURN(ValueView zero, ctx.ScalarF32("zero", 0.0f));
    TFLC_ASSIGN_OR_RETURN(ValueView lo, Binary(ctx, "Minimum", y, mx));
    TFLC_ASSIGN_OR_RETURN(y, Binary(ctx, "Maximum", lo, zero));
  }
  if (alpha != 0) {
    TFLC_ASSIGN_OR_RETURN(ValueView a, ctx.ScalarF32("alpha", static_cast<float>(alpha)));
    TFLC_ASSIGN_OR_RETURN(ValueView scaled, Binary(ctx, "Mul", negative_part, a));
    TFLC_ASSIGN_OR_RETURN(y, Binary(ctx, "Sub", y, scaled));
  }
  return y;
}

}  // namespace

StatusOr<std::string> ActivationName(const Json& a) {
  if (a.is_null()) return std::string("linear");
  if (a.is_string()) return a.get<std::string>();
  if (a.is_object()) {
    // Keras 3: {"module": "keras.activations", "class_name": "function", "config": "relu", ...} or
    // {"class_name": "relu", ...}.
    if (a.contains("config") && a["config"].is_string()) return a["config"].get<std::string>();
    if (a.contains("class_name") && a["class_name"].is_string()) {
      std::string c = a["class_name"].get<std::string>();
      if (c != "function") return c;
    }
  }
  std::string s = a.dump();
  return InvalidArgument("activation " + (s.size() > 80 ? s.substr(0, 77) + "..." : s) + " is not a known activation");
}

StatusOr<Tensor> ApplyActivation(LayerContext& ctx, const Tensor& x, const Json& activation) {
  TFLC_ASSIGN_OR_RETURN(std::string name, ActivationName(activation));
  Tensor y = x;
  ValueView v = x.value;
  if (name == "linear" || name == "identity") return y;
  if (name == "relu") { TFLC_ASSIGN_OR_RETURN(v, Unary(ctx, "Relu", v)); }
  else if (name == "relu6") { TFLC_ASSIGN_OR_RETURN(v, Unary(ctx, "Relu6", v)); }
  else if (name == "sigmoid") { TFLC_ASSIGN_OR_RETURN(v, Unary(ctx, "Sigmoid", v)); }
  else if (name == "tanh") { TFLC_ASSIGN_OR_RETURN(v, Unary(ctx, "Tanh", v)); }
  else if (name == "softmax") { TFLC_ASSIGN_OR_RETURN(v, SoftmaxOn(ctx, x, -1)); }
  else if (name == "log_softmax") { TFLC_ASSIGN_OR_RETURN(v, SoftmaxOn(ctx, x, -1, "LogSoftmax")); }
  else if (name == "elu") { TFLC_ASSIGN_OR_RETURN(v, Unary(ctx, "Elu", v)); }
  else if (name == "selu") { TFLC_ASSIGN_OR_RETURN(v, Unary(ctx, "Selu", v)); }
  else if (name == "softplus") { TFLC_ASSIGN_OR_RETURN(v, Unary(ctx, "Softplus", v)); }
  else if (name == "softsign") {
    // x / (1 + |x|): TFLite has no SOFTSIGN, so TF's Softsign op would need Flex.
    TFLC_ASSIGN_OR_RETURN(ValueView one, ctx.ScalarF32("softsign/one", 1.0f));
    TFLC_ASSIGN_OR_RETURN(ValueView a, Unary(ctx, "Abs", v));
    TFLC_ASSIGN_OR_RETURN(ValueView d, Binary(ctx, "AddV2", a, one));
    TFLC_ASSIGN_OR_RETURN(v, Binary(ctx, "RealDiv", v, d));
  }
  else if (name == "exponential") { TFLC_ASSIGN_OR_RETURN(v, Unary(ctx, "Exp", v)); }
  else if (name == "hard_sigmoid") { TFLC_ASSIGN_OR_RETURN(v, HardSigmoid(ctx, v)); }
  else if (name == "swish" || name == "silu") {
    TFLC_ASSIGN_OR_RETURN(ValueView s, Unary(ctx, "Sigmoid", v));
    TFLC_ASSIGN_OR_RETURN(v, Binary(ctx, "Mul", v, s));
  } else if (name == "hard_silu" || name == "hard_swish") {
    TFLC_ASSIGN_OR_RETURN(ValueView s, HardSigmoid(ctx, v));
    TFLC_ASSIGN_OR_RETURN(v, Binary(ctx, "Mul", v, s));
  } else if (name == "mish") {
    TFLC_ASSIGN_OR_RETURN(ValueView sp, Unary(ctx, "Softplus", v));
    TFLC_ASSIGN_OR_RETURN(ValueView t, Unary(ctx, "Tanh", sp));
    TFLC_ASSIGN_OR_RETURN(v, Binary(ctx, "Mul", v, t));
  } else if (name == "gelu") {
    // The activation function's default is the exact (erf) form in Keras 2 and 3.
    bool approximate = false;
    if (activation.is_object() && activation.contains("config") && activation["config"].is_object() &&
        activation["config"].contains("approximate") && activation["config"]["approximate"].is_boolean())
      approximate = activation["config"]["approximate"].get<bool>();
    TFLC_ASSIGN_OR_RETURN(v, ctx.Op("tflc.Gelu", {v}, {Attr::Bool("approximate", approximate)}));
  } else if (name == "leaky_relu") {
    TFLC_ASSIGN_OR_RETURN(v, ctx.Op("LeakyRelu", {v}, {Attr::T(), Attr::Float("alpha", 0.2)}));
  } else {
    return Unimplemented("activation '" + name + "' is not supported");
  }
  y.value = v;
  return y;
}

// ---------------------------------------------------------------------------------------------

Status ConvertActivation(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Json& cfg = ctx.config();
  TFLC_ASSIGN_OR_RETURN(Tensor y, ApplyActivation(ctx, ctx.in(), cfg.contains("activation") ? cfg["activation"] : Json()));
  out->push_back(y);
  return OkStatus();
}

Status ConvertReLU(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  TFLC_ASSIGN_OR_RETURN(double alpha, ctx.Float("negative_slope", 0.0));
  TFLC_ASSIGN_OR_RETURN(double threshold, ctx.Float("threshold", 0.0));
  const bool has_max = ctx.Has("max_value");
  TFLC_ASSIGN_OR_RETURN(double max_value, ctx.Float("max_value", 0.0));
  Tensor y = ctx.in();
  TFLC_ASSIGN_OR_RETURN(y.value, GeneralRelu(ctx, y.value, alpha, has_max, max_value, threshold));
  out->push_back(y);
  return OkStatus();
}

Status ConvertLeakyReLU(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  // Keras 2 calls the slope `alpha`, Keras 3 `negative_slope`; both default to 0.3.
  TFLC_ASSIGN_OR_RETURN(double alpha, ctx.Float("alpha", 0.3));
  if (ctx.Has("negative_slope")) { TFLC_ASSIGN_OR_RETURN(alpha, ctx.Float("negative_slope", 0.3)); }
  Tensor y = ctx.in();
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("LeakyRelu", {y.value}, {Attr::T(), Attr::Float("alpha", alpha)}));
  out->push_back(y);
  return OkStatus();
}

Status ConvertPReLU(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.RequireStatic(x, "PReLU's alpha shape"));
  Shape alpha_shape(x.shape.begin() + 1, x.shape.end());
  if (ctx.Has("shared_axes")) {
    const Json& sa = ctx.config()["shared_axes"];
    std::vector<int64_t> axes;
    if (sa.is_number_integer()) axes.push_back(sa.get<int64_t>());
    else if (sa.is_array()) for (const auto& a : sa) if (a.is_number_integer()) axes.push_back(a.get<int64_t>());
    for (int64_t a : axes) {
      if (a < 0) a += x.rank();
      if (a < 1 || a >= x.rank()) return InvalidArgument("shared_axes entry " + std::to_string(a) + " is out of range");
      alpha_shape[static_cast<size_t>(a - 1)] = 1;
    }
  }
  TFLC_RETURN_IF_ERROR(ctx.BindWeights({"alpha"}));
  TFLC_ASSIGN_OR_RETURN(ValueView alpha, ctx.Weight("alpha", alpha_shape));
  Tensor y = x;
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("tflc.PRelu", {x.value, alpha}, {}));
  out->push_back(y);
  return OkStatus();
}

Status ConvertELU(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  TFLC_ASSIGN_OR_RETURN(double alpha, ctx.Float("alpha", 1.0));
  Tensor y = ctx.in();
  TFLC_ASSIGN_OR_RETURN(y.value, ScaledElu(ctx, y.value, static_cast<float>(alpha)));
  out->push_back(y);
  return OkStatus();
}

Status ConvertThresholdedReLU(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  TFLC_ASSIGN_OR_RETURN(double theta, ctx.Float("theta", 1.0));
  // Keras 2: inputs * cast(inputs > theta).
  Tensor y = ctx.in();
  TFLC_ASSIGN_OR_RETURN(ValueView th, ctx.ScalarF32("theta", static_cast<float>(theta)));
  TFLC_ASSIGN_OR_RETURN(ValueView gt, ctx.Op("Greater", {y.value, th}, {Attr::T()}));
  TFLC_ASSIGN_OR_RETURN(ValueView mask, ctx.Op("Cast", {gt}, {Attr::Type("SrcT", TFLC_TYPE_BOOL),
                                                               Attr::Type("DstT", TFLC_TYPE_FLOAT32),
                                                               Attr::Bool("Truncate", false)}));
  TFLC_ASSIGN_OR_RETURN(y.value, Binary(ctx, "Mul", y.value, mask));
  out->push_back(y);
  return OkStatus();
}

Status ConvertSoftmax(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  int64_t axis = -1;
  if (ctx.Has("axis")) {
    const Json& a = ctx.config()["axis"];
    if (a.is_number_integer()) axis = a.get<int64_t>();
    else if (a.is_array() && a.size() == 1 && a[0].is_number_integer()) axis = a[0].get<int64_t>();
    else return Unimplemented("softmax over several axes (axis=" + a.dump() + ") is not supported");
  }
  Tensor y = ctx.in();
  TFLC_ASSIGN_OR_RETURN(y.value, SoftmaxOn(ctx, y, axis));
  out->push_back(y);
  return OkStatus();
}

}  // namespace tflc::keras
