// Per-layer emission: each generated model (tests/models/make_keras_models.py) loads and gives the
// TF ops, attributes and constants tf.keras would have traced.
#include <cmath>

#include "test_util.h"

namespace tflc::keras::testing {
namespace {

using Ops = std::vector<std::string>;
using Dims = std::vector<int64_t>;

#define LOAD(var, name)                       \
  REQUIRE_MODELS();                           \
  Loaded var(Model(name));                    \
  ASSERT_TRUE(var.status().ok()) << var.status()

TEST(Layers, Conv2D) {
  LOAD(l, "conv2d");
  EXPECT_EQ(l.Ops(), (Ops{"Conv2D", "BiasAdd", "Relu", "Conv2D", "Conv2D", "BiasAdd", "Tanh"}));
  EXPECT_EQ(l.Ints("conv_same_relu/Conv2D", "strides"), (Dims{1, 1, 1, 1}));
  EXPECT_EQ(l.Str("conv_same_relu/Conv2D", "padding"), "SAME");
  EXPECT_EQ(l.Str("conv_same_relu/Conv2D", "data_format"), "NHWC");
  EXPECT_EQ(l.InDims("conv_same_relu/Conv2D", 1), (Dims{3, 3, 3, 8}));
  EXPECT_TRUE(l.Input("conv_same_relu/Conv2D", 1).is_const());
  EXPECT_EQ(l.InDims("conv_same_relu/BiasAdd", 1), (Dims{8}));
  EXPECT_EQ(l.Str("conv_same_relu/BiasAdd", "data_format"), "NHWC");
  EXPECT_EQ(l.Ints("conv_stride2_nobias/Conv2D", "strides"), (Dims{1, 2, 2, 1}));
  EXPECT_EQ(l.Str("conv_stride2_nobias/Conv2D", "padding"), "VALID");
  EXPECT_EQ(l.InDims("conv_stride2_nobias/Conv2D", 1), (Dims{3, 2, 8, 6}));
  EXPECT_EQ(l.Ints("conv_dilated/Conv2D", "dilations"), (Dims{1, 2, 2, 1}));
  ValueView out = l.g().output(0);
  EXPECT_EQ(out.dims(), (Dims{1, 5, 6, 4}));
  EXPECT_EQ(l.InputSignatures(), (std::vector<std::string>{"image"}));
  EXPECT_EQ(l.OutputSignatures(), (std::vector<std::string>{"conv_dilated"}));
  EXPECT_EQ(l.g().input(0).name(), "serving_default_image:0");
  EXPECT_EQ(l.g().input(0).dims(), (Dims{1, 12, 12, 3}));
}

TEST(Layers, DepthwiseConv2D) {
  LOAD(l, "depthwise_conv2d");
  EXPECT_EQ(l.Ops(), (Ops{"DepthwiseConv2dNative", "BiasAdd", "Relu6", "DepthwiseConv2dNative"}));
  EXPECT_EQ(l.InDims("dw_mult2/depthwise", 1), (Dims{3, 3, 3, 2}));
  EXPECT_EQ(l.InDims("dw_mult2/BiasAdd", 1), (Dims{6}));
  EXPECT_EQ(l.Ints("dw_stride2/depthwise", "strides"), (Dims{1, 2, 2, 1}));
  EXPECT_EQ(l.Str("dw_stride2/depthwise", "padding"), "VALID");
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 4, 4, 6}));
}

TEST(Layers, SeparableConv2D) {
  LOAD(l, "separable_conv2d");
  EXPECT_EQ(l.Ops(), (Ops{"DepthwiseConv2dNative", "Conv2D", "BiasAdd", "Relu", "DepthwiseConv2dNative", "Conv2D",
                          "BiasAdd"}));
  EXPECT_EQ(l.InDims("sep/separable_conv2d/depthwise", 1), (Dims{3, 3, 4, 1}));
  EXPECT_EQ(l.InDims("sep/separable_conv2d", 1), (Dims{1, 1, 4, 5}));
  EXPECT_EQ(l.Str("sep/separable_conv2d", "padding"), "VALID");
  EXPECT_EQ(l.Ints("sep_mult2/separable_conv2d/depthwise", "strides"), (Dims{1, 2, 2, 1}));
  EXPECT_EQ(l.Ints("sep_mult2/separable_conv2d", "strides"), (Dims{1, 1, 1, 1}));
  EXPECT_EQ(l.InDims("sep_mult2/separable_conv2d", 1), (Dims{1, 1, 10, 3}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 4, 4, 3}));
}

