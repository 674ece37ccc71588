// CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED, BATCH_MATMUL: shapes and kernels
// against hand-computed values.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

#include "conv_kernels.h"
#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

std::vector<float> Iota(int n, float start = 1.f) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + static_cast<float>(i);
  return v;
}

class ConvTest : public OpsetTest {};

TEST_F(ConvTest, Conv2DValidWithBias) {
  // in 3x3 = 1..9, filter 2x2 = [1 2; 3 4], bias 0.5.
  Tensor y = Fold1("CONV_2D", {F({1, 3, 3, 1}, Iota(9)), F({1, 2, 2, 1}, {1, 2, 3, 4}), F({1}, {0.5f})},
                   {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}});
  EXPECT_EQ(y.dims, (Dims{1, 2, 2, 1}));
  ExpectNear(y.f(), {37.5f, 47.5f, 67.5f, 77.5f});
}

TEST_F(ConvTest, Conv2DSameStride2PadsBottomRight) {
  // 4x4 = 1..16, 3x3 ones, SAME stride 2: total padding 1 goes below/right.
  Tensor y = Fold1("CONV_2D", {F({1, 4, 4, 1}, Iota(16)), F({1, 3, 3, 1}, std::vector<float>(9, 1.f)), Omitted()},
                   {{"padding", 0}, {"stride_w", 2}, {"stride_h", 2}});
  EXPECT_EQ(y.dims, (Dims{1, 2, 2, 1}));
  ExpectNear(y.f(), {54, 45, 72, 54});
}

TEST_F(ConvTest, Conv2DDilation) {
  Tensor y = Fold1("CONV_2D", {F({1, 4, 4, 1}, Iota(16)), F({1, 2, 2, 1}, {1, 1, 1, 1}), Omitted()},
                   {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}, {"dilation_w_factor", 2}, {"dilation_h_factor", 2}});
  EXPECT_EQ(y.dims, (Dims{1, 2, 2, 1}));
  ExpectNear(y.f(), {24, 28, 40, 44});
}

TEST_F(ConvTest, Conv2DOhwiChannelsAndFusedRelu) {
  // Two input channels [1, 2]; output 0 weights [1, 10], output 1 weights [100, -1000].
  const std::vector<Tensor> ins = {F({1, 1, 1, 2}, {1, 2}), F({2, 1, 1, 2}, {1, 10, 100, -1000}), F({2}, {0.5f, 1})};
  Tensor plain = Fold1("CONV_2D", ins, {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}});
  ExpectNear(plain.f(), {21.5f, -1899.f});
  Tensor relu = Fold1("CONV_2D", ins, {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}, {"fused_activation_function", 1}});
  ExpectNear(relu.f(), {21.5f, 0.f});
  Tensor relu6 = Fold1("CONV_2D", ins, {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}, {"fused_activation_function", 3}});
  ExpectNear(relu6.f(), {6.f, 0.f});
}

TEST_F(ConvTest, Conv2DGrouped) {
  // 4 input channels, filter depth 2 -> 2 groups; output 0 sees channels 0-1, output 1 channels 2-3.
  Tensor y = Fold1("CONV_2D", {F({1, 1, 1, 4}, {1, 2, 3, 4}), F({2, 1, 1, 2}, {1, 1, 1, -1}), Omitted()},
                   {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}});
  ExpectNear(y.f(), {3, -1});
}

TEST_F(ConvTest, Conv2DMatchesNaiveLoop) {
  // [1,5,4,3] input, 4 filters of 3x2, stride (2,1), SAME, written as a plain loop here.
  const int ih = 5, iw = 4, ic = 3, oc = 4, kh = 3, kw = 2;
  std::vector<float> in(ih * iw * ic), w(oc * kh * kw * ic), b(oc);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>((i * 7) % 11) - 5.f;
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>((i * 5) % 7) * 0.25f - 0.75f;
  for (int i = 0; i < oc; ++i) b[i] = 0.1f * static_cast<float>(i);
  const int sh = 2, sw = 1;
  const int oh = (ih + sh - 1) / sh, ow = (iw + sw - 1) / sw;  // 3, 4
  const int pad_t = std::max(0, (oh - 1) * sh + kh - ih) / 2;    // total 1 -> 0
  const int pad_l = std::max(0, (ow - 1) * sw + kw - iw) / 2;    // total 1 -> 0
  std::vector<float> want;
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x)
      for (int o = 0; o < oc; ++o) {
        float s = b[o];
        for (int ky = 0; ky < kh; ++ky)
          for (int kx = 0; kx < kw; ++kx)
            for (int c = 0; c < ic; ++c) {
              int yy = y * sh + ky - pad_t, xx = x * sw + kx - pad_l;
              if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
              s += in[(yy * iw + xx) * ic + c] * w[((o * kh + ky) * kw + kx) * ic + c];
            }
        want.push_back(s);
      }
  Tensor got = Fold1("CONV_2D", {F({1, ih, iw, ic}, in), F({oc, kh, kw, ic}, w), F({oc}, b)},
                     {{"padding", 0}, {"stride_w", sw}, {"stride_h", sh}});
  EXPECT_EQ(got.dims, (Dims{1, oh, ow, oc}));
  ExpectNear(got.f(), want, 1e-4f);
}

