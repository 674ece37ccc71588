// Data-movement ops that change shapes: RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE, CONCATENATION,
// PACK, UNPACK, SPLIT, SPLIT_V, TILE, BROADCAST_TO, SHAPE, FILL, RANGE, REVERSE_V2, ONE_HOT, and the
// shape function of RANDOM_UNIFORM (no kernel: a random op is never folded).
// Kernels move raw elements, so they work for every fixed-size type (quantized ones included).
#include <cstring>
#include <thread>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <algorithm>
#include <cmath>

#include "common.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

// PACK / UNPACK / SPLIT / SPLIT_V: the TFLite kernels check these counts against the node's inputs
// or outputs, so the option must be written (its schema default 0 always fails).
Status RequireCount(const OpContext& c, const char* attr, size_t expected, const char* what) {
  if (!c.node().HasAttr(attr)) {
    return InvalidArgument(std::string("needs the attribute '") + attr + "' (= " + std::to_string(expected) + ", the " +
                           what + "); the TFLite kernel checks it");
  }
  return OkStatus();
}

// Copies `count` elements of `bytes` each.
void CopyElems(void* dst, const void* src, int64_t count, size_t bytes) {
  if (count > 0) std::memcpy(dst, src, static_cast<size_t>(count) * bytes);
}

// Splits input `in` along `axis` into consecutive chunks of `sizes[k]` written to outputs k.
Status SplitInto(EvalContext& c, size_t in, int64_t axis, const std::vector<int64_t>& sizes) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(in), c.node().op()));
  const Dims d = c.dims(in);
  int64_t outer = 1, inner = 1;
  for (int64_t j = 0; j < axis; ++j) outer *= d[j];
  for (size_t j = axis + 1; j < d.size(); ++j) inner *= d[j];
  const auto* src = static_cast<const uint8_t*>(c.data(in));
  int64_t start = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    auto* dst = static_cast<uint8_t*>(c.out_data(k));
    const int64_t chunk = sizes[k] * inner;
    for (int64_t o = 0; o < outer; ++o) {
      CopyElems(dst + o * chunk * bytes, src + (o * d[axis] + start) * inner * bytes, chunk, bytes);
    }
    start += sizes[k];
  }
  return OkStatus();
}

// Output dims of a split along `axis` into parts of `sizes` (sizes may hold one -1 = rest).
Status SetSplitOutputs(ShapeContext& c, size_t in, int64_t axis, std::vector<int64_t> sizes) {
  Dims d = c.dims(in);
  const int64_t total = d[axis];
  int64_t known = 0, unknown_at = -1;
  for (size_t k = 0; k < sizes.size(); ++k) {
    if (sizes[k] == -1) {
      if (unknown_at >= 0) return InvalidArgument("size_splits may contain at most one -1");
      unknown_at = static_cast<int64_t>(k);
    } else if (sizes[k] < 0) {
      return InvalidArgument("size_splits entries must be >= 0 or -1, got " + std::to_string(sizes[k]));
    } else {
      known += sizes[k];
    }
  }
  if (total >= 0) {
    if (unknown_at >= 0) {
      if (known > total) {
        return InvalidArgument("size_splits sum " + std::to_string(known) + " exceeds dimension " + std::to_string(total));
      }
      sizes[unknown_at] = total - known;
    } else if (known != total) {
      return InvalidArgument("size_splits sum to " + std::to_string(known) + " but the split dimension is " +
                             std::to_string(total));
    }
  }
  for (size_t k = 0; k < sizes.size(); ++k) {
    d[axis] = sizes[k];
    TFLC_RETURN_IF_ERROR(c.Set(k, c.type(in), d));
  }
  return OkStatus();
}

// A scalar or 1-element axis input, normalized against `rank`; nullopt when not constant.
StatusOr<std::optional<int64_t>> ConstAxis(const OpContext& c, size_t i, int64_t rank, const char* what) {
  TFLC_ASSIGN_OR_RETURN(auto v, c.ConstInts(i));
  if (!v) return std::optional<int64_t>{};
  if (v->size() != 1) return InvalidArgument(std::string(what) + " must hold one value, got " + std::to_string(v->size()));
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis((*v)[0], rank, what));
  return std::optional<int64_t>(a);
}

}  // namespace

Status EvalCopy(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), c.node().op()));
  CopyElems(c.out_data(0), c.data(0), c.out_size(0), bytes);
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// RESHAPE: (input, shape int32 [n]); a shape of [] means a scalar; one -1 is inferred.

