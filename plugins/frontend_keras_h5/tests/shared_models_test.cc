// Every Keras file of the shared model corpus (../shared/models, third-party models) loads and
// gives the expected inputs, outputs and op kinds; the QKeras archive fails naming its layers.
#include <map>

#include "test_util.h"

namespace tflc::keras::testing {
namespace {

struct Case {
  const char* file;  // relative to shared/models
  std::vector<std::string> inputs;
  std::vector<std::vector<int64_t>> input_dims;
  std::vector<std::string> outputs;
  std::map<std::string, int> ops;  // op → exact count
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"cyril_cancer_mlp/cancer.h5", {"dense_input"}, {{1, 30}}, {"dense_3"},
       {{"MatMul", 4}, {"BiasAdd", 4}, {"Relu", 3}, {"Sigmoid", 1}}},
      {"cyril_lenet_avgpool/lecunmodel.h5", {"conv2d_input"}, {{1, 32, 32, 1}}, {"dense_2"},
       {{"Conv2D", 2}, {"AvgPool", 2}, {"Reshape", 1}, {"MatMul", 3}, {"Relu", 4}, {"Softmax", 1}}},
      {"dcgan_mnist_keras23tf/discriminator.h5", {"conv2d_input"}, {{1, 28, 28, 1}}, {"dense_1"},
       {{"Conv2D", 2}, {"LeakyRelu", 2}, {"Reshape", 1}, {"MatMul", 1}, {"Sigmoid", 1}}},
      {"dcgan_mnist_keras23tf/generator.h5", {"dense_input"}, {{1, 100}}, {"conv2d_transpose_1"},
       {{"MatMul", 1}, {"Reshape", 1}, {"FusedBatchNormV3", 2}, {"Conv2DBackpropInput", 2}, {"Selu", 1}, {"Tanh", 1}}},
      {"denoise_ae_conv2dtranspose/autoencoder.h5", {"input_1"}, {{1, 28, 28, 1}}, {"conv2d_2"},
       {{"Conv2D", 3}, {"MaxPool", 2}, {"Conv2DBackpropInput", 2}, {"Relu", 4}, {"Sigmoid", 1}}},
      {"hls4ml_3layer_batch_norm/keras_3layer_batch_norm.h5", {"input_1"}, {{1, 16}}, {"softmax"},
       {{"MatMul", 4}, {"Mul", 4}, {"AddV2", 4}, {"Relu", 3}, {"Softmax", 1}, {"FusedBatchNormV3", 0}}},
      {"hls4ml_conv1d_small/keras_conv1d_small.h5", {"input_1"}, {{1, 10, 4}}, {"output_softmax"},
       {{"ExpandDims", 3}, {"Conv2D", 3}, {"Squeeze", 3}, {"Reshape", 1}, {"MatMul", 2}, {"Relu", 4}, {"Softmax", 1}}},
      {"hls4ml_conv2d_model/keras_conv2d_model.h5", {"conv2d_1_input"}, {{1, 8, 8, 1}}, {"dense_1"},
       {{"Conv2D", 1}, {"Relu", 1}, {"Reshape", 1}, {"MatMul", 1}, {"Softmax", 1}}},
      {"hls4ml_jettagger_conv2d_small/keras_jetTagger_Conv2D_small.h5", {"input_1"}, {{1, 25, 25, 1}},
       {"output_softmax"}, {{"FusedBatchNormV3", 2}, {"Conv2D", 2}, {"MatMul", 2}, {"Relu", 3}, {"Softmax", 1}}},
      {"icu_dense_keras3_h5_dynrange/model.h5", {"input_layer"}, {{1, 2}}, {"dense_2"},
       {{"MatMul", 3}, {"BiasAdd", 3}, {"Relu", 2}, {"Sigmoid", 1}}},
      {"st_fdmobilenet_025_128_flowers/fdmobilenet_0.25_128.h5", {"input_1"}, {{1, 128, 128, 3}}, {"reshape_2"},
       {{"Conv2D", 13}, {"DepthwiseConv2dNative", 11}, {"FusedBatchNormV3", 12}, {"Relu", 12}, {"Mean", 1},
        {"Reshape", 2}, {"Softmax", 1}}},
      {"st_hand_posture_cnn2d/CNN2D_ST_HandPosture_8classes.h5", {"input_1"}, {{1, 8, 8, 2}}, {"dense_1"},
       {{"Conv2D", 1}, {"MaxPool", 1}, {"Reshape", 1}, {"MatMul", 2}, {"Relu", 2}, {"Softmax", 1}}},
      {"st_har_gmp_wl_24_wisdm/gmp_wl_24.h5", {"input_1"}, {{1, 24, 3, 1}}, {"activation"},
       {{"FusedBatchNormV3", 2}, {"Conv2D", 2}, {"Max", 1}, {"MatMul", 1}, {"Softmax", 1}}},
      {"st_miniresnet_1stacks_esc10/miniresnet_1stacks_64x50.h5", {"input_2"}, {{1, 64, 50, 1}}, {"new_head"},
       {{"Pad", 2}, {"Conv2D", 7}, {"FusedBatchNormV3", 7}, {"Relu", 7}, {"MaxPool", 1}, {"AddV2", 2},
        {"Reshape", 1}, {"MatMul", 1}, {"Softmax", 1}}},
      {"st_miniresnetv2_1stacks_esc10/miniresnetv2_1stacks_64x50.h5", {"input_4"}, {{1, 64, 50, 1}}, {"new_head"},
       {{"Pad", 4}, {"Conv2D", 6}, {"MaxPool", 2}, {"FusedBatchNormV3", 5}, {"Relu", 5}, {"AddV2", 2},
        {"MatMul", 1}, {"Softmax", 1}}},
      {"st_mobilenet_v1_025_96_vww/mobilenet_v1_0.25_96.h5", {"input_1"}, {{1, 96, 96, 3}}, {"dense"},
       {{"Conv2D", 14}, {"DepthwiseConv2dNative", 13}, {"FusedBatchNormV3", 27}, {"Relu", 27}, {"AvgPool", 1},
        {"Reshape", 1}, {"MatMul", 1}, {"Softmax", 1}}},
      {"st_mobilenet_v2_035_128_flowers/mobilenet_v2_0.35_128.h5", {"input_1"}, {{1, 128, 128, 3}}, {"dense"},
       {{"Conv2D", 35}, {"DepthwiseConv2dNative", 17}, {"FusedBatchNormV3", 52}, {"Relu6", 35}, {"Pad", 4},
        {"AddV2", 10}, {"Mean", 1}, {"MatMul", 1}, {"Softmax", 1}}},
      {"st_stmnist_v1/stmnist_v1.h5", {"input_1"}, {{1, 28, 28, 1}}, {"dense"},
       {{"Conv2D", 3}, {"DepthwiseConv2dNative", 2}, {"FusedBatchNormV3", 5}, {"Relu", 5}, {"Mean", 1},
        {"MatMul", 1}, {"Softmax", 1}}},
      {"stock_lstm_keras3/lstm_model.h5", {"input_layer_3"}, {{1, 60, 1}}, {"dense_3"},
       {{"tflc.LSTM", 2}, {"MatMul", 1}, {"BiasAdd", 1}}},
      {"stock_lstm_keras3/lstm_model.keras", {"input_layer_1"}, {{1, 120, 5}}, {"dense_1"},
       {{"tflc.LSTM", 2}, {"MatMul", 1}, {"BiasAdd", 1}}},
  };
  return cases;
}

