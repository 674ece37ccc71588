// Test harness for lower_builtin: builds source graphs in FakeHost, lowers them, and inspects the
// builtin graph (ops, attributes, inputs) or runs it with the builtin opset's reference kernels.
#ifndef TFLC_PLUGINS_LOWER_BUILTIN_TESTS_TEST_UTIL_H_
#define TFLC_PLUGINS_LOWER_BUILTIN_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tflc/sdk/plugin.h"
#include "tflc/testing/fake_host.h"

#ifndef TFLC_HAVE_OPSET_BUILTIN
#define TFLC_HAVE_OPSET_BUILTIN 0
#endif

#define TFLC_EXPECT_OK(expr)                   \
  do {                                         \
    ::tflc::Status tflc_s_ = (expr);           \
    EXPECT_TRUE(tflc_s_.ok()) << tflc_s_;      \
  } while (0)
#define TFLC_ASSERT_OK(expr)                   \
  do {                                         \
    ::tflc::Status tflc_s_ = (expr);           \
    ASSERT_TRUE(tflc_s_.ok()) << tflc_s_;      \
  } while (0)

namespace tflc::lower_builtin::testing {

using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;
using tflc::testing::HostTensor;

// Aborts the test (fatal failure) when a StatusOr holds an error; returns the value otherwise.
template <typename T>
T Check(StatusOr<T> s, const char* what = "") {
  if (!s.ok()) {
    ADD_FAILURE() << what << ": " << s.status();
    throw std::runtime_error("test setup failed");
  }
  return std::move(s).value();
}

class Harness {
 public:
  Harness();

  tflc::testing::FakeHost& host() { return host_; }
  GraphBuilder g() { return host_.graph(); }
  const TflcHostApi* api() const { return host_.api(); }
  static bool has_opset() { return TFLC_HAVE_OPSET_BUILTIN != 0; }

  // ---- building the source graph ----
  ValueView In(const std::string& name, const std::vector<int64_t>& dims, TflcDataType type = TFLC_TYPE_FLOAT32);
  ValueView F(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values);
  ValueView I(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int32_t>& values);
  ValueView I64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& values);
  ValueView Iv(const std::string& name, const std::vector<int32_t>& values) {
    return I(name, {static_cast<int64_t>(values.size())}, values);
  }
  ValueView Scalar(const std::string& name, int32_t value) { return I(name, {}, {value}); }
  // A source node; its outputs are marked graph outputs "y", "y1", ... unless mark_outputs=false.
  NodeView Src(const std::string& op, const std::string& name, const std::vector<ValueView>& inputs,
               size_t num_outputs = 1, bool mark_outputs = true);

  // ---- lowering and inspection ----
  Status Lower() { return host_.Lower(); }
  // With shape inference as the pipeline lowers (needs the opset): control flow rows read the
  // shapes of the subgraphs they call.
  Status LowerWithShapes() { return host_.LowerWithShapes(); }
  std::vector<NodeView> Nodes();
  std::vector<std::string> Ops();          // op names in topological order
  std::string OpsString();                 // "TRANSPOSE CONV_2D"
  std::vector<NodeView> All(const std::string& op);
  NodeView One(const std::string& op);     // exactly one such node (else a test failure)
  ValueView Output(size_t i) { return g().output(i); }
  NodeView OutputProducer(size_t i) { return Output(i).producer(); }

  static int64_t Int(const NodeView& n, const std::string& attr);
  static double Float(const NodeView& n, const std::string& attr);
  static std::vector<int64_t> Ints(const NodeView& n, const std::string& attr);
  static std::vector<int32_t> I32(const ValueView& v);
  static std::vector<float> F32(const ValueView& v);

  // ---- numerics (needs the builtin opset) ----
  // RunPipeline + Interpret; output tensors in graph-output order.
  StatusOr<std::vector<HostTensor>> Run(const std::vector<HostTensor>& inputs);

 private:
  tflc::testing::FakeHost host_;
};

class LowerTest : public ::testing::Test {
 protected:
  Harness h;
};

// Skips the rest of the test when the builtin opset is not linked in.
#define REQUIRE_OPSET()                                                        \
  do {                                                                         \
    if (!::tflc::lower_builtin::testing::Harness::has_opset())                 \
      GTEST_SKIP() << "opset_builtin not built: numeric check skipped";        \
  } while (0)

// Runs the pipeline; skips the test when the opset lacks a kernel or shape function for an op the
// lowering emitted (the opset is written concurrently), fails on any other error.
#define RUN_OR_SKIP(var, harness, ...)                                                      \
  std::vector<::tflc::testing::HostTensor> var;                                             \
  do {                                                                                      \
    auto tflc_r_ = (harness).Run(__VA_ARGS__);                                              \
    if (!tflc_r_.ok()) {                                                                    \
      const std::string& m_ = tflc_r_.status().message();                                   \
      if (m_.find("no opset plugin defines") != std::string::npos ||                        \
          m_.find("has no reference kernel") != std::string::npos) {                        \
        GTEST_SKIP() << "opset incomplete: " << m_;                                         \
      }                                                                                     \
      FAIL() << tflc_r_.status();                                                           \
    }                                                                                       \
    var = std::move(tflc_r_).value();                                                       \
  } while (0)

// Element-wise comparison with an absolute tolerance.
void ExpectNear(const std::vector<float>& actual, const std::vector<float>& expected, float tol = 1e-5f);

}  // namespace tflc::lower_builtin::testing

#endif  // TFLC_PLUGINS_LOWER_BUILTIN_TESTS_TEST_UTIL_H_
