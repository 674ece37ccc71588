// frontend_saved_model: the shared SavedModels (TF1 half_plus_two and regression, TF2 Keras
// number_guesser) through the whole pipeline, several signatures, and every bad-input case
// (written at run time into a temp dir from copies of the shared files).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "frontend.h"
#include "tf_common/checkpoint.h"
#include "tflc/testing/fake_host.h"

#if TFLC_TF_HAVE_PIPELINE
extern "C" const TflcPluginApi* TflcLowerBuiltin_Query(const TflcPluginQuery_Args* args);
extern "C" const TflcPluginApi* TflcOpsetBuiltin_Query(const TflcPluginQuery_Args* args);
#endif

namespace tflc::saved_model {
namespace {

namespace fs = std::filesystem;
using tflc::testing::FakeHost;
using tflc::testing::HostTensor;

std::string Shared() {
  struct stat st;
  std::string d = TFLC_SHARED_MODELS_DIR;
  return ::stat((d + "/MANIFEST.md").c_str(), &st) == 0 ? d : "";
}
#define REQUIRE_SHARED() \
  if (Shared().empty()) GTEST_SKIP() << "../shared/models is absent"

const char* kHalfPlusTwo = "serving_half_plus_two_tf1/saved_model_half_plus_two_cpu/00000123";
const char* kRegression = "tf2onnx_regression/saved_model";
const char* kNumberGuesser = "number_guesser_keras_savedmodel/saved_model";

std::string TempDir() {
  static std::string dir = [] {
    char tmpl[] = "/tmp/tflc_saved_model_test_XXXXXX";
    return std::string(::mkdtemp(tmpl));
  }();
  return dir;
}

// A copy of a shared SavedModel directory to damage.
std::string CopyModel(const std::string& rel, const std::string& name) {
  fs::path dst = fs::path(TempDir()) / name;
  fs::remove_all(dst);
  fs::copy(fs::path(Shared()) / rel, dst, fs::copy_options::recursive);
  return dst.string();
}

Status Load(FakeHost& h, const std::string& path, bool pipeline, const std::string& sigs = "",
            const std::string& tags = "") {
  TFLC_RETURN_IF_ERROR(h.Register(&TflcFrontendSavedModel_Query, "frontend_saved_model"));
#if TFLC_TF_HAVE_PIPELINE
  if (pipeline) {
    TFLC_RETURN_IF_ERROR(h.Register(&TflcLowerBuiltin_Query, "lower_builtin"));
    TFLC_RETURN_IF_ERROR(h.Register(&TflcOpsetBuiltin_Query, "opset_builtin"));
  }
#endif
  if (!sigs.empty()) h.SetOption("saved_model_signature_key", sigs);
  if (!tags.empty()) h.SetOption("saved_model_tag_set", tags);
  TFLC_RETURN_IF_ERROR(h.LoadModel(path, "saved_model"));
  return pipeline ? h.RunPipeline() : OkStatus();
}

TEST(SavedModelLoad, HalfPlusTwoStructure) {
  REQUIRE_SHARED();
  FakeHost h;
  Status s = Load(h, Shared() + "/" + kHalfPlusTwo, false);
  ASSERT_TRUE(s.ok()) << s;
  std::string dump = h.Dump();
  EXPECT_EQ(dump.find("RestoreV2"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("ParseExample"), std::string::npos) << dump;
  EXPECT_NE(dump.find("Mul"), std::string::npos) << dump;
  ASSERT_EQ(h.graph().num_inputs(), 1u);
  EXPECT_EQ(h.graph().input(0).dims(), (std::vector<int64_t>{1, 1}));
}

#if TFLC_TF_HAVE_PIPELINE
TEST(SavedModelRun, HalfPlusTwoIsExact) {
  REQUIRE_SHARED();
  FakeHost h;
  Status s = Load(h, Shared() + "/" + kHalfPlusTwo, true);
  ASSERT_TRUE(s.ok()) << s << "\n" << h.Dump();
  for (float x : {0.0f, 1.0f, -3.5f, 100.25f}) {
    auto out = h.Interpret({HostTensor::Float({1, 1}, {x})});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].floats(), (std::vector<float>{0.5f * x + 2.0f}));
  }
}

TEST(SavedModelRun, SeveralSignaturesBecomeSeveralGraphs) {
  REQUIRE_SHARED();
  FakeHost h;
  Status s = Load(h, Shared() + "/" + kHalfPlusTwo, true, "serving_default,regress_x2_to_y3");
  ASSERT_TRUE(s.ok()) << s << "\n" << h.Dump();
  std::string dump = h.Dump();
  EXPECT_NE(dump.find("regress_x2_to_y3"), std::string::npos) << dump;
  EXPECT_NE(dump.find("serving_default"), std::string::npos) << dump;
  auto bytes = h.Export();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
}

TEST(SavedModelRun, RegressionIsWxPlusB) {
  REQUIRE_SHARED();
  // W and b straight from the checkpoint.
  auto ckpt = tf::Checkpoint::Open(Shared() + "/" + kRegression + "/variables/variables");
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  std::vector<std::string> keys = (*ckpt)->Keys();
  ASSERT_EQ(keys.size(), 2u);
  float vals[2];
  for (int i = 0; i < 2; ++i) {
    auto b = (*ckpt)->ReadBytes(keys[i]);
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_EQ(b->size(), 4u);
    std::memcpy(&vals[i], b->data(), 4);
  }
  FakeHost h;
  Status s = Load(h, Shared() + "/" + kRegression, true);
  ASSERT_TRUE(s.ok()) << s << "\n" << h.Dump();
  auto out = h.Interpret({HostTensor::Float({}, {3.0f})});
  ASSERT_TRUE(out.ok()) << out.status() << "\n" << h.Dump();
  ASSERT_EQ((*out)[0].floats().size(), 1u);
  // keys sorted: the bias sorts first ("b..." / "bias") before the weight ("W" sorts before 'b'
  // in ASCII, so accept either assignment).
  float y = (*out)[0].floats()[0];
  float a1 = vals[0] * 3.0f + vals[1], a2 = vals[1] * 3.0f + vals[0];
  EXPECT_TRUE(std::fabs(y - a1) < 1e-5f || std::fabs(y - a2) < 1e-5f) << y << " vs " << a1 << " / " << a2;
}

TEST(SavedModelRun, NumberGuesserTf2) {
  REQUIRE_SHARED();
  FakeHost h;
  Status s = Load(h, Shared() + "/" + kNumberGuesser, true);
  ASSERT_TRUE(s.ok()) << s << "\n" << h.Dump();
  std::vector<float> x(28 * 28);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 13) % 17) / 17.0f;
  auto out = h.Interpret({HostTensor::Float({1, 28, 28}, x)});
  ASSERT_TRUE(out.ok()) << out.status() << "\n" << h.Dump();
  EXPECT_EQ((*out)[0].dims, (std::vector<int64_t>{1, 10}));
  float sum = 0;
  for (float v : (*out)[0].floats()) sum += v;
  EXPECT_NEAR(sum, 1.0f, 1e-5f);  // softmax
}
#endif

