// While → tflc.LSTM / tflc.GRU (rnn_loop.cc): a While whose body is an LSTM step over a time-major
// input list fuses into UNIDIRECTIONAL_SEQUENCE_LSTM, a GRU step (reset_after) into the unrolled GRU
// (both checked against naive Keras loops written here); near misses (a tanh output gate, a trip
// count shorter than the list, a GRU update using the reset gate) stay a WHILE.
//
// The cond and body subgraphs are built directly from builtin ops, as the host hands them to the
// While row after lowering them (TensorListGetItem = GATHER, SetItem = SELECT_V2 of a one-hot mask).
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

constexpr int64_t kT = 3, kB = 1, kIn = 2, kU = 2;

struct LoopSpec {
  bool tanh_output_gate = false;  // near miss: o = tanh(z3)
  int32_t limit = kT;             // cond: time < limit
};

std::vector<float> Wave(size_t n, float scale, float phase) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(0.91f * static_cast<float>(i) + phase);
  return v;
}

// Keras layout: kernel [in, 4u], recurrent [u, 4u], bias [4u].
struct Weights {
  std::vector<float> kernel = Wave(kIn * 4 * kU, 0.7f, 0.3f);
  std::vector<float> recurrent = Wave(kU * 4 * kU, 0.6f, 1.1f);
  std::vector<float> bias = Wave(4 * kU, 0.2f, 2.0f);
};

