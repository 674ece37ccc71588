// Cross-checks the opset table against the TFLite schema (parsed at test time): builtin codes,
// options union indices, option field names / slots / kinds / defaults, completeness of each options
// table; plus the fusion facts and the runtime table shape.
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "opset_builtin.h"
#include "test_util.h"
#include "tflc/testing/conformance.h"

namespace tflc::opset_builtin::testing {
namespace {

const char* kSchemaPath = TFLC_SHARED_MODELS_DIR "/../reference/upstream/litert/tflite/converter/schema/schema.fbs";

struct SchemaField {
  std::string name, type, default_value;
  bool deprecated = false;
};

struct Schema {
  std::map<std::string, std::vector<SchemaField>> tables;
  std::map<std::string, std::vector<std::string>> unions;
  std::map<std::string, std::map<std::string, int64_t>> enums;  // enum -> name -> value
  std::map<std::string, std::string> enum_base;                 // enum -> underlying type
};

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

bool LoadSchema(Schema* schema) {
  std::ifstream in(kSchemaPath);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  // Strip // comments.
  std::string src = std::regex_replace(ss.str(), std::regex("//[^\n]*"), "");
  std::smatch m;
  std::regex table_re(R"(table\s+(\w+)\s*\{([^}]*)\})");
  for (auto it = std::sregex_iterator(src.begin(), src.end(), table_re); it != std::sregex_iterator(); ++it) {
    std::vector<SchemaField> fields;
    for (const std::string& raw : SplitOn((*it)[2].str(), ';')) {
      std::string f = Trim(raw);
      if (f.empty()) continue;
      std::smatch fm;
      std::regex field_re(R"((\w+)\s*:\s*([\[\]\w]+)\s*(=\s*([\w.\-]+))?\s*(\(([^)]*)\))?)");
      if (!std::regex_search(f, fm, field_re)) continue;
      SchemaField sf;
      sf.name = fm[1];
      sf.type = fm[2];
      sf.default_value = fm[4];
      sf.deprecated = fm[6].str().find("deprecated") != std::string::npos;
      fields.push_back(sf);
    }
    schema->tables[(*it)[1]] = fields;
  }
  std::regex union_re(R"(union\s+(\w+)\s*\{([^}]*)\})");
  for (auto it = std::sregex_iterator(src.begin(), src.end(), union_re); it != std::sregex_iterator(); ++it) {
    std::vector<std::string> members;
    for (const std::string& raw : SplitOn((*it)[2].str(), ',')) {
      std::string name = Trim(std::regex_replace(raw, std::regex(R"(\(.*\))"), ""));
      if (!name.empty()) members.push_back(name);
    }
    schema->unions[(*it)[1]] = members;
  }
  std::regex enum_re(R"(enum\s+(\w+)\s*:\s*(\w+)\s*\{([^}]*)\})");
  for (auto it = std::sregex_iterator(src.begin(), src.end(), enum_re); it != std::sregex_iterator(); ++it) {
    std::map<std::string, int64_t> values;
    int64_t next = 0;
    for (const std::string& raw : SplitOn((*it)[3].str(), ',')) {
      std::string e = Trim(std::regex_replace(raw, std::regex(R"(\(.*\))"), ""));
      if (e.empty()) continue;
      size_t eq = e.find('=');
      std::string name = Trim(e.substr(0, eq));
      if (eq != std::string::npos) next = std::stoll(Trim(e.substr(eq + 1)));
      values[name] = next++;
    }
    schema->enums[(*it)[1]] = values;
    schema->enum_base[(*it)[1]] = (*it)[2];
  }
  return !schema->tables.empty() && schema->unions.count("BuiltinOptions") && schema->enums.count("BuiltinOperator");
}

const TflcPluginApi* Api() {
  TflcPluginQuery_Args q{};
  q.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  q.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  q.host_abi_minor = TFLC_ABI_VERSION_MINOR;
  return TflcOpsetBuiltin_Query(&q);
}

std::vector<const TflcOpsetEntry*> Entries() {
  const TflcPluginApi* api = Api();
  std::vector<const TflcOpsetEntry*> out;
  for (size_t i = 0; i < api->num_ops; ++i) {
    out.push_back(reinterpret_cast<const TflcOpsetEntry*>(reinterpret_cast<const char*>(api->ops) + i * api->op_stride));
  }
  return out;
}

// The options table each op writes ("" = no builtin_options), written independently of table.cc
// from the schema's union and the converter's tfl_ops.td `hasOptions`.
const std::map<std::string, std::string>& ExpectedOptions() {
  static const std::map<std::string, std::string> m = {
      {"ADD", "AddOptions"}, {"SUB", "SubOptions"}, {"MUL", "MulOptions"}, {"DIV", "DivOptions"},
      {"MAXIMUM", ""}, {"MINIMUM", ""}, {"SQUARED_DIFFERENCE", ""}, {"POW", ""}, {"FLOOR_DIV", ""},
      {"FLOOR_MOD", ""}, {"ADD_N", ""}, {"CONV_2D", "Conv2DOptions"},
      {"DEPTHWISE_CONV_2D", "DepthwiseConv2DOptions"}, {"TRANSPOSE_CONV", "TransposeConvOptions"},
      {"FULLY_CONNECTED", "FullyConnectedOptions"}, {"BATCH_MATMUL", "BatchMatMulOptions"},
      {"AVERAGE_POOL_2D", "Pool2DOptions"}, {"MAX_POOL_2D", "Pool2DOptions"}, {"L2_POOL_2D", "Pool2DOptions"},
      {"MEAN", "ReducerOptions"}, {"SUM", "ReducerOptions"}, {"REDUCE_MAX", "ReducerOptions"},
      {"REDUCE_MIN", "ReducerOptions"}, {"REDUCE_PROD", "ReducerOptions"},
      {"REDUCE_ANY", "ReducerOptions"}, {"REDUCE_ALL", "ReducerOptions"}, {"RESHAPE", ""},
      {"SQUEEZE", "SqueezeOptions"}, {"EXPAND_DIMS", "ExpandDimsOptions"}, {"TRANSPOSE", ""},
      {"CONCATENATION", "ConcatenationOptions"}, {"PACK", "PackOptions"}, {"UNPACK", "UnpackOptions"},
      {"SPLIT", "SplitOptions"}, {"SPLIT_V", "SplitVOptions"}, {"SLICE", ""},
      {"STRIDED_SLICE", "StridedSliceOptions"}, {"PAD", "PadOptions"}, {"PADV2", "PadV2Options"},
      {"MIRROR_PAD", "MirrorPadOptions"}, {"TILE", ""}, {"GATHER", "GatherOptions"}, {"GATHER_ND", ""},
      {"CAST", "CastOptions"}, {"SHAPE", "ShapeOptions"}, {"FILL", ""}, {"ZEROS_LIKE", "ZerosLikeOptions"},
      {"RANGE", ""}, {"RESIZE_BILINEAR", "ResizeBilinearOptions"},
      {"RESIZE_NEAREST_NEIGHBOR", "ResizeNearestNeighborOptions"}, {"SPACE_TO_DEPTH", "SpaceToDepthOptions"},
      {"DEPTH_TO_SPACE", "DepthToSpaceOptions"}, {"RELU", ""}, {"RELU6", ""}, {"RELU_N1_TO_1", ""},
      {"RELU_0_TO_1", ""}, {"LEAKY_RELU", "LeakyReluOptions"}, {"PRELU", ""}, {"ELU", ""}, {"LOGISTIC", ""},
      {"TANH", ""}, {"SOFTMAX", "SoftmaxOptions"}, {"LOG_SOFTMAX", "LogSoftmaxOptions"}, {"GELU", "GeluOptions"},
      {"RANDOM_UNIFORM", "RandomOptions"},
      {"HARD_SWISH", ""}, {"EXP", "ExpOptions"}, {"LOG", ""}, {"SQRT", ""}, {"RSQRT", ""},
      {"SQUARE", "SquareOptions"}, {"ABS", ""}, {"NEG", "NegOptions"}, {"FLOOR", ""}, {"CEIL", ""},
      {"ROUND", ""}, {"SIN", ""}, {"COS", ""}, {"EQUAL", ""}, {"NOT_EQUAL", ""}, {"LESS", ""},
      {"LESS_EQUAL", ""}, {"GREATER", ""}, {"GREATER_EQUAL", ""}, {"LOGICAL_AND", ""}, {"LOGICAL_OR", ""},
      {"LOGICAL_NOT", ""}, {"SELECT", "SelectOptions"}, {"SELECT_V2", "SelectV2Options"},
      {"ARG_MAX", "ArgMaxOptions"}, {"ARG_MIN", "ArgMinOptions"}, {"QUANTIZE", ""}, {"DEQUANTIZE", ""},
      {"UNIDIRECTIONAL_SEQUENCE_LSTM", "UnidirectionalSequenceLSTMOptions"}, {"CUMSUM", "CumsumOptions"},
      {"ONE_HOT", "OneHotOptions"}, {"TOPK_V2", "TopKV2Options"}, {"BROADCAST_TO", ""}, {"REVERSE_V2", ""},
      {"L2_NORMALIZATION", "L2NormOptions"}, {"LOCAL_RESPONSE_NORMALIZATION", "LocalResponseNormalizationOptions"},
      {"SPACE_TO_BATCH_ND", ""}, {"BATCH_TO_SPACE_ND", ""},
  };
  return m;
}

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!LoadSchema(&schema_)) GTEST_SKIP() << "TFLite schema not found at " << kSchemaPath << " (needs /work/shared)";
  }
  // The option kind a schema field type is written as.
  std::string KindFor(const std::string& type) {
    if (type == "bool") return "bool";
    if (type == "int") return "int32";
    if (type == "float") return "float32";
    if (type == "long") return "int64";
    if (type == "short") return "int16";
    if (type == "byte") return "int8";
    if (type == "ubyte") return "uint8";
    if (type == "[int]") return "int32_vector";
    if (schema_.enum_base.count(type)) return schema_.enum_base[type] == "byte" ? "int8" : "enum:" + schema_.enum_base[type];
    return "unsupported:" + type;
  }
  double DefaultFor(const SchemaField& f) {
    if (f.default_value.empty()) return 0;
    if (f.default_value == "true") return 1;
    if (f.default_value == "false") return 0;
    if (schema_.enums.count(f.type)) return static_cast<double>(schema_.enums[f.type].at(f.default_value));
    return std::stod(f.default_value);
  }
  Schema schema_;
};

