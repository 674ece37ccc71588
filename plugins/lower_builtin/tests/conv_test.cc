// Conv2D, DepthwiseConv2dNative, Conv2DBackpropInput, MaxPool, AvgPool.
#include <algorithm>
#include <cmath>
#include <limits>

#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

std::vector<float> Values(size_t n, float scale = 1.0f, float phase = 0.3f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(1.7f * static_cast<float>(i) + phase);
  return v;
}

// TF SAME/VALID geometry along one axis: output size and leading padding.
void Geometry(int64_t in, int64_t k, int64_t stride, int64_t dilation, bool same, int64_t* out, int64_t* pad) {
  const int64_t ek = (k - 1) * dilation + 1;
  if (same) {
    *out = (in + stride - 1) / stride;
    *pad = std::max<int64_t>((*out - 1) * stride + ek - in, 0) / 2;
  } else {
    *out = (in - ek + stride) / stride;
    *pad = 0;
  }
}

// Naive NHWC conv with an HWIO filter (depthwise: filter [H,W,C,M], output channel c*M+m).
std::vector<float> NaiveConv(const std::vector<float>& x, std::vector<int64_t> xd, const std::vector<float>& w,
                             std::vector<int64_t> wd, int64_t sh, int64_t sw, int64_t dh, int64_t dw, bool same,
                             bool depthwise, std::vector<int64_t>* out_dims) {
  int64_t oh, ow, ph, pw;
  Geometry(xd[1], wd[0], sh, dh, same, &oh, &ph);
  Geometry(xd[2], wd[1], sw, dw, same, &ow, &pw);
  const int64_t cin = xd[3];
  const int64_t cout = depthwise ? wd[2] * wd[3] : wd[3];
  *out_dims = {xd[0], oh, ow, cout};
  std::vector<float> y(static_cast<size_t>(xd[0] * oh * ow * cout), 0.f);
  for (int64_t n = 0; n < xd[0]; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t o = 0; o < cout; ++o) {
          double acc = 0;
          for (int64_t a = 0; a < wd[0]; ++a)
            for (int64_t b = 0; b < wd[1]; ++b) {
              int64_t yi = i * sh + a * dh - ph, xj = j * sw + b * dw - pw;
              if (yi < 0 || yi >= xd[1] || xj < 0 || xj >= xd[2]) continue;
              if (depthwise) {
                int64_t c = o / wd[3], m = o % wd[3];
                acc += x[((n * xd[1] + yi) * xd[2] + xj) * cin + c] * w[((a * wd[1] + b) * wd[2] + c) * wd[3] + m];
              } else {
                for (int64_t c = 0; c < cin; ++c)
                  acc += x[((n * xd[1] + yi) * xd[2] + xj) * cin + c] * w[((a * wd[1] + b) * wd[2] + c) * wd[3] + o];
              }
            }
          y[((n * oh + i) * ow + j) * cout + o] = static_cast<float>(acc);
        }
  return y;
}

NodeView Conv(Harness& h, const std::string& op, std::vector<int64_t> xd, std::vector<int64_t> wd,
              const std::vector<float>& w, std::vector<int64_t> strides, const std::string& padding) {
  NodeView n = h.Src(op, "model/conv", {h.In("x", xd), h.F("model/conv/kernel", wd, w)});
  TFLC_EXPECT_OK(n.SetIntList("strides", strides));
  TFLC_EXPECT_OK(n.SetString("padding", padding));
  TFLC_EXPECT_OK(n.SetString("data_format", "NHWC"));
  return n;
}

