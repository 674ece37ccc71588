#include "inspect/inspect.h"

#include <cctype>
#include <clocale>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <locale>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "flatbuffers/flexbuffers.h"
#include "gtest/gtest.h"
#include "tflc/schema/tflite_generated.h"

#ifndef TFLC_SHARED_MODELS_DIR
#define TFLC_SHARED_MODELS_DIR ""
#endif

namespace tflc::host {
namespace {

namespace fs = std::filesystem;

const fs::path& ModelsDir() {
  static const fs::path dir(TFLC_SHARED_MODELS_DIR);
  return dir;
}

bool HaveModels() {
  std::error_code ec;
  return !ModelsDir().empty() && fs::is_directory(ModelsDir(), ec);
}

#define SKIP_IF_NO_MODELS()                                          \
  do {                                                               \
    if (!HaveModels()) {                                             \
      GTEST_SKIP() << ModelsDir().string() << " (../shared/models) " \
                   << "not found";                                   \
    }                                                                \
  } while (0)

std::vector<uint8_t> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

struct DumpResult {
  bool ok = false;
  std::string out;
  std::string error;
};

DumpResult Dump(const std::vector<uint8_t>& bytes,
                const InspectOptions& options = InspectOptions()) {
  DumpResult r;
  r.ok = InspectModel(bytes.data(), bytes.size(), options, &r.out, &r.error);
  return r;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Number of operator lines ("    [i] NAME(...") for builtin `op`.
int CountOps(const std::string& dump, const std::string& op) {
  int n = 0;
  for (const std::string& line : Lines(dump)) {
    const size_t close = line.find("] ");
    if (line.rfind("    [", 0) != 0 || close == std::string::npos) continue;
    if (line.compare(close + 2, op.size() + 1, op + "(") == 0 ||
        line.compare(close + 2, op.size() + 1, op + " ") == 0) {
      // Tensor lines start with a quote, so only operator lines match.
      ++n;
    }
  }
  return n;
}

// ---------------------------------------------------------------------------
// Synthetic models built with the generated object API.

std::unique_ptr<tflite::OperatorCodeT> Code(tflite::BuiltinOperator op,
                                            int version = 1,
                                            const std::string& custom = "") {
  auto code = std::make_unique<tflite::OperatorCodeT>();
  code->builtin_code = op;
  code->deprecated_builtin_code = static_cast<int8_t>(std::min<int>(
      op, tflite::BuiltinOperator_PLACEHOLDER_FOR_GREATER_OP_CODES));
  code->version = version;
  code->custom_code = custom;
  return code;
}

std::unique_ptr<tflite::TensorT> Tensor(const std::string& name,
                                        tflite::TensorType type,
                                        std::vector<int32_t> shape,
                                        uint32_t buffer) {
  auto t = std::make_unique<tflite::TensorT>();
  t->name = name;
  t->type = type;
  t->shape = std::move(shape);
  t->buffer = buffer;
  return t;
}

std::unique_ptr<tflite::BufferT> Buffer(std::vector<uint8_t> data) {
  auto b = std::make_unique<tflite::BufferT>();
  b->data = std::move(data);
  return b;
}

// A small int8 CONV_2D + a Flex custom op + an op only reachable through
// builtin_code (> 127), with a signature and min_runtime_version metadata.
tflite::ModelT SmallModel() {
  tflite::ModelT m;
  m.version = 3;
  m.description = "tflc test";
  m.operator_codes.push_back(Code(tflite::BuiltinOperator_CONV_2D, 3));
  m.operator_codes.push_back(
      Code(tflite::BuiltinOperator_CUSTOM, 1, "FlexRFFT"));
  m.operator_codes.push_back(Code(tflite::BuiltinOperator_STABLEHLO_CBRT, 1));

  m.buffers.push_back(Buffer({}));                          // 0: sentinel
  m.buffers.push_back(Buffer(std::vector<uint8_t>(8, 7)));  // 1: kernel
  m.buffers.push_back(Buffer({1, 0, 0, 0, 2, 0, 0, 0}));    // 2: bias
  std::vector<uint8_t> version(16, 0);
  std::memcpy(version.data(), "1.14.0", 6);
  m.buffers.push_back(Buffer(version));  // 3: metadata

  auto sg = std::make_unique<tflite::SubGraphT>();
  sg->name = "main";
  sg->tensors.push_back(
      Tensor("input", tflite::TensorType_INT8, {1, 2, 2, 1}, 0));
  sg->tensors.back()->shape_signature = {-1, 2, 2, 1};
  auto q = std::make_unique<tflite::QuantizationParametersT>();
  q->scale = {0.5f, 0.25f};
  q->zero_point = {0, 0};
  q->quantized_dimension = 0;
  sg->tensors.push_back(
      Tensor("conv/kernel", tflite::TensorType_INT8, {2, 2, 2, 1}, 1));
  sg->tensors.back()->quantization = std::move(q);
  sg->tensors.push_back(Tensor("conv/bias", tflite::TensorType_INT32, {2}, 2));
  sg->tensors.push_back(
      Tensor("conv", tflite::TensorType_INT8, {1, 1, 1, 2}, 0));
  auto q2 = std::make_unique<tflite::QuantizationParametersT>();
  q2->scale = {0.1f};
  q2->zero_point = {-128};
  sg->tensors.back()->quantization = std::move(q2);
  sg->tensors.push_back(
      Tensor("out", tflite::TensorType_FLOAT32, {1, 1, 1, 2}, 0));
  sg->tensors.back()->quantization =
      std::make_unique<tflite::QuantizationParametersT>();  // empty: not shown
  sg->tensors.push_back(Tensor("cbrt", tflite::TensorType_FLOAT32, {2}, 0));
  sg->inputs = {0};
  sg->outputs = {4};

  auto conv = std::make_unique<tflite::OperatorT>();
  conv->opcode_index = 0;
  conv->inputs = {0, 1, 2};
  conv->outputs = {3};
  tflite::Conv2DOptionsT conv_options;
  conv_options.padding = tflite::Padding_VALID;
  conv_options.stride_w = 1;
  conv_options.stride_h = 1;
  conv_options.fused_activation_function = tflite::ActivationFunctionType_RELU6;
  conv->builtin_options.Set(conv_options);
  sg->operators.push_back(std::move(conv));

  auto custom = std::make_unique<tflite::OperatorT>();
  custom->opcode_index = 1;
  custom->inputs = {3, -1};
  custom->outputs = {4};
  custom->custom_options = {1, 2, 3};
  sg->operators.push_back(std::move(custom));

  auto cbrt = std::make_unique<tflite::OperatorT>();
  cbrt->opcode_index = 2;
  cbrt->inputs = {4};
  cbrt->outputs = {5};
  sg->operators.push_back(std::move(cbrt));
  m.subgraphs.push_back(std::move(sg));

  auto sig = std::make_unique<tflite::SignatureDefT>();
  sig->signature_key = "serving_default";
  sig->subgraph_index = 0;
  auto in = std::make_unique<tflite::TensorMapT>();
  in->name = "x";
  in->tensor_index = 0;
  sig->inputs.push_back(std::move(in));
  auto out = std::make_unique<tflite::TensorMapT>();
  out->name = "y";
  out->tensor_index = 4;
  sig->outputs.push_back(std::move(out));
  m.signature_defs.push_back(std::move(sig));

  auto md = std::make_unique<tflite::MetadataT>();
  md->name = "min_runtime_version";
  md->buffer = 3;
  m.metadata.push_back(std::move(md));
  return m;
}

std::vector<uint8_t> Serialize(const tflite::ModelT& m) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(tflite::Model::Pack(fbb, &m), tflite::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(),
                              fbb.GetBufferPointer() + fbb.GetSize());
}

// ---------------------------------------------------------------------------

TEST(Fnv1a64, KnownVectors) {
  EXPECT_EQ(Fnv1a64(nullptr, 0), 0xcbf29ce484222325ULL);
  const uint8_t a[] = {'a'};
  EXPECT_EQ(Fnv1a64(a, 1), 0xaf63dc4c8601ec8cULL);
  const char* foobar = "foobar";
  EXPECT_EQ(Fnv1a64(reinterpret_cast<const uint8_t*>(foobar), 6),
            0x85944171f73967e8ULL);
}

TEST(InspectSynthetic, ExactDump) {
  const DumpResult r = Dump(Serialize(SmallModel()));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.error, "");
  const std::string kernel_hash = [] {
    std::vector<uint8_t> k(8, 7);
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx",
                  static_cast<unsigned long long>(Fnv1a64(k.data(), k.size())));
    return std::string(buf);
  }();
  const std::string expected =
      "model version=3 description=\"tflc test\"\n"
      "operator_codes: 3\n"
      "  [0] CONV_2D v3\n"
      "  [1] CUSTOM \"FlexRFFT\" v1\n"
      "  [2] STABLEHLO_CBRT v1\n"
      "subgraphs: 1\n"
      "subgraph[0] \"main\" inputs=[0] outputs=[4]\n"
      "  tensors: 6\n"
      "    [0] \"input\" INT8 [1,2,2,1] sig=[-1,2,2,1] buffer=0\n"
      "    [1] \"conv/kernel\" INT8 [2,2,2,1] buffer=1 (8 bytes, fnv1a=" +
      kernel_hash +
      ") q{scale=[0.5,0.25] zp=[0,0] dim=0}\n"
      "    [2] \"conv/bias\" INT32 [2] buffer=2 (8 bytes, fnv1a=";
  ASSERT_EQ(r.out.substr(0, expected.size()), expected) << r.out;
  const std::vector<std::string> lines = Lines(r.out);
  const std::vector<std::string> tail(lines.begin() + 11, lines.end());
  const std::vector<std::string> expected_tail = {
      "    [3] \"conv\" INT8 [1,1,1,2] buffer=0 q{scale=[0.100000001] "
      "zp=[-128]}",
      "    [4] \"out\" FLOAT32 [1,1,1,2] buffer=0",
      "    [5] \"cbrt\" FLOAT32 [2] buffer=0",
      "  operators: 3",
      "    [0] CONV_2D(0, 1, 2) -> (3) Conv2DOptions{padding: VALID, "
      "stride_w: 1, stride_h: 1, fused_activation_function: RELU6, "
      "dilation_w_factor: 1, dilation_h_factor: 1, quantized_bias_type: "
      "FLOAT32}",
      "    [1] CUSTOM \"FlexRFFT\"(3, -1) -> (4) custom_options=<FLEXBUFFERS "
      "3 bytes, fnv1a=" +
          [] {
            const uint8_t c[] = {1, 2, 3};
            char buf[17];
            std::snprintf(buf, sizeof(buf), "%016llx",
                          static_cast<unsigned long long>(Fnv1a64(c, 3)));
            return std::string(buf);
          }() +
          "> <undecodable Flex options: not a valid FlexBuffer (3 bytes)>",
      "    [2] STABLEHLO_CBRT(4) -> (5)",
      "signature_defs: 1",
      "  [0] \"serving_default\" subgraph=0 inputs{\"x\":0} outputs{\"y\":4}",
      "metadata: 1",
      "  \"min_runtime_version\" buffer=3 \"1.14.0\" (16 bytes)",
  };
  ASSERT_GE(tail.size(), expected_tail.size()) << r.out;
  for (size_t i = 0; i < expected_tail.size(); ++i) {
    EXPECT_EQ(tail[i], expected_tail[i]) << "line " << i + 11 << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("buffers: 4 (3 with data, total 32 bytes; buffer 0 "
                       "empty)\n"),
            std::string::npos)
      << r.out;
}

