// Normalization, Resizing, CenterCrop (Keras preprocessing layers, inference) and Dot.
#include <algorithm>
#include <cmath>

#include "layers.h"

namespace tflc::keras {

namespace {

// A config value (number or nested list) flattened to doubles.
bool Flatten(const Json& v, std::vector<double>* out) {
  if (v.is_number()) {
    out->push_back(v.get<double>());
    return true;
  }
  if (!v.is_array()) return false;
  for (const auto& e : v)
    if (!Flatten(e, out)) return false;
  return true;
}

StatusOr<std::vector<float>> StatFromConfig(LayerContext& ctx, const std::string& key, int64_t n) {
  std::vector<double> v;
  if (!Flatten(ctx.config()[key], &v))
    return InvalidArgument("config '" + key + "' must be a number or a list of numbers");
  if (v.size() == 1) v.assign(static_cast<size_t>(n), v[0]);
  if (static_cast<int64_t>(v.size()) != n)
    return InvalidArgument("config '" + key + "' has " + std::to_string(v.size()) + " values; the normalized axes need " +
                           std::to_string(n));
  return std::vector<float>(v.begin(), v.end());
}

}  // namespace

// Normalization ([K3] layers/preprocessing/normalization.py, [K2] same file in tf-keras):
// (x - mean) / max(sqrt(variance), epsilon) (invert: mean + x * max(sqrt(variance), epsilon)),
// epsilon = backend.epsilon() = 1e-7; mean / variance have one value per index of the kept axes
// (`axis`, default -1; None = one scalar for everything), stored as the non-trainable weights
// mean, variance, count, or given in the config (`mean`, `variance`) instead.
Status ConvertNormalization(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  const int r = x.rank();
  std::vector<int64_t> keep;
  if (!ctx.config().contains("axis")) {
    keep = {r - 1};
  } else {
    const Json& a = ctx.config()["axis"];
    std::vector<double> v;
    if (!a.is_null() && !Flatten(a, &v)) return InvalidArgument("config 'axis' " + a.dump() + " is not an axis or a list of axes");
    for (double d : v) {
      int64_t ax = static_cast<int64_t>(d);
      if (ax < 0) ax += r;
      if (ax < 1 || ax >= r)
        return InvalidArgument("config 'axis' " + a.dump() + " is out of range for input shape " + ShapeStr(x.shape));
      keep.push_back(ax);
    }
    std::sort(keep.begin(), keep.end());
  }
  Shape stat_shape, bshape(static_cast<size_t>(r), 1);
  int64_t n = 1;
  for (int64_t ax : keep) {
    const int64_t d = x.shape[static_cast<size_t>(ax)];
    if (d < 0) return Unimplemented("the normalized dimension " + std::to_string(ax) + " of input shape " + ShapeStr(x.shape) + " is unknown");
    stat_shape.push_back(d);
    bshape[static_cast<size_t>(ax)] = d;
    n *= d;
  }
  TFLC_ASSIGN_OR_RETURN(bool invert, ctx.Bool("invert", false));
  std::vector<float> mean, var;
  if (ctx.Has("mean") || ctx.Has("variance")) {
    if (!ctx.Has("mean") || !ctx.Has("variance"))
      return InvalidArgument("config gives only one of 'mean' and 'variance'; Keras needs both or neither");
    TFLC_ASSIGN_OR_RETURN(mean, StatFromConfig(ctx, "mean", n));
    TFLC_ASSIGN_OR_RETURN(var, StatFromConfig(ctx, "variance", n));
  } else {
    TFLC_RETURN_IF_ERROR(ctx.BindWeights({"mean", "variance", "count"}));
    TFLC_ASSIGN_OR_RETURN(mean, ctx.WeightData("mean", stat_shape));
    TFLC_ASSIGN_OR_RETURN(var, ctx.WeightData("variance", stat_shape));
  }
  // The denominator max(sqrt(variance), epsilon) is a constant (TF's converter folds it too).
  std::vector<float> denom(var.size());
  for (size_t i = 0; i < var.size(); ++i)
    denom[i] = std::max(std::sqrt(std::max(var[i], 0.0f)), 1e-7f);
  TFLC_ASSIGN_OR_RETURN(ValueView m, ctx.ConstF32("mean", bshape, mean));
  TFLC_ASSIGN_OR_RETURN(ValueView d, ctx.ConstF32("Maximum", bshape, denom));
  Tensor y = x;
  if (invert) {
    TFLC_ASSIGN_OR_RETURN(ValueView t, ctx.Op("Mul", {x.value, d}, {Attr::T()}));
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("AddV2", {m, t}, {Attr::T()}));
  } else {
    TFLC_ASSIGN_OR_RETURN(ValueView t, ctx.Op("Sub", {x.value, m}, {Attr::T()}));
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("RealDiv", {t, d}, {Attr::T()}));
  }
  out->push_back(y);
  return OkStatus();
}

