// The "int8" full-integer quantizer (src/full_integer.cc), run as `tflc convert` runs it: the float
// pipeline, calibration over a representative dataset (a directory of .npy files written here), then
// FakeHost::Quantize. Expected parameters come from the float model's calibrated ranges (recorded
// here with Interpret) and TFLite's formulas, written out in test_util.cc and below.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <vector>

#include "../src/plugin.h"
#include "full_integer_harness.h"

namespace tflc::quant::testing {
namespace {

constexpr int kSame = 0, kValid = 1;  // Padding
constexpr int kRelu = 1;              // ActivationFunctionType

class Int8Test : public FullIntegerTest {
 protected:
  void SetUp() override { Init(TflcQuantInt8_Query, "quant_int8 (in-process)"); }

  // QUANTIZE / DEQUANTIZE producing `v` (null view if `v` has another producer).
  static NodeView ProducerOp(const ValueView& v, const std::string& op) {
    NodeView p = v.producer();
    return p && p.op() == op ? p : NodeView();
  }
};

// Per-channel symmetric int8 weights along dimension 0: scale max|w_c| / 127, values round(w / scale).
void ExpectInt8Weights(const ValueView& q, const std::vector<float>& w, const Dims& dims) {
  ASSERT_TRUE(q.is_const());
  EXPECT_EQ(q.type(), TFLC_TYPE_INT8);
  EXPECT_EQ(q.dims(), dims);
  const ValueView::Quant p = q.quant();
  const size_t channels = static_cast<size_t>(dims[0]);
  const size_t inner = w.size() / channels;
  ASSERT_EQ(p.scales.size(), channels);
  EXPECT_EQ(p.quantized_dimension, 0);
  const std::vector<int8_t> data = Data<int8_t>(q);
  ASSERT_EQ(data.size(), w.size());
  for (size_t c = 0; c < channels; ++c) {
    float m = 0;
    for (size_t i = 0; i < inner; ++i) m = std::max(m, std::fabs(w[c * inner + i]));
    EXPECT_FLOAT_EQ(p.scales[c], m / 127.f) << "channel " << c;
    EXPECT_EQ(p.zero_points[c], 0);
    for (size_t i = 0; i < inner; ++i) {
      const double want = w[c * inner + i] / static_cast<double>(p.scales[c]);
      EXPECT_LE(std::fabs(data[c * inner + i] - want), 0.5 + 1e-3) << "element " << c * inner + i;
    }
  }
}

// int32 bias: scale in_scale * w_scale[c], zero point 0, values round(b / scale).
void ExpectInt32Bias(const ValueView& q, const std::vector<float>& b, float in_scale, const std::vector<float>& w_scales) {
  ASSERT_TRUE(q.is_const());
  EXPECT_EQ(q.type(), TFLC_TYPE_INT32);
  const ValueView::Quant p = q.quant();
  ASSERT_EQ(p.scales.size(), b.size());
  const std::vector<int32_t> data = Data<int32_t>(q);
  ASSERT_EQ(data.size(), b.size());
  for (size_t c = 0; c < b.size(); ++c) {
    EXPECT_FLOAT_EQ(p.scales[c], in_scale * w_scales[c]) << "channel " << c;
    EXPECT_EQ(p.zero_points[c], 0);
    EXPECT_EQ(data[c], static_cast<int32_t>(std::round(b[c] / static_cast<double>(p.scales[c])))) << "channel " << c;
  }
}

// ---- 1. CONV_2D ----------------------------------------------------------------------------------

// (int8's default keeps TensorFlow's bias: no bias correction.)
TEST_F(Int8Test, Conv2DBecomesInt8BetweenQuantizeAndDequantize) {
  const Dims in_dims = {1, 3, 3, 2}, w_dims = {2, 2, 2, 2};
  const std::vector<float> w = {0.5f, -0.25f, 0.125f, 1.f, -0.75f, 0.3f, 0.2f, -0.1f,     // channel 0: max 1
                                0.02f, -0.04f, 0.01f, 0.03f, 0.05f, -0.06f, 0.07f, -0.08f};  // channel 1: max 0.08
  const std::vector<float> b = {0.1f, -0.2f};
  ValueView x = Input("x", in_dims);
  NodeView conv = Op("CONV_2D", "conv", {x, Const("conv/w", w_dims, w), Const("conv/b", {2}, b)},
                     {{"padding", kValid}, {"stride_w", 1}, {"stride_h", 1}, {"fused_activation_function", kRelu}});
  Output(conv.output(0), "y");
  Prepare(in_dims, Samples(4, 18, -1.f, 3.f, 7));
  const auto [out_lo, out_hi] = OutputRange();
  ASSERT_GE(out_lo, 0.f);  // RELU
  ASSERT_GT(out_hi, 0.f);

  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());