TEST(Layers, Conv2DTranspose) {
  LOAD(l, "conv2d_transpose");
  EXPECT_EQ(l.Ops(), (Ops{"Conv2DBackpropInput", "BiasAdd", "Relu", "Conv2DBackpropInput", "BiasAdd",
                          "Conv2DBackpropInput"}));
  // Input 0 is the constant output shape, input 1 the [h, w, out, in] filter, input 2 the data.
  EXPECT_EQ(I32(l.Input("up_same/conv2d_transpose", 0)), (std::vector<int32_t>{1, 10, 10, 6}));
  EXPECT_EQ(l.InDims("up_same/conv2d_transpose", 1), (Dims{3, 3, 6, 4}));
  EXPECT_EQ(l.Ints("up_same/conv2d_transpose", "strides"), (Dims{1, 2, 2, 1}));
  EXPECT_EQ(l.Str("up_same/conv2d_transpose", "padding"), "SAME");
  // valid, kernel (3, 2), strides (2, 1): 10*2 + max(3-2, 0) = 21, 10*1 + max(2-1, 0) = 11.
  EXPECT_EQ(I32(l.Input("up_valid/conv2d_transpose", 0)), (std::vector<int32_t>{1, 21, 11, 3}));
  EXPECT_EQ(l.Str("up_valid/conv2d_transpose", "padding"), "VALID");
  // output_padding (1, 0), same, kernel 3, stride 2: (21-1)*2 + 3 - 2 + 1 = 42, (11-1)*2 + 3 - 2 = 21.
  EXPECT_EQ(I32(l.Input("up_outpad/conv2d_transpose", 0)), (std::vector<int32_t>{1, 42, 21, 2}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 42, 21, 2}));
}

TEST(Layers, Conv1D) {
  LOAD(l, "conv1d");
  EXPECT_EQ(l.Ops(), (Ops{"ExpandDims", "Conv2D", "Squeeze", "BiasAdd", "Relu",            // same
                          "ExpandDims", "Conv2D", "Squeeze", "BiasAdd",                      // dilated
                          "ExpandDims", "Conv2D", "Squeeze"}));                              // strided
  EXPECT_EQ(I32(l.Input("conv1d_same/conv1d/ExpandDims", 1)), (std::vector<int32_t>{-3}));
  EXPECT_EQ(l.InDims("conv1d_same/conv1d", 1), (Dims{1, 3, 4, 6}));
  EXPECT_EQ(l.Ints("conv1d_same/conv1d/Squeeze", "squeeze_dims"), (Dims{-3}));
  EXPECT_EQ(l.Str("conv1d_same/conv1d", "padding"), "SAME");
  EXPECT_EQ(l.Ints("conv1d_dilated/conv1d", "dilations"), (Dims{1, 1, 2, 1}));
  EXPECT_EQ(l.Ints("conv1d_stride/conv1d", "strides"), (Dims{1, 1, 2, 1}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 10, 3}));
}

TEST(Layers, Conv1DCausal) {
  LOAD(l, "conv1d_causal");
  EXPECT_EQ(l.Ops(), (Ops{"Pad", "ExpandDims", "Conv2D", "Squeeze", "BiasAdd"}));
  // kernel 3, dilation 2: pad (3-1)*2 = 4 steps in front, then VALID.
  EXPECT_EQ(I32(l.Input("conv1d_causal/Pad", 1)), (std::vector<int32_t>{0, 0, 4, 0, 0, 0}));
  EXPECT_EQ(l.Str("conv1d_causal/conv1d", "padding"), "VALID");
  EXPECT_EQ(l.Ints("conv1d_causal/conv1d", "dilations"), (Dims{1, 1, 2, 1}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 12, 4}));
}

TEST(Layers, Pooling1D) {
  LOAD(l, "pooling1d");
  EXPECT_EQ(l.Ops(), (Ops{"ExpandDims", "MaxPool", "Squeeze", "ExpandDims", "AvgPool", "Squeeze"}));
  EXPECT_EQ(I32(l.Input("max_pool1d/ExpandDims", 1)), (std::vector<int32_t>{2}));
  EXPECT_EQ(l.Ints("max_pool1d/MaxPool", "ksize"), (Dims{1, 2, 1, 1}));
  EXPECT_EQ(l.Ints("max_pool1d/MaxPool", "strides"), (Dims{1, 2, 1, 1}));
  EXPECT_EQ(l.Ints("avg_pool1d/AvgPool", "ksize"), (Dims{1, 3, 1, 1}));
  EXPECT_EQ(l.Ints("avg_pool1d/AvgPool", "strides"), (Dims{1, 1, 1, 1}));
  EXPECT_EQ(l.Str("avg_pool1d/AvgPool", "padding"), "SAME");
  EXPECT_EQ(l.Ints("avg_pool1d/Squeeze", "squeeze_dims"), (Dims{2}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 8, 3}));
}

TEST(Layers, Pooling2D) {
  LOAD(l, "pooling2d");
  EXPECT_EQ(l.Ops(), (Ops{"MaxPool", "AvgPool", "MaxPool"}));
  EXPECT_EQ(l.Ints("max_pool/MaxPool", "ksize"), (Dims{1, 2, 2, 1}));
  EXPECT_EQ(l.Ints("max_pool/MaxPool", "strides"), (Dims{1, 2, 2, 1}));
  EXPECT_EQ(l.Str("max_pool/MaxPool", "padding"), "VALID");
  EXPECT_EQ(l.Ints("avg_pool_same/AvgPool", "ksize"), (Dims{1, 3, 3, 1}));
  EXPECT_EQ(l.Str("avg_pool_same/AvgPool", "padding"), "SAME");
  EXPECT_EQ(l.Ints("max_pool_s1/MaxPool", "strides"), (Dims{1, 1, 1, 1}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 3, 3, 3}));  // 11 → 5 → 3 → 3
}

