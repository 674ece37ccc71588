// 1:1 rows (one callback for every unary / binary / n-ary op that maps straight onto a builtin),
// plus the elementwise ops that need a little more: BiasAdd, AddN, Equal/NotEqual, SelectV2, Cast.
#include <string>
#include <vector>

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {
namespace {

// Inputs of the source node as described by `spec` (shape/axis operands cast to INT32).
StatusOr<std::vector<ValueView>> SpecInputs(const Lowering& l, const SimpleSpec& spec) {
  size_t n = spec.num_inputs < 0 ? l.num_inputs() : static_cast<size_t>(spec.num_inputs);
  std::vector<ValueView> inputs;
  inputs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (i < 32 && ((spec.int32_inputs >> i) & 1u)) {
      TFLC_ASSIGN_OR_RETURN(ValueView v, l.Int32Input(i, "input" + std::to_string(i) + "_int32"));
      inputs.push_back(v);
    } else {
      TFLC_ASSIGN_OR_RETURN(ValueView v, l.Input(i));
      inputs.push_back(v);
    }
  }
  return inputs;
}

Status EmitSimple(const Lowering& l, const SimpleSpec& spec) {
  TFLC_ASSIGN_OR_RETURN(std::vector<ValueView> inputs, SpecInputs(l, spec));
  Attrs attrs;
  if (spec.fused_activation) attrs.emplace_back("fused_activation_function", static_cast<int64_t>(kActNone));
  TFLC_ASSIGN_OR_RETURN(NodeView n, l.Emit(spec.op, "", inputs, attrs, l.node().num_outputs()));
  return l.ReplaceAll(n);
}

const SimpleSpec& SpecOf(const Lowering& l) {
  return *static_cast<const SimpleSpec*>(l.user_data());
}

}  // namespace

TflcStatus* LowerSimple(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    if (!l.user_data()) return Internal("lowering row has no SimpleSpec user_data");
    return EmitSimple(l, SpecOf(l));
  });
}

// BiasAdd(value, bias) → ADD; the host's fusion pass folds it into a preceding CONV/FC bias.
TflcStatus* LowerBiasAdd(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_RETURN_IF_ERROR(l.RequireDataFormat());
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView b, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Binary("ADD", x, b, ""));
    return l.Replace(0, y);
  });
}

// AddN(x1..xn) → ADD_N; a single input is just forwarded (the kernel needs two or more).
TflcStatus* LowerAddN(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    if (l.num_inputs() == 0) return InvalidArgument("AddN needs at least one input");
    if (l.num_inputs() == 1) {
      TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
      return l.Replace(0, x);
    }
    SimpleSpec spec{"ADD_N", -1, 0, false};
    return EmitSimple(l, spec);
  });
}

// Equal / NotEqual: TFLite always broadcasts, so only incompatible_shape_error=true maps.
TflcStatus* LowerComparison(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(bool strict, l.node().BoolAttrOr("incompatible_shape_error", true));
    if (!strict) {
      return UnsupportedAttr("incompatible_shape_error", "false", "true");
    }
    return EmitSimple(l, SpecOf(l));
  });
}

// SelectV2(cond, x, y): SELECT when all three shapes are known and equal (what TF's converter
// does: the older kernel), SELECT_V2 (broadcasting) otherwise.
TflcStatus* LowerSelectV2(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView c, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Input(2));
    bool same = c.fully_defined() && x.fully_defined() && y.fully_defined() && c.dims() == x.dims() &&
                x.dims() == y.dims();
    TFLC_ASSIGN_OR_RETURN(ValueView out, l.Emit1(same ? "SELECT" : "SELECT_V2", "", {c, x, y}));
    return l.Replace(0, out);
  });
}

// Cast(x) → CAST with in_data_type / out_data_type (the output type comes from DstT).
TflcStatus* LowerCast(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(TflcDataType dst, l.node().TypeAttr("DstT"));
    TflcDataType src = x.type();
    if (l.node().HasAttr("SrcT")) {
      TFLC_ASSIGN_OR_RETURN(src, l.node().TypeAttr("SrcT"));
    }
    Attrs attrs;
    if (src != TFLC_TYPE_UNKNOWN) attrs.emplace_back("in_data_type", static_cast<int64_t>(src));
    attrs.emplace_back("out_data_type", static_cast<int64_t>(dst));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("CAST", "", {x}, attrs));
    return l.Replace(0, y);
  });
}

}  // namespace tflc::lower_builtin
