// Which quantizer the conversion options select (TensorFlow's rules), and the option mistakes that
// are refused before the model is even loaded.
#include <gtest/gtest.h>

#include "quant/quantize.h"

namespace tflc::host {
namespace {

StatusOr<QuantizerChoice> Select(std::initializer_list<std::pair<const char*, const char*>> kv) {
  TflcOptions o;
  for (const auto& [k, v] : kv) o.values[k] = v;
  return SelectQuantizer(o);
}

std::string Name(std::initializer_list<std::pair<const char*, const char*>> kv) {
  auto c = Select(kv);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? c->name : "<error>";
}

std::string Error(std::initializer_list<std::pair<const char*, const char*>> kv) {
  auto c = Select(kv);
  EXPECT_FALSE(c.ok()) << "selected '" << (c.ok() ? c->name : "") << "'";
  return c.ok() ? "" : c.status().message();
}

TEST(SelectQuantizer, NoOptimizationsMeansNoQuantization) {
  EXPECT_EQ(Name({}), "");
  EXPECT_EQ(Name({{"target_spec.supported_ops", "TFLITE_BUILTINS,SELECT_TF_OPS"}}), "");
}

TEST(SelectQuantizer, TensorFlowsRules) {
  EXPECT_EQ(Name({{"optimizations", "DEFAULT"}}), "dynamic_range");
  EXPECT_EQ(Name({{"optimizations", "OPTIMIZE_FOR_SIZE"}}), "dynamic_range");  // deprecated aliases
  EXPECT_EQ(Name({{"optimizations", "DEFAULT"}, {"target_spec.supported_types", "float16"}}), "float16");
  EXPECT_EQ(Name({{"optimizations", "DEFAULT"}, {"target_spec.supported_types", "tf.float16"}}), "float16");
  EXPECT_EQ(Name({{"optimizations", "DEFAULT"}, {"representative_dataset", "d.npz"}}), "int8");
  EXPECT_EQ(Name({{"optimizations", "DEFAULT"},
                  {"representative_dataset", "d.npz"},
                  {"target_spec.supported_ops", "TFLITE_BUILTINS_INT8"},
                  {"inference_input_type", "uint8"},
                  {"inference_output_type", "int8"}}),
            "int8");
  EXPECT_EQ(Name({{"optimizations", "DEFAULT"},
                  {"representative_dataset", "d.npz"},
                  {"target_spec.supported_ops", "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8"},
                  {"inference_input_type", "int16"}}),
            "int16x8");
  EXPECT_EQ(Name({{"optimizations", "DEFAULT"}, {"quantizer", "vendor_q"}}), "vendor_q");
}

TEST(SelectQuantizer, MetadataModes) {
  auto c = Select({{"optimizations", "DEFAULT"}, {"representative_dataset", "d.npz"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->metadata_mode, 1003);  // PTQ_FULL_INTEGER
  c = Select({{"optimizations", "DEFAULT"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->metadata_mode, 1002);  // PTQ_DYNAMIC_RANGE
}

TEST(SelectQuantizer, MistakesSayWhatToAdd) {
  EXPECT_NE(Error({{"optimizations", "DEFAULT"}, {"target_spec.supported_ops", "TFLITE_BUILTINS_INT8"}})
                .find("--representative_dataset"),
            std::string::npos);
  EXPECT_NE(Error({{"representative_dataset", "d.npz"}}).find("--optimizations DEFAULT"), std::string::npos);
  EXPECT_NE(Error({{"inference_input_type", "int8"}}).find("--optimizations DEFAULT"), std::string::npos);
  EXPECT_NE(Error({{"optimizations", "DEFAULT"}, {"inference_input_type", "uint8"}}).find("--representative_dataset"),
            std::string::npos);
  EXPECT_NE(Error({{"optimizations", "FASTEST"}}).find("unknown value 'FASTEST'"), std::string::npos);
  EXPECT_NE(Error({{"optimizations", "DEFAULT"}, {"inference_input_type", "float64"}}).find("unknown type"), std::string::npos);
  EXPECT_NE(Error({{"optimizations", "DEFAULT"},
                   {"target_spec.supported_ops", "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8"}})
                .find("representative dataset"),
            std::string::npos);
  EXPECT_NE(Error({{"optimizations", "DEFAULT"}, {"representative_dataset", "d.npz"}, {"inference_input_type", "int16"}})
                .find("16x8"),
            std::string::npos);
}

}  // namespace
}  // namespace tflc::host
