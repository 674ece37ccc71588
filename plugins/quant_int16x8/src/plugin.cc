#include "plugin.h"

#include "quant_common/full_integer.h"
#include "tflc/sdk/plugin.h"

namespace {

TflcStatus* ApplyInt16x8(TflcQuantize_Args* args) { return tflc::quant::ApplyFullInteger(args, tflc::quant::Activations::kInt16); }
uint32_t StatsInt16x8(const TflcHostApi* host, const TflcOptions* options, void*) {
  return tflc::quant::FullIntegerCalibrationStats(host, options, tflc::quant::Activations::kInt16);
}

const TflcQuantizer kQuantizers[] = {
    {TflcQuantizer_STRUCT_SIZE, "int16x8",
     "full-integer post-training quantization: int16 activations (symmetric, from calibrated ranges), "
     "int8 per-channel symmetric weights, int64 bias (int32 where the kernel takes it)",
     ApplyInt16x8, nullptr, /*needs_calibration=*/1, StatsInt16x8},
};

const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("quant_int16x8", "0.1.0", "16x8 post-training quantization (int16 activations, int8 weights)");
    tflc::sdk::SetQuantizers(a, kQuantizers);
    return a;
  }();
  return &api;
}

}  // namespace

extern "C" const TflcPluginApi* TflcQuantInt16x8_Query(const TflcPluginQuery_Args* args) {
  return tflc::sdk::Negotiate(args, Api());
}
