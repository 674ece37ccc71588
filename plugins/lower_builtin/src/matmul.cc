// MatMul → FULLY_CONNECTED, BatchMatMul{,V2,V3} → BATCH_MATMUL.
#include <string>
#include <vector>

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {

// MatMul(a[M,K], b[K,N]) → FULLY_CONNECTED(a, TRANSPOSE(b,[1,0]) = [N,K], bias omitted).
// transpose_b=true needs no transpose; transpose_a=true transposes the LHS.
TflcStatus* LowerMatMul(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(bool transpose_a, l.node().BoolAttrOr("transpose_a", false));
    TFLC_ASSIGN_OR_RETURN(bool transpose_b, l.node().BoolAttrOr("transpose_b", false));
    TFLC_ASSIGN_OR_RETURN(ValueView a, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView b, l.Input(1));
    if (a.rank() > 2 || b.rank() > 2) {
      return InvalidArgument("MatMul operands must be 2-D, got ranks " + std::to_string(a.rank()) + " and " +
                             std::to_string(b.rank()));
    }
    if (transpose_a) {
      TFLC_ASSIGN_OR_RETURN(a, l.Transpose(a, {1, 0}, "lhs_transpose"));
    }
    if (!transpose_b) {
      TFLC_ASSIGN_OR_RETURN(b, l.Transpose(b, {1, 0}, "weights_transpose"));
    }
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("FULLY_CONNECTED", "", {a, b, ValueView()},
                                               {{"fused_activation_function", static_cast<int64_t>(kActNone)},
                                                {"keep_num_dims", false}}));
    return l.Replace(0, y);
  });
}

namespace {

// TFLite's BATCH_MATMUL takes operands of rank 2 to 5 (lite/kernels/batch_matmul.cc, Prepare).
constexpr int kMaxBatchMatMulRank = 5;

int CountUnknown(const std::vector<int64_t>& dims) {
  int n = 0;
  for (int64_t d : dims) n += d < 0 ? 1 : 0;
  return n;
}

int64_t Product(std::vector<int64_t>::const_iterator begin, std::vector<int64_t>::const_iterator end) {
  int64_t p = 1;
  for (auto it = begin; it != end; ++it) {
    if (*it < 0) return -1;
    p *= *it;
  }
  return p;
}

// Rank > 5: the batch dims are flattened into one (RESHAPE to rank 3, BATCH_MATMUL, RESHAPE back)
// when both operands have the same batch dims, or when one has only size-1 batch dims (it becomes
// rank 2 and BATCH_MATMUL broadcasts it).
Status LowerHighRankBatchMatMul(const Lowering& l, const ValueView& x, const ValueView& y, bool adj_x, bool adj_y,
                                const Attrs& attrs) {
  const std::vector<int64_t> xd = x.dims(), yd = y.dims();
  if (xd.size() < 2 || yd.size() < 2) {
    return InvalidArgument("BatchMatMul operands must have rank >= 2, got ranks " + std::to_string(x.rank()) +
                           " and " + std::to_string(y.rank()));
  }
  const std::vector<int64_t> bx(xd.begin(), xd.end() - 2), by(yd.begin(), yd.end() - 2);
  auto all_ones = [](const std::vector<int64_t>& b) {
    for (int64_t d : b) {
      if (d != 1) return false;
    }
    return true;
  };
  const bool same = bx == by && CountUnknown(bx) <= 1;
  const bool x_bcast = all_ones(bx) && CountUnknown(by) <= 1;
  const bool y_bcast = all_ones(by) && CountUnknown(bx) <= 1;
  if (!same && !x_bcast && !y_bcast) {
    return Unimplemented("BatchMatMul of operands of rank " + std::to_string(xd.size()) + " and " +
                         std::to_string(yd.size()) + " whose batch dimensions broadcast (or have more than one "
                         "unknown dimension): TFLite's BATCH_MATMUL takes rank <= " +
                         std::to_string(kMaxBatchMatMulRank) + "; reshape the operands to rank <= 5 in the model");
  }
  const std::vector<int64_t>& batch = x_bcast && !same ? by : bx;
  const int64_t b = Product(batch.begin(), batch.end());
  auto flat = [&](const ValueView& v, const std::vector<int64_t>& d, bool broadcast,
                  const char* suffix) -> StatusOr<ValueView> {
    std::vector<int64_t> shape;
    if (!broadcast) shape.push_back(b);
    shape.push_back(d[d.size() - 2]);
    shape.push_back(d[d.size() - 1]);
    if (CountUnknown(shape) > 1) {
      return Unimplemented("BatchMatMul of rank > " + std::to_string(kMaxBatchMatMulRank) +
                           " needs its matrix dimensions known to flatten the batch");
    }
    return l.Reshape(v, shape, suffix);
  };
  TFLC_ASSIGN_OR_RETURN(ValueView x3, flat(x, xd, x_bcast && !same, "x_flatten"));
  TFLC_ASSIGN_OR_RETURN(ValueView y3, flat(y, yd, y_bcast && !same, "y_flatten"));
  TFLC_ASSIGN_OR_RETURN(ValueView out, l.Emit1("BATCH_MATMUL", "matmul", {x3, y3}, attrs));
  std::vector<int64_t> out_dims = batch;
  out_dims.push_back(adj_x ? xd[xd.size() - 1] : xd[xd.size() - 2]);
  out_dims.push_back(adj_y ? yd[yd.size() - 2] : yd[yd.size() - 1]);
  if (CountUnknown(out_dims) > 1) {
    return Unimplemented("BatchMatMul of rank > " + std::to_string(kMaxBatchMatMulRank) + " with output " +
                         "dimensions of which more than one is unknown cannot be reshaped back");
  }
  TFLC_ASSIGN_OR_RETURN(ValueView y_out, l.Reshape(out, out_dims, ""));
  return l.Replace(0, y_out);
}

}  // namespace

// BatchMatMul / V2 / V3(x, y) → BATCH_MATMUL(x, y) with adj_x / adj_y (rank > 5: flattened batch).
TflcStatus* LowerBatchMatMul(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(bool adj_x, l.node().BoolAttrOr("adj_x", false));
    TFLC_ASSIGN_OR_RETURN(bool adj_y, l.node().BoolAttrOr("adj_y", false));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Input(1));
    if (l.node().HasAttr("Tout") && l.node().HasAttr("Ta")) {
      TFLC_ASSIGN_OR_RETURN(TflcDataType ta, l.node().TypeAttr("Ta"));
      TFLC_ASSIGN_OR_RETURN(TflcDataType tout, l.node().TypeAttr("Tout"));
      if (ta != tout) {
        return UnsupportedAttr("Tout", TypeName(tout), "the input type (" + TypeName(ta) + ")");
      }
    }
    const Attrs attrs = {{"adj_x", adj_x}, {"adj_y", adj_y}, {"asymmetric_quantize_inputs", false}};
    if (x.rank() > kMaxBatchMatMulRank || y.rank() > kMaxBatchMatMulRank) {
      return LowerHighRankBatchMatMul(l, x, y, adj_x, adj_y, attrs);
    }
    TFLC_ASSIGN_OR_RETURN(ValueView out, l.Emit1("BATCH_MATMUL", "", {x, y}, attrs));
    return l.Replace(0, out);
  });
}

}  // namespace tflc::lower_builtin