TEST_F(LowerTest, Conv2DTransposesFilterAndAddsZeroBias) {
  NodeView src = Conv(h, "Conv2D", {1, 5, 5, 2}, {3, 3, 2, 4}, Values(72), {1, 2, 1, 1}, "SAME");
  TFLC_ASSERT_OK(src.SetIntList("dilations", {1, 1, 2, 1}));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "TRANSPOSE CONV_2D");
  NodeView conv = h.One("CONV_2D");
  EXPECT_EQ(conv.name(), "model/conv");
  EXPECT_EQ(h.OutputProducer(0).get(), conv.get());
  ASSERT_EQ(conv.num_inputs(), 3u);
  EXPECT_EQ(conv.input(0).name(), "x");
  NodeView t = conv.input(1).producer();
  ASSERT_TRUE(t);
  EXPECT_EQ(t.op(), "TRANSPOSE");
  EXPECT_EQ(t.name(), "model/conv/filter_transpose");
  EXPECT_EQ(t.input(0).name(), "model/conv/kernel");
  EXPECT_EQ(Harness::I32(t.input(1)), (std::vector<int32_t>{3, 0, 1, 2}));
  ValueView bias = conv.input(2);
  EXPECT_EQ(bias.dims(), (std::vector<int64_t>{4}));
  EXPECT_EQ(Harness::F32(bias), std::vector<float>(4, 0.f));
  EXPECT_EQ(Harness::Int(conv, "padding"), 0);
  EXPECT_EQ(Harness::Int(conv, "stride_h"), 2);
  EXPECT_EQ(Harness::Int(conv, "stride_w"), 1);
  EXPECT_EQ(Harness::Int(conv, "dilation_h_factor"), 1);
  EXPECT_EQ(Harness::Int(conv, "dilation_w_factor"), 2);
  EXPECT_EQ(Harness::Int(conv, "fused_activation_function"), 0);
}

TEST_F(LowerTest, Conv2DExplicitPaddingBecomesPadThenValid) {
  NodeView src = Conv(h, "Conv2D", {1, 4, 4, 1}, {2, 2, 1, 1}, Values(4), {1, 1, 1, 1}, "EXPLICIT");
  TFLC_ASSERT_OK(src.SetIntList("explicit_paddings", {0, 0, 1, 2, 3, 0, 0, 0}));
  TFLC_ASSERT_OK(h.Lower());
  NodeView pad = h.One("PAD");
  EXPECT_EQ(pad.name(), "model/conv/explicit_pad");
  EXPECT_EQ(Harness::I32(pad.input(1)), (std::vector<int32_t>{0, 0, 1, 2, 3, 0, 0, 0}));
  EXPECT_EQ(pad.input(1).dims(), (std::vector<int64_t>{4, 2}));
  NodeView conv = h.One("CONV_2D");
  EXPECT_EQ(conv.input(0).producer().get(), pad.get());
  EXPECT_EQ(Harness::Int(conv, "padding"), 1);
}

TEST_F(LowerTest, Conv2DRejectsChannelsFirst) {
  NodeView src = Conv(h, "Conv2D", {1, 2, 4, 4}, {2, 2, 2, 1}, Values(8), {1, 1, 1, 1}, "VALID");
  TFLC_ASSERT_OK(src.SetString("data_format", "NCHW"));
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED) << s;
  EXPECT_NE(s.message().find("model/conv"), std::string::npos) << s;
  EXPECT_NE(s.message().find("data_format"), std::string::npos) << s;
}

TEST_F(LowerTest, Conv2DRejectsBadStrides) {
  Conv(h, "Conv2D", {1, 4, 4, 1}, {2, 2, 1, 1}, Values(4), {2, 1, 1, 1}, "VALID");
  Status s = h.Lower();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("strides"), std::string::npos) << s;
  EXPECT_NE(s.message().find("model/conv"), std::string::npos) << s;
}

TEST_F(LowerTest, Conv2DRejectsUnknownPadding) {
  Conv(h, "Conv2D", {1, 4, 4, 1}, {2, 2, 1, 1}, Values(4), {1, 1, 1, 1}, "FULL");
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED) << s;
  EXPECT_NE(s.message().find("padding"), std::string::npos) << s;
}

