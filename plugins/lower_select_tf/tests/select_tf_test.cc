// Select TF ops and custom ops end to end in-process: the GraphDef frontend reads
// tests/tf/data/select_tf_mix.pbtxt, the real lowerings and exporter produce .tflite bytes, and the
// test reads them back with the TFLite schema: each Flex op's custom_options must decode
// (FlexBuffers) to its op name and a NodeDef equal, field by field, to the source node; each custom
// op's to the source node's attributes.
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "custom.h"
#include "flatbuffers/flexbuffers.h"
#include "frontend.h"
#include "graph.pb.h"
#include "lowerings.h"
#include "opset_builtin.h"
#include "select_tf.h"
#include "tf_common/util.h"
#include "tflc/schema/tflite_generated.h"
#include "tflc/testing/fake_host.h"

namespace tflc {
namespace {

const std::string kGraph = std::string(TFLC_SOURCE_DIR) + "/tests/tf/data/select_tf_mix.pbtxt";

tf::GraphDef SourceGraph() {
  std::ifstream in(kGraph);
  std::stringstream ss;
  ss << in.rdbuf();
  tf::GraphDef g;
  EXPECT_TRUE(tf::ParseTextProto(ss.str(), &g));
  return g;
}

const tf::NodeDef* FindNode(const tf::GraphDef& g, const std::string& name) {
  for (const auto& n : g.node()) {
    if (n.name() == name) return &n;
  }
  return nullptr;
}

struct Conversion {
  Status status;
  std::string tflite;
};

// Converts a test graph up to `output` with the given options (key → value).
Conversion Convert(const std::string& output, const std::map<std::string, std::string>& options,
                   const std::string& path = kGraph) {
  testing::FakeHost host;
  for (auto q : {&TflcFrontendGraphDef_Query, &TflcLowerBuiltin_Query, &TflcOpsetBuiltin_Query,
                 &TflcLowerSelectTf_Query, &TflcLowerCustom_Query}) {
    Status st = host.Register(q);
    if (!st.ok()) return {st, ""};
  }
  host.SetOption("input_arrays", "x");
  host.SetOption("output_arrays", output);
  for (const auto& [k, v] : options) host.SetOption(k, v);
  Conversion c;
  c.status = host.LoadModel(path, "graph_def");
  if (c.status.ok()) c.status = host.RunPipeline();
  if (!c.status.ok()) return c;
  auto bytes = host.Export();
  if (!bytes.ok()) return {bytes.status(), ""};
  c.tflite = *bytes;
  return c;
}

struct CustomOp {
  std::string code;
  std::vector<uint8_t> options;
  tflite::CustomOptionsFormat format;
  std::vector<int32_t> inputs, outputs;
};

std::vector<CustomOp> CustomOps(const std::string& tflite, std::vector<std::string>* builtins = nullptr) {
  std::vector<CustomOp> out;
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(tflite.data()), tflite.size());
  EXPECT_TRUE(tflite::VerifyModelBuffer(v));
  const tflite::Model* m = tflite::GetModel(tflite.data());
  for (const tflite::Operator* op : *m->subgraphs()->Get(0)->operators()) {
    const tflite::OperatorCode* oc = m->operator_codes()->Get(op->opcode_index());
    if (oc->builtin_code() != tflite::BuiltinOperator_CUSTOM) {
      if (builtins) builtins->push_back(tflite::EnumNameBuiltinOperator(oc->builtin_code()));
      continue;
    }
    CustomOp c;
    c.code = oc->custom_code()->str();
    if (op->custom_options()) c.options.assign(op->custom_options()->begin(), op->custom_options()->end());
    c.format = op->custom_options_format();
    c.inputs.assign(op->inputs()->begin(), op->inputs()->end());
    c.outputs.assign(op->outputs()->begin(), op->outputs()->end());
    out.push_back(c);
  }
  return out;
}

// The Flex op's custom_options: a FlexBuffer vector [op name, NodeDef bytes], both checked.
void ExpectFlexOp(const CustomOp& op, const tf::NodeDef& source) {
  SCOPED_TRACE(op.code);
  EXPECT_EQ(op.code, "Flex" + source.op());
  EXPECT_EQ(op.format, tflite::CustomOptionsFormat_FLEXBUFFERS);
  ASSERT_TRUE(flexbuffers::VerifyBuffer(op.options.data(), op.options.size()));
  flexbuffers::Reference root = flexbuffers::GetRoot(op.options);
  ASSERT_TRUE(root.IsVector());
  flexbuffers::Vector vec = root.AsVector();
  ASSERT_EQ(vec.size(), 2u);
  EXPECT_EQ(vec[0].AsString().str(), source.op());
  tf::NodeDef decoded;
  ASSERT_TRUE(decoded.ParseFromString(vec[1].AsString().str()));
  EXPECT_EQ(decoded.name(), source.name());
  EXPECT_EQ(decoded.op(), source.op());
  EXPECT_EQ(decoded.device(), source.device());
  ASSERT_EQ(decoded.input_size(), source.input_size());
  for (int i = 0; i < source.input_size(); ++i) EXPECT_EQ(decoded.input(i), source.input(i));
  ASSERT_EQ(decoded.attr_size(), source.attr_size());
  for (const auto& [key, value] : source.attr()) {
    auto it = decoded.attr().find(key);
    ASSERT_NE(it, decoded.attr().end()) << key;
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(it->second, value)) << key;
  }
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(decoded, source));
}