namespace {

// images[:, h0:h0+h, w0:w0+w, :] as a Slice.
StatusOr<Tensor> SliceHW(LayerContext& ctx, const Tensor& x, int64_t h0, int64_t w0, int64_t h, int64_t w,
                         const std::string& hint) {
  Tensor y = x;
  y.shape = {x.shape[0], h, w, x.shape[3]};
  TFLC_ASSIGN_OR_RETURN(ValueView b, ctx.ConstI32(hint + "/begin", {4}, {0, static_cast<int32_t>(h0), static_cast<int32_t>(w0), 0}));
  TFLC_ASSIGN_OR_RETURN(ValueView s, ctx.ConstI32(hint + "/size", {4}, {-1, static_cast<int32_t>(h), static_cast<int32_t>(w), -1}));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Slice", {x.value, b, s}, {Attr::T(), Attr::Type("Index", TFLC_TYPE_INT32)}, hint));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  return y;
}

// tf.image.resize (v2, antialias off) to [th, tw]: bilinear or nearest with half-pixel centers.
StatusOr<Tensor> Resize(LayerContext& ctx, const Tensor& x, int64_t th, int64_t tw, const std::string& interp) {
  std::string op;
  if (interp == "bilinear") op = "ResizeBilinear";
  else if (interp == "nearest") op = "ResizeNearestNeighbor";
  else return Unimplemented("interpolation '" + interp + "' is not supported (TFLite has 'bilinear' and 'nearest')");
  Tensor y = x;
  y.shape = {x.shape[0], th, tw, x.shape[3]};
  TFLC_ASSIGN_OR_RETURN(ValueView sz, ctx.ConstI32("resize/size", {2}, {static_cast<int32_t>(th), static_cast<int32_t>(tw)}));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op(op, {x.value, sz}, {Attr::T(), Attr::Bool("align_corners", false),
                                                            Attr::Bool("half_pixel_centers", true)}, "resize/" + op));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  return y;
}

// crop_to_aspect_ratio ([K3] backend/tensorflow/image.py resize; [K2] image_utils.smart_resize):
// the largest centered window with the target aspect ratio, sizes and offsets truncated to ints.
StatusOr<Tensor> CropToAspect(LayerContext& ctx, const Tensor& x, int64_t th, int64_t tw) {
  const int64_t h = x.shape[1], w = x.shape[2];
  const int64_t ch = std::max<int64_t>(std::min<int64_t>(h, static_cast<int64_t>(static_cast<float>(w * th) / static_cast<float>(tw))), 1);
  const int64_t cw = std::max<int64_t>(std::min<int64_t>(w, static_cast<int64_t>(static_cast<float>(h * tw) / static_cast<float>(th))), 1);
  const int64_t h0 = static_cast<int64_t>(static_cast<float>(h - ch) / 2), w0 = static_cast<int64_t>(static_cast<float>(w - cw) / 2);
  if (ch == h && cw == w) return x;
  return SliceHW(ctx, x, h0, w0, ch, cw, "crop_to_aspect_ratio");
}

// pad_to_aspect_ratio (Keras 3): the smallest centered canvas with the target aspect ratio, filled
// with fill_value.
StatusOr<Tensor> PadToAspect(LayerContext& ctx, const Tensor& x, int64_t th, int64_t tw, double fill) {
  const int64_t h = x.shape[1], w = x.shape[2];
  const int64_t ph = std::max<int64_t>(h, static_cast<int64_t>(static_cast<float>(w * th) / static_cast<float>(tw)));
  const int64_t pw = std::max<int64_t>(w, static_cast<int64_t>(static_cast<float>(h * tw) / static_cast<float>(th)));
  if (ph == h && pw == w) return x;
  const int64_t h0 = static_cast<int64_t>(static_cast<float>(ph - h) / 2), w0 = static_cast<int64_t>(static_cast<float>(pw - w) / 2);
  Tensor y = x;
  y.shape = {x.shape[0], ph, pw, x.shape[3]};
  TFLC_ASSIGN_OR_RETURN(ValueView p, ctx.ConstI32("pad_to_aspect_ratio/paddings", {4, 2},
                                                  {0, 0, static_cast<int32_t>(h0), static_cast<int32_t>(ph - h - h0),
                                                   static_cast<int32_t>(w0), static_cast<int32_t>(pw - w - w0), 0, 0}));
  TFLC_ASSIGN_OR_RETURN(ValueView f, ctx.ScalarF32("pad_to_aspect_ratio/constant_values", static_cast<float>(fill)));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("PadV2", {x.value, p, f}, {Attr::T(), Attr::Type("Tpaddings", TFLC_TYPE_INT32)},
                                        "pad_to_aspect_ratio"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  return y;
}

Status ReadTarget(LayerContext& ctx, const Tensor& x, int64_t* th, int64_t* tw) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 4, "[batch, height, width, channels]"));
  TFLC_RETURN_IF_ERROR(ctx.RequireChannelsLast());
  TFLC_RETURN_IF_ERROR(ctx.RequireStatic(x, "the constant resize/crop window"));
  TFLC_ASSIGN_OR_RETURN(*th, ctx.Int("height", -1));
  TFLC_ASSIGN_OR_RETURN(*tw, ctx.Int("width", -1));
  if (*th <= 0 || *tw <= 0) return InvalidArgument("config 'height' and 'width' must be positive integers");
  return OkStatus();
}

}  // namespace