std::string KindName(TflcOptionKind k) {
  switch (k) {
    case TFLC_OPTION_BOOL: return "bool";
    case TFLC_OPTION_INT8: return "int8";
    case TFLC_OPTION_UINT8: return "uint8";
    case TFLC_OPTION_INT16: return "int16";
    case TFLC_OPTION_INT32: return "int32";
    case TFLC_OPTION_INT64: return "int64";
    case TFLC_OPTION_FLOAT32: return "float32";
    case TFLC_OPTION_INT32_VECTOR: return "int32_vector";
  }
  return "?";
}

TEST_F(TableTest, BuiltinCodesMatchTheSchemaEnum) {
  const auto& codes = schema_.enums["BuiltinOperator"];
  for (const TflcOpsetEntry* e : Entries()) {
    ASSERT_TRUE(codes.count(e->op)) << e->op << " is not a BuiltinOperator";
    EXPECT_EQ(e->builtin_code, codes.at(e->op)) << e->op;
    EXPECT_EQ(e->domain, TFLC_DOMAIN_BUILTIN) << e->op;
  }
}

TEST_F(TableTest, OptionsTypesAndFieldsMatchTheSchemaTables) {
  const auto& union_members = schema_.unions["BuiltinOptions"];
  for (const TflcOpsetEntry* e : Entries()) {
    SCOPED_TRACE(e->op);
    ASSERT_TRUE(ExpectedOptions().count(e->op)) << "no expectation for " << e->op;
    const std::string& want = ExpectedOptions().at(e->op);
    if (want.empty()) {
      EXPECT_EQ(e->options_type, 0);
      EXPECT_EQ(e->num_option_fields, 0u);
      continue;
    }
    ASSERT_GT(e->options_type, 0);
    ASSERT_LE(static_cast<size_t>(e->options_type), union_members.size());
    const std::string table = union_members[e->options_type - 1];  // NONE is 0
    EXPECT_EQ(table, want) << "options_type " << e->options_type;
    ASSERT_TRUE(schema_.tables.count(table));
    const auto& fields = schema_.tables[table];
    std::set<std::string> covered;
    if (e->num_option_fields) {
      EXPECT_EQ(e->option_field_stride, sizeof(TflcOptionField));
    }
    for (size_t k = 0; k < e->num_option_fields; ++k) {
      const TflcOptionField& f = e->option_fields[k];
      SCOPED_TRACE(f.attr);
      EXPECT_EQ(f.struct_size, TflcOptionField_STRUCT_SIZE);
      ASSERT_GE(f.slot, 0);
      ASSERT_LT(static_cast<size_t>(f.slot), fields.size());
      const SchemaField& sf = fields[f.slot];
      EXPECT_EQ(sf.name, f.attr) << "slot " << f.slot << " of " << table << " is " << sf.name;
      EXPECT_FALSE(sf.deprecated);
      EXPECT_EQ(KindFor(sf.type), KindName(f.kind)) << "schema type " << sf.type;
      EXPECT_EQ(DefaultFor(sf), f.default_value);
      covered.insert(f.attr);
    }
    for (const SchemaField& sf : fields) {
      if (!sf.deprecated) {
        EXPECT_TRUE(covered.count(sf.name)) << table << "." << sf.name << " has no option field";
      }
    }
  }
}

