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
      {"FLOOR_MOD", ""}, {"ADD_N", ""}, {"CONV_2D", "Conv2DOptions"}, {"CONV_3D", "Conv3DOptions"},
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
      {"IF", "IfOptions"}, {"WHILE", "WhileOptions"},
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
    case TFLC_OPTION_SUBGRAPH: return "int32";  // a subgraph index: an int field of the schema
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
  EXPECT_EQ(weights("CONV_3D"), (std::vector<int>{2, 1, 4}));  // filter DHWIO: output channels last
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

// Quantization facts: each spec is self-consistent and agrees with the op's other facts.
TEST(OpsetTable, QuantSpecsAreConsistent) {
  constexpr uint32_t kKnownKernels = TFLC_QUANT_KERNEL_INT8 | TFLC_QUANT_KERNEL_INT16X8 | TFLC_QUANT_KERNEL_HYBRID |
                                     TFLC_QUANT_KERNEL_HYBRID_PER_CHANNEL;
  constexpr uint64_t kEveryInput = ~uint64_t{0};
  int quantizable = 0;
  for (const TflcOpsetEntry* e : Entries()) {
    const TflcOpQuantSpec* q = e->quant;
    if (!q) continue;
    ++quantizable;
    const std::string op = e->op;
    SCOPED_TRACE(op);
    EXPECT_EQ(q->struct_size, TflcOpQuantSpec_STRUCT_SIZE);
    EXPECT_NE(q->kernels, 0u);
    EXPECT_EQ(q->kernels & ~kKnownKernels, 0u);
    const bool integer = (q->kernels & (TFLC_QUANT_KERNEL_INT8 | TFLC_QUANT_KERNEL_INT16X8)) != 0;
    const bool int16 = (q->kernels & TFLC_QUANT_KERNEL_INT16X8) != 0;
    const bool hybrid = (q->kernels & TFLC_QUANT_KERNEL_HYBRID) != 0;
    // int16x8 is an extension of an int8 kernel; per-channel hybrid is a kind of hybrid.
    EXPECT_TRUE(!int16 || (q->kernels & TFLC_QUANT_KERNEL_INT8));
    EXPECT_TRUE(!(q->kernels & TFLC_QUANT_KERNEL_HYBRID_PER_CHANNEL) || hybrid);
    // A hybrid kernel needs weights to quantize (the LSTM's are its gate matrices, inputs 1-8).
    EXPECT_TRUE(!hybrid || op == "UNIDIRECTIONAL_SEQUENCE_LSTM" || e->weight_input >= 0);
    EXPECT_TRUE(e->weight_input < 0 || e->weight_output_axis >= 0);
    switch (q->output) {
      case TFLC_QUANT_OUTPUT_FIXED:
        EXPECT_GT(q->int8_scale, 0.f);
        EXPECT_GE(q->int8_zero_point, -128);
        EXPECT_LE(q->int8_zero_point, 127);
        if (int16) {
          EXPECT_GT(q->int16_scale, 0.f);
          EXPECT_EQ(q->int16_zero_point, 0);  // int16 activations are symmetric
        } else {
          EXPECT_EQ(q->int16_scale, 0.f);
        }
        break;
      case TFLC_QUANT_OUTPUT_SAME_AS_INPUT:
        // The data input whose parameters the output keeps is named, and is a single input.
        EXPECT_NE(q->same_scale_inputs, 0u);
        EXPECT_NE(q->same_scale_inputs, kEveryInput);
        [[fallthrough]];
      case TFLC_QUANT_OUTPUT_RANGE:
        EXPECT_EQ(q->int8_scale, 0.f);
        EXPECT_EQ(q->int16_scale, 0.f);
        EXPECT_EQ(q->int8_zero_point, 0);
        EXPECT_EQ(q->int16_zero_point, 0);
        break;
      default:
        ADD_FAILURE() << "unknown output rule " << q->output;
    }
    EXPECT_TRUE(q->output == TFLC_QUANT_OUTPUT_RANGE || integer);
    // An input is a parameter or a quantized activation, never both; weights and bias are neither.
    EXPECT_EQ(q->unquantized_inputs & q->same_scale_inputs, 0u);
    EXPECT_LT(q->unquantized_inputs, uint64_t{1} << 8);
    EXPECT_TRUE(q->same_scale_inputs == kEveryInput || q->same_scale_inputs < (uint64_t{1} << 8));
    for (int32_t k : {e->weight_input, e->bias_input}) {
      if (k < 0) continue;
      EXPECT_EQ((q->unquantized_inputs | q->same_scale_inputs) >> k & 1, 0u) << "input " << k;
    }
    // Not every input may be a parameter: some input carries the quantized data.
    EXPECT_NE(~q->unquantized_inputs & 0xff, 0u);
    // The int16x8 bias type only matters for ops with a bias.
    EXPECT_TRUE(q->int16_bias_type == 0 || q->int16_bias_type == TFLC_TYPE_INT64 ||
                q->int16_bias_type == TFLC_TYPE_INT32);
    if (q->int16_bias_type != 0) {
      EXPECT_GE(e->bias_input, 0);
      EXPECT_TRUE(int16);
    }
  }
  EXPECT_GE(quantizable, 60);
}

