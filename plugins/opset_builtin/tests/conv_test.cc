// CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED, BATCH_MATMUL: shapes and kernels
// against hand-computed values.
#include <cmath>

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

}  // namespace
}  // namespace tflc::opset_builtin::testing