TEST(SavedModelLoad, NumberGuesserFreezesVariables) {
  REQUIRE_SHARED();
  FakeHost h;
  Status s = Load(h, Shared() + "/" + kNumberGuesser, false);
  ASSERT_TRUE(s.ok()) << s;
  std::string dump = h.Dump();
  EXPECT_EQ(dump.find("ReadVariableOp"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("  StatefulPartitionedCall \""), std::string::npos) << dump;
  EXPECT_EQ(dump.find("  PartitionedCall \""), std::string::npos) << dump;
  EXPECT_NE(dump.find("MatMul"), std::string::npos) << dump;
}

// ---- bad inputs ----

TEST(SavedModelErrors, CorruptSavedModelPb) {
  REQUIRE_SHARED();
  std::string dir = CopyModel(kHalfPlusTwo, "corrupt_pb");
  fs::resize_file(dir + "/saved_model.pb", 1000);
  FakeHost h;
  Status s = Load(h, dir, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("saved_model.pb is not a valid SavedModel"), std::string::npos) << s;
}

TEST(SavedModelErrors, MissingVariables) {
  REQUIRE_SHARED();
  std::string dir = CopyModel(kHalfPlusTwo, "missing_vars");
  fs::remove_all(dir + "/variables");
  FakeHost h;
  Status s = Load(h, dir, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("variables.index is missing"), std::string::npos) << s;
}

TEST(SavedModelErrors, TruncatedDataFile) {
  REQUIRE_SHARED();
  std::string dir = CopyModel(kNumberGuesser, "truncated_data");
  std::string data = dir + "/variables/variables.data-00000-of-00001";
  fs::resize_file(data, 1000);  // the model's first kernel starts beyond that
  FakeHost h;
  Status s = Load(h, dir, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("is truncated"), std::string::npos) << s;
  EXPECT_NE(s.message().find("variables.data-00000-of-00001"), std::string::npos) << s;
}

TEST(SavedModelErrors, TruncatedIndex) {
  REQUIRE_SHARED();
  std::string dir = CopyModel(kHalfPlusTwo, "truncated_index");
  std::string index = dir + "/variables/variables.index";
  fs::resize_file(index, fs::file_size(index) - 10);
  FakeHost h;
  Status s = Load(h, dir, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("variables.index"), std::string::npos) << s;
}

TEST(SavedModelErrors, ChecksumMismatch) {
  REQUIRE_SHARED();
  std::string dir = CopyModel(kHalfPlusTwo, "bad_crc");
  std::string data = dir + "/variables/variables.data-00000-of-00001";
  std::fstream f(data, std::ios::in | std::ios::out | std::ios::binary);
  char c;
  f.seekg(0);
  f.get(c);
  f.seekp(0);
  f.put(static_cast<char>(c ^ 0x55));
  f.close();
  FakeHost h;
  Status s = Load(h, dir, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("checksum mismatch for tensor"), std::string::npos) << s;
  EXPECT_NE(s.message().find("variables.data-00000-of-00001"), std::string::npos) << s;
}

TEST(SavedModelErrors, UnknownTagListsAvailable) {
  REQUIRE_SHARED();
  FakeHost h;
  Status s = Load(h, Shared() + "/" + kHalfPlusTwo, false, "", "train");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("tag set 'train'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("'serve'"), std::string::npos) << s;
}

TEST(SavedModelErrors, UnknownSignatureListsAvailable) {
  REQUIRE_SHARED();
  FakeHost h;
  Status s = Load(h, Shared() + "/" + kHalfPlusTwo, false, "serving_defualt");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no signature 'serving_defualt'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("'regress_x2_to_y3'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("'serving_default'"), std::string::npos) << s;
}

// ---- checkpoint index regressions (found by tests/fuzz/checkpoint_fuzzer) ----

Status OpenIndex(const std::string& name, const std::string& bytes) {
  const std::string prefix = TempDir() + "/" + name;
  std::ofstream(prefix + ".index", std::ios::binary) << bytes;
  return tf::Checkpoint::Open(prefix).status();
}

// A 134-byte damaged index whose footer says the index block is ~6 GB long (and the metaindex block
// ~10 GB): libleveldb allocated that much before reading it (out of memory); now a DataLoss naming
// the file.
TEST(CheckpointErrors, IndexBlockBeyondTheFileIsAnError) {
  const std::string bytes(
      "\x00\x00\x06\x08\x01\x1a\x02\x08\x01\x00\x01\x0b\x57\x08\x01\x12\x00\x28\x04\x35\x74\xed\x71\x6f"
      "\x00\x01\x0d\x62\x08\x01\x12\x00\x20\x04\x28\x04\x35\xf4\xbd\x50\x83\x00\x00\x00\x00\x01\x00\x00"
      "\x00\x00\xbc\x6c\xae\xa3\x3d\x10\x03\x81\xbc\x82\xb1\x9c\xbd\x20\x7e\xee\x3b\x63\x7b\x94\x3d\xcd"
      "\x1f\x71\xba\x90\x3f\xb8\x3c\xd5\x7e\x19\xbd\x04\xca\xa4\xbd\x86\xcb\x1d\xbd\xd2\xa0\xcc\x26\x1d"
      "\xfb\xbc\xbd\xe9\x17\x57\xbd\x3a\x66\xb9\xbb\x3a\xc5\x01\x3c\x35\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x36\x00\x57\xfb\x80\x8b\x24\x75\x47\xdb",
      134);
  Status s = OpenIndex("huge_index_block", bytes);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), TFLC_CODE_DATA_LOSS) << s;
  EXPECT_NE(s.message().find("huge_index_block.index is not a valid checkpoint index"), std::string::npos) << s;
  EXPECT_NE(s.message().find("block [62047037, +10360465725 bytes) lies outside the 134-byte file"), std::string::npos)
      << s;
}

TEST(CheckpointErrors, ShortOrForeignIndexIsAnError) {
  for (const std::string& bytes : {std::string("not a table"), std::string(64, '\0'), std::string(47, 'x')}) {
    Status s = OpenIndex("short_index", bytes);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("is not a valid checkpoint index"), std::string::npos) << s;
  }
}

TEST(Crc32c, KnownValue) {
  EXPECT_EQ(tf::Crc32c("123456789", 9), 0xe3069283u);
  EXPECT_EQ(tf::MaskCrc(0), 0xa282ead8u);
}

}  // namespace
}  // namespace tflc::saved_model