TEST(SelectTf, FlexOpsCarryTheSourceNodeDefs) {
  Conversion c = Convert("m", {{"enable_select_tf_ops", "true"}});
  ASSERT_TRUE(c.status.ok()) << c.status.message();
  std::vector<std::string> builtins;
  std::vector<CustomOp> ops = CustomOps(c.tflite, &builtins);
  EXPECT_EQ(builtins, (std::vector<std::string>{"RELU", "MUL"}));
  ASSERT_EQ(ops.size(), 2u);
  tf::GraphDef g = SourceGraph();
  ExpectFlexOp(ops[0], *FindNode(g, "model/erf"));
  ExpectFlexOp(ops[1], *FindNode(g, "model/cumprod"));
  EXPECT_EQ(ops[0].inputs.size(), 1u);  // the control input stays in the NodeDef only
  EXPECT_EQ(ops[1].inputs.size(), 2u);  // data and axis
}

// A node inlined from a function: its NodeDef gets the flat name and flat data inputs (the body's
// "a" means nothing outside the function); op, device and attributes stay as they were.
TEST(SelectTf, InlinedFunctionNodesGetTheirFlatNames) {
  Conversion c = Convert("y", {{"enable_select_tf_ops", "true"}},
                         std::string(TFLC_SOURCE_DIR) + "/tests/tf/data/select_tf_function.pbtxt");
  ASSERT_TRUE(c.status.ok()) << c.status.message();
  std::vector<CustomOp> ops = CustomOps(c.tflite);
  ASSERT_EQ(ops.size(), 1u);
  tf::NodeDef expected;
  expected.set_name("call/e");
  expected.set_op("Erf");
  expected.add_input("x");
  (*expected.mutable_attr())["T"].set_type(tf::DT_FLOAT);
  ExpectFlexOp(ops[0], expected);
}

TEST(SelectTf, SupportedOpsListEnablesIt) {
  Conversion c = Convert("m", {{"target_spec.supported_ops", "TFLITE_BUILTINS,SELECT_TF_OPS"}});
  ASSERT_TRUE(c.status.ok()) << c.status.message();
  EXPECT_EQ(CustomOps(c.tflite).size(), 2u);
}

