#include "plugin.h"

#include "quant_common/full_integer.h"
#include "tflc/sdk/plugin.h"

namespace {

TflcStatus* ApplyInt8(TflcQuantize_Args* args) { return tflc::quant::ApplyFullInteger(args, tflc::quant::Activations::kInt8); }
uint32_t StatsInt8(const TflcHostApi* host, const TflcOptions* options, void*) {
  return tflc::quant::FullIntegerCalibrationStats(host, options, tflc::quant::Activations::kInt8);
}

const TflcQuantizer kQuantizers[] = {
    {TflcQuantizer_STRUCT_SIZE, "int8",
     "full-integer post-training quantization: int8 activations (asymmetric, from calibrated ranges), "
     "int8 per-channel symmetric weights, int32 bias",
     ApplyInt8, nullptr, /*needs_calibration=*/1, StatsInt8},
};

const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("quant_int8", "0.1.0", "full-integer int8 post-training quantization");
    tflc::sdk::SetQuantizers(a, kQuantizers);
    return a;
  }();
  return &api;
}

}  // namespace

extern "C" const TflcPluginApi* TflcQuantInt8_Query(const TflcPluginQuery_Args* args) {
  return tflc::sdk::Negotiate(args, Api());
}
