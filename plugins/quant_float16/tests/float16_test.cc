// The float16 quantizer on small builtin graphs, run as `tflc convert` runs it (FakeHost::Quantize
// after the float pipeline, chosen by --optimizations DEFAULT --target_spec.supported_types float16).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "float16.h"
#include "quant_common/half.h"
#include "tflc/sdk/plugin.h"
#include "tflc/testing/fake_host.h"

#if TFLC_HAVE_OPSET_BUILTIN
extern "C" const TflcPluginApi* TflcOpsetBuiltin_Query(const TflcPluginQuery_Args* args);
#endif

namespace tflc::quant_float16 {
namespace {

using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;
using testing::FakeHost;
using testing::SeededFloats;
using testing::HostTensor;


std::vector<uint16_t> HalfData(const ValueView& v) {
  std::vector<uint16_t> h(v.byte_size() / 2);
  std::memcpy(h.data(), v.data(), h.size() * 2);
  return h;
}

class Float16Test : public ::testing::Test {
 protected:
  void SetUp() override {
#if TFLC_HAVE_OPSET_BUILTIN
    ASSERT_TRUE(host_.Register(TflcOpsetBuiltin_Query, "opset_builtin (in-process)").ok());
#else
    GTEST_SKIP() << "needs the opset_builtin plugin (DEQUANTIZE, shapes, kernels) in the build";
#endif
    ASSERT_TRUE(host_.Register(TflcQuantFloat16_Query, "quant_float16 (in-process)").ok());
    host_.SetOption("optimizations", "DEFAULT");
    host_.SetOption("target_spec.supported_types", "float16");
  }

  GraphBuilder g() { return host_.graph(); }
  ValueView Const(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    auto c = g().ConstFloat(name, dims, v);
    EXPECT_TRUE(c.ok()) << c.status();
    return *c;
  }
  NodeView Op(const std::string& op, const std::string& name, const std::vector<ValueView>& in) {
    auto n = g().Builtin(op, name, in);
    EXPECT_TRUE(n.ok()) << n.status();
    return *n;
  }
  std::vector<NodeView> Nodes(const std::string& op) {
    std::vector<NodeView> out;
    for (size_t i = 0; i < g().num_nodes(); ++i) {
      if (g().node(i).op() == op) out.push_back(g().node(i));
    }
    return out;
  }
  std::vector<float> Run(const std::vector<HostTensor>& in) {
    auto out = host_.Interpret(in);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? (*out)[0].floats() : std::vector<float>();
  }
  static void ExpectClose(const std::vector<float>& got, const std::vector<float>& want, float rel) {
    ASSERT_EQ(got.size(), want.size());
    float peak = 0;
    for (float w : want) peak = std::max(peak, std::fabs(w));
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], rel * peak) << "at " << i;
  }

  FakeHost host_;
};

// The DEQUANTIZE producing `v`, checked: one FLOAT16 constant "<name>/float16" holding `values`.
void ExpectDequantizedConstant(const ValueView& v, const std::string& name, const std::vector<int64_t>& dims,
                               const std::vector<float>& values) {
  EXPECT_EQ(v.name(), name);
  EXPECT_EQ(v.type(), TFLC_TYPE_FLOAT32);
  EXPECT_EQ(v.dims(), dims);
  EXPECT_FALSE(v.is_const());
  NodeView dq = v.producer();
  ASSERT_TRUE(dq);
  EXPECT_EQ(dq.op(), "DEQUANTIZE");
  EXPECT_EQ(dq.name(), name);
  ASSERT_EQ(dq.num_inputs(), 1u);
  ValueView half = dq.input(0);
  EXPECT_EQ(half.name(), name + "/float16");
  EXPECT_EQ(half.type(), TFLC_TYPE_FLOAT16);
  EXPECT_EQ(half.dims(), dims);
  ASSERT_TRUE(half.is_const());
  std::vector<uint16_t> want;
  for (float f : values) want.push_back(quant::FloatToHalf(f));
  EXPECT_EQ(HalfData(half), want);
}

