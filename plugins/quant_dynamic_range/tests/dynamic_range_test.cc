// The dynamic_range quantizer, run as `tflc convert` runs it (FakeHost::Quantize after the float
// pipeline, chosen by --optimizations DEFAULT alone).
//
// Most cases use a small opset defined here (custom ops with hand-written quant specs), so they pin
// the quantizer's rules independently of opset_builtin's tables; the Builtin* cases then check the
// real FULLY_CONNECTED / CONV_2D / DEPTHWISE_CONV_2D entries when opset_builtin is in the build.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "dynamic_range.h"
#include "quant_common/weights.h"
#include "tflc/sdk/plugin.h"
#include "tflc/testing/fake_host.h"

#if TFLC_HAVE_OPSET_BUILTIN
extern "C" const TflcPluginApi* TflcOpsetBuiltin_Query(const TflcPluginQuery_Args* args);
#endif

namespace tflc::quant_dynamic_range {
namespace {

using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;
using testing::FakeHost;
using testing::SeededFloats;
using testing::HostTensor;

// ---- a test opset --------------------------------------------------------------------------------
//   TestDense(x[B,K], w[N,K], b[N]) -> [B,N]   hybrid, per tensor, has asymmetric_quantize_inputs
//   TestConv(x, w[O,...], b[O]) -> [1,O]       hybrid per channel along axis 0, no such option
//   TestLstm(x, w1[..], w2[..], b) -> x        hybrid, weight_input 1; w2 is a second weight
//   TestFloat(x, w) -> x                       no quant spec (a float-only kernel)

TflcStatus* ShapeDense(TflcOpShape_Args* a) {
  return sdk::Guard(a->host, a->node, [&]() -> Status {
    NodeView n(a->host, a->node);
    return n.output(0).SetShape(TFLC_TYPE_FLOAT32, {n.input(0).dim(0), n.input(1).dim(0)});
  });
}
TflcStatus* ShapeConv(TflcOpShape_Args* a) {
  return sdk::Guard(a->host, a->node, [&]() -> Status {
    NodeView n(a->host, a->node);
    return n.output(0).SetShape(TFLC_TYPE_FLOAT32, {1, n.input(1).dim(0)});
  });
}
TflcStatus* ShapeSame(TflcOpShape_Args* a) {
  return sdk::Guard(a->host, a->node, [&]() -> Status {
    NodeView n(a->host, a->node);
    return n.output(0).SetShape(n.input(0).type(), n.input(0).dims());
  });
}

constexpr TflcOpQuantSpec Spec(uint32_t kernels) {
  TflcOpQuantSpec s{};
  s.struct_size = TflcOpQuantSpec_STRUCT_SIZE;
  s.kernels = kernels;
  return s;
}
constexpr TflcOpQuantSpec kHybrid = Spec(TFLC_QUANT_KERNEL_INT8 | TFLC_QUANT_KERNEL_HYBRID);
constexpr TflcOpQuantSpec kHybridPerChannel =
    Spec(TFLC_QUANT_KERNEL_INT8 | TFLC_QUANT_KERNEL_HYBRID | TFLC_QUANT_KERNEL_HYBRID_PER_CHANNEL);
constexpr TflcOptionField kDenseOptions[] = {
    sdk::Field("fused_activation_function", 0, TFLC_OPTION_INT8),
    sdk::Field("asymmetric_quantize_inputs", 3, TFLC_OPTION_BOOL),
};

TflcOpsetEntry Entry(const char* op, TflcStatus* (*shape)(TflcOpShape_Args*), int32_t weight, int32_t bias,
                     int32_t axis, const TflcOpQuantSpec* quant) {
  TflcOpsetEntry e{};
  e.struct_size = TflcOpsetEntry_STRUCT_SIZE;
  e.op = op;
  e.domain = TFLC_DOMAIN_CUSTOM;
  e.builtin_code = 32;
  e.InferShape = shape;
  e.bias_input = bias;
  e.weight_input = weight;
  e.weight_output_axis = axis;
  e.weight_input_channel_axis = -1;
  e.activation_code = -1;
  e.option_field_stride = sizeof(TflcOptionField);
  e.quant = quant;
  return e;
}

const TflcPluginApi* TestOpsQuery(const TflcPluginQuery_Args* args) {
  static const TflcOpsetEntry kOps[] = {
      [] {
        TflcOpsetEntry e = Entry("TestDense", ShapeDense, 1, 2, 0, &kHybrid);
        e.option_fields = kDenseOptions;
        e.num_option_fields = 2;
        return e;
      }(),
      Entry("TestConv", ShapeConv, 1, 2, 0, &kHybridPerChannel),
      Entry("TestLstm", ShapeSame, 1, 3, 0, &kHybrid),
      Entry("TestFloat", ShapeSame, -1, -1, -1, nullptr),
  };
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("test_ops", "1.0.0", "ops for the dynamic_range tests");
    sdk::SetOps(a, kOps);
    return a;
  }();
  return sdk::Negotiate(args, &api);
}

// ---- helpers ---------------------------------------------------------------------------------------


std::vector<int8_t> Int8Data(const ValueView& v) {
  std::vector<int8_t> d(v.byte_size());
  std::memcpy(d.data(), v.data(), d.size());
  return d;
}

class DynamicRangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(host_.Register(TflcQuantDynamicRange_Query, "quant_dynamic_range (in-process)").ok());
    host_.SetOption("optimizations", "DEFAULT");
  }

  GraphBuilder g() { return host_.graph(); }
  ValueView Input(const std::string& name, const std::vector<int64_t>& dims) {
    auto v = g().Input(name, TFLC_TYPE_FLOAT32, dims);
    EXPECT_TRUE(v.ok()) << v.status();
    return *v;
  }
  ValueView Const(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    auto c = g().ConstFloat(name, dims, v);
    EXPECT_TRUE(c.ok()) << c.status();
    return *c;
  }
  ValueView Const(const std::string& name, const std::vector<int64_t>& dims, uint32_t seed) {
    return Const(name, dims, SeededFloats(static_cast<size_t>(sdk::NumElements(dims)), seed, 1.f));
  }
  NodeView Op(TflcOpDomain domain, const std::string& op, const std::string& name, const std::vector<ValueView>& in) {
    auto n = g().AddNode(domain, op, name, in);
    EXPECT_TRUE(n.ok()) << n.status();
    return *n;
  }
  NodeView Custom(const std::string& op, const std::string& name, const std::vector<ValueView>& in) {
    return Op(TFLC_DOMAIN_CUSTOM, op, name, in);
  }
  NodeView Builtin(const std::string& op, const std::string& name, const std::vector<ValueView>& in) {
    return Op(TFLC_DOMAIN_BUILTIN, op, name, in);
  }
  void Output(const ValueView& v, const std::string& name) { ASSERT_TRUE(g().Output(v, name).ok()); }
  NodeView Find(const std::string& name) {
    for (size_t i = 0; i < g().num_nodes(); ++i) {
      if (g().node(i).name() == name) return g().node(i);
    }
    ADD_FAILURE() << "no node " << name << " in\n" << host_.Dump();
    return NodeView();
  }
  bool Asymmetric(const NodeView& n) {
    auto b = n.BoolAttrOr("asymmetric_quantize_inputs", false);
    return b.ok() && *b;
  }
  void Quantize() {
    Status s = host_.RunPipeline();
    ASSERT_TRUE(s.ok()) << s;
    s = host_.Quantize();
    ASSERT_TRUE(s.ok()) << s;
  }

  FakeHost host_;
};

