// Reductions (MEAN, SUM, REDUCE_MAX/MIN/PROD, REDUCE_ANY/ALL) with axes as the 2nd input, ARG_MAX/ARG_MIN,
// CUMSUM, TOPK_V2.
#include <algorithm>
#include <limits>
#include <numeric>

#include "common.h"
#include "ops.h"
#include "reduce.h"

namespace tflc::opset_builtin {
namespace {

// Normalized, sorted, de-duplicated reduction axes.
StatusOr<std::vector<int64_t>> NormalizeAxes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  for (int64_t a : axes) {
    TFLC_ASSIGN_OR_RETURN(int64_t n, NormalizeAxis(a, rank, "reduction axis"));
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Calls f(in_offset, out_offset) for every input element; out offsets index the reduced tensor.
template <typename F>
void ForEachReduced(const Dims& in, const std::vector<bool>& reduced, F&& f) {
  Dims kept(in.size());
  for (size_t j = 0; j < in.size(); ++j) kept[j] = reduced[j] ? 1 : in[j];
  const Dims ks = Strides(kept);
  ForEachIndex(in, [&](int64_t i, const std::vector<int64_t>& idx) {
    int64_t o = 0;
    for (size_t j = 0; j < idx.size(); ++j) {
      if (!reduced[j]) o += idx[j] * ks[j];
    }
    f(i, o);
  });
}

// Folds lanes [i0, i0 + kLanes) of every row of one [reduce, inner] slab into ao[i0 ...], r in
// increasing order, the kLanes accumulators held in a local array across r. The fixed lane count
// lets the compiler (at -O2 too) turn the lane loop into SIMD instructions with no reassociation:
// lane l only ever folds column i0 + l. kUnroll unrolls it so the accumulators live in registers;
// GCC's straight-line (SLP) vectorizer then packs adds and multiplies, but not the compare-selects
// of std::max / std::min, which only its loop vectorizer packs, so those keep the rolled loop.
// Returns the first lane not done.
template <int64_t kLanes, bool kUnroll, typename T, typename Acc, typename Fold>
int64_t FoldLanes(const T* xo, int64_t reduce, int64_t inner, int64_t i0, Acc* ao, Fold fold) {
  for (; i0 + kLanes <= inner; i0 += kLanes) {
    Acc a[kLanes];
    for (int64_t l = 0; l < kLanes; ++l) a[l] = ao[i0 + l];
    for (int64_t r = 0; r < reduce; ++r) {
      const T* row = xo + r * inner + i0;
      if constexpr (kUnroll) {
#pragma GCC unroll 16
        for (int64_t l = 0; l < kLanes; ++l) a[l] = fold(a[l], static_cast<Acc>(row[l]));
      } else {
        for (int64_t l = 0; l < kLanes; ++l) a[l] = fold(a[l], static_cast<Acc>(row[l]));
      }
    }
    for (int64_t l = 0; l < kLanes; ++l) ao[i0 + l] = a[l];
  }
  return i0;
}

// acc[o * inner + i] = fold(acc[o * inner + i], x[(o * reduce + r) * inner + i]) for r = 0, 1, ...
// in that order: the same sequence per output as ForEachReduced on the input `b` describes.
template <bool kUnroll, typename T, typename Acc, typename Fold>
void FoldBlock(const ReduceBlock& b, const T* x, Acc* acc, Fold fold) {
  for (int64_t o = 0; o < b.outer; ++o) {
    const T* xo = x + o * b.reduce * b.inner;
    Acc* ao = acc + o * b.inner;
    int64_t i = FoldLanes<16, kUnroll>(xo, b.reduce, b.inner, 0, ao, fold);
    i = FoldLanes<4, kUnroll>(xo, b.reduce, b.inner, i, ao, fold);
    FoldLanes<1, kUnroll>(xo, b.reduce, b.inner, i, ao, fold);
  }
}

enum class Reducer { kSum, kMean, kProd, kMax, kMin };

// Which input dims the axes input (input 1) reduces; *count = elements per output.
StatusOr<std::vector<bool>> ReducedDims(const EvalContext& c, int64_t* count) {
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> raw, c.IntsOf(1));
  const Dims in = c.dims(0);
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, NormalizeAxes(raw, static_cast<int64_t>(in.size())));
  std::vector<bool> reduced(in.size(), false);
  *count = 1;
  for (int64_t a : axes) {
    reduced[a] = true;
    *count *= in[a];
  }
  return reduced;
}

// REDUCE_ANY / REDUCE_ALL over BOOL data.
Status EvalLogicalReduce(EvalContext& c, bool any, const char* op) {
  if (c.type(0) != TFLC_TYPE_BOOL) return Unimplemented(std::string(op) + " takes BOOL input");
  int64_t count = 0;
  TFLC_ASSIGN_OR_RETURN(std::vector<bool> reduced, ReducedDims(c, &count));
  std::vector<uint8_t> acc(static_cast<size_t>(c.out_size(0)), any ? 0 : 1);
  const uint8_t* x = c.in<uint8_t>(0);
  ForEachReduced(c.dims(0), reduced, [&](int64_t i, int64_t o) {
    const bool v = x[i] != 0;
    acc[o] = any ? (acc[o] || v) : (acc[o] && v);
  });
  bool* out = c.out<bool>(0);
  for (size_t o = 0; o < acc.size(); ++o) out[o] = acc[o] != 0;
  return OkStatus();
}

Status EvalReduce(EvalContext& c, Reducer r, const char* op) {
  const Dims in = c.dims(0);
  int64_t count = 0;
  TFLC_ASSIGN_OR_RETURN(std::vector<bool> reduced, ReducedDims(c, &count));
  auto run = [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    using Acc = std::conditional_t<std::is_floating_point_v<T>, float, int64_t>;
    const int64_t out_n = c.out_size(0);
    std::vector<Acc> acc(static_cast<size_t>(out_n));
    Acc init = 0;
    if (r == Reducer::kProd) init = 1;
    if (r == Reducer::kMax) init = static_cast<Acc>(std::numeric_limits<T>::lowest());
    if (r == Reducer::kMin) init = static_cast<Acc>(std::numeric_limits<T>::max());
    std::fill(acc.begin(), acc.end(), init);
    const T* x = c.in<T>(0);
    ReduceBlock block;
    if (AsReduceBlock(in, reduced, &block)) {
      // Same folds as the walk below, in the same order per output (see reduce.h).
      Acc* a = acc.data();
      switch (r) {
        case Reducer::kSum:
        case Reducer::kMean: FoldBlock<true>(block, x, a, [](Acc p, Acc v) { return p + v; }); break;
        case Reducer::kProd: FoldBlock<true>(block, x, a, [](Acc p, Acc v) { return p * v; }); break;
        case Reducer::kMax: FoldBlock<false>(block, x, a, [](Acc p, Acc v) { return std::max(p, v); }); break;
        case Reducer::kMin: FoldBlock<false>(block, x, a, [](Acc p, Acc v) { return std::min(p, v); }); break;
      }
    } else {
      ForEachReduced(in, reduced, [&](int64_t i, int64_t o) {
        const Acc v = static_cast<Acc>(x[i]);
        switch (r) {
          case Reducer::kSum: case Reducer::kMean: acc[o] += v; break;
          case Reducer::kProd: acc[o] *= v; break;
          case Reducer::kMax: acc[o] = std::max(acc[o], v); break;
          case Reducer::kMin: acc[o] = std::min(acc[o], v); break;
        }
      });
    }
    T* out = c.out<T>(0);
    for (int64_t o = 0; o < out_n; ++o) {
      Acc v = acc[o];
      if (r == Reducer::kMean) {
        if constexpr (std::is_floating_point_v<T>) {
          v = v / static_cast<Acc>(count);
        } else {
          v = count ? v / count : 0;
        }
      }
      out[o] = static_cast<T>(v);
    }
    return OkStatus();
  };
  if (r == Reducer::kMax || r == Reducer::kMin) {
    // Raw max/min is also right for quantized int8/uint8/int16 data (same scale in and out).
    switch (c.type(0)) {
      case TFLC_TYPE_INT8: return run(Tag<int8_t>{});
      case TFLC_TYPE_UINT8: return run(Tag<uint8_t>{});
      case TFLC_TYPE_INT16: return run(Tag<int16_t>{});
      default: break;
    }
  }
  return DispatchArith(c.type(0), op, run);
}

}  // namespace