// CONV_3D against a plain loop: filter DHWIO, SAME with strides and dilation, fused RELU.
struct Conv3DCase {
  int id, ih, iw, ic, oc, kd, kh, kw, sd, sh, sw, dd, dh, dw;
  bool relu;
};

class Conv3DLoopTest : public OpsetTest, public ::testing::WithParamInterface<Conv3DCase> {};

TEST_P(Conv3DLoopTest, MatchesNaiveLoop) {
  const Conv3DCase& k = GetParam();
  std::vector<float> in(static_cast<size_t>(k.id * k.ih * k.iw * k.ic)), w(static_cast<size_t>(k.kd * k.kh * k.kw * k.ic * k.oc)),
      b(static_cast<size_t>(k.oc));
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>((i * 7) % 11) - 5.f;
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>((i * 5) % 7) * 0.25f - 0.75f;
  for (int i = 0; i < k.oc; ++i) b[static_cast<size_t>(i)] = 0.5f * static_cast<float>(i) - 0.5f;
  auto geo = [](int n, int kk, int s, int d, int* out, int* pad) {
    *out = (n + s - 1) / s;
    *pad = std::max(0, (*out - 1) * s + (kk - 1) * d + 1 - n) / 2;
  };
  int od, oh, ow, pd, ph, pw;
  geo(k.id, k.kd, k.sd, k.dd, &od, &pd);
  geo(k.ih, k.kh, k.sh, k.dh, &oh, &ph);
  geo(k.iw, k.kw, k.sw, k.dw, &ow, &pw);
  std::vector<float> want;
  for (int z = 0; z < od; ++z)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int o = 0; o < k.oc; ++o) {
          float s = b[static_cast<size_t>(o)];
          for (int a = 0; a < k.kd; ++a)
            for (int ky = 0; ky < k.kh; ++ky)
              for (int kx = 0; kx < k.kw; ++kx)
                for (int c = 0; c < k.ic; ++c) {
                  const int zz = z * k.sd + a * k.dd - pd, yy = y * k.sh + ky * k.dh - ph, xx = x * k.sw + kx * k.dw - pw;
                  if (zz < 0 || zz >= k.id || yy < 0 || yy >= k.ih || xx < 0 || xx >= k.iw) continue;
                  s += in[static_cast<size_t>(((zz * k.ih + yy) * k.iw + xx) * k.ic + c)] *
                       w[static_cast<size_t>((((a * k.kh + ky) * k.kw + kx) * k.ic + c) * k.oc + o)];
                }
          want.push_back(k.relu ? std::max(s, 0.f) : s);
        }
  Tensor got = Fold1("CONV_3D", {F({1, k.id, k.ih, k.iw, k.ic}, in), F({k.kd, k.kh, k.kw, k.ic, k.oc}, w), F({k.oc}, b)},
                     {{"padding", 0}, {"stride_d", k.sd}, {"stride_h", k.sh}, {"stride_w", k.sw}, {"dilation_d_factor", k.dd},
                      {"dilation_h_factor", k.dh}, {"dilation_w_factor", k.dw}, {"fused_activation_function", k.relu ? 1 : 0}});
  EXPECT_EQ(got.dims, (Dims{1, od, oh, ow, k.oc}));
  ExpectNear(got.f(), want, 1e-4f);
}

INSTANTIATE_TEST_SUITE_P(Conv3D, Conv3DLoopTest,
                         ::testing::Values(Conv3DCase{4, 5, 3, 2, 3, 2, 3, 2, 1, 2, 1, 2, 1, 1, true},
                                           // input depth = kernel depth with a height dilation: the case
                                           // the 2023 WASM TFLite runtime computes differently
                                           Conv3DCase{2, 4, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 2, 1, false},
                                           Conv3DCase{5, 6, 7, 1, 2, 3, 1, 2, 2, 3, 2, 1, 1, 2, false}));

TEST_F(ConvTest, Conv3DValidSmallByHand) {
  // 1x2x2 volume 1..4, one 1x2x2 filter of ones, no bias: the sum 10.
  Tensor y = Fold1("CONV_3D", {F({1, 1, 2, 2, 1}, Iota(4)), F({1, 2, 2, 1, 1}, {1, 1, 1, 1})},
                   {{"padding", 1}, {"stride_d", 1}, {"stride_h", 1}, {"stride_w", 1}});
  EXPECT_EQ(y.dims, (Dims{1, 1, 1, 1, 1}));
  ExpectNear(y.f(), {10.f});
}

TEST_F(ConvTest, Conv3DShapes) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("CONV_3D", {Input(TFLC_TYPE_FLOAT32, {-1, 7, 9, 8, 3}),
                                      Const(F({3, 3, 2, 3, 5}, std::vector<float>(270)))},
                          {{"padding", 1}, {"stride_d", 2}, {"stride_h", 1}, {"stride_w", 3}, {"dilation_h_factor", 2}},
                          &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 3, 5, 3, 5}));  // (7-3)/2+1, 9-5+1, (8-2)/3+1
}

