// tflc._tflc: the Python module's native part. It runs the same host::Convert as the CLI, with the
// options (TF flag names) that tflc/lite.py builds from the converter's attributes, so Python and
// the CLI give the same bytes for the same options by construction.
//
// The conversion runs with the GIL released. A representative dataset given as a Python callable
// is a SampleSource (quant/sample_source.h): calibration workers take the GIL only inside Next, to
// pull one sample from the generator and copy it into their input buffer. Samples are never
// collected.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "driver/converter.h"
#include "loader/loader.h"
#include "quant/calibrate.h"
#include "quant/dataset.h"
#include "quant/sample_source.h"
#include "registry/registry.h"

namespace py = pybind11;

namespace tflc::python {
namespace {

using host::DatasetInput;
using host::SampleFeed;
using host::SampleSource;

// numpy dtype -> TFLite type (TFLC_TYPE_UNKNOWN for anything a model input cannot be).
TflcDataType TypeOf(const py::handle& dtype) {
  const std::string kind = py::str(dtype.attr("kind"));
  const int size = dtype.attr("itemsize").cast<int>();
  if (kind == "f") return size == 4 ? TFLC_TYPE_FLOAT32 : size == 2 ? TFLC_TYPE_FLOAT16 : size == 8 ? TFLC_TYPE_FLOAT64 : TFLC_TYPE_UNKNOWN;
  if (kind == "i") {
    return size == 1 ? TFLC_TYPE_INT8 : size == 2 ? TFLC_TYPE_INT16 : size == 4 ? TFLC_TYPE_INT32 : size == 8 ? TFLC_TYPE_INT64 : TFLC_TYPE_UNKNOWN;
  }
  if (kind == "u") {
    return size == 1 ? TFLC_TYPE_UINT8 : size == 2 ? TFLC_TYPE_UINT16 : size == 4 ? TFLC_TYPE_UINT32 : size == 8 ? TFLC_TYPE_UINT64 : TFLC_TYPE_UNKNOWN;
  }
  if (kind == "b") return TFLC_TYPE_BOOL;
  if (kind == "c") return size == 8 ? TFLC_TYPE_COMPLEX64 : size == 16 ? TFLC_TYPE_COMPLEX128 : TFLC_TYPE_UNKNOWN;
  return TFLC_TYPE_UNKNOWN;
}

// A Python exception raised while pulling samples (by the user's generator, or by tflc/lite.py's
// checks of a sample's structure). Re-raised unchanged once the conversion has returned.
struct PendingError {
  std::mutex mu;
  std::optional<py::error_already_set> error;  // destroyed with the GIL held (convert's scope)
};

// One graph's stream: `iterator` yields, per sample, a list of numpy arrays in graph input order
// (tflc/lite.py turns the user's lists and dicts into that and checks their structure).
class GeneratorSource : public SampleSource {
 public:
  GeneratorSource(py::object iterator, std::vector<DatasetInput> inputs, PendingError* pending)
      : iterator_(std::move(iterator)), inputs_(std::move(inputs)), pending_(pending) {}
  ~GeneratorSource() override {
    py::gil_scoped_acquire gil;
    iterator_ = py::object();
  }

  StatusOr<bool> Next(size_t index, const std::vector<SampleFeed>& feeds) override {
    py::gil_scoped_acquire gil;
    try {
      py::object sample;
      try {
        sample = iterator_.attr("__next__")();
      } catch (py::error_already_set& e) {
        if (e.matches(PyExc_StopIteration)) return false;
        throw;
      }
      py::list arrays = sample.cast<py::list>();
      if (arrays.size() != feeds.size() || feeds.size() != inputs_.size()) {
        return Internal("representative_dataset: sample " + std::to_string(index) + " has " +
                        std::to_string(arrays.size()) + " arrays, the graph " + std::to_string(feeds.size()) + " inputs");
      }
      for (size_t k = 0; k < feeds.size(); ++k) {
        py::object a = arrays[k];
        py::object dtype = a.attr("dtype");
        std::vector<int64_t> dims = a.attr("shape").cast<std::vector<int64_t>>();
        py::buffer_info info = a.cast<py::buffer>().request();  // C-contiguous: lite.py made sure
        const size_t bytes = static_cast<size_t>(info.size) * static_cast<size_t>(info.itemsize);
        TflcDataType type = TypeOf(dtype);
        if (!dtype.attr("isnative").cast<bool>()) type = TFLC_TYPE_UNKNOWN;  // big-endian: refused as a dtype
        TFLC_RETURN_IF_ERROR(host::CheckSample("representative_dataset", index, inputs_[k], type,
                                               std::string(py::str(dtype)), dims, info.ptr, bytes, feeds[k].bytes));
        std::memcpy(feeds[k].data, info.ptr, bytes);
      }
      return true;
    } catch (py::error_already_set& e) {
      std::lock_guard<std::mutex> lock(pending_->mu);
      if (!pending_->error) pending_->error.emplace(std::move(e));
      return FailedPrecondition("representative_dataset raised a Python exception");
    }
  }