TEST(Layers, GlobalPooling) {
  LOAD(l, "global_pooling");
  EXPECT_EQ(l.Count("Mean"), 2);
  EXPECT_EQ(l.Count("Max"), 2);
  EXPECT_EQ(I32(l.Input("gap2d/Mean", 1)), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(I32(l.Input("gmp1d/Max", 1)), (std::vector<int32_t>{1}));
  EXPECT_EQ(l.Int("gap2d/Mean", "keep_dims"), 0);
  EXPECT_EQ(l.Int("concat/ConcatV2", "N"), 4);
  EXPECT_EQ(I32(l.Input("concat/ConcatV2", 4)), (std::vector<int32_t>{1}));  // axis -1 normalized
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 14}));
  EXPECT_EQ(l.InputSignatures(), (std::vector<std::string>{"image", "sequence"}));
}

TEST(Layers, GlobalPoolingKeepDims) {
  LOAD(l, "global_pooling_keepdims");
  EXPECT_EQ(l.Int("gap2d_keep/Mean", "keep_dims"), 1);
  EXPECT_EQ(l.Int("gmp2d_keep/Max", "keep_dims"), 1);
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 1, 1, 4}));
}

TEST(Layers, BatchNormalizationAfterConv) {
  LOAD(l, "batchnorm_conv");
  EXPECT_EQ(l.Ops(), (Ops{"Conv2D", "BiasAdd", "FusedBatchNormV3", "Relu", "FusedBatchNormV3"}));
  NodeView bn = l.Node("bn/FusedBatchNormV3");
  ASSERT_TRUE(bn);
  EXPECT_EQ(bn.num_outputs(), 6u);
  EXPECT_EQ(*bn.BoolAttr("is_training"), false);
  EXPECT_NEAR(*bn.FloatAttr("epsilon"), 0.001, 1e-9);
  EXPECT_EQ(*bn.StringAttr("data_format"), "NHWC");
  for (size_t i = 1; i < 5; ++i) EXPECT_EQ(bn.input(i).dims(), (Dims{6})) << i;
  // center=False, scale=False: gamma = 1, beta = 0 constants; epsilon raised to 1.001e-5.
  EXPECT_EQ(F32(l.Input("bn_plain/FusedBatchNormV3", 1)), std::vector<float>(6, 1.0f));
  EXPECT_EQ(F32(l.Input("bn_plain/FusedBatchNormV3", 2)), std::vector<float>(6, 0.0f));
  EXPECT_NEAR(l.Float("bn_plain/FusedBatchNormV3", "epsilon"), 1.001e-5, 1e-12);
}

TEST(Layers, BatchNormalizationStandalone) {
  LOAD(l, "batchnorm_standalone");
  EXPECT_EQ(l.Count("FusedBatchNormV3"), 0);
  EXPECT_TRUE(l.HasNode("bn_dense/batchnorm/mul_1"));
  EXPECT_TRUE(l.HasNode("bn_dense/batchnorm/add_1"));
  EXPECT_EQ(l.Node("bn_dense/batchnorm/mul_1").op(), "Mul");
  EXPECT_EQ(l.Node("bn_dense/batchnorm/add_1").op(), "AddV2");
  EXPECT_EQ(l.InDims("bn_dense/batchnorm/mul_1", 1), (Dims{10}));
  EXPECT_EQ(l.OutputSignatures(), (std::vector<std::string>{"dense"}));
}

TEST(Layers, BatchNormalizationOnAxis1) {
  LOAD(l, "batchnorm_axis1");
  EXPECT_EQ(l.Ops(), (Ops{"Mul", "AddV2"}));
  // axis=1 of a rank-3 input: constants broadcast as [1, 5, 1].
  EXPECT_EQ(l.InDims("bn_seq_axis1/batchnorm/mul_1", 1), (Dims{1, 5, 1}));
  EXPECT_EQ(l.InDims("bn_seq_axis1/batchnorm/add_1", 1), (Dims{1, 5, 1}));
}

