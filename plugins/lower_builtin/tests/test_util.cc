#include "test_util.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "lowerings.h"

#if TFLC_HAVE_OPSET_BUILTIN
extern "C" const TflcPluginApi* TflcOpsetBuiltin_Query(const TflcPluginQuery_Args* args);
#endif

namespace tflc::lower_builtin::testing {

Harness::Harness() {
  Status s = host_.Register(TflcLowerBuiltin_Query, "lower_builtin");
  EXPECT_TRUE(s.ok()) << s;
#if TFLC_HAVE_OPSET_BUILTIN
  s = host_.Register(TflcOpsetBuiltin_Query, "opset_builtin");
  EXPECT_TRUE(s.ok()) << s;
#endif
}

ValueView Harness::In(const std::string& name, const std::vector<int64_t>& dims, TflcDataType type) {
  return Check(g().Input(name, type, dims), "Input");
}

ValueView Harness::F(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
  return Check(g().ConstFloat(name, dims, values), "ConstFloat");
}

ValueView Harness::I(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int32_t>& values) {
  return Check(g().ConstInt32(name, dims, values), "ConstInt32");
}

ValueView Harness::I64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& values) {
  return Check(g().Const(name, TFLC_TYPE_INT64, dims, values), "Const int64");
}

NodeView Harness::Src(const std::string& op, const std::string& name, const std::vector<ValueView>& inputs,
                      size_t num_outputs, bool mark_outputs) {
  NodeView n = Check(g().Source(op, name, inputs, num_outputs), "Source");
  if (mark_outputs) {
    for (size_t k = 0; k < num_outputs; ++k) {
      Status s = g().Output(n.output(k), k == 0 ? "y" : "y" + std::to_string(k));
      EXPECT_TRUE(s.ok()) << s;
    }
  }
  return n;
}

std::vector<NodeView> Harness::Nodes() {
  std::vector<NodeView> out;
  GraphBuilder b = g();
  for (size_t i = 0; i < b.num_nodes(); ++i) out.push_back(b.node(i));
  return out;
}

std::vector<std::string> Harness::Ops() {
  std::vector<std::string> out;
  for (const NodeView& n : Nodes()) out.emplace_back(n.op());
  return out;
}

std::string Harness::OpsString() {
  std::string s;
  for (const std::string& op : Ops()) s += (s.empty() ? "" : " ") + op;
  return s;
}

std::vector<NodeView> Harness::All(const std::string& op) {
  std::vector<NodeView> out;
  for (const NodeView& n : Nodes()) {
    if (n.op() == op) out.push_back(n);
  }
  return out;
}

NodeView Harness::One(const std::string& op) {
  std::vector<NodeView> all = All(op);
  if (all.size() != 1) {
    ADD_FAILURE() << "expected exactly one " << op << ", found " << all.size() << " in: " << OpsString();
    throw std::runtime_error("node not found");
  }
  return all[0];
}

int64_t Harness::Int(const NodeView& n, const std::string& attr) {
  auto v = n.IntAttr(attr);
  if (!v.ok()) {
    ADD_FAILURE() << n.op() << " \"" << n.name() << "\": " << v.status();
    throw std::runtime_error("attr");
  }
  return *v;
}

double Harness::Float(const NodeView& n, const std::string& attr) {
  auto v = n.FloatAttr(attr);
  if (!v.ok()) {
    ADD_FAILURE() << n.op() << " \"" << n.name() << "\": " << v.status();
    throw std::runtime_error("attr");
  }
  return *v;
}

std::vector<int64_t> Harness::Ints(const NodeView& n, const std::string& attr) {
  auto v = n.IntListAttr(attr);
  if (!v.ok()) {
    ADD_FAILURE() << n.op() << " \"" << n.name() << "\": " << v.status();
    throw std::runtime_error("attr");
  }
  return *v;
}

std::vector<int32_t> Harness::I32(const ValueView& v) {
  if (!v || !v.is_const() || v.type() != TFLC_TYPE_INT32) {
    ADD_FAILURE() << "expected an INT32 constant";
    throw std::runtime_error("const");
  }
  const auto* p = v.data_as<int32_t>();
  return std::vector<int32_t>(p, p + v.byte_size() / 4);
}

std::vector<float> Harness::F32(const ValueView& v) {
  if (!v || !v.is_const() || v.type() != TFLC_TYPE_FLOAT32) {
    ADD_FAILURE() << "expected a FLOAT32 constant";
    throw std::runtime_error("const");
  }
  const auto* p = v.data_as<float>();
  return std::vector<float>(p, p + v.byte_size() / 4);
}

StatusOr<std::vector<HostTensor>> Harness::Run(const std::vector<HostTensor>& inputs) {
  TFLC_RETURN_IF_ERROR(host_.RunPipeline());
  return host_.Interpret(inputs);
}

void ExpectNear(const std::vector<float>& actual, const std::vector<float>& expected, float tol) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], tol) << "at index " << i;
  }
}

}  // namespace tflc::lower_builtin::testing