  // Range [-1, 3] by hand: scale 4/255, zero point round(-128 + 1 / (4/255)) = round(-64.25) = -64.
  const Params in_p = Int8Params(-1, 3);
  EXPECT_FLOAT_EQ(in_p.scale, 4.f / 255);
  EXPECT_EQ(in_p.zero_point, -64);

  ASSERT_EQ(g().num_inputs(), 1u);
  EXPECT_EQ(g().input(0).type(), TFLC_TYPE_FLOAT32);
  NodeView c = Only("CONV_2D");
  ASSERT_TRUE(c);
  NodeView q = ProducerOp(c.input(0), "QUANTIZE");
  ASSERT_TRUE(q) << "CONV_2D input is not a QUANTIZE output";
  EXPECT_EQ(q.input(0).get(), g().input(0).get());
  EXPECT_EQ(c.input(0).type(), TFLC_TYPE_INT8);
  EXPECT_TRUE(HasParams(c.input(0), 4.f / 255, -64));

  ExpectInt8Weights(c.input(1), w, w_dims);
  ExpectInt32Bias(c.input(2), b, 4.f / 255, c.input(1).quant().scales);
  // Without bias correction calibration records no channel means (CalibrationStats).
  EXPECT_TRUE(g().input(0).ChannelMeans().empty());

  EXPECT_EQ(c.output(0).type(), TFLC_TYPE_INT8);
  const Params out_p = Int8Params(out_lo, out_hi);
  EXPECT_EQ(out_p.zero_point, -128);  // a RELU output starts at 0
  EXPECT_TRUE(HasParams(c.output(0), out_p.scale, out_p.zero_point));
  auto act = c.IntAttr("fused_activation_function");
  ASSERT_TRUE(act.ok());
  EXPECT_EQ(*act, kRelu);

  ASSERT_EQ(g().num_outputs(), 1u);
  EXPECT_EQ(g().output(0).type(), TFLC_TYPE_FLOAT32);
  NodeView dq = ProducerOp(g().output(0), "DEQUANTIZE");
  ASSERT_TRUE(dq) << "the graph output is not a DEQUANTIZE output";
  EXPECT_EQ(dq.input(0).get(), c.output(0).get());
  EXPECT_EQ(Nodes("QUANTIZE").size(), 1u);
  EXPECT_EQ(Nodes("DEQUANTIZE").size(), 1u);
}

// ---- 2. fixed and pass-through outputs -----------------------------------------------------------

TEST_F(Int8Test, SoftmaxHasFixedOutputParamsAndPoolAndReshapeKeepTheInputs) {
  const Dims in_dims = {1, 4, 4, 1};
  ValueView x = Input("x", in_dims);
  NodeView pool = Op("MAX_POOL_2D", "pool", {x},
                     {{"padding", kValid}, {"stride_w", 2}, {"stride_h", 2}, {"filter_width", 2}, {"filter_height", 2}});
  NodeView reshape = Op("RESHAPE", "flat", {pool.output(0), ConstInt32("flat/shape", {2}, {1, 4})});
  NodeView softmax = Op("SOFTMAX", "softmax", {reshape.output(0)}, {{"beta", 1.0, true}});
  Output(softmax.output(0), "probs");
  Prepare(in_dims, Samples(3, 16, -2.f, 5.f, 11));
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());