Status InferReshape(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  const TflcDataType t = c.type(0);
  std::optional<std::vector<int64_t>> shape;
  if (c.has_input(1)) {
    if (c.rank(1) > 1) return InvalidArgument("shape (input 1) must be 1-D, got " + DimsToString(c.dims(1)));
    TFLC_ASSIGN_OR_RETURN(shape, c.ConstInts(1));
    if (!shape) {
      const Dims sd = c.dims(1);
      if (sd.size() == 1 && sd[0] >= 0) return c.Set(0, t, Dims(static_cast<size_t>(sd[0]), kUnknownDim));
      return c.SetUnknownRank(0, t);
    }
  } else {
    if (!c.node().HasAttr("new_shape")) return InvalidArgument("needs the shape as input 1 (or a 'new_shape' attribute)");
    TFLC_ASSIGN_OR_RETURN(shape, c.Ints("new_shape"));
  }
  Dims out = *shape;
  int64_t infer_at = -1, known = 1;
  for (size_t j = 0; j < out.size(); ++j) {
    if (out[j] == -1) {
      if (infer_at >= 0) return InvalidArgument("shape " + DimsToString(out) + " has more than one -1");
      infer_at = static_cast<int64_t>(j);
    } else if (out[j] < 0) {
      return InvalidArgument("shape " + DimsToString(out) + " has a negative dimension");
    } else {
      known *= out[j];
    }
  }
  const int64_t total = c.rank(0) >= 0 ? NumElementsOrUnknown(c.dims(0)) : kUnknownDim;
  if (total >= 0) {
    if (infer_at >= 0) {
      if (known == 0 || total % known != 0) {
        return InvalidArgument("cannot reshape " + DimsToString(c.dims(0)) + " (" + std::to_string(total) +
                               " elements) into " + DimsToString(out));
      }
      out[infer_at] = total / known;
    } else if (known != total) {
      return InvalidArgument("cannot reshape " + DimsToString(c.dims(0)) + " (" + std::to_string(total) +
                             " elements) into " + DimsToString(out) + " (" + std::to_string(known) + " elements)");
    }
  }
  return c.Set(0, t, out);
}

// ---------------------------------------------------------------------------------------------
// SQUEEZE (squeeze_dims; empty = every size-1 dim) and EXPAND_DIMS (input, axis).

Status InferSqueeze(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> sq, c.Ints("squeeze_dims"));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  const Dims in = c.dims(0);
  const auto rank = static_cast<int64_t>(in.size());
  std::vector<bool> drop(in.size(), false);
  if (sq.empty()) {
    for (size_t j = 0; j < in.size(); ++j) {
      if (in[j] < 0) return c.SetUnknownRank(0, t);  // can't tell which dims are 1
      drop[j] = in[j] == 1;
    }
  } else {
    for (int64_t a : sq) {
      TFLC_ASSIGN_OR_RETURN(int64_t n, NormalizeAxis(a, rank, "squeeze_dims entry"));
      if (in[n] > 1 || in[n] == 0) {
        return InvalidArgument("cannot squeeze dimension " + std::to_string(n) + " of " + DimsToString(in) +
                               ": its size is " + std::to_string(in[n]) + ", not 1");
      }
      drop[n] = true;
    }
  }
  Dims out;
  for (size_t j = 0; j < in.size(); ++j) {
    if (!drop[j]) out.push_back(in[j]);
  }
  return c.Set(0, t, out);
}

Status InferExpandDims(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "axis"));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  Dims d = c.dims(0);
  TFLC_ASSIGN_OR_RETURN(auto axis, ConstAxis(c, 1, static_cast<int64_t>(d.size()) + 1, "axis"));
  if (!axis) return c.Set(0, t, Dims(d.size() + 1, kUnknownDim));
  d.insert(d.begin() + *axis, 1);
  return c.Set(0, t, d);
}

// ---------------------------------------------------------------------------------------------
// TRANSPOSE: (input, perm).

Status InferTranspose(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "perm"));
  const TflcDataType t = c.type(0);
  TFLC_ASSIGN_OR_RETURN(auto perm, c.ConstInts(1));
  if (c.rank(0) < 0) {
    if (perm) return c.Set(0, t, Dims(perm->size(), kUnknownDim));
    return c.SetUnknownRank(0, t);
  }
  const Dims in = c.dims(0);
  if (!perm) return c.Set(0, t, Dims(in.size(), kUnknownDim));
  if (perm->size() != in.size()) {
    return InvalidArgument("perm " + DimsToString(*perm) + " has " + std::to_string(perm->size()) +
                           " entries but the input " + DimsToString(in) + " has rank " + std::to_string(in.size()));
  }
  std::vector<bool> seen(in.size(), false);
  Dims out(in.size());
  for (size_t j = 0; j < perm->size(); ++j) {
    int64_t p = (*perm)[j];
    if (p < 0) p += static_cast<int64_t>(in.size());
    if (p < 0 || p >= static_cast<int64_t>(in.size()) || seen[p]) {
      return InvalidArgument("perm " + DimsToString(*perm) + " is not a permutation of 0.." + std::to_string(in.size() - 1));
    }
    seen[p] = true;
    out[j] = in[p];
  }
  return c.Set(0, t, out);
}

