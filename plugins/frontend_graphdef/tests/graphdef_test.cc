// frontend_graphdef: probe, the shared frozen GraphDefs through the whole pipeline (FakeHost with the
// real lower_builtin + opset_builtin), text GraphDefs written by the test, and bad inputs.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "frontend.h"
#include "tflc/testing/fake_host.h"

#if TFLC_TF_HAVE_PIPELINE
extern "C" const TflcPluginApi* TflcLowerBuiltin_Query(const TflcPluginQuery_Args* args);
extern "C" const TflcPluginApi* TflcOpsetBuiltin_Query(const TflcPluginQuery_Args* args);
#endif

namespace tflc::graphdef {
namespace {

using tflc::testing::FakeHost;
using tflc::testing::HostTensor;

std::string Shared() {
  struct stat st;
  std::string d = TFLC_SHARED_MODELS_DIR;
  return ::stat((d + "/MANIFEST.md").c_str(), &st) == 0 ? d : "";
}

std::string TempDir() {
  static std::string dir = [] {
    char tmpl[] = "/tmp/tflc_graphdef_test_XXXXXX";
    return std::string(::mkdtemp(tmpl));
  }();
  return dir;
}

std::string Write(const std::string& name, const std::string& text) {
  std::string p = TempDir() + "/" + name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

struct Opts {
  std::string inputs, outputs, shapes;
};

Status Load(FakeHost& h, const std::string& path, const Opts& o, bool pipeline) {
  TFLC_RETURN_IF_ERROR(h.Register(&TflcFrontendGraphDef_Query, "frontend_graphdef"));
#if TFLC_TF_HAVE_PIPELINE
  if (pipeline) {
    TFLC_RETURN_IF_ERROR(h.Register(&TflcLowerBuiltin_Query, "lower_builtin"));
    TFLC_RETURN_IF_ERROR(h.Register(&TflcOpsetBuiltin_Query, "opset_builtin"));
  }
#endif
  if (!o.inputs.empty()) h.SetOption("input_arrays", o.inputs);
  if (!o.outputs.empty()) h.SetOption("output_arrays", o.outputs);
  if (!o.shapes.empty()) h.SetOption("input_shapes", o.shapes);
  TFLC_RETURN_IF_ERROR(h.LoadModel(path, "graph_def"));
  return pipeline ? h.RunPipeline() : OkStatus();
}

int Probe(const std::string& path) {
  FakeHost h;
  TflcPluginQuery_Args q{};
  q.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  q.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  q.host_abi_minor = TFLC_ABI_VERSION_MINOR;
  q.host = h.api();
  const TflcPluginApi* api = TflcFrontendGraphDef_Query(&q);
  TflcFrontendProbe_Args a{};
  a.struct_size = TflcFrontendProbe_Args_STRUCT_SIZE;
  a.host = h.api();
  a.path = sdk::Sv(path);
  TflcStatus* s = api->frontends[0].Probe(&a);
  EXPECT_EQ(s, nullptr);
  return a.confidence;
}

// y = x * 2 + 1 with a PlaceholderWithDefault, a control edge and an Identity, as text.
const char* kTextGraph = R"pb(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: -1 } dim { size: 3 } } } } }
node { name: "two" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } } float_val: 2 } } } }
node { name: "one" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { } float_val: 1 } } } }
node { name: "scale" op: "PlaceholderWithDefault" input: "two"
       attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "shape" value { shape { dim { size: 3 } } } } }
node { name: "noop" op: "NoOp" }
node { name: "mul" op: "Mul" input: "x" input: "scale" input: "^noop" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "add" op: "AddV2" input: "mul" input: "one:0" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "y" op: "Identity" input: "add" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "unused" op: "Sub" input: "x" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
)pb";

TEST(GraphDefProbe, Confidence) {
  std::string txt = Write("probe.pbtxt", kTextGraph);
  EXPECT_GE(Probe(txt), 50);
  EXPECT_EQ(Probe(Write("garbage.pb", "\xff\xff\xff not a graph")), 0);
  EXPECT_EQ(Probe(TempDir()), 0);
  EXPECT_EQ(Probe(TempDir() + "/missing.pb"), 0);
  if (!Shared().empty()) {
    EXPECT_GE(Probe(Shared() + "/tf2onnx_fc_layers_frozen/frozen.pb"), 50);
  }
}

