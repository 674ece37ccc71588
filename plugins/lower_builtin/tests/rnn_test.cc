// tflc.LSTM and tflc.GRU: structure of the lowered graph, and (with the opset) the numbers of the
// lowered graph against a naive Keras step loop written here.
#include <cmath>
#include <functional>
#include <string>

#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

std::vector<float> Values(size_t n, float scale, float phase) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(0.77f * static_cast<float>(i) + phase);
  return v;
}

float Act(const std::string& name, float x) {
  if (name == "tanh") return std::tanh(x);
  if (name == "sigmoid") return 1.0f / (1.0f + std::exp(-x));
  if (name == "hard_sigmoid") return std::min(1.0f, std::max(0.0f, 0.2f * x + 0.5f));
  if (name == "relu") return std::max(0.0f, x);
  return x;  // linear
}

struct RnnSpec {
  int batch = 1, time = 4, in = 3, units = 2;
  std::string activation = "tanh", recurrent_activation = "sigmoid";
  bool return_sequences = false, go_backwards = false, use_bias = true, reset_after = true;
};

struct RnnWeights {
  std::vector<float> x, kernel, recurrent, bias;
  std::vector<float> h0, c0;  // initial states [units] (batch 1), empty = zeros
};

RnnWeights MakeWeights(const RnnSpec& s, int gates, bool gru) {
  RnnWeights w;
  w.x = Values(static_cast<size_t>(s.batch * s.time * s.in), 1.0f, 0.1f);
  w.kernel = Values(static_cast<size_t>(s.in * gates * s.units), 0.6f, 0.7f);
  w.recurrent = Values(static_cast<size_t>(s.units * gates * s.units), 0.5f, 1.9f);
  size_t nb = static_cast<size_t>(gates * s.units) * (gru && s.reset_after ? 2 : 1);
  if (s.use_bias) w.bias = Values(nb, 0.3f, 2.5f);
  return w;
}

// y[b, :] = x[b, :]·W (W row-major [rows, cols]) for the slice of columns [c0, c0 + n).
std::vector<float> MatVec(const std::vector<float>& x, int rows, const std::vector<float>& w, int cols, int c0, int n) {
  std::vector<float> y(static_cast<size_t>(n), 0.f);
  for (int j = 0; j < n; ++j)
    for (int k = 0; k < rows; ++k) y[j] += x[k] * w[static_cast<size_t>(k * cols + c0 + j)];
  return y;
}

// Keras LSTM (gate order i, f, c, o), zero initial state. Output [b, t, u] or [b, u].
std::vector<float> NaiveLstm(const RnnSpec& s, const RnnWeights& w) {
  const int u = s.units, g = 4 * u;
  std::vector<float> out;
  std::vector<std::vector<float>> seq(static_cast<size_t>(s.batch));
  for (int b = 0; b < s.batch; ++b) {
    std::vector<float> h(u, 0.f), c(u, 0.f);
    if (!w.h0.empty()) h = w.h0;
    if (!w.c0.empty()) c = w.c0;
    for (int step = 0; step < s.time; ++step) {
      int t = s.go_backwards ? s.time - 1 - step : step;
      std::vector<float> xt(w.x.begin() + (b * s.time + t) * s.in, w.x.begin() + (b * s.time + t + 1) * s.in);
      std::vector<float> z = MatVec(xt, s.in, w.kernel, g, 0, g), r = MatVec(h, u, w.recurrent, g, 0, g);
      for (int j = 0; j < g; ++j) z[j] += r[j] + (w.bias.empty() ? 0.f : w.bias[j]);
      for (int j = 0; j < u; ++j) {
        float i = Act(s.recurrent_activation, z[j]), f = Act(s.recurrent_activation, z[u + j]);
        float cc = Act(s.activation, z[2 * u + j]), o = Act(s.recurrent_activation, z[3 * u + j]);
        c[j] = f * c[j] + i * cc;
        h[j] = o * Act(s.activation, c[j]);
      }
      seq[b].insert(seq[b].end(), h.begin(), h.end());
    }
  }
  for (int b = 0; b < s.batch; ++b) {
    if (s.return_sequences) {
      out.insert(out.end(), seq[b].begin(), seq[b].end());
    } else {
      out.insert(out.end(), seq[b].end() - u, seq[b].end());
    }
  }
  return out;
}

