// SLICE, STRIDED_SLICE (all masks + offset, TF semantics), GATHER (axis, batch_dims), GATHER_ND.
#include <algorithm>

#include "common.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

// ---- SLICE -----------------------------------------------------------------------------------

struct SliceSpec {
  Dims begin, size;
};

StatusOr<SliceSpec> ResolveSlice(const Dims& in, std::vector<int64_t> begin, std::vector<int64_t> size) {
  if (begin.size() != in.size() || size.size() != in.size()) {
    return InvalidArgument("begin " + DimsToString(begin) + " and size " + DimsToString(size) +
                           " must have one entry per input dimension " + DimsToString(in));
  }
  for (size_t j = 0; j < in.size(); ++j) {
    if (size[j] == -1) size[j] = in[j] < 0 ? kUnknownDim : in[j] - begin[j];
    const bool bad = begin[j] < 0 || (size[j] < 0 && !(in[j] < 0 && size[j] == kUnknownDim)) ||
                     (in[j] >= 0 && begin[j] + size[j] > in[j]);
    if (bad) {
      return InvalidArgument("slice begin " + DimsToString(begin) + " size " + DimsToString(size) +
                             " does not fit in the input " + DimsToString(in) + " (dimension " + std::to_string(j) + ")");
    }
  }
  return SliceSpec{begin, size};
}

// Copies the box [begin, begin+size) (with `step` strides) of input 0 into output 0.
Status CopyBox(EvalContext& c, const Dims& begin, const Dims& step, const Dims& size) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), c.node().op()));
  const Dims st = Strides(c.dims(0));
  std::vector<int64_t> src(static_cast<size_t>(NumElements(size)));
  ForEachIndex(size, [&](int64_t i, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    for (size_t j = 0; j < idx.size(); ++j) off += (begin[j] + idx[j] * step[j]) * st[j];
    src[i] = off;
  });
  GatherBytes(c.data(0), c.out_data(0), bytes, src);
  return OkStatus();
}

// ---- STRIDED_SLICE ---------------------------------------------------------------------------

struct StridedSliceAttrs {
  int64_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;
  bool offset = false;
};

StatusOr<StridedSliceAttrs> ReadStridedSliceAttrs(const OpContext& c) {
  StridedSliceAttrs a;
  TFLC_ASSIGN_OR_RETURN(a.begin_mask, c.Int("begin_mask", 0));
  TFLC_ASSIGN_OR_RETURN(a.end_mask, c.Int("end_mask", 0));
  TFLC_ASSIGN_OR_RETURN(a.ellipsis_mask, c.Int("ellipsis_mask", 0));
  TFLC_ASSIGN_OR_RETURN(a.new_axis_mask, c.Int("new_axis_mask", 0));
  TFLC_ASSIGN_OR_RETURN(a.shrink_axis_mask, c.Int("shrink_axis_mask", 0));
  TFLC_ASSIGN_OR_RETURN(a.offset, c.Bool("offset", false));
  return a;
}

// One dimension of the input after resolving the sparse spec (TF's "dense spec").
struct DenseDim {
  int64_t begin = 0, end = 0, stride = 1;
  bool begin_masked = false, end_masked = false, shrink = false;
};

// The resolved slice: per input dim the start/stride/length, and the output shape.
struct StridedSliceSpec {
  Dims start, step, length;  // per input dimension (length 1 for shrunk dims)
  Dims out;                  // output shape (new axes as 1, shrunk dims dropped)
};

constexpr int64_t kNewAxis = -2;