TEST(GraphDefText, ImportsAndPrunes) {
  FakeHost h;
  Status s = Load(h, Write("g.pbtxt", kTextGraph), {"x", "y", ""}, false);
  ASSERT_TRUE(s.ok()) << s;
  std::string dump = h.Dump();
  EXPECT_EQ(dump.find("unused"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("NoOp"), std::string::npos) << dump;
  EXPECT_NE(dump.find("Mul"), std::string::npos) << dump;
  ASSERT_EQ(h.graph().num_inputs(), 1u);
  EXPECT_EQ(h.graph().input(0).dims(), (std::vector<int64_t>{1, 3}));
}

#if TFLC_TF_HAVE_PIPELINE
TEST(GraphDefText, RunsWithPipeline) {
  FakeHost h;
  Status s = Load(h, Write("g2.pbtxt", kTextGraph), {"x", "y", "1,3"}, true);
  ASSERT_TRUE(s.ok()) << s << "\n" << h.Dump();
  auto out = h.Interpret({HostTensor::Float({1, 3}, {1, 2, 3})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].floats(), (std::vector<float>{3, 5, 7}));
}
#endif

struct SharedCase {
  const char* file;
  const char* inputs;
  const char* outputs;
  const char* shapes;
  std::vector<int64_t> in_dims;
  std::vector<int64_t> out_dims;
};

class SharedGraphs : public ::testing::TestWithParam<SharedCase> {};

TEST_P(SharedGraphs, ConvertsAndRuns) {
  if (Shared().empty()) GTEST_SKIP() << "../shared/models is absent";
#if !TFLC_TF_HAVE_PIPELINE
  GTEST_SKIP() << "lower_builtin / opset_builtin not built";
#else
  const SharedCase& c = GetParam();
  FakeHost h;
  Status s = Load(h, Shared() + "/" + c.file, {c.inputs, c.outputs, c.shapes}, true);
  ASSERT_TRUE(s.ok()) << s << "\n" << h.Dump();
  int64_t n = 1;
  for (int64_t d : c.in_dims) n *= d;
  std::vector<float> x(static_cast<size_t>(n));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 101) / 101.0f;
  auto out = h.Interpret({HostTensor::Float(c.in_dims, x)});
  ASSERT_TRUE(out.ok()) << out.status() << "\n" << h.Dump();
  EXPECT_EQ((*out)[0].dims, c.out_dims);
  for (float v : (*out)[0].floats()) EXPECT_TRUE(std::isfinite(v));
#endif
}

INSTANTIATE_TEST_SUITE_P(
    Frozen, SharedGraphs,
    ::testing::Values(SharedCase{"tf2onnx_fc_layers_frozen/frozen.pb", "X", "output", "", {1, 784}, {1, 10}},
                      SharedCase{"tf2onnx_ae0_frozen/frozen.pb", "X", "output", "", {1, 784}, {1, 784}},
                      SharedCase{"tf2onnx_regression/graphdef/frozen.pb", "X", "pred", "1", {1}, {1}}),
    [](const auto& info) { return std::to_string(info.index); });

// ---- bad inputs ----

