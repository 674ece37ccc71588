// Exporter: file format rules (TFL3, buffer 0 empty, dedupe, options, versions, metadata,
// signatures), determinism, large-model offsets and atomic writes. Uses a tiny in-test opset so it
// does not depend on the builtin opset plugin.
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include "driver/converter.h"
#include "export/exporter.h"
#include "inspect/inspect.h"
#include "ir/host_api.h"
#include "registry/registry.h"
#include "tflc/schema/conversion_metadata_generated.h"
#include "tflc/schema/tflite_generated.h"
#include "tflc/sdk/plugin.h"

namespace {

using tflc::sdk::GraphBuilder;
using tflc::sdk::NodeView;
namespace fs = boost::filesystem;

TflcStatus* SameShape(TflcOpShape_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> tflc::Status {
    NodeView n(args->host, args->node);
    return n.output(0).SetShape(n.input(0).type(), n.input(0).dims());
  });
}
TflcStatus* AddVersion(TflcOpVersion_Args* args) {
  NodeView n(args->host, args->node);
  args->version = n.input(0).rank() > 4 ? 3 : 2;  // arbitrary rule, to see it applied
  return nullptr;
}
const TflcOptionField kAddFields[] = {tflc::sdk::Field("fused_activation_function", 0, TFLC_OPTION_INT8),
                                      tflc::sdk::Field("pot_scale_int16", 1, TFLC_OPTION_BOOL, 1)};
const TflcOptionField kIfFields[] = {tflc::sdk::Field("then_subgraph_index", 0, TFLC_OPTION_SUBGRAPH),
                                     tflc::sdk::Field("else_subgraph_index", 1, TFLC_OPTION_SUBGRAPH)};
const TflcOptionField kWhileFields[] = {tflc::sdk::Field("cond_subgraph_index", 0, TFLC_OPTION_SUBGRAPH),
                                        tflc::sdk::Field("body_subgraph_index", 1, TFLC_OPTION_SUBGRAPH)};
const char* const kAddRuntime[] = {"1.5.0", "1.14.0", "2.3.0"};
const TflcOpsetEntry kOps[] = {
    {TflcOpsetEntry_STRUCT_SIZE, "ADD", TFLC_DOMAIN_BUILTIN, 0, /*AddOptions*/ 11, kAddFields, 2, SameShape, nullptr,
     AddVersion, kAddRuntime, 3, 0, 1, -1, -1, -1, TFLC_ALGEBRA_ADD, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
    {TflcOpsetEntry_STRUCT_SIZE, "RELU", TFLC_DOMAIN_BUILTIN, 19, 0, nullptr, 0, SameShape, nullptr, nullptr, nullptr,
     0, 1, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
    // Ops that call subgraphs (schema: IfOptions = 92, WhileOptions = 93).
    {TflcOpsetEntry_STRUCT_SIZE, "IF", TFLC_DOMAIN_BUILTIN, 118, 92, kIfFields, 2, SameShape, nullptr, nullptr, nullptr,
     0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
    {TflcOpsetEntry_STRUCT_SIZE, "WHILE", TFLC_DOMAIN_BUILTIN, 119, 93, kWhileFields, 2, SameShape, nullptr, nullptr, nullptr,
     0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
};
const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("test_opset", "0", "");
    tflc::sdk::SetOps(a, kOps);
    return a;
  }();
  return &api;
}
extern "C" const TflcPluginApi* TestOpset_Query(const TflcPluginQuery_Args* a) { return tflc::sdk::Negotiate(a, Api()); }

class ExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_.Register(TestOpset_Query, "<test>", [](const std::string&) {}).ok());
    model_ = std::make_unique<TflcModel>();
    model_->source_format = "keras";
    g_ = tflc::host::AddGraph(model_.get(), "serving_default");
  }

  // x -> ADD(x, c1) -> ADD(., c2) -> RELU -> out, with c1 == c2 (same bytes, distinct values).
  void BuildSmall(std::vector<int64_t> dims = {1, 4}) {
    GraphBuilder b(tflc::host::HostApi(), g_);
    auto x = b.Input("serving_default_x:0", TFLC_TYPE_FLOAT32, dims, "x");
    ASSERT_TRUE(x.ok());
    std::vector<float> vals(static_cast<size_t>(tflc::sdk::NumElements(dims)), 0.5f);
    auto c1 = b.ConstFloat("c1", dims, vals);
    auto c2 = b.ConstFloat("c2", dims, vals);
    auto a1 = b.Builtin("ADD", "add1", {*x, *c1});
    auto a2 = b.Builtin("ADD", "add2", {a1->output(0), *c2});
    ASSERT_TRUE(a2->SetInt("fused_activation_function", 1).ok());
    ASSERT_TRUE(a2->SetBool("pot_scale_int16", true).ok());  // equals the default: not stored
    auto r = b.Builtin("RELU", "relu", {a2->output(0)});
    ASSERT_TRUE(b.Output(r->output(0), "out").ok());
    for (auto* n : {a1->get(), a2->get(), r->get()}) {
      NodeView v(tflc::host::HostApi(), n);
      ASSERT_TRUE(v.output(0).SetShape(TFLC_TYPE_FLOAT32, dims).ok());
    }
  }

  std::string Export(const tflc::host::ExportOptions& o = {}) {
    auto bytes = tflc::host::ExportToString(registry_, model_.get(), o);
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    return bytes.ok() ? *bytes : std::string();
  }

  tflc::host::Registry registry_;
  std::unique_ptr<TflcModel> model_;
  TflcGraph* g_ = nullptr;
};

