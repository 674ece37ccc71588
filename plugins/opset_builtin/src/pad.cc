// PAD (zeros, or the output zero point for quantized data), PADV2 (constant value), MIRROR_PAD
// (REFLECT / SYMMETRIC). Paddings are an int32/int64 [rank, 2] input.
#include <algorithm>

#include "common.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

enum MirrorMode : int64_t { kReflect = 0, kSymmetric = 1 };

// Validated [rank][2] paddings; nullopt when not constant.
StatusOr<std::optional<std::vector<int64_t>>> ReadPaddings(const OpContext& c, size_t rank) {
  TFLC_ASSIGN_OR_RETURN(auto p, c.ConstInts(1));
  if (!p) return p;
  if (p->size() != rank * 2) {
    return InvalidArgument("paddings must be [" + std::to_string(rank) + ", 2] for an input of rank " +
                           std::to_string(rank) + ", got " + std::to_string(p->size()) + " values");
  }
  for (int64_t v : *p) {
    if (v < 0) return InvalidArgument("paddings must be >= 0, got " + DimsToString(*p));
  }
  return p;
}

Status InferPadded(ShapeContext& c, bool mirror) {
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "paddings"));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  Dims d = c.dims(0);
  TFLC_ASSIGN_OR_RETURN(auto p, ReadPaddings(c, d.size()));
  if (!p) return c.Set(0, t, Dims(d.size(), kUnknownDim));
  int64_t mode = kReflect;
  if (mirror) {
    TFLC_ASSIGN_OR_RETURN(mode, c.Int("mode", kReflect));
    if (mode != kReflect && mode != kSymmetric) {
      return InvalidArgument("mode must be REFLECT (0) or SYMMETRIC (1), got " + std::to_string(mode));
    }
  }
  for (size_t j = 0; j < d.size(); ++j) {
    const int64_t before = (*p)[2 * j], after = (*p)[2 * j + 1];
    if (mirror && d[j] >= 0) {
      const int64_t limit = mode == kReflect ? d[j] - 1 : d[j];
      if (before > limit || after > limit) {
        return InvalidArgument(std::string(mode == kReflect ? "REFLECT" : "SYMMETRIC") + " padding of dimension " +
                               std::to_string(j) + " (size " + std::to_string(d[j]) + ") can be at most " +
                               std::to_string(limit) + ", got " + std::to_string(before) + " and " + std::to_string(after));
      }
    }
    if (d[j] >= 0) d[j] += before + after;
  }
  return c.Set(0, t, d);
}

// Fills `n` bytes at dst with copies of the `elem`-byte value `fill`.
void FillBytes(uint8_t* dst, size_t n, const void* fill, size_t elem) {
  if (n == 0) return;
  const auto* f = static_cast<const uint8_t*>(fill);
  if (std::all_of(f, f + elem, [](uint8_t b) { return b == 0; })) {
    std::memset(dst, 0, n);
    return;
  }
  std::memcpy(dst, f, elem);
  for (size_t done = elem; done < n;) {  // doubling copies of what is already written
    const size_t k = std::min(done, n - done);
    std::memcpy(dst + done, dst, k);
    done += k;
  }
}