class TestOpsetTest : public DynamicRangeTest {
 protected:
  void SetUp() override {
    DynamicRangeTest::SetUp();
    ASSERT_TRUE(host_.Register(&TestOpsQuery, "test ops").ok());
  }
};

// ---- rules -----------------------------------------------------------------------------------------

TEST_F(TestOpsetTest, HybridWeightsBecomeInt8PerTensor) {
  // 32 x 32 = 1024 elements: exactly the threshold. Two known values pin the scale and rounding.
  std::vector<float> w = SeededFloats(1024, 7, 1.f);  // values in [-0.5, 0.5)
  w[0] = -1.984375f;                            // max |w| = 127 / 64: scale 1/64, exact in float
  w[1] = 0.7890625f;                            // 50.5 / 64 -> 50.5 -> 51 (half away from zero)
  ValueView x = Input("x", {2, 32});
  NodeView d = Custom("TestDense", "dense", {x, Const("dense/kernel", {32, 32}, w), Const("dense/bias", {32}, 1)});
  Output(d.output(0), "y");
  Quantize();

  NodeView dense = Find("dense");
  ValueView q = dense.input(1);
  EXPECT_EQ(q.name(), "dense/kernel");
  EXPECT_EQ(q.type(), TFLC_TYPE_INT8);
  EXPECT_EQ(q.dims(), (std::vector<int64_t>{32, 32}));
  ASSERT_TRUE(q.is_const());
  const auto params = q.quant();
  ASSERT_EQ(params.scales.size(), 1u);
  EXPECT_EQ(params.scales[0], 1.f / 64.f);
  EXPECT_EQ(params.zero_points, (std::vector<int64_t>{0}));
  const std::vector<int8_t> data = Int8Data(q);
  ASSERT_EQ(data.size(), 1024u);
  EXPECT_EQ(data[0], -127);
  EXPECT_EQ(data[1], 51);
  EXPECT_EQ(data, quant::QuantizeSymmetricInt8(w.data(), {32, 32}, quant::kPerTensor).data);
  // Bias and activations stay float; the op now quantizes its input asymmetrically at run time.
  EXPECT_EQ(dense.input(2).type(), TFLC_TYPE_FLOAT32);
  EXPECT_EQ(dense.input(0).type(), TFLC_TYPE_FLOAT32);
  EXPECT_EQ(dense.output(0).type(), TFLC_TYPE_FLOAT32);
  EXPECT_TRUE(Asymmetric(dense));
  EXPECT_NE(host_.Dump().find("dense/kernel INT8[32,32] const"), std::string::npos) << host_.Dump();
}

