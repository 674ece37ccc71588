// MaxPooling1D/2D/3D, AveragePooling1D/2D/3D, GlobalAverage/MaxPooling1D/2D/3D.
#include "layers.h"

namespace tflc::keras {

namespace {

struct PoolConfig {
  std::vector<int64_t> pool, strides;
  std::string padding;
};

StatusOr<PoolConfig> ReadPool(LayerContext& ctx, size_t rank) {
  TFLC_RETURN_IF_ERROR(ctx.RequireChannelsLast());
  PoolConfig p;
  // Keras 1D pooling calls it pool_size (Keras 2/3) or pool_length (Keras 1).
  const std::string key = ctx.Has("pool_size") || !ctx.Has("pool_length") ? "pool_size" : "pool_length";
  TFLC_ASSIGN_OR_RETURN(p.pool, ctx.IntTuple(key, rank, 2));
  // strides default to the pool size.
  if (ctx.Has("strides")) {
    TFLC_ASSIGN_OR_RETURN(p.strides, ctx.IntTuple("strides", rank, 1));
  } else {
    p.strides = p.pool;
  }
  TFLC_ASSIGN_OR_RETURN(p.padding, ctx.Str("padding", "valid"));
  if (p.padding != "valid" && p.padding != "same")
    return Unimplemented("padding '" + p.padding + "' is not supported (use 'valid' or 'same')");
  for (size_t i = 0; i < rank; ++i)
    if (p.pool[i] <= 0 || p.strides[i] <= 0) return InvalidArgument("pool_size and strides must be positive");
  return p;
}

std::vector<Attr> PoolAttrs(const std::string& op, const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                            const std::string& padding) {
  std::vector<Attr> a = {Attr::T(), Attr::Ints("ksize", ksize), Attr::Ints("strides", strides),
                         Attr::Str("padding", padding == "same" ? "SAME" : "VALID"), Attr::Str("data_format", "NHWC")};
  if (op == "MaxPool") a.push_back(Attr::Ints("explicit_paddings", {}));
  return a;
}

Status Pool2D(LayerContext& ctx, const std::string& op, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 4, "[batch, height, width, channels]"));
  TFLC_ASSIGN_OR_RETURN(PoolConfig p, ReadPool(ctx, 2));
  Tensor y;
  y.shape = {x.shape[0], ConvOutputLength(x.shape[1], p.pool[0], p.padding, p.strides[0], 1),
             ConvOutputLength(x.shape[2], p.pool[1], p.padding, p.strides[1], 1), x.shape[3]};
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op(op, {x.value}, PoolAttrs(op, {1, p.pool[0], p.pool[1], 1},
                                                                 {1, p.strides[0], p.strides[1], 1}, p.padding)));
  out->push_back(y);
  return OkStatus();
}

// Keras Pooling1D: expand_dims(x, 2) → 2-D pooling with (p, 1) → squeeze(2).
Status Pool1D(LayerContext& ctx, const std::string& op, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 3, "[batch, steps, channels]"));
  TFLC_ASSIGN_OR_RETURN(PoolConfig p, ReadPool(ctx, 1));
  TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), "ExpandDims/dim", 2));
  TFLC_ASSIGN_OR_RETURN(ValueView e, ctx.Op("ExpandDims", {x.value, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)}));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(e, {x.shape[0], x.shape[1], 1, x.shape[2]}));
  TFLC_ASSIGN_OR_RETURN(ValueView v, ctx.Op(op, {e}, PoolAttrs(op, {1, p.pool[0], 1, 1}, {1, p.strides[0], 1, 1}, p.padding)));
  Tensor y;
  y.shape = {x.shape[0], ConvOutputLength(x.shape[1], p.pool[0], p.padding, p.strides[0], 1), x.shape[2]};
  TFLC_RETURN_IF_ERROR(ctx.SetShape(v, {y.shape[0], y.shape[1], 1, y.shape[2]}));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Squeeze", {v}, {Attr::T(), Attr::Ints("squeeze_dims", {2})}));
  out->push_back(y);
  return OkStatus();
}

