// Bad inputs: every failure is a Status (no crash) whose message names the file, the layer where
// there is one, and what to do.
#include <cstdio>
#include <fstream>

#include "test_util.h"

namespace tflc::keras::testing {
namespace {

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Loads through FakeHost and directly; both must fail with `code` and mention the path + `parts`.
void ExpectError(const std::string& path, TflcStatusCode code, const std::vector<std::string>& parts) {
  Status direct = LoadDirect(path);
  ASSERT_FALSE(direct.ok()) << path;
  EXPECT_EQ(direct.code(), code) << direct;
  EXPECT_TRUE(Contains(direct.message(), path)) << direct;
  for (const auto& p : parts) EXPECT_TRUE(Contains(direct.message(), p)) << "missing '" << p << "' in: " << direct;
}

TEST(Errors, MissingFile) {
  const std::string p = ::testing::TempDir() + "/keras_does_not_exist.h5";
  ExpectError(p, TFLC_CODE_NOT_FOUND, {"does not exist"});
  Loaded l(p);  // the host's own check
  EXPECT_FALSE(l.status().ok());
}

TEST(Errors, EmptyFile) {
  REQUIRE_MODELS();
  ExpectError(Model("bad_empty"), TFLC_CODE_INVALID_ARGUMENT, {"empty"});
}

TEST(Errors, NotHdf5) {
  REQUIRE_MODELS();
  ExpectError(Model("bad_not_hdf5"), TFLC_CODE_INVALID_ARGUMENT, {"neither HDF5", "model.save"});
  Loaded l(Model("bad_not_hdf5"));  // the probe declines it, the host reports that
  EXPECT_FALSE(l.status().ok());
}

TEST(Errors, Directory) {
  ExpectError(::testing::TempDir(), TFLC_CODE_INVALID_ARGUMENT, {"directory"});
}

TEST(Errors, Truncated) {
  REQUIRE_MODELS();
  ExpectError(Model("bad_truncated"), TFLC_CODE_DATA_LOSS, {"truncated"});
  Loaded l(Model("bad_truncated"));
  EXPECT_FALSE(l.status().ok());
  EXPECT_TRUE(Contains(l.status().message(), Model("bad_truncated"))) << l.status();
}

TEST(Errors, WeightsOnly) {
  REQUIRE_MODELS();
  ExpectError(Model("bad_weights_only"), TFLC_CODE_FAILED_PRECONDITION,
              {"no model_config attribute: this looks like a weights-only file written by save_weights(); save the "
               "whole model with model.save()"});
}

TEST(Errors, InvalidJson) {
  REQUIRE_MODELS();
  ExpectError(Model("bad_invalid_json"), TFLC_CODE_INVALID_ARGUMENT, {"model_config", "not valid JSON"});
}

TEST(Errors, MissingWeightDataset) {
  REQUIRE_MODELS();
  ExpectError(Model("bad_missing_dataset"), TFLC_CODE_NOT_FOUND,
              {"layer 'dense_1': weight 'dense_1/kernel:0' not found in", "model.save()"});
}

TEST(Errors, WeightShapeMismatch) {
  REQUIRE_MODELS();
  ExpectError(Model("bad_weight_shape"), TFLC_CODE_INVALID_ARGUMENT,
              {"layer 'dense_1': weight 'dense_1/kernel:0' has shape [5,2]", "[3,2]", "does not match its model config"});
}

TEST(Errors, UnknownLayersAreAllNamedAtOnce) {
  REQUIRE_MODELS();
  ExpectError(Model("bad_unknown_layers"), TFLC_CODE_UNIMPLEMENTED,
              {"2 custom Keras layers that no loaded plugin implements", "layer 'q_dense': class 'QDense'",
               "layer 'q_activation': class 'QActivation'",
               "never its code", "Keras layer plugin", "--saved_model_dir", "--allow_custom_ops"});
}

TEST(Errors, UnsupportedConfigsNameTheLayer) {
  REQUIRE_MODELS();
  ExpectError(Model("bad_conv_groups"), TFLC_CODE_UNIMPLEMENTED, {"layer 'grouped_conv' (Conv2D)", "groups=2"});
  ExpectError(Model("bad_channels_first"), TFLC_CODE_UNIMPLEMENTED, {"layer 'conv_cf' (Conv2D)", "channels_first"});
  ExpectError(Model("bad_stateful_lstm"), TFLC_CODE_UNIMPLEMENTED, {"layer 'stateful_lstm' (LSTM)", "stateful=True"});
}

TEST(Errors, EveryRefusedLayerIsNamedInOneError) {
  REQUIRE_MODELS();
  ExpectError(Model("bad_several_refusals"), TFLC_CODE_UNIMPLEMENTED,
              {"layer 'grouped_conv' (Conv2D)", "groups=2", "layer 'conv_cf' (Conv2D)", "channels_first"});
  Loaded l(Model("bad_several_refusals"));
  EXPECT_EQ(l.status().message().find("flatten"), std::string::npos) << l.status();  // skipped, not reported
}

TEST(Errors, ThroughTheHostToo) {
  REQUIRE_MODELS();
  for (const char* name : {"bad_weights_only", "bad_invalid_json", "bad_missing_dataset", "bad_weight_shape",
                           "bad_unknown_layers", "bad_conv_groups"}) {
    Loaded l(Model(name));
    EXPECT_FALSE(l.status().ok()) << name;
    EXPECT_TRUE(Contains(l.status().message(), Model(name))) << l.status();
  }
}

TEST(Errors, ZipWithoutWeights) {
  const std::string p = ::testing::TempDir() + "/keras_no_weights.keras";
  // A minimal stored zip holding only config.json.
  const std::string body = "{}";
  std::ofstream out(p, std::ios::binary);
  auto u16 = [&](uint16_t v) { out.put(static_cast<char>(v & 0xff)); out.put(static_cast<char>(v >> 8)); };
  auto u32 = [&](uint32_t v) { u16(static_cast<uint16_t>(v & 0xffff)); u16(static_cast<uint16_t>(v >> 16)); };
  const std::string name = "config.json";
  // CRC-32 of the body.
  uint32_t c = 0xffffffffu;
  for (unsigned char ch : body) {
    c ^= ch;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  c ^= 0xffffffffu;
  u32(0x04034b50); u16(20); u16(0); u16(0); u16(0); u16(0x21); u32(c);
  u32(static_cast<uint32_t>(body.size())); u32(static_cast<uint32_t>(body.size()));
  u16(static_cast<uint16_t>(name.size())); u16(0); out << name << body;
  const uint32_t cd_offset = static_cast<uint32_t>(out.tellp());
  u32(0x02014b50); u16(20); u16(20); u16(0); u16(0); u16(0); u16(0x21); u32(c);
  u32(static_cast<uint32_t>(body.size())); u32(static_cast<uint32_t>(body.size()));
  u16(static_cast<uint16_t>(name.size())); u16(0); u16(0); u16(0); u16(0); u32(0); u32(0); out << name;
  const uint32_t cd_size = static_cast<uint32_t>(out.tellp()) - cd_offset;
  u32(0x06054b50); u16(0); u16(0); u16(1); u16(1); u32(cd_size); u32(cd_offset); u16(0);
  out.close();
  EXPECT_EQ(Probe(p), 0);
  ExpectError(p, TFLC_CODE_UNIMPLEMENTED, {"model.weights.h5"});
}

}  // namespace
}  // namespace tflc::keras::testing
