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

// ===================== LayerNormalization, GroupNormalization, UnitNormalization =====================

namespace tflc::keras {

namespace {

// ctx.Op + the output's Keras shape (lowerings after this one may need it).
StatusOr<ValueView> OpShaped(LayerContext& ctx, const std::string& op, const std::vector<ValueView>& inputs,
                             const std::vector<Attr>& attrs, const Shape& shape, const std::string& hint = "") {
  TFLC_ASSIGN_OR_RETURN(ValueView v, ctx.Op(op, inputs, attrs, hint));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(v, shape));
  return v;
}

// The config `key` as sorted, distinct, non-negative axes of a rank-`rank` input (int or list;
// negative values count from the end). The batch axis is refused.
StatusOr<std::vector<int64_t>> NormAxes(LayerContext& ctx, const std::string& key, int rank, int64_t dflt) {
  std::vector<int64_t> raw;
  if (!ctx.Has(key)) {
    raw.push_back(dflt);
  } else {
    const Json& a = ctx.config()[key];
    if (a.is_number_integer()) {
      raw.push_back(a.get<int64_t>());
    } else if (a.is_array() && !a.empty()) {
      for (const auto& e : a) {
        if (!e.is_number_integer()) return InvalidArgument("config '" + key + "' is " + a.dump() + ", expected an integer or a list of integers");
        raw.push_back(e.get<int64_t>());
      }
    } else {
      return InvalidArgument("config '" + key + "' is " + a.dump() + ", expected an integer or a list of integers");
    }
  }
  std::vector<int64_t> axes;
  for (int64_t a : raw) {
    const int64_t p = a < 0 ? a + rank : a;
    if (p < 1 || p >= rank)
      return InvalidArgument("config '" + key + "' value " + std::to_string(a) + " is out of range for a rank-" +
                             std::to_string(rank) + " input (the batch axis 0 cannot be normalized)");
    if (std::find(axes.begin(), axes.end(), p) == axes.end()) axes.push_back(p);
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

Shape KeepDimsShape(const Shape& s, const std::vector<int64_t>& axes) {
  Shape r = s;
  for (int64_t a : axes) r[static_cast<size_t>(a)] = 1;
  return r;
}

// tf.nn.moments(x, axes, keepdims=True): mean = Mean(x), variance = Mean(SquaredDifference(x, mean)).
Status Moments(LayerContext& ctx, const ValueView& x, const Shape& shape, const std::vector<int64_t>& axes,
               ValueView* mean, ValueView* variance) {
  std::vector<int32_t> ax(axes.begin(), axes.end());
  const Shape kept = KeepDimsShape(shape, axes);
  const std::vector<Attr> attrs = {Attr::T(), Attr::Type("Tidx", TFLC_TYPE_INT32), Attr::Bool("keep_dims", true)};
  TFLC_ASSIGN_OR_RETURN(ValueView ai, ctx.ConstI32("moments/mean/reduction_indices", {static_cast<int64_t>(ax.size())}, ax));
  TFLC_ASSIGN_OR_RETURN(*mean, OpShaped(ctx, "Mean", {x, ai}, attrs, kept, "moments/mean"));
  TFLC_ASSIGN_OR_RETURN(ValueView sq, OpShaped(ctx, "SquaredDifference", {x, *mean}, {Attr::T()}, shape,
                                               "moments/SquaredDifference"));
  TFLC_ASSIGN_OR_RETURN(ValueView vi, ctx.ConstI32("moments/variance/reduction_indices", {static_cast<int64_t>(ax.size())}, ax));
  TFLC_ASSIGN_OR_RETURN(*variance, OpShaped(ctx, "Mean", {sq, vi}, attrs, kept, "moments/variance"));
  return OkStatus();
}

// tf.nn.batch_normalization(x, mean, variance, beta, gamma, eps) as TF writes it:
//   inv = Rsqrt(variance + eps) [* gamma];  y = x * inv + (beta - mean * inv)   (-mean * inv without beta).
StatusOr<ValueView> BatchNormForm(LayerContext& ctx, const ValueView& x, const Shape& shape, const ValueView& mean,
                                  const ValueView& variance, const Shape& stat_shape, double epsilon,
                                  const ValueView* gamma, const ValueView* beta) {
  TFLC_ASSIGN_OR_RETURN(ValueView eps, ctx.ScalarF32("batchnorm/add/y", static_cast<float>(epsilon)));
  TFLC_ASSIGN_OR_RETURN(ValueView ve, OpShaped(ctx, "AddV2", {variance, eps}, {Attr::T()}, stat_shape, "batchnorm/add"));
  TFLC_ASSIGN_OR_RETURN(ValueView inv, OpShaped(ctx, "Rsqrt", {ve}, {Attr::T()}, stat_shape, "batchnorm/Rsqrt"));
  Shape inv_shape = stat_shape;
  if (gamma) {
    if (!BroadcastShapes(stat_shape, gamma->dims(), &inv_shape)) return Internal("gamma does not broadcast");
    TFLC_ASSIGN_OR_RETURN(inv, OpShaped(ctx, "Mul", {inv, *gamma}, {Attr::T()}, inv_shape, "batchnorm/mul"));
  }
  TFLC_ASSIGN_OR_RETURN(ValueView xs, OpShaped(ctx, "Mul", {x, inv}, {Attr::T()}, shape, "batchnorm/mul_1"));
  TFLC_ASSIGN_OR_RETURN(ValueView mi, OpShaped(ctx, "Mul", {mean, inv}, {Attr::T()}, inv_shape, "batchnorm/mul_2"));
  ValueView off;
  if (beta) {
    Shape off_shape;
    if (!BroadcastShapes(inv_shape, beta->dims(), &off_shape)) return Internal("beta does not broadcast");
    TFLC_ASSIGN_OR_RETURN(off, OpShaped(ctx, "Sub", {*beta, mi}, {Attr::T()}, off_shape, "batchnorm/sub"));
  } else {
    TFLC_ASSIGN_OR_RETURN(off, OpShaped(ctx, "Neg", {mi}, {Attr::T()}, inv_shape, "batchnorm/Neg"));
  }
  return OpShaped(ctx, "AddV2", {xs, off}, {Attr::T()}, shape, "batchnorm/add_1");
}

}  // namespace

Status ConvertLayerNormalization(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  const int rank = x.rank();
  if (rank < 2) return InvalidArgument("expects an input of rank 2 or more, got shape " + ShapeStr(x.shape));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, NormAxes(ctx, "axis", rank, -1));
  TFLC_ASSIGN_OR_RETURN(bool center, ctx.Bool("center", true));
  TFLC_ASSIGN_OR_RETURN(bool scale, ctx.Bool("scale", true));
  TFLC_ASSIGN_OR_RETURN(bool rms, ctx.Bool("rms_scaling", false));
  TFLC_ASSIGN_OR_RETURN(double epsilon, ctx.Float("epsilon", 1e-3));
  // Keras 3: rms_scaling creates gamma (whatever `scale` says) and no beta.
  if (rms) {
    scale = true;
    center = false;
  }
  Shape param, bshape(static_cast<size_t>(rank), 1);
  for (int64_t a : axes) {
    const int64_t d = x.shape[static_cast<size_t>(a)];
    if (d < 0) return Unimplemented("the normalized dimension " + std::to_string(a) + " of input shape " + ShapeStr(x.shape) + " is unknown");
    param.push_back(d);
    bshape[static_cast<size_t>(a)] = d;
  }
  // gamma/beta of shape `param`, broadcast as Keras does (reshaped unless axis is only the last).
  const bool last_only = axes.size() == 1 && axes[0] == rank - 1;
  const Shape cdims = last_only ? param : bshape;
  std::vector<std::string> roles;
  if (scale) roles.push_back("gamma");
  if (center) roles.push_back("beta");
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(roles));
  ValueView gamma, beta;
  if (scale) { TFLC_ASSIGN_OR_RETURN(gamma, ctx.Weight("gamma", param, &cdims)); }
  if (center) { TFLC_ASSIGN_OR_RETURN(beta, ctx.Weight("beta", param, &cdims)); }

