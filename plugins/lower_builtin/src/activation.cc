// Activations that are not plain 1:1 rows: Relu (int), LeakyRelu, Selu and Softplus
// (decompositions), Softmax (beta), and the tflc.PRelu / tflc.Gelu composites.
#include <string>
#include <vector>

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {
namespace {

// Selu constants (tf.nn.selu / keras.activations.selu).
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

Status RequireFloat(const ValueView& x, std::string_view what) {
  TflcDataType t = x.type();
  if (t != TFLC_TYPE_FLOAT32 && t != TFLC_TYPE_UNKNOWN) {
    return Unimplemented(std::string(what) + " is decomposed into float ops; input type " + TypeName(t) +
                         " is not supported");
  }
  return OkStatus();
}

}  // namespace

// Relu → RELU; int32 / int64 Relu → MAXIMUM(x, 0) (RELU has no integer kernel).
TflcStatus* LowerRelu(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    ValueView y;
    if (x.type() == TFLC_TYPE_INT32 || x.type() == TFLC_TYPE_INT64) {
      TFLC_ASSIGN_OR_RETURN(ValueView zero, l.Scalar("zero", x.type(), 0));
      TFLC_ASSIGN_OR_RETURN(y, l.Emit1("MAXIMUM", "", {x, zero}));
    } else {
      TFLC_ASSIGN_OR_RETURN(y, l.Emit1("RELU", "", {x}));
    }
    return l.Replace(0, y);
  });
}

// LeakyRelu(alpha) → LEAKY_RELU(alpha); TF's default alpha is 0.2.
TflcStatus* LowerLeakyRelu(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(double alpha, l.node().FloatAttrOr("alpha", 0.2));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("LEAKY_RELU", "", {x}, {{"alpha", alpha}}));
    return l.Replace(0, y);
  });
}

// Selu(x) = scale·x (x > 0), scale·alpha·(eˣ − 1) (x ≤ 0)
//         = scale·alpha·ELU(x) + scale·(1 − alpha)·RELU(x)
// (for x > 0 the two terms add up to scale·x; for x ≤ 0 RELU is 0 and ELU is eˣ − 1).
TflcStatus* LowerSelu(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_RETURN_IF_ERROR(RequireFloat(x, "Selu"));
    TFLC_ASSIGN_OR_RETURN(ValueView elu, l.Unary("ELU", x, "elu"));
    TFLC_ASSIGN_OR_RETURN(ValueView c_neg, l.ScalarFloat("scale_alpha", static_cast<float>(kSeluScale * kSeluAlpha)));
    TFLC_ASSIGN_OR_RETURN(ValueView neg, l.Binary("MUL", elu, c_neg, "elu_scaled"));
    TFLC_ASSIGN_OR_RETURN(ValueView relu, l.Unary("RELU", x, "relu"));
    TFLC_ASSIGN_OR_RETURN(ValueView c_pos,
                          l.ScalarFloat("scale_one_minus_alpha", static_cast<float>(kSeluScale * (1.0 - kSeluAlpha))));
    TFLC_ASSIGN_OR_RETURN(ValueView pos, l.Binary("MUL", relu, c_pos, "relu_scaled"));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Binary("ADD", neg, pos, ""));
    return l.Replace(0, y);
  });
}

// Softmax → SOFTMAX(beta = 1), over the last axis in both.
TflcStatus* LowerSoftmax(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("SOFTMAX", "", {x}, {{"beta", 1.0}}));
    return l.Replace(0, y);
  });
}

// Softplus(x) → LOG(ADD(EXP(x), 1)), as TF's converter legalizes it (legalize_patterns.td).
TflcStatus* LowerSoftplus(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_RETURN_IF_ERROR(RequireFloat(x, "Softplus"));
    TFLC_ASSIGN_OR_RETURN(ValueView e, l.Unary("EXP", x, "exp"));
    TFLC_ASSIGN_OR_RETURN(ValueView one, l.ScalarFloat("one", 1.0f));
    TFLC_ASSIGN_OR_RETURN(ValueView sum, l.Binary("ADD", e, one, "add_one"));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Unary("LOG", sum, ""));
    return l.Replace(0, y);
  });
}

// tflc.PRelu(x, alpha) → PRELU(x, alpha).
TflcStatus* LowerPRelu(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView alpha, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("PRELU", "", {x, alpha}));
    return l.Replace(0, y);
  });
}

// tflc.Gelu(x, approximate) → GELU(approximate).
TflcStatus* LowerGelu(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(bool approximate, l.node().BoolAttrOr("approximate", false));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("GELU", "", {x}, {{"approximate", approximate}}));
    return l.Replace(0, y);
  });
}

}  // namespace tflc::lower_builtin