TEST(Layers, DenseActivations) {
  LOAD(l, "dense_activations");
  EXPECT_EQ(l.Count("MatMul"), 13);
  EXPECT_EQ(l.Count("BiasAdd"), 13);
  EXPECT_EQ(l.Int("dense_linear/MatMul", "transpose_a"), 0);
  EXPECT_EQ(l.Int("dense_linear/MatMul", "transpose_b"), 0);
  EXPECT_EQ(l.InDims("dense_linear/MatMul", 1), (Dims{12, 8}));
  EXPECT_TRUE(l.HasNode("dense_relu/Relu"));
  EXPECT_TRUE(l.HasNode("dense_relu6/Relu6"));
  EXPECT_TRUE(l.HasNode("dense_sigmoid/Sigmoid"));
  EXPECT_TRUE(l.HasNode("dense_tanh/Tanh"));
  EXPECT_TRUE(l.HasNode("dense_elu/Elu"));
  EXPECT_TRUE(l.HasNode("dense_selu/Selu"));
  EXPECT_TRUE(l.HasNode("dense_softplus/Softplus"));
  EXPECT_TRUE(l.HasNode("dense_softsign/RealDiv"));  // x / (1 + |x|)
  EXPECT_TRUE(l.HasNode("dense_swish/Sigmoid"));
  EXPECT_TRUE(l.HasNode("dense_swish/Mul"));
  EXPECT_TRUE(l.HasNode("dense_softmax/Softmax"));
  EXPECT_EQ(l.Node("dense_gelu/Gelu").op(), "tflc.Gelu");
  EXPECT_EQ(l.Int("dense_gelu/Gelu", "approximate"), 0);
  // Keras 2 hard_sigmoid: clip(0.2 x + 0.5, 0, 1).
  EXPECT_TRUE(l.HasNode("dense_hard_sigmoid/Mul"));
  EXPECT_TRUE(l.HasNode("dense_hard_sigmoid/AddV2"));
  EXPECT_TRUE(l.HasNode("dense_hard_sigmoid/Minimum"));
  EXPECT_TRUE(l.HasNode("dense_hard_sigmoid/Maximum"));
  EXPECT_FLOAT_EQ(First(l.Input("dense_hard_sigmoid/Mul", 1)), 0.2f);
  // linear adds nothing after the BiasAdd.
  EXPECT_FALSE(l.HasNode("dense_linear/Identity"));
}

TEST(Layers, ActivationsExtra) {
  LOAD(l, "activations_extra");
  EXPECT_TRUE(l.HasNode("dense_exponential/Exp"));
  EXPECT_TRUE(l.HasNode("act_silu/Sigmoid"));
  EXPECT_TRUE(l.HasNode("act_mish/Softplus"));
  EXPECT_TRUE(l.HasNode("act_mish/Tanh"));
  EXPECT_TRUE(l.HasNode("act_log_softmax/LogSoftmax"));
}

TEST(Layers, ActivationLayers) {
  LOAD(l, "activation_layers");
  EXPECT_TRUE(l.HasNode("act_relu/Relu"));
  EXPECT_NEAR(l.Float("leaky/LeakyRelu", "alpha"), 0.2, 1e-6);
  EXPECT_NEAR(l.Float("leaky_default/LeakyRelu", "alpha"), 0.3, 1e-6);
  EXPECT_TRUE(l.HasNode("elu_1/Elu"));
  EXPECT_FALSE(l.HasNode("elu_1/Relu"));
  EXPECT_TRUE(l.HasNode("thresholded/Greater"));
  EXPECT_TRUE(l.HasNode("softmax_last/Softmax"));
  EXPECT_TRUE(l.HasNode("relu6_layer/Relu6"));
  EXPECT_TRUE(l.HasNode("relu_clip/Relu"));
  EXPECT_TRUE(l.HasNode("relu_clip/Minimum"));
  EXPECT_TRUE(l.HasNode("relu_clip/Maximum"));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 4, 48}));
}

TEST(Layers, SoftmaxOnAnotherAxis) {
  LOAD(l, "softmax_axis");
  // Softmax over axis 1 of [1, 4, 6]: transposed to the last axis and back.
  EXPECT_EQ(l.Ops(), (Ops{"Transpose", "Softmax", "Transpose"}));
  EXPECT_EQ(I32(l.Input("softmax_axis1/Transpose", 1)), (std::vector<int32_t>{0, 2, 1}));
  EXPECT_EQ(l.Input("softmax_axis1/Transpose_1", 1).get(), l.Input("softmax_axis1/Transpose", 1).get());
}

TEST(Layers, ReLUGeneral) {
  LOAD(l, "relu_general");
  EXPECT_NEAR(l.Float("relu_slope/LeakyRelu", "alpha"), 0.1, 1e-6);
  EXPECT_TRUE(l.HasNode("relu_threshold/Greater"));
  EXPECT_TRUE(l.HasNode("relu_threshold/Cast"));
  EXPECT_TRUE(l.HasNode("relu_threshold/Mul"));
  // max_value 6 with a slope: relu6(x) - 0.1 * relu(-x).
  EXPECT_TRUE(l.HasNode("relu6_slope/Relu6"));
  EXPECT_TRUE(l.HasNode("relu6_slope/Neg"));
  EXPECT_TRUE(l.HasNode("relu6_slope/Sub"));
  EXPECT_TRUE(l.HasNode("relu_all/Minimum"));
  EXPECT_TRUE(l.HasNode("relu_all/Sub"));
  // ELU(alpha=0.5) without Select: relu(x) + 0.5 * min(elu(x), 0).
  EXPECT_TRUE(l.HasNode("elu_half/Elu"));
  EXPECT_TRUE(l.HasNode("elu_half/Relu"));
  EXPECT_TRUE(l.HasNode("elu_half/Minimum"));
  EXPECT_TRUE(l.HasNode("elu_half/AddV2"));
}

