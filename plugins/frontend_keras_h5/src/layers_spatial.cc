// ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D.
#include "layers.h"

namespace tflc::keras {

namespace {

// Keras padding/cropping specs: n, [a, b] (2-D: symmetric per axis; 1-D: before/after) or
// [[before, after], [before, after]]. Returns (before, after) per spatial axis.
StatusOr<std::vector<std::pair<int64_t, int64_t>>> ReadPairs(LayerContext& ctx, const std::string& key, size_t spatial,
                                                             int64_t dflt) {
  std::vector<std::pair<int64_t, int64_t>> out(spatial, {dflt, dflt});
  if (!ctx.Has(key)) return out;
  const Json& v = ctx.config()[key];
  auto bad = [&]() { return InvalidArgument("config '" + key + "' " + v.dump() + " is not a valid padding/cropping spec"); };
  if (v.is_number_integer()) {
    for (auto& p : out) p = {v.get<int64_t>(), v.get<int64_t>()};
  } else if (v.is_array() && spatial == 1 && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer()) {
    out[0] = {v[0].get<int64_t>(), v[1].get<int64_t>()};
  } else if (v.is_array() && v.size() == spatial) {
    for (size_t i = 0; i < spatial; ++i) {
      const Json& e = v[i];
      if (e.is_number_integer()) out[i] = {e.get<int64_t>(), e.get<int64_t>()};
      else if (e.is_array() && e.size() == 2 && e[0].is_number_integer() && e[1].is_number_integer())
        out[i] = {e[0].get<int64_t>(), e[1].get<int64_t>()};
      else return bad();
    }
  } else {
    return bad();
  }
  for (const auto& p : out)
    if (p.first < 0 || p.second < 0) return bad();
  return out;
}

int64_t Grow(int64_t d, int64_t by) { return d < 0 ? -1 : d + by; }

const char* RankText(size_t spatial, bool channels_first) {
  static const char* const kLast[] = {"", "[batch, steps, channels]", "[batch, height, width, channels]",
                                      "[batch, depth, height, width, channels]"};
  static const char* const kFirst[] = {"", "[batch, channels, steps]", "[batch, channels, height, width]",
                                       "[batch, channels, depth, height, width]"};
  return channels_first ? kFirst[spatial] : kLast[spatial];
}

// The first spatial axis: 1 (channels_last) or 2 (channels_first; 2-D and 3-D layers only, the
// 1-D ones have no data_format in Keras 2).
StatusOr<size_t> FirstSpatialAxis(LayerContext& ctx, size_t spatial) {
  if (spatial == 1) return size_t{1};
  TFLC_ASSIGN_OR_RETURN(std::string df, ctx.Str("data_format", "channels_last"));
  if (df == "channels_last") return size_t{1};
  if (df == "channels_first") return size_t{2};
  return InvalidArgument("config 'data_format' is '" + df + "', expected 'channels_last' or 'channels_first'");
}

Status ZeroPad(LayerContext& ctx, size_t spatial, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_ASSIGN_OR_RETURN(size_t a0, FirstSpatialAxis(ctx, spatial));
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, static_cast<int>(spatial) + 2, RankText(spatial, a0 == 2)));
  TFLC_ASSIGN_OR_RETURN(auto pads, ReadPairs(ctx, "padding", spatial, 1));
  std::vector<int32_t> p(2 * (spatial + 2), 0);
  Tensor y = x;
  for (size_t i = 0; i < spatial; ++i) {
    p[2 * (a0 + i)] = static_cast<int32_t>(pads[i].first);
    p[2 * (a0 + i) + 1] = static_cast<int32_t>(pads[i].second);
    y.shape[a0 + i] = Grow(x.shape[a0 + i], pads[i].first + pads[i].second);
  }
  TFLC_ASSIGN_OR_RETURN(ValueView pv, ctx.ConstI32("Pad/paddings", {static_cast<int64_t>(spatial) + 2, 2}, p));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Pad", {x.value, pv}, {Attr::T(), Attr::Type("Tpaddings", TFLC_TYPE_INT32)}));
  out->push_back(y);
  return OkStatus();
}

