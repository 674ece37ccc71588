// AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D (Pool2DOptions), NHWC.
// As in tflite/kernels/internal/reference/pooling.h, windows are clipped to the input: SAME
// padding never contributes padded zeros, so averages count only valid elements.
#include <algorithm>
#include <cmath>
#include <limits>

#include "common.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

struct PoolParams {
  Window w;
  int64_t filter_h = 0, filter_w = 0;
  int64_t act = kActNone;
};

StatusOr<PoolParams> ReadPool(const OpContext& c) {
  PoolParams p;
  TFLC_ASSIGN_OR_RETURN(p.w, ReadWindow(c, false));
  TFLC_ASSIGN_OR_RETURN(p.filter_h, c.Int("filter_height", 0));
  TFLC_ASSIGN_OR_RETURN(p.filter_w, c.Int("filter_width", 0));
  if (p.filter_h <= 0 || p.filter_w <= 0) {
    return InvalidArgument("filter_height and filter_width must be positive, got " + std::to_string(p.filter_h) +
                           " and " + std::to_string(p.filter_w));
  }
  TFLC_ASSIGN_OR_RETURN(p.act, c.FusedActivation());
  return p;
}

enum class PoolKind { kAverage, kMax, kL2 };

Status EvalPool(EvalContext& c, PoolKind kind, const char* op) {
  if (c.type(0) != TFLC_TYPE_FLOAT32) {
    return Unimplemented(std::string(op) + ": the reference kernel handles FLOAT32 only, got " + TypeName(c.type(0)));
  }
  TFLC_ASSIGN_OR_RETURN(PoolParams p, ReadPool(c));
  const Dims in_d = c.dims(0), out_d = c.out_dims(0);
  const int64_t n = in_d[0], ih = in_d[1], iw = in_d[2], ch = in_d[3];
  const int64_t oh = out_d[1], ow = out_d[2];
  const int64_t pad_h = ConvPadding(ih, p.filter_h, p.w.stride_h, 1, oh).before;
  const int64_t pad_w = ConvPadding(iw, p.filter_w, p.w.stride_w, 1, ow).before;
  const float* in = c.in<float>(0);
  float* out = c.out<float>(0);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        const int64_t y0 = oy * p.w.stride_h - pad_h, x0 = ox * p.w.stride_w - pad_w;
        const int64_t fy_start = std::max<int64_t>(0, -y0), fy_end = std::min(p.filter_h, ih - y0);
        const int64_t fx_start = std::max<int64_t>(0, -x0), fx_end = std::min(p.filter_w, iw - x0);
        const int64_t count = std::max<int64_t>(0, fy_end - fy_start) * std::max<int64_t>(0, fx_end - fx_start);
        for (int64_t ci = 0; ci < ch; ++ci) {
          float acc = kind == PoolKind::kMax ? std::numeric_limits<float>::lowest() : 0.f;
          for (int64_t fy = fy_start; fy < fy_end; ++fy) {
            for (int64_t fx = fx_start; fx < fx_end; ++fx) {
              const float v = in[((b * ih + y0 + fy) * iw + x0 + fx) * ch + ci];
              switch (kind) {
                case PoolKind::kAverage: acc += v; break;
                case PoolKind::kMax: acc = std::max(acc, v); break;
                case PoolKind::kL2: acc += v * v; break;
              }
            }
          }
          if (kind == PoolKind::kAverage) acc = count ? acc / static_cast<float>(count) : 0.f;
          if (kind == PoolKind::kL2) acc = count ? std::sqrt(acc / static_cast<float>(count)) : 0.f;
          out[((b * oh + oy) * ow + ox) * ch + ci] = ApplyActivation(p.act, acc);
        }
      }
    }
  }
  return OkStatus();
}

}  // namespace

Status InferPool2D(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(0, 4, "input"));
  TFLC_ASSIGN_OR_RETURN(PoolParams p, ReadPool(c));
  Dims in = c.rank(0) == 4 ? c.dims(0) : Dims(4, kUnknownDim);
  TFLC_ASSIGN_OR_RETURN(int64_t oh, WindowOutDim(p.w, true, in[1], p.filter_h));
  TFLC_ASSIGN_OR_RETURN(int64_t ow, WindowOutDim(p.w, false, in[2], p.filter_w));
  return c.Set(0, c.type(0), {in[0], oh, ow, in[3]});
}

Status EvalAveragePool2D(EvalContext& c) { return EvalPool(c, PoolKind::kAverage, "AVERAGE_POOL_2D"); }
Status EvalMaxPool2D(EvalContext& c) { return EvalPool(c, PoolKind::kMax, "MAX_POOL_2D"); }
Status EvalL2Pool2D(EvalContext& c) { return EvalPool(c, PoolKind::kL2, "L2_POOL_2D"); }

}  // namespace tflc::opset_builtin
