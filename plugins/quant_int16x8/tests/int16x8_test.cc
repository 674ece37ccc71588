// The "int16x8" quantizer (quant_int8's engine in 16x8 mode), run as `tflc convert` runs it with
// --target_spec.supported_ops EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8: int16
// symmetric activations, int8 per-channel weights, int64 bias. Expected values are derived from the
// float model (calibrated ranges recorded with Interpret, intermediate values by plain loops).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../src/plugin.h"
#include "full_integer_harness.h"

namespace tflc::quant::testing {
namespace {

class Int16x8Test : public FullIntegerTest {
 protected:
  void SetUp() override {
    Init(TflcQuantInt16x8_Query, "quant_int16x8 (in-process)");
    host().SetOption("target_spec.supported_ops", "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8");
  }
};

TEST_F(Int16x8Test, Int16ActivationsInt8WeightsInt64Bias) {
  host().SetOption("bias_correction", "false");  // TensorFlow's bias, checked below
  const std::vector<float> w = {0.5f, -0.25f, 0.75f, 1.f,  -0.1f, 0.2f, 0.05f, -0.3f,
                                2.f, 1.5f, -1.f, 0.25f, 0.3f, 0.3f, -0.3f, 0.6f};
  const std::vector<float> b = {0.1f, -0.4f, 0.3f, 0.f};
  ValueView x = Input("x", {1, 4});
  NodeView fc = Op("FULLY_CONNECTED", "fc", {x, Const("fc/w", {4, 4}, w), Const("fc/b", {4}, b)});
  // ADD of two activations (a constant operand would be folded into the bias by the pipeline).
  NodeView add = Op("ADD", "add", {fc.output(0), x});
  Output(add.output(0), "y");
  const auto samples = Samples(4, 4, -1.f, 3.f, 61);
  Prepare({1, 4}, samples);
  const auto [y_lo, y_hi] = OutputRange();
  // FULLY_CONNECTED's output range, by hand.
  float fc_lo = INFINITY, fc_hi = -INFINITY;
  for (const auto& s : samples) {
    for (size_t o = 0; o < 4; ++o) {
      float acc = b[o];
      for (size_t i = 0; i < 4; ++i) acc += s[i] * w[o * 4 + i];
      fc_lo = std::min(fc_lo, acc);
      fc_hi = std::max(fc_hi, acc);
    }
  }

  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());

  NodeView f = Only("FULLY_CONNECTED");
  NodeView a = Only("ADD");
  ASSERT_TRUE(f && a);
  // Input: symmetric int16, max|x| / 32767 = 3 / 32767, zero point 0.
  NodeView q = f.input(0).producer();
  ASSERT_TRUE(q);
  EXPECT_EQ(q.op(), "QUANTIZE");
  EXPECT_EQ(q.input(0).get(), g().input(0).get());
  EXPECT_EQ(f.input(0).type(), TFLC_TYPE_INT16);
  EXPECT_TRUE(HasParams(f.input(0), 3.f / 32767, 0));

  // Weights: int8, per channel along dimension 0.
  ValueView wq = f.input(1);
  EXPECT_EQ(wq.type(), TFLC_TYPE_INT8);
  const ValueView::Quant wp = wq.quant();
  ASSERT_EQ(wp.scales.size(), 4u);
  for (size_t c = 0; c < 4; ++c) {
    float m = 0;
    for (size_t i = 0; i < 4; ++i) m = std::max(m, std::fabs(w[c * 4 + i]));
    EXPECT_FLOAT_EQ(wp.scales[c], m / 127) << "channel " << c;
    EXPECT_EQ(wp.zero_points[c], 0);
  }