TEST_F(TableTest, EveryRequiredOpIsPresentOnce) {
  std::map<std::string, int> seen;
  for (const TflcOpsetEntry* e : Entries()) ++seen[e->op];
  for (const auto& [op, table] : ExpectedOptions()) EXPECT_EQ(seen[op], 1) << op;
  EXPECT_EQ(seen.size(), ExpectedOptions().size());
}

// The remaining checks need no schema.
TEST(OpsetTable, PluginDescriptor) {
  const TflcPluginApi* api = Api();
  ASSERT_NE(api, nullptr);
  EXPECT_STREQ(api->name, "opset_builtin");
  EXPECT_EQ(api->struct_size, TflcPluginApi_STRUCT_SIZE);
  EXPECT_EQ(api->op_stride, sizeof(TflcOpsetEntry));
  EXPECT_EQ(api->num_frontends + api->num_lowerings + api->num_quantizers, 0u);
  TflcPluginQuery_Args q{};
  q.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  q.host_abi_major = TFLC_ABI_VERSION_MAJOR + 1;
  EXPECT_EQ(TflcOpsetBuiltin_Query(&q), nullptr) << "another ABI major must be declined";
}

TEST(OpsetTable, EveryEntryIsComplete) {
  for (const TflcOpsetEntry* e : Entries()) {
    SCOPED_TRACE(e->op);
    EXPECT_EQ(e->struct_size, TflcOpsetEntry_STRUCT_SIZE);
    EXPECT_NE(e->InferShape, nullptr);
    // Random ops have no kernel on purpose: folding one would freeze a single draw.
    if (std::string(e->op) == "RANDOM_UNIFORM") {
      EXPECT_EQ(e->Evaluate, nullptr);
    } else {
      EXPECT_NE(e->Evaluate, nullptr);
    }
    EXPECT_NE(e->Version, nullptr);
    ASSERT_GE(e->num_min_runtime, 1u);
    EXPECT_NE(e->min_runtime[0], nullptr);
    for (size_t v = 0; v < e->num_min_runtime; ++v) {
      ASSERT_NE(e->min_runtime[v], nullptr);
      const std::string r = e->min_runtime[v];
      EXPECT_TRUE(r.empty() || std::regex_match(r, std::regex(R"(\d+\.\d+\.\d+)"))) << r;
    }
  }
}

