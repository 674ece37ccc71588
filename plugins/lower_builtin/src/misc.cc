// Identity-like ops (removed), FusedBatchNorm (inference: MUL + ADD), OneHot, TopKV2, Cumsum, LRN,
// RandomUniform.
#include <cmath>
#include <string>
#include <vector>

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {

// Identity, IdentityN, StopGradient, Snapshot, CheckNumerics, PreventGradient, NoOp: output k is
// input k, so every use of the output is redirected to the input and the node disappears.
TflcStatus* LowerIdentity(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    const size_t n = l.node().num_outputs();
    if (n > l.num_inputs()) {
      return InvalidArgument("has " + std::to_string(n) + " outputs but only " + std::to_string(l.num_inputs()) +
                             " inputs; cannot forward them");
    }
    for (size_t k = 0; k < n; ++k) {
      TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(k));
      // A graph output that repeats another graph output, or is a graph input, keeps a tensor of its
      // own (a RESHAPE to the same shape): LiteRT miscomputes a subgraph that lists one tensor as two
      // outputs or as an input and an output (LiteRT.js 2.5.3; the 2023 runtime was right).
      const ValueView out = l.node().output(k);
      const bool graph_input = !x.producer() && !x.is_const();
      if (out.is_graph_output() && (x.is_graph_output() || graph_input) && (x.fully_defined() || out.fully_defined())) {
        TFLC_ASSIGN_OR_RETURN(ValueView copy, l.Reshape(x, x.fully_defined() ? x.dims() : out.dims(),
                                                        "copy_" + std::to_string(k)));
        TFLC_RETURN_IF_ERROR(l.Replace(k, copy));
        continue;
      }
      TFLC_RETURN_IF_ERROR(l.Replace(k, x));
    }
    return OkStatus();
  });
}

// FusedBatchNorm / V2 / V3 in inference mode (is_training = false):
//   y = x·multiplier + (offset − mean·multiplier),  multiplier = scale / sqrt(variance + epsilon)
// → MUL(x, multiplier) + ADD(·, shift). With constant statistics the two vectors are computed here;
// otherwise they are built from ADD / RSQRT / MUL / SUB ops (folded later when possible). The
// host's fusion pass folds the MUL/ADD into a preceding convolution.
TflcStatus* LowerFusedBatchNorm(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    const NodeView& node = l.node();
    TFLC_RETURN_IF_ERROR(l.RequireDataFormat());
    TFLC_ASSIGN_OR_RETURN(bool is_training, node.BoolAttrOr("is_training", false));
    if (is_training) {
      return UnsupportedAttr("is_training", "true",
                             "false (an inference graph; re-export the model with training disabled)");
    }
    TFLC_ASSIGN_OR_RETURN(double epsilon, node.FloatAttrOr("epsilon", 1e-4));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView scale, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView offset, l.Input(2));
    TFLC_ASSIGN_OR_RETURN(ValueView mean, l.Input(3));
    TFLC_ASSIGN_OR_RETURN(ValueView variance, l.Input(4));
    // Outputs 1 and 2 (batch mean / variance) are the inputs in inference mode; the reserve
    // spaces have no meaning outside training.
    for (size_t k = 3; k < node.num_outputs(); ++k) {
      if (node.output(k).num_consumers() > 0) {
        return Unimplemented("output " + std::to_string(k) +
                             " (a training reserve space) is used; only output 0 can be converted");
      }
    }

    ValueView multiplier, shift;
    const bool all_const = scale.is_const() && offset.is_const() && mean.is_const() && variance.is_const() &&
                           scale.type() == TFLC_TYPE_FLOAT32 && offset.type() == TFLC_TYPE_FLOAT32 &&
                           mean.type() == TFLC_TYPE_FLOAT32 && variance.type() == TFLC_TYPE_FLOAT32;
    if (all_const) {
      TFLC_ASSIGN_OR_RETURN(std::vector<float> s, scale.ConstVector<float>());
      TFLC_ASSIGN_OR_RETURN(std::vector<float> o, offset.ConstVector<float>());
      TFLC_ASSIGN_OR_RETURN(std::vector<float> m, mean.ConstVector<float>());
      TFLC_ASSIGN_OR_RETURN(std::vector<float> v, variance.ConstVector<float>());
      const size_t c = s.size();
      if (o.size() != c || m.size() != c || v.size() != c) {
        return InvalidArgument("scale, offset, mean and variance must have the same size (got " +
                               std::to_string(s.size()) + ", " + std::to_string(o.size()) + ", " +
                               std::to_string(m.size()) + ", " + std::to_string(v.size()) + ")");
      }
      std::vector<float> mult(c), sh(c);
      for (size_t i = 0; i < c; ++i) {
        // The same float arithmetic as TF's converter: scale * rsqrt(variance + epsilon).
        float inv = 1.0f / std::sqrt(v[i] + static_cast<float>(epsilon));
        mult[i] = s[i] * inv;
        sh[i] = o[i] - m[i] * mult[i];
      }
      const std::vector<int64_t> dims{static_cast<int64_t>(c)};
      TFLC_ASSIGN_OR_RETURN(multiplier, l.ConstFloat("multiplier", dims, mult));
      TFLC_ASSIGN_OR_RETURN(shift, l.ConstFloat("shift", dims, sh));
    } else {
      TFLC_ASSIGN_OR_RETURN(ValueView eps, l.ScalarFloat("epsilon", static_cast<float>(epsilon)));
      TFLC_ASSIGN_OR_RETURN(ValueView var_eps, l.Binary("ADD", variance, eps, "variance_epsilon"));
      TFLC_ASSIGN_OR_RETURN(ValueView rsqrt, l.Unary("RSQRT", var_eps, "rsqrt"));
      TFLC_ASSIGN_OR_RETURN(multiplier, l.Binary("MUL", rsqrt, scale, "multiplier"));
      TFLC_ASSIGN_OR_RETURN(ValueView mean_mult, l.Binary("MUL", mean, multiplier, "mean_multiplier"));
      TFLC_ASSIGN_OR_RETURN(shift, l.Binary("SUB", offset, mean_mult, "shift"));
    }
    TFLC_ASSIGN_OR_RETURN(ValueView scaled, l.Binary("MUL", x, multiplier, "mul"));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Binary("ADD", scaled, shift, ""));
    TFLC_RETURN_IF_ERROR(l.Replace(0, y));
    if (node.num_outputs() > 1) TFLC_RETURN_IF_ERROR(l.Replace(1, mean));
    if (node.num_outputs() > 2) TFLC_RETURN_IF_ERROR(l.Replace(2, variance));
    return OkStatus();
  });
}