bool AsReduceBlock(const Dims& in, const std::vector<bool>& reduced, ReduceBlock* block) {
  enum { kBefore, kInside, kAfter } at = kBefore;  // where we are relative to the reduced run
  ReduceBlock b;
  for (size_t j = 0; j < in.size(); ++j) {
    if (in[j] == 1) continue;  // a size-1 dim moves no offset, reduced or not
    if (reduced[j]) {
      if (at == kAfter) return false;  // a second reduced run
      at = kInside;
      b.reduce *= in[j];
    } else if (at == kBefore) {
      b.outer *= in[j];
    } else {
      at = kAfter;
      b.inner *= in[j];
    }
  }
  if (at == kBefore) std::swap(b.outer, b.inner);  // nothing reduced: one row of outputs, all lanes
  *block = b;
  return true;
}

Status InferReduce(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "axes"));
  TFLC_ASSIGN_OR_RETURN(bool keep_dims, c.Bool("keep_dims", false));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  const Dims in = c.dims(0);
  TFLC_ASSIGN_OR_RETURN(auto raw, c.ConstInts(1));
  if (!raw) {
    if (keep_dims) return c.Set(0, t, Dims(in.size(), kUnknownDim));
    return c.SetUnknownRank(0, t);
  }
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, NormalizeAxes(*raw, static_cast<int64_t>(in.size())));
  Dims out;
  for (size_t j = 0; j < in.size(); ++j) {
    const bool reduced = std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(j));
    if (!reduced) {
      out.push_back(in[j]);
    } else if (keep_dims) {
      out.push_back(1);
    }
  }
  return c.Set(0, t, out);
}

