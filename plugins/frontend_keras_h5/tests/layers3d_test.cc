// Emission of the 3-D and extra layers (task layers3d): the generated models of
// tests/models/gen_layers3d.py, each in the Keras 2 (.h5) and Keras 3 (.keras) dialect.
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

class Dialects : public ::testing::TestWithParam<const char*> {
 protected:
  std::string M(const std::string& base) const { return base + GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Layers3D, Dialects, ::testing::Values("", "_k3"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           return std::string(i.param[0] ? "keras3" : "keras2");
                         });

TEST_P(Dialects, GlobalPoolingChannelsFirst) {
  LOAD(l, M("global_pooling_channels_first"));
  // channels_first reduces the axes after the channel axis: 1-D axis 2, 2-D [2, 3], 3-D [2, 3, 4].
  EXPECT_EQ(I32(l.Input("gap1d_cf/Mean", 1)), (std::vector<int32_t>{2}));
  EXPECT_EQ(I32(l.Input("gmp1d_cf_keep/Max", 1)), (std::vector<int32_t>{2}));
  EXPECT_EQ(l.Int("gmp1d_cf_keep/Max", "keep_dims"), 1);
  EXPECT_EQ(I32(l.Input("gap2d_cf/Mean", 1)), (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(I32(l.Input("gap3d/Mean", 1)), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(I32(l.Input("gap3d_cf_keep/Mean", 1)), (std::vector<int32_t>{2, 3, 4}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 5}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 5, 1}));
  EXPECT_EQ(l.g().output(2).dims(), (Dims{1, 2}));
  EXPECT_EQ(l.g().output(4).dims(), (Dims{1, 5}));
  EXPECT_EQ(l.g().output(5).dims(), (Dims{1, 1, 1, 1, 5}));
  EXPECT_EQ(l.g().output(6).dims(), (Dims{1, 3, 1, 1, 1}));
  EXPECT_EQ(l.g().output(7).dims(), (Dims{1, 3}));
}

TEST_P(Dialects, Conv1DTranspose) {
  LOAD(l, M("conv1d_transpose"));
  EXPECT_EQ(l.Ops(), (Ops{"ExpandDims", "Conv2DBackpropInput", "Squeeze", "BiasAdd", "Relu",  // same
                          "ExpandDims", "Conv2DBackpropInput", "Squeeze", "BiasAdd",          // valid
                          "ExpandDims", "Conv2DBackpropInput", "Squeeze", "Tanh"}));          // output_padding
  EXPECT_EQ(I32(l.Input("convt_same/conv1d_transpose/ExpandDims", 1)), (std::vector<int32_t>{1}));
  // sizes [b, 1, out, filters]: same 6*2 = 12; valid 12*3 + max(4-3, 0) = 37; (37-1)*2 + 3 - 2 + 1 = 74.
  EXPECT_EQ(I32(l.Input("convt_same/conv1d_transpose", 0)), (std::vector<int32_t>{1, 1, 12, 4}));
  EXPECT_EQ(I32(l.Input("convt_valid/conv1d_transpose", 0)), (std::vector<int32_t>{1, 1, 37, 3}));
  EXPECT_EQ(I32(l.Input("convt_outpad/conv1d_transpose", 0)), (std::vector<int32_t>{1, 1, 74, 2}));
  EXPECT_EQ(l.InDims("convt_same/conv1d_transpose", 1), (Dims{1, 3, 4, 3}));  // [1, k, out, in]
  EXPECT_EQ(l.Ints("convt_valid/conv1d_transpose", "strides"), (Dims{1, 1, 3, 1}));
  EXPECT_EQ(l.Str("convt_valid/conv1d_transpose", "padding"), "VALID");
  EXPECT_EQ(l.Ints("convt_same/conv1d_transpose/Squeeze", "squeeze_dims"), (Dims{1}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 74, 2}));
}

TEST_P(Dialects, DepthwiseConv1D) {
  LOAD(l, M("depthwise_conv1d"));
  EXPECT_EQ(l.InDims("dw1d_same/depthwise", 1), (Dims{1, 3, 3, 2}));
  EXPECT_EQ(l.Ints("dw1d_same/depthwise", "strides"), (Dims{1, 1, 1, 1}));
  EXPECT_EQ(l.Str("dw1d_same/depthwise", "padding"), "SAME");
  EXPECT_EQ(l.Ints("dw1d_stride/depthwise", "strides"), (Dims{1, 1, 2, 1}));
  EXPECT_EQ(l.Ints("dw1d_dilated/depthwise", "dilations"), (Dims{1, 1, 2, 1}));
  EXPECT_EQ(l.Ints("dw1d_same/Squeeze", "squeeze_dims"), (Dims{1}));
  if (std::string(GetParam()).empty()) {  // Keras 2 only: causal = Pad(dilation * (k - 1)) + VALID
    EXPECT_EQ(I32(l.Input("dw1d_causal/Pad", 1)), (std::vector<int32_t>{0, 0, 4, 0, 0, 0}));
    EXPECT_EQ(l.Str("dw1d_causal/depthwise", "padding"), "VALID");
  }
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 5, 6}));  // 11 → 11 → 5 → 5 (→ 5)
}

