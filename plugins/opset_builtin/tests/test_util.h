// Test harness for opset_builtin: builds builtin graphs in FakeHost with the plugin registered, runs
// shape inference, constant folding (kernels on constant inputs) or Interpret, and reads results.
// Expected values in the tests are written by hand or computed by plain loops in the test itself.
#ifndef TFLC_PLUGINS_OPSET_BUILTIN_TESTS_TEST_UTIL_H_
#define TFLC_PLUGINS_OPSET_BUILTIN_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tflc/sdk/plugin.h"
#include "tflc/testing/fake_host.h"

#define TFLC_EXPECT_OK(expr)              \
  do {                                    \
    ::tflc::Status tflc_s_ = (expr);      \
    EXPECT_TRUE(tflc_s_.ok()) << tflc_s_; \
  } while (0)
#define TFLC_ASSERT_OK(expr)              \
  do {                                    \
    ::tflc::Status tflc_s_ = (expr);      \
    ASSERT_TRUE(tflc_s_.ok()) << tflc_s_; \
  } while (0)

namespace tflc::opset_builtin::testing {

using Dims = std::vector<int64_t>;
using sdk::NodeView;
using sdk::ValueView;

// A tensor value: constant input data or a computed output.
struct Tensor {
  TflcDataType type = TFLC_TYPE_UNKNOWN;  // UNKNOWN = an omitted optional input
  Dims dims;
  std::vector<uint8_t> bytes;

  template <typename T>
  static Tensor Of(TflcDataType type, Dims dims, const std::vector<T>& v) {
    Tensor t;
    t.type = type;
    t.dims = std::move(dims);
    t.bytes.resize(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
    return t;
  }
  template <typename T>
  std::vector<T> as() const {
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
  }
  std::vector<float> f() const { return as<float>(); }
  std::vector<int32_t> i32() const { return as<int32_t>(); }
  std::vector<int64_t> i64() const { return as<int64_t>(); }
  std::vector<bool> b() const {
    std::vector<bool> out;
    for (uint8_t x : bytes) out.push_back(x != 0);
    return out;
  }
};

inline Tensor F(Dims d, const std::vector<float>& v) { return Tensor::Of(TFLC_TYPE_FLOAT32, std::move(d), v); }
inline Tensor I32(Dims d, const std::vector<int32_t>& v) { return Tensor::Of(TFLC_TYPE_INT32, std::move(d), v); }
inline Tensor I64(Dims d, const std::vector<int64_t>& v) { return Tensor::Of(TFLC_TYPE_INT64, std::move(d), v); }
inline Tensor I8(Dims d, const std::vector<int8_t>& v) { return Tensor::Of(TFLC_TYPE_INT8, std::move(d), v); }
inline Tensor U8(Dims d, const std::vector<uint8_t>& v) { return Tensor::Of(TFLC_TYPE_UINT8, std::move(d), v); }
inline Tensor Bool(Dims d, const std::vector<uint8_t>& v) { return Tensor::Of(TFLC_TYPE_BOOL, std::move(d), v); }
inline Tensor Vec(const std::vector<int32_t>& v) { return I32({static_cast<int64_t>(v.size())}, v); }
inline Tensor Scalar(int32_t v) { return I32({}, {v}); }
inline Tensor ScalarF(float v) { return F({}, {v}); }
inline Tensor Omitted() { return Tensor{}; }

// A node attribute (schema option field name -> value).
struct Attr {
  enum Kind { kInt, kFloat, kBool, kInts } kind;
  std::string name;
  int64_t i = 0;
  double f = 0;
  std::vector<int64_t> ints;
  Attr(std::string n, int v) : kind(kInt), name(std::move(n)), i(v) {}
  Attr(std::string n, int64_t v) : kind(kInt), name(std::move(n)), i(v) {}
  Attr(std::string n, double v) : kind(kFloat), name(std::move(n)), f(v) {}
  Attr(std::string n, bool v) : kind(kBool), name(std::move(n)), i(v ? 1 : 0) {}
  Attr(std::string n, std::vector<int64_t> v) : kind(kInts), name(std::move(n)), ints(std::move(v)) {}
};
using Attrs = std::vector<Attr>;

// Quantization for a constant or a node output.
struct Quant {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t dim = 0;
};

// An input for ShapeStatus: a constant tensor, or a graph input of a type and shape.
struct Arg {
  bool constant = true;
  Tensor tensor;
  TflcDataType type = TFLC_TYPE_FLOAT32;
  Dims dims;
  Arg(const Tensor& t) : tensor(t) {}  // NOLINT: constants convert implicitly
  static Arg In(TflcDataType type, Dims dims) {
    Arg a{Tensor{}};
    a.constant = false;
    a.type = type;
    a.dims = std::move(dims);
    return a;
  }
};

class OpsetTest : public ::testing::Test {
 protected:
  OpsetTest();