TEST(InspectSynthetic, OptionsAndHashesCanBeTurnedOff) {
  InspectOptions options;
  options.buffer_hashes = false;
  options.show_options = false;
  const DumpResult r = Dump(Serialize(SmallModel()), options);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out.find("fnv1a"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Conv2DOptions"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[0] CONV_2D(0, 1, 2) -> (3)\n"), std::string::npos)
      << r.out;
}

TEST(InspectSynthetic, BadIndicesAreErrorsButStillDumped) {
  tflite::ModelT m = SmallModel();
  m.subgraphs[0]->operators[0]->inputs[1] = 42;  // no such tensor
  m.subgraphs[0]->operators[1]->opcode_index = 9;
  m.subgraphs[0]->tensors[2]->buffer = 77;
  const DumpResult r = Dump(Serialize(m));
  EXPECT_FALSE(r.ok);
  // The first problem in dump order (tensors come before operators).
  EXPECT_EQ(r.error,
            "invalid TFLite model: tensor \"conv/bias\" refers to buffer 77 "
            "but the model has 4 buffers (and 2 more problems marked <ERROR> "
            "in the dump)");
  EXPECT_NE(r.out.find("<ERROR: operator 0 input 1 refers to tensor 42 but "
                       "the subgraph has 6 tensors>"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("<ERROR: operator 1 has opcode_index 9 but the model "
                       "has 3 operator codes>"),
            std::string::npos)
      << r.out;
}

TEST(InspectSynthetic, WrongBufferSizeIsAnError) {
  tflite::ModelT m = SmallModel();
  m.buffers[2]->data.resize(12);  // INT32 [2] needs 8 bytes
  const DumpResult r = Dump(Serialize(m));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("\"conv/bias\" has 12 bytes of data but its shape "
                         "needs 8"),
            std::string::npos)
      << r.error;
}