TEST_F(LowerTest, Conv3DKeepsDhwioFilterAndAddsZeroBias) {
  NodeView src = h.Src("Conv3D", "model/conv3d", {h.In("x", {1, 4, 5, 6, 2}), h.F("model/conv3d/kernel", {2, 3, 1, 2, 4}, Values(48))});
  TFLC_ASSERT_OK(src.SetIntList("strides", {1, 2, 1, 3, 1}));
  TFLC_ASSERT_OK(src.SetIntList("dilations", {1, 1, 2, 1, 1}));
  TFLC_ASSERT_OK(src.SetString("padding", "VALID"));
  TFLC_ASSERT_OK(src.SetString("data_format", "NDHWC"));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "CONV_3D");
  NodeView conv = h.One("CONV_3D");
  EXPECT_EQ(conv.name(), "model/conv3d");
  ASSERT_EQ(conv.num_inputs(), 3u);
  EXPECT_EQ(conv.input(1).name(), "model/conv3d/kernel");  // TFLite keeps TF's DHWIO layout
  EXPECT_EQ(Harness::F32(conv.input(2)), std::vector<float>(4, 0.f));
  EXPECT_EQ(Harness::Int(conv, "padding"), 1);
  EXPECT_EQ(Harness::Int(conv, "stride_d"), 2);
  EXPECT_EQ(Harness::Int(conv, "stride_h"), 1);
  EXPECT_EQ(Harness::Int(conv, "stride_w"), 3);
  EXPECT_EQ(Harness::Int(conv, "dilation_d_factor"), 1);
  EXPECT_EQ(Harness::Int(conv, "dilation_h_factor"), 2);
  EXPECT_EQ(Harness::Int(conv, "dilation_w_factor"), 1);
}

TEST_F(LowerTest, Conv3DRejectsChannelsFirstAndBadStrides) {
  NodeView src = h.Src("Conv3D", "model/conv3d", {h.In("x", {1, 2, 4, 4, 4}), h.F("model/conv3d/kernel", {1, 1, 1, 2, 1}, Values(2))});
  TFLC_ASSERT_OK(src.SetIntList("strides", {1, 1, 1, 1, 1}));
  TFLC_ASSERT_OK(src.SetString("padding", "SAME"));
  TFLC_ASSERT_OK(src.SetString("data_format", "NCDHW"));
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED) << s;
  EXPECT_NE(s.message().find("data_format"), std::string::npos) << s;
  EXPECT_NE(s.message().find("model/conv3d"), std::string::npos) << s;
}

TEST_F(LowerTest, Conv3DRejectsBatchStride) {
  NodeView src = h.Src("Conv3D", "model/conv3d", {h.In("x", {1, 2, 4, 4, 2}), h.F("model/conv3d/kernel", {1, 1, 1, 2, 1}, Values(2))});
  TFLC_ASSERT_OK(src.SetIntList("strides", {2, 1, 1, 1, 1}));
  TFLC_ASSERT_OK(src.SetString("padding", "SAME"));
  Status s = h.Lower();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("strides"), std::string::npos) << s;
}

TEST_F(LowerTest, DepthwiseReshapesFilter) {
  Conv(h, "DepthwiseConv2dNative", {1, 4, 4, 2}, {3, 3, 2, 2}, Values(36), {1, 1, 1, 1}, "VALID");
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "RESHAPE DEPTHWISE_CONV_2D");
  NodeView dw = h.One("DEPTHWISE_CONV_2D");
  NodeView r = dw.input(1).producer();
  EXPECT_EQ(r.op(), "RESHAPE");
  EXPECT_EQ(Harness::I32(r.input(1)), (std::vector<int32_t>{1, 3, 3, 4}));
  EXPECT_EQ(dw.input(2).dims(), (std::vector<int64_t>{4}));
  EXPECT_EQ(Harness::Int(dw, "depth_multiplier"), 2);
  EXPECT_EQ(Harness::Int(dw, "padding"), 1);
  EXPECT_EQ(Harness::Int(dw, "stride_w"), 1);
}

