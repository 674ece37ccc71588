// A plugin built against the frozen v1.0 ABI headers, in plain C, loads into today's host and works.
#include <gtest/gtest.h>

#include "ir/host_api.h"
#include "loader/loader.h"
#include "pipeline/passes.h"
#include "registry/registry.h"
#include "tflc/sdk/plugin.h"

TEST(AbiCompat, LoadsPluginBuiltAgainstV1_0) {
  tflc::host::Registry registry;
  std::vector<std::string> warnings;
  tflc::host::LoadPlugins(&registry, {TFLC_OLD_ABI_PLUGIN_DIR}, [&](const std::string& w) { warnings.push_back(w); });
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  ASSERT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.plugins()[0]->name(), "abi_v1_0_plugin");
  EXPECT_EQ(registry.plugins()[0]->api->abi_minor, 0);

  // And its row and op work through the host: AbiV10Op lowers to the custom op with a shape.
  TflcModel model;
  TflcGraph* g = tflc::host::AddGraph(&model, "serving_default");
  tflc::sdk::GraphBuilder b(tflc::host::HostApi(), g);
  auto x = b.Input("x", TFLC_TYPE_FLOAT32, {1, 3});
  auto n = b.Source("AbiV10Op", "vendor", {*x});
  ASSERT_TRUE(b.Output(n->output(0), "y").ok());
  TflcOptions options;
  options.values["allow_custom_ops"] = "true";
  tflc::host::PassContext ctx{&registry, &options};
  ASSERT_TRUE(tflc::host::LowerGraph(ctx, g).ok());
  ASSERT_TRUE(tflc::host::InferShapes(ctx, g).ok());
  ASSERT_EQ(b.num_nodes(), 1u);
  EXPECT_EQ(b.node(0).op(), "AbiV10Op");
  EXPECT_EQ(b.node(0).domain(), TFLC_DOMAIN_CUSTOM);
  EXPECT_EQ(b.output(0).dims(), (std::vector<int64_t>{1, 3}));
}