TEST(Layers, PReLU) {
  LOAD(l, "prelu");
  EXPECT_EQ(l.Ops(), (Ops{"tflc.PRelu", "tflc.PRelu"}));
  EXPECT_EQ(l.InDims("prelu_shared/PRelu", 1), (Dims{1, 1, 3}));
  EXPECT_EQ(l.InDims("prelu_full/PRelu", 1), (Dims{7}));
  EXPECT_EQ(l.OutputSignatures(), (std::vector<std::string>{"prelu_shared", "prelu_full"}));
}

TEST(Layers, Merge) {
  LOAD(l, "merge");
  EXPECT_EQ(l.Node("add/AddV2").op(), "AddV2");
  EXPECT_TRUE(l.HasNode("add/AddV2_1"));  // three inputs: two AddV2
  EXPECT_TRUE(l.HasNode("multiply/Mul"));
  EXPECT_TRUE(l.HasNode("average/AddV2_1"));
  EXPECT_NEAR(First(l.Input("average/Mul", 1)), 1.0 / 3.0, 1e-7);
  EXPECT_TRUE(l.HasNode("maximum/Maximum"));
  EXPECT_TRUE(l.HasNode("minimum/Minimum"));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 30}));
}

TEST(Layers, Subtract) {
  LOAD(l, "subtract");
  EXPECT_EQ(l.Ops(), (Ops{"Sub"}));
}

TEST(Layers, Concatenate) {
  LOAD(l, "concatenate");
  EXPECT_EQ(I32(l.Input("concat_last/ConcatV2", 2)), (std::vector<int32_t>{3}));
  EXPECT_EQ(I32(l.Input("concat_axis2/ConcatV2", 2)), (std::vector<int32_t>{2}));
  EXPECT_EQ(l.Int("concat_last/ConcatV2", "N"), 2);
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 4, 5, 5}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 4, 7, 3}));
}

TEST(Layers, ConcatenateNegativeAxis) {
  LOAD(l, "concatenate_negative_axis");
  EXPECT_EQ(I32(l.Input("concat_neg3/ConcatV2", 2)), (std::vector<int32_t>{1}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 7, 5, 2}));
}

TEST(Layers, PaddingCropping) {
  LOAD(l, "padding_cropping");
  EXPECT_EQ(l.Ops(), (Ops{"Pad", "StridedSlice", "Pad"}));
  EXPECT_EQ(I32(l.Input("pad/Pad", 1)), (std::vector<int32_t>{0, 0, 1, 2, 3, 0, 0, 0}));
  EXPECT_EQ(l.InDims("pad/Pad", 1), (Dims{4, 2}));
  // [1, 9, 10, 2] cropped ((1, 0), (2, 1)) → [1, 8, 7, 2].
  EXPECT_EQ(I32(l.Input("crop/strided_slice", 1)), (std::vector<int32_t>{0, 1, 2, 0}));
  EXPECT_EQ(I32(l.Input("crop/strided_slice", 2)), (std::vector<int32_t>{0, 9, 9, 0}));
  EXPECT_EQ(l.Int("crop/strided_slice", "begin_mask"), 9);
  EXPECT_EQ(l.Int("crop/strided_slice", "end_mask"), 9);
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 10, 9, 2}));
}

TEST(Layers, PaddingCropping1D) {
  LOAD(l, "padding_cropping_1d");
  EXPECT_EQ(I32(l.Input("pad1d/Pad", 1)), (std::vector<int32_t>{0, 0, 2, 1, 0, 0}));
  EXPECT_EQ(I32(l.Input("crop1d/strided_slice", 1)), (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(I32(l.Input("crop1d/strided_slice", 2)), (std::vector<int32_t>{0, 9, 0}));
  EXPECT_EQ(l.Int("crop1d/strided_slice", "begin_mask"), 5);
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 8, 3}));
}

TEST(Layers, UpSampling) {
  {
    LOAD(l, "upsampling2d");
    EXPECT_EQ(l.Ops(), (Ops{"ResizeNearestNeighbor"}));
    EXPECT_EQ(I32(l.Input("up_nearest/ResizeNearestNeighbor", 1)), (std::vector<int32_t>{8, 9}));
    EXPECT_EQ(l.Int("up_nearest/ResizeNearestNeighbor", "align_corners"), 0);
    EXPECT_EQ(l.Int("up_nearest/ResizeNearestNeighbor", "half_pixel_centers"), 1);
  }
  {
    LOAD(l, "upsampling2d_bilinear");
    EXPECT_EQ(l.Ops(), (Ops{"ResizeBilinear"}));
    EXPECT_EQ(I32(l.Input("up_bilinear/ResizeBilinear", 1)), (std::vector<int32_t>{8, 6}));
  }
  {
    LOAD(l, "upsampling1d");
    EXPECT_EQ(l.Ops(), (Ops{"ExpandDims", "Tile", "Reshape"}));
    EXPECT_EQ(I32(l.Input("up1d/Tile", 1)), (std::vector<int32_t>{1, 1, 3, 1}));
    EXPECT_EQ(I32(l.Input("up1d/Reshape", 1)), (std::vector<int32_t>{1, 15, 3}));
  }
}