Status EvalMean(EvalContext& c) { return EvalReduce(c, Reducer::kMean, "MEAN"); }
Status EvalSum(EvalContext& c) { return EvalReduce(c, Reducer::kSum, "SUM"); }
Status EvalReduceMax(EvalContext& c) { return EvalReduce(c, Reducer::kMax, "REDUCE_MAX"); }
Status EvalReduceMin(EvalContext& c) { return EvalReduce(c, Reducer::kMin, "REDUCE_MIN"); }
Status EvalReduceProd(EvalContext& c) { return EvalReduce(c, Reducer::kProd, "REDUCE_PROD"); }
Status EvalReduceAny(EvalContext& c) { return EvalLogicalReduce(c, true, "REDUCE_ANY"); }
Status EvalReduceAll(EvalContext& c) { return EvalLogicalReduce(c, false, "REDUCE_ALL"); }

// ---------------------------------------------------------------------------------------------
// ARG_MAX / ARG_MIN: (input, axis) -> indices of type output_type, axis removed.

Status InferArgMinMax(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "axis"));
  if (!c.node().HasAttr("output_type")) {
    return InvalidArgument("needs the attribute 'output_type' (INT32=2 or INT64=4); the TFLite kernel rejects the "
                           "schema default");
  }
  TFLC_ASSIGN_OR_RETURN(int64_t ot, c.Int("output_type"));
  if (ot != TFLC_TYPE_INT32 && ot != TFLC_TYPE_INT64) {
    return InvalidArgument("output_type must be INT32 (2) or INT64 (4), got " + std::to_string(ot));
  }
  const auto t = static_cast<TflcDataType>(ot);
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  Dims in = c.dims(0);
  if (in.empty()) return InvalidArgument("input must have rank >= 1");
  TFLC_ASSIGN_OR_RETURN(auto axis, c.ConstInts(1));
  if (!axis) return c.Set(0, t, Dims(in.size() - 1, kUnknownDim));
  if (axis->size() != 1) return InvalidArgument("axis must hold one value, got " + std::to_string(axis->size()));
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis((*axis)[0], static_cast<int64_t>(in.size()), "axis"));
  in.erase(in.begin() + a);
  return c.Set(0, t, in);
}

namespace {
Status EvalArg(EvalContext& c, bool is_max, const char* op) {
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axis_v, c.IntsOf(1));
  const Dims in = c.dims(0);
  if (axis_v.size() != 1) return InvalidArgument("axis must hold one value");
  TFLC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_v[0], static_cast<int64_t>(in.size()), "axis"));
  int64_t outer = 1, inner = 1;
  for (int64_t j = 0; j < axis; ++j) outer *= in[j];
  for (size_t j = axis + 1; j < in.size(); ++j) inner *= in[j];
  const int64_t n = in[axis];
  const bool out64 = c.output_type(0) == TFLC_TYPE_INT64;
  return DispatchAll(c.type(0), op, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* x = c.in<T>(0);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        int64_t best = 0;
        for (int64_t k = 1; k < n; ++k) {
          const T v = x[(o * n + k) * inner + i], b = x[(o * n + best) * inner + i];
          if (is_max ? v > b : v < b) best = k;  // strict: the first extremum wins
        }
        if (out64) {
          c.out<int64_t>(0)[o * inner + i] = best;
        } else {
          c.out<int32_t>(0)[o * inner + i] = static_cast<int32_t>(best);
        }
      }
    }
    return OkStatus();
  });
}
}  // namespace