TEST(SelectTf, OutputTypesAndShapesForTheRuntime) {
  Conversion c = Convert("m", {{"enable_select_tf_ops", "true"}});
  ASSERT_TRUE(c.status.ok()) << c.status.message();
  const tflite::Model* m = tflite::GetModel(c.tflite.data());
  const tflite::SubGraph* sg = m->subgraphs()->Get(0);
  for (const CustomOp& op : CustomOps(c.tflite)) {
    const tflite::Tensor* t = sg->tensors()->Get(op.outputs[0]);
    EXPECT_EQ(t->type(), tflite::TensorType_FLOAT32) << op.code;
    ASSERT_NE(t->shape(), nullptr);
    EXPECT_EQ(std::vector<int32_t>(t->shape()->begin(), t->shape()->end()), (std::vector<int32_t>{1, 6})) << op.code;
  }
}

TEST(SelectTf, OpsOutsideTheAllowlistAreRefusedAllAtOnce) {
  Conversion c = Convert("y", {{"enable_select_tf_ops", "true"}});
  ASSERT_FALSE(c.status.ok());
  const std::string& m = c.status.message();
  EXPECT_NE(m.find("AcmeFancyOp x1 (first: 'acme')"), std::string::npos) << m;
  EXPECT_NE(m.find("Flex allowlist"), std::string::npos) << m;
  EXPECT_NE(m.find("--allow_custom_ops"), std::string::npos) << m;
  EXPECT_EQ(m.find("--enable_select_tf_ops to"), std::string::npos) << m;  // already on
  EXPECT_EQ(m.find("Erf"), std::string::npos) << m;                       // Flex covers it
}

TEST(SelectTf, AllowlistIsSortedAndKnowsCommonOps) {
  EXPECT_TRUE(select_tf::IsAllowlisted("Erf"));
  EXPECT_TRUE(select_tf::IsAllowlisted("RFFT"));
  EXPECT_TRUE(select_tf::IsAllowlisted("_Retval"));
  EXPECT_FALSE(select_tf::IsAllowlisted("AcmeFancyOp"));
  EXPECT_FALSE(select_tf::IsAllowlisted("erf"));
  EXPECT_FALSE(select_tf::IsAllowlisted(""));
}

