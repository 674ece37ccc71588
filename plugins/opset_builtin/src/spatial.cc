// Spatial rearrangements and resizing (NHWC): SPACE_TO_DEPTH, DEPTH_TO_SPACE, SPACE_TO_BATCH_ND,
// BATCH_TO_SPACE_ND, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR.
#include <algorithm>
#include <cmath>

#include "common.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

StatusOr<int64_t> BlockSize(const OpContext& c) {
  TFLC_ASSIGN_OR_RETURN(int64_t b, c.Int("block_size", 0));
  if (b < 1) return InvalidArgument("block_size must be >= 1, got " + std::to_string(b));
  return b;
}

// Quantized data pads with the zero point (space_to_batch_nd.cc); others with zero bytes.
std::vector<uint8_t> PadValue(const EvalContext& c, size_t bytes) {
  std::vector<uint8_t> v(bytes, 0);
  const TflcQuantParams q = c.output_quant(0);
  if (IsQuantizedType(c.type(0)) && q.count > 0) {
    const int64_t zp = q.zero_points[0];
    if (bytes == 1) {
      v[0] = static_cast<uint8_t>(zp);
    } else {
      auto z = static_cast<int16_t>(zp);
      std::memcpy(v.data(), &z, 2);
    }
  }
  return v;
}

// Block shape and paddings/crops ([M] and [M, 2]) of the *_ND ops; nullopt when not constant.
struct BlockSpec {
  std::vector<int64_t> block, pads;
};
StatusOr<std::optional<BlockSpec>> ReadBlockSpec(const OpContext& c, int64_t rank, const char* pads_name) {
  TFLC_ASSIGN_OR_RETURN(auto block, c.ConstInts(1));
  TFLC_ASSIGN_OR_RETURN(auto pads, c.ConstInts(2));
  if (!block || !pads) return std::optional<BlockSpec>{};
  const auto m = static_cast<int64_t>(block->size());
  if (m < 1 || m > rank - 1) {
    return InvalidArgument("block_shape " + DimsToString(*block) + " must have 1.." + std::to_string(rank - 1) +
                           " entries for an input of rank " + std::to_string(rank));
  }
  if (static_cast<int64_t>(pads->size()) != 2 * m) {
    return InvalidArgument(std::string(pads_name) + " must be [" + std::to_string(m) + ", 2], got " +
                           std::to_string(pads->size()) + " values");
  }
  for (int64_t b : *block) {
    if (b < 1) return InvalidArgument("block_shape entries must be >= 1, got " + DimsToString(*block));
  }
  for (int64_t p : *pads) {
    if (p < 0) return InvalidArgument(std::string(pads_name) + " must be >= 0, got " + DimsToString(*pads));
  }
  return std::optional<BlockSpec>(BlockSpec{*block, *pads});
}

Status InferNd(ShapeContext& c, bool to_batch) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(3, 3));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "block_shape"));
  TFLC_RETURN_IF_ERROR(c.Require(2, to_batch ? "paddings" : "crops"));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  Dims d = c.dims(0);
  if (d.size() != 3 && d.size() != 4) return InvalidArgument("input must have rank 3 or 4, got " + DimsToString(d));
  TFLC_ASSIGN_OR_RETURN(auto spec, ReadBlockSpec(c, static_cast<int64_t>(d.size()), to_batch ? "paddings" : "crops"));
  if (!spec) return c.Set(0, t, Dims(d.size(), kUnknownDim));
  int64_t prod = 1;
  for (int64_t b : spec->block) prod *= b;
  for (size_t j = 0; j < spec->block.size(); ++j) {
    int64_t& s = d[j + 1];
    const int64_t b = spec->block[j], p0 = spec->pads[2 * j], p1 = spec->pads[2 * j + 1];
    if (s < 0) continue;
    if (to_batch) {
      if ((s + p0 + p1) % b != 0) {
        return InvalidArgument("padded spatial dimension " + std::to_string(j + 1) + " (" + std::to_string(s + p0 + p1) +
                               ") is not divisible by block size " + std::to_string(b));
      }
      s = (s + p0 + p1) / b;
    } else {
      s = s * b - p0 - p1;
      if (s < 0) return InvalidArgument("crops are larger than the spatial dimension " + std::to_string(j + 1));
    }
  }
  if (d[0] >= 0) {
    if (to_batch) {
      d[0] *= prod;
    } else {
      if (d[0] % prod != 0) {
        return InvalidArgument("batch " + std::to_string(d[0]) + " is not divisible by the block size product " +
                               std::to_string(prod));
      }
      d[0] /= prod;
    }
  }
  return c.Set(0, t, d);
}