  // Bias: INT64, scale in_scale x w_scale[c].
  ValueView bq = f.input(2);
  EXPECT_EQ(bq.type(), TFLC_TYPE_INT64);
  const ValueView::Quant bp = bq.quant();
  const std::vector<int64_t> bv = Data<int64_t>(bq);
  ASSERT_EQ(bp.scales.size(), 4u);
  ASSERT_EQ(bv.size(), 4u);
  for (size_t c = 0; c < 4; ++c) {
    EXPECT_FLOAT_EQ(bp.scales[c], (3.f / 32767) * wp.scales[c]) << "channel " << c;
    EXPECT_EQ(bp.zero_points[c], 0);
    EXPECT_EQ(bv[c], static_cast<int64_t>(std::round(b[c] / static_cast<double>(bp.scales[c])))) << "channel " << c;
  }

  // Activations: INT16, zero point 0, max|range| / 32767.
  EXPECT_EQ(f.output(0).type(), TFLC_TYPE_INT16);
  const Params fc_p = Int16Params(fc_lo, fc_hi);
  EXPECT_TRUE(HasParams(f.output(0), fc_p.scale, 0));
  EXPECT_EQ(a.input(0).get(), f.output(0).get());
  EXPECT_EQ(a.output(0).type(), TFLC_TYPE_INT16);
  const Params y_p = Int16Params(y_lo, y_hi);
  EXPECT_TRUE(HasParams(a.output(0), y_p.scale, 0));
  // The second operand is the quantized input itself.
  EXPECT_EQ(a.input(1).get(), f.input(0).get());

  // ADD uses the general-scale int16 kernel.
  auto pot = a.BoolAttr("pot_scale_int16");
  ASSERT_TRUE(pot.ok()) << pot.status();
  EXPECT_FALSE(*pot);

  NodeView dq = g().output(0).producer();
  ASSERT_TRUE(dq);
  EXPECT_EQ(dq.op(), "DEQUANTIZE");
  EXPECT_EQ(dq.input(0).get(), a.output(0).get());
  EXPECT_EQ(g().output(0).type(), TFLC_TYPE_FLOAT32);
}

// Bias correction is 16x8's default: the int64 bias holds b - E[(Wq - W) x], with E[x] the
// dataset's mean of each input channel (quant_common/bias_correction.h; int8 keeps b by default).
TEST_F(Int16x8Test, BiasCorrectionIsTheDefault) {
  const size_t k_in = 6, k_out = 3;
  std::vector<float> w = SeededFloats(k_in * k_out, 81, 0.1f);
  for (size_t o = 0; o < k_out; ++o) w[o * k_in] = 1.f;  // coarse scale: the small weights round visibly
  const std::vector<float> b = {0.3f, -0.2f, 0.f};
  ValueView x = Input("x", {1, static_cast<int64_t>(k_in)});
  NodeView fc = Op("FULLY_CONNECTED", "fc",
                   {x, Const("fc/w", {static_cast<int64_t>(k_out), static_cast<int64_t>(k_in)}, w),
                    Const("fc/b", {static_cast<int64_t>(k_out)}, b)});
  Output(fc.output(0), "y");
  const auto samples = Samples(8, k_in, 0.5f, 2.f, 82);
  Prepare({1, static_cast<int64_t>(k_in)}, samples);
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  NodeView f = Only("FULLY_CONNECTED");
  ASSERT_TRUE(f);
  const ValueView::Quant wp = f.input(1).quant(), bp = f.input(2).quant();
  const std::vector<int8_t> wq = Data<int8_t>(f.input(1));
  const std::vector<int64_t> bv = Data<int64_t>(f.input(2));
  ASSERT_EQ(bv.size(), k_out);
  double max_shift = 0;
  for (size_t o = 0; o < k_out; ++o) {
    double shift = 0;
    for (size_t i = 0; i < k_in; ++i) {
      double mean = 0;
      for (const auto& sample : samples) mean += sample[i] / static_cast<double>(samples.size());
      shift += (static_cast<double>(wp.scales[o]) * wq[o * k_in + i] - w[o * k_in + i]) * mean;
    }
    max_shift = std::max(max_shift, std::fabs(shift));
    EXPECT_NEAR(static_cast<double>(bv[o]), (b[o] - shift) / bp.scales[o], 0.5 + 1e-3) << "channel " << o;
  }
  // The shift is many bias steps, so a quantizer that skipped the correction would fail above.
  EXPECT_GT(max_shift / bp.scales[0], 100.0);
}

TEST_F(Int16x8Test, Int16InputAndOutput) {
  ValueView x = Input("x", {1, 4});
  NodeView fc = Op("FULLY_CONNECTED", "fc", {x, Const("fc/w", {2, 4}, SeededFloats(8, 71, 2.f)), Const("fc/b", {2}, {0.f, 1.f})});
  Output(fc.output(0), "y");
  Prepare({1, 4}, Samples(3, 4, -2.f, 0.5f, 72));
  const auto [lo, hi] = OutputRange();
  host().SetOption("inference_input_type", "int16");
  host().SetOption("inference_output_type", "int16");
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());
  EXPECT_EQ(g().input(0).type(), TFLC_TYPE_INT16);
  EXPECT_TRUE(HasParams(g().input(0), 2.f / 32767, 0));
  EXPECT_EQ(g().output(0).type(), TFLC_TYPE_INT16);
  const Params out_p = Int16Params(lo, hi);
  EXPECT_TRUE(HasParams(g().output(0), out_p.scale, 0));
  EXPECT_TRUE(Nodes("QUANTIZE").empty());
  EXPECT_TRUE(Nodes("DEQUANTIZE").empty());
}