  const Params in_p = Int8Params(-2, 5);
  NodeView p = Only("MAX_POOL_2D");
  NodeView r = Only("RESHAPE");
  NodeView sm = Only("SOFTMAX");
  ASSERT_TRUE(p && r && sm);
  ASSERT_TRUE(ProducerOp(p.input(0), "QUANTIZE"));
  EXPECT_TRUE(HasParams(p.input(0), in_p.scale, in_p.zero_point));
  EXPECT_EQ(p.output(0).type(), TFLC_TYPE_INT8);
  EXPECT_TRUE(HasParams(p.output(0), in_p.scale, in_p.zero_point));
  EXPECT_EQ(r.input(0).get(), p.output(0).get()) << "no requantization between pool and reshape";
  EXPECT_EQ(r.output(0).type(), TFLC_TYPE_INT8);
  EXPECT_TRUE(HasParams(r.output(0), in_p.scale, in_p.zero_point));
  if (r.num_inputs() > 1 && r.input(1)) {
    EXPECT_EQ(r.input(1).type(), TFLC_TYPE_INT32);  // the shape
  }
  EXPECT_EQ(sm.input(0).get(), r.output(0).get());
  EXPECT_EQ(sm.output(0).type(), TFLC_TYPE_INT8);
  EXPECT_TRUE(HasParams(sm.output(0), 1.f / 256, -128));
  ASSERT_TRUE(ProducerOp(g().output(0), "DEQUANTIZE"));
  EXPECT_EQ(g().output(0).producer().input(0).get(), sm.output(0).get());
}

// ---- 3. inference_input_type / inference_output_type ---------------------------------------------

// ---- a vendor's custom op is quantized from its opset facts alone --------------------------

TflcStatus* VendorShape(TflcOpShape_Args* a) {
  return sdk::Guard(a->host, a->node, [&]() -> Status {
    NodeView n(a->host, a->node);
    return n.output(0).SetShape(n.input(0).type(), n.input(0).dims());
  });
}
TflcStatus* VendorEval(TflcOpEval_Args* a) {  // y = 2x, the float kernel calibration runs
  return sdk::Guard(a->host, [&]() -> Status {
    const ValueView x(a->host, NodeView(a->host, const_cast<TflcNode*>(a->node)).input(0).get());
    const float* in = static_cast<const float*>(a->inputs[0]);
    float* out = static_cast<float*>(a->outputs[0]);
    for (int64_t i = 0; i < x.num_elements(); ++i) out[i] = 2.f * in[i];
    return OkStatus();
  });
}
constexpr TflcOpQuantSpec kVendorQuant = {TflcOpQuantSpec_STRUCT_SIZE, TFLC_QUANT_KERNEL_INT8, TFLC_QUANT_OUTPUT_RANGE,
                                          0.f, 0, 0.f, 0, 0, 0, TFLC_TYPE_INT64};
const TflcOpsetEntry kVendorOps[] = {
    {TflcOpsetEntry_STRUCT_SIZE, "VendorDouble", TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, VendorShape, VendorEval,
     nullptr, nullptr, 0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr,
     &kVendorQuant},
};
const TflcPluginApi* VendorQuery(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("test_vendor_opset", "1.0.0", "a custom op with a quant spec");
    sdk::SetOps(a, kVendorOps);
    return a;
  }();
  return sdk::Negotiate(args, &api);
}

TEST_F(Int8Test, VendorCustomOpWithAQuantSpecBecomesInteger) {
  ASSERT_TRUE(host().Register(VendorQuery, "test_vendor_opset (in-process)").ok());
  ValueView x = Input("x", {1, 4});
  NodeView fc = Op("FULLY_CONNECTED", "fc",
                   {x, Const("fc/w", {3, 4}, SeededFloats(12, 3, 2.f)), Const("fc/b", {3}, {0.1f, 0.f, -0.3f})});
  auto vendor = g().AddNode(TFLC_DOMAIN_CUSTOM, "VendorDouble", "vendor", {fc.output(0)});
  ASSERT_TRUE(vendor.ok()) << vendor.status();
  Output(vendor->output(0), "y");
  Prepare({1, 4}, Samples(4, 4, -1.f, 3.f, 5));
  const auto [lo, hi] = OutputRange();
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());
  std::vector<NodeView> v;
  for (size_t i = 0; i < g().num_nodes(); ++i) {
    if (g().node(i).op() == "VendorDouble") v.push_back(g().node(i));
  }
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].input(0).type(), TFLC_TYPE_INT8) << "fed by the int8 FULLY_CONNECTED, no DEQUANTIZE between";
  EXPECT_EQ(v[0].output(0).type(), TFLC_TYPE_INT8);
  const Params want = Int8Params(lo, hi);  // its own calibrated output range
  EXPECT_TRUE(HasParams(v[0].output(0), want.scale, want.zero_point));
  EXPECT_EQ(Nodes("DEQUANTIZE").size(), 1u) << "only at the model output";
  EXPECT_EQ(Nodes("QUANTIZE").size(), 1u) << "only at the model input";
}

