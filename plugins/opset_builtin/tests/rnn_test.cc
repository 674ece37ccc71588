// UNIDIRECTIONAL_SEQUENCE_LSTM: shapes and the float kernel against the LSTM equations.
#include <algorithm>
#include <cmath>

#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class RnnTest : public OpsetTest {};

float Sig(float x) { return 1.f / (1.f + std::exp(-x)); }

// 24 LSTM inputs for n_input = 1, n_cell = 1 with the given scalar weights.
std::vector<Tensor> ScalarLstm(const std::vector<float>& x, int steps, float wi, float wf, float wc, float wo, float ri,
                               float rf, float rc, float ro, float bi, float bf, float bc, float bo, bool cifg) {
  auto s = [](float v) { return F({1, 1}, {v}); };
  auto b = [](float v) { return F({1}, {v}); };
  std::vector<Tensor> in(24, Omitted());
  in[0] = F({1, steps, 1}, x);
  if (!cifg) in[1] = s(wi);
  in[2] = s(wf);
  in[3] = s(wc);
  in[4] = s(wo);
  if (!cifg) in[5] = s(ri);
  in[6] = s(rf);
  in[7] = s(rc);
  in[8] = s(ro);
  if (!cifg) in[12] = b(bi);
  in[13] = b(bf);
  in[14] = b(bc);
  in[15] = b(bo);
  in[18] = F({1, 1}, {0});  // output state
  in[19] = F({1, 1}, {0});  // cell state
  return in;
}

TEST_F(RnnTest, TwoStepsMatchTheLstmEquations) {
  const float wi = 0.5f, wf = -0.5f, wc = 1.f, wo = 0.3f, ri = 0.1f, rf = 0.2f, rc = -0.3f, ro = 0.4f;
  const float bi = 0.f, bf = 1.f, bc = 0.f, bo = 0.1f;
  const std::vector<float> x = {1, 2};
  float h = 0, c = 0;
  std::vector<float> want;
  for (float xt : x) {
    const float i = Sig(wi * xt + ri * h + bi);
    const float f = Sig(wf * xt + rf * h + bf);
    const float g = std::tanh(wc * xt + rc * h + bc);
    const float o = Sig(wo * xt + ro * h + bo);
    c = f * c + i * g;
    h = o * std::tanh(c);
    want.push_back(h);
  }
  Tensor y = Fold1("UNIDIRECTIONAL_SEQUENCE_LSTM", ScalarLstm(x, 2, wi, wf, wc, wo, ri, rf, rc, ro, bi, bf, bc, bo, false),
                   {{"fused_activation_function", 4}, {"time_major", false}});
  EXPECT_EQ(y.dims, (Dims{1, 2, 1}));
  ExpectNear(y.f(), want, 1e-6f);
}

TEST_F(RnnTest, CifgCouplesInputAndForgetGates) {
  const float wf = 0.7f, wc = -1.f, wo = 0.2f, rf = 0.f, rc = 0.5f, ro = -0.1f, bf = 0.f, bc = 0.3f, bo = 0.f;
  const std::vector<float> x = {0.5f, -1.f, 2.f};
  float h = 0, c = 0;
  std::vector<float> want;
  for (float xt : x) {
    const float f = Sig(wf * xt + rf * h + bf);
    const float g = std::tanh(wc * xt + rc * h + bc);
    const float o = Sig(wo * xt + ro * h + bo);
    c = f * c + (1.f - f) * g;
    h = o * std::tanh(c);
    want.push_back(h);
  }
  Tensor y = Fold1("UNIDIRECTIONAL_SEQUENCE_LSTM", ScalarLstm(x, 3, 0, wf, wc, wo, 0, rf, rc, ro, 0, bf, bc, bo, true),
                   {{"fused_activation_function", 4}});
  ExpectNear(y.f(), want, 1e-6f);
}