// [rows, cols] → [cols, rows] (FULLY_CONNECTED weights).
std::vector<float> Transposed(const std::vector<float>& m, int64_t rows, int64_t cols) {
  std::vector<float> t(m.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t[static_cast<size_t>(c * rows + r)] = m[static_cast<size_t>(r * cols + c)];
  return t;
}

NodeView Op(const GraphBuilder& g, const std::string& op, const std::string& name, const std::vector<ValueView>& in,
            const std::vector<int64_t>& dims, TflcDataType type = TFLC_TYPE_FLOAT32, size_t outs = 1) {
  NodeView n = Check(g.Builtin(op, name, in, outs), "Builtin");
  for (size_t k = 0; k < outs; ++k) TFLC_EXPECT_OK(n.output(k).SetShape(type, dims));
  if (op == "ADD" || op == "MUL" || op == "FULLY_CONNECTED") TFLC_EXPECT_OK(n.SetInt("fused_activation_function", 0));
  return n;
}

// The cell of one step: new states (h first) from x_t and the state inputs of the body.
using CellFn = std::function<std::vector<ValueView>(const GraphBuilder& body, const ValueView& x_t,
                                                    const std::vector<ValueView>& states)>;

// Main graph: x [T, B, in] → While(counter, time, list [T,B,u], states..., x) → outputs list, h.
void BuildLoop(Harness& h, int32_t limit, size_t num_states, const CellFn& cell) {
  GraphBuilder g = h.g();
  ValueView x = h.In("x", {kT, kB, kIn});
  ValueView counter = h.Scalar("counter", 0), time = h.Scalar("time", 0);
  ValueView list = h.F("list", {kT, kB, kU}, std::vector<float>(kT * kB * kU, 0.f));
  std::vector<ValueView> vars{counter, time, list};
  for (size_t k = 0; k < num_states; ++k) {
    vars.push_back(h.F("s" + std::to_string(k), {kB, kU}, std::vector<float>(kB * kU, 0.f)));
  }
  vars.push_back(x);
  const size_t xi = vars.size() - 1;

  int64_t cond_id = 0, body_id = 0;
  GraphBuilder cond = Check(g.AddSubgraph("cond", &cond_id), "AddSubgraph");
  GraphBuilder body = Check(g.AddSubgraph("body", &body_id), "AddSubgraph");
  std::vector<ValueView> ci, bi;
  for (size_t i = 0; i < vars.size(); ++i) {
    const std::string name = "v" + std::to_string(i);
    ci.push_back(Check(cond.Input(name, vars[i].type(), vars[i].dims()), "cond input"));
    bi.push_back(Check(body.Input(name, vars[i].type(), vars[i].dims()), "body input"));
  }
  ValueView lim = Check(cond.ConstInt32("limit", {}, {limit}), "limit");
  TFLC_EXPECT_OK(cond.Output(Op(cond, "LESS", "less", {ci[1], lim}, {}, TFLC_TYPE_BOOL).output(0), "c"));

  ValueView one = Check(body.ConstInt32("one", {}, {1}), "one");
  ValueView counter1 = Op(body, "ADD", "counter1", {bi[0], one}, {}, TFLC_TYPE_INT32).output(0);
  ValueView time1 = Op(body, "ADD", "time1", {one, bi[1]}, {}, TFLC_TYPE_INT32).output(0);
  NodeView gather = Op(body, "GATHER", "x_t", {bi[xi], bi[1]}, {kB, kIn});
  TFLC_EXPECT_OK(gather.SetInt("axis", 0));
  TFLC_EXPECT_OK(gather.SetInt("batch_dims", 0));
  const std::vector<ValueView> states(bi.begin() + 3, bi.begin() + 3 + static_cast<std::ptrdiff_t>(num_states));
  const std::vector<ValueView> next = cell(body, gather.output(0), states);
  // SetItem(list, time, h') as the TensorList lowering writes it.
  ValueView positions = Check(body.ConstInt32("positions", {kT}, {0, 1, 2}), "positions");
  ValueView hit = Op(body, "EQUAL", "hit", {positions, bi[1]}, {kT}, TFLC_TYPE_BOOL).output(0);
  ValueView mshape = Check(body.ConstInt32("mshape", {3}, {static_cast<int32_t>(kT), 1, 1}), "mshape");
  ValueView mask = Op(body, "RESHAPE", "mask", {hit, mshape}, {kT, 1, 1}, TFLC_TYPE_BOOL).output(0);
  ValueView ishape = Check(body.ConstInt32("ishape", {3}, {1, static_cast<int32_t>(kB), static_cast<int32_t>(kU)}), "ishape");
  ValueView item = Op(body, "RESHAPE", "item", {next[0], ishape}, {1, kB, kU}).output(0);
  ValueView list1 = Op(body, "SELECT_V2", "list1", {mask, item, bi[2]}, {kT, kB, kU}).output(0);
  std::vector<ValueView> outs{counter1, time1, list1};
  outs.insert(outs.end(), next.begin(), next.end());
  outs.push_back(bi[xi]);
  for (size_t k = 0; k < outs.size(); ++k) TFLC_EXPECT_OK(body.Output(outs[k], "o" + std::to_string(k)));

  NodeView loop = Check(g.Source("While", "loop", vars, vars.size()), "While");
  TFLC_EXPECT_OK(loop.SetGraph("cond", cond_id));
  TFLC_EXPECT_OK(loop.SetGraph("body", body_id));
  for (size_t k = 0; k < vars.size(); ++k) TFLC_EXPECT_OK(loop.output(k).SetShape(vars[k].type(), vars[k].dims()));
  TFLC_EXPECT_OK(g.Output(loop.output(2), "sequence"));
  TFLC_EXPECT_OK(g.Output(loop.output(3), "h"));
}

ValueView Un(const GraphBuilder& b, const char* op, const std::string& name, const ValueView& v) {
  return Op(b, op, name, {v}, {kB, kU}).output(0);
}
ValueView Bin(const GraphBuilder& b, const char* op, const std::string& name, const ValueView& x, const ValueView& y) {
  return Op(b, op, name, {x, y}, {kB, kU}).output(0);
}

// Keras LSTMCell: z = x·W + h·U + b, SPLIT in i, f, c, o.
CellFn LstmCell(const Weights& w, const LoopSpec& s) {
  return [w, s](const GraphBuilder& body, const ValueView& x_t, const std::vector<ValueView>& st) {
    ValueView wx = Check(body.ConstFloat("wx", {4 * kU, kIn}, Transposed(w.kernel, kIn, 4 * kU)), "wx");
    ValueView wh = Check(body.ConstFloat("wh", {4 * kU, kU}, Transposed(w.recurrent, kU, 4 * kU)), "wh");
    ValueView b = Check(body.ConstFloat("b", {4 * kU}, w.bias), "b");
    ValueView zx = Op(body, "FULLY_CONNECTED", "zx", {x_t, wx, b}, {kB, 4 * kU}).output(0);
    ValueView zh = Op(body, "FULLY_CONNECTED", "zh", {st[0], wh, ValueView()}, {kB, 4 * kU}).output(0);
    ValueView z = Op(body, "ADD", "z", {zh, zx}, {kB, 4 * kU}).output(0);
    ValueView axis = Check(body.ConstInt32("axis", {}, {1}), "axis");
    NodeView split = Op(body, "SPLIT", "split", {axis, z}, {kB, kU}, TFLC_TYPE_FLOAT32, 4);
    TFLC_EXPECT_OK(split.SetInt("num_splits", 4));
    ValueView i = Un(body, "LOGISTIC", "i", split.output(0)), f = Un(body, "LOGISTIC", "f", split.output(1));
    ValueView gg = Un(body, "TANH", "g", split.output(2));
    ValueView o = Un(body, s.tanh_output_gate ? "TANH" : "LOGISTIC", "o", split.output(3));
    ValueView c1 = Bin(body, "ADD", "c1", Bin(body, "MUL", "ig", gg, i), Bin(body, "MUL", "fc", st[1], f));
    ValueView h1 = Bin(body, "MUL", "h1", o, Un(body, "TANH", "tc", c1));
    return std::vector<ValueView>{h1, c1};
  };
}

void BuildLoop(Harness& h, const LoopSpec& s, const Weights& w) { BuildLoop(h, s.limit, 2, LstmCell(w, s)); }

// Keras GRUCell, reset_after: x·W + bi and h·U + bh each SPLIT in z, r, h; h' = z·h + (1 − z)·h̃.
// near_miss: (1 − r) instead of (1 − z).
struct GruWeights {
  std::vector<float> kernel = Wave(kIn * 3 * kU, 0.7f, 0.5f);
  std::vector<float> recurrent = Wave(kU * 3 * kU, 0.6f, 1.7f);
  std::vector<float> bias = Wave(2 * 3 * kU, 0.3f, 2.2f);  // [2, 3u]: input, recurrent
};

CellFn GruCell(const GruWeights& w, bool near_miss) {
  return [w, near_miss](const GraphBuilder& body, const ValueView& x_t, const std::vector<ValueView>& st) {
    ValueView wx = Check(body.ConstFloat("wx", {3 * kU, kIn}, Transposed(w.kernel, kIn, 3 * kU)), "wx");
    ValueView wh = Check(body.ConstFloat("wh", {3 * kU, kU}, Transposed(w.recurrent, kU, 3 * kU)), "wh");
    ValueView bi = Check(body.ConstFloat("bi", {3 * kU}, std::vector<float>(w.bias.begin(), w.bias.begin() + 3 * kU)), "bi");
    ValueView bh = Check(body.ConstFloat("bh", {3 * kU}, std::vector<float>(w.bias.begin() + 3 * kU, w.bias.end())), "bh");
    ValueView mx = Op(body, "FULLY_CONNECTED", "mx", {x_t, wx, bi}, {kB, 3 * kU}).output(0);
    ValueView mh = Op(body, "FULLY_CONNECTED", "mh", {st[0], wh, bh}, {kB, 3 * kU}).output(0);
    ValueView axis = Check(body.ConstInt32("axis", {}, {-1}), "axis");
    NodeView sx = Op(body, "SPLIT", "sx", {axis, mx}, {kB, kU}, TFLC_TYPE_FLOAT32, 3);
    NodeView sh = Op(body, "SPLIT", "sh", {axis, mh}, {kB, kU}, TFLC_TYPE_FLOAT32, 3);
    TFLC_EXPECT_OK(sx.SetInt("num_splits", 3));
    TFLC_EXPECT_OK(sh.SetInt("num_splits", 3));
    ValueView z = Un(body, "LOGISTIC", "z", Bin(body, "ADD", "zi", sx.output(0), sh.output(0)));
    ValueView r = Un(body, "LOGISTIC", "r", Bin(body, "ADD", "ri", sh.output(1), sx.output(1)));
    ValueView hh = Un(body, "TANH", "hh", Bin(body, "ADD", "hi", sx.output(2), Bin(body, "MUL", "rh", r, sh.output(2))));
    ValueView one = Check(body.ConstFloat("one", {}, {1.0f}), "one");
    NodeView sub = Op(body, "SUB", "one_minus", {one, near_miss ? r : z}, {kB, kU});
    TFLC_EXPECT_OK(sub.SetInt("fused_activation_function", 0));
    ValueView h1 = Bin(body, "ADD", "h1", Bin(body, "MUL", "keep", z, st[0]), Bin(body, "MUL", "upd", sub.output(0), hh));
    return std::vector<ValueView>{h1};
  };
}

std::vector<float> NaiveGru(const std::vector<float>& x, const GruWeights& w) {
  auto sig = [](float v) { return 1.0f / (1.0f + std::exp(-v)); };
  std::vector<float> h(kU, 0.f), seq;
  const int64_t g = 3 * kU;
  for (int64_t t = 0; t < kT; ++t) {
    std::vector<float> mx(static_cast<size_t>(g)), mh(static_cast<size_t>(g));
    for (int64_t j = 0; j < g; ++j) {
      float a = w.bias[static_cast<size_t>(j)], b = w.bias[static_cast<size_t>(g + j)];
      for (int64_t k = 0; k < kIn; ++k) a += x[static_cast<size_t>(t * kIn + k)] * w.kernel[static_cast<size_t>(k * g + j)];
      for (int64_t k = 0; k < kU; ++k) b += h[static_cast<size_t>(k)] * w.recurrent[static_cast<size_t>(k * g + j)];
      mx[static_cast<size_t>(j)] = a;
      mh[static_cast<size_t>(j)] = b;
    }
    std::vector<float> next(kU);
    for (int64_t j = 0; j < kU; ++j) {
      const size_t q = static_cast<size_t>(j);
      const float z = sig(mx[q] + mh[q]), r = sig(mx[q + kU] + mh[q + kU]);
      const float hh = std::tanh(mx[q + 2 * kU] + r * mh[q + 2 * kU]);
      next[q] = z * h[q] + (1 - z) * hh;
    }
    h = next;
    seq.insert(seq.end(), h.begin(), h.end());
  }
  return seq;
}

float Sig(float v) { return 1.0f / (1.0f + std::exp(-v)); }

// Keras LSTM over x [T, 1, in] (time major), zero state: the sequence [T, 1, u].
std::vector<float> NaiveLstm(const std::vector<float>& x, const Weights& w) {
  std::vector<float> h(kU, 0.f), c(kU, 0.f), seq;
  for (int64_t t = 0; t < kT; ++t) {
    std::vector<float> z(4 * kU);
    for (int64_t j = 0; j < 4 * kU; ++j) {
      float s = w.bias[static_cast<size_t>(j)];
      for (int64_t k = 0; k < kIn; ++k) s += x[static_cast<size_t>(t * kIn + k)] * w.kernel[static_cast<size_t>(k * 4 * kU + j)];
      for (int64_t k = 0; k < kU; ++k) s += h[static_cast<size_t>(k)] * w.recurrent[static_cast<size_t>(k * 4 * kU + j)];
      z[static_cast<size_t>(j)] = s;
    }
    for (int64_t j = 0; j < kU; ++j) {
      const size_t q = static_cast<size_t>(j);
      c[q] = Sig(z[q + kU]) * c[q] + Sig(z[q]) * std::tanh(z[q + 2 * kU]);
      h[q] = Sig(z[q + 3 * kU]) * std::tanh(c[q]);
    }
    seq.insert(seq.end(), h.begin(), h.end());
  }
  return seq;
}

int Count(Harness& h, const std::string& op) {
  int n = 0;
  for (const std::string& o : h.Ops()) n += o == op;
  return n;
}

TEST(RnnLoopTest, LstmLoopFusesIntoSequenceLstm) {
  Harness h;
  BuildLoop(h, LoopSpec{}, Weights{});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Count(h, "WHILE"), 0) << h.OpsString();
  EXPECT_EQ(Count(h, "UNIDIRECTIONAL_SEQUENCE_LSTM"), 1) << h.OpsString();
}

