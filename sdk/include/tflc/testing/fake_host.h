// FakeHost: the real tflc host IR and passes, in-process, without dlopen.
//
// Plugin unit tests (ours and vendors') register plugins by their query function, build a source
// graph, and run single passes (lowering, shape inference, folding, fusions) or the whole
// pipeline, then look at the result with Dump() or the graph accessors. Link `tflc::testing`.
#ifndef TFLC_TESTING_FAKE_HOST_H_
#define TFLC_TESTING_FAKE_HOST_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tflc/abi/tflc_plugin.h"
#include "tflc/sdk/plugin.h"
#include "tflc/sdk/status.h"

namespace tflc::testing {

// A host-side tensor value for Interpret().
struct HostTensor {
  TflcDataType type = TFLC_TYPE_FLOAT32;
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;

  static HostTensor Float(std::vector<int64_t> dims, const std::vector<float>& values);
  static HostTensor Int32(std::vector<int64_t> dims, const std::vector<int32_t>& values);
  std::vector<float> floats() const;    // requires FLOAT32
  std::vector<int32_t> int32s() const;  // requires INT32
};

class FakeHost {
 public:
  FakeHost();
  ~FakeHost();
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  const TflcHostApi* api() const;

  // Registers a plugin exactly as the loader would after dlopen (ABI negotiation, table checks,
  // Create). `origin` is what diagnostics call the plugin's file.
  Status Register(TflcPluginQueryFn query, const std::string& origin = "<in-process>");

  // Conversion options, as the CLI sets them ("allow_custom_ops" = "true", ...).
  void SetOption(const std::string& key, const std::string& value);
  const TflcOptions* options() const;

  // The model and its first graph (created on first use, signature "serving_default").
  TflcModel* model();
  sdk::GraphBuilder graph();

  // Loads a model file with the best registered frontend (format may be empty).
  Status LoadModel(const std::string& path, const std::string& format = "");

  // Single passes over every graph of the model.
  Status Lower();         // every source node through the best lowering row
  // Lower as the pipeline does: each emitted node's shape is inferred (and folded) right away, so a
  // row that reads the lowered subgraphs it calls (IF / WHILE) sees their output shapes.
  Status LowerWithShapes();
  Status InferShapes();   // opset shape functions, in topological order
  Status FoldConstants(); // nodes whose inputs are all constant and whose op has a kernel
  Status Optimize();      // fusions driven by opset facts, dead-code removal
  // Lower + InferShapes + FoldConstants + Optimize (+ verification): the host's pipeline up to export.
  Status RunPipeline();
  // Post-training quantization as `tflc convert` runs it after the pipeline: the quantizer the
  // options choose (SetOption("optimizations", "DEFAULT"), "representative_dataset", ...; or
  // SetOption("quantizer", name) to force one), calibrating first when it needs ranges.
  Status Quantize();

  // Serializes the current model to .tflite bytes with the real exporter.
  StatusOr<std::string> Export();

  // Runs graph 0 with the opset reference kernels. Inputs in graph-input order.
  StatusOr<std::vector<HostTensor>> Interpret(const std::vector<HostTensor>& inputs);

  // Deterministic text form of every graph, one line per node, e.g.
  //   CONV_2D "conv/Conv2D" (input:0 FLOAT32[1,8,8,1], w FLOAT32[4,3,3,1] const, ...) -> (y FLOAT32[1,8,8,4]) {fused_activation_function=1, padding=0, ...}
  std::string Dump() const;

 private:
  Status LowerGraphs(bool eager_shapes);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Deterministic pseudo-random floats in [-scale/2, scale/2) (a linear congruential generator), for
// test weights and samples that must be the same on every machine.
inline std::vector<float> SeededFloats(size_t n, uint32_t seed, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = scale * (static_cast<float>(seed >> 8) / static_cast<float>(1u << 24) - 0.5f);
  }
  return v;
}

}  // namespace tflc::testing

#endif  // TFLC_TESTING_FAKE_HOST_H_