// Resizing: optional crop_to_aspect_ratio (crop) or pad_to_aspect_ratio (Keras 3, pad with
// fill_value), then tf.image.resize.
Status ConvertResizing(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  Tensor x = ctx.in();
  int64_t th, tw;
  TFLC_RETURN_IF_ERROR(ReadTarget(ctx, x, &th, &tw));
  TFLC_ASSIGN_OR_RETURN(std::string interp, ctx.Str("interpolation", "bilinear"));
  TFLC_ASSIGN_OR_RETURN(bool crop, ctx.Bool("crop_to_aspect_ratio", false));
  TFLC_ASSIGN_OR_RETURN(bool pad, ctx.Bool("pad_to_aspect_ratio", false));
  if (crop && pad) return InvalidArgument("config sets both crop_to_aspect_ratio and pad_to_aspect_ratio");
  TFLC_ASSIGN_OR_RETURN(bool antialias, ctx.Bool("antialias", false));
  if (antialias)
    return Unimplemented("antialias=True is not supported (TFLite's resize ops have no antialiasing filter); "
                         "use antialias=False");
  if (pad) {
    TFLC_ASSIGN_OR_RETURN(std::string mode, ctx.Str("fill_mode", "constant"));
    if (mode != "constant") return Unimplemented("fill_mode '" + mode + "' is not supported (use 'constant')");
    TFLC_ASSIGN_OR_RETURN(double fill, ctx.Float("fill_value", 0.0));
    TFLC_ASSIGN_OR_RETURN(x, PadToAspect(ctx, x, th, tw, fill));
  } else if (crop) {
    TFLC_ASSIGN_OR_RETURN(x, CropToAspect(ctx, x, th, tw));
  }
  TFLC_ASSIGN_OR_RETURN(Tensor y, Resize(ctx, x, th, tw, interp));
  out->push_back(y);
  return OkStatus();
}

// CenterCrop: the centered (height, width) window (offsets (h - height) / 2 truncated); an input
// smaller than the target on either axis is resized instead (bilinear, cropped to the target
// aspect ratio first), as [K2] CenterCrop.upsize / [K3] center_crop.py do.
Status ConvertCenterCrop(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  int64_t th, tw;
  TFLC_RETURN_IF_ERROR(ReadTarget(ctx, x, &th, &tw));
  const int64_t hd = x.shape[1] - th, wd = x.shape[2] - tw;
  if (hd >= 0 && wd >= 0) {
    TFLC_ASSIGN_OR_RETURN(Tensor y, SliceHW(ctx, x, hd / 2, wd / 2, th, tw, "center_crop"));
    out->push_back(y);
    return OkStatus();
  }
  TFLC_ASSIGN_OR_RETURN(Tensor c, CropToAspect(ctx, x, th, tw));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Resize(ctx, c, th, tw, "bilinear"));
  out->push_back(y);
  return OkStatus();
}