TEST_F(RnnTest, TimeMajorPeepholesProjectionAndClips) {
  // time-major [time 2, batch 2, input 1]; peepholes on all gates; projection to one output with
  // bias; cell clip 0.6 and projection clip 1.5; RELU as the cell activation.
  const float wi = 0.9f, wf = 0.4f, wc = 1.5f, wo = -0.6f, ri = 0.3f, rf = -0.2f, rc = 0.7f, ro = 0.5f;
  const float pi = 0.2f, pf = 0.5f, po = 0.3f, pw = 2.f, pb = 0.1f;
  const std::vector<float> x = {1.f, -0.5f, 0.8f, 2.f};  // [t][b]
  std::vector<float> h(2, 0.f), c(2, 0.f), want(4);
  for (int t = 0; t < 2; ++t) {
    for (int b = 0; b < 2; ++b) {
      const float xt = x[static_cast<size_t>(t * 2 + b)];
      const float i = Sig(wi * xt + ri * h[b] + pi * c[b]);
      const float f = Sig(wf * xt + rf * h[b] + pf * c[b]);
      const float g = std::max(0.f, wc * xt + rc * h[b]);
      float cn = f * c[b] + i * g;
      cn = std::min(0.6f, std::max(-0.6f, cn));
      const float o = Sig(wo * xt + ro * h[b] + po * cn);
      const float hc = o * std::max(0.f, cn);
      const float hp = std::min(1.5f, std::max(-1.5f, pw * hc + pb));
      c[b] = cn;
      h[b] = hp;
      want[static_cast<size_t>(t * 2 + b)] = hp;
    }
  }
  auto s = [](float v) { return F({1, 1}, {v}); };
  auto v1 = [](float v) { return F({1}, {v}); };
  std::vector<Tensor> in(24, Omitted());
  in[0] = F({2, 2, 1}, x);
  in[1] = s(wi); in[2] = s(wf); in[3] = s(wc); in[4] = s(wo);
  in[5] = s(ri); in[6] = s(rf); in[7] = s(rc); in[8] = s(ro);
  in[9] = v1(pi); in[10] = v1(pf); in[11] = v1(po);
  in[12] = v1(0); in[13] = v1(0); in[14] = v1(0); in[15] = v1(0);
  in[16] = s(pw); in[17] = v1(pb);
  in[18] = F({2, 1}, {0, 0});
  in[19] = F({2, 1}, {0, 0});
  Tensor y = Fold1("UNIDIRECTIONAL_SEQUENCE_LSTM", in,
                   {{"fused_activation_function", 1}, {"time_major", true}, {"cell_clip", 0.6}, {"proj_clip", 1.5}});
  EXPECT_EQ(y.dims, (Dims{2, 2, 1}));
  ExpectNear(y.f(), want, 1e-6f);
}

TEST_F(RnnTest, Shapes) {
  // batch 2, time 10, input 3, units 4 (Keras gate order is i, f, c, o; weights are [units, in]).
  std::vector<ValueView> in(24, ValueView());
  in[0] = Input(TFLC_TYPE_FLOAT32, {2, 10, 3});
  for (int k = 1; k <= 4; ++k) in[k] = Const(F({4, 3}, std::vector<float>(12)));
  for (int k = 5; k <= 8; ++k) in[k] = Const(F({4, 4}, std::vector<float>(16)));
  for (int k = 12; k <= 15; ++k) in[k] = Const(F({4}, std::vector<float>(4)));
  in[18] = Const(F({2, 4}, std::vector<float>(8)));
  in[19] = Const(F({2, 4}, std::vector<float>(8)));
  NodeView n;
  TFLC_ASSERT_OK(InferOne("UNIDIRECTIONAL_SEQUENCE_LSTM", in, {{"fused_activation_function", 4}}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{2, 10, 4}));
  EXPECT_EQ(n.output(0).type(), TFLC_TYPE_FLOAT32);
}

TEST_F(RnnTest, RejectsInputSizeMismatch) {
  std::vector<Arg> in(24, Arg(Omitted()));
  in[0] = Arg::In(TFLC_TYPE_FLOAT32, {1, 5, 3});
  for (int k = 2; k <= 4; ++k) in[k] = F({4, 2}, std::vector<float>(8));
  for (int k = 6; k <= 8; ++k) in[k] = F({4, 4}, std::vector<float>(16));
  for (int k = 13; k <= 15; ++k) in[k] = F({4}, std::vector<float>(4));
  EXPECT_TRUE(StatusHas(ShapeStatus("UNIDIRECTIONAL_SEQUENCE_LSTM", in), TFLC_CODE_INVALID_ARGUMENT,
                        "input size 3 != input_to_output_weights [4,2]"));
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