// MaxPooling3D / AveragePooling3D. Keras traces MaxPool3D / AvgPool3D, which TFLite has no builtin
// for (TF's converter keeps them as Flex or custom ops), so the 3-D window is pooled as two 2-D
// poolings: (h, w) on [b*d, h, w, c], then d on [b, d, h'*w', c] with a (pd, 1) window. Exact for
// max; exact for average too because the window is a box: the sum and the count of valid (SAME
// padding) elements both factorize over the axes, so mean_d(mean_hw) = sum / (count_d * count_hw).
Status Pool3D(LayerContext& ctx, const std::string& op, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 5, "[batch, depth, height, width, channels]"));
  TFLC_ASSIGN_OR_RETURN(PoolConfig p, ReadPool(ctx, 3));
  for (size_t i = 1; i < 5; ++i)
    if (x.shape[i] < 0)
      return Unimplemented("input shape " + ShapeStr(x.shape) + " has an unknown dimension, which 3-D pooling (as "
                           "two 2-D poolings on reshaped tensors) needs; re-create the model with a fixed input shape");
  const int64_t b = x.shape[0], d = x.shape[1], h = x.shape[2], w = x.shape[3], c = x.shape[4];
  const int64_t od = ConvOutputLength(d, p.pool[0], p.padding, p.strides[0], 1);
  const int64_t oh = ConvOutputLength(h, p.pool[1], p.padding, p.strides[1], 1);
  const int64_t ow = ConvOutputLength(w, p.pool[2], p.padding, p.strides[2], 1);
  if (od <= 0 || oh <= 0 || ow <= 0)
    return InvalidArgument("pool_size " + ShapeStr(p.pool) + " is larger than input shape " + ShapeStr(x.shape));
  const int64_t bd = b < 0 ? -1 : b * d;
  TFLC_ASSIGN_OR_RETURN(ValueView v, ctx.Reshape(x.value, {bd, h, w, c}, "hw/Reshape"));
  TFLC_ASSIGN_OR_RETURN(v, ctx.Op(op, {v}, PoolAttrs(op, {1, p.pool[1], p.pool[2], 1}, {1, p.strides[1], p.strides[2], 1},
                                                     p.padding), "hw/" + op));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(v, {bd, oh, ow, c}));
  TFLC_ASSIGN_OR_RETURN(v, ctx.Reshape(v, {b, d, oh * ow, c}, "d/Reshape"));
  TFLC_ASSIGN_OR_RETURN(v, ctx.Op(op, {v}, PoolAttrs(op, {1, p.pool[0], 1, 1}, {1, p.strides[0], 1, 1}, p.padding),
                                  "d/" + op));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(v, {b, od, oh * ow, c}));
  Tensor y;
  y.shape = {b, od, oh, ow, c};
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Reshape(v, y.shape));
  out->push_back(y);
  return OkStatus();
}

// backend.mean / backend.max (Keras 3 ops.mean / ops.max) over the spatial axes: 1..n for
// channels_last, 2..n+1 for channels_first (KERAS.md B.6: GlobalAveragePooling1D channels_first
// averages axis 2 of a [batch, features, steps] input; [K3] layers/pooling/base_global_pooling.py).
Status GlobalPool(LayerContext& ctx, const std::string& op, int spatial, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_ASSIGN_OR_RETURN(std::string df, ctx.Str("data_format", "channels_last"));
  if (df != "channels_last" && df != "channels_first")
    return InvalidArgument("config 'data_format' is '" + df + "', expected 'channels_last' or 'channels_first'");
  const bool first = df == "channels_first";
  static const char* const kLast[] = {"", "[batch, steps, channels]", "[batch, height, width, channels]",
                                      "[batch, depth, height, width, channels]"};
  static const char* const kFirst[] = {"", "[batch, channels, steps]", "[batch, channels, height, width]",
                                       "[batch, channels, depth, height, width]"};
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, spatial + 2, first ? kFirst[spatial] : kLast[spatial]));
  TFLC_ASSIGN_OR_RETURN(bool keepdims, ctx.Bool("keepdims", false));
  const int a0 = first ? 2 : 1;
  std::vector<int32_t> axes;
  for (int i = 0; i < spatial; ++i) axes.push_back(a0 + i);
  TFLC_ASSIGN_OR_RETURN(ValueView ax, ctx.ConstI32(op + "/reduction_indices", {spatial}, axes));
  Tensor y;
  if (keepdims) {
    y.shape = x.shape;
    for (int32_t a : axes) y.shape[static_cast<size_t>(a)] = 1;
  } else {
    y.shape = {x.shape[0], first ? x.shape[1] : x.shape.back()};
  }
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op(op, {x.value, ax}, {Attr::T(), Attr::Type("Tidx", TFLC_TYPE_INT32),
                                                            Attr::Bool("keep_dims", keepdims)}));
  out->push_back(y);
  return OkStatus();
}

}  // namespace

Status ConvertMaxPooling1D(LayerContext& ctx, std::vector<Tensor>* out) { return Pool1D(ctx, "MaxPool", out); }
Status ConvertAveragePooling1D(LayerContext& ctx, std::vector<Tensor>* out) { return Pool1D(ctx, "AvgPool", out); }
Status ConvertMaxPooling2D(LayerContext& ctx, std::vector<Tensor>* out) { return Pool2D(ctx, "MaxPool", out); }
Status ConvertAveragePooling2D(LayerContext& ctx, std::vector<Tensor>* out) { return Pool2D(ctx, "AvgPool", out); }
Status ConvertGlobalAveragePooling1D(LayerContext& ctx, std::vector<Tensor>* out) { return GlobalPool(ctx, "Mean", 1, out); }
Status ConvertGlobalAveragePooling2D(LayerContext& ctx, std::vector<Tensor>* out) { return GlobalPool(ctx, "Mean", 2, out); }
Status ConvertGlobalMaxPooling1D(LayerContext& ctx, std::vector<Tensor>* out) { return GlobalPool(ctx, "Max", 1, out); }
Status ConvertGlobalMaxPooling2D(LayerContext& ctx, std::vector<Tensor>* out) { return GlobalPool(ctx, "Max", 2, out); }
Status ConvertMaxPooling3D(LayerContext& ctx, std::vector<Tensor>* out) { return Pool3D(ctx, "MaxPool", out); }
Status ConvertAveragePooling3D(LayerContext& ctx, std::vector<Tensor>* out) { return Pool3D(ctx, "AvgPool", out); }
Status ConvertGlobalAveragePooling3D(LayerContext& ctx, std::vector<Tensor>* out) { return GlobalPool(ctx, "Mean", 3, out); }
Status ConvertGlobalMaxPooling3D(LayerContext& ctx, std::vector<Tensor>* out) { return GlobalPool(ctx, "Max", 3, out); }

}  // namespace tflc::keras