TEST_F(LowerTest, Conv2DBackpropInputToTransposeConv) {
  NodeView n = h.Src("Conv2DBackpropInput", "model/deconv",
                     {h.Iv("sizes", {1, 6, 6, 3}), h.F("w", {3, 3, 3, 2}, Values(54)), h.In("dy", {1, 3, 3, 2})});
  TFLC_ASSERT_OK(n.SetIntList("strides", {1, 2, 2, 1}));
  TFLC_ASSERT_OK(n.SetString("padding", "SAME"));
  TFLC_ASSERT_OK(h.Lower());
  NodeView tc = h.One("TRANSPOSE_CONV");
  ASSERT_EQ(tc.num_inputs(), 4u);
  EXPECT_EQ(tc.input(0).name(), "sizes");
  NodeView t = tc.input(1).producer();
  EXPECT_EQ(t.op(), "TRANSPOSE");
  EXPECT_EQ(Harness::I32(t.input(1)), (std::vector<int32_t>{2, 0, 1, 3}));
  EXPECT_EQ(tc.input(2).name(), "dy");
  EXPECT_FALSE(tc.input(3));  // bias omitted
  EXPECT_EQ(Harness::Int(tc, "padding"), 0);
  EXPECT_EQ(Harness::Int(tc, "stride_h"), 2);
  EXPECT_EQ(Harness::Int(tc, "stride_w"), 2);
}

TEST_F(LowerTest, Conv2DBackpropInputRejectsDilation) {
  NodeView n = h.Src("Conv2DBackpropInput", "model/deconv",
                     {h.Iv("sizes", {1, 6, 6, 3}), h.F("w", {3, 3, 3, 2}, Values(54)), h.In("dy", {1, 3, 3, 2})});
  TFLC_ASSERT_OK(n.SetIntList("strides", {1, 1, 1, 1}));
  TFLC_ASSERT_OK(n.SetIntList("dilations", {1, 2, 2, 1}));
  TFLC_ASSERT_OK(n.SetString("padding", "VALID"));
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(s.message().find("dilations"), std::string::npos) << s;
}

TEST_F(LowerTest, PoolsCarryWindowAttributes) {
  for (const char* op : {"MaxPool", "AvgPool"}) {
    Harness hh;
    NodeView n = hh.Src(op, "model/pool", {hh.In("x", {1, 6, 6, 1})});
    TFLC_ASSERT_OK(n.SetIntList("ksize", {1, 3, 2, 1}));
    TFLC_ASSERT_OK(n.SetIntList("strides", {1, 2, 1, 1}));
    TFLC_ASSERT_OK(n.SetString("padding", "SAME"));
    TFLC_ASSERT_OK(hh.Lower());
    NodeView p = hh.One(std::string(op) == "MaxPool" ? "MAX_POOL_2D" : "AVERAGE_POOL_2D");
    EXPECT_EQ(Harness::Int(p, "filter_height"), 3);
    EXPECT_EQ(Harness::Int(p, "filter_width"), 2);
    EXPECT_EQ(Harness::Int(p, "stride_h"), 2);
    EXPECT_EQ(Harness::Int(p, "stride_w"), 1);
    EXPECT_EQ(Harness::Int(p, "padding"), 0);
    EXPECT_EQ(Harness::Int(p, "fused_activation_function"), 0);
  }
}

TEST_F(LowerTest, MaxPoolRejectsExplicitPadding) {
  NodeView n = h.Src("MaxPool", "model/pool", {h.In("x", {1, 6, 6, 1})});
  TFLC_ASSERT_OK(n.SetIntList("ksize", {1, 2, 2, 1}));
  TFLC_ASSERT_OK(n.SetIntList("strides", {1, 2, 2, 1}));
  TFLC_ASSERT_OK(n.SetString("padding", "EXPLICIT"));
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(s.message().find("padding"), std::string::npos) << s;
}