namespace {

// dst[r * dst_stride + c] = src[c * src_stride + r] for an 8x8 block of 4-byte elements, using AVX
// unpack/shuffle/permute (the classic register transpose). Callers check for AVX at run time.
#if defined(__x86_64__)
__attribute__((target("avx"))) void Transpose8x8Avx(const float* src, int64_t src_stride, float* dst,
                                                   int64_t dst_stride) {
  __m256 r0 = _mm256_loadu_ps(src + 0 * src_stride), r1 = _mm256_loadu_ps(src + 1 * src_stride);
  __m256 r2 = _mm256_loadu_ps(src + 2 * src_stride), r3 = _mm256_loadu_ps(src + 3 * src_stride);
  __m256 r4 = _mm256_loadu_ps(src + 4 * src_stride), r5 = _mm256_loadu_ps(src + 5 * src_stride);
  __m256 r6 = _mm256_loadu_ps(src + 6 * src_stride), r7 = _mm256_loadu_ps(src + 7 * src_stride);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst + 0 * dst_stride, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(dst + 1 * dst_stride, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(dst + 2 * dst_stride, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(dst + 3 * dst_stride, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(dst + 4 * dst_stride, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(dst + 5 * dst_stride, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(dst + 6 * dst_stride, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(dst + 7 * dst_stride, _mm256_permute2f128_ps(u3, u7, 0x31));
}
#endif

template <typename T>
void Transpose8x8(const T* src, int64_t src_stride, T* dst, int64_t dst_stride) {
#if defined(__x86_64__)
  if constexpr (sizeof(T) == 4) {
    Transpose8x8Avx(reinterpret_cast<const float*>(src), src_stride, reinterpret_cast<float*>(dst), dst_stride);
    return;
  }
#endif
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 8; ++c) dst[r * dst_stride + c] = src[c * src_stride + r];
}

// out[o] = in[sum_j idx_j * in_stride[j]] over the output index space, without materializing an
// index per element: output axes that are also contiguous in the input are merged; when the last
// output axis is contiguous in the input whole runs are copied; otherwise the two axes that are
// contiguous in the input and in the output are walked in cache-sized tiles.
template <typename T>
void TransposeTyped(const T* in, T* out, std::vector<int64_t> dims, std::vector<int64_t> istr) {
  // Drop size-1 axes and merge output-adjacent axes that are adjacent in the input too.
  std::vector<int64_t> d, st;
  for (size_t j = 0; j < dims.size(); ++j) {
    if (dims[j] == 1) continue;
    if (!d.empty() && st.back() == istr[j] * dims[j]) {
      d.back() *= dims[j];
      st.back() = istr[j];
    } else {
      d.push_back(dims[j]);
      st.push_back(istr[j]);
    }
  }
  const int r = static_cast<int>(d.size());
  if (r == 0) {
    out[0] = in[0];
    return;
  }
  std::vector<int64_t> ostr(static_cast<size_t>(r), 1);
  for (int j = r - 2; j >= 0; --j) ostr[j] = ostr[j + 1] * d[j + 1];
  const int last = r - 1;
  int k = -1;  // the output axis that is contiguous in the input
  for (int j = 0; j < last; ++j) {
    if (st[j] == 1) k = j;
  }
  // Odometer over the "outer" axes (all but `last` and `k`), calling fn(in_offset, out_offset).
  auto for_outer = [&](auto&& fn) {
    std::vector<int64_t> idx(static_cast<size_t>(r), 0);
    while (true) {
      int64_t io = 0, oo = 0;
      for (int j = 0; j < r; ++j) {
        io += idx[j] * st[j];
        oo += idx[j] * ostr[j];
      }
      fn(io, oo);
      int j = last - 1;
      for (; j >= 0; --j) {
        if (j == k) continue;
        if (++idx[j] < d[j]) break;
        idx[j] = 0;
      }
      if (j < 0) return;
    }
  };
  const int64_t n_last = d[last];
  if (st[last] == 1 || k < 0) {
    const int64_t s_last = st[last];
    k = -1;
    for_outer([&](int64_t io, int64_t oo) {
      if (s_last == 1) {
        std::memcpy(out + oo, in + io, static_cast<size_t>(n_last) * sizeof(T));
      } else {
        for (int64_t l = 0; l < n_last; ++l) out[oo + l] = in[io + l * s_last];
      }
    });
    return;
  }
  constexpr int64_t kTile = 32;
  const int64_t n_k = d[k], s_last = st[last], ok = ostr[k];
#if defined(__x86_64__)
  static const bool avx = __builtin_cpu_supports("avx");
  const bool use_avx = sizeof(T) == 4 && avx;
#else
  const bool use_avx = false;
#endif
  auto tiles = [&](int64_t io, int64_t oo, int64_t k_begin, int64_t k_end) {
    for (int64_t kb = k_begin; kb < k_end; kb += kTile) {
      const int64_t ke = std::min(k_end, kb + kTile);
      for (int64_t lb = 0; lb < n_last; lb += kTile) {
        const int64_t le = std::min(n_last, lb + kTile);
        if (use_avx && ke - kb == kTile && le - lb == kTile) {
          // Full tile of 4-byte elements: 8x8 blocks through AVX registers.
          for (int64_t kk = kb; kk < ke; kk += 8) {
            for (int64_t l = lb; l < le; l += 8) {
              Transpose8x8(in + io + kk + l * s_last, s_last, out + oo + kk * ok + l, ok);
            }
          }
          continue;
        }
        for (int64_t kk = kb; kk < ke; ++kk) {
          T* o = out + oo + kk * ok;
          const T* i = in + io + kk;  // st[k] == 1
          for (int64_t l = lb; l < le; ++l) o[l] = i[l * s_last];
        }
      }
    }
  };
  // Large planes (weight layout changes of big models) are split across the machine's cores.
  const unsigned cores = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  const bool parallel = cores > 1 && n_k * n_last >= (int64_t{1} << 20) && n_k >= 2 * kTile;
  for_outer([&](int64_t io, int64_t oo) {
    if (!parallel) return tiles(io, oo, 0, n_k);
    std::vector<std::thread> workers;
    const int64_t chunk = (n_k / kTile + cores - 1) / cores * kTile;
    for (int64_t b = chunk; b < n_k; b += chunk) workers.emplace_back(tiles, io, oo, b, std::min(n_k, b + chunk));
    tiles(io, oo, 0, std::min(n_k, chunk));
    for (auto& w : workers) w.join();
  });
}

}  // namespace

Status EvalTranspose(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "TRANSPOSE"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> perm, c.IntsOf(1));
  const Dims in = c.dims(0), out = c.out_dims(0);
  const Dims in_strides = Strides(in);
  for (auto& p : perm) {
    if (p < 0) p += static_cast<int64_t>(in.size());
  }
  std::vector<int64_t> dims(out.begin(), out.end()), istr;
  for (size_t j = 0; j < perm.size(); ++j) istr.push_back(in_strides[static_cast<size_t>(perm[j])]);
  if (NumElements(out) == 0) return OkStatus();
  switch (bytes) {
    case 1: TransposeTyped(static_cast<const uint8_t*>(c.data(0)), static_cast<uint8_t*>(c.out_data(0)), dims, istr); break;
    case 2: TransposeTyped(static_cast<const uint16_t*>(c.data(0)), static_cast<uint16_t*>(c.out_data(0)), dims, istr); break;
    case 4: TransposeTyped(static_cast<const uint32_t*>(c.data(0)), static_cast<uint32_t*>(c.out_data(0)), dims, istr); break;
    case 8: TransposeTyped(static_cast<const uint64_t*>(c.data(0)), static_cast<uint64_t*>(c.out_data(0)), dims, istr); break;
    default: {
      std::vector<int64_t> src(static_cast<size_t>(NumElements(out)));
      ForEachIndex(out, [&](int64_t i, const std::vector<int64_t>& idx) {
        int64_t off = 0;
        for (size_t j = 0; j < idx.size(); ++j) off += idx[j] * istr[j];
        src[static_cast<size_t>(i)] = off;
      });
      GatherBytes(c.data(0), c.out_data(0), bytes, src);
    }
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// CONCATENATION (axis, fused_activation_function) and PACK (values_count, axis).

Status InferConcatenation(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  if (c.num_inputs() < 1) return InvalidArgument("expects at least 1 input");
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int("axis", 0));
  TFLC_RETURN_IF_ERROR(c.FusedActivation().status());
  const TflcDataType t = c.type(0);
  int rank = -1;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    TFLC_RETURN_IF_ERROR(c.Require(i, "value"));
    if (c.type(i) != TFLC_TYPE_UNKNOWN && t != TFLC_TYPE_UNKNOWN && c.type(i) != t) {
      return InvalidArgument("all inputs must have the same type; input 0 is " + TypeName(t) + ", input " +
                             std::to_string(i) + " is " + TypeName(c.type(i)));
    }
    if (c.rank(i) < 0) continue;
    if (rank >= 0 && c.rank(i) != rank) {
      return InvalidArgument("all inputs must have the same rank; got " + DimsToString(c.dims(0)) + " and " +
                             DimsToString(c.dims(i)) + " (input " + std::to_string(i) + ")");
    }
    rank = c.rank(i);
  }
  if (rank < 0) return c.SetUnknownRank(0, t);
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, rank, "axis"));
  Dims out(static_cast<size_t>(rank), kUnknownDim);
  int64_t sum = 0;
  bool sum_known = true;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    if (c.rank(i) < 0) {
      sum_known = false;
      continue;
    }
    const Dims d = c.dims(i);
    for (int j = 0; j < rank; ++j) {
      if (j == a) continue;
      auto m = MergeDim(out[j], d[j]);
      if (!m.ok()) {
        return InvalidArgument("inputs differ outside the concatenation axis " + std::to_string(a) + ": input " +
                               std::to_string(i) + " is " + DimsToString(d) + ", expected dimension " +
                               std::to_string(j) + " = " + std::to_string(out[j]));
      }
      out[j] = *m;
    }
    if (d[a] < 0) sum_known = false;
    sum += d[a];
  }
  out[a] = sum_known ? sum : kUnknownDim;
  return c.Set(0, t, out);
}

Status EvalConcatenation(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "CONCATENATION"));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int("axis", 0));
  TFLC_ASSIGN_OR_RETURN(int64_t act, c.FusedActivation());
  const Dims out = c.out_dims(0);
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(out.size()), "axis"));
  int64_t outer = 1, inner = 1;
  for (int64_t j = 0; j < a; ++j) outer *= out[j];
  for (size_t j = a + 1; j < out.size(); ++j) inner *= out[j];
  auto* dst = static_cast<uint8_t*>(c.out_data(0));
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < c.num_inputs(); ++i) {
      const int64_t chunk = c.dims(i)[a] * inner;
      CopyElems(dst, static_cast<const uint8_t*>(c.data(i)) + o * chunk * bytes, chunk, bytes);
      dst += chunk * bytes;
    }
  }
  if (act != kActNone) {
    if (c.type(0) != TFLC_TYPE_FLOAT32) return Unimplemented("CONCATENATION: fused activation on non-float data");
    float* o = c.out<float>(0);
    for (int64_t i = 0; i < c.out_size(0); ++i) o[i] = ApplyActivation(act, o[i]);
  }
  return OkStatus();
}