TEST_P(Dialects, Pooling3DIsTwo2DPoolings) {
  LOAD(l, M("pooling3d"));
  EXPECT_EQ(l.Count("MaxPool3D") + l.Count("AvgPool3D"), 0);
  EXPECT_EQ(l.Count("MaxPool"), 4);
  EXPECT_EQ(l.Count("AvgPool"), 4);
  // avg3d_same: pool (3, 2, 3) strides (2, 1, 2) on 7x6x9: (h, w) first on [7, 6, 9, 2], then d.
  EXPECT_EQ(I32(l.Input("avg3d_same/hw/Reshape", 1)), (std::vector<int32_t>{7, 6, 9, 2}));
  EXPECT_EQ(l.Ints("avg3d_same/hw/AvgPool", "ksize"), (Dims{1, 2, 3, 1}));
  EXPECT_EQ(l.Ints("avg3d_same/hw/AvgPool", "strides"), (Dims{1, 1, 2, 1}));
  EXPECT_EQ(l.Str("avg3d_same/hw/AvgPool", "padding"), "SAME");
  EXPECT_EQ(I32(l.Input("avg3d_same/d/Reshape", 1)), (std::vector<int32_t>{1, 7, 30, 2}));
  EXPECT_EQ(l.Ints("avg3d_same/d/AvgPool", "ksize"), (Dims{1, 3, 1, 1}));
  EXPECT_EQ(l.Ints("avg3d_same/d/AvgPool", "strides"), (Dims{1, 2, 1, 1}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 3, 3, 4, 2}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 4, 6, 5, 2}));
}

TEST_P(Dialects, Spatial3D) {
  LOAD(l, M("spatial3d"));
  EXPECT_EQ(I32(l.Input("pad3d/Pad", 1)), (std::vector<int32_t>{0, 0, 1, 0, 0, 2, 1, 1, 0, 0}));
  EXPECT_EQ(I32(l.Input("pad3d_int_cf/Pad", 1)), (std::vector<int32_t>{0, 0, 0, 0, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(I32(l.Input("crop3d/strided_slice", 1)), (std::vector<int32_t>{0, 1, 1, 0, 0}));
  EXPECT_EQ(I32(l.Input("crop3d/strided_slice", 2)), (std::vector<int32_t>{0, 3, 2, 4, 0}));
  EXPECT_EQ(l.Int("crop3d/strided_slice", "begin_mask"), 1 | 16);
  EXPECT_EQ(l.Int("crop3d_cf/strided_slice", "begin_mask"), 1 | 2);
  EXPECT_EQ(l.Count("Tile"), 4);  // up3d: depth and width (height size 1 is skipped); up3d_cf: two axes
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 4, 6, 7, 2}));
  EXPECT_EQ(l.g().output(3).dims(), (Dims{1, 3, 2, 1, 2}));
  EXPECT_EQ(l.g().output(4).dims(), (Dims{1, 6, 4, 15, 2}));
  EXPECT_EQ(l.g().output(5).dims(), (Dims{1, 3, 4, 10, 4}));
}

TEST_P(Dialects, Conv3D) {
  LOAD(l, M("conv3d"));
  EXPECT_EQ(l.Ops(), (Ops{"Conv3D", "BiasAdd", "Tanh", "Conv3D", "BiasAdd", "Relu", "Conv3D"}));
  EXPECT_EQ(l.InDims("conv3d_same/Conv3D", 1), (Dims{3, 3, 3, 3, 4}));  // DHWIO as stored
  EXPECT_EQ(l.Str("conv3d_same/Conv3D", "padding"), "SAME");
  EXPECT_EQ(l.Str("conv3d_same/Conv3D", "data_format"), "NDHWC");
  EXPECT_EQ(l.Ints("conv3d_dilated/Conv3D", "dilations"), (Dims{1, 1, 2, 1, 1}));
  EXPECT_EQ(l.Ints("conv3d_strided/Conv3D", "strides"), (Dims{1, 2, 1, 2, 1}));
  EXPECT_EQ(l.Str("conv3d_strided/Conv3D", "padding"), "VALID");
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 2, 4, 3, 2}));
}