TEST(Layers, Embedding) {
  LOAD(l, "embedding");
  EXPECT_EQ(l.Ops(), (Ops{"Cast", "GatherV2", "Reshape", "MatMul", "BiasAdd", "Softmax"}));
  EXPECT_EQ(l.Int("embedding/Cast", "DstT"), TFLC_TYPE_INT32);
  EXPECT_EQ(l.InDims("embedding/GatherV2", 0), (Dims{20, 4}));
  EXPECT_EQ(I32(l.Input("embedding/GatherV2", 2)), (std::vector<int32_t>{0}));
  EXPECT_EQ(I32(l.Input("flatten/Reshape", 1)), (std::vector<int32_t>{1, 24}));
}

TEST(Layers, Rescaling) {
  LOAD(l, "rescaling");
  EXPECT_EQ(l.Ops(), (Ops{"Mul", "AddV2", "Conv2D", "BiasAdd"}));
  EXPECT_NEAR(First(l.Input("rescaling/Mul", 1)), 1.0 / 127.5, 1e-9);
  EXPECT_FLOAT_EQ(First(l.Input("rescaling/AddV2", 1)), -1.0f);
}

TEST(Layers, ReshapePermuteFlatten) {
  LOAD(l, "reshape_permute_flatten");
  EXPECT_EQ(I32(l.Input("reshape_infer/Reshape", 1)), (std::vector<int32_t>{1, 3, 8}));
  EXPECT_EQ(I32(l.Input("permute/Transpose", 1)), (std::vector<int32_t>{0, 2, 1}));
  EXPECT_EQ(I32(l.Input("reshape_3d/Reshape", 1)), (std::vector<int32_t>{1, 2, 4, 3}));
  EXPECT_EQ(I32(l.Input("flatten/Reshape", 1)), (std::vector<int32_t>{1, 24}));
  // Dense on [1, 4, 6]: matmul(x, kernel) as Keras 3 traces it (one BatchMatMulV2), then BiasAdd.
  EXPECT_EQ(l.InDims("dense_3d/BatchMatMulV2", 1), (Dims{6, 3}));
  EXPECT_EQ(l.Node("dense_3d/BatchMatMulV2").output(0).dims(), (Dims{1, 4, 3}));
  EXPECT_TRUE(l.HasNode("dense_3d/BiasAdd"));
  EXPECT_EQ(I32(l.Input("repeat/Tile", 1)), (std::vector<int32_t>{1, 2, 1}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 2, 12}));
}

TEST(Layers, LSTM) {
  LOAD(l, "lstm");
  EXPECT_EQ(l.Ops(), (Ops{"tflc.LSTM", "tflc.LSTM", "MatMul", "BiasAdd"}));
  NodeView a = l.Node("lstm/LSTM");
  ASSERT_TRUE(a);
  EXPECT_EQ(a.num_inputs(), 4u);
  EXPECT_EQ(a.input(1).dims(), (Dims{3, 24}));
  EXPECT_EQ(a.input(2).dims(), (Dims{6, 24}));
  EXPECT_EQ(a.input(3).dims(), (Dims{24}));
  EXPECT_EQ(*a.IntAttr("units"), 6);
  EXPECT_EQ(*a.StringAttr("activation"), "tanh");
  EXPECT_EQ(*a.StringAttr("recurrent_activation"), "sigmoid");
  EXPECT_EQ(*a.BoolAttr("return_sequences"), true);
  EXPECT_EQ(*a.BoolAttr("go_backwards"), false);
  EXPECT_EQ(*a.BoolAttr("time_major"), false);
  EXPECT_EQ(a.output(0).dims(), (Dims{1, 8, 6}));
  EXPECT_EQ(l.Int("lstm_1/LSTM", "go_backwards"), 1);
  EXPECT_EQ(l.Int("lstm_1/LSTM", "return_sequences"), 0);
  EXPECT_EQ(l.Node("lstm_1/LSTM").output(0).dims(), (Dims{1, 4}));
}

TEST(Layers, GRU) {
  LOAD(l, "gru");
  EXPECT_EQ(l.Ops(), (Ops{"tflc.GRU", "tflc.GRU"}));
  NodeView a = l.Node("gru/GRU");
  ASSERT_TRUE(a);
  EXPECT_EQ(a.input(3).dims(), (Dims{15}));
  EXPECT_EQ(*a.BoolAttr("reset_after"), false);
  EXPECT_EQ(a.output(0).dims(), (Dims{1, 7, 5}));
  EXPECT_EQ(l.Node("gru_1/GRU").num_inputs(), 3u);  // use_bias=False
}

TEST(Layers, GRUResetAfter) {
  LOAD(l, "gru_reset_after");
  EXPECT_EQ(l.InDims("gru/GRU", 3), (Dims{2, 9}));
  EXPECT_EQ(l.Int("gru/GRU", "reset_after"), 1);
}

TEST(Layers, InferenceNoOpsAreRemoved) {
  LOAD(l, "noise_layers");
  EXPECT_EQ(l.Ops(), (Ops{"Conv2D", "BiasAdd"}));
  // The conv reads the graph input directly.
  EXPECT_EQ(l.Input("conv/Conv2D", 0).get(), l.g().input(0).get());
}