TEST_F(Float16Test, WeightsBecomeHalfConstantsBehindDequantizeSmallBiasStaysFloat) {
  auto x = g().Input("x", TFLC_TYPE_FLOAT32, {1, 16});
  ASSERT_TRUE(x.ok());
  std::vector<float> w = SeededFloats(4 * 16, 7, 2.f);
  w[0] = 0.1f, w[1] = -1.f / 3, w[2] = 1000.1f;  // not exact in half
  const std::vector<float> b = {0.01f, -1.5f, 1000.1f, 1.f / 3};  // 4 < 48 elements: stays FLOAT32
  NodeView fc = Op("FULLY_CONNECTED", "dense", {*x, Const("dense/kernel", {4, 16}, w), Const("dense/bias", {4}, b)});
  ASSERT_TRUE(g().Output(fc.output(0), "y").ok());
  ASSERT_TRUE(host_.RunPipeline().ok());
  const std::vector<HostTensor> in = {HostTensor::Float({1, 16}, SeededFloats(16, 8, 1.f))};
  const std::vector<float> want = Run(in);

  Status s = host_.Quantize();
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(Nodes("DEQUANTIZE").size(), 1u);
  auto fcs = Nodes("FULLY_CONNECTED");
  ASSERT_EQ(fcs.size(), 1u);
  ExpectDequantizedConstant(fcs[0].input(1), "dense/kernel", {4, 16}, w);
  ValueView bias = fcs[0].input(2);
  EXPECT_EQ(bias.name(), "dense/bias");
  EXPECT_EQ(bias.type(), TFLC_TYPE_FLOAT32);
  ASSERT_TRUE(bias.is_const());
  EXPECT_EQ(std::vector<float>(bias.data_as<float>(), bias.data_as<float>() + 4), b);
  EXPECT_EQ(fcs[0].input(0).name(), "x");
  EXPECT_EQ(fcs[0].output(0).type(), TFLC_TYPE_FLOAT32);
  const std::string dump = host_.Dump();
  EXPECT_NE(dump.find("DEQUANTIZE \"dense/kernel\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("dense/kernel/float16 FLOAT16[4,16] const"), std::string::npos) << dump;

  ExpectClose(Run(in), want, 1e-3f);
  auto bytes = host_.Export();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
}

TEST_F(Float16Test, ConstantsFrom48ElementsAreHalf) {
  // 47 elements stay FLOAT32 (the DEQUANTIZE would cost more bytes than it saves), 48 become FLOAT16.
  auto x = g().Input("x", TFLC_TYPE_FLOAT32, {47});
  auto y = g().Input("y", TFLC_TYPE_FLOAT32, {48});
  ASSERT_TRUE(x.ok() && y.ok());
  NodeView a = Op("ADD", "a", {*x, Const("c47", {47}, SeededFloats(47, 1, 1.f))});
  NodeView b = Op("ADD", "b", {*y, Const("c48", {48}, SeededFloats(48, 2, 1.f))});
  ASSERT_TRUE(g().Output(a.output(0), "ya").ok());
  ASSERT_TRUE(g().Output(b.output(0), "yb").ok());
  ASSERT_TRUE(host_.RunPipeline().ok());
  ASSERT_TRUE(host_.Quantize().ok());
  auto adds = Nodes("ADD");
  ASSERT_EQ(adds.size(), 2u);
  EXPECT_EQ(adds[0].input(1).type(), TFLC_TYPE_FLOAT32);
  EXPECT_TRUE(adds[0].input(1).is_const());
  ExpectDequantizedConstant(adds[1].input(1), "c48", {48}, SeededFloats(48, 2, 1.f));
  EXPECT_EQ(Nodes("DEQUANTIZE").size(), 1u);
}

TEST_F(Float16Test, SharedConstantGetsOneDequantize) {
  auto x = g().Input("x", TFLC_TYPE_FLOAT32, {2, 64});
  ASSERT_TRUE(x.ok());
  const std::vector<float> cv = SeededFloats(64, 3, 3.f);
  ValueView c = Const("c", {64}, cv);
  NodeView add = Op("ADD", "add", {*x, c});
  NodeView mul = Op("MUL", "mul", {add.output(0), c});
  NodeView sub = Op("SUB", "sub", {c, mul.output(0)});
  ASSERT_TRUE(g().Output(sub.output(0), "y").ok());
  ASSERT_TRUE(host_.RunPipeline().ok());
  const std::vector<HostTensor> in = {HostTensor::Float({2, 64}, SeededFloats(128, 4, 6.f))};
  const std::vector<float> want = Run(in);

  ASSERT_TRUE(host_.Quantize().ok());
  auto dqs = Nodes("DEQUANTIZE");
  ASSERT_EQ(dqs.size(), 1u);
  ValueView shared = dqs[0].output(0);
  ExpectDequantizedConstant(shared, "c", {64}, cv);
  EXPECT_EQ(shared.num_consumers(), 3u);
  EXPECT_EQ(Nodes("ADD")[0].input(1).get(), shared.get());
  EXPECT_EQ(Nodes("MUL")[0].input(1).get(), shared.get());
  EXPECT_EQ(Nodes("SUB")[0].input(0).get(), shared.get());
  ExpectClose(Run(in), want, 1e-3f);
}

TEST_F(Float16Test, NonFloatConstantsAndActivationsAreUntouched) {
  auto x = g().Input("x", TFLC_TYPE_FLOAT32, {1, 4});
  ASSERT_TRUE(x.ok());
  auto shape = g().ConstInt32("shape", {2}, {2, 2});
  ASSERT_TRUE(shape.ok());
  NodeView r = Op("RESHAPE", "reshape", {*x, *shape});
  NodeView add = Op("ADD", "add", {r.output(0), r.output(0)});
  ASSERT_TRUE(g().Output(add.output(0), "y").ok());
  ASSERT_TRUE(host_.RunPipeline().ok());
  ASSERT_TRUE(host_.Quantize().ok());
  EXPECT_TRUE(Nodes("DEQUANTIZE").empty()) << host_.Dump();
  auto reshapes = Nodes("RESHAPE");
  ASSERT_EQ(reshapes.size(), 1u);
  EXPECT_EQ(reshapes[0].input(1).type(), TFLC_TYPE_INT32);
  EXPECT_TRUE(reshapes[0].input(1).is_const());
}

TEST_F(Float16Test, ValuesBeyondHalfRangeAreClamped) {
  auto x = g().Input("x", TFLC_TYPE_FLOAT32, {48});
  ASSERT_TRUE(x.ok());
  std::vector<float> big(48, 0.f);
  big[0] = 1e6f, big[1] = -1e6f, big[2] = 65504.f, big[3] = 1e-9f;
  NodeView add = Op("ADD", "add", {*x, Const("big", {48}, big)});
  ASSERT_TRUE(g().Output(add.output(0), "y").ok());
  ASSERT_TRUE(host_.RunPipeline().ok());
  ASSERT_TRUE(host_.Quantize().ok());
  ValueView dq = Nodes("ADD")[0].input(1);
  ASSERT_EQ(dq.producer().op(), "DEQUANTIZE");
  std::vector<uint16_t> want_half(48, 0);
  want_half[0] = 0x7bff, want_half[1] = 0xfbff, want_half[2] = 0x7bff;
  EXPECT_EQ(HalfData(dq.producer().input(0)), want_half);
  const std::vector<float> out = Run({HostTensor::Float({48}, std::vector<float>(48, 0.f))});
  std::vector<float> want(48, 0.f);
  want[0] = 65504.f, want[1] = -65504.f, want[2] = 65504.f;
  EXPECT_EQ(out, want);
}

TEST_F(Float16Test, ConstantGraphOutputStaysFloatForThatUse) {
  auto x = g().Input("x", TFLC_TYPE_FLOAT32, {64});
  ASSERT_TRUE(x.ok());
  ValueView c = Const("c", {64}, SeededFloats(64, 9, 2.5f));
  NodeView add = Op("ADD", "add", {*x, c});
  ASSERT_TRUE(g().Output(add.output(0), "y").ok());
  ASSERT_TRUE(g().Output(c, "c_out").ok());
  ASSERT_TRUE(host_.RunPipeline().ok());
  ASSERT_TRUE(host_.Quantize().ok());
  ASSERT_EQ(g().num_outputs(), 2u);
  EXPECT_EQ(g().output(1).type(), TFLC_TYPE_FLOAT32);
  EXPECT_TRUE(g().output(1).is_const());
  EXPECT_EQ(Nodes("ADD")[0].input(1).producer().op(), "DEQUANTIZE");
}

TEST_F(Float16Test, FileShrinksAndOutputsStayClose) {
  // Two dense layers with 64x64 weights: the float16 file must be at most 0.55x the float one.
  auto x = g().Input("x", TFLC_TYPE_FLOAT32, {2, 64});
  ASSERT_TRUE(x.ok());
  NodeView d1 = Op("FULLY_CONNECTED", "d1", {*x, Const("w1", {64, 64}, SeededFloats(64 * 64, 1, 0.5f)),
                                             Const("b1", {64}, SeededFloats(64, 2, 0.1f))});
  ASSERT_TRUE(d1.SetInt("fused_activation_function", 1).ok());
  NodeView d2 = Op("FULLY_CONNECTED", "d2", {d1.output(0), Const("w2", {64, 64}, SeededFloats(64 * 64, 3, 0.5f)),
                                             Const("b2", {64}, SeededFloats(64, 4, 0.1f))});
  ASSERT_TRUE(g().Output(d2.output(0), "y").ok());
  ASSERT_TRUE(host_.RunPipeline().ok());
  auto float_bytes = host_.Export();
  ASSERT_TRUE(float_bytes.ok()) << float_bytes.status();
  const std::vector<HostTensor> in = {HostTensor::Float({2, 64}, SeededFloats(128, 5, 4.f))};
  const std::vector<float> want = Run(in);

  ASSERT_TRUE(host_.Quantize().ok());
  EXPECT_EQ(Nodes("DEQUANTIZE").size(), 4u);
  auto half_bytes = host_.Export();
  ASSERT_TRUE(half_bytes.ok()) << half_bytes.status();
  EXPECT_LE(static_cast<double>(half_bytes->size()), 0.55 * static_cast<double>(float_bytes->size()))
      << half_bytes->size() << " vs " << float_bytes->size();
  ExpectClose(Run(in), want, 1e-2f);
}

}  // namespace
}  // namespace tflc::quant_float16