TEST(InspectSynthetic, SchemaVersionMustBe3) {
  tflite::ModelT m = SmallModel();
  m.version = 2;
  const DumpResult r = Dump(Serialize(m));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("version 2"), std::string::npos) << r.error;
}

// Large-model mode: buffer data appended after the FlatBuffer, referenced by
// absolute offset/size.
TEST(InspectSynthetic, LargeModelModeExternalBuffers) {
  const std::vector<uint8_t> kernel(8, 7);
  auto build = [&](uint64_t offset) {
    tflite::ModelT m = SmallModel();
    m.buffers[1]->data.clear();
    m.buffers[1]->offset = offset;
    m.buffers[1]->size = kernel.size();
    auto loc = std::make_unique<tflite::MetadataT>();
    loc->name = "buffer_location";
    loc->buffer = static_cast<uint32_t>(m.buffers.size());
    const std::string text = "outside flatbuffers";
    m.buffers.push_back(Buffer(std::vector<uint8_t>(text.begin(), text.end())));
    m.metadata.push_back(std::move(loc));
    return Serialize(m);
  };
  const size_t fb_size = build(2).size();
  const size_t offset = (fb_size + 15) / 16 * 16;
  std::vector<uint8_t> file = build(offset);
  ASSERT_EQ(file.size(), fb_size);
  file.resize(offset, 0);
  file.insert(file.end(), kernel.begin(), kernel.end());
  file.resize(file.size() + 16, 0);

  const DumpResult r = Dump(file);
  ASSERT_TRUE(r.ok) << r.error << "\n" << r.out;
  char hash[17];
  std::snprintf(
      hash, sizeof(hash), "%016llx",
      static_cast<unsigned long long>(Fnv1a64(kernel.data(), kernel.size())));
  EXPECT_NE(r.out.find("\"conv/kernel\" INT8 [2,2,2,1] buffer=1 (8 bytes, "
                       "fnv1a=" +
                       std::string(hash) + ")"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  [1] 8 bytes, fnv1a=" + std::string(hash) +
                       " at file offset " + std::to_string(offset) + "\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"buffer_location\" buffer=4 \"outside flatbuffers\""),
            std::string::npos)
      << r.out;

  // The same file cut before the appended data: the offset now points past
  // the end, which must be reported, not read.
  std::vector<uint8_t> cut(file.begin(), file.begin() + offset + 4);
  const DumpResult bad = Dump(cut);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("buffer 1 points at bytes"), std::string::npos)
      << bad.error;
}

// ---------------------------------------------------------------------------
// (b) Garbage, empty, truncated, corrupt identifier.

void ExpectRejected(const std::vector<uint8_t>& bytes,
                    const std::string& what) {
  std::string out = "stale";
  std::string error;
  EXPECT_FALSE(
      InspectModel(bytes.data(), bytes.size(), InspectOptions(), &out, &error))
      << what;
  EXPECT_FALSE(error.empty()) << what;
}

TEST(InspectInvalid, EmptyInput) {
  std::string out;
  std::string error;
  EXPECT_FALSE(InspectModel(nullptr, 0, InspectOptions(), &out, &error));
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
  EXPECT_TRUE(out.empty());
  ExpectRejected({}, "empty vector");
}

TEST(InspectInvalid, GarbageBytes) {
  std::mt19937 rng(1234);
  for (size_t size : {1, 7, 8, 64, 1000, 65536}) {
    std::vector<uint8_t> bytes(size);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    ExpectRejected(bytes, "random " + std::to_string(size));
    // Random bytes behind a valid identifier still fail verification.
    if (size >= 8) {
      std::memcpy(bytes.data() + 4, "TFL3", 4);
      ExpectRejected(bytes, "random with TFL3 " + std::to_string(size));
    }
  }
  const std::string text = "this is not a flatbuffer at all";
  ExpectRejected(std::vector<uint8_t>(text.begin(), text.end()), "text");
}

