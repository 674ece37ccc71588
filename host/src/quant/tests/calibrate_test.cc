// Calibration through subgraphs (Graph_Run): a node's kernel runs a subgraph any number of times
// and calibration records the subgraph's values over every run, as it does the entry graph's. The
// ops are a test opset defined here (the host knows no op), so the expected ranges and means are
// computed by plain loops over the samples.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "ir/host_api.h"
#include "ir/ir.h"
#include "pipeline/passes.h"
#include "quant/calibrate.h"
#include "registry/registry.h"
#include "tflc/sdk/plugin.h"

namespace tflc::host {
namespace {

using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;

// ---- a test opset: TestScale (y = x * w over the last dimension, w the weights) and TestRepeat
// (runs subgraph `f` `times` times, each run's output the next run's input) ----

TflcStatus* SameShape(TflcOpShape_Args* a) {
  return sdk::Guard(a->host, a->node, [&]() -> Status {
    NodeView n(a->host, a->node);
    return n.output(0).SetShape(n.input(0).type(), n.input(0).dims());
  });
}

TflcStatus* ScaleEval(TflcOpEval_Args* a) {
  return sdk::Guard(a->host, [&]() -> Status {
    NodeView n(a->host, const_cast<TflcNode*>(a->node));
    const int64_t count = n.input(0).num_elements(), c = n.input(1).num_elements();
    const float* x = static_cast<const float*>(a->inputs[0]);
    const float* w = static_cast<const float*>(a->inputs[1]);
    float* y = static_cast<float*>(a->outputs[0]);
    for (int64_t i = 0; i < count; ++i) y[i] = x[i] * w[i % c];
    return OkStatus();
  });
}

TflcStatus* RepeatEval(TflcOpEval_Args* a) {
  return sdk::Guard(a->host, [&]() -> Status {
    NodeView n(a->host, const_cast<TflcNode*>(a->node));
    GraphBuilder f(a->host, n.Subgraph("f"));
    TFLC_ASSIGN_OR_RETURN(int64_t times, n.IntAttr("times"));
    const size_t bytes = static_cast<size_t>(n.input(0).num_elements()) * sizeof(float);
    std::vector<float> cur(bytes / sizeof(float)), next(cur.size());
    std::memcpy(cur.data(), a->inputs[0], bytes);
    for (int64_t t = 0; t < times; ++t) {
      TFLC_RETURN_IF_ERROR(f.Run({cur.data()}, {next.data()}));
      cur.swap(next);
    }
    std::memcpy(a->outputs[0], cur.data(), bytes);
    return OkStatus();
  });
}

const TflcOpsetEntry kOps[] = {
    // TestScale: weight_input 1, so calibration records the channel means of input 0.
    {TflcOpsetEntry_STRUCT_SIZE, "TestScale", TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, SameShape, ScaleEval, nullptr,
     nullptr, 0, 0, 0, -1, 1, 0, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
    {TflcOpsetEntry_STRUCT_SIZE, "TestRepeat", TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, SameShape, RepeatEval, nullptr,
     nullptr, 0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
};

const TflcPluginApi* TestQuery(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("test_subgraph_opset", "1.0.0", "ops that run subgraphs");
    sdk::SetOps(a, kOps);
    return a;
  }();
  return sdk::Negotiate(args, &api);
}

// Samples from memory, one input.
class VectorSource : public SampleSource {
 public:
  explicit VectorSource(std::vector<std::vector<float>> samples) : samples_(std::move(samples)) {}
  size_t size_hint() const override { return samples_.size(); }
  StatusOr<bool> Next(size_t index, const std::vector<SampleFeed>& feeds) override {
    if (index >= samples_.size()) return false;
    if (feeds.size() != 1 || feeds[0].bytes != samples_[index].size() * sizeof(float)) return Internal("bad feeds");
    std::memcpy(feeds[0].data, samples_[index].data(), feeds[0].bytes);
    return true;
  }

 private:
  std::vector<std::vector<float>> samples_;
};

constexpr int64_t kTimes = 3;
const std::vector<float> kW = {2.f, -0.5f};  // per channel of [2, 2] values

class CalibrateSubgraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = registry_.Register(TestQuery, "test_subgraph_opset (in-process)", [](const std::string&) {});
    ASSERT_TRUE(s.ok()) << s;
    model_.registry = &registry_;
    main_ = AddGraph(&model_, "serving_default");
    int64_t id = 0;
    GraphBuilder g(HostApi(), main_);
    auto sub = g.AddSubgraph("body", &id);
    ASSERT_TRUE(sub.ok()) << sub.status();
    body_ = sub->get();
    // body: a[2,2] -> TestScale(a, w) -> b
    auto a = sub->Input("a", TFLC_TYPE_FLOAT32, {2, 2});
    ASSERT_TRUE(a.ok());
    auto w = sub->Const("w", TFLC_TYPE_FLOAT32, {2}, kW.data(), kW.size() * sizeof(float));
    ASSERT_TRUE(w.ok());
    auto scale = sub->AddNode(TFLC_DOMAIN_CUSTOM, "TestScale", "scale", {*a, *w});
    ASSERT_TRUE(scale.ok());
    ASSERT_TRUE(scale->output(0).SetShape(TFLC_TYPE_FLOAT32, {2, 2}).ok());
    ASSERT_TRUE(sub->Output(scale->output(0), "b").ok());
    // main: x[2,2] -> TestRepeat(f = body, times = 3) -> y
    auto x = g.Input("x", TFLC_TYPE_FLOAT32, {2, 2});
    ASSERT_TRUE(x.ok());
    auto repeat = g.AddNode(TFLC_DOMAIN_CUSTOM, "TestRepeat", "repeat", {*x});
    ASSERT_TRUE(repeat.ok());
    ASSERT_TRUE(repeat->SetGraph("f", id).ok());
    ASSERT_TRUE(repeat->SetInt("times", kTimes).ok());
    ASSERT_TRUE(repeat->output(0).SetShape(TFLC_TYPE_FLOAT32, {2, 2}).ok());
    ASSERT_TRUE(g.Output(repeat->output(0), "y").ok());
  }