TEST_F(TestOpsetTest, WeightsUnder1024ElementsStayFloat) {
  ValueView x = Input("x", {1, 31});
  NodeView small = Custom("TestDense", "small", {x, Const("small/kernel", {33, 31}, 1), Const("small/bias", {33}, 2)});
  ValueView x2 = Input("x2", {1, 32});
  NodeView big = Custom("TestDense", "big", {x2, Const("big/kernel", {32, 32}, 3), Const("big/bias", {32}, 4)});
  Output(small.output(0), "y1");
  Output(big.output(0), "y2");
  Quantize();
  // 33 x 31 = 1023 elements.
  EXPECT_EQ(Find("small").input(1).type(), TFLC_TYPE_FLOAT32);
  EXPECT_FALSE(Asymmetric(Find("small")));
  EXPECT_TRUE(Find("small").input(1).quant().empty());
  EXPECT_EQ(Find("big").input(1).type(), TFLC_TYPE_INT8);
  EXPECT_TRUE(Asymmetric(Find("big")));
}

TEST_F(TestOpsetTest, PerChannelAlongTheOutputAxisWhenTheSpecAllowsIt) {
  // [4, 4, 4, 16] = 1024 elements; channel c scaled so its max |w| is known: (c + 1) * 0.5.
  std::vector<float> w = SeededFloats(1024, 11, 1.f);
  for (size_t i = 0; i < w.size(); ++i) w[i] *= static_cast<float>(i / 256 + 1);
  for (int c = 0; c < 4; ++c) w[static_cast<size_t>(c) * 256 + 5] = 0.5f * static_cast<float>(c + 1);
  ValueView x = Input("x", {1, 4, 4, 16});
  NodeView conv = Custom("TestConv", "conv", {x, Const("conv/filter", {4, 4, 4, 16}, w), Const("conv/bias", {4}, 5)});
  Output(conv.output(0), "y");
  Quantize();

  ValueView q = Find("conv").input(1);
  ASSERT_EQ(q.type(), TFLC_TYPE_INT8);
  const auto params = q.quant();
  ASSERT_EQ(params.scales.size(), 4u);
  EXPECT_EQ(params.quantized_dimension, 0);
  EXPECT_EQ(params.zero_points, (std::vector<int64_t>(4, 0)));
  for (int c = 0; c < 4; ++c) EXPECT_FLOAT_EQ(params.scales[static_cast<size_t>(c)], 0.5f * static_cast<float>(c + 1) / 127.f);
  EXPECT_EQ(Int8Data(q), quant::QuantizeSymmetricInt8(w.data(), {4, 4, 4, 16}, 0).data);
  EXPECT_EQ(Int8Data(q)[5], 127);
  // No asymmetric_quantize_inputs option on this op: no attribute either.
  EXPECT_FALSE(Find("conv").HasAttr("asymmetric_quantize_inputs"));
}

