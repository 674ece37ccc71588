// BatchNormalization (inference).
#include <algorithm>
#include <cmath>

#include "layers.h"

namespace tflc::keras {

Status ConvertBatchNormalization(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  int64_t axis = -1;
  if (ctx.Has("axis")) {
    const Json& a = ctx.config()["axis"];
    if (a.is_number_integer()) axis = a.get<int64_t>();
    else if (a.is_array() && a.size() == 1 && a[0].is_number_integer()) axis = a[0].get<int64_t>();
    else return Unimplemented("batch normalization over several axes (axis=" + a.dump() + ") is not supported");
  }
  if (axis < 0) axis += x.rank();
  if (axis < 1 || axis >= x.rank())
    return InvalidArgument("axis " + std::to_string(axis) + " is out of range for input shape " + ShapeStr(x.shape));
  const int64_t c = x.shape[static_cast<size_t>(axis)];
  if (c < 0) return Unimplemented("the normalized dimension of input shape " + ShapeStr(x.shape) + " is unknown");
  TFLC_ASSIGN_OR_RETURN(bool center, ctx.Bool("center", true));
  TFLC_ASSIGN_OR_RETURN(bool scale, ctx.Bool("scale", true));
  TFLC_ASSIGN_OR_RETURN(double epsilon, ctx.Float("epsilon", 1e-3));
  // Keras weight order: gamma (scale=True), beta (center=True), moving_mean, moving_variance.
  std::vector<std::string> roles;
  if (scale) roles.push_back("gamma");
  if (center) roles.push_back("beta");
  roles.push_back("moving_mean");
  roles.push_back("moving_variance");
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(roles));
  Tensor y = x;

  if (x.rank() == 4 && axis == 3) {
    // Keras' fused path: FusedBatchNormV3 in inference mode; missing gamma/beta become ones/zeros.
    ValueView gamma, beta;
    if (scale) {
      TFLC_ASSIGN_OR_RETURN(gamma, ctx.Weight("gamma", {c}));
    } else {
      TFLC_ASSIGN_OR_RETURN(gamma, ctx.ConstF32("gamma", {c}, std::vector<float>(static_cast<size_t>(c), 1.0f)));
    }
    if (center) {
      TFLC_ASSIGN_OR_RETURN(beta, ctx.Weight("beta", {c}));
    } else {
      TFLC_ASSIGN_OR_RETURN(beta, ctx.ConstF32("beta", {c}, std::vector<float>(static_cast<size_t>(c), 0.0f)));
    }
    TFLC_ASSIGN_OR_RETURN(ValueView mean, ctx.Weight("moving_mean", {c}));
    TFLC_ASSIGN_OR_RETURN(ValueView var, ctx.Weight("moving_variance", {c}));
    // Keras 2's fused path (tf.compat.v1.nn.fused_batch_norm) raises epsilon to at least 1.001e-5,
    // cuDNN's minimum; Keras 3 uses tf.nn.batch_normalization with the epsilon as given.
    const double eps = ctx.keras_major() >= 3 ? epsilon : std::max(epsilon, 1.001e-5);
    TFLC_ASSIGN_OR_RETURN(NodeView n, ctx.em().Node(ctx.scope(), "FusedBatchNormV3", {x.value, gamma, beta, mean, var},
                                                     {Attr::T(), Attr::Type("U", TFLC_TYPE_FLOAT32), Attr::Float("epsilon", eps),
                                                      Attr::Float("exponential_avg_factor", 1.0),
                                                      Attr::Str("data_format", "NHWC"), Attr::Bool("is_training", false)},
                                                     6));
    y.value = n.output(0);
    out->push_back(y);
    return OkStatus();
  }

  // tf.nn.batch_normalization with constant statistics, as a frozen TF graph has it:
  // x * inv + (beta - mean * inv), inv = gamma / sqrt(variance + epsilon).
  TFLC_ASSIGN_OR_RETURN(std::vector<float> mean, ctx.WeightData("moving_mean", {c}));
  TFLC_ASSIGN_OR_RETURN(std::vector<float> var, ctx.WeightData("moving_variance", {c}));
  std::vector<float> gamma(static_cast<size_t>(c), 1.0f), beta(static_cast<size_t>(c), 0.0f);
  if (scale) { TFLC_ASSIGN_OR_RETURN(gamma, ctx.WeightData("gamma", {c})); }
  if (center) { TFLC_ASSIGN_OR_RETURN(beta, ctx.WeightData("beta", {c})); }
  std::vector<float> inv(static_cast<size_t>(c)), offset(static_cast<size_t>(c));
  const float eps = static_cast<float>(epsilon);
  for (size_t i = 0; i < inv.size(); ++i) {
    inv[i] = gamma[i] / std::sqrt(var[i] + eps);
    offset[i] = beta[i] - mean[i] * inv[i];
  }
  Shape pdims = {c};
  if (axis != x.rank() - 1) {
    pdims.assign(static_cast<size_t>(x.rank()), 1);
    pdims[static_cast<size_t>(axis)] = c;
  }
  TFLC_ASSIGN_OR_RETURN(ValueView m, ctx.ConstF32("batchnorm/mul/y", pdims, inv));
  TFLC_ASSIGN_OR_RETURN(ValueView a, ctx.ConstF32("batchnorm/sub", pdims, offset));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Mul", {x.value, m}, {Attr::T()}, "batchnorm/mul_1"));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("AddV2", {y.value, a}, {Attr::T()}, "batchnorm/add_1"));
  out->push_back(y);
  return OkStatus();
}

}  // namespace tflc::keras