TEST(RnnLoopTest, FusedLoopComputesTheLstm) {
  REQUIRE_OPSET();
  Harness h;
  Weights w;
  BuildLoop(h, LoopSpec{}, w);
  const std::vector<float> x = Wave(kT * kB * kIn, 1.0f, 0.4f);
  RUN_OR_SKIP(out, h, {HostTensor::Float({kT, kB, kIn}, x)});
  ASSERT_EQ(Count(h, "WHILE"), 0) << h.OpsString();
  ASSERT_EQ(out.size(), 2u);
  const std::vector<float> want = NaiveLstm(x, w);
  ExpectNear(out[0].floats(), want);
  ExpectNear(out[1].floats(), std::vector<float>(want.end() - kU, want.end()));
}

TEST(RnnLoopTest, TanhOutputGateStaysWhile) {
  Harness h;
  LoopSpec s;
  s.tanh_output_gate = true;
  BuildLoop(h, s, Weights{});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Count(h, "WHILE"), 1) << h.OpsString();
  EXPECT_EQ(Count(h, "UNIDIRECTIONAL_SEQUENCE_LSTM"), 0) << h.OpsString();
}

TEST(RnnLoopTest, ShortTripCountStaysWhile) {
  Harness h;
  LoopSpec s;
  s.limit = kT - 1;  // reads 2 of the 3 steps: not the whole-sequence LSTM
  BuildLoop(h, s, Weights{});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Count(h, "WHILE"), 1) << h.OpsString();
}

}  // namespace
}  // namespace tflc::lower_builtin::testing