TEST_F(TestOpsetTest, SharedWeightsAreQuantizedOnce) {
  ValueView w = Const("shared/kernel", {32, 64}, 13);
  ValueView b = Const("shared/bias", {32}, 14);
  for (const char* name : {"d0", "d1", "d2"}) {
    NodeView d = Custom("TestDense", name, {Input(std::string(name) + "/x", {1, 64}), w, b});
    Output(d.output(0), std::string(name) + "/y");
  }
  Quantize();
  ValueView q = Find("d0").input(1);
  ASSERT_EQ(q.type(), TFLC_TYPE_INT8);
  EXPECT_EQ(Find("d1").input(1).get(), q.get());
  EXPECT_EQ(Find("d2").input(1).get(), q.get());
  EXPECT_EQ(q.num_consumers(), 3u);
  EXPECT_EQ(w.num_consumers(), 0u);  // the float constant is left for the host to drop
  EXPECT_EQ(Find("d2").input(2).get(), b.get());
  for (const char* name : {"d0", "d1", "d2"}) EXPECT_TRUE(Asymmetric(Find(name))) << name;
  // The host pruned the float constant: the dump shows the weights once, as INT8.
  const std::string dump = host_.Dump();
  EXPECT_EQ(dump.find("shared/kernel FLOAT32"), std::string::npos) << dump;
}

TEST_F(TestOpsetTest, AUseThatCannotBeQuantizedKeepsTheFloatConstant) {
  ValueView w = Const("w", {32, 32}, 17);
  NodeView d0 = Custom("TestDense", "d0", {Input("x0", {1, 32}), w, Const("b", {32}, 18)});
  NodeView f = Custom("TestFloat", "f", {Input("x1", {32, 32}), w});
  NodeView d1 = Custom("TestDense", "d1", {Input("x2", {1, 32}), w, Const("b1", {32}, 19)});
  Output(d0.output(0), "y0");
  Output(f.output(0), "y1");
  Output(d1.output(0), "y2");
  Quantize();
  ValueView q = Find("d0").input(1);
  ASSERT_EQ(q.type(), TFLC_TYPE_INT8);
  EXPECT_EQ(Find("d1").input(1).get(), q.get());
  EXPECT_EQ(Find("f").input(1).get(), w.get());
  EXPECT_EQ(w.type(), TFLC_TYPE_FLOAT32);
}

TEST_F(TestOpsetTest, OpsWithoutHybridKernelsAndNonConstantWeightsStayFloat) {
  NodeView f = Custom("TestFloat", "f", {Input("x", {32, 32}), Const("big", {32, 32}, 21)});
  NodeView d = Custom("TestDense", "d", {Input("a", {1, 32}), Input("w", {32, 32}), Const("b", {32}, 22)});
  Output(f.output(0), "y0");
  Output(d.output(0), "y1");
  Quantize();
  EXPECT_EQ(Find("f").input(1).type(), TFLC_TYPE_FLOAT32);
  EXPECT_EQ(Find("d").input(1).type(), TFLC_TYPE_FLOAT32);
  EXPECT_EQ(Find("d").input(2).type(), TFLC_TYPE_FLOAT32);
  EXPECT_FALSE(Asymmetric(Find("d")));
}