class Int8IoTest : public Int8Test {
 protected:
  // x[1,4] -> FULLY_CONNECTED(w[3,4], b[3]) -> y, calibrated with x in [-1, 3].
  void Build() {
    ValueView x = Input("x", {1, 4});
    NodeView fc = Op("FULLY_CONNECTED", "fc",
                     {x, Const("fc/w", {3, 4}, SeededFloats(12, 3, 2.f)), Const("fc/b", {3}, {0.1f, 0.f, -0.3f})});
    Output(fc.output(0), "y");
    Prepare({1, 4}, Samples(4, 4, -1.f, 3.f, 5));
  }
  const Params in_p = Int8Params(-1, 3);
};

TEST_F(Int8IoTest, Uint8InputShiftsTheZeroPointAndConverts) {
  Build();
  host().SetOption("inference_input_type", "uint8");
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());
  ValueView x = g().input(0);
  EXPECT_EQ(x.type(), TFLC_TYPE_UINT8);
  EXPECT_TRUE(HasParams(x, in_p.scale, in_p.zero_point + 128));
  NodeView fc = Only("FULLY_CONNECTED");
  ASSERT_TRUE(fc);
  NodeView q = ProducerOp(fc.input(0), "QUANTIZE");
  ASSERT_TRUE(q);
  EXPECT_EQ(q.input(0).get(), x.get());
  EXPECT_EQ(q.output(0).type(), TFLC_TYPE_INT8);
  EXPECT_TRUE(HasParams(q.output(0), in_p.scale, in_p.zero_point));
  EXPECT_EQ(Nodes("QUANTIZE").size(), 1u);
  EXPECT_TRUE(ProducerOp(g().output(0), "DEQUANTIZE")) << "float32 output by default";
}

TEST_F(Int8IoTest, Int8InputFeedsTheOpDirectly) {
  Build();
  host().SetOption("inference_input_type", "int8");
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());
  ValueView x = g().input(0);
  EXPECT_EQ(x.type(), TFLC_TYPE_INT8);
  EXPECT_TRUE(HasParams(x, in_p.scale, in_p.zero_point));
  NodeView fc = Only("FULLY_CONNECTED");
  ASSERT_TRUE(fc);
  EXPECT_EQ(fc.input(0).get(), x.get());
  EXPECT_TRUE(Nodes("QUANTIZE").empty());
}

TEST_F(Int8IoTest, Int8OutputHasNoDequantize) {
  Build();
  const auto [lo, hi] = OutputRange();
  host().SetOption("inference_output_type", "int8");
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());
  NodeView fc = Only("FULLY_CONNECTED");
  ASSERT_TRUE(fc);
  EXPECT_EQ(g().output(0).get(), fc.output(0).get());
  EXPECT_EQ(g().output(0).type(), TFLC_TYPE_INT8);
  const Params out_p = Int8Params(lo, hi);
  EXPECT_TRUE(HasParams(g().output(0), out_p.scale, out_p.zero_point));
  EXPECT_TRUE(Nodes("DEQUANTIZE").empty());
  EXPECT_EQ(g().input(0).type(), TFLC_TYPE_FLOAT32);
}

TEST_F(Int8IoTest, Uint8OutputIsARequantizationOfTheInt8Result) {
  Build();
  const auto [lo, hi] = OutputRange();
  host().SetOption("inference_output_type", "uint8");
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());
  NodeView fc = Only("FULLY_CONNECTED");
  ASSERT_TRUE(fc);
  const Params out_p = Int8Params(lo, hi);
  EXPECT_EQ(g().output(0).type(), TFLC_TYPE_UINT8);
  EXPECT_TRUE(HasParams(g().output(0), out_p.scale, out_p.zero_point + 128));
  NodeView q = ProducerOp(g().output(0), "QUANTIZE");
  ASSERT_TRUE(q);
  EXPECT_EQ(q.input(0).get(), fc.output(0).get());
  EXPECT_TRUE(Nodes("DEQUANTIZE").empty());
}

// ---- 4. ops without an int8 kernel -----------------------------------------------------------------