  ValueView mean, var;
  TFLC_RETURN_IF_ERROR(Moments(ctx, x.value, x.shape, axes, &mean, &var));
  const Shape stat = KeepDimsShape(x.shape, axes);
  Tensor y = x;
  if (rms) {
    // Keras 3 rms_scaling: x * rsqrt(variance + eps) * gamma (the variance is still mean-centred).
    TFLC_ASSIGN_OR_RETURN(ValueView eps, ctx.ScalarF32("add/y", static_cast<float>(epsilon)));
    TFLC_ASSIGN_OR_RETURN(ValueView ve, OpShaped(ctx, "AddV2", {var, eps}, {Attr::T()}, stat, "add"));
    TFLC_ASSIGN_OR_RETURN(ValueView inv, OpShaped(ctx, "Rsqrt", {ve}, {Attr::T()}, stat, "Rsqrt"));
    TFLC_ASSIGN_OR_RETURN(ValueView xs, OpShaped(ctx, "Mul", {x.value, inv}, {Attr::T()}, x.shape, "mul"));
    TFLC_ASSIGN_OR_RETURN(y.value, OpShaped(ctx, "Mul", {xs, gamma}, {Attr::T()}, x.shape, "mul_1"));
  } else {
    TFLC_ASSIGN_OR_RETURN(y.value, BatchNormForm(ctx, x.value, x.shape, mean, var, stat, epsilon,
                                                 scale ? &gamma : nullptr, center ? &beta : nullptr));
  }
  out->push_back(y);
  return OkStatus();
}

