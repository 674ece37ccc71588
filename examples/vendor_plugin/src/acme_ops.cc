// acme_ops: support for ACME's proprietary TF op `AcmeClip` as the custom op ACME_CLIP.
//
//   TF AcmeClip(x; lo, hi, T)  ──row (priority 0)──▶  ACME_CLIP(x) {hi, lo}
//   TF Relu6(x)                ──row (priority 10)─▶  ACME_CLIP(x) {hi: 6, lo: 0}
//
// Both rows target TFLC_TARGET_CUSTOM with target_op "ACME_CLIP". Because this plugin also defines
// ACME_CLIP in its opset table, the host treats the rows as vendor op support: they are used without
// --allow_custom_ops. At equal priority builtin rows beat vendor rows (then Select TF, then plain
// custom ops); priority 10 beats the builtin Relu6 row (priority 0), so Relu6 runs on ACME's kernel.
//
// The emitted node's attributes `lo` and `hi` are written by the host's exporter as the op's
// custom_options: a FlexBuffer map with sorted keys ({hi: 2.5, lo: -1.5}).
#include "acme_ops.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "tflc/abi/tflc_plugin.h"
#include "tflc/sdk/plugin.h"
#include "tflc/sdk/status.h"

namespace {

using tflc::InvalidArgument;
using tflc::OkStatus;
using tflc::Status;
using tflc::Unimplemented;
using tflc::sdk::GraphBuilder;
using tflc::sdk::NodeView;
using tflc::sdk::ValueView;

constexpr char kAcmeClip[] = "ACME_CLIP";

// ---- lowering -------------------------------------------------------------------------------

// The element type of the source node: its `T` attribute, else the type of input 0.
TflcDataType SourceType(const NodeView& node) {
  auto t = node.TypeAttr("T");
  if (t.ok()) return *t;
  return node.num_inputs() > 0 && node.input(0) ? node.input(0).type() : TFLC_TYPE_UNKNOWN;
}

// Emits ACME_CLIP(input 0) {lo, hi} named after the source node and redirects the source's output.
Status EmitClip(TflcLowerNode_Args* args, double lo, double hi) {
  NodeView src(args->host, args->node);
  if (src.num_inputs() < 1 || !src.input(0) || src.num_outputs() < 1) {
    return InvalidArgument("expected one input and one output");
  }
  const TflcDataType type = SourceType(src);
  if (type != TFLC_TYPE_FLOAT32 && type != TFLC_TYPE_UNKNOWN) {
    return Unimplemented(std::string("ACME_CLIP takes FLOAT32 tensors (quantizers make it int8 later), not ") +
                         tflc::sdk::DataTypeName(type) + "; convert the model in float");
  }
  if (!(lo <= hi)) {
    return InvalidArgument("lo (" + std::to_string(lo) + ") must not be greater than hi (" + std::to_string(hi) + ")");
  }
  GraphBuilder graph(args->host, args->graph);
  TFLC_ASSIGN_OR_RETURN(NodeView clip, graph.AddNode(TFLC_DOMAIN_CUSTOM, kAcmeClip, src.name(), {src.input(0)}));
  // Node attributes of a custom op become its custom_options (FlexBuffer map); names starting
  // with "_" would stay private to the converter.
  TFLC_RETURN_IF_ERROR(clip.SetFloat("lo", lo));
  TFLC_RETURN_IF_ERROR(clip.SetFloat("hi", hi));
  return src.output(0).ReplaceAllUsesWith(clip.output(0));
}

// TF AcmeClip(x) {lo: float, hi: float, T: type} → ACME_CLIP(x) {lo, hi}.
TflcStatus* LowerAcmeClip(TflcLowerNode_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> Status {
    NodeView src(args->host, args->node);
    TFLC_ASSIGN_OR_RETURN(double lo, src.FloatAttr("lo"));
    TFLC_ASSIGN_OR_RETURN(double hi, src.FloatAttr("hi"));
    return EmitClip(args, lo, hi);
  });
}

// TF Relu6(x) → ACME_CLIP(x) {lo: 0, hi: 6}.
TflcStatus* LowerRelu6(TflcLowerNode_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> Status { return EmitClip(args, 0.0, 6.0); });
}

// The Relu6 override applies to float Relu6 only; anything else falls back to the builtin row.
TflcStatus* MatchFloatRelu6(TflcLowerNode_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> Status {
    args->matches = SourceType(NodeView(args->host, args->node)) == TFLC_TYPE_FLOAT32 ? 1 : 0;
    return OkStatus();
  });
}

