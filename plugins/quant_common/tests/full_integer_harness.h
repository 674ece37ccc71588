// Test harness for the full-integer quantizers (quant_common's full_integer.cc, behind quant_int8 and
// quant_int16x8): FakeHost with opset_builtin and one quantizer registered, small builtin graphs, a
// representative dataset written as a directory of .npy files, and accessors for the rewritten
// graph. Expected values in the tests are computed by hand or by plain loops from the float model.
#ifndef TFLC_PLUGINS_QUANT_COMMON_TESTS_FULL_INTEGER_HARNESS_H_
#define TFLC_PLUGINS_QUANT_COMMON_TESTS_FULL_INTEGER_HARNESS_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tflc/sdk/plugin.h"
#include "tflc/testing/fake_host.h"

namespace tflc::quant::testing {

using Dims = std::vector<int64_t>;
using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;
using tflc::testing::FakeHost;
using tflc::testing::HostTensor;

// A node attribute set after creation: ints (option fields) or a float (SOFTMAX beta).
struct Attr {
  std::string name;
  double value;
  bool is_float = false;
};

// Writes one .npy (little-endian float32, C order) per sample into a fresh directory under the
// test temp dir; returns the directory. Each sample has shape `dims`.
std::string WriteNpyDir(const std::string& tag, const Dims& dims, const std::vector<std::vector<float>>& samples);

using tflc::testing::SeededFloats;

// `count` samples of `n` values in [lo, hi], the first sample reaching lo and the second hi, so the
// calibrated input range is exactly [lo, hi].
std::vector<std::vector<float>> Samples(size_t count, size_t n, float lo, float hi, uint32_t seed);

class FullIntegerTest : public ::testing::Test {
 protected:
  // Registers opset_builtin and `quantizer` and asks for full-integer quantization
  // (--optimizations DEFAULT; the dataset is set by Calibrate).
  void Init(TflcPluginQueryFn quantizer, const std::string& origin);

  FakeHost& host() { return host_; }
  GraphBuilder g() { return host_.graph(); }

  ValueView Input(const std::string& name, const Dims& dims);
  ValueView Const(const std::string& name, const Dims& dims, const std::vector<float>& v);
  ValueView ConstInt32(const std::string& name, const Dims& dims, const std::vector<int32_t>& v);
  NodeView Op(const std::string& op, const std::string& name, const std::vector<ValueView>& in,
              const std::vector<Attr>& attrs = {});
  void Output(const ValueView& v, const std::string& name);

  // Runs the float pipeline, then the float graph over `samples` (graph input 0, shape `dims`)
  // with Interpret to record the float outputs, and sets the dataset option.
  void Prepare(const Dims& dims, const std::vector<std::vector<float>>& samples);
  // Float outputs of sample i, recorded by Prepare (output k of graph).
  const std::vector<float>& FloatOutput(size_t sample, size_t k = 0) const { return float_outputs_[sample][k]; }
  // min / max of output k over the recorded samples.
  std::pair<float, float> OutputRange(size_t k = 0) const;

  // Nodes of `op` in the current graph.
  std::vector<NodeView> Nodes(const std::string& op);
  NodeView Only(const std::string& op);  // exactly one, else a failure and a null view

  std::string Dump() const { return host_.Dump(); }

 private:
  FakeHost host_;
  std::vector<std::vector<std::vector<float>>> float_outputs_;
};

// The int8 activation parameters TFLite's GetAsymmetricQuantizationParams gives for [lo, hi]
// (written out here independently of the quantizer).
struct Params {
  float scale;
  int64_t zero_point;
};
Params Int8Params(double lo, double hi);
// Symmetric int16: max|x| / 32767, zero point 0.
Params Int16Params(double lo, double hi);

// Per-tensor parameters of `v` (expects exactly one scale).
::testing::AssertionResult HasParams(const ValueView& v, float scale, int64_t zero_point);

template <typename T>
std::vector<T> Data(const ValueView& v) {
  std::vector<T> out(v.byte_size() / sizeof(T));
  const T* d = v.data_as<T>();
  if (d) out.assign(d, d + out.size());
  return out;
}

}  // namespace tflc::quant::testing

#endif  // TFLC_PLUGINS_QUANT_COMMON_TESTS_FULL_INTEGER_HARNESS_H_