TEST_F(TestOpsetTest, MultiWeightOpsAreQuantizedAllOrNothing) {
  // TestLstm: weight_input 1, another rank-2 constant weight at 2, bias at 3 (1-D: stays float).
  NodeView all = Custom("TestLstm", "all", {Input("x0", {1, 8}), Const("all/w1", {32, 32}, 23),
                                            Const("all/w2", {64, 16}, 24), Const("all/b", {32}, 25)});
  NodeView part = Custom("TestLstm", "part", {Input("x1", {1, 8}), Const("part/w1", {32, 32}, 26),
                                              Const("part/w2", {8, 16}, 27), Const("part/b", {32}, 28)});
  Output(all.output(0), "y0");
  Output(part.output(0), "y1");
  Quantize();
  EXPECT_EQ(Find("all").input(1).type(), TFLC_TYPE_INT8);
  EXPECT_EQ(Find("all").input(2).type(), TFLC_TYPE_INT8);
  EXPECT_EQ(Find("all").input(2).quant().scales.size(), 1u);  // only weight_input goes per channel
  EXPECT_EQ(Find("all").input(3).type(), TFLC_TYPE_FLOAT32);
  // part/w2 has 128 elements: TF leaves the whole op float rather than half-quantized.
  EXPECT_EQ(Find("part").input(1).type(), TFLC_TYPE_FLOAT32);
  EXPECT_EQ(Find("part").input(2).type(), TFLC_TYPE_FLOAT32);
}

TEST_F(TestOpsetTest, DequantizedWeightsKeepDenseOutputsWithin2Percent) {
  // y = x W^T + b with the int8 weights the quantizer stored, against the float weights.
  const int64_t n = 48, k = 64, batch = 3;
  const std::vector<float> w = SeededFloats(static_cast<size_t>(n * k), 31, 0.6f);
  const std::vector<float> b = SeededFloats(static_cast<size_t>(n), 32, 0.2f);
  const std::vector<float> x = SeededFloats(static_cast<size_t>(batch * k), 33, 4.f);
  NodeView d = Custom("TestDense", "dense", {Input("x", {batch, k}), Const("w", {n, k}, w), Const("b", {n}, b)});
  Output(d.output(0), "y");
  Quantize();
  ValueView q = Find("dense").input(1);
  ASSERT_EQ(q.type(), TFLC_TYPE_INT8);
  const std::vector<int8_t> data = Int8Data(q);
  const float scale = q.quant().scales[0];
  float peak = 0, worst = 0;
  for (int64_t r = 0; r < batch; ++r) {
    for (int64_t o = 0; o < n; ++o) {
      double want = b[static_cast<size_t>(o)], got = b[static_cast<size_t>(o)];
      for (int64_t i = 0; i < k; ++i) {
        const size_t wi = static_cast<size_t>(o * k + i);
        want += static_cast<double>(x[static_cast<size_t>(r * k + i)]) * w[wi];
        got += static_cast<double>(x[static_cast<size_t>(r * k + i)]) * scale * data[wi];
      }
      peak = std::max(peak, static_cast<float>(std::fabs(want)));
      worst = std::max(worst, static_cast<float>(std::fabs(got - want)));
    }
  }
  EXPECT_LE(worst, 2e-2f * peak) << "worst " << worst << " peak " << peak;
}

TEST_F(TestOpsetTest, ApplyCalledDirectly) {
  // The quantizer through its C entry point, as another host would call it.
  NodeView d = Custom("TestDense", "dense", {Input("x", {1, 32}), Const("w", {32, 32}, 41), Const("b", {32}, 42)});
  Output(d.output(0), "y");
  ASSERT_TRUE(host_.RunPipeline().ok());
  const TflcPluginQuery_Args query{sizeof(TflcPluginQuery_Args), TFLC_ABI_VERSION_MAJOR, TFLC_ABI_VERSION_MINOR,
                                   host_.api()};
  const TflcPluginApi* api = TflcQuantDynamicRange_Query(&query);
  ASSERT_NE(api, nullptr);
  ASSERT_EQ(api->num_quantizers, 1u);
  EXPECT_STREQ(api->quantizers[0].name, "dynamic_range");
  EXPECT_EQ(api->quantizers[0].needs_calibration, 0);
  TflcQuantize_Args a{};
  a.struct_size = TflcQuantize_Args_STRUCT_SIZE;
  a.host = host_.api();
  a.options = host_.options();
  a.graph = g().get();
  TflcStatus* s = api->quantizers[0].Apply(&a);
  ASSERT_EQ(s, nullptr) << sdk::Str(host_.api()->Status_Message(s));
  EXPECT_EQ(Find("dense").input(1).type(), TFLC_TYPE_INT8);
}