// ---- recurrent layers and wrappers (tests/models/gen_rnn.py) ----

TEST(Layers, SimpleRNN) {
  LOAD(l, "rnn_simple");
  EXPECT_EQ(l.Ops(), (Ops{"tflc.SimpleRNN", "tflc.SimpleRNN", "tflc.SimpleRNN"}));
  NodeView a = l.Node("simple_rnn/SimpleRNN");
  ASSERT_TRUE(a);
  EXPECT_EQ(a.num_inputs(), 4u);
  EXPECT_EQ(a.input(1).dims(), (Dims{3, 4}));
  EXPECT_EQ(a.input(2).dims(), (Dims{4, 4}));
  EXPECT_EQ(a.input(3).dims(), (Dims{4}));
  EXPECT_EQ(*a.IntAttr("units"), 4);
  EXPECT_EQ(*a.StringAttr("activation"), "tanh");
  EXPECT_EQ(*a.BoolAttr("return_sequences"), true);
  EXPECT_EQ(a.num_outputs(), 1u);
  EXPECT_EQ(a.output(0).dims(), (Dims{1, 6, 4}));
  NodeView b = l.Node("simple_rnn_1/SimpleRNN");
  EXPECT_EQ(b.num_inputs(), 3u);  // use_bias=False
  EXPECT_EQ(*b.BoolAttr("go_backwards"), true);
  EXPECT_EQ(*b.StringAttr("activation"), "relu");
  EXPECT_EQ(l.Node("simple_rnn_2/SimpleRNN").output(0).dims(), (Dims{1, 2}));
}

TEST(Layers, RecurrentReturnState) {
  LOAD(l, "rnn_return_state");
  NodeView lstm = l.Node("lstm/LSTM");
  ASSERT_TRUE(lstm);
  ASSERT_EQ(lstm.num_outputs(), 3u);  // [y, h, c]
  EXPECT_EQ(lstm.output(0).dims(), (Dims{1, 5, 4}));
  EXPECT_EQ(lstm.output(1).dims(), (Dims{1, 4}));
  EXPECT_EQ(lstm.output(2).dims(), (Dims{1, 4}));
  EXPECT_EQ(l.Node("gru/GRU").num_outputs(), 2u);
  EXPECT_EQ(l.Node("simple_rnn/SimpleRNN").num_outputs(), 2u);
  ASSERT_EQ(l.g().num_outputs(), 8u);
  // Model outputs refer to the layer outputs by tensor index.
  EXPECT_EQ(l.g().output(1).get(), lstm.output(1).get());
  EXPECT_EQ(l.g().output(2).get(), lstm.output(2).get());
  EXPECT_EQ(l.g().output(7).get(), l.Node("simple_rnn/SimpleRNN").output(1).get());
}

TEST(Layers, RecurrentInitialState) {
  LOAD(l, "rnn_initial_state");
  NodeView lstm = l.Node("lstm/LSTM");
  ASSERT_TRUE(lstm);
  ASSERT_EQ(lstm.num_inputs(), 6u);
  EXPECT_EQ(*lstm.IntAttr("num_initial_states"), 2);
  EXPECT_EQ(lstm.input(4).get(), l.g().input(1).get());
  EXPECT_EQ(lstm.input(5).get(), l.g().input(2).get());
  NodeView gru = l.Node("gru/GRU");
  ASSERT_EQ(gru.num_inputs(), 5u);  // use_bias=False: a zero bias keeps the state at input 4
  EXPECT_EQ(F32(gru.input(3)), std::vector<float>(18, 0.f));
  EXPECT_EQ(gru.input(4).get(), l.g().input(1).get());
  EXPECT_EQ(l.Node("simple_rnn/SimpleRNN").input(4).get(), l.g().input(2).get());
}

TEST(Layers, Bidirectional) {
  LOAD(l, "bidirectional");
  EXPECT_EQ(l.Ops(), (Ops{"tflc.LSTM", "tflc.LSTM", "ReverseV2", "ConcatV2", "tflc.GRU", "tflc.GRU", "AddV2", "MatMul",
                          "BiasAdd"}));
  NodeView f = l.Node("bidirectional/forward_lstm/LSTM"), b = l.Node("bidirectional/backward_lstm/LSTM");
  ASSERT_TRUE(f && b);
  EXPECT_EQ(*f.BoolAttr("go_backwards"), false);
  EXPECT_EQ(*b.BoolAttr("go_backwards"), true);  // tf.keras: the forward config with go_backwards negated
  // Forward weights first, then backward (different constants).
  EXPECT_NE(F32(f.input(1)), F32(b.input(1)));
  EXPECT_EQ(f.input(1).dims(), (Dims{3, 16}));
  NodeView rev = l.Node("bidirectional/ReverseV2");
  EXPECT_EQ(rev.input(0).get(), b.output(0).get());
  EXPECT_EQ(I32(rev.input(1)), (std::vector<int32_t>{1}));
  NodeView cat = l.Node("bidirectional/ConcatV2");
  EXPECT_EQ(cat.input(0).get(), f.output(0).get());
  EXPECT_EQ(cat.input(1).get(), rev.output(0).get());
  EXPECT_EQ(cat.output(0).dims(), (Dims{1, 6, 8}));
  // Without return_sequences the backward output is its final state: no reverse.
  NodeView add = l.Node("bidirectional_1/AddV2");
  EXPECT_EQ(add.input(1).get(), l.Node("bidirectional_1/backward_gru/GRU").output(0).get());
  EXPECT_EQ(l.InDims("bidirectional_1/forward_gru/GRU", 3), (Dims{2, 9}));
}