TEST_F(ConvTest, Conv3DRejectsChannelMismatch) {
  NodeView n;
  Status s = InferOne("CONV_3D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 4, 2}), Const(F({1, 1, 1, 3, 1}, std::vector<float>(3)))},
                      {{"padding", 0}, {"stride_d", 1}, {"stride_h", 1}, {"stride_w", 1}}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "input channels 2 != filter input channels 3"));
}

TEST_F(ConvTest, Conv3DRejectsValidWindowLargerThanDepth) {
  NodeView n;
  Status s = InferOne("CONV_3D", {Input(TFLC_TYPE_FLOAT32, {1, 2, 4, 4, 1}), Const(F({3, 1, 1, 1, 1}, std::vector<float>(3)))},
                      {{"padding", 1}, {"stride_d", 1}, {"stride_h", 1}, {"stride_w", 1}}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "depth window 3"));
}

TEST_F(ConvTest, Conv3DRejectsZeroStride) {
  NodeView n;
  Status s = InferOne("CONV_3D", {Input(TFLC_TYPE_FLOAT32, {1, 2, 4, 4, 1}), Const(F({1, 1, 1, 1, 1}, std::vector<float>(1)))},
                      {{"padding", 1}, {"stride_d", 0}, {"stride_h", 1}, {"stride_w", 1}}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "stride_d must be positive"));
}

TEST_F(ConvTest, Conv2DShapes) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("CONV_2D", {Input(TFLC_TYPE_FLOAT32, {-1, 9, 8, 3}), Const(F({16, 3, 3, 3}, std::vector<float>(432))),
                                      Const(F({16}, std::vector<float>(16)))},
                          {{"padding", 0}, {"stride_w", 2}, {"stride_h", 2}}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 5, 4, 16}));
  EXPECT_EQ(n.output(0).type(), TFLC_TYPE_FLOAT32);
}

TEST_F(ConvTest, Conv2DRejectsChannelMismatch) {
  NodeView n;
  Status s = InferOne("CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 8, 8, 3}), Const(F({4, 3, 3, 2}, std::vector<float>(72)))},
                      {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "input channels 3 are not a multiple of the filter's 2"));
}

TEST_F(ConvTest, Conv2DRejectsWindowLargerThanInputWithValid) {
  NodeView n;
  Status s = InferOne("CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 2, 8, 1}), Const(F({1, 3, 3, 1}, std::vector<float>(9)))},
                      {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "larger than the input height 2"));
}

TEST_F(ConvTest, Conv2DRejectsBadBias) {
  NodeView n;
  Status s = InferOne("CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 1}), Const(F({2, 1, 1, 1}, {1, 1})), Const(F({3}, {0, 0, 0}))},
                      {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "bias (input 2) must have shape [2]"));
}

TEST_F(ConvTest, Conv2DRejectsMissingStride) {
  NodeView n;
  Status s = InferOne("CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 1}), Const(F({1, 1, 1, 1}, {1}))}, {{"padding", 1}}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "stride_h and stride_w must be positive"));
}

// ---------------------------------------------------------------------------------------------

TEST_F(ConvTest, DepthwiseMultiplier2) {
  // channels: c0 = 1,3,5,7 (sum 16), c1 = 2,4,6,8 (sum 20); filter value = output channel + 1.
  std::vector<float> f;
  for (int k = 0; k < 4; ++k)
    for (int oc = 0; oc < 4; ++oc) f.push_back(static_cast<float>(oc + 1));
  Tensor y = Fold1("DEPTHWISE_CONV_2D", {F({1, 2, 2, 2}, Iota(8)), F({1, 2, 2, 4}, f), F({4}, {1, 1, 1, 1})},
                   {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}, {"depth_multiplier", 2}});
  EXPECT_EQ(y.dims, (Dims{1, 1, 1, 4}));
  ExpectNear(y.f(), {17, 33, 61, 81});
}

TEST_F(ConvTest, DepthwiseSameWithReluN1To1) {
  // One channel 2x2 = [1 2; 3 4], 2x2 filter [0.1 0.2; 0.3 0.4] SAME: padding below/right.
  Tensor y = Fold1("DEPTHWISE_CONV_2D", {F({1, 2, 2, 1}, {1, 2, 3, 4}), F({1, 2, 2, 1}, {0.1f, 0.2f, 0.3f, 0.4f}), Omitted()},
                   {{"padding", 0}, {"stride_w", 1}, {"stride_h", 1}, {"depth_multiplier", 1}});
  // (0,0): 0.1+0.4+0.9+1.6 = 3.0; (0,1): 0.2+1.2 = 1.4 (cols 1..2); (1,0): 0.3+0.8 = 1.1; (1,1): 0.4.
  ExpectNear(y.f(), {3.0f, 1.4f, 1.1f, 0.4f});
  Tensor clipped = Fold1("DEPTHWISE_CONV_2D", {F({1, 2, 2, 1}, {1, 2, 3, 4}), F({1, 2, 2, 1}, {0.1f, 0.2f, 0.3f, 0.4f}), Omitted()},
                         {{"padding", 0}, {"stride_w", 1}, {"stride_h", 1}, {"fused_activation_function", 2}});
  ExpectNear(clipped.f(), {1.0f, 1.0f, 1.0f, 0.4f});
}