// Resolves begin/end/strides (nullopt values: not constant) against the input dims, following
// tensorflow/core/util/strided_slice_op.cc. Dims may be unknown (-1).
StatusOr<StridedSliceSpec> ResolveStridedSlice(const Dims& in, const StridedSliceAttrs& a, size_t n,
                                               const std::vector<int64_t>* begin, const std::vector<int64_t>* end,
                                               const std::vector<int64_t>* strides) {
  const auto rank = static_cast<int64_t>(in.size());
  const bool known = begin && end && strides;
  auto bit = [](int64_t mask, size_t i) { return ((mask >> i) & 1) != 0; };
  // An implicit ellipsis at the end when none is given.
  int64_t ellipsis_mask = a.ellipsis_mask;
  size_t sparse_n = n;
  if (ellipsis_mask == 0) {
    ellipsis_mask = int64_t{1} << n;
    ++sparse_n;
  }
  std::vector<DenseDim> dense(in.size());
  std::vector<int64_t> gather;  // per output dim: dense index, or kNewAxis
  std::vector<bool> dense_set(in.size(), false);
  int64_t full = 0;
  bool seen_ellipsis = false;
  for (size_t i = 0; i < sparse_n; ++i) {
    if (bit(ellipsis_mask, i)) {
      if (seen_ellipsis) return InvalidArgument("STRIDED_SLICE allows only one ellipsis bit");
      seen_ellipsis = true;
      int64_t new_after = 0;
      for (size_t k = i + 1; k < sparse_n; ++k) {
        if (bit(a.new_axis_mask, k) && !bit(ellipsis_mask, k)) ++new_after;
      }
      const int64_t next = std::min<int64_t>(rank - (static_cast<int64_t>(sparse_n) - static_cast<int64_t>(i)) + 1 + new_after, rank);
      for (; full < next; ++full) {
        dense[full].begin_masked = dense[full].end_masked = true;
        dense[full].stride = 1;
        dense_set[full] = true;
        gather.push_back(full);
      }
    } else if (bit(a.new_axis_mask, i)) {
      gather.push_back(kNewAxis);
    } else {
      if (full >= rank) {
        return InvalidArgument("STRIDED_SLICE index " + std::to_string(i) + " is beyond the input rank " +
                               std::to_string(rank) + " (input " + DimsToString(in) + ")");
      }
      DenseDim& d = dense[full];
      if (known) {
        d.begin = (*begin)[i];
        d.end = a.offset ? (*begin)[i] + (*end)[i] : (*end)[i];
        d.stride = (*strides)[i];
        if (d.stride == 0) return InvalidArgument("STRIDED_SLICE stride " + std::to_string(i) + " is 0");
      }
      d.begin_masked = bit(a.begin_mask, i);
      d.end_masked = bit(a.end_mask, i);
      d.shrink = bit(a.shrink_axis_mask, i);
      dense_set[full] = true;
      gather.push_back(d.shrink ? -3 : full);
      ++full;
    }
  }
  // Dims not covered by the spec are taken whole.
  for (int64_t j = 0; j < rank; ++j) {
    if (!dense_set[j]) {
      dense[j].begin_masked = dense[j].end_masked = true;
      gather.push_back(j);
    }
  }
  StridedSliceSpec s;
  s.start.assign(in.size(), 0);
  s.step.assign(in.size(), 1);
  s.length.assign(in.size(), kUnknownDim);
  for (int64_t j = 0; j < rank; ++j) {
    const DenseDim& d = dense[j];
    const int64_t size = in[j];
    if (d.shrink) {
      s.length[j] = 1;
      if (!known || size < 0) continue;
      const int64_t x = d.begin < 0 ? d.begin + size : d.begin;
      if (x < 0 || x >= size) {
        return InvalidArgument("STRIDED_SLICE shrinks dimension " + std::to_string(j) + " at index " +
                               std::to_string(d.begin) + ", out of range for size " + std::to_string(size));
      }
      s.start[j] = x;
      continue;
    }
    const bool whole = d.begin_masked && d.end_masked && d.stride == 1;
    if (size < 0 || (!known && !whole)) {
      if (whole) s.length[j] = size;  // unknown either way, but the intent is "all"
      continue;
    }
    auto canonical = [&](int64_t x, bool masked, bool is_end) -> int64_t {
      if (masked) {
        if (d.stride > 0) return is_end ? size : 0;
        return is_end ? -1 : size - 1;
      }
      int64_t v = x < 0 ? x + size : x;
      return d.stride > 0 ? std::clamp<int64_t>(v, 0, size) : std::clamp<int64_t>(v, -1, size - 1);
    };
    const int64_t b = canonical(d.begin, d.begin_masked, false);
    const int64_t e = canonical(d.end, d.end_masked, true);
    const int64_t interval = e - b;
    int64_t len = 0;
    if ((d.stride > 0 && interval > 0) || (d.stride < 0 && interval < 0)) {
      len = interval / d.stride + (interval % d.stride != 0 ? 1 : 0);
    }
    s.start[j] = b;
    s.step[j] = d.stride;
    s.length[j] = len;
  }
  for (int64_t g : gather) {
    if (g == kNewAxis) {
      s.out.push_back(1);
    } else if (g >= 0) {
      s.out.push_back(s.length[g]);
    }
  }
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Status InferSlice(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(3, 3));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "input"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "begin"));
  TFLC_RETURN_IF_ERROR(c.Require(2, "size"));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  const Dims in = c.dims(0);
  TFLC_ASSIGN_OR_RETURN(auto begin, c.ConstInts(1));
  TFLC_ASSIGN_OR_RETURN(auto size, c.ConstInts(2));
  if (!begin || !size) {
    Dims out(in.size(), kUnknownDim);
    if (size && size->size() == in.size()) {
      for (size_t j = 0; j < in.size(); ++j) out[j] = (*size)[j] >= 0 ? (*size)[j] : kUnknownDim;
    }
    return c.Set(0, t, out);
  }
  TFLC_ASSIGN_OR_RETURN(SliceSpec s, ResolveSlice(in, *begin, *size));
  return c.Set(0, t, s.size);
}