TEST(Layers, BidirectionalMergeModesAndStates) {
  LOAD(l, "bidirectional_modes");
  EXPECT_TRUE(l.HasNode("bi_ave/truediv"));
  EXPECT_TRUE(l.HasNode("bi_mul/Mul"));
  EXPECT_EQ(l.Node("bi_mul/forward_lstm/LSTM").num_inputs(), 3u);
  ASSERT_EQ(l.g().num_outputs(), 9u);
  // merge_mode None: [y_forward, reversed y_backward].
  EXPECT_EQ(l.g().output(2).get(), l.Node("bi_none/forward_gru/GRU").output(0).get());
  EXPECT_EQ(l.g().output(3).get(), l.Node("bi_none/ReverseV2").output(0).get());
  // return_state: [merged, h_f, c_f, h_b, c_b].
  NodeView f = l.Node("bi_state/forward_lstm_s/LSTM"), b = l.Node("bi_state/backward_lstm_s/LSTM");
  EXPECT_EQ(l.g().output(5).get(), f.output(1).get());
  EXPECT_EQ(l.g().output(6).get(), f.output(2).get());
  EXPECT_EQ(l.g().output(7).get(), b.output(1).get());
  EXPECT_EQ(l.g().output(8).get(), b.output(2).get());
}

TEST(Layers, TimeDistributed) {
  LOAD(l, "time_distributed");
  EXPECT_EQ(l.Ops(), (Ops{"Reshape", "Conv2D", "BiasAdd", "Relu", "Reshape", "Reshape", "MaxPool", "Reshape",
                          "Reshape", "BatchMatMulV2", "BiasAdd", "Relu", "tflc.LSTM"}));
  // (1, 3, 6, 6, 2) → (3, 6, 6, 2) → Conv2D → (1, 3, 4, 4, 3).
  EXPECT_EQ(l.Node("time_distributed/Reshape").output(0).dims(), (Dims{3, 6, 6, 2}));
  EXPECT_EQ(l.InDims("time_distributed/conv2d/Conv2D", 1), (Dims{3, 3, 2, 3}));
  EXPECT_EQ(l.Node("time_distributed/Reshape_1").output(0).dims(), (Dims{1, 3, 4, 4, 3}));
  // Flatten per slice is one Reshape; Dense is applied to the rank-3 input directly.
  EXPECT_EQ(l.Node("time_distributed_2/Reshape").output(0).dims(), (Dims{1, 3, 12}));
  EXPECT_EQ(l.InDims("time_distributed_3/dense/BatchMatMulV2", 1), (Dims{12, 4}));
  EXPECT_EQ(l.Node("lstm/LSTM").input(0).producer().op(), "Relu");
}

TEST(Layers, Keras3RecurrentAndWrappers) {
  {
    LOAD(l, "keras3_rnn");
    NodeView lstm = l.Node("lstm/LSTM");
    ASSERT_TRUE(lstm);
    ASSERT_EQ(lstm.num_inputs(), 6u);  // initial_state kwarg
    EXPECT_EQ(lstm.input(4).get(), l.g().input(1).get());
    EXPECT_EQ(lstm.num_outputs(), 3u);
    EXPECT_EQ(*l.Node("simple_rnn/SimpleRNN").BoolAttr("go_backwards"), true);
    EXPECT_EQ(l.g().output(1).get(), lstm.output(2).get());
  }
  {
    LOAD(l, "keras3_wrappers");
    NodeView f = l.Node("bidirectional/forward_lstm/LSTM"), b = l.Node("bidirectional/backward_lstm/LSTM");
    ASSERT_TRUE(f && b);
    EXPECT_EQ(*b.BoolAttr("go_backwards"), true);  // from the saved backward_layer config
    EXPECT_NE(F32(f.input(1)), F32(b.input(1)));
    EXPECT_EQ(l.InDims("time_distributed/dense/BatchMatMulV2", 1), (Dims{5, 4}));
    EXPECT_EQ(l.g().num_outputs(), 4u);
    EXPECT_EQ(l.g().output(3).dims(), (Dims{1, 4, 2, 2}));
  }
}

TEST(Layers, RecurrentMaskIsRefused) {
  REQUIRE_MODELS();
  Loaded l(Model("bad_rnn_mask"));
  EXPECT_EQ(l.status().code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(l.status().message().find("mask"), std::string::npos) << l.status();
  EXPECT_NE(l.status().message().find("simple_rnn"), std::string::npos) << l.status();
}

}  // namespace
}  // namespace tflc::keras::testing