// Keras GRU (gate order z, r, h), zero initial state.
std::vector<float> NaiveGru(const RnnSpec& s, const RnnWeights& w) {
  const int u = s.units, g = 3 * u;
  std::vector<float> out;
  for (int b = 0; b < s.batch; ++b) {
    std::vector<float> h(u, 0.f), seq;
    if (!w.h0.empty()) h = w.h0;
    for (int step = 0; step < s.time; ++step) {
      int t = s.go_backwards ? s.time - 1 - step : step;
      std::vector<float> xt(w.x.begin() + (b * s.time + t) * s.in, w.x.begin() + (b * s.time + t + 1) * s.in);
      std::vector<float> mx = MatVec(xt, s.in, w.kernel, g, 0, g);
      if (!w.bias.empty()) {
        for (int j = 0; j < g; ++j) mx[j] += w.bias[j];
      }
      std::vector<float> hn(u);
      if (s.reset_after) {
        std::vector<float> mh = MatVec(h, u, w.recurrent, g, 0, g);
        if (!w.bias.empty()) {
          for (int j = 0; j < g; ++j) mh[j] += w.bias[g + j];
        }
        for (int j = 0; j < u; ++j) {
          float z = Act(s.recurrent_activation, mx[j] + mh[j]);
          float r = Act(s.recurrent_activation, mx[u + j] + mh[u + j]);
          float hh = Act(s.activation, mx[2 * u + j] + r * mh[2 * u + j]);
          hn[j] = z * h[j] + (1 - z) * hh;
        }
      } else {
        std::vector<float> mzr = MatVec(h, u, w.recurrent, g, 0, 2 * u), z(u), rh(u);
        for (int j = 0; j < u; ++j) {
          z[j] = Act(s.recurrent_activation, mx[j] + mzr[j]);
          float r = Act(s.recurrent_activation, mx[u + j] + mzr[u + j]);
          rh[j] = r * h[j];
        }
        std::vector<float> mh = MatVec(rh, u, w.recurrent, g, 2 * u, u);
        for (int j = 0; j < u; ++j) {
          float hh = Act(s.activation, mx[2 * u + j] + mh[j]);
          hn[j] = z[j] * h[j] + (1 - z[j]) * hh;
        }
      }
      h = hn;
      seq.insert(seq.end(), h.begin(), h.end());
    }
    if (s.return_sequences) {
      out.insert(out.end(), seq.begin(), seq.end());
    } else {
      out.insert(out.end(), h.begin(), h.end());
    }
  }
  return out;
}

NodeView BuildRnn(Harness& h, const std::string& op, const RnnSpec& s, const RnnWeights& w, bool gru) {
  const int gates = gru ? 3 : 4;
  std::vector<ValueView> in = {h.In("x", {s.batch, s.time, s.in}),
                               h.F("rnn/kernel", {s.in, gates * s.units}, w.kernel),
                               h.F("rnn/recurrent_kernel", {s.units, gates * s.units}, w.recurrent)};
  if (s.use_bias) {
    if (gru && s.reset_after) {
      in.push_back(h.F("rnn/bias", {2, gates * s.units}, w.bias));
    } else {
      in.push_back(h.F("rnn/bias", {gates * s.units}, w.bias));
    }
  }
  NodeView n = h.Src(op, "model/rnn", in);
  TFLC_EXPECT_OK(n.SetInt("units", s.units));
  TFLC_EXPECT_OK(n.SetString("activation", s.activation));
  TFLC_EXPECT_OK(n.SetString("recurrent_activation", s.recurrent_activation));
  TFLC_EXPECT_OK(n.SetBool("return_sequences", s.return_sequences));
  TFLC_EXPECT_OK(n.SetBool("go_backwards", s.go_backwards));
  TFLC_EXPECT_OK(n.SetBool("time_major", false));
  if (gru) TFLC_EXPECT_OK(n.SetBool("reset_after", s.reset_after));
  return n;
}

// ---- LSTM structure ----