// Sorted by source op. Versions: custom ops have no version in the file; 1..1 is what we test.
const TflcLoweringEntry kRows[] = {
    tflc::sdk::Row("AcmeClip", TFLC_TARGET_CUSTOM, kAcmeClip, 1, 1, /*priority=*/0, LowerAcmeClip,
                   /*match=*/nullptr, "ACME clip to [lo, hi] → vendor custom op ACME_CLIP {hi, lo}"),
    tflc::sdk::Row("Relu6", TFLC_TARGET_CUSTOM, kAcmeClip, 1, 1, /*priority=*/10, LowerRelu6, MatchFloatRelu6,
                   "float ReLU6 on ACME's clip kernel (overrides the builtin RELU6 row)"),
};

// ---- opset: the semantics of ACME_CLIP --------------------------------------------------------

// Output 0 has the type and shape of input 0.
TflcStatus* InferClipShape(TflcOpShape_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> Status {
    NodeView node(args->host, args->node);
    if (node.num_inputs() != 1 || !node.input(0) || node.num_outputs() != 1) {
      return InvalidArgument("ACME_CLIP takes one input and has one output");
    }
    const ValueView x = node.input(0);
    if (!x.has_shape()) return node.output(0).SetUnknownRank(x.type());
    return node.output(0).SetShape(x.type(), x.dims());
  });
}

// Reference kernel (constant folding and calibration run the float graph): y = min(max(x, lo), hi).
TflcStatus* EvaluateClip(TflcOpEval_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> Status {
    NodeView node(args->host, args->node);
    if (args->num_inputs != 1 || args->num_outputs != 1 || !args->inputs[0] || !args->outputs[0]) {
      return InvalidArgument("ACME_CLIP takes one input and has one output");
    }
    const ValueView x = node.input(0);
    if (x.type() != TFLC_TYPE_FLOAT32) {
      return Unimplemented(std::string("the ACME_CLIP reference kernel handles FLOAT32 only, got ") +
                           tflc::sdk::DataTypeName(x.type()));
    }
    TFLC_ASSIGN_OR_RETURN(double lo_d, node.FloatAttr("lo"));
    TFLC_ASSIGN_OR_RETURN(double hi_d, node.FloatAttr("hi"));
    const float lo = static_cast<float>(lo_d), hi = static_cast<float>(hi_d);
    const float* in = static_cast<const float*>(args->inputs[0]);
    float* out = static_cast<float*>(args->outputs[0]);
    const int64_t n = x.num_elements();
    for (int64_t i = 0; i < n; ++i) out[i] = std::min(std::max(in[i], lo), hi);
    return OkStatus();
  });
}

// ACME's int8 kernel clamps the quantized values to [Q(lo), Q(hi)] on the input's scale: a clamp
// only selects values, so the output keeps the input's scale and zero point (like MAXIMUM or a
// pool) and the kernel needs no rescaling. No int16x8 or hybrid kernel.
constexpr TflcOpQuantSpec MakeClipQuant() {
  TflcOpQuantSpec q{};
  q.struct_size = TflcOpQuantSpec_STRUCT_SIZE;
  q.kernels = TFLC_QUANT_KERNEL_INT8;
  q.output = TFLC_QUANT_OUTPUT_SAME_AS_INPUT;
  q.unquantized_inputs = 0;        // input 0 is the activation
  q.same_scale_inputs = 1u << 0;   // ... and carries the output's parameters
  return q;
}
constexpr TflcOpQuantSpec kClipQuant = MakeClipQuant();

constexpr TflcOpsetEntry MakeClipEntry() {
  TflcOpsetEntry e{};
  e.struct_size = TflcOpsetEntry_STRUCT_SIZE;
  e.op = kAcmeClip;
  e.domain = TFLC_DOMAIN_CUSTOM;
  e.builtin_code = 32;  // BuiltinOperator CUSTOM
  e.options_type = 0;   // custom ops carry custom_options (the node's attributes), no builtin table
  e.InferShape = InferClipShape;
  e.Evaluate = EvaluateClip;
  e.Version = nullptr;  // version 1
  // Not a fusable activation, no bias or weights, no algebra.
  e.activation_code = 0;
  e.fuses_activation = 0;
  e.bias_input = -1;
  e.weight_input = -1;
  e.weight_output_axis = -1;
  e.algebra = TFLC_ALGEBRA_NONE;
  e.option_field_stride = sizeof(TflcOptionField);
  e.weight_input_channel_axis = -1;
  e.quant = &kClipQuant;
  return e;
}
const TflcOpsetEntry kOps[] = {MakeClipEntry()};

const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("acme_ops", "1.0.0",
                                              "ACME accelerator ops: AcmeClip and Relu6 as custom op ACME_CLIP");
    tflc::sdk::SetLowerings(a, kRows);
    tflc::sdk::SetOps(a, kOps);
    return a;
  }();
  return &api;
}

}  // namespace

extern "C" const TflcPluginApi* AcmeOps_Query(const TflcPluginQuery_Args* args) {
  return tflc::sdk::Negotiate(args, Api());
}