TEST_F(ConvTest, DepthwiseShapeAndErrors) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("DEPTHWISE_CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 7, 7, 4}), Const(F({1, 3, 3, 8}, std::vector<float>(72)))},
                          {{"padding", 1}, {"stride_w", 2}, {"stride_h", 2}, {"depth_multiplier", 2}}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{1, 3, 3, 8}));
}

TEST_F(ConvTest, DepthwiseRejectsWrongMultiplier) {
  NodeView n;
  Status s = InferOne("DEPTHWISE_CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 7, 7, 4}), Const(F({1, 3, 3, 8}, std::vector<float>(72)))},
                      {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}, {"depth_multiplier", 3}}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "depth_multiplier 3"));
}

// ---------------------------------------------------------------------------------------------

TEST_F(ConvTest, TransposeConvSameStride2) {
  Tensor y = Fold1("TRANSPOSE_CONV", {Vec({1, 4, 4, 1}), F({1, 3, 3, 1}, std::vector<float>(9, 1.f)), F({1, 2, 2, 1}, {1, 2, 3, 4})},
                   {{"padding", 0}, {"stride_w", 2}, {"stride_h", 2}});
  EXPECT_EQ(y.dims, (Dims{1, 4, 4, 1}));
  ExpectNear(y.f(), {1, 1, 3, 2,  //
                     1, 1, 3, 2,  //
                     4, 4, 10, 6, //
                     3, 3, 7, 4});
}

TEST_F(ConvTest, TransposeConvValidWithBiasAndTwoChannels) {
  // input 1x1 with 2 channels [1, 2]; weights OHWI [2 out, 2x2, 2 in]; VALID stride 1 -> 2x2.
  // out[y,x,o] = sum_i in[i] * w[o,y,x,i] + bias[o]
  std::vector<float> w = {1, 0, 0, 1, 1, 1, 2, 2,       // o = 0: (0,0)=[1,0] (0,1)=[0,1] (1,0)=[1,1] (1,1)=[2,2]
                          -1, 0, 0, -1, 0.5f, 0, 0, 0};  // o = 1
  Tensor y = Fold1("TRANSPOSE_CONV", {Vec({1, 2, 2, 2}), F({2, 2, 2, 2}, w), F({1, 1, 1, 2}, {1, 2}), F({2}, {10, 20})},
                   {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}});
  EXPECT_EQ(y.dims, (Dims{1, 2, 2, 2}));
  // (0,0): o0 = 1, o1 = -1 ; (0,1): o0 = 2, o1 = -2 ; (1,0): o0 = 3, o1 = 0.5 ; (1,1): o0 = 6, o1 = 0.
  ExpectNear(y.f(), {11, 19, 12, 18, 13, 20.5f, 16, 20});
}

TEST_F(ConvTest, TransposeConvShapeFromOutputShapeInput) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("TRANSPOSE_CONV", {Const(Vec({1, 14, 14, 8})), Const(F({8, 3, 3, 4}, std::vector<float>(288))),
                                             Input(TFLC_TYPE_FLOAT32, {1, 7, 7, 4})},
                          {{"padding", 0}, {"stride_w", 2}, {"stride_h", 2}}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{1, 14, 14, 8}));
}

TEST_F(ConvTest, TransposeConvRejectsInconsistentOutputShape) {
  NodeView n;
  Status s = InferOne("TRANSPOSE_CONV", {Const(Vec({1, 20, 14, 8})), Const(F({8, 3, 3, 4}, std::vector<float>(288))),
                                         Input(TFLC_TYPE_FLOAT32, {1, 7, 7, 4})},
                      {{"padding", 0}, {"stride_w", 2}, {"stride_h", 2}}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "inconsistent with input"));
}

// ---------------------------------------------------------------------------------------------

TEST_F(ConvTest, FullyConnectedWithBiasAndRelu) {
  const std::vector<Tensor> ins = {F({2, 3}, {1, 2, 3, 4, 5, 6}), F({2, 3}, {1, 0, -1, 0.5f, 0.5f, 0.5f}), F({2}, {1, -1})};
  Tensor y = Fold1("FULLY_CONNECTED", ins);
  EXPECT_EQ(y.dims, (Dims{2, 2}));
  ExpectNear(y.f(), {-1, 2, -1, 6.5f});
  Tensor relu = Fold1("FULLY_CONNECTED", ins, {{"fused_activation_function", 1}});
  ExpectNear(relu.f(), {0, 2, 0, 6.5f});
}

TEST_F(ConvTest, FullyConnectedFlattensInputWithoutBias) {
  // [1, 2, 3] is read as two rows of 3 -> output [2, 1].
  Tensor y = Fold1("FULLY_CONNECTED", {F({1, 2, 3}, {1, 2, 3, 4, 5, 6}), F({1, 3}, {1, 1, 1}), Omitted()});
  EXPECT_EQ(y.dims, (Dims{2, 1}));
  ExpectNear(y.f(), {6, 15});
}