  tflc::testing::FakeHost& host() { return host_; }
  sdk::GraphBuilder g() { return host_.graph(); }

  // ---- graph building ----
  ValueView Input(TflcDataType type, const Dims& dims);
  ValueView Const(const Tensor& t);  // an omitted tensor gives a null view
  NodeView Node(const std::string& op, const std::vector<ValueView>& inputs, const Attrs& attrs = {},
                size_t num_outputs = 1);
  void SetQuant(const ValueView& v, const Quant& q);

  // ---- running ----
  // InferShapes over the whole graph.
  Status Infer() { return host_.InferShapes(); }
  // InferShapes (which folds constant nodes as it goes) and then FoldConstants.
  Status InferAndFold() {
    Status s = host_.InferShapes();
    return s.ok() ? host_.FoldConstants() : s;
  }
  // Builds `op` over constant inputs, infers shapes and folds it (the kernel runs on the constants);
  // returns the outputs. A failure is reported and an empty vector returned.
  std::vector<Tensor> Fold(const std::string& op, const std::vector<Tensor>& inputs, const Attrs& attrs = {},
                           size_t num_outputs = 1);
  // Same, for one output.
  Tensor Fold1(const std::string& op, const std::vector<Tensor>& inputs, const Attrs& attrs = {}) {
    auto r = Fold(op, inputs, attrs, 1);
    return r.empty() ? Tensor{} : r[0];
  }
  // Shape inference of `op` over the given inputs (constants or graph inputs); the node's outputs.
  // Returns the InferShapes status; outputs via node.
  Status InferOne(const std::string& op, const std::vector<ValueView>& inputs, const Attrs& attrs, NodeView* node,
                  size_t num_outputs = 1);
  // Shape inference of one `op` node in a fresh host (so a failing node doesn't affect the test's
  // graph); returns the InferShapes status.
  static Status ShapeStatus(const std::string& op, const std::vector<Arg>& inputs, const Attrs& attrs = {},
                            size_t num_outputs = 1);
  // Shape/type of a value.
  static Dims DimsOf(const ValueView& v) { return v.dims(); }

  // The plugin's table entry for `op` (nullptr if absent).
  static const TflcOpsetEntry* Entry(const std::string& op);
  // The version the plugin's Version callback computes for `node`.
  int VersionOf(const NodeView& node);

 private:
  tflc::testing::FakeHost host_;
  int counter_ = 0;
};

// Element-wise comparison with an absolute tolerance.
void ExpectNear(const std::vector<float>& actual, const std::vector<float>& expected, float tol = 1e-5f);

// "a substring of the status message" helper.
::testing::AssertionResult StatusHas(const Status& s, TflcStatusCode code, const std::string& needle);

// Bitwise equality, except that any NaN matches any NaN: which NaN an operation on two NaNs
// returns depends on the operand order the compiler picks for a commutative + or * (C++ leaves it
// open; x86 returns the first operand's), so no kernel, the reference included, fixes it.
::testing::AssertionResult SameBits(const std::vector<float>& actual, const std::vector<float>& expected);

}  // namespace tflc::opset_builtin::testing

#endif  // TFLC_PLUGINS_OPSET_BUILTIN_TESTS_TEST_UTIL_H_
