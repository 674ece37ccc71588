// Model structure: Sequential forms, nested models, shared layers, several inputs/outputs, the
// Keras 3 config dialect (legacy .h5 and .keras archives), string-attribute encodings.
#include <hdf5.h>

#include <cstdlib>
#include <iostream>

#include "test_util.h"

namespace tflc::keras::testing {
namespace {

using Ops = std::vector<std::string>;
using Dims = std::vector<int64_t>;
using Names = std::vector<std::string>;

#define LOAD(var, name)    \
  REQUIRE_MODELS();        \
  Loaded var(Model(name)); \
  ASSERT_TRUE(var.status().ok()) << var.status()

TEST(Structure, SequentialWithoutInputLayer) {
  LOAD(l, "sequential_no_input");
  // Keras names the implicit input "<first layer>_input".
  EXPECT_EQ(l.InputSignatures(), (Names{"dense_input"}));
  EXPECT_EQ(l.g().input(0).name(), "serving_default_dense_input:0");
  EXPECT_EQ(l.g().input(0).dims(), (Dims{1, 5}));
  EXPECT_EQ(l.Ops(), (Ops{"MatMul", "BiasAdd", "Relu", "MatMul", "BiasAdd", "Softmax"}));
  EXPECT_EQ(l.OutputSignatures(), (Names{"dense_1"}));
}

TEST(Structure, VariableLengthAndSplitAttributes) {
  LOAD(l, "sequential_vlen_split");
  EXPECT_EQ(l.InputSignatures(), (Names{"input_1"}));
  EXPECT_EQ(l.Count("MatMul"), 6);
  EXPECT_EQ(l.OutputSignatures(), (Names{"dense_5"}));
}

TEST(Structure, NestedModel) {
  LOAD(l, "nested_model");
  EXPECT_EQ(l.Ops(), (Ops{"MatMul", "BiasAdd", "Tanh",                       // outer_dense
                          "MatMul", "BiasAdd", "Relu", "Mul", "AddV2",       // inner: dense_a, bn
                          "MatMul", "BiasAdd",                               // inner: dense_b
                          "MatMul", "BiasAdd", "Softmax"}));                 // head
  // Nested layers are named <nested model>/<layer>/<Op>.
  EXPECT_TRUE(l.HasNode("inner_block/inner_dense_a/MatMul"));
  EXPECT_TRUE(l.HasNode("inner_block/inner_bn/batchnorm/mul_1"));
  EXPECT_EQ(l.InDims("inner_block/inner_dense_b/MatMul", 1), (Dims{5, 4}));
  EXPECT_EQ(l.OutputSignatures(), (Names{"head"}));
}

TEST(Structure, NestedFunctionalCalledTwice) {
  LOAD(l, "nested_functional");
  // Keras 2 numbers the calls of a built nested model from 1: both calls resolve.
  EXPECT_EQ(l.Count("MatMul"), 5);
  EXPECT_EQ(l.Count("AddV2"), 2);
  ASSERT_TRUE(l.HasNode("inner_functional/branch_a/MatMul"));
  ASSERT_TRUE(l.HasNode("inner_functional/branch_a/MatMul_1"));
  // The second call reads the first call's output and shares its weights.
  EXPECT_EQ(l.Input("inner_functional/branch_a/MatMul_1", 0).get(), l.Node("inner_functional/inner_add/AddV2").output(0).get());
  EXPECT_EQ(l.Input("inner_functional/branch_a/MatMul", 1).get(), l.Input("inner_functional/branch_a/MatMul_1", 1).get());
  EXPECT_EQ(l.OutputSignatures(), (Names{"head"}));
}

TEST(Structure, Keras3ArchiveNestedSequential) {
  LOAD(l, "keras3_nested");
  EXPECT_EQ(l.Ops(), (Ops{"MatMul", "BiasAdd", "Relu", "MatMul", "BiasAdd", "MatMul", "BiasAdd", "Softmax"}));
  EXPECT_EQ(l.InDims("sequential/dense/MatMul", 1), (Dims{5, 4}));
  EXPECT_EQ(l.InDims("sequential/dense_1/MatMul", 1), (Dims{4, 3}));
  EXPECT_EQ(l.InDims("dense_2/MatMul", 1), (Dims{3, 2}));
}

TEST(Structure, SharedLayerUsesOneSetOfWeights) {
  LOAD(l, "shared_layer");
  EXPECT_EQ(l.Count("MatMul"), 3);
  ASSERT_TRUE(l.HasNode("shared_dense/MatMul"));
  ASSERT_TRUE(l.HasNode("shared_dense/MatMul_1"));
  EXPECT_EQ(l.Input("shared_dense/MatMul", 1).get(), l.Input("shared_dense/MatMul_1", 1).get());
  EXPECT_EQ(l.Input("shared_dense/BiasAdd", 1).get(), l.Input("shared_dense/BiasAdd_1", 1).get());
  EXPECT_EQ(l.Input("shared_dense/MatMul", 0).get(), l.g().input(0).get());
  EXPECT_EQ(l.Input("shared_dense/MatMul_1", 0).get(), l.g().input(1).get());
  EXPECT_EQ(l.InputSignatures(), (Names{"left", "right"}));
}

TEST(Structure, MultipleInputsAndOutputs) {
  LOAD(l, "multi_io");
  EXPECT_EQ(l.InputSignatures(), (Names{"image", "meta"}));
  EXPECT_EQ(l.OutputSignatures(), (Names{"class_out", "reg_out"}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 3}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 1}));
  EXPECT_EQ(l.Count("Conv2D"), 1);
  // Flatten of the [1, 3, 3, 4] conv output.
  EXPECT_EQ(I32(l.Input("flatten/Reshape", 1)), (std::vector<int32_t>{1, 36}));
}

