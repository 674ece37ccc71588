#include "test_util.h"

#include <cmath>

#include "opset_builtin.h"

namespace tflc::opset_builtin::testing {

OpsetTest::OpsetTest() {
  Status s = host_.Register(TflcOpsetBuiltin_Query, "opset_builtin (in-process)");
  EXPECT_TRUE(s.ok()) << s;
}

ValueView OpsetTest::Input(TflcDataType type, const Dims& dims) {
  auto v = g().Input("in" + std::to_string(counter_++), type, dims);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : ValueView();
}

ValueView OpsetTest::Const(const Tensor& t) {
  if (t.type == TFLC_TYPE_UNKNOWN) return ValueView(host_.api(), nullptr);
  auto v = g().Const("c" + std::to_string(counter_++), t.type, t.dims, t.bytes.data(), t.bytes.size());
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : ValueView();
}

NodeView OpsetTest::Node(const std::string& op, const std::vector<ValueView>& inputs, const Attrs& attrs,
                         size_t num_outputs) {
  std::vector<ValueView> ins = inputs;
  for (auto& v : ins) {
    if (!v) v = ValueView(host_.api(), nullptr);
  }
  auto n = g().Builtin(op, op + "_" + std::to_string(counter_++), ins, num_outputs);
  EXPECT_TRUE(n.ok()) << n.status();
  if (!n.ok()) return NodeView();
  for (const Attr& a : attrs) {
    Status s;
    switch (a.kind) {
      case Attr::kInt: s = n->SetInt(a.name, a.i); break;
      case Attr::kFloat: s = n->SetFloat(a.name, a.f); break;
      case Attr::kBool: s = n->SetBool(a.name, a.i != 0); break;
      case Attr::kInts: s = n->SetIntList(a.name, a.ints); break;
    }
    EXPECT_TRUE(s.ok()) << s;
  }
  return *n;
}

void OpsetTest::SetQuant(const ValueView& v, const Quant& q) {
  TflcQuantParams p{};
  p.struct_size = TflcQuantParams_STRUCT_SIZE;
  p.scales = q.scales.data();
  p.zero_points = q.zero_points.data();
  p.count = q.scales.size();
  p.quantized_dimension = q.dim;
  TflcStatus* s = host_.api()->Value_SetQuant(v.get(), &p);
  EXPECT_EQ(s, nullptr) << "Value_SetQuant failed";
  if (s) host_.api()->Status_Destroy(s);
}

std::vector<Tensor> OpsetTest::Fold(const std::string& op, const std::vector<Tensor>& inputs, const Attrs& attrs,
                                    size_t num_outputs) {
  std::vector<ValueView> ins;
  for (const Tensor& t : inputs) ins.push_back(Const(t));
  NodeView n = Node(op, ins, attrs, num_outputs);
  if (!n) return {};
  const size_t first_output = g().num_outputs();
  for (size_t k = 0; k < num_outputs; ++k) {
    Status s = g().Output(n.output(k), "y" + std::to_string(first_output + k));
    EXPECT_TRUE(s.ok()) << s;
  }
  Status s = host_.InferShapes();
  if (!s.ok()) {
    ADD_FAILURE() << op << ": InferShapes: " << s;
    return {};
  }
  s = host_.FoldConstants();
  if (!s.ok()) {
    ADD_FAILURE() << op << ": FoldConstants: " << s;
    return {};
  }
  std::vector<Tensor> out;
  for (size_t k = 0; k < num_outputs; ++k) {
    ValueView v = g().output(first_output + k);
    if (!v.is_const()) {
      ADD_FAILURE() << op << ": output " << k << " was not folded (kernel declined: UNIMPLEMENTED?)";
      return {};
    }
    Tensor t;
    t.type = v.type();
    t.dims = v.dims();
    const auto* d = static_cast<const uint8_t*>(v.data());
    t.bytes.assign(d, d + v.byte_size());
    out.push_back(std::move(t));
  }
  return out;
}

Status OpsetTest::InferOne(const std::string& op, const std::vector<ValueView>& inputs, const Attrs& attrs,
                           NodeView* node, size_t num_outputs) {
  *node = Node(op, inputs, attrs, num_outputs);
  return host_.InferShapes();
}

Status OpsetTest::ShapeStatus(const std::string& op, const std::vector<Arg>& inputs, const Attrs& attrs,
                              size_t num_outputs) {
  class Fresh : public OpsetTest {
    void TestBody() override {}
  } fresh;
  std::vector<ValueView> ins;
  for (const Arg& a : inputs) ins.push_back(a.constant ? fresh.Const(a.tensor) : fresh.Input(a.type, a.dims));
  NodeView n;
  return fresh.InferOne(op, ins, attrs, &n, num_outputs);
}

const TflcOpsetEntry* OpsetTest::Entry(const std::string& op) {
  TflcPluginQuery_Args q{};
  q.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  q.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  q.host_abi_minor = TFLC_ABI_VERSION_MINOR;
  const TflcPluginApi* api = TflcOpsetBuiltin_Query(&q);
  if (!api) return nullptr;
  for (size_t i = 0; i < api->num_ops; ++i) {
    const auto* e = reinterpret_cast<const TflcOpsetEntry*>(reinterpret_cast<const char*>(api->ops) + i * api->op_stride);
    if (op == e->op) return e;
  }
  return nullptr;
}

int OpsetTest::VersionOf(const NodeView& node) {
  const TflcOpsetEntry* e = Entry(std::string(node.op()));
  if (!e || !e->Version) return 1;
  TflcOpVersion_Args a{};
  a.struct_size = TflcOpVersion_Args_STRUCT_SIZE;
  a.host = host_.api();
  a.node = node.get();
  a.user_data = e->user_data;
  TflcStatus* s = e->Version(&a);
  if (s) {
    ADD_FAILURE() << "Version failed: " << sdk::Str(host_.api()->Status_Message(s));
    host_.api()->Status_Destroy(s);
    return -1;
  }
  return a.version;
}

void ExpectNear(const std::vector<float>& actual, const std::vector<float>& expected, float tol) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], tol) << "at element " << i;
  }
}

::testing::AssertionResult SameBits(const std::vector<float>& actual, const std::vector<float>& expected) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure() << actual.size() << " elements, expected " << expected.size();
  }
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(actual[i]) && std::isnan(expected[i])) continue;
    if (std::memcmp(&actual[i], &expected[i], sizeof(float)) != 0) {
      return ::testing::AssertionFailure() << "element " << i << " is " << actual[i] << ", expected " << expected[i]
                                           << " (bits differ)";
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult StatusHas(const Status& s, TflcStatusCode code, const std::string& needle) {
  if (s.code() != code) {
    return ::testing::AssertionFailure() << "expected " << StatusCodeName(code) << ", got " << s;
  }
  if (s.message().find(needle) == std::string::npos) {
    return ::testing::AssertionFailure() << "message lacks '" << needle << "': " << s;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace tflc::opset_builtin::testing