TEST_P(Dialects, Dot) {
  LOAD(l, M("dot"));
  EXPECT_EQ(I32(l.Input("dot_vec/Sum", 1)), (std::vector<int32_t>{1}));
  EXPECT_EQ(l.Int("dot_vec/Sum", "keep_dims"), 1);
  EXPECT_TRUE(l.HasNode("dot_cosine/l2_normalize/Rsqrt"));
  EXPECT_TRUE(l.HasNode("dot_cosine/l2_normalize_1/Rsqrt"));
  EXPECT_EQ(l.Int("dot_last_last/MatMul", "adj_x"), 0);
  EXPECT_EQ(l.Int("dot_last_last/MatMul", "adj_y"), 1);
  EXPECT_EQ(l.Int("dot_first_first_norm/MatMul", "adj_x"), 1);
  EXPECT_EQ(l.Int("dot_first_first_norm/MatMul", "adj_y"), 0);
  EXPECT_EQ(I32(l.Input("dot_first_first_norm/l2_normalize/Sum", 1)), (std::vector<int32_t>{1}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 1}));
  EXPECT_EQ(l.g().output(2).dims(), (Dims{1, 3, 5}));
  EXPECT_EQ(l.g().output(3).dims(), (Dims{1, 4, 5}));
  EXPECT_EQ(l.g().output(4).dims(), (Dims{1, 5, 3}));
}

TEST_P(Dialects, Normalization) {
  LOAD(l, M("normalization"));
  // Config stats on axis 1 with invert: mean + x * max(sqrt(variance), 1e-7), broadcast [1, 4, 1].
  EXPECT_EQ(l.InDims("norm_config_invert/Mul", 1), (Dims{1, 4, 1}));
  EXPECT_EQ(F32(l.Input("norm_config_invert/Mul", 1)), (std::vector<float>{2.f, 0.5f, 1.f, 3.f}));
  EXPECT_EQ(F32(l.Input("norm_config_invert/AddV2", 0)), (std::vector<float>{0.5f, -1.f, 2.f, 0.f}));
  EXPECT_EQ(l.InDims("norm_adapted/Sub", 1), (Dims{1, 1, 3}));
  EXPECT_EQ(l.InDims("norm_scalar/RealDiv", 1), (Dims{1, 1, 1}));
  EXPECT_NEAR(F32(l.Input("norm_scalar/RealDiv", 1))[0], std::sqrt(2.f), 1e-6);
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 4, 3}));
}

TEST_P(Dialects, ResizingAndCenterCrop) {
  LOAD(l, M("resizing"));
  EXPECT_EQ(I32(l.Input("resize_bilinear/resize/ResizeBilinear", 1)), (std::vector<int32_t>{4, 5}));
  EXPECT_EQ(l.Int("resize_bilinear/resize/ResizeBilinear", "half_pixel_centers"), 1);
  // crop_to_aspect_ratio 3x3 of 6x9: the centered 6x6 window from column int(3 / 2) = 1.
  EXPECT_EQ(I32(l.Input("resize_nearest_crop/crop_to_aspect_ratio", 1)), (std::vector<int32_t>{0, 0, 1, 0}));
  EXPECT_EQ(I32(l.Input("resize_nearest_crop/crop_to_aspect_ratio", 2)), (std::vector<int32_t>{-1, 6, 6, -1}));
  EXPECT_TRUE(l.HasNode("resize_nearest_crop/resize/ResizeNearestNeighbor"));
  EXPECT_EQ(I32(l.Input("center_crop/center_crop", 1)), (std::vector<int32_t>{0, 1, 2, 0}));
  EXPECT_TRUE(l.HasNode("center_crop_upsize/resize/ResizeBilinear"));
  EXPECT_EQ(l.g().output(3).dims(), (Dims{1, 8, 8, 2}));
  if (!std::string(GetParam()).empty()) {
    // pad_to_aspect_ratio 5x4 of 6x9: canvas int(9 * 5 / 4) = 11 rows, offset int(5 / 2) = 2.
    EXPECT_EQ(I32(l.Input("resize_pad/pad_to_aspect_ratio", 1)), (std::vector<int32_t>{0, 0, 2, 3, 0, 0, 0, 0}));
    EXPECT_EQ(F32(l.Input("resize_pad/pad_to_aspect_ratio", 2)), (std::vector<float>{0.5f}));
  }
}

}  // namespace
}  // namespace tflc::keras::testing