// ---- the builtin opset ----------------------------------------------------------------------------

class BuiltinTest : public DynamicRangeTest {
 protected:
  void SetUp() override {
    DynamicRangeTest::SetUp();
#if TFLC_HAVE_OPSET_BUILTIN
    ASSERT_TRUE(host_.Register(TflcOpsetBuiltin_Query, "opset_builtin (in-process)").ok());
#else
    GTEST_SKIP() << "needs the opset_builtin plugin in the build";
#endif
  }
  // Skips unless the builtin entry of `op` declares a hybrid kernel (its quant facts may be newer).
  bool HasHybrid(const NodeView& n) {
    const TflcOpQuantSpec* s = n.quant_spec();
    return s && (s->kernels & TFLC_QUANT_KERNEL_HYBRID);
  }
};

TEST_F(BuiltinTest, FullyConnectedPerTensorWithAsymmetricInputs) {
  const std::vector<float> w = SeededFloats(64 * 32, 51, 1.f);
  NodeView fc = Builtin("FULLY_CONNECTED", "dense", {Input("x", {2, 32}), Const("dense/kernel", {64, 32}, w),
                                                     Const("dense/bias", {64}, 52)});
  Output(fc.output(0), "y");
  if (!HasHybrid(fc)) GTEST_SKIP() << "opset_builtin's FULLY_CONNECTED has no hybrid quant spec yet";
  Quantize();
  NodeView dense = Find("dense");
  ValueView q = dense.input(1);
  ASSERT_EQ(q.type(), TFLC_TYPE_INT8);
  const auto params = q.quant();
  const auto want = quant::QuantizeSymmetricInt8(w.data(), {64, 32}, quant::kPerTensor);
  ASSERT_EQ(params.scales.size(), 1u);
  EXPECT_FLOAT_EQ(params.scales[0], want.scales[0]);
  EXPECT_EQ(Int8Data(q), want.data);
  EXPECT_EQ(dense.input(2).type(), TFLC_TYPE_FLOAT32);
  EXPECT_TRUE(Asymmetric(dense));
  auto bytes = host_.Export();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
}

TEST_F(BuiltinTest, ConvPerChannelAxis0AndDepthwiseAxis3) {
  ValueView x = Input("x", {1, 8, 8, 16});
  NodeView conv = Builtin("CONV_2D", "conv", {x, Const("conv/filter", {8, 3, 3, 16}, 61), Const("conv/bias", {8}, 62)});
  ASSERT_TRUE(conv.SetInt("stride_w", 1).ok() && conv.SetInt("stride_h", 1).ok() && conv.SetInt("padding", 0).ok());
  NodeView dw = Builtin("DEPTHWISE_CONV_2D", "dw", {x, Const("dw/filter", {1, 8, 8, 16}, 63), Const("dw/bias", {16}, 64)});
  ASSERT_TRUE(dw.SetInt("stride_w", 1).ok() && dw.SetInt("stride_h", 1).ok() && dw.SetInt("padding", 0).ok() &&
              dw.SetInt("depth_multiplier", 1).ok());
  Output(conv.output(0), "y0");
  Output(dw.output(0), "y1");
  if (!HasHybrid(conv) || !HasHybrid(dw)) GTEST_SKIP() << "opset_builtin's convolutions have no hybrid quant spec yet";
  Quantize();
  ValueView cq = Find("conv").input(1);
  ASSERT_EQ(cq.type(), TFLC_TYPE_INT8);
  EXPECT_EQ(cq.quant().quantized_dimension, 0);
  EXPECT_EQ(cq.quant().scales.size(), 8u);
  ValueView dq = Find("dw").input(1);
  ASSERT_EQ(dq.type(), TFLC_TYPE_INT8);
  EXPECT_EQ(dq.quant().quantized_dimension, 3);
  EXPECT_EQ(dq.quant().scales.size(), 16u);
  EXPECT_FALSE(Asymmetric(Find("conv")));
}

}  // namespace
}  // namespace tflc::quant_dynamic_range