// Moves elements between batch and space; `to_batch` selects the direction. For an element of
// the batched tensor at (bb, spatial s', rest) with bb = off * N + b and block offset `off`
// decomposed row-major over block_shape, the spatial tensor position is s = s' * block + o - pad.
Status EvalNd(EvalContext& c, bool to_batch) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), c.node().op()));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> block, c.IntsOf(1));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> pads, c.IntsOf(2));
  const Dims space = to_batch ? c.dims(0) : c.out_dims(0);
  const Dims batched = to_batch ? c.out_dims(0) : c.dims(0);
  const size_t m = block.size();
  const int64_t n = space[0];
  const Dims space_st = Strides(space);
  std::vector<int64_t> map(static_cast<size_t>(NumElements(batched)), -1);  // batched -> space offset
  ForEachIndex(batched, [&](int64_t i, const std::vector<int64_t>& idx) {
    const int64_t b = idx[0] % n;
    int64_t off = idx[0] / n;
    int64_t pos = b * space_st[0];
    for (size_t j = m; j-- > 0;) {
      const int64_t o = off % block[j];
      off /= block[j];
      const int64_t s = idx[j + 1] * block[j] + o - pads[2 * j];
      if (s < 0 || s >= space[j + 1]) return;  // padding (to_batch) or cropped (to_space)
      pos += s * space_st[j + 1];
    }
    for (size_t j = m + 1; j < idx.size(); ++j) pos += idx[j] * space_st[j];
    map[i] = pos;
  });
  const auto* src = static_cast<const uint8_t*>(c.data(0));
  auto* dst = static_cast<uint8_t*>(c.out_data(0));
  if (to_batch) {
    const std::vector<uint8_t> pad = PadValue(c, bytes);
    for (size_t i = 0; i < map.size(); ++i) {
      std::memcpy(dst + i * bytes, map[i] < 0 ? pad.data() : src + map[i] * bytes, bytes);
    }
  } else {
    for (size_t i = 0; i < map.size(); ++i) {
      if (map[i] >= 0) std::memcpy(dst + map[i] * bytes, src + i * bytes, bytes);
    }
  }
  return OkStatus();
}

struct ResizeFlags {
  bool align_corners = false, half_pixel_centers = false;
};

StatusOr<ResizeFlags> ReadResizeFlags(const OpContext& c) {
  ResizeFlags f;
  TFLC_ASSIGN_OR_RETURN(f.align_corners, c.Bool("align_corners", false));
  TFLC_ASSIGN_OR_RETURN(f.half_pixel_centers, c.Bool("half_pixel_centers", false));
  if (f.align_corners && f.half_pixel_centers) {
    return InvalidArgument("align_corners and half_pixel_centers cannot both be true");
  }
  return f;
}