// The custom op's options: a FlexBuffer map of the source attributes (keys sorted), as TensorFlow's
// converter writes them; kinds it does not carry (and TF-internal "_" attributes) are absent.
TEST(CustomOps, AllowCustomOpsWritesTheAttributesAsAFlexBufferMap) {
  Conversion c = Convert("y", {{"allow_custom_ops", "true"}});
  ASSERT_TRUE(c.status.ok()) << c.status.message();
  std::vector<std::string> builtins;
  std::vector<CustomOp> ops = CustomOps(c.tflite, &builtins);
  // Without Select TF, Erf and Cumprod are custom ops too (named as in TF).
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].code, "Erf");
  EXPECT_EQ(ops[1].code, "Cumprod");
  EXPECT_EQ(ops[2].code, "AcmeFancyOp");
  const tf::GraphDef graph = SourceGraph();
  const tf::NodeDef& src = *FindNode(graph, "acme");
  ASSERT_TRUE(flexbuffers::VerifyBuffer(ops[2].options.data(), ops[2].options.size()));
  flexbuffers::Map map = flexbuffers::GetRoot(ops[2].options).AsMap();
  std::vector<std::string> keys;
  for (size_t i = 0; i < map.Keys().size(); ++i) keys.push_back(map.Keys()[i].AsKey());
  EXPECT_EQ(keys, (std::vector<std::string>{"T", "alpha", "count", "dims", "enabled", "mode", "names", "out_dtype",
                                            "scales"}));
  EXPECT_EQ(map["T"].AsInt64(), tflite::TensorType_FLOAT32);
  EXPECT_EQ(map["out_dtype"].AsInt64(), tflite::TensorType_INT32);
  EXPECT_FLOAT_EQ(map["alpha"].AsFloat(), src.attr().at("alpha").f());
  EXPECT_EQ(map["count"].AsInt64(), src.attr().at("count").i());
  EXPECT_EQ(map["enabled"].AsBool(), src.attr().at("enabled").b());
  EXPECT_EQ(map["mode"].AsString().str(), src.attr().at("mode").s());
  flexbuffers::TypedVector dims = map["dims"].AsTypedVector();
  ASSERT_EQ(static_cast<int>(dims.size()), src.attr().at("dims").list().i_size());
  for (size_t i = 0; i < dims.size(); ++i) EXPECT_EQ(dims[i].AsInt64(), src.attr().at("dims").list().i(static_cast<int>(i)));
  flexbuffers::TypedVector scales = map["scales"].AsTypedVector();
  ASSERT_EQ(static_cast<int>(scales.size()), src.attr().at("scales").list().f_size());
  for (size_t i = 0; i < scales.size(); ++i)
    EXPECT_FLOAT_EQ(scales[i].AsFloat(), src.attr().at("scales").list().f(static_cast<int>(i)));
  flexbuffers::TypedVector names = map["names"].AsTypedVector();
  ASSERT_EQ(static_cast<int>(names.size()), src.attr().at("names").list().s_size());
  for (size_t i = 0; i < names.size(); ++i)
    EXPECT_EQ(names[i].AsString().str(), src.attr().at("names").list().s(static_cast<int>(i)));
  // The graph's _output_shapes gave the custom op's output its shape, so TANH after it has one too.
  const tflite::SubGraph* sg = tflite::GetModel(c.tflite.data())->subgraphs()->Get(0);
  const tflite::Tensor* t = sg->tensors()->Get(ops[2].outputs[0]);
  EXPECT_EQ(std::vector<int32_t>(t->shape()->begin(), t->shape()->end()), (std::vector<int32_t>{1, 6}));
}

// builtin > Select TF > custom: with both flags, Erf and Cumprod go to Flex and only the op outside
// the allowlist becomes a plain custom op; Relu, Mul and Tanh stay builtins.
TEST(CustomOps, PrecedenceBuiltinThenSelectTfThenCustom) {
  Conversion c = Convert("y", {{"allow_custom_ops", "true"}, {"enable_select_tf_ops", "true"}});
  ASSERT_TRUE(c.status.ok()) << c.status.message();
  std::vector<std::string> builtins;
  std::vector<CustomOp> ops = CustomOps(c.tflite, &builtins);
  EXPECT_EQ(builtins, (std::vector<std::string>{"RELU", "MUL", "TANH"}));
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].code, "FlexErf");
  EXPECT_EQ(ops[1].code, "FlexCumprod");
  EXPECT_EQ(ops[2].code, "AcmeFancyOp");
}

TEST(CustomOps, AttrMapSkipsKindsCustomOptionsDoNotCarry) {
  tf::NodeDef def;
  def.set_op("X");
  (*def.mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(3);
  (*def.mutable_attr())["empty"].mutable_list();
  (*def.mutable_attr())["_class"].mutable_list()->add_s("loc:@x");
  (*def.mutable_attr())["k"].set_i(4);
  std::string options;
  std::vector<std::string> skipped;
  ASSERT_TRUE(lower_custom::AttrMapOptions(def.SerializeAsString(), &options, &skipped));
  EXPECT_EQ(skipped, (std::vector<std::string>{"empty", "shape"}));
  flexbuffers::Map map = flexbuffers::GetRoot(reinterpret_cast<const uint8_t*>(options.data()), options.size()).AsMap();
  EXPECT_EQ(map.size(), 1u);
  EXPECT_EQ(map["k"].AsInt64(), 4);
  EXPECT_FALSE(lower_custom::AttrMapOptions("\xff\xff\xff", &options, &skipped));
}

}  // namespace
}  // namespace tflc