Status InferPack(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  const size_t n = c.num_inputs();
  if (n < 1) return InvalidArgument("expects at least 1 input");
  TFLC_RETURN_IF_ERROR(RequireCount(c, "values_count", n, "number of inputs"));
  TFLC_ASSIGN_OR_RETURN(int64_t count, c.Int("values_count", static_cast<int64_t>(n)));
  if (count != static_cast<int64_t>(n)) {
    return InvalidArgument("values_count " + std::to_string(count) + " != number of inputs " + std::to_string(n));
  }
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int("axis", 0));
  const TflcDataType t = c.type(0);
  std::optional<Dims> shape;
  for (size_t i = 0; i < n; ++i) {
    TFLC_RETURN_IF_ERROR(c.Require(i, "value"));
    if (c.type(i) != TFLC_TYPE_UNKNOWN && t != TFLC_TYPE_UNKNOWN && c.type(i) != t) {
      return InvalidArgument("all inputs must have the same type; input " + std::to_string(i) + " is " + TypeName(c.type(i)));
    }
    if (c.rank(i) < 0) continue;
    const Dims d = c.dims(i);
    if (!shape) {
      shape = d;
      continue;
    }
    bool same = d.size() == shape->size();
    for (size_t j = 0; same && j < d.size(); ++j) {
      auto m = MergeDim((*shape)[j], d[j]);
      same = m.ok();
      if (same) (*shape)[j] = *m;
    }
    if (!same) {
      return InvalidArgument("all inputs must have the same shape; got " + DimsToString(*shape) + " and " +
                             DimsToString(d) + " (input " + std::to_string(i) + ")");
    }
  }
  if (!shape) return c.SetUnknownRank(0, t);
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(shape->size()) + 1, "axis"));
  shape->insert(shape->begin() + a, static_cast<int64_t>(n));
  return c.Set(0, t, *shape);
}