float ResizeScale(int64_t in, int64_t out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  return static_cast<float>(in) / static_cast<float>(out);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Status InferSpaceToDepth(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(0, 4, "input"));
  TFLC_ASSIGN_OR_RETURN(int64_t b, BlockSize(c));
  Dims d = c.rank(0) == 4 ? c.dims(0) : Dims(4, kUnknownDim);
  for (int j = 1; j <= 2; ++j) {
    if (d[j] < 0) continue;
    if (d[j] % b != 0) {
      return InvalidArgument("input " + DimsToString(d) + ": height and width must be divisible by block_size " +
                             std::to_string(b));
    }
    d[j] /= b;
  }
  if (d[3] >= 0) d[3] *= b * b;
  return c.Set(0, c.type(0), d);
}

Status EvalSpaceToDepth(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "SPACE_TO_DEPTH"));
  TFLC_ASSIGN_OR_RETURN(int64_t b, BlockSize(c));
  const Dims in = c.dims(0), out = c.out_dims(0);
  const int64_t ic = in[3];
  std::vector<int64_t> src(static_cast<size_t>(NumElements(out)));
  ForEachIndex(out, [&](int64_t i, const std::vector<int64_t>& idx) {
    const int64_t blk = idx[3] / ic, ch = idx[3] % ic;
    const int64_t y = idx[1] * b + blk / b, x = idx[2] * b + blk % b;
    src[i] = ((idx[0] * in[1] + y) * in[2] + x) * ic + ch;
  });
  GatherBytes(c.data(0), c.out_data(0), bytes, src);
  return OkStatus();
}

Status InferDepthToSpace(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(0, 4, "input"));
  TFLC_ASSIGN_OR_RETURN(int64_t b, BlockSize(c));
  Dims d = c.rank(0) == 4 ? c.dims(0) : Dims(4, kUnknownDim);
  if (d[3] >= 0) {
    if (d[3] % (b * b) != 0) {
      return InvalidArgument("input channels " + std::to_string(d[3]) + " must be divisible by block_size^2 = " +
                             std::to_string(b * b));
    }
    d[3] /= b * b;
  }
  for (int j = 1; j <= 2; ++j) {
    if (d[j] >= 0) d[j] *= b;
  }
  return c.Set(0, c.type(0), d);
}

Status EvalDepthToSpace(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "DEPTH_TO_SPACE"));
  TFLC_ASSIGN_OR_RETURN(int64_t b, BlockSize(c));
  const Dims in = c.dims(0), out = c.out_dims(0);
  const int64_t oc = out[3];
  std::vector<int64_t> src(static_cast<size_t>(NumElements(out)));
  ForEachIndex(out, [&](int64_t i, const std::vector<int64_t>& idx) {
    const int64_t y = idx[1] / b, x = idx[2] / b;
    const int64_t blk = (idx[1] % b) * b + idx[2] % b;
    src[i] = ((idx[0] * in[1] + y) * in[2] + x) * in[3] + blk * oc + idx[3];
  });
  GatherBytes(c.data(0), c.out_data(0), bytes, src);
  return OkStatus();
}

Status InferSpaceToBatchNd(ShapeContext& c) { return InferNd(c, true); }
Status EvalSpaceToBatchNd(EvalContext& c) { return EvalNd(c, true); }
Status InferBatchToSpaceNd(ShapeContext& c) { return InferNd(c, false); }
Status EvalBatchToSpaceNd(EvalContext& c) { return EvalNd(c, false); }

// ---------------------------------------------------------------------------------------------
// RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR: (input [N,H,W,C], size int32 [2]).

Status InferResize(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(0, 4, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "size"));
  TFLC_RETURN_IF_ERROR(ReadResizeFlags(c).status());
  Dims d = c.rank(0) == 4 ? c.dims(0) : Dims(4, kUnknownDim);
  TFLC_ASSIGN_OR_RETURN(auto size, c.ConstInts(1));
  if (!size) return c.Set(0, c.type(0), {d[0], kUnknownDim, kUnknownDim, d[3]});
  if (size->size() != 2 || (*size)[0] <= 0 || (*size)[1] <= 0) {
    return InvalidArgument("size must hold two positive values [height, width], got " + DimsToString(*size));
  }
  return c.Set(0, c.type(0), {d[0], (*size)[0], (*size)[1], d[3]});
}

