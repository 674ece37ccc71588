// Dense, Flatten, Reshape, Permute, RepeatVector, Embedding, Rescaling and the inference no-ops.
#include <numeric>

#include "layers.h"

namespace tflc::keras {

namespace {

int64_t Product(const Shape& s, size_t from = 0) {
  int64_t n = 1;
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] < 0) return -1;
    n *= s[i];
  }
  return n;
}

// A config value that is a number or a list of numbers ("scale": 0.5 or [0.5, 0.25, 1]).
StatusOr<std::vector<float>> Numbers(LayerContext& ctx, const std::string& key, float dflt) {
  if (!ctx.Has(key)) return std::vector<float>{dflt};
  const Json& v = ctx.config()[key];
  if (v.is_number()) return std::vector<float>{v.get<float>()};
  if (v.is_array()) {
    std::vector<float> out;
    for (const auto& e : v) {
      if (!e.is_number()) return InvalidArgument("config '" + key + "' must be a number or a list of numbers");
      out.push_back(e.get<float>());
    }
    if (!out.empty()) return out;
  }
  return InvalidArgument("config '" + key + "' must be a number or a list of numbers");
}

}  // namespace

Status ConvertPassThrough(LayerContext& ctx, std::vector<Tensor>* out) {
  // Dropout-like layers are the identity at inference time: nothing is emitted.
  *out = {ctx.in()};
  return OkStatus();
}

Status ConvertDense(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  if (x.rank() < 2) return InvalidArgument("expects an input of rank 2 or more, got shape " + ShapeStr(x.shape));
  const int64_t in = x.shape.back();
  if (in < 0) return Unimplemented("the last input dimension is unknown (shape " + ShapeStr(x.shape) + ")");
  TFLC_ASSIGN_OR_RETURN(int64_t units, ctx.Int("units", -1));
  if (units <= 0) return InvalidArgument("config 'units' is missing or not positive");
  TFLC_ASSIGN_OR_RETURN(bool use_bias, ctx.Bool("use_bias", true));
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(use_bias ? std::vector<std::string>{"kernel", "bias"}
                                                : std::vector<std::string>{"kernel"}));
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, ctx.Weight("kernel", {in, units}));
  const std::vector<Attr> matmul_attrs = {Attr::T(), Attr::Bool("transpose_a", false), Attr::Bool("transpose_b", false)};

  Tensor y;
  y.shape = x.shape;
  y.shape.back() = units;
  if (x.rank() == 2) {
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("MatMul", {x.value, kernel}, matmul_attrs));
    TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  } else {
    // Keras 3 traces matmul(x, kernel) → BatchMatMulV2 (tf.keras' tensordot computes the same);
    // the lowering makes it one FULLY_CONNECTED with keep_num_dims, as TF's converter does.
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("BatchMatMulV2", {x.value, kernel},
                                          {Attr::T(), Attr::Bool("adj_x", false), Attr::Bool("adj_y", false)}));
    TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  }
  if (use_bias) {
    TFLC_ASSIGN_OR_RETURN(ValueView bias, ctx.Weight("bias", {units}));
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("BiasAdd", {y.value, bias}, {Attr::T(), Attr::Str("data_format", "NHWC")}));
  }
  const Json& cfg = ctx.config();
  TFLC_ASSIGN_OR_RETURN(y, ApplyActivation(ctx, y, cfg.contains("activation") ? cfg["activation"] : Json()));
  out->push_back(y);
  return OkStatus();
}

Status ConvertFlatten(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  TFLC_RETURN_IF_ERROR(ctx.RequireChannelsLast());
  const Tensor& x = ctx.in();
  if (x.rank() <= 2 && x.rank() >= 1) {
    Tensor y = x;
    if (x.rank() == 1) {
      y.shape = {1, 1};
      TFLC_ASSIGN_OR_RETURN(y.value, ctx.Reshape(x.value, y.shape));
    }
    out->push_back(y);
    return OkStatus();
  }
  Tensor y = x;
  y.shape = {1, Product(x.shape, 1)};  // -1 when a dimension is unknown
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Reshape(x.value, y.shape));
  out->push_back(y);
  return OkStatus();
}