TEST(InspectInvalid, CorruptIdentifier) {
  std::vector<uint8_t> bytes = Serialize(SmallModel());
  ASSERT_TRUE(Dump(bytes).ok);
  bytes[5] = 'X';  // "TXL3"
  const DumpResult r = Dump(bytes);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("identifier"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("TXL3"), std::string::npos) << r.error;

  if (HaveModels()) {
    std::vector<uint8_t> real =
        ReadFile(ModelsDir() / "st_stmnist_v1/stmnist_v1_int8.tflite");
    ASSERT_TRUE(Dump(real).ok);
    std::memcpy(real.data() + 4, "TFL2", 4);
    const DumpResult bad = Dump(real);
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.error,
              "not a TFLite model: the file identifier (bytes 4..7) is "
              "\"TFL2\", expected \"TFL3\"");
    EXPECT_TRUE(bad.out.empty());
  }
}

TEST(InspectInvalid, TruncatedSyntheticModelEveryLength) {
  const std::vector<uint8_t> bytes = Serialize(SmallModel());
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);
    std::string out;
    std::string error;
    // A prefix may only pass if every referenced byte happens to be in it;
    // FlatBuffers put the root near the front, so in practice none does.
    if (!InspectModel(prefix.data(), prefix.size(), InspectOptions(), &out,
                      &error)) {
      EXPECT_FALSE(error.empty()) << n;
    }
  }
  std::vector<uint8_t> half(bytes.begin(), bytes.begin() + bytes.size() / 2);
  ExpectRejected(half, "first half");
}

TEST(InspectInvalid, TruncatedRealModel) {
  SKIP_IF_NO_MODELS();
  const std::vector<uint8_t> bytes =
      ReadFile(ModelsDir() / "icu_dense_keras3_h5_dynrange/model.tflite");
  ASSERT_FALSE(bytes.empty());
  ExpectRejected(
      std::vector<uint8_t>(bytes.begin(), bytes.begin() + bytes.size() / 2),
      "first half of icu_dense");
  for (size_t n = 0; n < bytes.size(); n += 7) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);
    std::string out;
    std::string error;
    if (!InspectModel(prefix.data(), prefix.size(), InspectOptions(), &out,
                      &error)) {
      EXPECT_FALSE(error.empty()) << n;
    }
  }
}

// Every single-byte corruption of a model must be handled without crashing
// (run under ASan/UBSan to make this test meaningful).
TEST(InspectInvalid, ByteFlipsNeverCrash) {
  std::vector<std::vector<uint8_t>> seeds = {Serialize(SmallModel())};
  if (HaveModels()) {
    seeds.push_back(
        ReadFile(ModelsDir() / "icu_dense_keras3_h5_dynrange/model.tflite"));
  }
  for (const auto& seed : seeds) {
    for (size_t i = 0; i < seed.size(); ++i) {
      for (uint8_t v : {uint8_t{0x00}, uint8_t{0xff}, uint8_t{0x80},
                        static_cast<uint8_t>(seed[i] ^ 0x01)}) {
        std::vector<uint8_t> bytes = seed;
        bytes[i] = v;
        std::string out;
        std::string error;
        if (!InspectModel(bytes.data(), bytes.size(), InspectOptions(), &out,
                          &error)) {
          ASSERT_FALSE(error.empty()) << "byte " << i;
        }
      }
    }
  }
}

TEST(InspectInvalid, RandomMutationsNeverCrash) {
  std::vector<uint8_t> seed = Serialize(SmallModel());
  std::mt19937 rng(42);
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<uint8_t> bytes = seed;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % bytes.size();
      switch (rng() % 3) {
        case 0:
          bytes[pos] = static_cast<uint8_t>(rng());
          break;
        case 1: {  // plausible small offset / length
          const uint32_t v = rng() % 4096;
          if (pos + 4 <= bytes.size()) std::memcpy(&bytes[pos], &v, 4);
          break;
        }
        default:
          bytes.resize(std::max<size_t>(1, rng() % (bytes.size() + 64)));
          break;
      }
    }
    std::string out;
    std::string error;
    if (!InspectModel(bytes.data(), bytes.size(), InspectOptions(), &out,
                      &error)) {
      ASSERT_FALSE(error.empty()) << "iteration " << iter;
    }
  }
}

// ---------------------------------------------------------------------------
// (c) Determinism.

TEST(InspectDeterminism, SameBytesSameDump) {
  std::vector<uint8_t> bytes = Serialize(SmallModel());
  if (HaveModels()) {
    bytes = ReadFile(ModelsDir() /
                     "st_mobilenet_v2_035_128_flowers/"
                     "mobilenet_v2_0.35_128_int8.tflite");
  }
  const DumpResult a = Dump(bytes);
  const DumpResult b = Dump(bytes);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(a.out, b.out);

  // Misaligned input gives the same text.
  std::vector<uint8_t> shifted(bytes.size() + 3);
  std::memcpy(shifted.data() + 3, bytes.data(), bytes.size());
  std::string out;
  std::string error;
  ASSERT_TRUE(InspectModel(shifted.data() + 3, bytes.size(), InspectOptions(),
                           &out, &error))
      << error;
  EXPECT_EQ(out, a.out);
}

// Float formatting must not follow the C or C++ locale.
struct CommaDecimal : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

