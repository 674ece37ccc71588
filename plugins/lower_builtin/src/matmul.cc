// MatMul → FULLY_CONNECTED, BatchMatMul{,V2,V3} → BATCH_MATMUL.
#include <string>
#include <vector>

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {

namespace {

// FULLY_CONNECTED flattens its input to [-1, K] itself, so a RESHAPE to [M, K] feeding it (Keras'
// Flatten before Dense, tf.tensordot's leading reshape) adds nothing: read the reshape's input.
ValueView ThroughFlatten(ValueView a) {
  const std::vector<int64_t> d = a.dims();
  if (d.size() != 2 || d[1] < 0) return a;
  NodeView p = a.producer();
  if (!p || p.domain() != TFLC_DOMAIN_BUILTIN || p.op() != "RESHAPE" || p.num_inputs() < 1) return a;
  ValueView src = p.input(0);
  if (!src || !src.fully_defined() || src.rank() < 1 || src.type() != a.type()) return a;
  return src;
}

}  // namespace

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
    } else {
      a = ThroughFlatten(a);
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

// BatchMatMul / V2 / V3(x, y) → BATCH_MATMUL(x, y) with adj_x / adj_y. A constant 2-D y (a weight
// matrix: Keras 3 Dense on rank >= 3 inputs traces matmul(x, kernel)) with x of rank >= 3 becomes
// FULLY_CONNECTED(x, yᵀ) with keep_num_dims, as TF's converter does.
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
    if (!adj_x && y.is_const() && y.rank() == 2 && x.rank() >= 3 && x.fully_defined() && y.fully_defined() &&
        x.type() == TFLC_TYPE_FLOAT32 && y.type() == TFLC_TYPE_FLOAT32) {
      if (!adj_y) {
        TFLC_ASSIGN_OR_RETURN(y, l.Transpose(y, {1, 0}, "weights_transpose"));
      }
      TFLC_ASSIGN_OR_RETURN(ValueView fc, l.Emit1("FULLY_CONNECTED", "", {x, y, ValueView()},
                                                  {{"fused_activation_function", static_cast<int64_t>(kActNone)},
                                                   {"keep_num_dims", true}}));
      return l.Replace(0, fc);
    }
    TFLC_ASSIGN_OR_RETURN(ValueView out, l.Emit1("BATCH_MATMUL", "", {x, y},
                                                 {{"adj_x", adj_x},
                                                  {"adj_y", adj_y},
                                                  {"asymmetric_quantize_inputs", false}}));
    return l.Replace(0, out);
  });
}

}  // namespace tflc::lower_builtin