// ---- numerics (with the builtin opset) ----

struct ConvCase {
  const char* op;
  std::vector<int64_t> xd, wd, strides, dilations;
  const char* padding;
};

class ConvNumeric : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvNumeric, MatchesNaiveConvolution) {
  REQUIRE_OPSET();
  const ConvCase& c = GetParam();
  Harness h;
  const bool dw = std::string(c.op) == "DepthwiseConv2dNative";
  std::vector<float> w = Values(static_cast<size_t>(sdk::NumElements(c.wd)), 0.5f, 1.1f);
  NodeView n = Conv(h, c.op, c.xd, c.wd, w, c.strides, c.padding);
  TFLC_ASSERT_OK(n.SetIntList("dilations", c.dilations));
  std::vector<float> x = Values(static_cast<size_t>(sdk::NumElements(c.xd)));
  std::vector<int64_t> yd;
  std::vector<float> expected = NaiveConv(x, c.xd, w, c.wd, c.strides[1], c.strides[2], c.dilations[1],
                                          c.dilations[2], std::string(c.padding) == "SAME", dw, &yd);
  RUN_OR_SKIP(out, h, {HostTensor::Float(c.xd, x)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dims, yd);
  ExpectNear(out[0].floats(), expected, 1e-4f);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConvNumeric,
    ::testing::Values(ConvCase{"Conv2D", {1, 5, 5, 2}, {3, 3, 2, 3}, {1, 1, 1, 1}, {1, 1, 1, 1}, "SAME"},
                      ConvCase{"Conv2D", {1, 6, 5, 2}, {3, 2, 2, 2}, {1, 2, 2, 1}, {1, 1, 1, 1}, "VALID"},
                      ConvCase{"Conv2D", {1, 7, 7, 1}, {3, 3, 1, 2}, {1, 2, 2, 1}, {1, 1, 1, 1}, "SAME"},
                      ConvCase{"Conv2D", {1, 7, 7, 1}, {2, 2, 1, 1}, {1, 1, 1, 1}, {1, 2, 2, 1}, "SAME"},
                      ConvCase{"DepthwiseConv2dNative", {1, 5, 5, 2}, {3, 3, 2, 2}, {1, 1, 1, 1}, {1, 1, 1, 1}, "SAME"},
                      ConvCase{"DepthwiseConv2dNative", {1, 6, 6, 3}, {3, 3, 3, 1}, {1, 2, 2, 1}, {1, 1, 1, 1}, "VALID"}));

TEST_F(LowerTest, Conv2DExplicitPaddingNumeric) {
  REQUIRE_OPSET();
  std::vector<float> w = Values(8, 0.5f);
  NodeView n = Conv(h, "Conv2D", {1, 4, 4, 1}, {2, 2, 1, 2}, w, {1, 1, 1, 1}, "EXPLICIT");
  TFLC_ASSERT_OK(n.SetIntList("explicit_paddings", {0, 0, 1, 0, 0, 1, 0, 0}));
  std::vector<float> x = Values(16);
  // Pad by hand, then a VALID conv.
  std::vector<float> xp(5 * 5, 0.f);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) xp[(i + 1) * 5 + j] = x[i * 4 + j];
  std::vector<int64_t> yd;
  std::vector<float> expected = NaiveConv(xp, {1, 5, 5, 1}, w, {2, 2, 1, 2}, 1, 1, 1, 1, false, false, &yd);
  RUN_OR_SKIP(out, h, {HostTensor::Float({1, 4, 4, 1}, x)});
  EXPECT_EQ(out[0].dims, yd);
  ExpectNear(out[0].floats(), expected, 1e-4f);
}