// inputs[:, b0:-a0, b1:-a1, :] as one StridedSlice (batch and channel axes masked).
Status Crop(LayerContext& ctx, size_t spatial, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_ASSIGN_OR_RETURN(size_t a0, FirstSpatialAxis(ctx, spatial));
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, static_cast<int>(spatial) + 2, RankText(spatial, a0 == 2)));
  TFLC_RETURN_IF_ERROR(ctx.RequireStatic(x, "Cropping"));
  TFLC_ASSIGN_OR_RETURN(auto crops, ReadPairs(ctx, "cropping", spatial, spatial == 1 ? 1 : 0));
  const int32_t r = static_cast<int32_t>(spatial) + 2;
  std::vector<int32_t> begin(static_cast<size_t>(r), 0), end(static_cast<size_t>(r), 0), strides(static_cast<size_t>(r), 1);
  Tensor y = x;
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t d = x.shape[a0 + i];
    const int64_t n = d - crops[i].first - crops[i].second;
    if (n <= 0)
      return InvalidArgument("config 'cropping' leaves nothing of input shape " + ShapeStr(x.shape));
    begin[a0 + i] = static_cast<int32_t>(crops[i].first);
    end[a0 + i] = static_cast<int32_t>(d - crops[i].second);
    y.shape[a0 + i] = n;
  }
  // batch and channel axes: whole range
  const int64_t mask = 1 | (int64_t{1} << (a0 == 1 ? r - 1 : 1));
  TFLC_ASSIGN_OR_RETURN(ValueView b, ctx.ConstI32("strided_slice/stack", {r}, begin));
  TFLC_ASSIGN_OR_RETURN(ValueView e, ctx.ConstI32("strided_slice/stack_1", {r}, end));
  TFLC_ASSIGN_OR_RETURN(ValueView s, ctx.ConstI32("strided_slice/stack_2", {r}, strides));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("StridedSlice", {x.value, b, e, s},
                                        {Attr::T(), Attr::Type("Index", TFLC_TYPE_INT32), Attr::Int("begin_mask", mask),
                                         Attr::Int("end_mask", mask), Attr::Int("ellipsis_mask", 0),
                                         Attr::Int("new_axis_mask", 0), Attr::Int("shrink_axis_mask", 0)},
                                        "strided_slice"));
  out->push_back(y);
  return OkStatus();
}

}  // namespace

Status ConvertZeroPadding1D(LayerContext& ctx, std::vector<Tensor>* out) { return ZeroPad(ctx, 1, out); }
Status ConvertZeroPadding2D(LayerContext& ctx, std::vector<Tensor>* out) { return ZeroPad(ctx, 2, out); }
Status ConvertCropping1D(LayerContext& ctx, std::vector<Tensor>* out) { return Crop(ctx, 1, out); }
Status ConvertCropping2D(LayerContext& ctx, std::vector<Tensor>* out) { return Crop(ctx, 2, out); }
Status ConvertZeroPadding3D(LayerContext& ctx, std::vector<Tensor>* out) { return ZeroPad(ctx, 3, out); }
Status ConvertCropping3D(LayerContext& ctx, std::vector<Tensor>* out) { return Crop(ctx, 3, out); }

Status ConvertUpSampling2D(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 4, "[batch, height, width, channels]"));
  TFLC_RETURN_IF_ERROR(ctx.RequireChannelsLast());
  TFLC_RETURN_IF_ERROR(ctx.RequireStatic(x, "UpSampling2D's constant output size"));
  TFLC_ASSIGN_OR_RETURN(auto size, ctx.IntTuple("size", 2, 2));
  if (size[0] <= 0 || size[1] <= 0) return InvalidArgument("config 'size' must be positive");
  TFLC_ASSIGN_OR_RETURN(std::string interp, ctx.Str("interpolation", "nearest"));
  std::string op;
  if (interp == "nearest") op = "ResizeNearestNeighbor";
  else if (interp == "bilinear") op = "ResizeBilinear";
  else return Unimplemented("interpolation '" + interp + "' is not supported (use 'nearest' or 'bilinear')");
  Tensor y = x;
  y.shape = {x.shape[0], x.shape[1] * size[0], x.shape[2] * size[1], x.shape[3]};
  TFLC_ASSIGN_OR_RETURN(ValueView sz, ctx.ConstI32("size", {2}, {static_cast<int32_t>(y.shape[1]), static_cast<int32_t>(y.shape[2])}));
  // backend.resize_images → tf.image.resize (v2): half-pixel centers, no corner alignment.
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op(op, {x.value, sz}, {Attr::T(), Attr::Bool("align_corners", false),
                                                            Attr::Bool("half_pixel_centers", true)}));
  out->push_back(y);
  return OkStatus();
}