// OneHot(indices, depth, on_value, off_value, axis) → ONE_HOT(axis), depth as INT32.
TflcStatus* LowerOneHot(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(int64_t axis, l.node().IntAttrOr("axis", -1));
    TFLC_ASSIGN_OR_RETURN(ValueView indices, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView depth, l.Int32Input(1, "depth_int32"));
    TFLC_ASSIGN_OR_RETURN(ValueView on, l.Input(2));
    TFLC_ASSIGN_OR_RETURN(ValueView off, l.Input(3));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("ONE_HOT", "", {indices, depth, on, off}, {{"axis", axis}}));
    return l.Replace(0, y);
  });
}

// TopKV2(input, k) → TOPK_V2(input, k) with (values, indices). TFLite always sorts, which is
// a valid result for sorted=false too.
TflcStatus* LowerTopKV2(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView k, l.Int32Input(1, "k_int32"));
    TFLC_ASSIGN_OR_RETURN(NodeView n, l.Emit("TOPK_V2", "", {x, k}, {}, 2));
    return l.ReplaceAll(n);
  });
}

// Cumsum(x, axis, exclusive, reverse) → CUMSUM(x, axis as INT32).
TflcStatus* LowerCumsum(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(bool exclusive, l.node().BoolAttrOr("exclusive", false));
    TFLC_ASSIGN_OR_RETURN(bool reverse, l.node().BoolAttrOr("reverse", false));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView axis, l.Int32Input(1, "axis_int32"));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("CUMSUM", "", {x, axis},
                                               {{"exclusive", exclusive}, {"reverse", reverse}}));
    return l.Replace(0, y);
  });
}

// LRN(depth_radius, bias, alpha, beta) → LOCAL_RESPONSE_NORMALIZATION(radius, bias, alpha, beta).
TflcStatus* LowerLRN(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(int64_t radius, l.node().IntAttrOr("depth_radius", 5));
    TFLC_ASSIGN_OR_RETURN(double bias, l.node().FloatAttrOr("bias", 1.0));
    TFLC_ASSIGN_OR_RETURN(double alpha, l.node().FloatAttrOr("alpha", 1.0));
    TFLC_ASSIGN_OR_RETURN(double beta, l.node().FloatAttrOr("beta", 0.5));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("LOCAL_RESPONSE_NORMALIZATION", "", {x},
                                               {{"radius", radius}, {"bias", bias}, {"alpha", alpha}, {"beta", beta}}));
    return l.Replace(0, y);
  });
}

// RandomUniform(shape; seed, seed2, dtype) → RANDOM_UNIFORM(shape as INT32; seed, seed2), as the
// official converter does. The TFLite kernel writes float32 only; the op has no kernel in the opset,
// so it is never folded. (Values differ from TF's generator: only the distribution is the same.)
TflcStatus* LowerRandomUniform(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    const NodeView& node = l.node();
    if (node.HasAttr("dtype")) {
      TFLC_ASSIGN_OR_RETURN(TflcDataType dtype, node.TypeAttr("dtype"));
      if (dtype != TFLC_TYPE_FLOAT32) {
        return UnsupportedAttr("dtype", std::to_string(static_cast<int>(dtype)),
                               "FLOAT32 (the TFLite kernel's only output type)");
      }
    }
    TFLC_ASSIGN_OR_RETURN(int64_t seed, node.IntAttrOr("seed", 0));
    TFLC_ASSIGN_OR_RETURN(int64_t seed2, node.IntAttrOr("seed2", 0));
    TFLC_ASSIGN_OR_RETURN(ValueView shape, l.Int32Input(0, "shape_int32"));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("RANDOM_UNIFORM", "", {shape}, {{"seed", seed}, {"seed2", seed2}}));
    return l.Replace(0, y);
  });
}

}  // namespace tflc::lower_builtin
