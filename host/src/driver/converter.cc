#include "driver/converter.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "ir/host_api.h"
#include "pipeline/passes.h"
#include "quant/quantize.h"
#include "tflc/sdk/plugin.h"

namespace tflc::host {
namespace {

bool ListContains(const char* list, const std::string& item) {
  if (!list) return false;
  std::string s = list;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (s.substr(start, end - start) == item) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

StatusOr<std::unique_ptr<TflcModel>> LoadSourceModel(const Registry& registry, const std::string& path,
                                                     const std::string& format, const TflcOptions& options) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return NotFound("input " + path + " does not exist (check the path given to --" +
                    (format.empty() ? std::string("input") : format == "keras" ? std::string("keras_model_file")
                                                              : format == "saved_model" ? std::string("saved_model_dir")
                                                                                        : std::string("graph_def_file")) +
                    ")");
  }
  if (S_ISREG(st.st_mode) && st.st_size == 0) return InvalidArgument("input " + path + " is an empty file");

  const FrontendRef* best = nullptr;
  const FrontendRef* first_for_format = nullptr;
  int32_t best_confidence = 0;
  std::string candidates;
  for (const FrontendRef& ref : registry.frontends()) {
    if (!format.empty() && !ListContains(ref.frontend->formats, format)) continue;
    if (!first_for_format) first_for_format = &ref;
    candidates += (candidates.empty() ? "" : ", ") + std::string(ref.frontend->name);
    TflcFrontendProbe_Args a{};
    a.struct_size = TflcFrontendProbe_Args_STRUCT_SIZE;
    a.host = HostApi();
    a.path = sdk::Sv(path);
    a.format = sdk::Sv(format);
    a.user_data = ref.frontend->user_data;
    a.plugin_state = ref.plugin->state;
    bool threw = false;
    Status s = CallPlugin({ref.plugin, "Probe", "frontend", ref.frontend->name},
                          [&] { return ref.frontend->Probe(&a); }, &threw);
    if (threw) return s.WithContext(path);  // an error status means "cannot read it"; a throw, a broken plugin
    if (s.ok() && a.confidence > best_confidence) {
      best = &ref;
      best_confidence = a.confidence;
    }
  }
  // The user named the format but no frontend recognizes the file: let that format's frontend try,
  // so the error says what is wrong with the file (truncated, not HDF5, ...) rather than just "unknown".
  if (!best && !format.empty()) best = first_for_format;
  if (!best) {
    if (candidates.empty()) {
      return NotFound("no frontend plugin for " + (format.empty() ? std::string("this input") : format + " input") + " (" +
                      path + "); `tflc plugins` lists the loaded plugins; add one with --plugin_dir");
    }
    return InvalidArgument(path + " is not in a format the frontends (" + candidates + ") can read" +
                           (format == "keras" ? ": expected a Keras HDF5 (.h5) or Keras 3 (.keras) model file" : ""));
  }
  auto model = std::make_unique<TflcModel>();
  model->registry = &registry;
  model->source_format = format.empty() ? std::string(best->frontend->formats ? best->frontend->formats : "") : format;
  if (auto comma = model->source_format.find(','); comma != std::string::npos) model->source_format.resize(comma);
  TflcFrontendLoad_Args a{};
  a.struct_size = TflcFrontendLoad_Args_STRUCT_SIZE;
  a.host = HostApi();
  a.path = sdk::Sv(path);
  a.format = sdk::Sv(format);
  a.options = &options;
  a.model = model.get();
  a.user_data = best->frontend->user_data;
  a.plugin_state = best->plugin->state;
  Status s = CallPlugin({best->plugin, "Load", "frontend", best->frontend->name}, [&] { return best->frontend->Load(&a); });
  if (!s.ok()) {
    if (s.message().find(path) == std::string::npos) s = s.WithContext(path);
    return s;
  }
  if (model->graphs.empty()) return Internal("frontend '" + std::string(best->frontend->name) + "' produced no graph for " + path);
  for (auto& g : model->graphs) {
    if (!g->is_subgraph && g->outputs.empty()) return InvalidArgument(path + ": signature '" + g->signature_key + "' has no outputs");
  }
  return model;
}

namespace {
// TFLC_TIMING=1 prints how long each phase took (to stderr).
class PhaseTimer {
 public:
  PhaseTimer() : enabled_(std::getenv("TFLC_TIMING") != nullptr), last_(std::chrono::steady_clock::now()) {}
  void Mark(const char* phase) {
    auto now = std::chrono::steady_clock::now();
    if (enabled_) {
      std::fprintf(stderr, "tflc: timing: %-8s %8.3f s\n", phase, std::chrono::duration<double>(now - last_).count());
    }
    last_ = now;
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point last_;
};
}  // namespace

StatusOr<ConvertResult> Convert(const Registry& registry, const ConvertRequest& request) {
  PhaseTimer timer;
  // Option mistakes surface before the (possibly long) model load.
  TFLC_ASSIGN_OR_RETURN(QuantizerChoice quantizer, SelectQuantizer(request.options));
  TFLC_ASSIGN_OR_RETURN(auto model, LoadSourceModel(registry, request.input_path, request.format, request.options));
  timer.Mark("load");
  PassContext ctx{&registry, &request.options};
  ctx.representative_dataset = request.representative_dataset;
  TFLC_RETURN_IF_ERROR(RunPipeline(ctx, model.get()).WithContext(request.input_path));
  timer.Mark("pipeline");
  if (!quantizer.name.empty()) {
    TFLC_RETURN_IF_ERROR(Quantize(ctx, model.get(), quantizer, request.progress).WithContext(request.input_path));
    timer.Mark("quantize");
  }
  ConvertResult result;
  TFLC_ASSIGN_OR_RETURN(std::vector<TflcGraph*> live, LiveGraphs(model.get()));
  for (TflcGraph* g : live) {
    result.num_ops += g->nodes.size();
    result.num_tensors += g->values.size();
    for (auto& n : g->nodes) {
      if (n->dead || n->domain != TFLC_DOMAIN_CUSTOM) continue;
      if (registry.FindOp(TFLC_DOMAIN_CUSTOM, n->op)) {
        ++result.plugin_ops[n->op];
      } else if (n->lowered_target == TFLC_TARGET_SELECT_TF) {
        ++result.flex_ops[n->op];
      } else {
        ++result.custom_ops[n->op];
      }
    }
  }
  ExportOptions eo = request.export_options;
  if (quantizer.metadata_mode) eo.optimization_modes.push_back(quantizer.metadata_mode);
  eo.release_constants = true;
  if (request.output_bytes) {
    TFLC_ASSIGN_OR_RETURN(*request.output_bytes, ExportToString(registry, model.get(), eo));
    timer.Mark("export");
    result.output_bytes = request.output_bytes->size();
    return result;
  }
  TFLC_RETURN_IF_ERROR(ExportToFile(registry, model.get(), eo, request.output_path));
  timer.Mark("export");
  struct stat st;
  if (::stat(request.output_path.c_str(), &st) == 0) result.output_bytes = static_cast<uint64_t>(st.st_size);
  return result;
}

namespace {
std::string OpList(const std::map<std::string, size_t>& ops) {
  std::string s;
  for (const auto& [op, count] : ops) s += (s.empty() ? "" : ", ") + op + " x" + std::to_string(count);
  return s;
}
}  // namespace

CustomOpsReport ReportCustomOps(const ConvertResult& r) {
  CustomOpsReport rep;
  if (!r.flex_ops.empty()) {
    rep.info += "tflc: Select TF ops used (run the model with the Flex delegate, or build TFLite selectively with these "
         "ops): " + OpList(r.flex_ops) + "\n";
  }
  if (!r.custom_ops.empty()) {
    rep.warning += "tflc: warning: custom ops emitted (--allow_custom_ops); the app must register a kernel for each: " +
         OpList(r.custom_ops) + "\n";
  }
  if (!r.plugin_ops.empty()) {
    rep.info += "tflc: custom ops from plugins (the app needs the vendor's kernels): " + OpList(r.plugin_ops) + "\n";
  }
  return rep;
}

}  // namespace tflc::host
