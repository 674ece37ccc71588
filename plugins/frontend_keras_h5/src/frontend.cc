#include "frontend.h"

#include <cstdlib>

#include <mutex>
#include <string>

#include "converter.h"
#include "h5_util.h"
#include "keras_file.h"
#include "model_config.h"
#include "tflc/sdk/plugin.h"

namespace tflc::keras {

namespace {

// libhdf5 (the Debian serial build) is not thread-safe: one load at a time.
std::mutex& H5Mutex() {
  static std::mutex m;
  return m;
}

bool FormatIsOurs(std::string_view format) {
  return format.empty() || format == "keras" || format == "h5" || format == "keras_h5";
}

// --input_shapes (tflite_convert syntax: "1,60,3:1,10"): one shape per model input, in the model's
// input order; for inputs with unknown dimensions other than the batch (a time axis of any length).
StatusOr<std::vector<std::vector<int64_t>>> InputShapesOption(const TflcHostApi* host, const TflcOptions* options) {
  std::vector<std::vector<int64_t>> shapes;
  std::string value;
  if (!options || !sdk::GetOption(host, options, "input_shapes", &value) || value.empty()) return shapes;
  size_t start = 0;
  while (true) {
    const size_t end = value.find(':', start);
    const std::string piece = value.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::vector<int64_t> dims;
    size_t p = 0;
    while (p < piece.size()) {
      const size_t q = piece.find(',', p);
      const std::string d = piece.substr(p, q == std::string::npos ? std::string::npos : q - p);
      char* rest = nullptr;
      const long long v = std::strtoll(d.c_str(), &rest, 10);
      if (d.empty() || *rest != '\0' || v < 1)
        return InvalidArgument("--input_shapes: '" + d + "' in '" + value + "' is not a positive dimension");
      dims.push_back(v);
      if (q == std::string::npos) break;
      p = q + 1;
    }
    shapes.push_back(dims);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return shapes;
}

Status LoadKeras(const TflcHostApi* host, const std::string& path, TflcModel* model, const TflcOptions* options) {
  TFLC_ASSIGN_OR_RETURN(auto input_shapes, InputShapesOption(host, options));
  std::lock_guard<std::mutex> lock(H5Mutex());
  ScopedH5Silence silence;
  TFLC_ASSIGN_OR_RETURN(std::unique_ptr<KerasFile> file, OpenKerasFile(path));
  TFLC_ASSIGN_OR_RETURN(std::unique_ptr<ModelDef> def, ParseModelConfig(file->config, file->keras_major));
  TflcGraph* graph = host->Model_AddGraph(model, sdk::Sv("serving_default"));
  if (!graph) return Internal("the host could not create a graph");
  Emitter em(sdk::GraphBuilder(host, graph));
  Converter conv(*file, em);
  conv.set_input_shapes(std::move(input_shapes));
  std::string allow;
  conv.set_allow_custom_ops(options && sdk::GetOption(host, options, "allow_custom_ops", &allow) &&
                            (allow == "true" || allow == "1"));
  Status s = conv.Run(*def);
  if (!s.ok() && file->keras_major < 2)
    return Status(s.code(), s.message() + " (the file was written by Keras " + file->keras_version +
                                ", whose configs tflc does not read: load it with Keras 2 and save it again)");
  return s;
}

TflcStatus* Probe(TflcFrontendProbe_Args* args) {
  return sdk::Guard(args->host, [&]() -> Status {
    args->confidence = 0;
    if (!FormatIsOurs(sdk::Str(args->format))) return OkStatus();
    args->confidence = ProbeConfidence(std::string(sdk::Str(args->path)));
    return OkStatus();
  });
}

TflcStatus* Load(TflcFrontendLoad_Args* args) {
  return sdk::Guard(args->host, [&]() -> Status {
    const std::string path(sdk::Str(args->path));
    if (!TFLC_HAS_FIELD(args, TflcFrontendLoad_Args, model) || !args->model)
      return Internal("keras_h5: the host passed no model to load into");
    Status s = LoadKeras(args->host, path, args->model, args->options);
    if (!s.ok()) return Status(s.code(), path + ": " + s.message());
    return s;
  });
}

const TflcFrontend kFrontends[] = {{
    TflcFrontend_STRUCT_SIZE,
    "keras_h5",
    "Keras models: legacy .h5 full-model files (Keras 2.x / tf.keras, Keras 3 legacy writer) and Keras 3 "
    ".keras archives",
    "keras",
    Probe,
    Load,
    nullptr,
}};

const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("frontend_keras_h5", "0.1.0", "Keras .h5 / .keras frontend");
    sdk::SetFrontends(a, kFrontends);
    return a;
  }();
  return &api;
}

}  // namespace

}  // namespace tflc::keras

extern "C" const TflcPluginApi* TflcFrontendKerasH5_Query(const TflcPluginQuery_Args* args) {
  return tflc::sdk::Negotiate(args, tflc::keras::Api());
}