const tflite::Model* Parse(const std::string& bytes) {
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  EXPECT_TRUE(tflite::VerifyModelBuffer(v));
  return tflite::GetModel(bytes.data());
}

TEST_F(ExporterTest, WritesValidSchemaV3WithEmptyBufferZero) {
  BuildSmall();
  std::string bytes = Export();
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(4, 4), "TFL3");
  const tflite::Model* m = Parse(bytes);
  EXPECT_EQ(m->version(), 3u);
  ASSERT_GT(m->buffers()->size(), 0u);
  EXPECT_TRUE(m->buffers()->Get(0)->data() == nullptr || m->buffers()->Get(0)->data()->size() == 0);
  const tflite::SubGraph* sg = m->subgraphs()->Get(0);
  EXPECT_EQ(sg->operators()->size(), 3u);
  EXPECT_EQ(sg->inputs()->size(), 1u);
  EXPECT_EQ(sg->outputs()->size(), 1u);
  // Activations have no buffer; constants do.
  EXPECT_EQ(sg->tensors()->Get(sg->inputs()->Get(0))->buffer(), 0u);
}

TEST_F(ExporterTest, IdenticalConstantsShareOneBuffer) {
  BuildSmall();
  const std::string bytes = Export();
  const tflite::Model* m = Parse(bytes);
  const tflite::SubGraph* sg = m->subgraphs()->Get(0);
  uint32_t b1 = sg->tensors()->Get(sg->operators()->Get(0)->inputs()->Get(1))->buffer();
  uint32_t b2 = sg->tensors()->Get(sg->operators()->Get(1)->inputs()->Get(1))->buffer();
  EXPECT_NE(b1, 0u);
  EXPECT_EQ(b1, b2);
  // 1 sentinel + 1 shared constant + 2 metadata buffers.
  EXPECT_EQ(m->buffers()->size(), 4u);
}

