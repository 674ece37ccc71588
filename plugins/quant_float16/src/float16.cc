// float16 post-training quantization, as TF's MLIR converter does it
// (PrepareDynamicRangeQuantizePass with inference type DT_HALF):
//
//   every FLOAT32 constant that some node reads becomes a FLOAT16 constant (values clamped to
//   +-65504, rounded to nearest even) followed by one DEQUANTIZE (FLOAT16 -> FLOAT32) that all those
//   readers share. TF has no size threshold and no per-op filter: it casts every use of a float
//   constant (including small biases and scalars), except a constant returned as a graph output,
//   which stays float32 for that use.
//
// One deliberate difference: a constant of fewer than kMinElements (48) elements stays FLOAT32. Its
// half copy would save 2 bytes an element, fewer than the ~100 bytes the DEQUANTIZE operator, its
// FLOAT16 tensor (with its name) and buffer entry add to the file; so the file gets smaller, the
// small biases and scalars stay exact, and the runtime skips those DEQUANTIZE ops.
//
// Compute stays float32; the file shrinks because weights take 2 bytes. The DEQUANTIZE node and its
// output take the constant's name (dumps and the .tflite read as before); the half constant is
// "<name>/float16". The float32 constant disappears when nothing else uses it.
#include "float16.h"

#include <string>
#include <unordered_map>
#include <vector>

#include "quant_common/half.h"
#include "quant_common/uses.h"
#include "tflc/sdk/plugin.h"

namespace tflc::quant_float16 {
namespace {

using sdk::GraphBuilder;
using sdk::ValueView;

// Below this many elements a FLOAT16 copy plus its DEQUANTIZE takes more bytes than the FLOAT32
// constant (see the top of this file).
constexpr int64_t kMinElements = 48;

// FLOAT16 copy of `w` and the DEQUANTIZE reading it; returns the DEQUANTIZE output.
StatusOr<ValueView> AddHalfConstant(GraphBuilder& g, const ValueView& w) {
  const std::string name(w.name());
  const std::vector<int64_t> dims = w.dims();
  const size_t n = w.byte_size() / sizeof(float);
  if (w.has_shape() && static_cast<int64_t>(n) != w.num_elements()) {
    return Internal("constant '" + name + "' holds " + std::to_string(w.byte_size()) + " bytes for " +
                    std::to_string(w.num_elements()) + " floats");
  }
  void* out = nullptr;
  TFLC_ASSIGN_OR_RETURN(ValueView half, g.NewConst(name + "/float16", TFLC_TYPE_FLOAT16, dims, n * sizeof(uint16_t), &out));
  const float* in = w.data_as<float>();
  auto* h = static_cast<uint16_t*>(out);
  for (size_t i = 0; i < n; ++i) h[i] = quant::FloatToHalf(in[i]);
  TFLC_ASSIGN_OR_RETURN(sdk::NodeView dq, g.Builtin("DEQUANTIZE", name, {half}));
  // The host does not infer shapes after quantization: the output's type and shape are ours to set.
  TFLC_RETURN_IF_ERROR(dq.output(0).SetShape(TFLC_TYPE_FLOAT32, dims));
  return dq.output(0);
}

Status Run(const TflcQuantize_Args& args) {
  GraphBuilder g(args.host, args.graph);
  const quant::GraphUses uses(g);
  std::unordered_map<const TflcValue*, ValueView> dequantized;  // float constant -> DEQUANTIZE output
  for (const sdk::NodeView& node : uses.nodes()) {
    for (size_t i = 0, n = node.num_inputs(); i < n; ++i) {
      ValueView v = node.input(i);
      if (!v || v.type() != TFLC_TYPE_FLOAT32 || !v.is_const() || !v.has_shape() || v.byte_size() == 0) continue;
      if (v.num_elements() < kMinElements) continue;
      auto it = dequantized.find(v.get());
      if (it == dequantized.end()) {
        TFLC_ASSIGN_OR_RETURN(ValueView dq, AddHalfConstant(g, v));
        it = dequantized.emplace(v.get(), dq).first;
      }
      TFLC_RETURN_IF_ERROR(node.SetInput(i, it->second));
    }
  }
  return OkStatus();
}

}  // namespace

TflcStatus* Apply(TflcQuantize_Args* args) {
  return sdk::Guard(args->host, [&]() -> Status { return Run(*args); });
}

}  // namespace tflc::quant_float16

namespace {

const TflcQuantizer kQuantizers[] = {{
    TflcQuantizer_STRUCT_SIZE,
    "float16",
    "float16 weights: float32 constants stored as float16, each followed by a DEQUANTIZE to float32 "
    "(--optimizations DEFAULT --target_spec.supported_types float16)",
    tflc::quant_float16::Apply,
    nullptr,
    /*needs_calibration=*/0,
    /*CalibrationStats=*/nullptr,
}};

const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("quant_float16", "1.0.0", "float16 post-training quantization");
    tflc::sdk::SetQuantizers(a, kQuantizers);
    return a;
  }();
  return &api;
}

}  // namespace

extern "C" const TflcPluginApi* TflcQuantFloat16_Query(const TflcPluginQuery_Args* args) {
  return tflc::sdk::Negotiate(args, Api());
}