TEST_F(LowerTest, LstmBecomesSequenceLstmWithTfliteInputOrder) {
  RnnSpec s;
  BuildRnn(h, "tflc.LSTM", s, MakeWeights(s, 4, false), false);
  TFLC_ASSERT_OK(h.Lower());
  NodeView l = h.One("UNIDIRECTIONAL_SEQUENCE_LSTM");
  EXPECT_EQ(l.name(), "model/rnn");
  ASSERT_EQ(l.num_inputs(), 24u);
  EXPECT_EQ(l.input(0).name(), "x");
  // 1-4: input weights from one SPLIT of TRANSPOSE(kernel), in gate order.
  NodeView split = l.input(1).producer();
  ASSERT_TRUE(split);
  EXPECT_EQ(split.op(), "SPLIT");
  EXPECT_EQ(Harness::Int(split, "num_splits"), 4);
  EXPECT_EQ(Harness::I32(split.input(0)), std::vector<int32_t>{0});
  NodeView kt = split.input(1).producer();
  EXPECT_EQ(kt.op(), "TRANSPOSE");
  EXPECT_EQ(kt.input(0).name(), "rnn/kernel");
  for (size_t k = 0; k < 4; ++k) EXPECT_EQ(l.input(1 + k).get(), split.output(k).get()) << k;
  NodeView rsplit = l.input(5).producer();
  EXPECT_EQ(rsplit.input(1).producer().input(0).name(), "rnn/recurrent_kernel");
  for (size_t k = 0; k < 4; ++k) EXPECT_EQ(l.input(5 + k).get(), rsplit.output(k).get()) << k;
  for (size_t k : {9u, 10u, 11u, 16u, 17u, 20u, 21u, 22u, 23u}) EXPECT_FALSE(l.input(k)) << "input " << k;
  NodeView bsplit = l.input(12).producer();
  EXPECT_EQ(bsplit.input(1).name(), "rnn/bias");
  for (size_t k = 0; k < 4; ++k) EXPECT_EQ(l.input(12 + k).get(), bsplit.output(k).get()) << k;
  // 18-19: zero variable states [batch, units].
  for (size_t k : {18u, 19u}) {
    ValueView st = l.input(k);
    ASSERT_TRUE(st);
    EXPECT_FALSE(st.producer());
    EXPECT_EQ(st.dims(), (std::vector<int64_t>{1, 2}));
  }
  EXPECT_EQ(l.input(18).name(), "model/rnn/output_state");
  EXPECT_EQ(l.input(19).name(), "model/rnn/cell_state");
  EXPECT_EQ(Harness::Int(l, "fused_activation_function"), 4);
  EXPECT_DOUBLE_EQ(Harness::Float(l, "cell_clip"), 0.0);
  EXPECT_DOUBLE_EQ(Harness::Float(l, "proj_clip"), 0.0);
  EXPECT_EQ(Harness::Int(l, "time_major"), 0);
  EXPECT_EQ(Harness::Int(l, "asymmetric_quantize_inputs"), 0);
  // return_sequences = false: the last step.
  NodeView last = h.OutputProducer(0);
  EXPECT_EQ(last.op(), "STRIDED_SLICE");
  EXPECT_EQ(last.name(), "model/rnn/last_step");
  EXPECT_EQ(last.input(0).get(), l.output(0).get());
  EXPECT_EQ(Harness::I32(last.input(1)), (std::vector<int32_t>{0, -1, 0}));
  EXPECT_EQ(Harness::Int(last, "begin_mask"), 5);
  EXPECT_EQ(Harness::Int(last, "end_mask"), 5);
  EXPECT_EQ(Harness::Int(last, "shrink_axis_mask"), 2);
}

TEST_F(LowerTest, LstmStatesAreVariables) {
  RnnSpec s;
  BuildRnn(h, "tflc.LSTM", s, MakeWeights(s, 4, false), false);
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_NE(h.host().Dump().find("model/rnn/output_state FLOAT32[1,2] var"), std::string::npos) << h.host().Dump();
  EXPECT_NE(h.host().Dump().find("model/rnn/cell_state FLOAT32[1,2] var"), std::string::npos);
}

TEST_F(LowerTest, LstmReturnSequencesGoBackwardsNoBias) {
  RnnSpec s;
  s.return_sequences = true;
  s.go_backwards = true;
  s.use_bias = false;
  s.activation = "relu";
  BuildRnn(h, "tflc.LSTM", s, MakeWeights(s, 4, false), false);
  TFLC_ASSERT_OK(h.Lower());
  NodeView l = h.One("UNIDIRECTIONAL_SEQUENCE_LSTM");
  EXPECT_EQ(h.OutputProducer(0).get(), l.get());
  NodeView rev = l.input(0).producer();
  EXPECT_EQ(rev.op(), "REVERSE_V2");
  EXPECT_EQ(Harness::I32(rev.input(1)), std::vector<int32_t>{1});
  for (size_t k = 12; k < 16; ++k) {
    EXPECT_EQ(Harness::F32(l.input(k)), std::vector<float>(2, 0.f)) << k;
  }
  EXPECT_EQ(Harness::Int(l, "fused_activation_function"), 1);
  EXPECT_TRUE(h.All("STRIDED_SLICE").empty());
}