TEST_F(Int16x8Test, OpsWithoutA16x8KernelFailWhenOnly16x8OpsAreAllowed) {
  // HARD_SWISH has an int8 kernel only.
  ValueView x = Input("x", {1, 4});
  NodeView fc = Op("FULLY_CONNECTED", "fc", {x, Const("fc/w", {4, 4}, SeededFloats(16, 81, 2.f)), Const("fc/b", {4}, {0.f, 0.f, 0.f, 0.f})});
  NodeView hs = Op("HARD_SWISH", "act/hard_swish", {fc.output(0)});
  Output(hs.output(0), "y");
  Prepare({1, 4}, Samples(3, 4, -1.f, 1.f, 82));
  Status s = host().Quantize();
  ASSERT_FALSE(s.ok()) << Dump();
  EXPECT_EQ(s.code(), TFLC_CODE_INVALID_ARGUMENT) << s;
  EXPECT_NE(s.message().find("HARD_SWISH x1: act/hard_swish"), std::string::npos) << s;
  EXPECT_NE(s.message().find("int16x8 kernel"), std::string::npos) << s;
}

TEST_F(Int16x8Test, OpsWithoutA16x8KernelStayFloatWithBuiltins) {
  host().SetOption("target_spec.supported_ops",
                   "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8,TFLITE_BUILTINS");
  ValueView x = Input("x", {1, 4});
  NodeView fc = Op("FULLY_CONNECTED", "fc", {x, Const("fc/w", {4, 4}, SeededFloats(16, 91, 2.f)), Const("fc/b", {4}, {0.f, 0.f, 0.f, 0.f})});
  NodeView hs = Op("HARD_SWISH", "act/hard_swish", {fc.output(0)});
  Output(hs.output(0), "y");
  Prepare({1, 4}, Samples(3, 4, -1.f, 1.f, 92));
  Status s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());
  NodeView h = Only("HARD_SWISH");
  ASSERT_TRUE(h);
  EXPECT_EQ(h.output(0).type(), TFLC_TYPE_FLOAT32);
  NodeView dq = h.input(0).producer();
  ASSERT_TRUE(dq);
  EXPECT_EQ(dq.op(), "DEQUANTIZE");
  EXPECT_EQ(dq.input(0).type(), TFLC_TYPE_INT16);
  EXPECT_EQ(Only("FULLY_CONNECTED").output(0).type(), TFLC_TYPE_INT16);
}

}  // namespace
}  // namespace tflc::quant::testing