TEST_F(LowerTest, Conv2DBackpropInputNumeric) {
  REQUIRE_OPSET();
  // Forward conv geometry: X [1,5,5,2] → dy [1,3,3,3] with a 3x3 filter, stride 2, SAME.
  const std::vector<int64_t> xd{1, 5, 5, 2}, wd{3, 3, 2, 3}, dyd{1, 3, 3, 3};
  std::vector<float> w = Values(54, 0.5f), dy = Values(27);
  NodeView n = h.Src("Conv2DBackpropInput", "model/deconv",
                     {h.Iv("sizes", {1, 5, 5, 2}), h.F("w", wd, w), h.In("dy", dyd)});
  TFLC_ASSERT_OK(n.SetIntList("strides", {1, 2, 2, 1}));
  TFLC_ASSERT_OK(n.SetString("padding", "SAME"));
  int64_t oh, pad;
  Geometry(5, 3, 2, 1, true, &oh, &pad);
  ASSERT_EQ(oh, 3);
  std::vector<float> expected(50, 0.f);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t f = 0; f < 3; ++f)
        for (int64_t a = 0; a < 3; ++a)
          for (int64_t b = 0; b < 3; ++b)
            for (int64_t c = 0; c < 2; ++c) {
              int64_t y = i * 2 + a - pad, x = j * 2 + b - pad;
              if (y < 0 || y >= 5 || x < 0 || x >= 5) continue;
              expected[(y * 5 + x) * 2 + c] += dy[(i * 3 + j) * 3 + f] * w[((a * 3 + b) * 2 + c) * 3 + f];
            }
  RUN_OR_SKIP(out, h, {HostTensor::Float(dyd, dy)});
  EXPECT_EQ(out[0].dims, xd);
  ExpectNear(out[0].floats(), expected, 1e-4f);
}

TEST_F(LowerTest, PoolsNumeric) {
  REQUIRE_OPSET();
  for (const char* op : {"MaxPool", "AvgPool"}) {
    SCOPED_TRACE(op);
    Harness hh;
    NodeView n = hh.Src(op, "model/pool", {hh.In("x", {1, 4, 4, 1})});
    TFLC_ASSERT_OK(n.SetIntList("ksize", {1, 2, 2, 1}));
    TFLC_ASSERT_OK(n.SetIntList("strides", {1, 2, 2, 1}));
    TFLC_ASSERT_OK(n.SetString("padding", "VALID"));
    std::vector<float> x = Values(16);
    std::vector<float> expected;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        float a = x[(2 * i) * 4 + 2 * j], b = x[(2 * i) * 4 + 2 * j + 1];
        float c = x[(2 * i + 1) * 4 + 2 * j], d = x[(2 * i + 1) * 4 + 2 * j + 1];
        expected.push_back(std::string(op) == "MaxPool" ? std::max({a, b, c, d}) : (a + b + c + d) / 4);
      }
    RUN_OR_SKIP(out, hh, {HostTensor::Float({1, 4, 4, 1}, x)});
    EXPECT_EQ(out[0].dims, (std::vector<int64_t>{1, 2, 2, 1}));
    ExpectNear(out[0].floats(), expected);
  }
}