Status EvalPack(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "PACK"));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int("axis", 0));
  const Dims out = c.out_dims(0);
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(out.size()), "axis"));
  int64_t outer = 1, inner = 1;
  for (int64_t j = 0; j < a; ++j) outer *= out[j];
  for (size_t j = a + 1; j < out.size(); ++j) inner *= out[j];
  auto* dst = static_cast<uint8_t*>(c.out_data(0));
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < c.num_inputs(); ++i) {
      CopyElems(dst, static_cast<const uint8_t*>(c.data(i)) + o * inner * bytes, inner, bytes);
      dst += inner * bytes;
    }
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// UNPACK (num, axis), SPLIT (axis, value; num_splits), SPLIT_V (value, size_splits, axis).

Status InferUnpack(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "value"));
  TFLC_RETURN_IF_ERROR(RequireCount(c, "num", c.num_outputs(), "number of outputs"));
  TFLC_ASSIGN_OR_RETURN(int64_t num, c.Int("num", static_cast<int64_t>(c.num_outputs())));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int("axis", 0));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(static_cast<size_t>(std::max<int64_t>(num, 0))));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0) {
    for (size_t k = 0; k < c.num_outputs(); ++k) TFLC_RETURN_IF_ERROR(c.SetUnknownRank(k, t));
    return OkStatus();
  }
  Dims d = c.dims(0);
  if (d.empty()) return InvalidArgument("cannot unpack a scalar");
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(d.size()), "axis"));
  if (d[a] >= 0 && d[a] != num) {
    return InvalidArgument("num " + std::to_string(num) + " != dimension " + std::to_string(a) + " of " + DimsToString(d));
  }
  d.erase(d.begin() + a);
  for (size_t k = 0; k < c.num_outputs(); ++k) TFLC_RETURN_IF_ERROR(c.Set(k, t, d));
  return OkStatus();
}

Status EvalUnpack(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int("axis", 0));
  const Dims d = c.dims(0);
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(d.size()), "axis"));
  return SplitInto(c, 0, a, std::vector<int64_t>(c.num_outputs(), 1));
}

// The shared start of SPLIT / SPLIT_V shape inference: num_splits must match the outputs. Returns
// true when the value's rank is unknown (outputs then get an unknown rank and nothing is left to do).
StatusOr<bool> SplitOutputsPreamble(ShapeContext& c, size_t value_input, int64_t* num) {
  TFLC_RETURN_IF_ERROR(RequireCount(c, "num_splits", c.num_outputs(), "number of outputs"));
  TFLC_ASSIGN_OR_RETURN(*num, c.Int("num_splits", static_cast<int64_t>(c.num_outputs())));
  if (*num <= 0) return InvalidArgument("num_splits must be positive, got " + std::to_string(*num));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(static_cast<size_t>(*num)));
  if (c.rank(value_input) >= 0) return false;
  for (size_t k = 0; k < c.num_outputs(); ++k) TFLC_RETURN_IF_ERROR(c.SetUnknownRank(k, c.type(value_input)));
  return true;
}