TEST(InspectDeterminism, LocaleIndependent) {
  const std::vector<uint8_t> bytes = Serialize(SmallModel());
  const DumpResult before = Dump(bytes);
  ASSERT_TRUE(before.ok) << before.error;
  ASSERT_NE(before.out.find("0.100000001"), std::string::npos);

  const std::locale old_cpp = std::locale::global(
      std::locale(std::locale::classic(), new CommaDecimal));
  const std::string old_c = std::setlocale(LC_ALL, nullptr);
  for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8"}) {
    if (std::setlocale(LC_ALL, name) != nullptr) break;
  }
  const DumpResult during = Dump(bytes);
  std::setlocale(LC_ALL, old_c.c_str());
  std::locale::global(old_cpp);
  EXPECT_EQ(during.out, before.out);
}

// ---------------------------------------------------------------------------
// Custom options: Select TF (Flex) ops' NodeDef and FlexBuffer maps.

// A model with one CUSTOM op `custom_code` (tensor 0 -> tensor 1) whose
// custom_options are `options`.
std::vector<uint8_t> CustomOpModel(const std::string& custom_code,
                                   const std::vector<uint8_t>& options) {
  tflite::ModelT m;
  m.version = 3;
  m.operator_codes.push_back(
      Code(tflite::BuiltinOperator_CUSTOM, 1, custom_code));
  m.buffers.push_back(Buffer({}));
  auto sg = std::make_unique<tflite::SubGraphT>();
  sg->tensors.push_back(Tensor("x", tflite::TensorType_FLOAT32, {2}, 0));
  sg->tensors.push_back(Tensor("y", tflite::TensorType_FLOAT32, {2}, 0));
  sg->inputs = {0};
  sg->outputs = {1};
  auto op = std::make_unique<tflite::OperatorT>();
  op->opcode_index = 0;
  op->inputs = {0};
  op->outputs = {1};
  op->custom_options = options;
  sg->operators.push_back(std::move(op));
  m.subgraphs.push_back(std::move(sg));
  return Serialize(m);
}

// The text after "[0] CUSTOM "<code>"(0) -> (1) " on the operator's line.
std::string CustomOpOptions(const std::string& custom_code,
                            const std::vector<uint8_t>& options,
                            const InspectOptions& inspect = InspectOptions()) {
  const DumpResult r = Dump(CustomOpModel(custom_code, options), inspect);
  EXPECT_TRUE(r.ok) << r.error;
  const std::string head = "    [0] CUSTOM \"" + custom_code + "\"(0) -> (1) ";
  for (const std::string& line : Lines(r.out)) {
    if (line.rfind(head, 0) == 0) return line.substr(head.size());
  }
  ADD_FAILURE() << "no operator line in\n" << r.out;
  return "";
}

std::string HexHash(const void* data, size_t size) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(
                    Fnv1a64(static_cast<const uint8_t*>(data), size)));
  return buf;
}

// Today's summary of custom options: "custom_options=<FLEXBUFFERS ...>".
std::string Summary(const std::vector<uint8_t>& options) {
  return "custom_options=<FLEXBUFFERS " + std::to_string(options.size()) +
         " bytes, fnv1a=" + HexHash(options.data(), options.size()) + ">";
}

// Protobuf wire format, written by hand.
std::string Varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string Tag(uint32_t field, uint32_t wire_type) {
  return Varint((uint64_t{field} << 3) | wire_type);
}
std::string VarintField(uint32_t field, int64_t v) {
  return Tag(field, 0) + Varint(static_cast<uint64_t>(v));
}
std::string Fixed32(float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  std::string s;
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(u >> (8 * i)));
  return s;
}
std::string FloatField(uint32_t field, float v) {
  return Tag(field, 5) + Fixed32(v);
}
std::string BytesField(uint32_t field, const std::string& payload) {
  return Tag(field, 2) + Varint(payload.size()) + payload;
}
// NodeDef.attr entry (map<string, AttrValue>: key = 1, value = 2).
std::string Attr(const std::string& key, const std::string& attr_value) {
  return BytesField(5, BytesField(1, key) + BytesField(2, attr_value));
}
std::string Dim(int64_t size, const std::string& name = "") {
  std::string d = VarintField(1, size);
  if (!name.empty()) d += BytesField(2, name);
  return BytesField(2, d);
}

// [op, node_def] as the Select TF lowering writes it.
std::vector<uint8_t> FlexOptions(const std::string& op,
                                 const std::string& node_def) {
  flexbuffers::Builder fb;
  fb.Vector([&] {
    fb.String(op);
    fb.String(node_def);
  });
  fb.Finish();
  return fb.GetBuffer();
}

// An Erf NodeDef with one attribute of each common kind, attributes not in
// key order, and an unknown field (experimental_debug_info = 6).
std::string ErfNodeDef() {
  std::string packed_ints = Varint(1) + Varint(2) + Varint(3);
  return BytesField(1, "e") + BytesField(2, "Erf") + BytesField(3, "b") +
         BytesField(3, "^c") + BytesField(4, "/device:CPU:0") +
         Attr("T", VarintField(6, 1)) +  // type
         Attr("strs",
              BytesField(1, BytesField(2, "a") +  // list(s)
                                BytesField(2, std::string("b\x01", 2)))) +
         Attr("N", VarintField(3, 3)) +            // i
         Attr("offset", VarintField(3, -2)) +      // i, 10 bytes
         Attr("alpha", FloatField(4, 0.5f)) +      // f
         Attr("flag", VarintField(5, 1)) +         // b
         Attr("padding", BytesField(2, "SAME")) +  // s
         Attr("shape", BytesField(7, Dim(1) + Dim(-1) + Dim(3, "c"))) +
         Attr("ints", BytesField(1, BytesField(3, packed_ints))) +  // list(i)
         BytesField(6, BytesField(1, "debug"));
}