TEST_F(ConvTest, FullyConnectedKeepNumDims) {
  Tensor y = Fold1("FULLY_CONNECTED", {F({1, 2, 3}, {1, 2, 3, 4, 5, 6}), F({2, 3}, {1, 1, 1, 0, 0, 1})}, {{"keep_num_dims", true}});
  EXPECT_EQ(y.dims, (Dims{1, 2, 2}));
  ExpectNear(y.f(), {6, 3, 15, 6});
}

TEST_F(ConvTest, FullyConnectedShapes) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("FULLY_CONNECTED", {Input(TFLC_TYPE_FLOAT32, {-1, 4}), Const(F({3, 4}, std::vector<float>(12)))}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 3}));
  Status s = InferOne("FULLY_CONNECTED", {Input(TFLC_TYPE_FLOAT32, {1, 5}), Const(F({3, 4}, std::vector<float>(12)))}, {}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "not a multiple of the weights' input size 4"));
}

// ---------------------------------------------------------------------------------------------

TEST_F(ConvTest, BatchMatMulBroadcastsRhs) {
  // x [2, 2, 3], y [3, 2] shared by both batches.
  std::vector<float> x = Iota(12), y = {1, 0, 0, 1, 1, 1};
  Tensor out = Fold1("BATCH_MATMUL", {F({2, 2, 3}, x), F({3, 2}, y)});
  EXPECT_EQ(out.dims, (Dims{2, 2, 2}));
  std::vector<float> want;
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        float s = 0;
        for (int k = 0; k < 3; ++k) s += x[(b * 2 + i) * 3 + k] * y[k * 2 + j];
        want.push_back(s);
      }
  ExpectNear(out.f(), want);
}

TEST_F(ConvTest, BatchMatMulAdjoints) {
  // x^T with x = [[1,2],[3,4]] stored as adj_x; y^T with y stored [[5,6],[7,8]] as adj_y.
  // x^T = [[1,3],[2,4]], y^T = [[5,7],[6,8]] -> product [[23,31],[34,46]].
  Tensor out = Fold1("BATCH_MATMUL", {F({2, 2}, {1, 2, 3, 4}), F({2, 2}, {5, 6, 7, 8})}, {{"adj_x", true}, {"adj_y", true}});
  ExpectNear(out.f(), {23, 31, 34, 46});
  NodeView n;
  Status s = InferOne("BATCH_MATMUL", {Input(TFLC_TYPE_FLOAT32, {2, 3}), Input(TFLC_TYPE_FLOAT32, {4, 5})}, {}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "contracting dimensions differ"));
}