TEST(OpsetTable, QuantSpecsOfTheKeyOps) {
  std::map<std::string, const TflcOpsetEntry*> by;
  for (const TflcOpsetEntry* e : Entries()) by[e->op] = e;
  auto q = [&](const char* op) -> const TflcOpQuantSpec& {
    const TflcOpQuantSpec* spec = by.at(op)->quant;
    EXPECT_NE(spec, nullptr) << op;
    static const TflcOpQuantSpec kNone{};
    return spec ? *spec : kNone;
  };
  constexpr uint32_t I8 = TFLC_QUANT_KERNEL_INT8, I16 = TFLC_QUANT_KERNEL_INT16X8, HY = TFLC_QUANT_KERNEL_HYBRID,
                     PC = TFLC_QUANT_KERNEL_HYBRID_PER_CHANNEL;
  // Fixed output parameters (operator_property.cc restricted_value_int8 / restricted_value_int16).
  EXPECT_EQ(q("SOFTMAX").output, TFLC_QUANT_OUTPUT_FIXED);
  EXPECT_FLOAT_EQ(q("SOFTMAX").int8_scale, 1.f / 256);
  EXPECT_EQ(q("SOFTMAX").int8_zero_point, -128);
  EXPECT_FLOAT_EQ(q("SOFTMAX").int16_scale, 1.f / 32768);
  EXPECT_EQ(q("SOFTMAX").int16_zero_point, 0);
  EXPECT_EQ(q("LOGISTIC").output, TFLC_QUANT_OUTPUT_FIXED);
  EXPECT_FLOAT_EQ(q("LOGISTIC").int8_scale, 1.f / 256);
  EXPECT_EQ(q("LOGISTIC").int8_zero_point, -128);
  EXPECT_FLOAT_EQ(q("LOGISTIC").int16_scale, 1.f / 32768);
  EXPECT_EQ(q("TANH").output, TFLC_QUANT_OUTPUT_FIXED);
  EXPECT_FLOAT_EQ(q("TANH").int8_scale, 1.f / 128);
  EXPECT_EQ(q("TANH").int8_zero_point, 0);
  EXPECT_FLOAT_EQ(q("TANH").int16_scale, 1.f / 32768);
  EXPECT_FLOAT_EQ(q("LOG_SOFTMAX").int8_scale, 16.f / 256);
  EXPECT_EQ(q("LOG_SOFTMAX").int8_zero_point, 127);
  EXPECT_EQ(q("LOG_SOFTMAX").kernels, I8);
  EXPECT_FLOAT_EQ(q("L2_NORMALIZATION").int8_scale, 1.f / 128);
  EXPECT_EQ(q("L2_NORMALIZATION").int8_zero_point, 0);
  // Weighted ops.
  EXPECT_EQ(q("CONV_2D").kernels, I8 | I16 | HY | PC);
  EXPECT_EQ(q("DEPTHWISE_CONV_2D").kernels, I8 | I16 | HY | PC);
  EXPECT_EQ(q("FULLY_CONNECTED").kernels, I8 | I16 | HY);  // per-channel hybrid FC is v12 (TFLite 2.17)
  EXPECT_EQ(q("TRANSPOSE_CONV").kernels, I8 | I16);
  EXPECT_EQ(q("TRANSPOSE_CONV").unquantized_inputs, 1u);  // output_shape
  EXPECT_EQ(q("CONV_2D").int16_bias_type, TFLC_TYPE_INT64);
  EXPECT_EQ(q("CONV_2D").output, TFLC_QUANT_OUTPUT_RANGE);
  EXPECT_EQ(q("UNIDIRECTIONAL_SEQUENCE_LSTM").kernels, HY);
  // Rescaling arithmetic and reductions.
  for (const char* op : {"ADD", "SUB", "MUL", "MEAN"}) {
    EXPECT_EQ(q(op).kernels, I8 | I16) << op;
    EXPECT_EQ(q(op).output, TFLC_QUANT_OUTPUT_RANGE) << op;
    EXPECT_EQ(q(op).same_scale_inputs, 0u) << op;
  }
  EXPECT_EQ(q("SUM").kernels, I8);
  EXPECT_EQ(q("MEAN").unquantized_inputs, 2u);
  EXPECT_EQ(q("RSQRT").kernels, I8);  // int16 RSQRT is version 3 (TFLite 2.15)
  // Pass-through ops and their parameter inputs.
  auto same = [&](const char* op, uint64_t data, uint64_t params) {
    EXPECT_EQ(q(op).output, TFLC_QUANT_OUTPUT_SAME_AS_INPUT) << op;
    EXPECT_EQ(q(op).same_scale_inputs, data) << op;
    EXPECT_EQ(q(op).unquantized_inputs, params) << op;
  };
  same("MAX_POOL_2D", 1, 0);
  same("AVERAGE_POOL_2D", 1, 0);
  same("RESHAPE", 1, 2);
  same("PAD", 1, 2);
  same("PADV2", 1 | 4, 2);
  same("TRANSPOSE", 1, 2);
  same("GATHER", 1, 2);
  same("SLICE", 1, 2 | 4);
  same("STRIDED_SLICE", 1, 2 | 4 | 8);
  same("RESIZE_BILINEAR", 1, 2);
  same("SPLIT", 2, 1);
  same("SPLIT_V", 1, 2 | 4);
  same("REDUCE_MAX", 1, 2);
  EXPECT_EQ(q("SPACE_TO_DEPTH").kernels, I8);
  // Several inputs that must share the output's scale.
  EXPECT_EQ(q("CONCATENATION").output, TFLC_QUANT_OUTPUT_RANGE);
  EXPECT_EQ(q("CONCATENATION").same_scale_inputs, ~uint64_t{0});
  EXPECT_EQ(q("CONCATENATION").unquantized_inputs, 0u);
  EXPECT_EQ(q("MAXIMUM").same_scale_inputs, 3u);
  // QUANTIZE / DEQUANTIZE convert at the boundary; float-only ops have no spec.
  EXPECT_EQ(by.at("QUANTIZE")->quant, nullptr);
  EXPECT_EQ(by.at("DEQUANTIZE")->quant, nullptr);
  EXPECT_EQ(by.at("DIV")->quant, nullptr);
  EXPECT_EQ(by.at("LOG")->quant, nullptr);
}