Status InferSplit(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.Require(0, "axis"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "value"));
  int64_t num = 0;
  TFLC_ASSIGN_OR_RETURN(bool unknown_rank, SplitOutputsPreamble(c, 1, &num));
  if (unknown_rank) return OkStatus();
  const TflcDataType t = c.type(1);
  Dims d = c.dims(1);
  TFLC_ASSIGN_OR_RETURN(auto axis, ConstAxis(c, 0, static_cast<int64_t>(d.size()), "axis"));
  if (!axis) {
    for (size_t k = 0; k < c.num_outputs(); ++k) TFLC_RETURN_IF_ERROR(c.Set(k, t, Dims(d.size(), kUnknownDim)));
    return OkStatus();
  }
  if (d[*axis] >= 0) {
    if (d[*axis] % num != 0) {
      return InvalidArgument("dimension " + std::to_string(*axis) + " of " + DimsToString(d) +
                             " is not divisible by num_splits " + std::to_string(num));
    }
    d[*axis] /= num;
  }
  for (size_t k = 0; k < c.num_outputs(); ++k) TFLC_RETURN_IF_ERROR(c.Set(k, t, d));
  return OkStatus();
}

Status EvalSplit(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axis_v, c.IntsOf(0));
  const Dims d = c.dims(1);
  if (axis_v.size() != 1) return InvalidArgument("axis must hold one value");
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis_v[0], static_cast<int64_t>(d.size()), "axis"));
  const int64_t n = static_cast<int64_t>(c.num_outputs());
  return SplitInto(c, 1, a, std::vector<int64_t>(static_cast<size_t>(n), d[a] / n));
}

Status InferSplitV(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(3, 3));
  TFLC_RETURN_IF_ERROR(c.Require(0, "value"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "size_splits"));
  TFLC_RETURN_IF_ERROR(c.Require(2, "axis"));
  int64_t num = 0;
  TFLC_ASSIGN_OR_RETURN(bool unknown_rank, SplitOutputsPreamble(c, 0, &num));
  if (unknown_rank) return OkStatus();
  const TflcDataType t = c.type(0);
  const Dims d = c.dims(0);
  TFLC_ASSIGN_OR_RETURN(auto axis, ConstAxis(c, 2, static_cast<int64_t>(d.size()), "axis"));
  TFLC_ASSIGN_OR_RETURN(auto sizes, c.ConstInts(1));
  if (sizes && static_cast<int64_t>(sizes->size()) != num) {
    return InvalidArgument("size_splits has " + std::to_string(sizes->size()) + " entries but num_splits is " +
                           std::to_string(num));
  }
  if (!axis) {
    for (size_t k = 0; k < c.num_outputs(); ++k) TFLC_RETURN_IF_ERROR(c.Set(k, t, Dims(d.size(), kUnknownDim)));
    return OkStatus();
  }
  if (!sizes) {
    Dims o = d;
    o[*axis] = kUnknownDim;
    for (size_t k = 0; k < c.num_outputs(); ++k) TFLC_RETURN_IF_ERROR(c.Set(k, t, o));
    return OkStatus();
  }
  return SetSplitOutputs(c, 0, *axis, *sizes);
}

Status EvalSplitV(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axis_v, c.IntsOf(2));
  const Dims d = c.dims(0);
  if (axis_v.size() != 1) return InvalidArgument("axis must hold one value");
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis_v[0], static_cast<int64_t>(d.size()), "axis"));
  std::vector<int64_t> sizes;
  for (size_t k = 0; k < c.num_outputs(); ++k) sizes.push_back(c.out_dims(k)[a]);
  return SplitInto(c, 0, a, sizes);
}

// ---------------------------------------------------------------------------------------------
// TILE (input, multiples) and BROADCAST_TO (input, shape).

Status InferTile(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "multiples"));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  Dims d = c.dims(0);
  TFLC_ASSIGN_OR_RETURN(auto m, c.ConstInts(1));
  if (!m) return c.Set(0, t, Dims(d.size(), kUnknownDim));
  if (m->size() != d.size()) {
    return InvalidArgument("multiples " + DimsToString(*m) + " must have one entry per input dimension " + DimsToString(d));
  }
  for (size_t j = 0; j < d.size(); ++j) {
    if ((*m)[j] < 0) return InvalidArgument("multiples must be >= 0, got " + DimsToString(*m));
    if (d[j] >= 0) d[j] *= (*m)[j];
  }
  return c.Set(0, t, d);
}

Status EvalTile(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "TILE"));
  const Dims in = c.dims(0), out = c.out_dims(0);
  const Dims st = Strides(in);
  std::vector<int64_t> src(static_cast<size_t>(NumElements(out)));
  ForEachIndex(out, [&](int64_t i, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    for (size_t j = 0; j < idx.size(); ++j) off += (idx[j] % in[j]) * st[j];
    src[i] = off;
  });
  GatherBytes(c.data(0), c.out_data(0), bytes, src);
  return OkStatus();
}