class SharedModels : public ::testing::TestWithParam<size_t> {};

TEST_P(SharedModels, Loads) {
  if (SharedModelsDir().empty()) GTEST_SKIP() << "the shared model corpus (../shared/models) is absent";
  const Case& c = Cases()[GetParam()];
  const std::string path = SharedModelsDir() + "/" + c.file;
  Loaded l(path);
  ASSERT_TRUE(l.status().ok()) << l.status();
  EXPECT_EQ(l.InputSignatures(), c.inputs);
  EXPECT_EQ(l.OutputSignatures(), c.outputs);
  for (size_t i = 0; i < c.input_dims.size() && i < l.g().num_inputs(); ++i) {
    EXPECT_EQ(l.g().input(i).dims(), c.input_dims[i]);
    EXPECT_EQ(l.g().input(i).name(), "serving_default_" + c.inputs[i] + ":0");
  }
  for (const auto& [op, n] : c.ops) EXPECT_EQ(l.Count(op), n) << op;
  for (size_t i = 0; i < l.g().num_outputs(); ++i) EXPECT_TRUE(l.g().output(i).fully_defined()) << i;
}

INSTANTIATE_TEST_SUITE_P(Corpus, SharedModels, ::testing::Range<size_t>(0, 20), [](const auto& info) {
  std::string n = Cases()[info.param].file;
  for (char& ch : n)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

TEST(SharedModelsQKeras, FailsNamingTheCustomLayers) {
  if (SharedModelsDir().empty()) GTEST_SKIP() << "the shared model corpus (../shared/models) is absent";
  const std::string path = SharedModelsDir() + "/hls4ml_qkeras_v3_keras3/qkeras-v3_3layer.keras";
  Loaded l(path);
  ASSERT_FALSE(l.status().ok());
  const std::string& m = l.status().message();
  EXPECT_NE(m.find(path), std::string::npos) << m;
  EXPECT_NE(m.find("class 'QDense'"), std::string::npos) << m;
  EXPECT_NE(m.find("class 'QActivation'"), std::string::npos) << m;
  EXPECT_NE(m.find("layer 'fc1'"), std::string::npos) << m;
  EXPECT_EQ(m.find("class 'Activation'"), std::string::npos) << m;  // a supported layer is not listed
}

}  // namespace
}  // namespace tflc::keras::testing