const char kErfText[] =
    "[\"Erf\", node_def { name: \"e\" op: \"Erf\" input: \"b\" input: \"^c\" "
    "device: \"/device:CPU:0\" "
    "attr { key: \"N\" value { i: 3 } } "
    "attr { key: \"T\" value { type: DT_FLOAT } } "
    "attr { key: \"alpha\" value { f: 0.5 } } "
    "attr { key: \"flag\" value { b: true } } "
    "attr { key: \"ints\" value { list { i: [1, 2, 3] } } } "
    "attr { key: \"offset\" value { i: -2 } } "
    "attr { key: \"padding\" value { s: \"SAME\" } } "
    "attr { key: \"shape\" value { shape { dim { size: 1 } dim { size: -1 } "
    "dim { size: 3 name: \"c\" } } } } "
    "attr { key: \"strs\" value { list { s: [\"a\", \"b\\x01\"] } } } }]";

TEST(InspectCustomOptions, FlexOpShowsNodeDef) {
  const std::vector<uint8_t> options = FlexOptions("Erf", ErfNodeDef());
  EXPECT_EQ(CustomOpOptions("FlexErf", options),
            std::string("custom_options=") + kErfText);
}

TEST(InspectCustomOptions, FlexOpEveryAttrKind) {
  const std::string node_def =
      BytesField(1, "n") + BytesField(2, "Op") +
      Attr("dtype_ref", VarintField(6, 101)) +
      Attr("dtype_odd", VarintField(6, 77)) + Attr("empty", "") +
      Attr("fn", BytesField(10, BytesField(1, "my_fn") +
                                    BytesField(2, "ignored attrs"))) +
      Attr("ph", BytesField(9, "T")) + Attr("scalar", BytesField(7, "")) +
      Attr("unranked", BytesField(7, VarintField(3, 1))) +
      Attr("value", BytesField(8, std::string("\x08\x01\x12\x00", 4))) +
      Attr("lists",
           BytesField(1, VarintField(6, 3) + VarintField(6, 1) +  // unpacked
                             BytesField(4, Fixed32(0.25f) + Fixed32(-1.5f)) +
                             FloatField(4, 2.0f) +
                             BytesField(5, Varint(1) + Varint(0)) +
                             BytesField(7, Dim(2)) + BytesField(7, "") +
                             BytesField(8, "xyz") +
                             BytesField(9, BytesField(1, "g")) +
                             VarintField(3, 7) + VarintField(42, 1))) +
      Attr("empty_list", BytesField(1, ""));
  InspectOptions no_hashes;
  no_hashes.buffer_hashes = false;
  EXPECT_EQ(
      CustomOpOptions("FlexOp", FlexOptions("Op", node_def), no_hashes),
      "custom_options=[\"Op\", node_def { name: \"n\" op: \"Op\" device: \"\" "
      "attr { key: \"dtype_odd\" value { type: 77 } } "
      "attr { key: \"dtype_ref\" value { type: DT_FLOAT_REF } } "
      "attr { key: \"empty\" value { } } "
      "attr { key: \"empty_list\" value { list { } } } "
      "attr { key: \"fn\" value { func { name: \"my_fn\" } } } "
      "attr { key: \"lists\" value { list { i: [7] f: [0.25, -1.5, 2] "
      "b: [true, false] type: [DT_INT32, DT_FLOAT] shape { dim { size: 2 } } "
      "shape { } tensor <3 bytes> func { name: \"g\" } } } } "
      "attr { key: \"ph\" value { placeholder: \"T\" } } "
      "attr { key: \"scalar\" value { shape { } } } "
      "attr { key: \"unranked\" value { shape { unknown_rank: true } } } "
      "attr { key: \"value\" value { tensor <4 bytes> } } }]");
  // With hashes, tensors carry theirs like every other blob in the dump.
  const std::string with_hashes =
      CustomOpOptions("FlexOp", FlexOptions("Op", node_def));
  EXPECT_NE(with_hashes.find("value { tensor <4 bytes, fnv1a=" +
                             HexHash("\x08\x01\x12\x00", 4) + "> }"),
            std::string::npos)
      << with_hashes;
}

TEST(InspectCustomOptions, UndecodableFlexOptionsAreMarked) {
  const auto marked = [](const std::vector<uint8_t>& options,
                         const std::string& reason) {
    EXPECT_EQ(CustomOpOptions("FlexErf", options),
              Summary(options) + " <undecodable Flex options: " + reason + ">");
  };
  // A NodeDef whose name claims 5 bytes but has 2.
  marked(FlexOptions("Erf",
                     "\x0a\x05"
                     "ab"),
         "NodeDef (4 bytes): field 1 claims 5 bytes but only 2 remain at "
         "byte 0");
  // Cut inside a nested message: the error names the outer byte offset.
  const std::string node_def = ErfNodeDef();
  marked(FlexOptions("Erf", node_def.substr(0, node_def.size() - 3)),
         "NodeDef (" + std::to_string(node_def.size() - 3) +
             " bytes): field 6 claims 7 bytes but only 4 remain at byte " +
             std::to_string(node_def.size() - 9));
  marked(FlexOptions("Erf", "\x10\xff\xff"),
         "NodeDef (3 bytes): truncated varint at byte 1");
  marked(FlexOptions("Erf", std::string(11, '\xff')),
         "NodeDef (11 bytes): varint longer than 10 bytes at byte 0");
  marked(FlexOptions("Erf", "\x0b"),
         "NodeDef (1 bytes): field 1 has unsupported wire type 3 at byte 0");
  marked(FlexOptions("Erf", Attr("l", BytesField(1, BytesField(4, "abc")))),
         "NodeDef (14 bytes): packed list field 4: truncated fixed32 value "
         "at byte 11");
  // Not a vector.
  flexbuffers::Builder map;
  map.Map([&] { map.String("op", "Erf"); });
  map.Finish();
  marked(map.GetBuffer(),
         "the FlexBuffer root is a map, not a vector [op name, NodeDef]");
  // A vector of one element.
  flexbuffers::Builder one;
  one.Vector([&] { one.String("Erf"); });
  one.Finish();
  marked(one.GetBuffer(),
         "the FlexBuffer vector has 1 element, not 2 [op name, NodeDef]");
  // Wrong element types.
  flexbuffers::Builder ints;
  ints.Vector([&] {
    ints.String("Erf");
    ints.Int(7);
  });
  ints.Finish();
  marked(ints.GetBuffer(), "element 1 (NodeDef) is an int, not a string");
  // Random bytes.
  marked({1, 2, 3}, "not a valid FlexBuffer (3 bytes)");
  marked({0}, "not a FlexBuffer (1 bytes)");
}