TEST_F(ConvTest, SmallCnnThroughInterpret) {
  // input 2x2 -> CONV 1x1 (w 2, b -3) -> RELU -> MAX_POOL 2x2 -> RESHAPE [1,1] -> FC [2,1] -> SOFTMAX
  ValueView x = Input(TFLC_TYPE_FLOAT32, {1, 2, 2, 1});
  NodeView conv = Node("CONV_2D", {x, Const(F({1, 1, 1, 1}, {2})), Const(F({1}, {-3}))},
                       {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}});
  NodeView relu = Node("RELU", {conv.output(0)});
  NodeView pool = Node("MAX_POOL_2D", {relu.output(0)},
                       {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}, {"filter_width", 2}, {"filter_height", 2}});
  NodeView flat = Node("RESHAPE", {pool.output(0), Const(Vec({1, 1}))});
  NodeView fc = Node("FULLY_CONNECTED", {flat.output(0), Const(F({2, 1}, {1, -1})), Const(F({2}, {0, 0}))});
  NodeView sm = Node("SOFTMAX", {fc.output(0)}, {{"beta", 1.0}});
  TFLC_ASSERT_OK(g().Output(sm.output(0), "probs"));
  TFLC_ASSERT_OK(Infer());
  EXPECT_EQ(sm.output(0).dims(), (Dims{1, 2}));
  auto out = host().Interpret({tflc::testing::HostTensor::Float({1, 2, 2, 1}, {1, 2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status();
  // conv: [-1, 1, 3, 5] -> relu -> max 5 -> fc [5, -5] -> softmax.
  const float e = std::exp(-10.f);
  ExpectNear((*out)[0].floats(), {1.f / (1.f + e), e / (1.f + e)}, 1e-7f);
}

// ---------------------------------------------------------------------------------------------
// Bit-exactness of the blocked kernels (conv_kernels.cc): every output must have the same bits as
// the plain reference loops below (the kernels as they were before blocking), on both the AVX2
// and the baseline builds, over random geometries.

float RefActivation(int64_t act, float x) {
  switch (act) {
    case 1: return x < 0.f ? 0.f : x;
    case 2: return x < -1.f ? -1.f : (x > 1.f ? 1.f : x);
    case 3: return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
    case 4: return std::tanh(x);
    case 5: return std::signbit(x) ? 1.f : 0.f;
    default: return x;
  }
}

struct Geometry {
  int64_t n, ih, iw, ic, kh, kw, kc, oc, sh, sw, dh, dw, padding, act;
  bool bias;
  int64_t oh = 0, ow = 0, pad_t = 0, pad_l = 0;
  std::string Describe() const {
    std::ostringstream os;
    os << "in [" << n << "," << ih << "," << iw << "," << ic << "] k " << kh << "x" << kw << "x" << kc << " oc " << oc
       << " stride " << sh << "," << sw << " dilation " << dh << "," << dw << (padding == 0 ? " SAME" : " VALID")
       << " act " << act << (bias ? " bias" : "");
    return os.str();
  }
};

// Output size and leading padding as tflite/kernels/padding.h computes them; false when a VALID
// window does not fit.
bool Resolve(Geometry* g) {
  const int64_t eh = (g->kh - 1) * g->dh + 1, ew = (g->kw - 1) * g->dw + 1;
  if (g->padding == 1 && (g->ih < eh || g->iw < ew)) return false;
  g->oh = g->padding == 0 ? (g->ih + g->sh - 1) / g->sh : (g->ih + g->sh - eh) / g->sh;
  g->ow = g->padding == 0 ? (g->iw + g->sw - 1) / g->sw : (g->iw + g->sw - ew) / g->sw;
  g->pad_t = std::max<int64_t>(0, (g->oh - 1) * g->sh + eh - g->ih) / 2;
  g->pad_l = std::max<int64_t>(0, (g->ow - 1) * g->sw + ew - g->iw) / 2;
  return true;
}

Attrs ConvAttrs(const Geometry& g) {
  return {{"padding", g.padding}, {"stride_h", g.sh}, {"stride_w", g.sw}, {"dilation_h_factor", g.dh},
          {"dilation_w_factor", g.dw}, {"fused_activation_function", g.act}};
}

std::vector<float> RefConv2D(const Geometry& g, const std::vector<float>& in, const std::vector<float>& filter,
                             const float* bias) {
  std::vector<float> out(static_cast<size_t>(g.n * g.oh * g.ow * g.oc));
  const int64_t groups = g.ic / g.kc;
  const int64_t oc_per_group = g.oc / groups;
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        for (int64_t oc = 0; oc < g.oc; ++oc) {
          const int64_t ic0 = (oc / oc_per_group) * g.kc;
          float sum = 0.f;
          for (int64_t ky = 0; ky < g.kh; ++ky) {
            const int64_t iy = oy * g.sh - g.pad_t + ky * g.dh;
            if (iy < 0 || iy >= g.ih) continue;
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              const int64_t ix = ox * g.sw - g.pad_l + kx * g.dw;
              if (ix < 0 || ix >= g.iw) continue;
              const float* ip = in.data() + ((b * g.ih + iy) * g.iw + ix) * g.ic + ic0;
              const float* fp = filter.data() + ((oc * g.kh + ky) * g.kw + kx) * g.kc;
              for (int64_t k = 0; k < g.kc; ++k) sum += ip[k] * fp[k];
            }
          }
          if (bias) sum += bias[oc];
          out[static_cast<size_t>(((b * g.oh + oy) * g.ow + ox) * g.oc + oc)] = RefActivation(g.act, sum);
        }
      }
    }
  }
  return out;
}

std::vector<float> RefDepthwise(const Geometry& g, const std::vector<float>& in, const std::vector<float>& filter,
                                const float* bias) {
  std::vector<float> out(static_cast<size_t>(g.n * g.oh * g.ow * g.oc));
  const int64_t multiplier = g.oc / g.ic;
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        for (int64_t oc = 0; oc < g.oc; ++oc) {
          const int64_t ic = oc / multiplier;
          float sum = 0.f;
          for (int64_t ky = 0; ky < g.kh; ++ky) {
            const int64_t iy = oy * g.sh - g.pad_t + ky * g.dh;
            if (iy < 0 || iy >= g.ih) continue;
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              const int64_t ix = ox * g.sw - g.pad_l + kx * g.dw;
              if (ix < 0 || ix >= g.iw) continue;
              sum += in[static_cast<size_t>(((b * g.ih + iy) * g.iw + ix) * g.ic + ic)] *
                     filter[static_cast<size_t>((ky * g.kw + kx) * g.oc + oc)];
            }
          }
          if (bias) sum += bias[oc];
          out[static_cast<size_t>(((b * g.oh + oy) * g.ow + ox) * g.oc + oc)] = RefActivation(g.act, sum);
        }
      }
    }
  }
  return out;
}

// Uniform in [-1, 1), with some exact +0 / -0 (a -0 bias or input shows a kernel that adds a
// broadcast 0 + b or starts a sum from the bias).
std::vector<float> RandomFloats(std::mt19937& rng, int64_t n) {
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::uniform_int_distribution<int> special(0, 19);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) {
    const int k = special(rng);
    x = k == 0 ? -0.f : k == 1 ? 0.f : u(rng);
  }
  return v;
}

template <typename T>
T Pick(std::mt19937& rng, std::initializer_list<T> options) {
  std::uniform_int_distribution<size_t> u(0, options.size() - 1);
  return options.begin()[u(rng)];
}