TEST(OpsetTable, FusionFacts) {
  std::map<std::string, const TflcOpsetEntry*> by;
  for (const TflcOpsetEntry* e : Entries()) by[e->op] = e;
  auto weights = [&](const char* op) {
    const auto* e = by.at(op);
    return std::vector<int>{e->bias_input, e->weight_input, e->weight_output_axis};
  };
  EXPECT_EQ(weights("CONV_2D"), (std::vector<int>{2, 1, 0}));
  EXPECT_EQ(weights("DEPTHWISE_CONV_2D"), (std::vector<int>{2, 1, 3}));
  EXPECT_EQ(weights("FULLY_CONNECTED"), (std::vector<int>{2, 1, 0}));
  EXPECT_EQ(weights("TRANSPOSE_CONV"), (std::vector<int>{3, 1, 0}));
  EXPECT_EQ(weights("ADD"), (std::vector<int>{-1, -1, -1}));
  EXPECT_EQ(by.at("RELU")->activation_code, 1);
  EXPECT_EQ(by.at("RELU_N1_TO_1")->activation_code, 2);
  EXPECT_EQ(by.at("RELU6")->activation_code, 3);
  EXPECT_EQ(by.at("TANH")->activation_code, 4);
  EXPECT_EQ(by.at("RELU_0_TO_1")->activation_code, 0);  // not an ActivationFunctionType
  EXPECT_EQ(by.at("ADD")->algebra, TFLC_ALGEBRA_ADD);
  EXPECT_EQ(by.at("SUB")->algebra, TFLC_ALGEBRA_SUB);
  EXPECT_EQ(by.at("MUL")->algebra, TFLC_ALGEBRA_MUL);
  int algebra_ops = 0, activations = 0;
  for (const TflcOpsetEntry* e : Entries()) {
    algebra_ops += e->algebra != TFLC_ALGEBRA_NONE;
    activations += e->activation_code != 0;
    // fuses_activation <=> the options have fused_activation_function, except the ops whose kernels
    // don't apply it as an output activation, and TRANSPOSE_CONV (fusing makes it v4: TFLite 2.13+).
    bool has_field = false;
    for (size_t k = 0; k < e->num_option_fields; ++k) {
      has_field = has_field || std::string(e->option_fields[k].attr) == "fused_activation_function";
    }
    const std::string op = e->op;
    const bool exception = op == "CONCATENATION" || op == "L2_NORMALIZATION" || op == "UNIDIRECTIONAL_SEQUENCE_LSTM" ||
                           op == "TRANSPOSE_CONV";
    EXPECT_EQ(e->fuses_activation != 0, has_field && !exception) << op;
  }
  EXPECT_EQ(algebra_ops, 3);
  EXPECT_EQ(activations, 4);
}