  Status Run(const std::vector<std::vector<float>>& samples, unsigned threads) {
    VectorSource source(samples);
    PassContext ctx{&registry_, &options_};
    return Calibrate(ctx, main_, source, threads, /*channel_means=*/true, {});
  }

  static void ExpectRange(const TflcValue* v, float lo, float hi) {
    ASSERT_TRUE(v->has_range) << v->name;
    EXPECT_EQ(v->range_min, lo) << v->name;
    EXPECT_EQ(v->range_max, hi) << v->name;
  }

  Registry registry_;
  TflcOptions options_;
  TflcModel model_;
  TflcGraph* main_ = nullptr;
  TflcGraph* body_ = nullptr;
};

const std::vector<std::vector<float>> kSamples = {
    {1.f, 2.f, -1.f, 0.5f}, {0.5f, -2.f, 1.5f, 1.f}, {-0.25f, 4.f, 3.f, -1.f}};

TEST_F(CalibrateSubgraphTest, RecordsSubgraphValuesOverEveryRun) {
  for (unsigned threads : {1u, 2u}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    for (auto* g : {main_, body_}) {
      for (auto& v : g->values) {
        v->has_range = false;
        v->channel_means.clear();
      }
    }
    Status s = Run(kSamples, threads);
    ASSERT_TRUE(s.ok()) << s;
    // The body's input takes x, x*w, x*w^2 and its output x*w .. x*w^3 on the kTimes runs.
    float in_lo = std::numeric_limits<float>::infinity(), in_hi = -in_lo, out_lo = in_lo, out_hi = -in_lo;
    float y_lo = in_lo, y_hi = -in_lo;
    std::vector<double> sums(2, 0.0);
    for (const auto& x : kSamples) {
      std::vector<float> cur = x;
      for (int64_t t = 0; t < kTimes; ++t) {
        for (size_t i = 0; i < cur.size(); ++i) {
          in_lo = std::min(in_lo, cur[i]);
          in_hi = std::max(in_hi, cur[i]);
          sums[i % 2] += cur[i];
          cur[i] *= kW[i % 2];
          out_lo = std::min(out_lo, cur[i]);
          out_hi = std::max(out_hi, cur[i]);
        }
      }
      for (float v : cur) {
        y_lo = std::min(y_lo, v);
        y_hi = std::max(y_hi, v);
      }
    }
    ExpectRange(body_->inputs[0], in_lo, in_hi);
    ExpectRange(body_->outputs[0], out_lo, out_hi);
    ExpectRange(main_->outputs[0], y_lo, y_hi);
    // Channel means of the TestScale activation input: every position of every run of every sample.
    const double count = static_cast<double>(kSamples.size() * kTimes * 2);
    ASSERT_EQ(body_->inputs[0]->channel_means.size(), 2u);
    EXPECT_FLOAT_EQ(body_->inputs[0]->channel_means[0], static_cast<float>(sums[0] / count));
    EXPECT_FLOAT_EQ(body_->inputs[0]->channel_means[1], static_cast<float>(sums[1] / count));
  }
}

TEST_F(CalibrateSubgraphTest, SubgraphNeverRunHasNoRange) {
  for (auto& n : main_->nodes) {
    if (n->op == "TestRepeat") n->attrs["times"].i = 0;
  }
  Status s = Run(kSamples, 1);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_FALSE(body_->inputs[0]->has_range);
  EXPECT_TRUE(body_->inputs[0]->channel_means.empty());
  EXPECT_TRUE(main_->outputs[0]->has_range);
}

TEST_F(CalibrateSubgraphTest, GraphRunOutsideCalibrationRecordsNothing) {
  const std::vector<float> a = {1.f, 2.f, 3.f, 4.f};
  std::vector<float> b(4, 0.f);
  GraphBuilder body(HostApi(), body_);
  ASSERT_TRUE(body.can_run());
  Status s = body.Run({a.data()}, {b.data()});
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(b, (std::vector<float>{2.f, -1.f, 6.f, -2.f}));
  EXPECT_FALSE(body_->inputs[0]->has_range);
  // Wrong arity is an error, not a crash.
  Status bad = body.Run({a.data(), a.data()}, {b.data()});
  EXPECT_EQ(bad.code(), TFLC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(bad.message().find("subgraph `body`"), std::string::npos) << bad.message();
  EXPECT_TRUE(body.is_subgraph());
  EXPECT_FALSE(GraphBuilder(HostApi(), main_).is_subgraph());
}

TEST_F(CalibrateSubgraphTest, ASubgraphCallingItselfIsAnError) {
  // body's TestScale replaced by a TestRepeat of body itself.
  GraphBuilder body(HostApi(), body_);
  auto rec = body.AddNode(TFLC_DOMAIN_CUSTOM, "TestRepeat", "again", {body.input(0)});
  ASSERT_TRUE(rec.ok());
  ASSERT_TRUE(rec->SetGraph("f", body_->id).ok());
  ASSERT_TRUE(rec->SetInt("times", 1).ok());
  ASSERT_TRUE(rec->output(0).SetShape(TFLC_TYPE_FLOAT32, {2, 2}).ok());
  ASSERT_TRUE(body.SetOutput(0, rec->output(0)).ok());
  ASSERT_TRUE(PruneToOutputs(body_).ok());
  Status s = Run(kSamples, 1);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("calls itself"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("calibration sample 0"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tflc::host