Status InferBroadcastTo(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "shape"));
  const TflcDataType t = c.type(0);
  TFLC_ASSIGN_OR_RETURN(auto shape, c.ConstInts(1));
  if (!shape) {
    const Dims sd = c.dims(1);
    if (sd.size() == 1 && sd[0] >= 0) return c.Set(0, t, Dims(static_cast<size_t>(sd[0]), kUnknownDim));
    return c.SetUnknownRank(0, t);
  }
  if (c.rank(0) >= 0) {
    // Broadcasting the input to `shape` must give `shape` (an unknown input dim may be 1).
    const Dims in = c.dims(0);
    auto b = BroadcastShapes(in, *shape);
    bool ok = b.ok() && b->size() == shape->size();
    for (size_t j = 0; ok && j < shape->size(); ++j) ok = (*b)[j] == (*shape)[j] || (*b)[j] < 0;
    if (!ok) return InvalidArgument("input " + DimsToString(in) + " cannot be broadcast to " + DimsToString(*shape));
  }
  return c.Set(0, t, *shape);
}

Status EvalBroadcastTo(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "BROADCAST_TO"));
  const auto* in = static_cast<const uint8_t*>(c.data(0));
  auto* out = static_cast<uint8_t*>(c.out_data(0));
  const Dims ins[1] = {c.dims(0)};
  ForEachBroadcast(c.out_dims(0), ins, [&](int64_t i, int64_t k) { std::memcpy(out + i * bytes, in + k * bytes, bytes); });
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// SHAPE (out_type), FILL (dims, value), RANGE (start, limit, delta).

Status InferShapeOp(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  if (!c.node().HasAttr("out_type")) {
    return InvalidArgument("SHAPE needs the attribute 'out_type' (INT32=2 or INT64=4); the TFLite kernel rejects the "
                           "schema default");
  }
  TFLC_ASSIGN_OR_RETURN(int64_t ot, c.Int("out_type"));
  if (ot != TFLC_TYPE_INT32 && ot != TFLC_TYPE_INT64) {
    return InvalidArgument("out_type must be INT32 (2) or INT64 (4), got " + std::to_string(ot));
  }
  return c.Set(0, static_cast<TflcDataType>(ot), {c.rank(0) < 0 ? kUnknownDim : c.rank(0)});
}

Status EvalShapeOp(EvalContext& c) {
  const Dims d = c.dims(0);
  for (size_t j = 0; j < d.size(); ++j) {
    if (c.output_type(0) == TFLC_TYPE_INT64) {
      c.out<int64_t>(0)[j] = d[j];
    } else {
      c.out<int32_t>(0)[j] = static_cast<int32_t>(d[j]);
    }
  }
  return OkStatus();
}

// Output 0 gets type `t` and the shape held by 1-D input `input` (FILL's dims, RANDOM_UNIFORM's
// shape): known values when the input is constant, else its length with unknown sizes.
Status SetShapeFromShapeInput(ShapeContext& c, size_t input, const char* what, TflcDataType t) {
  TFLC_ASSIGN_OR_RETURN(auto dims, c.ConstInts(input));
  if (!dims) {
    const Dims dd = c.dims(input);
    if (dd.size() == 1 && dd[0] >= 0) return c.Set(0, t, Dims(static_cast<size_t>(dd[0]), kUnknownDim));
    return c.SetUnknownRank(0, t);
  }
  for (int64_t v : *dims) {
    if (v < 0) return InvalidArgument(std::string(what) + " must be >= 0, got " + DimsToString(*dims));
  }
  return c.Set(0, t, *dims);
}

Status InferFill(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "dims"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "value"));
  if (c.rank(1) > 0 && NumElementsOrUnknown(c.dims(1)) != 1) {
    return InvalidArgument("value must be a scalar, got shape " + DimsToString(c.dims(1)));
  }
  return SetShapeFromShapeInput(c, 0, "dims", c.type(1));
}

// RANDOM_UNIFORM (shape int32/int64 [n]) → float32 of that shape, values in [0, 1). The TFLite
// kernel writes float32 only.
Status InferRandomUniform(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "shape"));
  if (c.type(0) != TFLC_TYPE_INT32 && c.type(0) != TFLC_TYPE_INT64) {
    return InvalidArgument("shape must be INT32 or INT64");
  }
  return SetShapeFromShapeInput(c, 0, "shape", TFLC_TYPE_FLOAT32);
}

Status EvalFill(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(1), "FILL"));
  auto* out = static_cast<uint8_t*>(c.out_data(0));
  for (int64_t i = 0; i < c.out_size(0); ++i) std::memcpy(out + i * bytes, c.data(1), bytes);
  return OkStatus();
}

namespace {
// Number of elements of RANGE(start, limit, delta), as tflite/kernels/range.cc computes it.
StatusOr<int64_t> RangeSize(double start, double limit, double delta, bool integral) {
  if (delta == 0) return InvalidArgument("RANGE: delta must not be 0");
  if ((start > limit && delta > 0) || (start < limit && delta < 0)) {
    return InvalidArgument("RANGE: start " + std::to_string(start) + " can't reach limit " + std::to_string(limit) +
                           " with delta " + std::to_string(delta));
  }
  if (integral) {
    const auto s = static_cast<int64_t>(start), l = static_cast<int64_t>(limit), d = static_cast<int64_t>(delta);
    return (std::llabs(l - s) + std::llabs(d) - 1) / std::llabs(d);
  }
  return static_cast<int64_t>(std::ceil(std::fabs((limit - start) / delta)));
}
}  // namespace