Status ConvertGroupNormalization(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  const int rank = x.rank();
  if (rank < 2) return InvalidArgument("expects an input of rank 2 or more, got shape " + ShapeStr(x.shape));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, ctx.Int("axis", -1));
  if (axis < 0) axis += rank;
  if (axis < 1 || axis >= rank)
    return InvalidArgument("config 'axis' is out of range for input shape " + ShapeStr(x.shape));
  const size_t a = static_cast<size_t>(axis);
  const int64_t c = x.shape[a];
  if (c < 0) return Unimplemented("the channel dimension of input shape " + ShapeStr(x.shape) + " is unknown");
  TFLC_ASSIGN_OR_RETURN(int64_t groups, ctx.Int("groups", 32));
  if (groups == -1) groups = c;
  if (groups <= 0 || c % groups != 0)
    return InvalidArgument("config 'groups' " + std::to_string(groups) + " must divide the " + std::to_string(c) +
                           " channels of input shape " + ShapeStr(x.shape));
  TFLC_RETURN_IF_ERROR(ctx.RequireStatic(x, "GroupNormalization's reshape into groups"));
  TFLC_ASSIGN_OR_RETURN(bool center, ctx.Bool("center", true));
  TFLC_ASSIGN_OR_RETURN(bool scale, ctx.Bool("scale", true));
  TFLC_ASSIGN_OR_RETURN(double epsilon, ctx.Float("epsilon", 1e-3));
  std::vector<std::string> roles;
  if (scale) roles.push_back("gamma");
  if (center) roles.push_back("beta");
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(roles));
  // (..., C, ...) → (..., groups, C/groups, ...); channel k is in group k / (C/groups).
  Shape grouped(x.shape.begin(), x.shape.begin() + static_cast<std::ptrdiff_t>(a));
  grouped.push_back(groups);
  grouped.push_back(c / groups);
  grouped.insert(grouped.end(), x.shape.begin() + static_cast<std::ptrdiff_t>(a) + 1, x.shape.end());
  Shape bshape(grouped.size(), 1);
  bshape[a] = groups;
  bshape[a + 1] = c / groups;
  ValueView gamma, beta;
  if (scale) { TFLC_ASSIGN_OR_RETURN(gamma, ctx.Weight("gamma", {c}, &bshape)); }
  if (center) { TFLC_ASSIGN_OR_RETURN(beta, ctx.Weight("beta", {c}, &bshape)); }
  TFLC_ASSIGN_OR_RETURN(ValueView r, ctx.Reshape(x.value, grouped));
  std::vector<int64_t> axes;
  for (int64_t i = 1; i < static_cast<int64_t>(grouped.size()); ++i)
    if (i != axis) axes.push_back(i);
  ValueView mean, var;
  TFLC_RETURN_IF_ERROR(Moments(ctx, r, grouped, axes, &mean, &var));
  TFLC_ASSIGN_OR_RETURN(ValueView n, BatchNormForm(ctx, r, grouped, mean, var, KeepDimsShape(grouped, axes), epsilon,
                                                   scale ? &gamma : nullptr, center ? &beta : nullptr));
  Tensor y = x;
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Reshape(n, x.shape, "Reshape_1"));
  out->push_back(y);
  return OkStatus();
}