class Int8FloatIslandTest : public Int8Test {
 protected:
  // x[1,4] -> FULLY_CONNECTED -> SIN (no quantization spec in opset_builtin) -> FULLY_CONNECTED -> y;
  // SIN's output is also graph output 1, so its calibrated range is recorded.
  void Build() {
    ValueView x = Input("x", {1, 4});
    NodeView fc1 = Op("FULLY_CONNECTED", "island/fc1",
                      {x, Const("fc1/w", {4, 4}, SeededFloats(16, 21, 2.f)), Const("fc1/b", {4}, {0.f, 0.1f, 0.2f, 0.3f})});
    NodeView sin = Op("SIN", "island/sin", {fc1.output(0)});
    NodeView fc2 = Op("FULLY_CONNECTED", "island/fc2",
                      {sin.output(0), Const("fc2/w", {3, 4}, SeededFloats(12, 22, 2.f)), Const("fc2/b", {3}, {0.f, 0.f, 0.f})});
    Output(fc2.output(0), "y");
    Output(sin.output(0), "s");
    Prepare({1, 4}, Samples(4, 4, -1.f, 1.f, 23));
  }
};

TEST_F(Int8FloatIslandTest, StaysFloatBetweenDequantizeAndQuantize) {
  Build();
  const auto [s_lo, s_hi] = OutputRange(1);
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());
  NodeView sin = Only("SIN");
  ASSERT_TRUE(sin);
  EXPECT_EQ(sin.input(0).type(), TFLC_TYPE_FLOAT32);
  EXPECT_EQ(sin.output(0).type(), TFLC_TYPE_FLOAT32);
  NodeView dq = ProducerOp(sin.input(0), "DEQUANTIZE");
  ASSERT_TRUE(dq) << "SIN's input is not a DEQUANTIZE output";
  NodeView fc1 = dq.input(0).producer();
  ASSERT_TRUE(fc1);
  EXPECT_EQ(fc1.op(), "FULLY_CONNECTED");
  EXPECT_EQ(fc1.output(0).type(), TFLC_TYPE_INT8);

  NodeView fc2;
  for (const NodeView& n : Nodes("FULLY_CONNECTED")) {
    if (n.get() != fc1.get()) fc2 = n;
  }
  ASSERT_TRUE(fc2);
  NodeView q = ProducerOp(fc2.input(0), "QUANTIZE");
  ASSERT_TRUE(q) << "the second FULLY_CONNECTED's input is not a QUANTIZE output";
  EXPECT_EQ(q.input(0).get(), sin.output(0).get());
  EXPECT_EQ(fc2.input(0).type(), TFLC_TYPE_INT8);
  const Params sin_p = Int8Params(s_lo, s_hi);
  EXPECT_TRUE(HasParams(fc2.input(0), sin_p.scale, sin_p.zero_point));
  EXPECT_EQ(fc2.output(0).type(), TFLC_TYPE_INT8);
  // The float SIN result stays a float graph output, as it is.
  EXPECT_EQ(g().output(1).get(), sin.output(0).get());
}

TEST_F(Int8FloatIslandTest, IntegerOnlyOpsFailAndNameTheOp) {
  Build();
  host().SetOption("target_spec.supported_ops", "TFLITE_BUILTINS_INT8");
  Status s = host().Quantize();
  ASSERT_FALSE(s.ok()) << Dump();
  EXPECT_EQ(s.code(), TFLC_CODE_INVALID_ARGUMENT) << s;
  EXPECT_NE(s.message().find("SIN x1: island/sin"), std::string::npos) << s;
  EXPECT_NE(s.message().find("int8 kernel"), std::string::npos) << s;
  EXPECT_NE(s.message().find("TFLITE_BUILTINS"), std::string::npos) << s;
  EXPECT_EQ(s.message().find("FULLY_CONNECTED"), std::string::npos) << "only ops without a kernel are listed: " << s;
}

TEST_F(Int8FloatIslandTest, BuiltinsAlongsideInt8KeepTheFloatIsland) {
  Build();
  host().SetOption("target_spec.supported_ops", "TFLITE_BUILTINS_INT8,TFLITE_BUILTINS");
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s;
  NodeView sin = Only("SIN");
  ASSERT_TRUE(sin);
  EXPECT_EQ(sin.output(0).type(), TFLC_TYPE_FLOAT32);
}