Status EvalResizeBilinear(EvalContext& c) {
  if (c.type(0) != TFLC_TYPE_FLOAT32) return Unimplemented("RESIZE_BILINEAR: the reference kernel handles FLOAT32 only");
  TFLC_ASSIGN_OR_RETURN(ResizeFlags f, ReadResizeFlags(c));
  const Dims in = c.dims(0), out = c.out_dims(0);
  const int64_t n = in[0], ih = in[1], iw = in[2], ch = in[3], oh = out[1], ow = out[2];
  const float hs = ResizeScale(ih, oh, f.align_corners), ws = ResizeScale(iw, ow, f.align_corners);
  // tflite/kernels/internal/reference/resize_bilinear.h: ComputeInterpolationValues.
  auto interp = [&](int64_t v, float scale, int64_t size, float* pos, int64_t* lo, int64_t* hi) {
    *pos = f.half_pixel_centers ? (static_cast<float>(v) + 0.5f) * scale - 0.5f : static_cast<float>(v) * scale;
    *lo = std::max<int64_t>(static_cast<int64_t>(std::floor(*pos)), 0);
    *hi = std::min<int64_t>(static_cast<int64_t>(std::ceil(*pos)), size - 1);
  };
  const float* x = c.in<float>(0);
  float* o = c.out<float>(0);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t y = 0; y < oh; ++y) {
      float in_y;
      int64_t y0, y1;
      interp(y, hs, ih, &in_y, &y0, &y1);
      for (int64_t xo = 0; xo < ow; ++xo) {
        float in_x;
        int64_t x0, x1;
        interp(xo, ws, iw, &in_x, &x0, &x1);
        const float dy = in_y - static_cast<float>(y0), dx = in_x - static_cast<float>(x0);
        for (int64_t k = 0; k < ch; ++k) {
          auto at = [&](int64_t yy, int64_t xx) { return x[((b * ih + yy) * iw + xx) * ch + k]; };
          o[((b * oh + y) * ow + xo) * ch + k] = at(y0, x0) * (1 - dy) * (1 - dx) + at(y1, x0) * dy * (1 - dx) +
                                                 at(y0, x1) * (1 - dy) * dx + at(y1, x1) * dy * dx;
        }
      }
    }
  }
  return OkStatus();
}

Status EvalResizeNearestNeighbor(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "RESIZE_NEAREST_NEIGHBOR"));
  TFLC_ASSIGN_OR_RETURN(ResizeFlags f, ReadResizeFlags(c));
  const Dims in = c.dims(0), out = c.out_dims(0);
  const int64_t ih = in[1], iw = in[2], ch = in[3], oh = out[1], ow = out[2];
  const float hs = ResizeScale(ih, oh, f.align_corners), ws = ResizeScale(iw, ow, f.align_corners);
  const float offset = f.half_pixel_centers ? 0.5f : 0.f;
  // tflite/kernels/internal/reference/resize_nearest_neighbor.h
  auto source = [&](int64_t v, float scale, int64_t size) {
    const float p = (static_cast<float>(v) + offset) * scale;
    int64_t s = std::min<int64_t>(f.align_corners ? static_cast<int64_t>(std::round(p)) : static_cast<int64_t>(std::floor(p)),
                                  size - 1);
    if (f.half_pixel_centers) s = std::max<int64_t>(0, s);
    return s;
  };
  std::vector<int64_t> src(static_cast<size_t>(NumElements(out)));
  ForEachIndex(out, [&](int64_t i, const std::vector<int64_t>& idx) {
    src[i] = ((idx[0] * ih + source(idx[1], hs, ih)) * iw + source(idx[2], ws, iw)) * ch + idx[3];
  });
  GatherBytes(c.data(0), c.out_data(0), bytes, src);
  return OkStatus();
}

}  // namespace tflc::opset_builtin