 private:
  py::object iterator_;
  std::vector<DatasetInput> inputs_;
  PendingError* pending_;
};

// Calls `open(signature_key, inputs)` (tflc/lite.py) for each graph: it returns the iterator.
class GeneratorFactory : public host::SampleSourceFactory {
 public:
  GeneratorFactory(py::object open, PendingError* pending) : open_(std::move(open)), pending_(pending) {}

  StatusOr<std::unique_ptr<SampleSource>> Open(const TflcGraph& graph,
                                               const std::vector<DatasetInput>& inputs) const override {
    py::gil_scoped_acquire gil;
    try {
      py::list described;
      for (const DatasetInput& in : inputs) {
        described.append(py::make_tuple(in.name, in.tensor_name, host::NumpyTypeName(in.type), in.dims));
      }
      py::object iterator = open_(graph.signature_key, described);
      return std::unique_ptr<SampleSource>(new GeneratorSource(std::move(iterator), inputs, pending_));
    } catch (py::error_already_set& e) {
      std::lock_guard<std::mutex> lock(pending_->mu);
      if (!pending_->error) pending_->error.emplace(std::move(e));
      return FailedPrecondition("representative_dataset raised a Python exception");
    }
  }

 private:
  py::object open_;
  PendingError* pending_;
};

// Plugins are loaded once per search path and stay loaded (as in the CLI, for the process).
const host::Registry& RegistryFor(const std::vector<std::string>& dirs, std::vector<std::string>* warnings) {
  static std::mutex mu;
  static auto* registries = new std::map<std::vector<std::string>, std::unique_ptr<host::Registry>>();
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = (*registries)[dirs];
  if (!slot) {
    slot = std::make_unique<host::Registry>();
    host::LoadPlugins(slot.get(), dirs, [&](const std::string& m) { warnings->push_back("tflc: warning: " + m); });
  }
  return *slot;
}

// Returns (ok, model bytes or error message, info text, warning lines).
py::tuple Convert(const std::string& input_path, const std::string& format, const std::map<std::string, std::string>& options,
                  bool conversion_metadata, bool allow_custom_ops, bool enable_select_tf_ops,
                  const std::vector<std::string>& plugin_dirs, const std::string& own_plugin_dir,
                  py::object open_dataset) {
  host::ConvertRequest req;
  req.input_path = input_path;
  req.format = format;
  for (const auto& [k, v] : options) req.options.values[k] = v;
  req.export_options.conversion_metadata = conversion_metadata;
  req.export_options.allow_custom_ops = allow_custom_ops;
  req.export_options.enable_select_tf_ops = enable_select_tf_ops;
  req.progress = false;
  std::string bytes;
  req.output_bytes = &bytes;
  PendingError pending;
  std::unique_ptr<GeneratorFactory> factory;
  if (!open_dataset.is_none()) {
    factory = std::make_unique<GeneratorFactory>(open_dataset, &pending);
    req.representative_dataset = factory.get();
  }
  std::vector<std::string> warnings;
  std::optional<StatusOr<host::ConvertResult>> result;
  {
    py::gil_scoped_release release;
    const host::Registry& registry = RegistryFor(host::PluginSearchPath(plugin_dirs, own_plugin_dir), &warnings);
    result.emplace(host::Convert(registry, req));
  }
  factory.reset();
  if (pending.error) {
    py::error_already_set e = std::move(*pending.error);
    pending.error.reset();
    throw e;
  }
  if (!result->ok()) return py::make_tuple(false, py::str(result->status().message()), py::str(""), warnings);
  const host::CustomOpsReport report = host::ReportCustomOps(**result);
  if (!report.warning.empty()) warnings.push_back(report.warning);
  return py::make_tuple(true, py::bytes(bytes), py::str(report.info), warnings);
}

}  // namespace
}  // namespace tflc::python

PYBIND11_MODULE(_tflc, m) {
  m.doc() = "tflc's native converter (use tflc.lite.TFLiteConverter)";
  m.attr("__version__") = TFLC_VERSION_STRING;
  m.def("convert", &tflc::python::Convert, py::arg("input_path"), py::arg("format"), py::arg("options"),
        py::arg("conversion_metadata"), py::arg("allow_custom_ops"), py::arg("enable_select_tf_ops"),
        py::arg("plugin_dirs"), py::arg("own_plugin_dir"), py::arg("open_dataset"),
        "Converts a model; returns (ok, bytes or error message, info, warnings).");
}
