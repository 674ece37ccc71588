// Unit tests of the acme_ops plugin in FakeHost (the real host in-process, no dlopen), plus the
// shared plugin conformance suite. Built when the tflc install ships its testing component.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "acme_ops.h"
#include "tflc/testing/fake_host.h"
#ifdef ACME_HAVE_CONFORMANCE
#include "tflc/testing/conformance.h"
#endif

namespace {

using tflc::testing::FakeHost;
using tflc::testing::HostTensor;

#ifdef ACME_HAVE_CONFORMANCE
TFLC_PLUGIN_CONFORMANCE_TEST(AcmeOps, AcmeOps_Query);
#endif

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// x [1, 6] → <op> "clip" → y, with the given attributes set on the source node.
void BuildUnary(FakeHost& host, const char* op, double lo, double hi, bool with_bounds = true) {
  auto g = host.graph();
  auto x = g.Input("x", TFLC_TYPE_FLOAT32, {1, 6});
  ASSERT_TRUE(x.ok());
  auto node = g.Source(op, "clip", {*x});
  ASSERT_TRUE(node.ok()) << node.status().message();
  ASSERT_TRUE(node->SetType("T", TFLC_TYPE_FLOAT32).ok());
  if (with_bounds) {
    ASSERT_TRUE(node->SetFloat("lo", lo).ok());
    ASSERT_TRUE(node->SetFloat("hi", hi).ok());
  }
  ASSERT_TRUE(g.Output(node->output(0), "y").ok());
}

std::vector<float> Interpret(FakeHost& host, const std::vector<float>& x) {
  auto out = host.Interpret({HostTensor::Float({1, 6}, x)});
  EXPECT_TRUE(out.ok()) << out.status().message();
  if (!out.ok() || out->size() != 1) return {};
  return (*out)[0].floats();
}

TEST(AcmeOps, LowersAcmeClipToCustomOpWithBounds) {
  FakeHost host;
  ASSERT_TRUE(host.Register(&AcmeOps_Query).ok());
  BuildUnary(host, "AcmeClip", -1.5, 2.5);
  ASSERT_TRUE(host.RunPipeline().ok());
  const std::string dump = host.Dump();
  EXPECT_TRUE(Contains(dump, "ACME_CLIP \"clip\" (x FLOAT32[1,6]) -> (")) << dump;
  EXPECT_TRUE(Contains(dump, "FLOAT32[1,6])")) << dump;  // the shape function
  EXPECT_TRUE(Contains(dump, "hi=2.5")) << dump;
  EXPECT_TRUE(Contains(dump, "lo=-1.5")) << dump;
  EXPECT_EQ(Interpret(host, {-3, -1.5, -1, 0, 2.5, 4}), (std::vector<float>{-1.5, -1.5, -1, 0, 2.5, 2.5}));
}

TEST(AcmeOps, Relu6BecomesAcmeClipZeroToSix) {
  FakeHost host;
  ASSERT_TRUE(host.Register(&AcmeOps_Query).ok());
  BuildUnary(host, "Relu6", 0, 0, /*with_bounds=*/false);
  ASSERT_TRUE(host.RunPipeline().ok());
  const std::string dump = host.Dump();
  EXPECT_TRUE(Contains(dump, "ACME_CLIP \"clip\"")) << dump;
  EXPECT_TRUE(Contains(dump, "hi=6")) << dump;
  EXPECT_TRUE(Contains(dump, "lo=0")) << dump;
  EXPECT_EQ(Interpret(host, {-1, 0, 3, 6, 7, 100}), (std::vector<float>{0, 0, 3, 6, 6, 6}));
}

TEST(AcmeOps, ConstantInputIsFolded) {
  FakeHost host;
  ASSERT_TRUE(host.Register(&AcmeOps_Query).ok());
  auto g = host.graph();
  auto x = g.Input("x", TFLC_TYPE_FLOAT32, {1, 3});
  auto c = g.ConstFloat("c", {1, 3}, {-5.f, 0.5f, 5.f});
  ASSERT_TRUE(x.ok() && c.ok());
  auto clip = g.Source("AcmeClip", "clip", {*c});
  ASSERT_TRUE(clip.ok());
  ASSERT_TRUE(clip->SetFloat("lo", -1).ok());
  ASSERT_TRUE(clip->SetFloat("hi", 1).ok());
  auto add = g.Source("AcmeClip", "clip2", {*x});  // keeps the graph input used
  ASSERT_TRUE(add.ok());
  ASSERT_TRUE(add->SetFloat("lo", -1).ok());
  ASSERT_TRUE(add->SetFloat("hi", 1).ok());
  ASSERT_TRUE(g.Output(clip->output(0), "folded").ok());
  ASSERT_TRUE(g.Output(add->output(0), "y").ok());
  ASSERT_TRUE(host.RunPipeline().ok());
  const std::string dump = host.Dump();
  EXPECT_FALSE(Contains(dump, "ACME_CLIP \"clip\" ")) << dump;  // folded by the reference kernel
  EXPECT_TRUE(Contains(dump, "ACME_CLIP \"clip2\"")) << dump;
}

TEST(AcmeOps, BoundsInTheWrongOrderAreAnError) {
  FakeHost host;
  ASSERT_TRUE(host.Register(&AcmeOps_Query).ok());
  BuildUnary(host, "AcmeClip", 3, 1);
  const tflc::Status s = host.RunPipeline();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Contains(s.message(), "clip")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "must not be greater than hi")) << s.message();
}

TEST(AcmeOps, MissingBoundIsAnError) {
  FakeHost host;
  ASSERT_TRUE(host.Register(&AcmeOps_Query).ok());
  BuildUnary(host, "AcmeClip", 0, 0, /*with_bounds=*/false);
  const tflc::Status s = host.RunPipeline();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Contains(s.message(), "missing attribute 'lo'")) << s.message();
}

TEST(AcmeOps, OpsetEntryQuantizesInInt8OnTheInputScale) {
  TflcPluginQuery_Args q{};
  q.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  q.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  q.host_abi_minor = TFLC_ABI_VERSION_MINOR;
  const TflcPluginApi* api = AcmeOps_Query(&q);
  ASSERT_NE(api, nullptr);
  ASSERT_EQ(api->num_ops, 1u);
  const TflcOpsetEntry& e = api->ops[0];
  EXPECT_STREQ(e.op, "ACME_CLIP");
  EXPECT_EQ(e.domain, TFLC_DOMAIN_CUSTOM);
  EXPECT_EQ(e.builtin_code, 32);
  ASSERT_NE(e.Evaluate, nullptr);
  ASSERT_NE(e.quant, nullptr);
  EXPECT_EQ(e.quant->kernels, TFLC_QUANT_KERNEL_INT8);
  EXPECT_EQ(e.quant->output, TFLC_QUANT_OUTPUT_SAME_AS_INPUT);
  // Both rows name the op the opset defines: that is what makes them vendor op support.
  for (size_t i = 0; i < api->num_lowerings; ++i) {
    EXPECT_EQ(api->lowerings[i].target, TFLC_TARGET_CUSTOM);
    EXPECT_STREQ(api->lowerings[i].target_op, "ACME_CLIP");
  }
}

}  // namespace
