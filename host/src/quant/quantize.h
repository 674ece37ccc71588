// Post-training quantization: which quantizer the options ask for (TensorFlow's rules), calibration
// over the representative dataset when the quantizer needs ranges, and the quantizer run itself.
#ifndef TFLC_HOST_QUANT_QUANTIZE_H_
#define TFLC_HOST_QUANT_QUANTIZE_H_

#include <cstdint>
#include <string>

#include "ir/ir.h"
#include "pipeline/passes.h"
#include "tflc/sdk/status.h"

namespace tflc::host {

struct QuantizerChoice {
  std::string name;        // registered quantizer name; empty = no quantization
  int32_t metadata_mode = 0;  // CONVERSION_METADATA ModelOptimizationMode (0 = none)
};

// Reads "optimizations", "target_spec.supported_types", "target_spec.supported_ops",
// "representative_dataset", "inference_input_type" / "inference_output_type" and the explicit
// "quantizer" override, and decides as tf.lite.TFLiteConverter does:
//   no optimizations                         -> none
//   DEFAULT + supported_types float16        -> float16
//   DEFAULT + dataset + the INT16 ops value  -> int16x8
//   DEFAULT + dataset                        -> int8 (full integer)
//   DEFAULT                                  -> dynamic_range
// Inconsistent combinations (integer I/O types without full-integer quantization, int8 asked for
// without a dataset...) fail with a message saying which option to add or drop.
StatusOr<QuantizerChoice> SelectQuantizer(const TflcOptions& options);

// Calibrates (when the quantizer needs ranges) and runs the chosen quantizer over every graph.
// `progress`: draw a progress bar on stderr during calibration.
Status Quantize(const PassContext& ctx, TflcModel* model, const QuantizerChoice& choice, bool progress);

}  // namespace tflc::host

#endif  // TFLC_HOST_QUANT_QUANTIZE_H_