TEST(OpsetTable, RuntimeVersionsMatchRuntimeVersionCc) {
  std::map<std::string, const TflcOpsetEntry*> by;
  for (const TflcOpsetEntry* e : Entries()) by[e->op] = e;
  auto rt = [&](const char* op, size_t version) { return std::string(by.at(op)->min_runtime[version - 1]); };
  EXPECT_EQ(rt("CONV_2D", 1), "1.5.0");
  EXPECT_EQ(rt("CONV_2D", 3), "1.14.0");
  EXPECT_EQ(rt("CONV_2D", 6), "2.9.0");
  EXPECT_EQ(by.at("CONV_2D")->num_min_runtime, 8u);
  EXPECT_EQ(rt("FULLY_CONNECTED", 5), "2.0.0");
  EXPECT_EQ(by.at("FULLY_CONNECTED")->num_min_runtime, 13u);
  EXPECT_EQ(rt("DEPTHWISE_CONV_2D", 2), "1.12.0");
  EXPECT_EQ(rt("TILE", 1), "1.10.1");
  EXPECT_EQ(rt("TRANSPOSE", 7), "2.14.4");
  EXPECT_EQ(rt("UNIDIRECTIONAL_SEQUENCE_LSTM", 1), "1.13.1");
  EXPECT_EQ(rt("BROADCAST_TO", 1), "");
  EXPECT_EQ(rt("BROADCAST_TO", 2), "2.5.0");
  EXPECT_EQ(rt("RELU_0_TO_1", 1), "2.10.0");
  EXPECT_EQ(rt("RANDOM_UNIFORM", 1), "2.8.0");
}