// ---- 6. numbers ------------------------------------------------------------------------------------

// The quantized FULLY_CONNECTED (+RELU) computed with integer arithmetic from the quantized graph's
// own tensors (TFLite's reference kernel, with exact real multipliers), against the float graph.
TEST_F(Int8Test, QuantizedFullyConnectedTracksTheFloatModel) {
  const size_t k_in = 8, k_out = 5;
  const std::vector<float> w = SeededFloats(k_in * k_out, 31, 1.f);
  const std::vector<float> b = SeededFloats(k_out, 32, 0.5f);
  ValueView x = Input("x", {1, static_cast<int64_t>(k_in)});
  NodeView fc = Op("FULLY_CONNECTED", "fc",
                   {x, Const("fc/w", {static_cast<int64_t>(k_out), static_cast<int64_t>(k_in)}, w), Const("fc/b", {static_cast<int64_t>(k_out)}, b)},
                   {{"fused_activation_function", kRelu}});
  Output(fc.output(0), "y");
  const auto samples = Samples(16, k_in, -2.f, 2.f, 33);
  Prepare({1, static_cast<int64_t>(k_in)}, samples);
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());

  NodeView q = Only("FULLY_CONNECTED");
  ASSERT_TRUE(q);
  const ValueView::Quant in_q = q.input(0).quant(), w_q = q.input(1).quant(), b_q = q.input(2).quant(),
                         out_q = q.output(0).quant();
  ASSERT_EQ(in_q.scales.size(), 1u);
  ASSERT_EQ(out_q.scales.size(), 1u);
  ASSERT_EQ(w_q.scales.size(), k_out);
  const std::vector<int8_t> wq = Data<int8_t>(q.input(1));
  const std::vector<int32_t> bq = Data<int32_t>(q.input(2));
  ASSERT_EQ(wq.size(), w.size());
  ASSERT_EQ(bq.size(), k_out);
  (void)b_q;
  const double s_in = in_q.scales[0], s_out = out_q.scales[0];
  const int64_t zp_in = in_q.zero_points[0], zp_out = out_q.zero_points[0];

  for (size_t n = 0; n < samples.size(); ++n) {
    const std::vector<float>& want = FloatOutput(n);
    ASSERT_EQ(want.size(), k_out);
    for (size_t o = 0; o < k_out; ++o) {
      int64_t acc = bq[o];
      double abs_w = 0, abs_x = 0;
      for (size_t i = 0; i < k_in; ++i) {
        const int64_t xq = std::clamp<int64_t>(static_cast<int64_t>(std::round(samples[n][i] / s_in)) + zp_in, -128, 127);
        acc += (xq - zp_in) * wq[o * k_in + i];
        abs_w += std::fabs(w[o * k_in + i]);
        abs_x += std::fabs(samples[n][i]);
      }
      const double real = static_cast<double>(acc) * s_in * w_q.scales[o];
      const int64_t yq = std::clamp<int64_t>(static_cast<int64_t>(std::round(real / s_out)) + zp_out, zp_out, 127);
      const double got = static_cast<double>(yq - zp_out) * s_out;
      // Rounding of the input (s_in/2 each), the weights (w_scale/2 each), the bias and the output.
      const double tol = 0.5 * s_in * abs_w + 0.5 * w_q.scales[o] * abs_x + s_in * w_q.scales[o] + 0.5 * s_out + 1e-6;
      EXPECT_NEAR(got, want[o], tol) << "sample " << n << " output " << o;
    }
  }

  // The opset's reference kernels may run the integer graph too; when they do, they must agree.
  auto run = host().Interpret({HostTensor::Float({1, static_cast<int64_t>(k_in)}, samples[0])});
  if (!run.ok()) {  // opset_builtin's kernels are float-only today: the emulation above is the check
    SUCCEED() << "Interpret cannot run the int8 graph: " << run.status();
    return;
  }
  const std::vector<float> got = (*run)[0].floats();
  ASSERT_EQ(got.size(), k_out);
  for (size_t o = 0; o < k_out; ++o) EXPECT_NEAR(got[o], FloatOutput(0)[o], 2 * s_out + 0.05) << "output " << o;
}

// ---- 6b. bias correction -------------------------------------------------------------------------