TEST_F(ExporterTest, OptionsVersionsAndRuntimeComeFromTheOpset) {
  BuildSmall({1, 2, 2, 2, 2});  // rank 5: AddVersion says 3
  const std::string bytes = Export();
  const tflite::Model* m = Parse(bytes);
  const tflite::SubGraph* sg = m->subgraphs()->Get(0);
  const tflite::Operator* add2 = sg->operators()->Get(1);
  ASSERT_EQ(add2->builtin_options_type(), tflite::BuiltinOptions_AddOptions);
  EXPECT_EQ(add2->builtin_options_as_AddOptions()->fused_activation_function(), tflite::ActivationFunctionType_RELU);
  const tflite::OperatorCode* add_code = m->operator_codes()->Get(add2->opcode_index());
  EXPECT_EQ(add_code->builtin_code(), tflite::BuiltinOperator_ADD);
  EXPECT_EQ(add_code->version(), 3);
  const tflite::OperatorCode* relu_code = m->operator_codes()->Get(sg->operators()->Get(2)->opcode_index());
  EXPECT_EQ(relu_code->builtin_code(), tflite::BuiltinOperator_RELU);
  EXPECT_EQ(relu_code->deprecated_builtin_code(), 19);
  EXPECT_EQ(relu_code->version(), 1);
  bool found = false;
  for (const tflite::Metadata* md : *m->metadata()) {
    if (md->name()->str() == "min_runtime_version") {
      const auto* data = m->buffers()->Get(md->buffer())->data();
      ASSERT_EQ(data->size(), 16u);
      EXPECT_STREQ(reinterpret_cast<const char*>(data->data()), "2.3.0");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ExporterTest, SignatureDefUsesTheSignatureNames) {
  BuildSmall();
  const std::string bytes = Export();
  const tflite::Model* m = Parse(bytes);
  ASSERT_EQ(m->signature_defs()->size(), 1u);
  const tflite::SignatureDef* s = m->signature_defs()->Get(0);
  EXPECT_EQ(s->signature_key()->str(), "serving_default");
  EXPECT_EQ(s->inputs()->Get(0)->name()->str(), "x");
  EXPECT_EQ(s->outputs()->Get(0)->name()->str(), "out");
  const tflite::SubGraph* sg = m->subgraphs()->Get(0);
  EXPECT_EQ(s->inputs()->Get(0)->tensor_index(), static_cast<uint32_t>(sg->inputs()->Get(0)));
  EXPECT_EQ(s->outputs()->Get(0)->tensor_index(), static_cast<uint32_t>(sg->outputs()->Get(0)));
}

TEST_F(ExporterTest, ConversionMetadataCanBeExcluded) {
  BuildSmall();
  const std::string bytes = Export();
  const tflite::Model* m = Parse(bytes);
  bool has = false;
  for (const tflite::Metadata* md : *m->metadata()) {
    if (md->name()->str() == "CONVERSION_METADATA") {
      has = true;
      const auto* data = m->buffers()->Get(md->buffer())->data();
      auto* cm = flatbuffers::GetRoot<tflite::ConversionMetadata>(data->data());
      EXPECT_EQ(cm->environment()->model_type(), tflite::ModelType_KERAS_MODEL);
    }
  }
  EXPECT_TRUE(has);
  tflc::host::ExportOptions o;
  o.conversion_metadata = false;
  const std::string bytes2 = Export(o);
  m = Parse(bytes2);
  for (const tflite::Metadata* md : *m->metadata()) EXPECT_NE(md->name()->str(), "CONVERSION_METADATA");
}

// Subgraphs: written after the entry graph, only those reached (an unused one is left out), in
// creation order; a WHILE / IF option field of kind TFLC_OPTION_SUBGRAPH holds the subgraph's index
// in the OUTPUT (not its id in the model); subgraphs carry their names and get no SignatureDef.
TEST_F(ExporterTest, SubgraphOptionsAreOutputIndicesAndSubgraphsHaveNoSignature) {
  GraphBuilder b(tflc::host::HostApi(), g_);
  auto relu_graph = [](GraphBuilder& sg) {
    auto v = sg.Input("v", TFLC_TYPE_FLOAT32, {1, 4});
    ASSERT_TRUE(v.ok());
    auto r = sg.Builtin("RELU", "relu", {*v});
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->output(0).SetShape(TFLC_TYPE_FLOAT32, {1, 4}).ok());
    ASSERT_TRUE(sg.Output(r->output(0), "r").ok());
  };
  int64_t unused_id = 0, body_id = 0, cond_id = 0, then_id = 0, else_id = 0;
  // Created in this order: ids 1..5. Output order: main, body, cond, then, else (unused dropped).
  auto unused = b.AddSubgraph("unused_fn", &unused_id);
  auto body = b.AddSubgraph("loop_body", &body_id);
  auto cond = b.AddSubgraph("loop_cond", &cond_id);
  auto then_b = b.AddSubgraph("then_fn", &then_id);
  auto else_b = b.AddSubgraph("else_fn", &else_id);
  for (auto* sg : {&unused, &body, &cond, &then_b, &else_b}) {
    ASSERT_TRUE(sg->ok());
    relu_graph(**sg);
  }
  ASSERT_EQ(unused_id, 1);
  auto x = b.Input("serving_default_x:0", TFLC_TYPE_FLOAT32, {1, 4}, "x");
  auto c = b.Input("serving_default_c:0", TFLC_TYPE_BOOL, {1}, "c");
  auto loop = b.Builtin("WHILE", "loop", {*x});
  ASSERT_TRUE(loop.ok());
  ASSERT_TRUE(loop->SetGraph("cond_subgraph_index", cond_id).ok());
  ASSERT_TRUE(loop->SetGraph("body_subgraph_index", body_id).ok());
  ASSERT_TRUE(loop->output(0).SetShape(TFLC_TYPE_FLOAT32, {1, 4}).ok());
  auto branch = b.Builtin("IF", "branch", {*c, loop->output(0)});
  ASSERT_TRUE(branch.ok());
  ASSERT_TRUE(branch->SetGraph("then_subgraph_index", then_id).ok());
  ASSERT_TRUE(branch->SetGraph("else_subgraph_index", else_id).ok());
  ASSERT_TRUE(branch->output(0).SetShape(TFLC_TYPE_FLOAT32, {1, 4}).ok());
  ASSERT_TRUE(b.Output(branch->output(0), "out").ok());

  const std::string bytes = Export();
  const tflite::Model* m = Parse(bytes);
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->subgraphs()->size(), 5u);
  std::vector<std::string> names;
  for (const tflite::SubGraph* sg : *m->subgraphs()) names.push_back(sg->name()->str());
  EXPECT_EQ(names, (std::vector<std::string>{"main", "loop_body", "loop_cond", "then_fn", "else_fn"}));
  const tflite::SubGraph* main = m->subgraphs()->Get(0);
  ASSERT_EQ(main->operators()->size(), 2u);
  const tflite::Operator* w = main->operators()->Get(0);
  ASSERT_EQ(w->builtin_options_type(), tflite::BuiltinOptions_WhileOptions);
  EXPECT_EQ(w->builtin_options_as_WhileOptions()->cond_subgraph_index(), 2);
  EXPECT_EQ(w->builtin_options_as_WhileOptions()->body_subgraph_index(), 1);
  EXPECT_EQ(m->operator_codes()->Get(w->opcode_index())->builtin_code(), tflite::BuiltinOperator_WHILE);
  const tflite::Operator* i = main->operators()->Get(1);
  ASSERT_EQ(i->builtin_options_type(), tflite::BuiltinOptions_IfOptions);
  EXPECT_EQ(i->builtin_options_as_IfOptions()->then_subgraph_index(), 3);
  EXPECT_EQ(i->builtin_options_as_IfOptions()->else_subgraph_index(), 4);
  // Each subgraph has its own tensors, inputs and outputs; only the entry graph has a signature.
  for (uint32_t k = 1; k < 5; ++k) {
    const tflite::SubGraph* sg = m->subgraphs()->Get(k);
    EXPECT_EQ(sg->operators()->size(), 1u);
    EXPECT_EQ(sg->inputs()->size(), 1u);
    EXPECT_EQ(sg->outputs()->size(), 1u);
  }
  ASSERT_EQ(m->signature_defs()->size(), 1u);
  EXPECT_EQ(m->signature_defs()->Get(0)->subgraph_index(), 0u);
  EXPECT_EQ(m->signature_defs()->Get(0)->signature_key()->str(), "serving_default");
}

