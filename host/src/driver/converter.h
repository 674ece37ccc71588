// The conversion driver: frontend selection, the pipeline, and export.
#ifndef TFLC_HOST_DRIVER_CONVERTER_H_
#define TFLC_HOST_DRIVER_CONVERTER_H_

#include <map>
#include <memory>
#include <string>

#include "export/exporter.h"
#include "ir/ir.h"
#include "quant/sample_source.h"
#include "registry/registry.h"
#include "tflc/sdk/status.h"

namespace tflc::host {

// Builds the source graph of `path` with the frontend that is most confident it can read it
// (restricted to frontends declaring `format`, when given).
StatusOr<std::unique_ptr<TflcModel>> LoadSourceModel(const Registry& registry, const std::string& path,
                                                     const std::string& format, const TflcOptions& options);

struct ConvertRequest {
  std::string input_path;
  std::string format;  // "keras", "saved_model", "graph_def", or empty = any
  std::string output_path;
  TflcOptions options;
  ExportOptions export_options;
  bool progress = false;  // progress bars on stderr (the CLI on a terminal)
  // A representative dataset that is not a file (the Python binding's generator); borrowed, may be
  // null. Full-integer quantization is still chosen by options["representative_dataset"] (which
  // then only names the dataset in messages), as for a file.
  const SampleSourceFactory* representative_dataset = nullptr;
  // When set, the model is serialized into *output_bytes and no file is written (output_path is
  // not used). Borrowed.
  std::string* output_bytes = nullptr;
};

struct ConvertResult {
  size_t num_ops = 0;
  size_t num_tensors = 0;
  uint64_t output_bytes = 0;
  // Custom ops in the output, by custom code, with their node counts:
  std::map<std::string, size_t> flex_ops;    // Select TF ops ("FlexErf"): need the Flex delegate
  std::map<std::string, size_t> custom_ops;  // no opset knows them (--allow_custom_ops): the app's kernels
  std::map<std::string, size_t> plugin_ops;  // defined by a loaded opset (a vendor's op support)
};

// What to tell the user after a conversion that emitted custom ops: `info` lines (Select TF ops and
// plugins' ops the runtime needs) and `warning` lines (custom ops the app must implement). Empty
// strings when there are none.
struct CustomOpsReport {
  std::string info;
  std::string warning;
};
CustomOpsReport ReportCustomOps(const ConvertResult& result);

// Loads, lowers, optimizes and writes the model. On failure nothing is written.
StatusOr<ConvertResult> Convert(const Registry& registry, const ConvertRequest& request);

}  // namespace tflc::host

#endif  // TFLC_HOST_DRIVER_CONVERTER_H_