Status ConvertUpSampling1D(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 3, "[batch, steps, channels]"));
  TFLC_RETURN_IF_ERROR(ctx.RequireStatic(x, "UpSampling1D"));
  TFLC_ASSIGN_OR_RETURN(int64_t size, ctx.Int("size", 2));
  if (size <= 0) return InvalidArgument("config 'size' must be positive");
  // backend.repeat_elements(x, size, axis=1) as ExpandDims → Tile → Reshape.
  TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), "ExpandDims/dim", 2));
  TFLC_ASSIGN_OR_RETURN(ValueView e, ctx.Op("ExpandDims", {x.value, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)}));
  TFLC_ASSIGN_OR_RETURN(ValueView m, ctx.ConstI32("Tile/multiples", {4}, {1, 1, static_cast<int32_t>(size), 1}));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(e, {x.shape[0], x.shape[1], 1, x.shape[2]}));
  TFLC_ASSIGN_OR_RETURN(ValueView t, ctx.Op("Tile", {e, m}, {Attr::T(), Attr::Type("Tmultiples", TFLC_TYPE_INT32)}));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(t, {x.shape[0], x.shape[1], size, x.shape[2]}));
  Tensor y = x;
  y.shape = {x.shape[0], x.shape[1] * size, x.shape[2]};
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Reshape(t, y.shape));
  out->push_back(y);
  return OkStatus();
}

// UpSampling3D: backend.resize_volumes (Keras 2) / ops.repeat (Keras 3) repeats each element
// size[i] times along each spatial axis in turn (depth, height, width); each repeat is
// ExpandDims → Tile → Reshape, as UpSampling1D's repeat_elements.
Status ConvertUpSampling3D(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_ASSIGN_OR_RETURN(size_t a0, FirstSpatialAxis(ctx, 3));
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 5, RankText(3, a0 == 2)));
  TFLC_RETURN_IF_ERROR(ctx.RequireStatic(x, "UpSampling3D"));
  TFLC_ASSIGN_OR_RETURN(auto size, ctx.IntTuple("size", 3, 2));
  for (int64_t s : size)
    if (s <= 0) return InvalidArgument("config 'size' must be positive");
  Tensor y = x;
  for (size_t i = 0; i < 3; ++i) {
    if (size[i] == 1) continue;
    const size_t axis = a0 + i;
    const std::string base = "repeat_" + std::to_string(i);
    Shape e_shape = y.shape;
    e_shape.insert(e_shape.begin() + static_cast<std::ptrdiff_t>(axis) + 1, 1);
    TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), base + "/ExpandDims/dim",
                                                            static_cast<int32_t>(axis + 1)));
    TFLC_ASSIGN_OR_RETURN(ValueView e, ctx.Op("ExpandDims", {y.value, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)},
                                              base + "/ExpandDims"));
    TFLC_RETURN_IF_ERROR(ctx.SetShape(e, e_shape));
    std::vector<int32_t> mult(6, 1);
    mult[axis + 1] = static_cast<int32_t>(size[i]);
    TFLC_ASSIGN_OR_RETURN(ValueView m, ctx.ConstI32(base + "/Tile/multiples", {6}, mult));
    TFLC_ASSIGN_OR_RETURN(ValueView t, ctx.Op("Tile", {e, m}, {Attr::T(), Attr::Type("Tmultiples", TFLC_TYPE_INT32)},
                                              base + "/Tile"));
    e_shape[axis + 1] = size[i];
    TFLC_RETURN_IF_ERROR(ctx.SetShape(t, e_shape));
    y.shape[axis] *= size[i];
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Reshape(t, y.shape, base + "/Reshape"));
  }
  if (y.value.get() == x.value.get()) {
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Identity", {x.value}, {Attr::T()}));
  }
  out->push_back(y);
  return OkStatus();
}

}  // namespace tflc::keras