// Inputs with a mean far from zero (as after a ReLU) and weights that int8 rounds coarsely (one large
// weight per channel sets the scale): the rounding moves each output by sum_k (Wq - W)[o,k] * x[k],
// on average sum_k (Wq - W)[o,k] * E[x[k]]. The quantizer subtracts that from the bias, so the
// integer layer's mean error over the dataset is what input rounding leaves, not the weights' shift.
TEST_F(Int8Test, BiasCorrectionRemovesTheWeightRoundingShift) {
  const size_t k_in = 16, k_out = 4;
  std::vector<float> w = SeededFloats(k_in * k_out, 71, 0.1f);
  for (size_t o = 0; o < k_out; ++o) w[o * k_in] = 1.f;  // scale 1/127: the others round by up to 0.004
  const std::vector<float> b = {0.5f, -0.5f, 0.25f, 0.f};
  ValueView x = Input("x", {1, static_cast<int64_t>(k_in)});
  NodeView fc = Op("FULLY_CONNECTED", "fc",
                   {x, Const("fc/w", {static_cast<int64_t>(k_out), static_cast<int64_t>(k_in)}, w),
                    Const("fc/b", {static_cast<int64_t>(k_out)}, b)});
  Output(fc.output(0), "y");
  host().SetOption("bias_correction", "true");  // int8's default is TensorFlow's bias
  const auto samples = Samples(64, k_in, 1.f, 3.f, 72);
  Prepare({1, static_cast<int64_t>(k_in)}, samples);
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());

  NodeView q = Only("FULLY_CONNECTED");
  ASSERT_TRUE(q);
  const ValueView::Quant in_q = q.input(0).quant(), w_q = q.input(1).quant(), b_q = q.input(2).quant();
  const std::vector<int8_t> wq = Data<int8_t>(q.input(1));
  const std::vector<int32_t> bq = Data<int32_t>(q.input(2));
  ASSERT_EQ(wq.size(), w.size());
  ASSERT_EQ(bq.size(), k_out);
  ASSERT_EQ(w_q.scales.size(), k_out);

  // The expected shift, from the dataset's own input means.
  std::vector<double> mean_x(k_in, 0.0);
  for (const auto& sample : samples) {
    for (size_t i = 0; i < k_in; ++i) mean_x[i] += sample[i] / static_cast<double>(samples.size());
  }
  // Calibration recorded the input's channel means (asked for by CalibrationStats).
  const std::vector<float> recorded = g().input(0).ChannelMeans();
  ASSERT_EQ(recorded.size(), k_in);
  for (size_t i = 0; i < k_in; ++i) EXPECT_NEAR(recorded[i], mean_x[i], 1e-6) << "channel " << i;
  std::vector<double> shift(k_out, 0.0);
  double max_shift = 0;
  for (size_t o = 0; o < k_out; ++o) {
    for (size_t i = 0; i < k_in; ++i) {
      shift[o] += (static_cast<double>(w_q.scales[o]) * wq[o * k_in + i] - w[o * k_in + i]) * mean_x[i];
    }
    max_shift = std::max(max_shift, std::fabs(shift[o]));
    // The bias holds b - shift at scale input_scale x weight_scale.
    EXPECT_FLOAT_EQ(b_q.scales[o], in_q.scales[0] * w_q.scales[o]) << "channel " << o;
    EXPECT_NEAR(static_cast<double>(bq[o]), (b[o] - shift[o]) / b_q.scales[o], 0.5 + 1e-3) << "channel " << o;
  }
  ASSERT_GT(max_shift, 5e-3) << "the test weights should round coarsely";

  // The integer layer (its accumulator, before output rounding) over the dataset: mean error per channel.
  const double s_in = in_q.scales[0];
  const int64_t zp_in = in_q.zero_points[0];
  for (size_t o = 0; o < k_out; ++o) {
    double mean_error = 0;
    for (size_t n = 0; n < samples.size(); ++n) {
      int64_t acc = bq[o];
      for (size_t i = 0; i < k_in; ++i) {
        const int64_t xq = std::clamp<int64_t>(static_cast<int64_t>(std::round(samples[n][i] / s_in)) + zp_in, -128, 127);
        acc += (xq - zp_in) * wq[o * k_in + i];
      }
      mean_error += (static_cast<double>(acc) * s_in * w_q.scales[o] - FloatOutput(n)[o]) / static_cast<double>(samples.size());
    }
    EXPECT_LT(std::fabs(mean_error), 0.2 * max_shift) << "channel " << o << ": shift " << shift[o];
  }
}