TEST_F(LowerTest, LstmWithHardSigmoidIsUnrolled) {
  RnnSpec s;
  s.recurrent_activation = "hard_sigmoid";
  BuildRnn(h, "tflc.LSTM", s, MakeWeights(s, 4, false), false);
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_TRUE(h.All("UNIDIRECTIONAL_SEQUENCE_LSTM").empty());
  EXPECT_EQ(h.All("UNPACK").size(), 1u);
  EXPECT_EQ(h.All("FULLY_CONNECTED").size(), 8u);  // input + recurrent matmul per step
  EXPECT_EQ(h.OutputProducer(0).name(), "model/rnn/step3/h");
}

TEST_F(LowerTest, LstmRejectsUnknownActivation) {
  RnnSpec s;
  s.activation = "softsign";
  BuildRnn(h, "tflc.LSTM", s, MakeWeights(s, 4, false), false);
  Status st = h.Lower();
  EXPECT_EQ(st.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(st.message().find("activation"), std::string::npos) << st;
  EXPECT_NE(st.message().find("model/rnn"), std::string::npos) << st;
}

TEST_F(LowerTest, LstmChecksUnits) {
  RnnSpec s;
  NodeView n = BuildRnn(h, "tflc.LSTM", s, MakeWeights(s, 4, false), false);
  TFLC_ASSERT_OK(n.SetInt("units", 3));
  Status st = h.Lower();
  EXPECT_EQ(st.code(), TFLC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(st.message().find("recurrent_kernel"), std::string::npos) << st;
}

// ---- GRU structure ----

TEST_F(LowerTest, GruUnrollsOverTime) {
  RnnSpec s;
  s.return_sequences = true;
  BuildRnn(h, "tflc.GRU", s, MakeWeights(s, 3, true), true);
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.All("UNPACK").size(), 2u);  // time steps + the [2, 3u] bias
  EXPECT_EQ(h.All("FULLY_CONNECTED").size(), 8u);
  EXPECT_EQ(h.All("LOGISTIC").size(), 8u);
  EXPECT_EQ(h.All("TANH").size(), 4u);
  NodeView pack = h.OutputProducer(0);
  EXPECT_EQ(pack.op(), "PACK");
  EXPECT_EQ(pack.name(), "model/rnn");
  EXPECT_EQ(Harness::Int(pack, "values_count"), 4);
  EXPECT_EQ(Harness::Int(pack, "axis"), 1);
  for (const NodeView& n : h.Nodes()) EXPECT_EQ(n.name().rfind("model/rnn", 0), 0u) << n.name();
}

TEST_F(LowerTest, GruWithoutResetAfterSplitsRecurrentKernel) {
  RnnSpec s;
  s.reset_after = false;
  BuildRnn(h, "tflc.GRU", s, MakeWeights(s, 3, true), true);
  TFLC_ASSERT_OK(h.Lower());
  NodeView sv = h.One("SPLIT_V");
  EXPECT_EQ(Harness::I32(sv.input(1)), (std::vector<int32_t>{4, 2}));
  EXPECT_EQ(h.All("FULLY_CONNECTED").size(), 12u);  // input, z/r recurrent, candidate per step
  EXPECT_EQ(h.OutputProducer(0).name(), "model/rnn/step3/h");
}

TEST_F(LowerTest, GruNeedsStaticTime) {
  RnnSpec s;
  NodeView relu = h.Src("Relu", "relu", {h.In("x0", {1, 4, 3})}, 1, false);  // shape unknown while lowering
  RnnWeights w = MakeWeights(s, 3, true);
  NodeView n = h.Src("tflc.GRU", "model/gru", {relu.output(0), h.F("k", {3, 6}, w.kernel), h.F("r", {2, 6}, w.recurrent)});
  TFLC_ASSERT_OK(n.SetInt("units", 2));
  Status st = h.Lower();
  EXPECT_EQ(st.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(st.message().find("time steps"), std::string::npos) << st;
}

TEST_F(LowerTest, GruRejectsTwoRowBiasWithoutResetAfter) {
  RnnSpec s;
  RnnWeights w = MakeWeights(s, 3, true);  // bias [2, 6]
  s.reset_after = false;
  NodeView n = h.Src("tflc.GRU", "model/gru", {h.In("x", {1, 4, 3}), h.F("k", {3, 6}, w.kernel),
                                               h.F("r", {2, 6}, w.recurrent), h.F("b", {2, 6}, w.bias)});
  TFLC_ASSERT_OK(n.SetBool("reset_after", false));
  Status st = h.Lower();
  EXPECT_EQ(st.code(), TFLC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(st.message().find("reset_after"), std::string::npos) << st;
}


// Lowerings read shapes before the opset's shape inference runs, so the shapes a frontend put on
// source outputs are carried over to the replacement values: a GRU stacked on another RNN still
// knows its number of time steps.
TEST_F(LowerTest, StackedRnnSeesTheShapesTheFrontendSet) {
  RnnSpec s;
  s.return_sequences = true;
  RnnWeights w1 = MakeWeights(s, 4, false), w2 = MakeWeights(s, 3, true);
  NodeView lstm = h.Src("tflc.LSTM", "model/lstm",
                        {h.In("x", {1, 4, 3}), h.F("k1", {3, 8}, w1.kernel), h.F("r1", {2, 8}, w1.recurrent)}, 1, false);
  TFLC_ASSERT_OK(lstm.SetInt("units", 2));
  TFLC_ASSERT_OK(lstm.SetBool("return_sequences", true));
  TFLC_ASSERT_OK(lstm.output(0).SetShape(TFLC_TYPE_FLOAT32, {1, 4, 2}));  // as the frontend does
  NodeView gru = h.Src("tflc.GRU", "model/gru", {lstm.output(0), h.F("k2", {2, 6}, std::vector<float>(12, 0.1f)),
                                                 h.F("r2", {2, 6}, w2.recurrent)});
  TFLC_ASSERT_OK(gru.SetInt("units", 2));
  TFLC_ASSERT_OK(h.Lower());
  NodeView l = h.One("UNIDIRECTIONAL_SEQUENCE_LSTM");
  EXPECT_EQ(l.output(0).dims(), (std::vector<int64_t>{1, 4, 2}));
  EXPECT_EQ(Harness::Int(h.One("UNPACK"), "num"), 4);
}

// ---- numerics ----

struct RnnCase {
  const char* name;
  bool gru;
  RnnSpec spec;
};

class RnnNumeric : public ::testing::TestWithParam<RnnCase> {};

TEST_P(RnnNumeric, MatchesKerasStepLoop) {
  REQUIRE_OPSET();
  const RnnCase& c = GetParam();
  Harness h;
  RnnWeights w = MakeWeights(c.spec, c.gru ? 3 : 4, c.gru);
  BuildRnn(h, c.gru ? "tflc.GRU" : "tflc.LSTM", c.spec, w, c.gru);
  std::vector<float> expected = c.gru ? NaiveGru(c.spec, w) : NaiveLstm(c.spec, w);
  RUN_OR_SKIP(out, h, {HostTensor::Float({c.spec.batch, c.spec.time, c.spec.in}, w.x)});
  std::vector<int64_t> dims = c.spec.return_sequences
                                  ? std::vector<int64_t>{c.spec.batch, c.spec.time, c.spec.units}
                                  : std::vector<int64_t>{c.spec.batch, c.spec.units};
  EXPECT_EQ(out[0].dims, dims);
  ExpectNear(out[0].floats(), expected, 1e-5f);
}

RnnSpec Spec(std::function<void(RnnSpec&)> f) {
  RnnSpec s;
  f(s);
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RnnNumeric,
    ::testing::Values(
        RnnCase{"lstm_last", false, Spec([](RnnSpec&) {})},
        RnnCase{"lstm_seq_batch2", false, Spec([](RnnSpec& s) { s.return_sequences = true; s.batch = 2; })},
        RnnCase{"lstm_backwards_nobias", false, Spec([](RnnSpec& s) { s.go_backwards = true; s.use_bias = false; })},
        RnnCase{"lstm_relu", false, Spec([](RnnSpec& s) { s.activation = "relu"; s.return_sequences = true; })},
        RnnCase{"lstm_unrolled_hard_sigmoid", false,
                Spec([](RnnSpec& s) { s.recurrent_activation = "hard_sigmoid"; s.return_sequences = true; })},
        RnnCase{"lstm_unrolled_linear", false, Spec([](RnnSpec& s) { s.activation = "linear"; })},
        RnnCase{"gru_reset_after", true, Spec([](RnnSpec&) {})},
        RnnCase{"gru_reset_after_seq_batch2", true,
                Spec([](RnnSpec& s) { s.return_sequences = true; s.batch = 2; })},
        RnnCase{"gru_reset_before", true, Spec([](RnnSpec& s) { s.reset_after = false; })},
        RnnCase{"gru_reset_before_seq_backwards", true,
                Spec([](RnnSpec& s) { s.reset_after = false; s.return_sequences = true; s.go_backwards = true; })},
        RnnCase{"gru_nobias_hard_sigmoid", true,
                Spec([](RnnSpec& s) { s.use_bias = false; s.recurrent_activation = "hard_sigmoid"; })}),
    [](const ::testing::TestParamInfo<RnnCase>& i) { return std::string(i.param.name); });


TEST_F(LowerTest, LstmExportsWithVariableStates) {
  REQUIRE_OPSET();
  RnnSpec s;
  BuildRnn(h, "tflc.LSTM", s, MakeWeights(s, 4, false), false);
  TFLC_ASSERT_OK(h.host().RunPipeline());
  // Weight transposes and splits are folded away: only the LSTM and the last-step slice remain.
  EXPECT_EQ(h.OpsString(), "UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE") << h.host().Dump();
  NodeView l = h.One("UNIDIRECTIONAL_SEQUENCE_LSTM");
  for (size_t k = 1; k <= 8; ++k) {
    EXPECT_TRUE(l.input(k).is_const()) << k;
    EXPECT_EQ(l.input(k).dims(), (std::vector<int64_t>{2, k <= 4 ? 3 : 2})) << k;
  }
  auto bytes = h.host().Export();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
}

// ---- SimpleRNN, return_state, initial_state ----

// Keras SimpleRNN: h = act(x·W + b + h·U), from h0 (or zeros). Output [b, t, u] or [b, u].
std::vector<float> NaiveSimple(const RnnSpec& s, const RnnWeights& w) {
  const int u = s.units;
  std::vector<float> out;
  for (int b = 0; b < s.batch; ++b) {
    std::vector<float> h(u, 0.f), seq;
    if (!w.h0.empty()) h = w.h0;
    for (int step = 0; step < s.time; ++step) {
      int t = s.go_backwards ? s.time - 1 - step : step;
      std::vector<float> xt(w.x.begin() + (b * s.time + t) * s.in, w.x.begin() + (b * s.time + t + 1) * s.in);
      std::vector<float> z = MatVec(xt, s.in, w.kernel, u, 0, u), r = MatVec(h, u, w.recurrent, u, 0, u);
      for (int j = 0; j < u; ++j) h[j] = Act(s.activation, z[j] + r[j] + (w.bias.empty() ? 0.f : w.bias[j]));
      seq.insert(seq.end(), h.begin(), h.end());
    }
    if (s.return_sequences) {
      out.insert(out.end(), seq.begin(), seq.end());
    } else {
      out.insert(out.end(), h.begin(), h.end());
    }
  }
  return out;
}

NodeView BuildSimple(Harness& h, const RnnSpec& s, const RnnWeights& w, size_t num_outputs = 1) {
  std::vector<ValueView> in = {h.In("x", {s.batch, s.time, s.in}), h.F("rnn/kernel", {s.in, s.units}, w.kernel),
                               h.F("rnn/recurrent_kernel", {s.units, s.units}, w.recurrent)};
  if (s.use_bias) in.push_back(h.F("rnn/bias", {s.units}, w.bias));
  NodeView n = h.Src("tflc.SimpleRNN", "model/rnn", in, num_outputs);
  TFLC_EXPECT_OK(n.SetInt("units", s.units));
  TFLC_EXPECT_OK(n.SetString("activation", s.activation));
  TFLC_EXPECT_OK(n.SetBool("return_sequences", s.return_sequences));
  TFLC_EXPECT_OK(n.SetBool("go_backwards", s.go_backwards));
  return n;
}

TEST_F(LowerTest, SimpleRnnUnrollsOverTime) {
  RnnSpec s;
  s.return_sequences = true;
  BuildSimple(h, s, MakeWeights(s, 1, false));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.All("FULLY_CONNECTED").size(), 8u);  // input (with bias) + recurrent matmul per step
  EXPECT_EQ(h.All("ADD").size(), 4u);
  EXPECT_EQ(h.All("TANH").size(), 4u);
  EXPECT_TRUE(h.All("RNN").empty());
  EXPECT_TRUE(h.All("UNIDIRECTIONAL_SEQUENCE_RNN").empty());
  NodeView fc = h.All("FULLY_CONNECTED")[0];
  EXPECT_EQ(fc.name(), "model/rnn/step0/input_matmul");
  EXPECT_EQ(fc.input(2).name(), "rnn/bias");
  EXPECT_EQ(fc.input(1).producer().op(), "TRANSPOSE");
  NodeView pack = h.OutputProducer(0);
  EXPECT_EQ(pack.op(), "PACK");
  EXPECT_EQ(Harness::Int(pack, "values_count"), 4);
  EXPECT_EQ(Harness::Int(pack, "axis"), 1);
}

TEST_F(LowerTest, SimpleRnnLastStepWithoutBias) {
  RnnSpec s;
  s.use_bias = false;
  s.go_backwards = true;
  BuildSimple(h, s, MakeWeights(s, 1, false));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_TRUE(h.All("PACK").empty());
  EXPECT_EQ(h.OutputProducer(0).name(), "model/rnn/step3/h");
  EXPECT_FALSE(h.All("FULLY_CONNECTED")[0].input(2));
}

TEST_F(LowerTest, SimpleRnnRejectsUnknownActivation) {
  RnnSpec s;
  s.activation = "softsign";
  BuildSimple(h, s, MakeWeights(s, 1, false));
  Status st = h.Lower();
  EXPECT_EQ(st.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(st.message().find("activation"), std::string::npos) << st;
}

TEST_F(LowerTest, LstmReturnStateWithCellStateIsUnrolled) {
  RnnSpec s;
  RnnWeights w = MakeWeights(s, 4, false);
  NodeView n = h.Src("tflc.LSTM", "model/rnn",
                     {h.In("x", {1, 4, 3}), h.F("k", {3, 8}, w.kernel), h.F("r", {2, 8}, w.recurrent),
                      h.F("b", {8}, w.bias)},
                     3);  // [y, h, c], all read
  TFLC_ASSERT_OK(n.SetInt("units", 2));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_TRUE(h.All("UNIDIRECTIONAL_SEQUENCE_LSTM").empty());
  EXPECT_EQ(h.OutputProducer(0).name(), "model/rnn/step3/h");
  EXPECT_EQ(h.Output(1).get(), h.Output(0).get());
  EXPECT_EQ(h.OutputProducer(2).name(), "model/rnn/step3/c");
}

TEST_F(LowerTest, LstmReturnStateHiddenOnlyStaysFused) {
  RnnSpec s;
  RnnWeights w = MakeWeights(s, 4, false);
  NodeView n = h.Src("tflc.LSTM", "model/rnn",
                     {h.In("x", {1, 4, 3}), h.F("k", {3, 8}, w.kernel), h.F("r", {2, 8}, w.recurrent)}, 3, false);
  TFLC_ASSERT_OK(n.SetInt("units", 2));
  TFLC_ASSERT_OK(n.SetBool("return_sequences", true));
  TFLC_ASSERT_OK(h.g().Output(n.output(0), "y"));
  TFLC_ASSERT_OK(h.g().Output(n.output(1), "h"));  // c (output 2) is not read
  TFLC_ASSERT_OK(h.Lower());
  NodeView l = h.One("UNIDIRECTIONAL_SEQUENCE_LSTM");
  EXPECT_EQ(h.OutputProducer(0).get(), l.get());
  NodeView last = h.OutputProducer(1);
  EXPECT_EQ(last.op(), "STRIDED_SLICE");
  EXPECT_EQ(last.input(0).get(), l.output(0).get());
}

TEST_F(LowerTest, InitialStatesNeedTheBiasSlot) {
  RnnSpec s;
  RnnWeights w = MakeWeights(s, 1, false);
  NodeView n = h.Src("tflc.SimpleRNN", "model/rnn",
                     {h.In("x", {1, 4, 3}), h.F("k", {3, 2}, w.kernel), h.F("r", {2, 2}, w.recurrent), h.In("h0", {1, 2})});
  TFLC_ASSERT_OK(n.SetInt("units", 2));
  TFLC_ASSERT_OK(n.SetInt("num_initial_states", 1));
  Status st = h.Lower();
  EXPECT_EQ(st.code(), TFLC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(st.message().find("num_initial_states"), std::string::npos) << st;
}

// Numerics: [y, h(, c)] with initial states fed as graph inputs, against the step loops above.
struct StateCase {
  const char* name;
  const char* op;  // tflc.SimpleRNN / tflc.LSTM / tflc.GRU
  RnnSpec spec;
  bool initial_state;
};

class RnnStateNumeric : public ::testing::TestWithParam<StateCase> {};

TEST_P(RnnStateNumeric, MatchesKerasStepLoop) {
  REQUIRE_OPSET();
  const StateCase& c = GetParam();
  const std::string op = c.op;
  const bool lstm = op == "tflc.LSTM", gru = op == "tflc.GRU";
  const int gates = lstm ? 4 : gru ? 3 : 1;
  const RnnSpec& s = c.spec;
  Harness h;
  RnnWeights w = MakeWeights(s, gates, gru);
  const int num_states = lstm ? 2 : 1;
  std::vector<ValueView> in = {h.In("x", {1, s.time, s.in}), h.F("k", {s.in, gates * s.units}, w.kernel),
                               h.F("r", {s.units, gates * s.units}, w.recurrent)};
  const int64_t nb = gates * s.units * (gru && s.reset_after ? 2 : 1);
  std::vector<int64_t> bdims = gru && s.reset_after ? std::vector<int64_t>{2, gates * s.units}
                                                    : std::vector<int64_t>{gates * s.units};
  std::vector<HostTensor> feeds = {HostTensor::Float({1, s.time, s.in}, w.x)};
  if (c.initial_state) {
    if (w.bias.empty()) w.bias.assign(static_cast<size_t>(nb), 0.f);
    in.push_back(h.F("b", bdims, w.bias));
    w.h0 = Values(static_cast<size_t>(s.units), 0.8f, 0.4f);
    in.push_back(h.In("h0", {1, s.units}));
    feeds.push_back(HostTensor::Float({1, s.units}, w.h0));
    if (lstm) {
      w.c0 = Values(static_cast<size_t>(s.units), 0.9f, 1.3f);
      in.push_back(h.In("c0", {1, s.units}));
      feeds.push_back(HostTensor::Float({1, s.units}, w.c0));
    }
  } else if (s.use_bias) {
    in.push_back(h.F("b", bdims, w.bias));
  }
  NodeView n = h.Src(op, "model/rnn", in, 1 + static_cast<size_t>(num_states));
  TFLC_ASSERT_OK(n.SetInt("units", s.units));
  TFLC_ASSERT_OK(n.SetString("activation", s.activation));
  TFLC_ASSERT_OK(n.SetBool("return_sequences", s.return_sequences));
  TFLC_ASSERT_OK(n.SetBool("go_backwards", s.go_backwards));
  if (gru) TFLC_ASSERT_OK(n.SetBool("reset_after", s.reset_after));
  if (c.initial_state) TFLC_ASSERT_OK(n.SetInt("num_initial_states", num_states));
  RUN_OR_SKIP(out, h, feeds);
  ASSERT_EQ(out.size(), 1u + static_cast<size_t>(num_states));
  std::vector<float> y = lstm ? NaiveLstm(s, w) : gru ? NaiveGru(s, w) : NaiveSimple(s, w);
  ExpectNear(out[0].floats(), y, 1e-5f);
  RnnSpec last = s;
  last.return_sequences = false;
  ExpectNear(out[1].floats(), lstm ? NaiveLstm(last, w) : gru ? NaiveGru(last, w) : NaiveSimple(last, w), 1e-5f);
  if (lstm) {
    // The final cell state c, recomputed with the same step loop.
    const int u = s.units, g = 4 * u;
    std::vector<float> hh(u, 0.f), cc(u, 0.f);
    if (!w.h0.empty()) hh = w.h0;
    if (!w.c0.empty()) cc = w.c0;
    for (int step = 0; step < s.time; ++step) {
      int t = s.go_backwards ? s.time - 1 - step : step;
      std::vector<float> xt(w.x.begin() + t * s.in, w.x.begin() + (t + 1) * s.in);
      std::vector<float> z = MatVec(xt, s.in, w.kernel, g, 0, g), r = MatVec(hh, u, w.recurrent, g, 0, g);
      for (int j = 0; j < g; ++j) z[j] += r[j] + (w.bias.empty() ? 0.f : w.bias[j]);
      for (int j = 0; j < u; ++j) {
        float i = Act(s.recurrent_activation, z[j]), f = Act(s.recurrent_activation, z[u + j]);
        cc[j] = f * cc[j] + i * Act(s.activation, z[2 * u + j]);
        hh[j] = Act(s.recurrent_activation, z[3 * u + j]) * Act(s.activation, cc[j]);
      }
    }
    ExpectNear(out[2].floats(), cc, 1e-5f);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RnnStateNumeric,
    ::testing::Values(
        StateCase{"simple_seq", "tflc.SimpleRNN", Spec([](RnnSpec& s) { s.return_sequences = true; }), false},
        StateCase{"simple_backwards_relu_nobias_init", "tflc.SimpleRNN",
                  Spec([](RnnSpec& s) { s.go_backwards = true; s.activation = "relu"; s.use_bias = false; }), true},
        StateCase{"lstm_states", "tflc.LSTM", Spec([](RnnSpec&) {}), false},
        StateCase{"lstm_seq_backwards_init", "tflc.LSTM",
                  Spec([](RnnSpec& s) { s.return_sequences = true; s.go_backwards = true; }), true},
        StateCase{"gru_backwards_init", "tflc.GRU", Spec([](RnnSpec& s) { s.go_backwards = true; }), true},
        StateCase{"gru_reset_before_nobias_init", "tflc.GRU",
                  Spec([](RnnSpec& s) { s.reset_after = false; s.use_bias = false; }), true}),
    [](const ::testing::TestParamInfo<StateCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace tflc::lower_builtin::testing