TEST(InspectCustomOptions, EveryPrefixOfANodeDefIsSafe) {
  const std::string node_def = ErfNodeDef();
  int decoded = 0;
  for (size_t n = 0; n <= node_def.size(); ++n) {
    const std::string text =
        CustomOpOptions("FlexErf", FlexOptions("Erf", node_def.substr(0, n)));
    if (text.find("<undecodable Flex options: NodeDef (") ==
        std::string::npos) {
      ASSERT_EQ(text.rfind("custom_options=[\"Erf\", node_def { ", 0), 0u)
          << text;
      ++decoded;
    }
  }
  // The cuts between top-level fields decode (15 fields, and the empty one).
  EXPECT_EQ(decoded, 16);
}

TEST(InspectCustomOptions, RandomOptionsNeverCrash) {
  std::mt19937 rng(20240611);
  const std::vector<uint8_t> valid = FlexOptions("Erf", ErfNodeDef());
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> options;
    if (i % 2 == 0) {
      options.resize(1 + rng() % 64);  // empty options are not written
      for (uint8_t& b : options) b = static_cast<uint8_t>(rng());
    } else {
      options = valid;  // a few flipped bytes in a valid buffer
      for (int k = 0; k < 1 + i % 4; ++k) {
        options[rng() % options.size()] ^=
            static_cast<uint8_t>(1 + rng() % 255);
      }
    }
    const std::string flex = CustomOpOptions("FlexErf", options);
    EXPECT_EQ(flex.rfind("custom_options=", 0), 0u) << flex;
    const std::string other = CustomOpOptions("MyOp", options);
    EXPECT_EQ(other.rfind("custom_options=", 0), 0u) << other;
  }
}

TEST(InspectCustomOptions, CustomOpShowsFlexBufferMap) {
  flexbuffers::Builder fb;
  fb.Map([&] {
    fb.Float("alpha", 0.5f);
    fb.Int("axis", 3);
    fb.String("name", "x");
    fb.Bool("keep", true);
    fb.TypedVector("dims", [&] {
      fb.Int(1);
      fb.Int(2);
      fb.Int(3);
    });
  });
  fb.Finish();
  EXPECT_EQ(CustomOpOptions("MyOp", fb.GetBuffer()),
            "custom_options={alpha: 0.5, axis: 3, dims: [1, 2, 3], "
            "keep: true, name: \"x\"}");
}

TEST(InspectCustomOptions, CustomOpMapOtherValues) {
  flexbuffers::Builder fb;
  fb.Map([&] {
    fb.TypedVector("scales", [&] {
      fb.Float(0.1f);
      fb.Float(-2.0f);
    });
    fb.TypedVector("names", [&] {
      fb.String("a");
      fb.String("b\"c");
    });
    fb.Int("big", -1234567890123LL);
    fb.Double("pi", 3.141592653589793);
    fb.Key("blob");
    const uint8_t blob[] = {9, 8, 7};
    fb.Blob(blob, sizeof(blob));
    fb.Vector("mixed", [&] {
      fb.Int(1);
      fb.String("two");
      fb.Null();
    });
    fb.Map("inner", [&] { fb.UInt("u", 7); });
    fb.Key("with space");
    fb.Int(1);
  });
  fb.Finish();
  InspectOptions no_hashes;
  no_hashes.buffer_hashes = false;
  EXPECT_EQ(CustomOpOptions("MyOp", fb.GetBuffer(), no_hashes),
            "custom_options={big: -1234567890123, blob: <3 bytes>, "
            "inner: {u: 7}, mixed: [1, \"two\", null], "
            "names: [\"a\", \"b\\\"c\"], pi: 3.1415926535897931, "
            "scales: [0.100000001, -2], \"with space\": 1}");
}

TEST(InspectCustomOptions, OtherCustomOptionsKeepTheSummary) {
  // A vector (not a map), garbage, and a map in another format.
  flexbuffers::Builder vec;
  vec.Vector([&] { vec.Int(1); });
  vec.Finish();
  EXPECT_EQ(CustomOpOptions("MyOp", vec.GetBuffer()), Summary(vec.GetBuffer()));
  const std::vector<uint8_t> garbage = {1, 2, 3, 4, 5};
  EXPECT_EQ(CustomOpOptions("MyOp", garbage), Summary(garbage));
  // A map on a custom op decodes, on a builtin op it does not.
  tflite::ModelT m = SmallModel();
  m.operator_codes[1]->custom_code = "MyOp";
  flexbuffers::Builder map;
  map.Map([&] { map.Int("a", 1); });
  map.Finish();
  m.subgraphs[0]->operators[1]->custom_options = map.GetBuffer();
  m.subgraphs[0]->operators[2]->custom_options = map.GetBuffer();
  const DumpResult r = Dump(Serialize(m));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_NE(r.out.find("[1] CUSTOM \"MyOp\"(3, -1) -> (4) "
                       "custom_options={a: 1}\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[2] STABLEHLO_CBRT(4) -> (5) " +
                       Summary(map.GetBuffer()) + "\n"),
            std::string::npos)
      << r.out;
}