Status ConvertReshape(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  if (!ctx.Has("target_shape") || !ctx.config()["target_shape"].is_array())
    return InvalidArgument("config 'target_shape' is missing");
  Shape target = {1};
  int infer = -1;
  for (const auto& d : ctx.config()["target_shape"]) {
    if (!d.is_number_integer() && !d.is_null()) return InvalidArgument("config 'target_shape' must hold integers");
    int64_t v = d.is_null() ? -1 : d.get<int64_t>();
    if (v < 0) {
      if (infer >= 0) return InvalidArgument("config 'target_shape' has more than one -1");
      infer = static_cast<int>(target.size());
      v = -1;
    }
    target.push_back(v);
  }
  const int64_t total = Product(x.shape, 1);
  if (infer >= 0 && total >= 0) {
    int64_t known = 1;
    for (size_t i = 1; i < target.size(); ++i)
      if (static_cast<int>(i) != infer) known *= target[i];
    if (known == 0 || total % known != 0)
      return InvalidArgument("cannot reshape input of shape " + ShapeStr(x.shape) + " to target_shape " +
                             ctx.config()["target_shape"].dump());
    target[static_cast<size_t>(infer)] = total / known;
  } else if (infer < 0 && total >= 0 && Product(target, 1) != total) {
    return InvalidArgument("cannot reshape input of shape " + ShapeStr(x.shape) + " to target_shape " +
                           ctx.config()["target_shape"].dump());
  }
  Tensor y = x;
  y.shape = target;
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Reshape(x.value, target));
  out->push_back(y);
  return OkStatus();
}

Status ConvertPermute(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  if (!ctx.Has("dims") || !ctx.config()["dims"].is_array()) return InvalidArgument("config 'dims' is missing");
  std::vector<int32_t> perm = {0};
  for (const auto& d : ctx.config()["dims"]) {
    if (!d.is_number_integer()) return InvalidArgument("config 'dims' must hold integers");
    perm.push_back(d.get<int32_t>());
  }
  if (static_cast<int>(perm.size()) != x.rank())
    return InvalidArgument("config 'dims' " + ctx.config()["dims"].dump() + " does not fit input shape " + ShapeStr(x.shape));
  std::vector<bool> seen(perm.size(), false);
  for (int32_t p : perm) {
    if (p < 0 || p >= x.rank() || seen[static_cast<size_t>(p)])
      return InvalidArgument("config 'dims' " + ctx.config()["dims"].dump() + " is not a permutation of 1.." +
                             std::to_string(x.rank() - 1));
    seen[static_cast<size_t>(p)] = true;
  }
  Tensor y = x;
  for (size_t i = 0; i < perm.size(); ++i) y.shape[i] = x.shape[static_cast<size_t>(perm[i])];
  TFLC_ASSIGN_OR_RETURN(ValueView p, ctx.ConstI32("perm", {static_cast<int64_t>(perm.size())}, perm));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Transpose", {x.value, p}, {Attr::T(), Attr::Type("Tperm", TFLC_TYPE_INT32)}));
  out->push_back(y);
  return OkStatus();
}

Status ConvertRepeatVector(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 2, "[batch, features]"));
  TFLC_ASSIGN_OR_RETURN(int64_t n, ctx.Int("n", -1));
  if (n <= 0) return InvalidArgument("config 'n' is missing or not positive");
  // backend.repeat: expand_dims(x, 1) then tile [1, n, 1].
  TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), "ExpandDims/dim", 1));
  TFLC_ASSIGN_OR_RETURN(ValueView e, ctx.Op("ExpandDims", {x.value, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)}));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(e, {x.shape[0], 1, x.shape[1]}));
  TFLC_ASSIGN_OR_RETURN(ValueView m, ctx.ConstI32("Tile/multiples", {3}, {1, static_cast<int32_t>(n), 1}));
  Tensor y = x;
  y.shape = {x.shape[0], n, x.shape[1]};
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Tile", {e, m}, {Attr::T(), Attr::Type("Tmultiples", TFLC_TYPE_INT32)}));
  out->push_back(y);
  return OkStatus();
}