// The host's generic fusions run on these facts alone.
class FusionTest : public OpsetTest {};

TEST_F(FusionTest, HostFusesReluIntoConvAndAddIntoBias) {
  ValueView x = Input(TFLC_TYPE_FLOAT32, {1, 2, 2, 1});
  NodeView conv = Node("CONV_2D", {x, Const(F({2, 1, 1, 1}, {1, -1})), Const(F({2}, {0, 0}))},
                       {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}});
  NodeView add = Node("ADD", {conv.output(0), Const(F({2}, {0.5f, 0.25f}))});
  NodeView relu = Node("RELU", {add.output(0)});
  TFLC_ASSERT_OK(g().Output(relu.output(0), "y"));
  TFLC_ASSERT_OK(Infer());
  auto before = host().Interpret({tflc::testing::HostTensor::Float({1, 2, 2, 1}, {1, -2, 3, -4})});
  ASSERT_TRUE(before.ok()) << before.status();
  TFLC_ASSERT_OK(host().Optimize());
  ASSERT_EQ(g().num_nodes(), 1u) << host().Dump();
  NodeView fused = g().node(0);
  EXPECT_EQ(fused.op(), "CONV_2D");
  EXPECT_EQ(*fused.IntAttr("fused_activation_function"), 1);
  auto after = host().Interpret({tflc::testing::HostTensor::Float({1, 2, 2, 1}, {1, -2, 3, -4})});
  ASSERT_TRUE(after.ok()) << after.status();
  // [x + 0.5, -x + 0.25] clipped at 0.
  ExpectNear((*after)[0].floats(), {1.5f, 0, 0, 2.25f, 3.5f, 0, 0, 4.25f});
  ExpectNear((*after)[0].floats(), (*before)[0].floats());
}

TEST_F(FusionTest, ExportWritesTheOptionTables) {
  ValueView x = Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 1});
  NodeView conv = Node("CONV_2D", {x, Const(F({1, 3, 3, 1}, std::vector<float>(9, 1.f))), Const(F({1}, {0}))},
                       {{"padding", 0}, {"stride_w", 2}, {"stride_h", 2}, {"fused_activation_function", 1}});
  NodeView sm = Node("SOFTMAX", {Node("RESHAPE", {conv.output(0), Const(Vec({1, 4}))}).output(0)}, {{"beta", 1.0}});
  TFLC_ASSERT_OK(g().Output(sm.output(0), "y"));
  TFLC_ASSERT_OK(Infer());
  auto bytes = host().Export();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  ASSERT_GT(bytes->size(), 8u);
  EXPECT_EQ(bytes->substr(4, 4), "TFL3");
}

}  // namespace
}  // namespace tflc::opset_builtin::testing

// The shared plugin conformance suite (descriptor, tables, status hygiene of every InferShape...).
TFLC_PLUGIN_CONFORMANCE_TEST(OpsetBuiltin, TflcOpsetBuiltin_Query);