TEST_F(ExporterTest, SameInputGivesByteIdenticalOutput) {
  BuildSmall();
  std::string a = Export();
  std::string b = Export();
  EXPECT_EQ(a, b);
}

TEST_F(ExporterTest, LargeModeStoresConstantsAfterTheFlatBuffer) {
  BuildSmall({1, 64});
  tflc::host::ExportOptions o;
  o.large_model_threshold = 0;  // force the >2 GiB layout on a small model
  std::string bytes = Export(o);
  const tflite::Model* m = Parse(bytes);
  const tflite::SubGraph* sg = m->subgraphs()->Get(0);
  const tflite::Buffer* b = m->buffers()->Get(sg->tensors()->Get(sg->operators()->Get(0)->inputs()->Get(1))->buffer());
  EXPECT_TRUE(b->data() == nullptr || b->data()->size() == 0);
  ASSERT_GT(b->offset(), 1u);
  EXPECT_EQ(b->size(), 64u * 4);
  EXPECT_EQ(b->offset() % 16, 0u);
  ASSERT_LE(b->offset() + b->size(), bytes.size());
  float first;
  std::memcpy(&first, bytes.data() + b->offset(), 4);
  EXPECT_EQ(first, 0.5f);
  bool marked = false;
  for (const tflite::Metadata* md : *m->metadata()) marked = marked || md->name()->str() == "buffer_location";
  EXPECT_TRUE(marked);
  // Our own reader round-trips it.
  std::string dump, error;
  ASSERT_TRUE(tflc::host::InspectModel(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), {}, &dump, &error))
      << error;
  EXPECT_NE(dump.find("ADD"), std::string::npos);
}