TEST(GraphDefErrors, CorruptFile) {
  FakeHost h;
  Status s = Load(h, Write("corrupt.pb", std::string("\x0a\xff\xff\xff\x0f garbage", 14)), {"x", "y", ""}, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a valid TensorFlow GraphDef"), std::string::npos) << s;
}

TEST(GraphDefErrors, UnknownOutputSuggestsCloseNames) {
  FakeHost h;
  Status s = Load(h, Write("g3.pbtxt", kTextGraph), {"x", "ad", ""}, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("output array 'ad'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("did you mean 'add'"), std::string::npos) << s;
}

TEST(GraphDefErrors, OutputArraysRequired) {
  FakeHost h;
  Status s = Load(h, Write("g4.pbtxt", kTextGraph), {"x", "", ""}, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--output_arrays is required"), std::string::npos) << s;
  EXPECT_NE(s.message().find("'y'"), std::string::npos) << s;
}

TEST(GraphDefErrors, UnknownShapeNamesInput) {
  FakeHost h;
  const char* g = R"pb(
node { name: "keep_prob" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "y" op: "Neg" input: "keep_prob" attr { key: "T" value { type: DT_FLOAT } } })pb";
  Status s = Load(h, Write("g5.pbtxt", g), {"keep_prob", "y", ""}, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("input 'keep_prob' has an unknown shape"), std::string::npos) << s;
  EXPECT_NE(s.message().find("--input_shapes"), std::string::npos) << s;
}

TEST(GraphDefErrors, Cycle) {
  FakeHost h;
  const char* g = R"pb(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: 1 } } } } }
node { name: "a" op: "AddV2" input: "x" input: "b" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "b" op: "Neg" input: "a" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "y" op: "Identity" input: "b" attr { key: "T" value { type: DT_FLOAT } } })pb";
  Status s = Load(h, Write("cycle.pbtxt", g), {"x", "y", ""}, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cycle"), std::string::npos) << s;
  EXPECT_NE(s.message().find("'a'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("'b'"), std::string::npos) << s;
}

TEST(GraphDefErrors, RecursiveFunction) {
  FakeHost h;
  const char* g = R"pb(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: 1 } } } } }
node { name: "call" op: "PartitionedCall" input: "x" attr { key: "f" value { func { name: "loop" } } } }
library { function {
  signature { name: "loop" input_arg { name: "a" type: DT_FLOAT } output_arg { name: "out" type: DT_FLOAT } }
  node_def { name: "again" op: "PartitionedCall" input: "a" attr { key: "f" value { func { name: "loop" } } } }
  ret { key: "out" value: "again:output:0" } } })pb";
  Status s = Load(h, Write("rec.pbtxt", g), {"x", "call", ""}, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("function 'loop' calls itself"), std::string::npos) << s;
}

// Shapes whose element count overflows int64 (signed overflow before: undefined behaviour) are a
// clear error; through the in-memory entry point the fuzzer uses.
TEST(GraphDefErrors, ConstShapeOverflowIsAnError) {
  FakeHost h;
  h.SetOption("output_arrays", "c");
  const std::string g = R"pb(
node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT float_val: 1
         tensor_shape { dim { size: 4294967296 } dim { size: 4294967296 } dim { size: 16 } } } } } })pb";
  Status s = LoadGraphDefBytes(h.api(), h.options(), "c.pbtxt", g, h.model());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), TFLC_CODE_INVALID_ARGUMENT) << s;
  EXPECT_NE(s.message().find("Const node 'c'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("more than 2^58 elements"), std::string::npos) << s;
}

TEST(GraphDefFunctions, InlinesCalls) {
  FakeHost h;
  const char* g = R"pb(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: 1 } dim { size: 2 } } } } }
node { name: "call" op: "StatefulPartitionedCall" input: "x" attr { key: "f" value { func { name: "f" } } } }
node { name: "y" op: "Identity" input: "call:1" attr { key: "T" value { type: DT_FLOAT } } }
library { function {
  signature { name: "f" input_arg { name: "a" type: DT_FLOAT }
              output_arg { name: "o0" type: DT_FLOAT } output_arg { name: "o1" type: DT_FLOAT } }
  node_def { name: "n" op: "Neg" input: "a" attr { key: "T" value { type: DT_FLOAT } } }
  node_def { name: "r" op: "Relu" input: "n:y:0" attr { key: "T" value { type: DT_FLOAT } } }
  ret { key: "o0" value: "n:y:0" } ret { key: "o1" value: "r:activations:0" } } })pb";
  Status s = Load(h, Write("fn.pbtxt", g), {"x", "y", ""}, false);
  ASSERT_TRUE(s.ok()) << s;
  std::string dump = h.Dump();
  EXPECT_NE(dump.find("call/n"), std::string::npos) << dump;
  EXPECT_NE(dump.find("call/r"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("PartitionedCall"), std::string::npos) << dump;
}

}  // namespace
}  // namespace tflc::graphdef