Status InferRange(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(3, 3));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  for (size_t i = 0; i < 3; ++i) TFLC_RETURN_IF_ERROR(c.Require(i, i == 0 ? "start" : (i == 1 ? "limit" : "delta")));
  const TflcDataType t = c.type(0);
  for (size_t i = 1; i < 3; ++i) {
    if (c.type(i) != TFLC_TYPE_UNKNOWN && t != TFLC_TYPE_UNKNOWN && c.type(i) != t) {
      return InvalidArgument("start, limit and delta must have the same type, got " + TypeName(t) + " and " +
                             TypeName(c.type(i)));
    }
  }
  if (!c.is_const(0) || !c.is_const(1) || !c.is_const(2)) return c.Set(0, t, {kUnknownDim});
  double v[3];
  for (size_t i = 0; i < 3; ++i) {
    TFLC_ASSIGN_OR_RETURN(auto f, c.ConstFloats(i));
    if (!f || f->size() != 1) return InvalidArgument("start, limit and delta must be scalars");
    v[i] = (*f)[0];
  }
  TFLC_ASSIGN_OR_RETURN(int64_t n, RangeSize(v[0], v[1], v[2], t != TFLC_TYPE_FLOAT32));
  return c.Set(0, t, {n});
}

Status EvalRange(EvalContext& c) {
  return DispatchArith(c.type(0), "RANGE", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T start = *c.in<T>(0), delta = *c.in<T>(2);
    T* out = c.out<T>(0);
    for (int64_t i = 0; i < c.out_size(0); ++i) out[i] = static_cast<T>(start + static_cast<T>(i) * delta);
    return OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// REVERSE_V2 (input, axes) and ONE_HOT (indices, depth, on_value, off_value; axis).

Status InferReverseV2(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "axis"));
  TFLC_ASSIGN_OR_RETURN(auto axes, c.ConstInts(1));
  if (axes && c.rank(0) >= 0) {
    for (int64_t a : *axes) TFLC_RETURN_IF_ERROR(NormalizeAxis(a, c.rank(0), "axis").status());
  }
  return c.SetLike(0, 0);
}

Status EvalReverseV2(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "REVERSE_V2"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, c.IntsOf(1));
  const Dims d = c.dims(0);
  std::vector<bool> rev(d.size(), false);
  for (int64_t a : axes) {
    TFLC_ASSIGN_OR_RETURN(int64_t n, NormalizeAxis(a, static_cast<int64_t>(d.size()), "axis"));
    rev[n] = true;
  }
  const Dims st = Strides(d);
  std::vector<int64_t> src(static_cast<size_t>(NumElements(d)));
  ForEachIndex(d, [&](int64_t i, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    for (size_t j = 0; j < idx.size(); ++j) off += (rev[j] ? d[j] - 1 - idx[j] : idx[j]) * st[j];
    src[i] = off;
  });
  GatherBytes(c.data(0), c.out_data(0), bytes, src);
  return OkStatus();
}

Status InferOneHot(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(4, 4));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  const char* names[] = {"indices", "depth", "on_value", "off_value"};
  for (size_t i = 0; i < 4; ++i) TFLC_RETURN_IF_ERROR(c.Require(i, names[i]));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int("axis", 0));
  const TflcDataType t = c.type(2);
  if (c.type(3) != TFLC_TYPE_UNKNOWN && t != TFLC_TYPE_UNKNOWN && c.type(3) != t) {
    return InvalidArgument("on_value and off_value must have the same type");
  }
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  Dims d = c.dims(0);
  const auto out_rank = static_cast<int64_t>(d.size()) + 1;
  if (axis < -1 || axis >= out_rank) {
    return InvalidArgument("axis " + std::to_string(axis) + " is out of range [-1, " + std::to_string(out_rank - 1) + "]");
  }
  if (axis == -1) axis = out_rank - 1;
  TFLC_ASSIGN_OR_RETURN(auto depth, c.ConstInts(1));
  int64_t dv = kUnknownDim;
  if (depth) {
    if (depth->size() != 1 || (*depth)[0] < 0) return InvalidArgument("depth must be a non-negative scalar");
    dv = (*depth)[0];
  }
  d.insert(d.begin() + axis, dv);
  return c.Set(0, t, d);
}

Status EvalOneHot(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(2), "ONE_HOT"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> indices, c.IntsOf(0));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int("axis", 0));
  const Dims out = c.out_dims(0);
  if (axis == -1) axis = static_cast<int64_t>(out.size()) - 1;
  const int64_t depth = out[axis];
  int64_t outer = 1, inner = 1;
  for (int64_t j = 0; j < axis; ++j) outer *= out[j];
  for (size_t j = axis + 1; j < out.size(); ++j) inner *= out[j];
  auto* o = static_cast<uint8_t*>(c.out_data(0));
  for (int64_t a = 0; a < outer; ++a) {
    for (int64_t k = 0; k < depth; ++k) {
      for (int64_t b = 0; b < inner; ++b) {
        const bool on = indices[a * inner + b] == k;
        std::memcpy(o + ((a * depth + k) * inner + b) * bytes, c.data(on ? 2 : 3), bytes);
      }
    }
  }
  return OkStatus();
}

}  // namespace tflc::opset_builtin
