// Test harness for frontend_keras_h5: loads Keras files through FakeHost (probe + load, as the
// host does) or through the plugin's Load directly, and inspects the emitted source graph.
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_TESTS_TEST_UTIL_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tflc/sdk/plugin.h"
#include "tflc/testing/fake_host.h"

#define TFLC_ASSERT_OK(expr)              \
  do {                                    \
    ::tflc::Status tflc_s_ = (expr);      \
    ASSERT_TRUE(tflc_s_.ok()) << tflc_s_; \
  } while (0)

namespace tflc::keras::testing {

using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;

// Directory of the generated test models (tests/models/make_keras_models.py), or "" when the build
// could not generate them.
std::string ModelsDir();
// Path of a generated model by name ("conv2d" → <dir>/conv2d.h5, or .keras if that exists).
std::string Model(const std::string& name);
// Skips the calling test when generated models are unavailable.
#define REQUIRE_MODELS()                                                                         \
  do {                                                                                           \
    if (::tflc::keras::testing::ModelsDir().empty())                                             \
      GTEST_SKIP() << "generated Keras models are unavailable (no Python with h5py at configure)"; \
  } while (0)

// The shared model corpus (../shared/models), or "" when absent.
std::string SharedModelsDir();

// One FakeHost with the keras_h5 frontend registered and a model loaded into it.
class Loaded {
 public:
  // `extra`: another plugin to register first (e.g. a Keras layer plugin under test).
  explicit Loaded(const std::string& path, const std::string& format = "", TflcPluginQueryFn extra = nullptr);
  const Status& status() const { return status_; }
  tflc::testing::FakeHost& host() { return *host_; }
  GraphBuilder g() { return host_->graph(); }

  // Node ops in topological order.
  std::vector<std::string> Ops();
  // Number of nodes with op `op`.
  int Count(const std::string& op);
  // The node named `name` (test failure + empty view when absent).
  NodeView Node(const std::string& name);
  bool HasNode(const std::string& name);
  // Input i of node `name` (its constant data must exist when `const_` is true).
  ValueView Input(const std::string& name, size_t i);
  // Dims of input i of node `name` ({} and a test failure when absent).
  std::vector<int64_t> InDims(const std::string& name, size_t i);
  std::vector<int64_t> Ints(const std::string& node, const std::string& attr);
  std::string Str(const std::string& node, const std::string& attr);
  double Float(const std::string& node, const std::string& attr);
  int64_t Int(const std::string& node, const std::string& attr);
  // Graph input / output signature names, in order (from Dump(), as the host records them).
  std::vector<std::string> InputSignatures();
  std::vector<std::string> OutputSignatures();

 private:
  std::unique_ptr<tflc::testing::FakeHost> host_;
  Status status_;
};

// Calls the plugin's Load directly (no host pre-checks), returning its status.
Status LoadDirect(const std::string& path);
// Probe confidence of the plugin for `path`.
int Probe(const std::string& path, const std::string& format = "");

// Int32 constant contents.
std::vector<int32_t> I32(const ValueView& v);
std::vector<float> F32(const ValueView& v);
// Element 0 of a float constant (NaN and a test failure when empty).
float First(const ValueView& v);

}  // namespace tflc::keras::testing

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_TESTS_TEST_UTIL_H_
