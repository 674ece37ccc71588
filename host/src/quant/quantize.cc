#include "quant/quantize.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "ir/host_api.h"
#include "quant/calibrate.h"
#include "quant/dataset.h"
#include "quant/sample_source.h"
#include "registry/registry.h"
#include "tflc/sdk/plugin.h"

namespace tflc::host {
namespace {

// ModelOptimizationMode (conversion_metadata.fbs).
constexpr int32_t kPtqFloat16 = 1001, kPtqDynamicRange = 1002, kPtqFullInteger = 1003, kPtqInt16 = 1004;

std::string Get(const TflcOptions& o, const std::string& key) {
  auto it = o.values.find(key);
  return it == o.values.end() ? std::string() : it->second;
}

std::set<std::string> List(const std::string& s) {
  const std::vector<std::string> items = sdk::OptionList(s);
  return std::set<std::string>(items.begin(), items.end());
}

Status CheckKnown(const std::string& option, const std::set<std::string>& values, const std::set<std::string>& known) {
  for (const auto& v : values) {
    if (!known.count(v)) {
      std::string k;
      for (const auto& x : known) k += (k.empty() ? "" : ", ") + x;
      return InvalidArgument("--" + option + ": unknown value '" + v + "' (one of: " + k + ")");
    }
  }
  return OkStatus();
}

const char* const kIoTypes[] = {"FLOAT32", "INT8", "UINT8", "INT16"};

}  // namespace

StatusOr<QuantizerChoice> SelectQuantizer(const TflcOptions& options) {
  const auto opts = List(Get(options, "optimizations"));
  const auto types = List(Get(options, "target_spec.supported_types"));
  const auto ops = List(Get(options, "target_spec.supported_ops"));
  const bool dataset = !Get(options, "representative_dataset").empty();
  TFLC_RETURN_IF_ERROR(CheckKnown("optimizations", opts, {"DEFAULT", "OPTIMIZE_FOR_SIZE", "OPTIMIZE_FOR_LATENCY", "EXPERIMENTAL_SPARSITY"}));
  TFLC_RETURN_IF_ERROR(CheckKnown("target_spec.supported_types", types, {"FLOAT32", "FLOAT16", "INT8", "INT16"}));
  TFLC_RETURN_IF_ERROR(CheckKnown("target_spec.supported_ops", ops,
                                  {"TFLITE_BUILTINS", "TFLITE_BUILTINS_INT8", "SELECT_TF_OPS",
                                   "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8"}));
  std::string in_type, out_type;
  for (const char* key : {"inference_input_type", "inference_output_type"}) {
    const auto v = List(Get(options, key));
    if (v.size() > 1) return InvalidArgument(std::string("--") + key + " takes one type");
    std::string t = v.empty() ? "FLOAT32" : *v.begin();
    bool ok = false;
    for (const char* k : kIoTypes) ok = ok || t == k;
    if (!ok) return InvalidArgument(std::string("--") + key + ": unknown type '" + t + "' (one of: float32, int8, uint8, int16)");
    (std::string(key) == "inference_input_type" ? in_type : out_type) = t;
  }
  const bool integer_io = in_type != "FLOAT32" || out_type != "FLOAT32";
  const bool int16x8 = ops.count("EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8") > 0;
  const bool int8_asked = ops.count("TFLITE_BUILTINS_INT8") > 0 || types.count("INT8") > 0;

  QuantizerChoice c;
  const std::string forced = Get(options, "quantizer");
  if (!forced.empty()) {
    c.name = forced;
  } else if (opts.empty() || (opts.size() == 1 && opts.count("EXPERIMENTAL_SPARSITY"))) {
    if (dataset) {
      return InvalidArgument("--representative_dataset is only used for quantization: add --optimizations DEFAULT");
    }
    if (integer_io) {
      return InvalidArgument("--inference_input_type / --inference_output_type other than float32 need full-integer "
                             "quantization: add --optimizations DEFAULT and --representative_dataset");
    }
    if (int8_asked || int16x8 || types.count("FLOAT16")) {
      return InvalidArgument("integer or float16 targets were asked for without quantization: add --optimizations DEFAULT");
    }
    return c;
  } else if (types.count("FLOAT16") && !int8_asked && !int16x8) {
    c = {"float16", kPtqFloat16};
  } else if (int16x8) {
    if (!dataset) {
      return InvalidArgument("16x8 quantization (EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8) needs a "
                             "representative dataset: add --representative_dataset (a .npz, or a directory of .npy files)");
    }
    c = {"int16x8", kPtqInt16};
  } else if (dataset) {
    c = {"int8", kPtqFullInteger};
  } else {
    if (int8_asked) {
      return InvalidArgument("full-integer quantization (TFLITE_BUILTINS_INT8 / supported_types int8) needs a "
                             "representative dataset: add --representative_dataset (a .npz, or a directory of .npy files)");
    }
    c = {"dynamic_range", kPtqDynamicRange};
  }
  if (integer_io && c.name != "int8" && c.name != "int16x8" && forced.empty()) {
    return InvalidArgument("--inference_input_type / --inference_output_type other than float32 need full-integer "
                           "quantization: add --representative_dataset");
  }
  for (const std::string& t : {in_type, out_type}) {
    if (c.name == "int8" && t == "INT16") return InvalidArgument("int16 model inputs/outputs need 16x8 quantization (EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8)");
    if (c.name == "int16x8" && (t == "INT8" || t == "UINT8")) return InvalidArgument("16x8 quantization takes float32 or int16 model inputs/outputs, not " + t);
  }
  return c;
}

namespace {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled && ::isatty(2)), start_(std::chrono::steady_clock::now()) {}
  void Update(size_t done, size_t total) {
    if (!enabled_) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (total == 0) {  // a stream of unknown length
      std::fprintf(stderr, "\rtflc: calibrating %zu samples, %.1f samples/s", done, elapsed > 0 ? done / elapsed : 0.0);
      std::fflush(stderr);
      return;
    }
    const int width = 30;
    const int filled = static_cast<int>(width * done / (total ? total : 1));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\rtflc: calibrating [%.*s%*s] %zu/%zu samples, %.1f samples/s", filled,
                 "==============================", width - filled, "", done, total, secs > 0 ? done / secs : 0.0);
    if (done == total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

Status Quantize(const PassContext& ctx, TflcModel* model, const QuantizerChoice& choice, bool progress) {
  if (choice.name.empty()) return OkStatus();
  const QuantizerRef* q = nullptr;
  for (const auto& ref : ctx.registry->quantizers()) {
    if (choice.name == ref.quantizer->name) {
      q = &ref;
      break;
    }
  }
  if (!q) {
    std::string names;
    for (const auto& ref : ctx.registry->quantizers()) names += (names.empty() ? "" : ", ") + std::string(ref.quantizer->name);
    return NotFound("no plugin provides the '" + choice.name + "' quantizer (loaded quantizers: " +
                    (names.empty() ? "none" : names) + "); check the plugins directory (tflc plugins)");
  }
  const bool calibrate = TFLC_HAS_FIELD(q->quantizer, TflcQuantizer, needs_calibration) && q->quantizer->needs_calibration;
  const std::string path = ctx.options ? Get(*ctx.options, "representative_dataset") : std::string();
  if (calibrate && path.empty()) {
    return InvalidArgument("the '" + choice.name + "' quantizer needs a representative dataset: add --representative_dataset");
  }
  uint32_t stats = TFLC_CALIBRATION_RANGES;
  if (calibrate && TFLC_HAS_FIELD(q->quantizer, TflcQuantizer, CalibrationStats) && q->quantizer->CalibrationStats) {
    uint32_t asked = 0;  // CalibrationStats returns bits, not a status: wrapped for the exception check only
    TFLC_RETURN_IF_ERROR(CallPlugin({q->plugin, "CalibrationStats", "quantizer", q->quantizer->name}, [&]() -> TflcStatus* {
      asked = q->quantizer->CalibrationStats(HostApi(), ctx.options, q->quantizer->user_data);
      return nullptr;
    }));
    stats |= asked;
  }
  // Every entry graph is calibrated before any graph is rewritten: a subgraph (loop body, branch)
  // is calibrated through the nodes that call it (Graph_Run from their kernels), possibly from
  // several entry graphs, and must still be float then. The dataset feeds the entry graphs only.
  for (auto& g : model->graphs) {
    if (calibrate && !g->is_subgraph) {
      // A file dataset is loaded (and validated) whole; a stream (Python) validates each sample.
      std::optional<Dataset> file_dataset;
      std::unique_ptr<SampleSource> source;
      if (ctx.representative_dataset) {
        TFLC_ASSIGN_OR_RETURN(source, ctx.representative_dataset->Open(*g, DatasetInputsOf(g.get())));
      } else {
        TFLC_ASSIGN_OR_RETURN(Dataset ds, Dataset::Load(path, DatasetInputsOf(g.get())));
        file_dataset.emplace(std::move(ds));
        source = std::make_unique<DatasetSource>(*file_dataset);
      }
      ProgressBar bar(progress);
      unsigned threads = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
      if (const char* t = std::getenv("TFLC_CALIBRATION_THREADS")) threads = std::max(1, std::atoi(t));
      const auto start = std::chrono::steady_clock::now();
      size_t samples = 0;
      TFLC_RETURN_IF_ERROR(Calibrate(ctx, g.get(), *source, threads, (stats & TFLC_CALIBRATION_CHANNEL_MEANS) != 0,
                                     [&](size_t d, size_t t) { bar.Update(d, t); }, &samples));
      if (std::getenv("TFLC_TIMING")) {  // the figure bench/calibration.sh reports
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "tflc: calibration: %zu samples in %.3f s on %u thread%s (%.1f samples/s)\n",
                     samples, secs, threads, threads == 1 ? "" : "s", samples / std::max(secs, 1e-9));
      }
    }
  }
  for (auto& g : model->graphs) {
    TflcQuantize_Args a{};
    a.struct_size = TflcQuantize_Args_STRUCT_SIZE;
    a.host = HostApi();
    a.options = ctx.options;
    a.graph = g.get();
    a.user_data = q->quantizer->user_data;
    a.plugin_state = q->plugin->state;
    TFLC_RETURN_IF_ERROR(CallPlugin({q->plugin, "Apply", "quantizer", q->quantizer->name}, [&] { return q->quantizer->Apply(&a); })
                             .WithContext(choice.name + " quantization"));
    TFLC_RETURN_IF_ERROR(PruneToOutputs(g.get()));
    TFLC_RETURN_IF_ERROR(Compact(g.get()));
    ClearGraveyard(g.get());
    TFLC_RETURN_IF_ERROR(Verify(ctx, g.get()));
  }
  return OkStatus();
}

}  // namespace tflc::host
