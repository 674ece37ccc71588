// Dynamic-range ("weights-only int8", hybrid) post-training quantization, as TF's MLIR converter
// does it (PrepareDynamicRangeQuantizePass with inference type DT_QINT8, then the quantize pass
// folding the weight's Q-DQ into an int8 constant the hybrid kernel reads directly):
//
//   - Which ops: those whose opset quant spec has TFLC_QUANT_KERNEL_HYBRID.
//   - Which inputs: the entry's weight_input, plus any other FLOAT32 constant input of rank >= 2
//     other than input 0 and the bias (the LSTM family: input-to-gate, recurrent and projection
//     weights). Such an op is quantized all or nothing: when one of its weights is not a FLOAT32
//     constant of at least kMinElementsForWeights (1024) elements, it stays float entirely (TF does
//     the same for UNIDIRECTIONAL_SEQUENCE_LSTM; the other hybrid ops have one weight anyway).
//   - How: int8 symmetric, zero point 0, values in [-127, 127] (quant_common). Per channel along
//     weight_output_axis for the weight_input when the spec has TFLC_QUANT_KERNEL_HYBRID_PER_CHANNEL,
//     otherwise per tensor. Biases stay float.
//   - Shared weights: one INT8 constant per (constant, per-channel axis or per tensor) serves every
//     quantized use; a use that cannot be quantized (a float-only op, a graph output) keeps the float
//     constant, as TF keeps the original constant for it.
//   - Ops that were given int8 weights get asymmetric_quantize_inputs = true when their opset entry
//     has an option field of that name (FULLY_CONNECTED, BATCH_MATMUL, the LSTM/RNN family...),
//     as TF's setAsymmetricQuantizeInputAttr does.
#include "dynamic_range.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "quant_common/uses.h"
#include "quant_common/weights.h"
#include "tflc/sdk/plugin.h"

namespace tflc::quant_dynamic_range {
namespace {

using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;

constexpr char kAsymmetricQuantizeInputs[] = "asymmetric_quantize_inputs";

struct WeightSlot {
  size_t input;
  int32_t axis;  // quantized dimension, or quant::kPerTensor
};

// The inputs of `node` that become int8 and how; empty when the node stays float.
std::vector<WeightSlot> HybridWeights(const NodeView& node, const TflcOpsetEntry& entry, const TflcOpQuantSpec& spec) {
  std::vector<WeightSlot> slots;
  for (size_t i = 0, n = node.num_inputs(); i < n; ++i) {
    ValueView v = node.input(i);
    if (!v) continue;
    const bool main = static_cast<int64_t>(i) == entry.weight_input;
    const bool param = i < 64 && ((spec.unquantized_inputs >> i) & 1u);
    const bool other = i != 0 && static_cast<int64_t>(i) != entry.bias_input && !param && v.is_const() &&
                       v.type() == TFLC_TYPE_FLOAT32 && v.rank() >= 2;
    if (!main && !other) continue;
    if (!v.is_const() || v.type() != TFLC_TYPE_FLOAT32 || !v.fully_defined() ||
        v.num_elements() < kMinElementsForWeights) {
      return {};
    }
    int32_t axis = quant::kPerTensor;
    if (main && (spec.kernels & TFLC_QUANT_KERNEL_HYBRID_PER_CHANNEL) && entry.weight_output_axis >= 0 &&
        entry.weight_output_axis < v.rank()) {
      axis = entry.weight_output_axis;
    }
    slots.push_back(WeightSlot{i, axis});
  }
  return slots;
}

Status Run(const TflcQuantize_Args& args) {
  GraphBuilder g(args.host, args.graph);
  const quant::GraphUses uses(g);

  // Planned int8 constants in first-use order (deterministic output), each with the uses it serves.
  using Key = std::pair<const TflcValue*, int32_t>;
  struct Plan {
    ValueView weights;
    std::vector<quant::Use> uses;
  };
  std::vector<Key> order;
  std::map<Key, Plan> plans;
  std::vector<NodeView> hybrid;

  for (const NodeView& node : uses.nodes()) {
    const TflcOpQuantSpec* spec = node.quant_spec();
    const TflcOpsetEntry* entry = node.opset_entry();
    if (!spec || !entry || !(spec->kernels & TFLC_QUANT_KERNEL_HYBRID)) continue;
    const std::vector<WeightSlot> slots = HybridWeights(node, *entry, *spec);
    if (slots.empty()) continue;
    for (const WeightSlot& s : slots) {
      ValueView w = node.input(s.input);
      const Key key{w.get(), s.axis};
      auto [it, added] = plans.try_emplace(key, Plan{w, {}});
      if (added) order.push_back(key);
      it->second.uses.push_back(quant::Use{node, s.input});
    }
    hybrid.push_back(node);
  }

  for (const Key& key : order) {
    const Plan& plan = plans.at(key);
    TFLC_ASSIGN_OR_RETURN(ValueView q, quant::AddInt8Weights(g, plan.weights, key.second));
    for (const quant::Use& use : plan.uses) {
      TFLC_RETURN_IF_ERROR(use.node.SetInput(use.input, q));
    }
  }
  for (const NodeView& node : hybrid) {
    if (quant::FindOptionField(node.opset_entry(), kAsymmetricQuantizeInputs)) {
      TFLC_RETURN_IF_ERROR(node.SetBool(kAsymmetricQuantizeInputs, true));
    }
  }
  return OkStatus();
}

}  // namespace

TflcStatus* Apply(TflcQuantize_Args* args) {
  return sdk::Guard(args->host, [&]() -> Status { return Run(*args); });
}

}  // namespace tflc::quant_dynamic_range

namespace {

const TflcQuantizer kQuantizers[] = {{
    TflcQuantizer_STRUCT_SIZE,
    "dynamic_range",
    "dynamic-range (hybrid) quantization: int8 symmetric weights of at least 1024 elements for ops with "
    "hybrid kernels, float activations (--optimizations DEFAULT without a representative dataset)",
    tflc::quant_dynamic_range::Apply,
    nullptr,
    /*needs_calibration=*/0,
    /*CalibrationStats=*/nullptr,
}};

const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a =
        tflc::sdk::NewPluginApi("quant_dynamic_range", "1.0.0", "dynamic-range (weights-only int8) post-training quantization");
    tflc::sdk::SetQuantizers(a, kQuantizers);
    return a;
  }();
  return &api;
}

}  // namespace

extern "C" const TflcPluginApi* TflcQuantDynamicRange_Query(const TflcPluginQuery_Args* args) {
  return tflc::sdk::Negotiate(args, Api());
}