// ---- 7. bias that overflows int32 ------------------------------------------------------------------

TEST_F(Int8Test, BiasOfANearZeroWeightChannelStaysAccurate) {
  // Channel 1 has all-zero weights (scale ~5e-7/127) and channel 2 tiny ones: in_scale x w_scale is
  // so small that bias / scale does not fit int32.
  const std::vector<float> w = {0.5f, -0.25f, 0.75f, 1.f,  0.f, 0.f, 0.f, 0.f,  1e-7f, -2e-7f, 1e-7f, 0.f};
  const std::vector<float> b = {0.25f, 10.f, -4.f};
  ValueView x = Input("x", {1, 4});
  NodeView fc = Op("FULLY_CONNECTED", "fc", {x, Const("fc/w", {3, 4}, w), Const("fc/b", {3}, b)});
  Output(fc.output(0), "y");
  Prepare({1, 4}, Samples(4, 4, -1.f, 3.f, 41));
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  NodeView q = Only("FULLY_CONNECTED");
  ASSERT_TRUE(q);
  ValueView bias = q.input(2);
  ASSERT_EQ(bias.type(), TFLC_TYPE_INT32);
  const ValueView::Quant bp = bias.quant();
  const std::vector<int32_t> bq = Data<int32_t>(bias);
  ASSERT_EQ(bq.size(), 3u);
  ASSERT_EQ(bp.scales.size(), 3u);
  const ValueView::Quant wp = q.input(1).quant();
  const std::vector<int8_t> wq = Data<int8_t>(q.input(1));
  for (size_t c = 0; c < 3; ++c) {
    const double deq = static_cast<double>(bq[c]) * bp.scales[c];
    EXPECT_NEAR(deq, b[c], 0.01 * std::fabs(b[c])) << "channel " << c << ": " << bq[c] << " x " << bp.scales[c];
    // The kernel's contract: bias scale = input scale x weight scale, whatever weight scale is chosen.
    EXPECT_FLOAT_EQ(bp.scales[c], q.input(0).quant().scales[0] * wp.scales[c]) << "channel " << c;
    // ... and the weights still dequantize to what they were, within half a step.
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_NEAR(wq[c * 4 + i] * wp.scales[c], w[c * 4 + i], 0.5001 * wp.scales[c] + 1e-9) << "weight " << c * 4 + i;
    }
  }
}

// ---- TRANSPOSE_CONV: the bias follows the activation input (input 2), not output_shape -------------

TEST_F(Int8Test, TransposeConvBiasScaleUsesTheActivationInput) {
  const Dims in_dims = {1, 2, 2, 1};
  const std::vector<float> w = {0.5f, -0.25f, 0.125f, 1.f, 0.2f, 0.4f, -0.6f, 0.8f};  // [2,2,2,1]
  const std::vector<float> b = {0.1f, -0.2f};
  ValueView x = Input("x", in_dims);
  NodeView tc = Op("TRANSPOSE_CONV", "deconv",
                   {ConstInt32("deconv/shape", {4}, {1, 4, 4, 2}), Const("deconv/w", {2, 2, 2, 1}, w), x,
                    Const("deconv/b", {2}, b)},
                   {{"padding", kSame}, {"stride_w", 2}, {"stride_h", 2}});
  Output(tc.output(0), "y");
  Prepare(in_dims, Samples(3, 4, -1.f, 3.f, 51));
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());
  NodeView q = Only("TRANSPOSE_CONV");
  ASSERT_TRUE(q);
  ASSERT_EQ(q.num_inputs(), 4u);
  EXPECT_EQ(q.input(0).type(), TFLC_TYPE_INT32);
  EXPECT_EQ(q.input(2).type(), TFLC_TYPE_INT8);
  const Params in_p = Int8Params(-1, 3);
  EXPECT_TRUE(HasParams(q.input(2), in_p.scale, in_p.zero_point));
  ExpectInt8Weights(q.input(1), w, {2, 2, 2, 1});
  ExpectInt32Bias(q.input(3), b, in_p.scale, q.input(1).quant().scales);
}

}  // namespace
}  // namespace tflc::quant::testing