TEST(InspectCustomOptions, NoOptionsHidesDecodedOptions) {
  InspectOptions options;
  options.show_options = false;
  const std::vector<uint8_t> flex = FlexOptions("Erf", ErfNodeDef());
  EXPECT_EQ(CustomOpOptions("FlexErf", flex, options), Summary(flex));
  flexbuffers::Builder fb;
  fb.Map([&] { fb.Int("axis", 3); });
  fb.Finish();
  EXPECT_EQ(CustomOpOptions("MyOp", fb.GetBuffer(), options),
            Summary(fb.GetBuffer()));
  const std::vector<uint8_t> bad = {1, 2, 3};
  EXPECT_EQ(CustomOpOptions("FlexErf", bad, options), Summary(bad));
}

// ---------------------------------------------------------------------------
// (a) The shared corpus of real .tflite files.

TEST(InspectCorpus, EveryModelDumps) {
  SKIP_IF_NO_MODELS();
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(ModelsDir())) {
    if (!entry.is_regular_file() || entry.path().extension() != ".tflite") {
      continue;
    }
    ++count;
    const std::vector<uint8_t> bytes = ReadFile(entry.path());
    const DumpResult r = Dump(bytes);
    EXPECT_TRUE(r.ok) << entry.path() << ": " << r.error;
    EXPECT_EQ(r.error, "") << entry.path();
    EXPECT_EQ(r.out.rfind("model version=3", 0), 0u) << entry.path();
    EXPECT_EQ(r.out.find("<ERROR"), std::string::npos) << entry.path();
    EXPECT_EQ(r.out.find("(?)"), std::string::npos) << entry.path();
    EXPECT_EQ(r.out.find("UNKNOWN_BUILTIN"), std::string::npos) << entry.path();
  }
  EXPECT_GE(count, 3) << "expected the .tflite files listed in MANIFEST.md";
}

struct CorpusCase {
  const char* path;  // relative to shared/models
  std::map<std::string, int> ops;
  std::vector<std::string> contains;
};

void PrintTo(const CorpusCase& c, std::ostream* os) { *os << c.path; }

// Test name: the model folder, e.g. "st_stmnist_v1".
std::string CaseName(const ::testing::TestParamInfo<CorpusCase>& info) {
  std::string name = info.param.path;
  name = name.substr(0, name.find('/'));
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name + "_" + std::to_string(info.index);
}

class InspectCorpusCase : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(InspectCorpusCase, MatchesManifest) {
  SKIP_IF_NO_MODELS();
  const CorpusCase& c = GetParam();
  std::string out;
  std::string error;
  ASSERT_TRUE(InspectModelFile((ModelsDir() / c.path).string(),
                               InspectOptions(), &out, &error))
      << error;
  for (const auto& [op, n] : c.ops) {
    EXPECT_EQ(CountOps(out, op), n) << op << " in " << c.path << "\n" << out;
  }
  for (const std::string& needle : c.contains) {
    EXPECT_NE(out.find(needle), std::string::npos)
        << "\"" << needle << "\" missing from the dump of " << c.path << "\n"
        << out;
  }
}

// Expected op census from shared/models/MANIFEST.md.
INSTANTIATE_TEST_SUITE_P(
    Manifest, InspectCorpusCase,
    ::testing::Values(
        CorpusCase{"icu_dense_keras3_h5_dynrange/model.tflite",
                   {{"FULLY_CONNECTED", 3}, {"LOGISTIC", 1}},
                   {"model version=3 description=\"MLIR Converted.\"\n",
                    "\"min_runtime_version\" buffer=", "\"1.14.0\"",
                    "\"CONVERSION_METADATA\" buffer=",
                    "tensorflow_version: \"2.20.0\"", "api_version: 2",
                    "model_type: KERAS_MODEL",
                    "model_optimization_modes: [PTQ_DYNAMIC_RANGE]",
                    "\"serving_default\" subgraph=0",
                    "\"serving_default_input_layer:0\" FLOAT32 [1,2]"}},
        CorpusCase{"st_stmnist_v1/stmnist_v1_int8.tflite",
                   {{"QUANTIZE", 1},
                    {"CONV_2D", 3},
                    {"DEPTHWISE_CONV_2D", 2},
                    {"MEAN", 1},
                    {"FULLY_CONNECTED", 1},
                    {"SOFTMAX", 1},
                    {"DEQUANTIZE", 1}},
                   {"DepthwiseConv2DOptions{", "q{scale=["}},
        CorpusCase{"st_mobilenet_v2_035_128_flowers/"
                   "mobilenet_v2_0.35_128_int8.tflite",
                   {{"QUANTIZE", 1},
                    {"CONV_2D", 35},
                    {"DEPTHWISE_CONV_2D", 17},
                    {"PAD", 4},
                    {"ADD", 10},
                    {"MEAN", 1},
                    {"FULLY_CONNECTED", 1},
                    {"SOFTMAX", 1},
                    {"DEQUANTIZE", 1}},
                   {" dim=0}"}},
        CorpusCase{"serving_parse_example_tflite/parse_example_tflite/"
                   "00000123/model.tflite",
                   {{"CUSTOM", 1}},
                   {"CUSTOM \"ParseExampleV2\"(",
                    "custom_options={num_sparse: 0}", " STRING [1] "}},
        CorpusCase{"serving_half_plus_two_tf1/saved_model_half_plus_two_tflite/"
                   "00000123/model.tflite",
                   {{"MUL", 1}, {"ADD", 1}},
                   {"description=\"TOCO Converted.\"", "\"1.5.0\""}},
        CorpusCase{"tf2onnx_regression/tflite/test_api_model.tflite",
                   {{"ADD", 1}},
                   {"tensorflow_version: \"2.9.0\"", "model_type: TF_SESSION",
                    "enable_select_tf_ops: true"}}),
    CaseName);

}  // namespace
}  // namespace tflc::host