// A random geometry; channel counts are deliberately not multiples of the vector width.
Geometry RandomGeometry(std::mt19937& rng, bool depthwise) {
  for (;;) {
    Geometry g{};
    g.n = Pick<int64_t>(rng, {1, 2});
    g.ih = Pick<int64_t>(rng, {1, 2, 3, 5, 8, 11, 16});
    g.iw = Pick<int64_t>(rng, {1, 2, 3, 4, 7, 9, 13, 17});
    g.kh = Pick<int64_t>(rng, {1, 1, 2, 3, 3, 5});
    g.kw = Pick<int64_t>(rng, {1, 1, 2, 3, 3, 5});
    g.sh = Pick<int64_t>(rng, {1, 2});
    g.sw = Pick<int64_t>(rng, {1, 2});
    g.dh = Pick<int64_t>(rng, {1, 1, 2});
    g.dw = Pick<int64_t>(rng, {1, 1, 2});
    g.padding = Pick<int64_t>(rng, {0, 1});
    g.act = Pick<int64_t>(rng, {0, 1, 2, 3, 4, 5});
    g.bias = Pick<int>(rng, {0, 1}) == 1;
    if (depthwise) {
      g.ic = Pick<int64_t>(rng, {1, 3, 7, 8, 16, 17, 33, 48});
      g.oc = g.ic * Pick<int64_t>(rng, {1, 1, 2, 3});
      g.kc = 1;
    } else {
      g.kc = Pick<int64_t>(rng, {1, 3, 7, 8, 17, 33});
      const int64_t groups = Pick<int64_t>(rng, {1, 1, 1, 2, 3});
      g.ic = g.kc * groups;
      g.oc = groups * Pick<int64_t>(rng, {1, 3, 7, 8, 9, 16, 17, 33});
    }
    if (Resolve(&g)) return g;
  }
}

// Parameter: the widest kernel build allowed (2 = the dispatcher's choice on this CPU).
class ConvBitExactTest : public ConvTest, public ::testing::WithParamInterface<int> {
 protected:
  void SetUp() override { LimitConvKernelIsaForTesting(GetParam()); }
  void TearDown() override { LimitConvKernelIsaForTesting(2); }
};

TEST_P(ConvBitExactTest, Conv2DRandomGeometries) {
  std::mt19937 rng(20261121);
  for (int i = 0; i < 150; ++i) {
    Geometry g = RandomGeometry(rng, false);
    if (i < 6) {  // large 1x1 convolutions: the matrix-product path over several pixel chunks
      g.kh = g.kw = 1;
      g.sh = g.sw = g.dh = g.dw = 1;
      g.ih = 13 + i;
      g.iw = 11;
      ASSERT_TRUE(Resolve(&g));
    } else if (i < 20) {  // 1x1 with many more output channels than pixels: pixel lanes
      g.kh = g.kw = 1;
      g.sh = g.sw = g.dh = g.dw = 1;
      g.kc = g.ic = Pick<int64_t>(rng, {1, 5, 17, 40});
      const int64_t shapes[][2] = {{4, 4}, {1, 17}, {4, 5}, {3, 11}, {2, 3}, {1, 1}};
      g.ih = shapes[i % 6][0];
      g.iw = shapes[i % 6][1];
      g.oc = 4 * g.n * g.ih * g.iw + Pick<int64_t>(rng, {1, 7, 29});
      ASSERT_TRUE(Resolve(&g));
    }
    const std::vector<float> in = RandomFloats(rng, g.n * g.ih * g.iw * g.ic);
    const std::vector<float> w = RandomFloats(rng, g.oc * g.kh * g.kw * g.kc);
    const std::vector<float> b = RandomFloats(rng, g.oc);
    const std::vector<float> want = RefConv2D(g, in, w, g.bias ? b.data() : nullptr);
    const Tensor bias = g.bias ? F({g.oc}, b) : Omitted();
    Tensor y = Fold1("CONV_2D", {F({g.n, g.ih, g.iw, g.ic}, in), F({g.oc, g.kh, g.kw, g.kc}, w), bias}, ConvAttrs(g));
    ASSERT_EQ(y.dims, (Dims{g.n, g.oh, g.ow, g.oc})) << g.Describe();
    EXPECT_TRUE(SameBits(y.f(), want)) << g.Describe();
  }
}

TEST_P(ConvBitExactTest, DepthwiseRandomGeometries) {
  std::mt19937 rng(7);
  for (int i = 0; i < 150; ++i) {
    const Geometry g = RandomGeometry(rng, true);
    const std::vector<float> in = RandomFloats(rng, g.n * g.ih * g.iw * g.ic);
    const std::vector<float> w = RandomFloats(rng, g.kh * g.kw * g.oc);
    const std::vector<float> b = RandomFloats(rng, g.oc);
    const std::vector<float> want = RefDepthwise(g, in, w, g.bias ? b.data() : nullptr);
    Attrs attrs = ConvAttrs(g);
    attrs.push_back({"depth_multiplier", g.oc / g.ic});
    Tensor y = Fold1("DEPTHWISE_CONV_2D",
                     {F({g.n, g.ih, g.iw, g.ic}, in), F({1, g.kh, g.kw, g.oc}, w), g.bias ? F({g.oc}, b) : Omitted()},
                     attrs);
    ASSERT_EQ(y.dims, (Dims{g.n, g.oh, g.ow, g.oc})) << g.Describe();
    EXPECT_TRUE(SameBits(y.f(), want)) << g.Describe();
  }
}