TEST_F(ExporterTest, FailedExportLeavesNoFile) {
  BuildSmall();
  // A tensor with no known type makes export fail after the temp file was created.
  GraphBuilder b(tflc::host::HostApi(), g_);
  auto r = b.Builtin("RELU", "broken", {b.input(0)});
  ASSERT_TRUE(b.Output(r->output(0), "broken").ok());
  fs::path dir = fs::temp_directory_path() / fs::unique_path("tflc-export-%%%%%%");
  fs::create_directories(dir);
  std::string out = (dir / "model.tflite").string();
  tflc::Status s = tflc::host::ExportToFile(registry_, model_.get(), {}, out);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(fs::is_empty(dir)) << "no output and no temporary file may remain";
  fs::remove_all(dir);
}

TEST_F(ExporterTest, MissingOutputDirectoryIsNamed) {
  BuildSmall();
  tflc::Status s = tflc::host::ExportToFile(registry_, model_.get(), {}, "/nonexistent-dir-tflc/m.tflite");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent-dir-tflc"), std::string::npos) << s;
}

TEST_F(ExporterTest, WritesAtomicallyToTheRequestedPath) {
  BuildSmall();
  fs::path dir = fs::temp_directory_path() / fs::unique_path("tflc-export-%%%%%%");
  fs::create_directories(dir);
  std::string out = (dir / "model.tflite").string();
  ASSERT_TRUE(tflc::host::ExportToFile(registry_, model_.get(), {}, out).ok());
  std::ifstream in(out, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, Export());
  size_t files = 0;
  for (fs::directory_iterator it(dir), end; it != end; ++it) ++files;
  EXPECT_EQ(files, 1u);
  fs::remove_all(dir);
}

}  // namespace