// Constant padding, one contiguous run at a time. Trailing dimensions without padding are copied
// as whole blocks; along the last padded axis ("row") each output row is fill, an input row, fill.
void PadConstant(const uint8_t* src, uint8_t* dst, const Dims& in, const Dims& out, const std::vector<int64_t>& p,
                 const void* fill, size_t bytes) {
  const size_t rank = in.size();
  if (NumElements(out) == 0) return;
  if (rank == 0) {
    std::memcpy(dst, src, bytes);
    return;
  }
  size_t axis = rank - 1;
  size_t block = bytes;  // bytes of one step along `axis`
  while (axis > 0 && p[2 * axis] == 0 && p[2 * axis + 1] == 0) {
    block *= static_cast<size_t>(in[axis]);
    --axis;
  }
  const size_t before = static_cast<size_t>(p[2 * axis]) * block;
  const size_t mid = static_cast<size_t>(in[axis]) * block;
  const size_t row = static_cast<size_t>(out[axis]) * block;
  const Dims outer(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(axis));
  const Dims in_outer(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(axis));
  const Dims in_st = Strides(in_outer);
  ForEachIndex(outer, [&](int64_t i, const std::vector<int64_t>& idx) {
    uint8_t* d = dst + static_cast<size_t>(i) * row;
    int64_t src_row = 0;
    for (size_t j = 0; j < axis; ++j) {
      const int64_t k = idx[j] - p[2 * j];
      if (k < 0 || k >= in[j]) {
        FillBytes(d, row, fill, bytes);
        return;
      }
      src_row += k * in_st[j];
    }
    FillBytes(d, before, fill, bytes);
    if (mid) std::memcpy(d + before, src + static_cast<size_t>(src_row) * mid, mid);
    FillBytes(d + before + mid, row - before - mid, fill, bytes);
  });
}

// Writes output 0: elements inside the input box are copied, others take `fill` (bytes) or, for
// mirror padding, the reflected input element.
Status EvalPadded(EvalContext& c, const void* fill, int64_t mirror_mode) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), c.node().op()));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> p, c.IntsOf(1));
  const Dims in = c.dims(0), out = c.out_dims(0);
  const auto* src = static_cast<const uint8_t*>(c.data(0));
  auto* dst = static_cast<uint8_t*>(c.out_data(0));
  if (mirror_mode < 0) {
    PadConstant(src, dst, in, out, p, fill, bytes);
    return OkStatus();
  }
  const Dims st = Strides(in);
  ForEachIndex(out, [&](int64_t i, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    for (size_t j = 0; j < idx.size(); ++j) {
      int64_t k = idx[j] - p[2 * j];
      if (k < 0 || k >= in[j]) {
        const int64_t shift = mirror_mode == kSymmetric ? 1 : 0;
        k = k < 0 ? -k - shift : 2 * in[j] - 2 + shift - k;
      }
      off += k * st[j];
    }
    std::memcpy(dst + i * bytes, src + off * bytes, bytes);
  });
  return OkStatus();
}

}  // namespace

Status InferPad(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 3));
  if (c.num_inputs() == 3) {
    TFLC_RETURN_IF_ERROR(c.Require(2, "constant_values"));
    if (c.rank(2) > 0 && NumElementsOrUnknown(c.dims(2)) != 1) {
      return InvalidArgument("constant_values must be a scalar, got shape " + DimsToString(c.dims(2)));
    }
  }
  return InferPadded(c, false);
}

Status EvalPad(EvalContext& c) {
  // Quantized data pads with the output zero point (tflite/kernels/pad.cc).
  int64_t fill[2] = {0, 0};
  const TflcQuantParams q = c.output_quant(0);
  if (IsQuantizedType(c.type(0)) && q.count > 0) {
    const int64_t zp = q.zero_points[0];
    switch (c.type(0)) {
      case TFLC_TYPE_INT8: { auto v = static_cast<int8_t>(zp); std::memcpy(fill, &v, 1); break; }
      case TFLC_TYPE_UINT8: { auto v = static_cast<uint8_t>(zp); std::memcpy(fill, &v, 1); break; }
      default: { auto v = static_cast<int16_t>(zp); std::memcpy(fill, &v, 2); break; }
    }
  }
  return EvalPadded(c, fill, -1);
}

Status EvalPadV2(EvalContext& c) {
  if (c.num_inputs() < 3 || !c.data(2)) return EvalPad(c);
  return EvalPadded(c, c.data(2), -1);
}

Status InferMirrorPad(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  return InferPadded(c, true);
}

Status EvalMirrorPad(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(int64_t mode, c.Int("mode", kReflect));
  return EvalPadded(c, nullptr, mode);
}

}  // namespace tflc::opset_builtin