// The emitted unfused form is what the host's fusion passes expect: Conv2D + BiasAdd + Relu ends
// as one CONV_2D with the bias folded in and RELU fused.
TEST_F(LowerTest, ConvBiasReluFuseIntoOneConv) {
  REQUIRE_OPSET();
  std::vector<float> w = Values(2 * 2 * 1 * 2, 0.5f);
  NodeView conv = h.Src("Conv2D", "c/Conv2D", {h.In("x", {1, 3, 3, 1}), h.F("c/kernel", {2, 2, 1, 2}, w)}, 1, false);
  TFLC_ASSERT_OK(conv.SetIntList("strides", {1, 1, 1, 1}));
  TFLC_ASSERT_OK(conv.SetString("padding", "VALID"));
  NodeView bias = h.Src("BiasAdd", "c/BiasAdd", {conv.output(0), h.F("c/bias", {2}, {0.5f, -1.0f})}, 1, false);
  h.Src("Relu", "c/Relu", {bias.output(0)});
  std::vector<float> x = Values(9);
  std::vector<int64_t> yd;
  std::vector<float> y = NaiveConv(x, {1, 3, 3, 1}, w, {2, 2, 1, 2}, 1, 1, 1, 1, false, false, &yd);
  for (size_t i = 0; i < y.size(); ++i) y[i] = std::max(0.0f, y[i] + (i % 2 ? -1.0f : 0.5f));
  RUN_OR_SKIP(out, h, {HostTensor::Float({1, 3, 3, 1}, x)});
  EXPECT_EQ(h.OpsString(), "CONV_2D") << h.host().Dump();
  NodeView c = h.One("CONV_2D");
  EXPECT_EQ(Harness::Int(c, "fused_activation_function"), 1);
  EXPECT_EQ(Harness::F32(c.input(2)), (std::vector<float>{0.5f, -1.0f}));
  ExpectNear(out[0].floats(), y, 1e-5f);
  auto bytes = h.host().Export();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
}

// ... and a following inference batch norm folds into the weights too.
// DISABLED: the host's Fuse pass first fuses the RELU into the batch norm's ADD, then folds that
// ADD into the conv (FuseAffine) without carrying the ADD's fused_activation_function over, so the
// RELU is lost (host/src/pipeline/passes.cc, FuseAffine; reported to the lead). Enable when fixed.
TEST_F(LowerTest, ConvBiasBatchNormReluFuseIntoOneConv) {
  REQUIRE_OPSET();
  std::vector<float> w = Values(2 * 2 * 1 * 2, 0.5f);
  NodeView conv = h.Src("Conv2D", "c/Conv2D", {h.In("x", {1, 3, 3, 1}), h.F("c/kernel", {2, 2, 1, 2}, w)}, 1, false);
  TFLC_ASSERT_OK(conv.SetIntList("strides", {1, 1, 1, 1}));
  TFLC_ASSERT_OK(conv.SetString("padding", "VALID"));
  NodeView bias = h.Src("BiasAdd", "c/BiasAdd", {conv.output(0), h.F("c/bias", {2}, {0.5f, -1.0f})}, 1, false);
  NodeView bn = h.Src("FusedBatchNormV3", "bn",
                      {bias.output(0), h.F("g", {2}, {2.0f, 0.5f}), h.F("b", {2}, {0.1f, 0.2f}),
                       h.F("m", {2}, {0.3f, -0.4f}), h.F("v", {2}, {1.0f, 4.0f})},
                      6, false);
  TFLC_ASSERT_OK(bn.SetFloat("epsilon", 0.0));
  TFLC_ASSERT_OK(bn.SetBool("is_training", false));
  h.Src("Relu", "relu", {bn.output(0)});
  std::vector<float> x = Values(9);
  std::vector<int64_t> yd;
  std::vector<float> y = NaiveConv(x, {1, 3, 3, 1}, w, {2, 2, 1, 2}, 1, 1, 1, 1, false, false, &yd);
  const float b[] = {0.5f, -1.0f}, g[] = {2.0f, 0.5f}, be[] = {0.1f, 0.2f}, m[] = {0.3f, -0.4f}, v[] = {1.0f, 4.0f};
  for (size_t i = 0; i < y.size(); ++i) {
    size_t c = i % 2;
    y[i] = std::max(0.0f, (y[i] + b[c] - m[c]) / std::sqrt(v[c]) * g[c] + be[c]);
  }
  RUN_OR_SKIP(out, h, {HostTensor::Float({1, 3, 3, 1}, x)});
  EXPECT_EQ(h.OpsString(), "CONV_2D") << h.host().Dump();
  EXPECT_EQ(Harness::Int(h.One("CONV_2D"), "fused_activation_function"), 1);
  ExpectNear(out[0].floats(), y, 1e-5f);
  auto bytes = h.host().Export();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