Status EvalSlice(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> begin, c.IntsOf(1));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> size, c.IntsOf(2));
  const Dims in = c.dims(0);
  TFLC_ASSIGN_OR_RETURN(SliceSpec s, ResolveSlice(in, begin, size));
  return CopyBox(c, s.begin, Dims(in.size(), 1), s.size);
}

Status InferStridedSlice(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(4, 4));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  const char* names[] = {"input", "begin", "end", "strides"};
  for (size_t i = 0; i < 4; ++i) TFLC_RETURN_IF_ERROR(c.Require(i, names[i]));
  TFLC_ASSIGN_OR_RETURN(StridedSliceAttrs a, ReadStridedSliceAttrs(c));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  TFLC_ASSIGN_OR_RETURN(auto begin, c.ConstInts(1));
  TFLC_ASSIGN_OR_RETURN(auto end, c.ConstInts(2));
  TFLC_ASSIGN_OR_RETURN(auto strides, c.ConstInts(3));
  size_t n = 0;
  if (begin) {
    n = begin->size();
  } else if (c.rank(1) == 1 && c.dims(1)[0] >= 0) {
    n = static_cast<size_t>(c.dims(1)[0]);
  } else {
    return c.SetUnknownRank(0, t);
  }
  const bool known = begin && end && strides;
  if (known && (end->size() != n || strides->size() != n)) {
    return InvalidArgument("begin, end and strides must have the same length, got " + std::to_string(begin->size()) +
                           ", " + std::to_string(end->size()) + " and " + std::to_string(strides->size()));
  }
  TFLC_ASSIGN_OR_RETURN(StridedSliceSpec s,
                        ResolveStridedSlice(c.dims(0), a, n, known ? &*begin : nullptr, known ? &*end : nullptr,
                                            known ? &*strides : nullptr));
  return c.Set(0, t, s.out);
}

Status EvalStridedSlice(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(StridedSliceAttrs a, ReadStridedSliceAttrs(c));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> begin, c.IntsOf(1));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> end, c.IntsOf(2));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> strides, c.IntsOf(3));
  if (end.size() != begin.size() || strides.size() != begin.size()) {
    return InvalidArgument("begin, end and strides must have the same length");
  }
  TFLC_ASSIGN_OR_RETURN(StridedSliceSpec s, ResolveStridedSlice(c.dims(0), a, begin.size(), &begin, &end, &strides));
  return CopyBox(c, s.start, s.step, s.length);
}

// ---------------------------------------------------------------------------------------------
// GATHER: output = params[:axis] + indices[batch_dims:] + params[axis+1:].

namespace {
struct GatherAxes {
  int64_t axis = 0, batch_dims = 0;
};

StatusOr<GatherAxes> ReadGatherAxes(const OpContext& c, int64_t params_rank, int64_t indices_rank) {
  GatherAxes g;
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int("axis", 0));
  TFLC_ASSIGN_OR_RETURN(int64_t batch_dims, c.Int("batch_dims", 0));
  TFLC_ASSIGN_OR_RETURN(g.axis, NormalizeAxis(axis, params_rank, "axis"));
  if (batch_dims < 0) batch_dims += indices_rank;
  if (batch_dims < 0 || batch_dims > indices_rank || batch_dims > g.axis) {
    return InvalidArgument("batch_dims " + std::to_string(batch_dims) + " must be in [0, min(axis " +
                           std::to_string(g.axis) + ", indices rank " + std::to_string(indices_rank) + ")]");
  }
  g.batch_dims = batch_dims;
  return g;
}
}  // namespace