Status ConvertEmbedding(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_ASSIGN_OR_RETURN(int64_t input_dim, ctx.Int("input_dim", -1));
  TFLC_ASSIGN_OR_RETURN(int64_t output_dim, ctx.Int("output_dim", -1));
  if (input_dim <= 0 || output_dim <= 0) return InvalidArgument("config 'input_dim'/'output_dim' missing or not positive");
  TFLC_RETURN_IF_ERROR(ctx.BindWeights({"embeddings"}));
  TFLC_ASSIGN_OR_RETURN(ValueView table, ctx.Weight("embeddings", {input_dim, output_dim}));
  ValueView indices = x.value;
  TflcDataType index_type = x.dtype;
  if (x.dtype != TFLC_TYPE_INT32 && x.dtype != TFLC_TYPE_INT64) {
    // Keras casts non-integer indices to int32.
    TFLC_ASSIGN_OR_RETURN(indices, ctx.Op("Cast", {x.value}, {Attr::Type("SrcT", x.dtype), Attr::Type("DstT", TFLC_TYPE_INT32),
                                                               Attr::Bool("Truncate", false)}));
    index_type = TFLC_TYPE_INT32;
  }
  TFLC_ASSIGN_OR_RETURN(ValueView axis, ctx.em().ScalarI32(ctx.scope(), "GatherV2/axis", 0));
  Tensor y;
  y.shape = x.shape;
  y.shape.push_back(output_dim);
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("GatherV2", {table, indices, axis},
                                        {Attr::Type("Tparams", TFLC_TYPE_FLOAT32), Attr::Type("Tindices", index_type),
                                         Attr::Type("Taxis", TFLC_TYPE_INT32), Attr::Int("batch_dims", 0)}));
  out->push_back(y);
  return OkStatus();
}

Status ConvertRescaling(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  Tensor y = ctx.in();
  TFLC_ASSIGN_OR_RETURN(std::vector<float> scale, Numbers(ctx, "scale", 1.0f));
  TFLC_ASSIGN_OR_RETURN(std::vector<float> offset, Numbers(ctx, "offset", 0.0f));
  if (y.dtype != TFLC_TYPE_FLOAT32) {
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Cast", {y.value}, {Attr::Type("SrcT", y.dtype), Attr::Type("DstT", TFLC_TYPE_FLOAT32),
                                                              Attr::Bool("Truncate", false)}));
    y.dtype = TFLC_TYPE_FLOAT32;
  }
  auto dims = [](const std::vector<float>& v) { return v.size() == 1 ? Shape{} : Shape{static_cast<int64_t>(v.size())}; };
  TFLC_ASSIGN_OR_RETURN(ValueView s, ctx.ConstF32("scale", dims(scale), scale));
  TFLC_ASSIGN_OR_RETURN(ValueView o, ctx.ConstF32("offset", dims(offset), offset));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Mul", {y.value, s}, {Attr::T()}));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("AddV2", {y.value, o}, {Attr::T()}));
  if (scale.size() > 1 || offset.size() > 1) {
    Shape b;
    if (!BroadcastShapes(y.shape, dims(scale), &b) || !BroadcastShapes(b, dims(offset), &y.shape))
      return InvalidArgument("scale/offset do not broadcast to the input shape " + ShapeStr(ctx.in().shape));
  }
  out->push_back(y);
  return OkStatus();
}

}  // namespace tflc::keras
