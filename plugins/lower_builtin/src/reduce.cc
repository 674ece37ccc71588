// Reductions (Mean, Sum, Max, Min, Prod, Any, All) and ArgMax / ArgMin.
#include <string>
#include <vector>

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {

// Mean / Sum / Max / Min / Prod / Any / All(x, axes, keep_dims) →
//   MEAN / SUM / REDUCE_*(x, axes as INT32) with keep_dims.
TflcStatus* LowerReduce(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    const auto& spec = *static_cast<const SimpleSpec*>(l.user_data());
    TFLC_ASSIGN_OR_RETURN(bool keep_dims, l.node().BoolAttrOr("keep_dims", false));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView axes, l.Int32Input(1, "axes_int32"));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1(spec.op, "", {x, axes}, {{"keep_dims", keep_dims}}));
    return l.Replace(0, y);
  });
}

// ArgMax / ArgMin(x, dimension, output_type) → ARG_MAX / ARG_MIN(x, dimension) with output_type
// (TF's default is INT64).
TflcStatus* LowerArgMinMax(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    const auto& spec = *static_cast<const SimpleSpec*>(l.user_data());
    TflcDataType out_type = TFLC_TYPE_INT64;
    if (l.node().HasAttr("output_type")) {
      TFLC_ASSIGN_OR_RETURN(out_type, l.node().TypeAttr("output_type"));
    }
    if (out_type != TFLC_TYPE_INT32 && out_type != TFLC_TYPE_INT64) {
      return UnsupportedAttr("output_type", TypeName(out_type), "INT32, INT64");
    }
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView dim, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1(spec.op, "", {x, dim},
                                               {{"output_type", static_cast<int64_t>(out_type)}}));
    return l.Replace(0, y);
  });
}

}  // namespace tflc::lower_builtin