Status ConvertUnitNormalization(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  const int rank = x.rank();
  if (rank < 2) return InvalidArgument("expects an input of rank 2 or more, got shape " + ShapeStr(x.shape));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, NormAxes(ctx, "axis", rank, -1));
  std::vector<int32_t> ax(axes.begin(), axes.end());
  const Shape kept = KeepDimsShape(x.shape, axes);
  TFLC_ASSIGN_OR_RETURN(ValueView sq, OpShaped(ctx, "Square", {x.value}, {Attr::T()}, x.shape));
  TFLC_ASSIGN_OR_RETURN(ValueView ai, ctx.ConstI32("Sum/reduction_indices", {static_cast<int64_t>(ax.size())}, ax));
  TFLC_ASSIGN_OR_RETURN(ValueView sum, OpShaped(ctx, "Sum", {sq, ai},
                                                {Attr::T(), Attr::Type("Tidx", TFLC_TYPE_INT32), Attr::Bool("keep_dims", true)},
                                                kept));
  ValueView inv;
  const auto [major, minor] = ctx.keras_major_minor();
  if (major > 3 || (major == 3 && minor >= 6)) {
    // Keras >= 3.6 ops.normalize: x * minimum(rsqrt(sum(x^2)), 1 / 1e-12).
    TFLC_ASSIGN_OR_RETURN(ValueView rs, OpShaped(ctx, "Rsqrt", {sum}, {Attr::T()}, kept));
    TFLC_ASSIGN_OR_RETURN(ValueView cap, ctx.ScalarF32("Minimum/y", 1e12f));
    TFLC_ASSIGN_OR_RETURN(inv, OpShaped(ctx, "Minimum", {rs, cap}, {Attr::T()}, kept));
  } else {
    // tf.keras and Keras <= 3.5 (tf.linalg.l2_normalize): x * rsqrt(maximum(sum(x^2), 1e-12)).
    TFLC_ASSIGN_OR_RETURN(ValueView eps, ctx.ScalarF32("Maximum/y", 1e-12f));
    TFLC_ASSIGN_OR_RETURN(ValueView m, OpShaped(ctx, "Maximum", {sum, eps}, {Attr::T()}, kept));
    TFLC_ASSIGN_OR_RETURN(inv, OpShaped(ctx, "Rsqrt", {m}, {Attr::T()}, kept));
  }
  Tensor y = x;
  TFLC_ASSIGN_OR_RETURN(y.value, OpShaped(ctx, "Mul", {x.value, inv}, {Attr::T()}, x.shape));
  out->push_back(y);
  return OkStatus();
}

}  // namespace tflc::keras