Status EvalArgMax(EvalContext& c) { return EvalArg(c, true, "ARG_MAX"); }
Status EvalArgMin(EvalContext& c) { return EvalArg(c, false, "ARG_MIN"); }

// ---------------------------------------------------------------------------------------------
// CUMSUM: (input, axis scalar) with exclusive / reverse.

Status InferCumsum(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "axis"));
  TFLC_ASSIGN_OR_RETURN(auto axis, c.ConstInts(1));
  if (axis && c.rank(0) >= 0) {
    if (axis->size() != 1) return InvalidArgument("axis must be a scalar");
    TFLC_RETURN_IF_ERROR(NormalizeAxis((*axis)[0], c.rank(0), "axis").status());
  }
  return c.SetLike(0, 0);
}

Status EvalCumsum(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axis_v, c.IntsOf(1));
  TFLC_ASSIGN_OR_RETURN(bool exclusive, c.Bool("exclusive", false));
  TFLC_ASSIGN_OR_RETURN(bool reverse, c.Bool("reverse", false));
  const Dims in = c.dims(0);
  if (axis_v.size() != 1) return InvalidArgument("axis must be a scalar");
  TFLC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_v[0], static_cast<int64_t>(in.size()), "axis"));
  int64_t outer = 1, inner = 1;
  for (int64_t j = 0; j < axis; ++j) outer *= in[j];
  for (size_t j = axis + 1; j < in.size(); ++j) inner *= in[j];
  const int64_t n = in[axis];
  return DispatchArith(c.type(0), "CUMSUM", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* x = c.in<T>(0);
    T* out = c.out<T>(0);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        T sum = 0;
        for (int64_t s = 0; s < n; ++s) {
          const int64_t k = reverse ? n - 1 - s : s;
          const int64_t at = (o * n + k) * inner + i;
          if (exclusive) {
            out[at] = sum;
            sum += x[at];
          } else {
            sum += x[at];
            out[at] = sum;
          }
        }
      }
    }
    return OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// TOPK_V2: (input [..., n], k) -> (values [..., k], indices int32 [..., k]), sorted descending,
// ties broken by the lower index.

Status InferTopK(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(2));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "k"));
  const TflcDataType t = c.type(0);
  const TflcDataType it = c.type(1) == TFLC_TYPE_INT16 ? TFLC_TYPE_INT16 : TFLC_TYPE_INT32;
  if (c.rank(0) < 0) {
    TFLC_RETURN_IF_ERROR(c.SetUnknownRank(0, t));
    return c.SetUnknownRank(1, it);
  }
  Dims d = c.dims(0);
  if (d.empty()) return InvalidArgument("input must have rank >= 1");
  TFLC_ASSIGN_OR_RETURN(auto k, c.ConstInts(1));
  int64_t kv = kUnknownDim;
  if (k) {
    if (k->size() != 1) return InvalidArgument("k must be a scalar");
    kv = (*k)[0];
    if (kv < 0 || (d.back() >= 0 && kv > d.back())) {
      return InvalidArgument("k = " + std::to_string(kv) + " is out of range for the last dimension " +
                             std::to_string(d.back()));
    }
  }
  d.back() = kv;
  TFLC_RETURN_IF_ERROR(c.Set(0, t, d));
  return c.Set(1, it, d);
}

Status EvalTopK(EvalContext& c) {
  const Dims in = c.dims(0);
  const int64_t n = in.back();
  const int64_t k = c.out_dims(0).back();
  const int64_t rows = n ? NumElements(in) / n : 0;
  if (c.output_type(1) != TFLC_TYPE_INT32) return Unimplemented("TOPK_V2: the reference kernel writes INT32 indices only");
  return DispatchAll(c.type(0), "TOPK_V2", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* x = c.in<T>(0);
    T* values = c.out<T>(0);
    int32_t* indices = c.out<int32_t>(1);
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = x + r * n;
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return row[a] > row[b]; });
      for (int64_t j = 0; j < k; ++j) {
        values[r * k + j] = row[order[j]];
        indices[r * k + j] = static_cast<int32_t>(order[j]);
      }
    }
    return OkStatus();
  });
}

}  // namespace tflc::opset_builtin
