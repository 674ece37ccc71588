// Full-integer quantization of a model with a WHILE: the loop body is calibrated over every
// iteration (the host runs it through the WHILE kernel), quantized inside behind QUANTIZE /
// DEQUANTIZE, and keeps float32 inputs and outputs bound to the WHILE's float operands; the model
// inference types apply to the entry graph only; the int32 loop counter is left alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../src/plugin.h"
#include "full_integer_harness.h"

namespace tflc::quant::testing {
namespace {

constexpr int kIterations = 2;

class Int8WhileTest : public FullIntegerTest {
 protected:
  void SetUp() override { Init(TflcQuantInt8_Query, "quant_int8 (in-process)"); }
};

// y[o] = sum_i v[i] * w[o * n + i] + b[o] (FULLY_CONNECTED, weights [out, in]).
std::vector<float> Dense(const std::vector<float>& v, const std::vector<float>& w, const std::vector<float>& b) {
  const size_t out = b.size(), in = v.size();
  std::vector<float> y(out);
  for (size_t o = 0; o < out; ++o) {
    double s = b[o];
    for (size_t i = 0; i < in; ++i) s += static_cast<double>(v[i]) * w[o * in + i];
    y[o] = static_cast<float>(s);
  }
  return y;
}

TEST_F(Int8WhileTest, LoopBodyIsCalibratedOverEveryIterationAndKeepsFloatBoundaries) {
  const std::vector<float> w = SeededFloats(16, 11, 3.f), b = {1.5f, -0.2f, 0.05f, 0.f};
  const std::vector<float> w_out = SeededFloats(12, 12, 1.2f);
  // cond(i, v) = i < kIterations; body(i, v) = (i + 1, FULLY_CONNECTED(v, w, b)).
  int64_t cond_id = -1, body_id = -1;
  auto cond = g().AddSubgraph("cond", &cond_id);
  auto body = g().AddSubgraph("body", &body_id);
  ASSERT_TRUE(cond.ok() && body.ok());
  for (GraphBuilder* sub : {&*cond, &*body}) {
    ASSERT_TRUE(sub->Input("i", TFLC_TYPE_INT32, {}).ok());
    ASSERT_TRUE(sub->Input("v", TFLC_TYPE_FLOAT32, {1, 4}).ok());
  }
  const int32_t limit = kIterations, one = 1;
  auto lim = cond->Const("limit", TFLC_TYPE_INT32, {}, &limit, sizeof(limit));
  auto less = cond->Builtin("LESS", "less", {cond->input(0), *lim});
  ASSERT_TRUE(less.ok());
  ASSERT_TRUE(less->output(0).SetShape(TFLC_TYPE_BOOL, {}).ok());
  ASSERT_TRUE(cond->Output(less->output(0), "go").ok());
  auto c1 = body->Const("one", TFLC_TYPE_INT32, {}, &one, sizeof(one));
  auto add = body->Builtin("ADD", "add", {body->input(0), *c1});
  auto wv = body->Const("body/w", TFLC_TYPE_FLOAT32, {4, 4}, w.data(), w.size() * sizeof(float));
  auto bv = body->Const("body/b", TFLC_TYPE_FLOAT32, {4}, b.data(), b.size() * sizeof(float));
  auto fc = body->Builtin("FULLY_CONNECTED", "body/fc", {body->input(1), *wv, *bv});
  ASSERT_TRUE(add.ok() && fc.ok());
  ASSERT_TRUE(add->output(0).SetShape(TFLC_TYPE_INT32, {}).ok());
  ASSERT_TRUE(fc->output(0).SetShape(TFLC_TYPE_FLOAT32, {1, 4}).ok());
  ASSERT_TRUE(body->Output(add->output(0), "i_next").ok());
  ASSERT_TRUE(body->Output(fc->output(0), "v_next").ok());

  // main: x[1,4] -> WHILE(0, x) -> FULLY_CONNECTED(w_out[3,4]) -> y; the final count is output 1.
  ValueView x = Input("x", {1, 4});
  auto loop = g().Builtin("WHILE", "while", {ConstInt32("i0", {}, {0}), x}, 2);
  ASSERT_TRUE(loop.ok());
  ASSERT_TRUE(loop->SetGraph("cond_subgraph_index", cond_id).ok());
  ASSERT_TRUE(loop->SetGraph("body_subgraph_index", body_id).ok());
  NodeView out_fc = Op("FULLY_CONNECTED", "out", {loop->output(1), Const("out/w", {3, 4}, w_out), ValueView()});
  Output(out_fc.output(0), "y");
  Output(loop->output(0), "count");
  Status s = host().InferShapes();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();

  // The body's input takes x and then the first iteration's result; its output both results.
  const auto samples = Samples(6, 4, -1.f, 1.f, 21);
  float in_lo = INFINITY, in_hi = -INFINITY, out_lo = INFINITY, out_hi = -INFINITY;
  for (const auto& sample : samples) {
    std::vector<float> v = sample;
    for (int k = 0; k < kIterations; ++k) {
      for (float e : v) in_lo = std::min(in_lo, e), in_hi = std::max(in_hi, e);
      v = Dense(v, w, b);
      for (float e : v) out_lo = std::min(out_lo, e), out_hi = std::max(out_hi, e);
    }
  }
  ASSERT_TRUE(in_lo < -1.f || in_hi > 1.f) << "the second iteration must widen the body's input range";
  host().SetOption("representative_dataset", WriteNpyDir("while", {1, 4}, samples));
  host().SetOption("inference_input_type", "INT8");
  host().SetOption("inference_output_type", "INT8");
  host().SetOption("target_spec.supported_ops", "TFLITE_BUILTINS_INT8");
  s = host().Quantize();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  SCOPED_TRACE(Dump());

  // Entry graph: the model's inference types; WHILE stays float behind DEQUANTIZE, its counter int32.
  EXPECT_EQ(g().input(0).type(), TFLC_TYPE_INT8);
  EXPECT_EQ(g().output(0).type(), TFLC_TYPE_INT8);
  EXPECT_EQ(g().output(1).type(), TFLC_TYPE_INT32);
  NodeView w_node = Only("WHILE");
  ASSERT_TRUE(w_node);
  EXPECT_EQ(w_node.input(0).type(), TFLC_TYPE_INT32);
  EXPECT_EQ(w_node.input(1).type(), TFLC_TYPE_FLOAT32);
  ASSERT_TRUE(w_node.input(1).producer());
  EXPECT_EQ(w_node.input(1).producer().op(), "DEQUANTIZE");
  EXPECT_EQ(w_node.output(1).type(), TFLC_TYPE_FLOAT32);

  // Body: float32 / int32 boundaries, an int8 FULLY_CONNECTED inside with the ranges of all iterations.
  GraphBuilder bq(host().api(), w_node.Subgraph("body_subgraph_index"));
  EXPECT_EQ(bq.input(0).type(), TFLC_TYPE_INT32);
  EXPECT_EQ(bq.input(1).type(), TFLC_TYPE_FLOAT32);
  EXPECT_EQ(bq.output(0).type(), TFLC_TYPE_INT32);
  ASSERT_EQ(bq.output(1).type(), TFLC_TYPE_FLOAT32);
  ASSERT_TRUE(bq.output(1).producer());
  EXPECT_EQ(bq.output(1).producer().op(), "DEQUANTIZE");
  NodeView qfc = bq.output(1).producer().input(0).producer();
  ASSERT_TRUE(qfc);
  ASSERT_EQ(qfc.op(), "FULLY_CONNECTED");
  EXPECT_EQ(qfc.input(1).type(), TFLC_TYPE_INT8);
  EXPECT_EQ(qfc.input(2).type(), TFLC_TYPE_INT32);
  ASSERT_TRUE(qfc.input(0).producer());
  EXPECT_EQ(qfc.input(0).producer().op(), "QUANTIZE");
  EXPECT_EQ(qfc.input(0).producer().input(0).get(), bq.input(1).get());
  const Params in_p = Int8Params(in_lo, in_hi), out_p = Int8Params(out_lo, out_hi);
  EXPECT_TRUE(HasParams(qfc.input(0), in_p.scale, in_p.zero_point)) << "range [" << in_lo << ", " << in_hi << "]";
  EXPECT_TRUE(HasParams(qfc.output(0), out_p.scale, out_p.zero_point)) << "range [" << out_lo << ", " << out_hi << "]";
  // The cond is untouched (no float value in it is computed).
  GraphBuilder cq(host().api(), w_node.Subgraph("cond_subgraph_index"));
  EXPECT_EQ(cq.num_nodes(), 1u);
  EXPECT_EQ(cq.input(1).type(), TFLC_TYPE_FLOAT32);
}

}  // namespace
}  // namespace tflc::quant::testing