namespace tflc::lower_builtin::testing {
namespace {

TEST(RnnLoopTest, GruLoopFusesAndComputesTheGru) {
  {
    Harness h;
    BuildLoop(h, kT, 1, GruCell(GruWeights{}, false));
    TFLC_ASSERT_OK(h.Lower());
    EXPECT_EQ(Count(h, "WHILE"), 0) << h.OpsString();
  }
  REQUIRE_OPSET();
  Harness h;
  GruWeights w;
  BuildLoop(h, kT, 1, GruCell(w, false));
  const std::vector<float> x = Wave(kT * kB * kIn, 1.0f, 0.9f);
  RUN_OR_SKIP(out, h, {HostTensor::Float({kT, kB, kIn}, x)});
  ASSERT_EQ(Count(h, "WHILE"), 0) << h.OpsString();
  ASSERT_EQ(out.size(), 2u);
  const std::vector<float> want = NaiveGru(x, w);
  ExpectNear(out[0].floats(), want);
  ExpectNear(out[1].floats(), std::vector<float>(want.end() - kU, want.end()));
}

TEST(RnnLoopTest, GruWithResetGateInTheUpdateStaysWhile) {
  Harness h;
  BuildLoop(h, kT, 1, GruCell(GruWeights{}, true));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Count(h, "WHILE"), 1) << h.OpsString();
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