// Dot (merging/dot.py, [K2] and [K3]): optional l2 normalization along the contracted axes
// (x * rsqrt(max(sum(x^2), 1e-12))), then backend.batch_dot. Rank-2 inputs: Mul + Sum(axis 1,
// keepdims) → [batch, 1]; rank-3 inputs: BatchMatMulV2 with adj_x / adj_y picking the contracted
// axes → [batch, m, n].
Status ConvertDot(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(2));
  Tensor a = ctx.in(0), b = ctx.in(1);
  if (a.rank() != b.rank() || (a.rank() != 2 && a.rank() != 3))
    return Unimplemented("Dot of inputs with shapes " + ShapeStr(a.shape) + " and " + ShapeStr(b.shape) +
                         " is not supported (both rank 2 or both rank 3)");
  const int r = a.rank();
  std::vector<int64_t> axes;
  const Json& ax = ctx.config().contains("axes") ? ctx.config()["axes"] : Json(-1);
  if (ax.is_number_integer()) {
    axes = {ax.get<int64_t>(), ax.get<int64_t>()};
  } else if (ax.is_array() && ax.size() == 2 && ax[0].is_number_integer() && ax[1].is_number_integer()) {
    axes = {ax[0].get<int64_t>(), ax[1].get<int64_t>()};
  } else {
    return InvalidArgument("config 'axes' " + ax.dump() + " must be an integer or a pair of integers");
  }
  for (auto& v : axes) {
    if (v < 0) v += r;
    if (v < 1 || v >= r) return InvalidArgument("config 'axes' " + ax.dump() + " is out of range for rank " + std::to_string(r));
  }
  if (a.shape[static_cast<size_t>(axes[0])] >= 0 && b.shape[static_cast<size_t>(axes[1])] >= 0 &&
      a.shape[static_cast<size_t>(axes[0])] != b.shape[static_cast<size_t>(axes[1])])
    return InvalidArgument("the contracted dimensions differ: " + ShapeStr(a.shape) + " axis " + std::to_string(axes[0]) +
                           " vs " + ShapeStr(b.shape) + " axis " + std::to_string(axes[1]));
  TFLC_ASSIGN_OR_RETURN(bool normalize, ctx.Bool("normalize", false));
  if (normalize) {
    for (int k = 0; k < 2; ++k) {
      Tensor& t = k == 0 ? a : b;
      const std::string base = "l2_normalize" + std::string(k ? "_1" : "");
      Shape ks = t.shape;
      ks[static_cast<size_t>(axes[static_cast<size_t>(k)])] = 1;
      TFLC_ASSIGN_OR_RETURN(ValueView sq, ctx.Op("Square", {t.value}, {Attr::T()}, base + "/Square"));
      TFLC_RETURN_IF_ERROR(ctx.SetShape(sq, t.shape));
      TFLC_ASSIGN_OR_RETURN(ValueView ai, ctx.ConstI32(base + "/Sum/reduction_indices", {},
                                                       {static_cast<int32_t>(axes[static_cast<size_t>(k)])}));
      TFLC_ASSIGN_OR_RETURN(ValueView s, ctx.Op("Sum", {sq, ai}, {Attr::T(), Attr::Type("Tidx", TFLC_TYPE_INT32),
                                                                  Attr::Bool("keep_dims", true)}, base + "/Sum"));
      TFLC_RETURN_IF_ERROR(ctx.SetShape(s, ks));
      TFLC_ASSIGN_OR_RETURN(ValueView eps, ctx.ScalarF32(base + "/Maximum/y", 1e-12f));
      TFLC_ASSIGN_OR_RETURN(ValueView mx, ctx.Op("Maximum", {s, eps}, {Attr::T()}, base + "/Maximum"));
      TFLC_ASSIGN_OR_RETURN(ValueView rs, ctx.Op("Rsqrt", {mx}, {Attr::T()}, base + "/Rsqrt"));
      TFLC_RETURN_IF_ERROR(ctx.SetShape(rs, ks));
      TFLC_ASSIGN_OR_RETURN(t.value, ctx.Op("Mul", {t.value, rs}, {Attr::T()}, base));
    }
  }
  Tensor y;
  if (r == 2) {
    TFLC_ASSIGN_OR_RETURN(ValueView m, ctx.Op("Mul", {a.value, b.value}, {Attr::T()}));
    TFLC_ASSIGN_OR_RETURN(ValueView ai, ctx.ConstI32("Sum/reduction_indices", {}, {1}));
    y.shape = {a.shape[0], 1};
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Sum", {m, ai}, {Attr::T(), Attr::Type("Tidx", TFLC_TYPE_INT32),
                                                           Attr::Bool("keep_dims", true)}));
  } else {
    const bool adj_x = axes[0] == 1, adj_y = axes[1] == 2;
    y.shape = {a.shape[0], a.shape[adj_x ? 2 : 1], b.shape[adj_y ? 1 : 2]};
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("BatchMatMulV2", {a.value, b.value},
                                          {Attr::T(), Attr::Bool("adj_x", adj_x), Attr::Bool("adj_y", adj_y)}, "MatMul"));
  }
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  out->push_back(y);
  return OkStatus();
}

}  // namespace tflc::keras