TEST_P(ConvBitExactTest, FullyConnectedRandomShapes) {
  std::mt19937 rng(99);
  for (int i = 0; i < 60; ++i) {
    const int64_t batch = Pick<int64_t>(rng, {1, 2, 3, 7, 13});
    const int64_t depth = Pick<int64_t>(rng, {1, 3, 7, 8, 17, 33, 100});
    const int64_t units = Pick<int64_t>(rng, {1, 3, 5, 8, 9, 17, 33});
    const int64_t act = Pick<int64_t>(rng, {0, 1, 2, 3, 4, 5});
    const bool has_bias = Pick<int>(rng, {0, 1}) == 1;
    const std::vector<float> in = RandomFloats(rng, batch * depth);
    const std::vector<float> w = RandomFloats(rng, units * depth);
    const std::vector<float> b = RandomFloats(rng, units);
    std::vector<float> want;
    for (int64_t r = 0; r < batch; ++r) {
      for (int64_t u = 0; u < units; ++u) {
        float sum = 0.f;
        for (int64_t k = 0; k < depth; ++k) {
          sum += in[static_cast<size_t>(r * depth + k)] * w[static_cast<size_t>(u * depth + k)];
        }
        if (has_bias) sum += b[static_cast<size_t>(u)];
        want.push_back(RefActivation(act, sum));
      }
    }
    const Tensor bias = has_bias ? F({units}, b) : Omitted();
    Tensor y = Fold1("FULLY_CONNECTED", {F({batch, depth}, in), F({units, depth}, w), bias},
                     {{"fused_activation_function", act}});
    EXPECT_TRUE(SameBits(y.f(), want)) << "batch " << batch << " depth " << depth << " units " << units
                                       << " act " << act;
  }
}

// NaN, infinities and values beyond the clamp bounds through every fused activation (the clamps
// run in registers in the blocked kernels, TANH / SIGN_BIT per row).
TEST_P(ConvBitExactTest, SpecialValuesThroughFusedActivations) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> all = {nan, inf, -inf, 7.f, -7.f, 6.f, 1.f, -1.f, 0.f, -0.f, 1e30f, -1e30f, 0.5f};
  // SIGN_BIT shows a NaN's sign, which SameBits leaves open: finite values only.
  const std::vector<float> finite = {7.f, -7.f, 6.f, 1.f, -1.f, 0.f, -0.f, 1e30f, -1e30f, 0.5f};
  std::mt19937 rng(3);
  for (int64_t act = 0; act <= 5; ++act) {
    const std::vector<float>& specials = act == 5 ? finite : all;
    for (int depthwise = 0; depthwise < 2; ++depthwise) {
      Geometry g{};
      g.n = 1; g.ih = 5; g.iw = 7; g.kh = g.kw = depthwise ? 3 : 1;
      g.sh = g.sw = g.dh = g.dw = 1;
      g.padding = 0;
      g.act = act;
      g.bias = true;
      g.ic = g.kc = depthwise ? 19 : 11;
      g.oc = 19;
      if (depthwise) g.kc = 1;
      ASSERT_TRUE(Resolve(&g));
      std::vector<float> in = RandomFloats(rng, g.n * g.ih * g.iw * g.ic);
      for (size_t i = 0; i < in.size(); i += 3) in[i] = specials[(i / 3) % specials.size()] * (i % 2 ? 1.f : 3.f);
      const std::vector<float> w = RandomFloats(rng, depthwise ? g.kh * g.kw * g.oc : g.oc * g.kc);
      const std::vector<float> b = RandomFloats(rng, g.oc);
      const std::vector<float> want = depthwise ? RefDepthwise(g, in, w, b.data()) : RefConv2D(g, in, w, b.data());
      Attrs attrs = ConvAttrs(g);
      if (depthwise) attrs.push_back({"depth_multiplier", int64_t{1}});
      const Tensor x = F({g.n, g.ih, g.iw, g.ic}, in);
      Tensor y = depthwise ? Fold1("DEPTHWISE_CONV_2D", {x, F({1, g.kh, g.kw, g.oc}, w), F({g.oc}, b)}, attrs)
                           : Fold1("CONV_2D", {x, F({g.oc, 1, 1, g.kc}, w), F({g.oc}, b)}, attrs);
      EXPECT_TRUE(SameBits(y.f(), want)) << g.Describe() << (depthwise ? " depthwise" : "");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Builds, ConvBitExactTest, ::testing::Values(2, 1, 0),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == 2 ? "Dispatched" : info.param == 1 ? "UpToAvx2" : "Baseline";
                         });

}  // namespace
}  // namespace tflc::opset_builtin::testing