TEST(Structure, Keras3LegacyH5) {
  LOAD(l, "keras3_legacy_h5");
  EXPECT_EQ(l.InputSignatures(), (Names{"input_a", "input_b"}));
  EXPECT_EQ(l.OutputSignatures(), (Names{"dense_2"}));
  EXPECT_EQ(l.InDims("dense/MatMul", 1), (Dims{6, 5}));
  EXPECT_NEAR(l.Float("leaky_re_lu/LeakyRelu", "alpha"), 0.1, 1e-6);
  // Keras 3 hard_sigmoid: relu6(x + 3) / 6.
  EXPECT_TRUE(l.HasNode("dense_1/Relu6"));
  EXPECT_FLOAT_EQ(First(l.Input("dense_1/AddV2", 1)), 3.0f);
  EXPECT_TRUE(l.HasNode("add/AddV2"));
}

TEST(Structure, Keras3LegacyH5DepthwiseKernelName) {
  LOAD(l, "keras3_legacy_depthwise");
  EXPECT_EQ(l.Ops(), (Ops{"DepthwiseConv2dNative", "BiasAdd", "Relu"}));
  EXPECT_EQ(l.InDims("depthwise_conv2d/depthwise", 1), (Dims{3, 3, 2, 2}));
  EXPECT_EQ(l.InputSignatures(), (Names{"input_layer"}));
}

TEST(Structure, Keras3Archive) {
  LOAD(l, "keras3_functional");
  EXPECT_EQ(l.Ops(), (Ops{"Conv2D", "BiasAdd", "FusedBatchNormV3", "Relu6", "Mean", "MatMul", "BiasAdd", "Softmax"}));
  EXPECT_EQ(l.InDims("conv2d/Conv2D", 1), (Dims{3, 3, 3, 4}));
  EXPECT_EQ(l.InDims("batch_normalization/FusedBatchNormV3", 4), (Dims{4}));
  EXPECT_EQ(l.InputSignatures(), (Names{"input_layer"}));
  EXPECT_EQ(l.OutputSignatures(), (Names{"dense"}));
}

TEST(Structure, Keras3ArchiveLstm) {
  LOAD(l, "keras3_lstm");
  EXPECT_EQ(l.Ops(), (Ops{"tflc.LSTM", "MatMul", "BiasAdd"}));
  EXPECT_EQ(l.InDims("lstm/LSTM", 1), (Dims{2, 20}));
  EXPECT_EQ(l.InDims("lstm/LSTM", 2), (Dims{5, 20}));
  EXPECT_EQ(l.InDims("lstm/LSTM", 3), (Dims{20}));
}

// Weights go straight from HDF5 into the constants: compare with the file's own bytes.
TEST(Structure, WeightValuesMatchTheFile) {
  REQUIRE_MODELS();
  Loaded l(Model("conv2d"));
  ASSERT_TRUE(l.status().ok()) << l.status();
  std::vector<float> expected(3 * 3 * 3 * 8);
  hid_t f = H5Fopen(Model("conv2d").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  hid_t d = H5Dopen2(f, "model_weights/conv_same_relu/conv_same_relu/kernel:0", H5P_DEFAULT);
  ASSERT_GE(d, 0);
  ASSERT_GE(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, expected.data()), 0);
  H5Dclose(d);
  H5Fclose(f);
  EXPECT_EQ(F32(l.Input("conv_same_relu/Conv2D", 1)), expected);
}

TEST(Structure, NoHdf5HandleLeaks) {
  REQUIRE_MODELS();
  for (const char* name : {"conv2d", "nested_model", "keras3_functional", "bad_missing_dataset", "bad_weight_shape",
                           "bad_truncated", "bad_invalid_json", "bad_unknown_layers"}) {
    Loaded l(Model(name));
    EXPECT_EQ(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0) << name;
  }
}

TEST(Structure, EveryTensorHasItsKerasShape) {
  REQUIRE_MODELS();
  // Lowerings run before the host's shape inference: every value the frontend emits for a layer
  // output must carry its shape.
  for (const char* name : {"conv1d", "lstm", "gru", "reshape_permute_flatten", "activation_layers", "nested_model"}) {
    Loaded l(Model(name));
    ASSERT_TRUE(l.status().ok()) << name << ": " << l.status();
    GraphBuilder g = l.g();
    for (size_t i = 0; i < g.num_outputs(); ++i) EXPECT_TRUE(g.output(i).fully_defined()) << name << " output " << i;
    for (size_t i = 0; i < g.num_nodes(); ++i) {
      NodeView n = g.node(i);
      if (n.op() == "FusedBatchNormV3") continue;  // outputs 1-5 are unused statistics
      for (size_t k = 0; k < n.num_outputs(); ++k)
        EXPECT_TRUE(n.output(k).has_shape()) << name << ": " << n.name() << " output " << k;
    }
  }
}

}  // namespace
}  // namespace tflc::keras::testing

namespace tflc::keras::testing {
namespace {

// Debugging aid: prints the source graph of any Keras file.
//   KERAS_DUMP=path/to/model.h5 frontend_keras_h5_test --gtest_also_run_disabled_tests
//       --gtest_filter='*DumpModel*'
TEST(Structure, DISABLED_DumpModel) {
  const char* path = std::getenv("KERAS_DUMP");
  if (!path) GTEST_SKIP() << "set KERAS_DUMP to a model path";
  Loaded l(path);
  ASSERT_TRUE(l.status().ok()) << l.status();
  std::cout << l.host().Dump();
}

}  // namespace
}  // namespace tflc::keras::testing