// Every op version an int8 / int16 node of a quantizable op can get has a runtime entry.
TEST(OpsetTable, QuantizableOpsKnowTheirRuntimes) {
  std::map<std::string, size_t> expected_versions = {
      {"ADD", 3}, {"SUB", 5}, {"MUL", 4}, {"CONV_2D", 5}, {"DEPTHWISE_CONV_2D", 6}, {"FULLY_CONNECTED", 9},
      {"SOFTMAX", 3}, {"LOGISTIC", 3}, {"TANH", 3}, {"MEAN", 3}, {"PAD", 3}, {"PADV2", 3}, {"MAX_POOL_2D", 3},
      {"AVERAGE_POOL_2D", 3}, {"CONCATENATION", 3}, {"TRANSPOSE", 5}, {"GATHER", 4}, {"SLICE", 4},
      {"RESIZE_BILINEAR", 4}, {"RESIZE_NEAREST_NEIGHBOR", 4}, {"MAXIMUM", 4}, {"MINIMUM", 4}, {"REDUCE_MAX", 3},
      {"REDUCE_MIN", 3}, {"SPLIT", 4}, {"UNPACK", 4}, {"PACK", 3}, {"RELU", 3}, {"RELU6", 3}, {"LEAKY_RELU", 2},
      {"BATCH_MATMUL", 3}, {"TRANSPOSE_CONV", 3}, {"QUANTIZE", 3}, {"DEQUANTIZE", 5}, {"L2_NORMALIZATION", 2},
      {"LOG_SOFTMAX", 2}, {"SQUARED_DIFFERENCE", 2}, {"RSQRT", 2}, {"SUM", 2}, {"SPACE_TO_DEPTH", 2},
      {"DEPTH_TO_SPACE", 2}, {"SPLIT_V", 2}, {"STRIDED_SLICE", 2}, {"MIRROR_PAD", 3}, {"SPACE_TO_BATCH_ND", 4},
      {"BATCH_TO_SPACE_ND", 4}, {"UNIDIRECTIONAL_SEQUENCE_LSTM", 3}};
  std::map<std::string, const TflcOpsetEntry*> by;
  for (const TflcOpsetEntry* e : Entries()) by[e->op] = e;
  for (const auto& [op, v] : expected_versions) {
    const TflcOpsetEntry* e = by.at(op);
    ASSERT_GE(e->num_min_runtime, v) << op;
    for (size_t k = 1; k <= v; ++k) {
      const std::string r = e->min_runtime[k - 1];
      EXPECT_FALSE(r.empty()) << op << " v" << k;
      // The runtime we target (TFLite 2.14) has every one of these.
      EXPECT_TRUE(r.rfind("1.", 0) == 0 || std::stoi(r.substr(2)) <= 14) << op << " v" << k << " needs " << r;
    }
  }
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