Status InferGather(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "params"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "indices"));
  const TflcDataType t = c.type(0);
  const TflcDataType it = c.type(1);
  if (it != TFLC_TYPE_UNKNOWN && it != TFLC_TYPE_INT32 && it != TFLC_TYPE_INT64 && it != TFLC_TYPE_INT16) {
    return InvalidArgument("indices must be INT16, INT32 or INT64, got " + TypeName(it));
  }
  if (c.rank(0) < 0 || c.rank(1) < 0) return c.SetUnknownRank(0, t);
  const Dims p = c.dims(0), idx = c.dims(1);
  if (p.empty()) return InvalidArgument("params must have rank >= 1");
  TFLC_ASSIGN_OR_RETURN(GatherAxes g, ReadGatherAxes(c, static_cast<int64_t>(p.size()), static_cast<int64_t>(idx.size())));
  for (int64_t j = 0; j < g.batch_dims; ++j) {
    if (!MergeDim(p[j], idx[j]).ok()) {
      return InvalidArgument("with batch_dims " + std::to_string(g.batch_dims) + ", params " + DimsToString(p) +
                             " and indices " + DimsToString(idx) + " must agree on the leading dimensions");
    }
  }
  Dims out(p.begin(), p.begin() + g.axis);
  out.insert(out.end(), idx.begin() + g.batch_dims, idx.end());
  out.insert(out.end(), p.begin() + g.axis + 1, p.end());
  return c.Set(0, t, out);
}

Status EvalGather(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "GATHER"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> indices, c.IntsOf(1));
  const Dims p = c.dims(0), idx = c.dims(1);
  TFLC_ASSIGN_OR_RETURN(GatherAxes g, ReadGatherAxes(c, static_cast<int64_t>(p.size()), static_cast<int64_t>(idx.size())));
  int64_t batch = 1, outer = 1, inner = 1, coords = 1;
  for (int64_t j = 0; j < g.batch_dims; ++j) batch *= p[j];
  for (int64_t j = g.batch_dims; j < g.axis; ++j) outer *= p[j];
  for (size_t j = g.axis + 1; j < p.size(); ++j) inner *= p[j];
  for (size_t j = g.batch_dims; j < idx.size(); ++j) coords *= idx[j];
  const int64_t axis_size = p[g.axis];
  const auto* src = static_cast<const uint8_t*>(c.data(0));
  auto* dst = static_cast<uint8_t*>(c.out_data(0));
  const size_t chunk = static_cast<size_t>(inner) * bytes;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k = 0; k < coords; ++k) {
        const int64_t at = indices[b * coords + k];
        if (at < 0 || at >= axis_size) {
          return InvalidArgument("GATHER index " + std::to_string(at) + " is out of range [0, " +
                                 std::to_string(axis_size) + ")");
        }
        std::memcpy(dst + ((b * outer + o) * coords + k) * chunk, src + ((b * outer + o) * axis_size + at) * chunk, chunk);
      }
    }
  }
  return OkStatus();
}

// GATHER_ND: indices [..., k] address the first k dims of params; output = indices[:-1] + params[k:].
Status InferGatherNd(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "params"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "indices"));
  const TflcDataType t = c.type(0);
  if (c.rank(0) < 0 || c.rank(1) < 0) return c.SetUnknownRank(0, t);
  const Dims p = c.dims(0), idx = c.dims(1);
  if (idx.empty()) return InvalidArgument("indices must have rank >= 1");
  const int64_t k = idx.back();
  if (k < 0) return c.SetUnknownRank(0, t);
  if (k > static_cast<int64_t>(p.size())) {
    return InvalidArgument("indices " + DimsToString(idx) + " address " + std::to_string(k) +
                           " dimensions but params " + DimsToString(p) + " has rank " + std::to_string(p.size()));
  }
  Dims out(idx.begin(), idx.end() - 1);
  out.insert(out.end(), p.begin() + k, p.end());
  return c.Set(0, t, out);
}

Status EvalGatherNd(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(0), "GATHER_ND"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> indices, c.IntsOf(1));
  const Dims p = c.dims(0), idx = c.dims(1);
  const int64_t k = idx.back();
  const Dims st = Strides(p);
  int64_t inner = 1;
  for (size_t j = k; j < p.size(); ++j) inner *= p[j];
  const int64_t n = k ? static_cast<int64_t>(indices.size()) / k : NumElements(Dims(idx.begin(), idx.end() - 1));
  const size_t chunk = static_cast<size_t>(inner) * bytes;
  const auto* src = static_cast<const uint8_t*>(c.data(0));
  auto* dst = static_cast<uint8_t*>(c.out_data(0));
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t v = indices[i * k + j];
      if (v < 0 || v >= p[j]) {
        return InvalidArgument("GATHER_ND index " + std::to_string(v) + " is out of range for dimension " +
                               std::to_string(j) + " of size " + std::to_string(p[j]));
      }
      off += v * st[j];
    }
    std::memcpy(dst + i * chunk, src + off * bytes, chunk);
  }
  return OkStatus();
}

}  // namespace tflc::opset_builtin
