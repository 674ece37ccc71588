// Custom Keras layers as claimable source nodes keras.<Class> (layers_custom.cc): what the node
// carries, how a plugin's source-domain opset entry gives it shapes (Node_InferShape), and what
// happens without a claimant (examples/keras_layer_plugin's tests cover a plugin's refusals).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontend.h"
#include "test_util.h"

namespace tflc::keras::testing {
namespace {

// A stand-in Keras layer plugin's shape function: "keras.ScaleShift" keeps its input's shape.
TflcStatus* ScaleShiftShape(TflcOpShape_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    sdk::NodeView n(args->host, args->node);
    return n.output(0).SetShape(n.input(0).type(), n.input(0).dims());
  });
}

char kScaleShift[] = "keras.ScaleShift";
const TflcOpsetEntry kOps[] = {
    {TflcOpsetEntry_STRUCT_SIZE, kScaleShift, TFLC_DOMAIN_SOURCE, 0, 0, nullptr, 0, ScaleShiftShape, nullptr, nullptr,
     nullptr, 0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr}};

extern "C" const TflcPluginApi* ScaleShiftPlugin_Query(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("scale_shift_layers", "1.0.0", "test");
    sdk::SetOps(a, kOps);
    return a;
  }();
  return sdk::Negotiate(args, &api);
}

std::vector<std::string> StrList(const NodeView& n, const std::string& attr) {
  TflcAttrValue v;
  std::vector<std::string> out;
  if (!n.GetAttr(attr, &v) || v.kind != TFLC_ATTR_STRING_LIST) return {"<missing " + attr + ">"};
  for (size_t i = 0; i < v.count; ++i) out.emplace_back(sdk::Str(v.strings[i]));
  return out;
}

TEST(CustomLayers, ACallBecomesOneClaimableNodeWithConfigWeightsAndShapes) {
  REQUIRE_MODELS();
  Loaded l(Model("custom_as_custom_op"), "", &ScaleShiftPlugin_Query);
  ASSERT_TRUE(l.status().ok()) << l.status();
  EXPECT_EQ(l.Count("keras.ScaleShift"), 1);
  NodeView n = l.Node("scale_shift/call");
  ASSERT_TRUE(n);
  // Config keys as attributes (JSON text for objects), the raw config, the class and the call.
  EXPECT_DOUBLE_EQ(l.Float("scale_shift/call", "factor"), 2.5);
  EXPECT_EQ(l.Ints("scale_shift/call", "axes"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(l.Str("scale_shift/call", "mode"), "fast");
  EXPECT_NE(l.Str("scale_shift/call", "dtype").find("DTypePolicy"), std::string::npos);
  EXPECT_NE(l.Str("scale_shift/call", "_keras_config").find("\"factor\":2.5"), std::string::npos);
  EXPECT_EQ(l.Str("scale_shift/call", "_keras_class"), "ScaleShift");
  EXPECT_EQ(l.Str("scale_shift/call", "_keras_registered_name"), "ScaleShift");
  EXPECT_NE(l.Str("scale_shift/call", "_keras_call").find("__tflc_tensor__"), std::string::npos);
  TflcAttrValue eps;
  EXPECT_FALSE(n.GetAttr("eps", &eps));  // null config values are left out
  // Inputs: the call's tensor, then the weights (own vars, then the child object's), named.
  EXPECT_EQ(l.Int("scale_shift/call", "_keras_inputs"), 1);
  EXPECT_EQ(StrList(n, "_keras_weights"), (std::vector<std::string>{"vars/0", "sub/vars/0"}));
  ASSERT_EQ(n.num_inputs(), 3u);
  EXPECT_EQ(n.input(0).name(), "dense/BiasAdd");
  EXPECT_EQ(n.input(1).name(), "scale_shift/vars/0");
  EXPECT_EQ(n.input(2).name(), "scale_shift/sub/vars/0");
  EXPECT_EQ(l.InDims("scale_shift/call", 2), (std::vector<int64_t>{4}));
  // The plugin's shape function shaped the output, and the next layer was converted from it.
  EXPECT_EQ(n.output(0).dims(), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(l.Input("dense_1/MatMul", 0).name(), "scale_shift/call");
}

TEST(CustomLayers, WithoutAClaimantEveryCustomLayerIsListedWithTheRoutes) {
  REQUIRE_MODELS();
  Loaded l(Model("custom_as_custom_op"));
  ASSERT_FALSE(l.status().ok());
  const std::string& m = l.status().message();
  EXPECT_EQ(l.status().code(), TFLC_CODE_UNIMPLEMENTED);
  for (const char* part : {"1 custom Keras layer that no loaded plugin implements",
                           "layer 'scale_shift': class 'ScaleShift' (defined in the saving script", "never its code",
                           "Keras layer plugin", "keras.<Class>", "model.export(\"dir\")", "--saved_model_dir",
                           "--allow_custom_ops"})
    EXPECT_NE(m.find(part), std::string::npos) << part << "\n" << m;
}

TEST(CustomLayers, WithAllowCustomOpsTheRecordedShapesAreUsed) {
  REQUIRE_MODELS();
  tflc::testing::FakeHost host;
  ASSERT_TRUE(host.Register(&TflcFrontendKerasH5_Query, "frontend_keras_h5").ok());
  host.SetOption("allow_custom_ops", "true");
  ASSERT_TRUE(host.LoadModel(Model("custom_as_custom_op")).ok());
  GraphBuilder g = host.graph();
  bool found = false;
  for (size_t i = 0; i < g.num_nodes(); ++i) {
    NodeView n = g.node(i);
    if (n.op() != "keras.ScaleShift") continue;
    found = true;
    EXPECT_EQ(n.output(0).dims(), (std::vector<int64_t>{1, 4}));  // recorded [None, 4], batch 1
  }
  EXPECT_TRUE(found);
}

TEST(CustomLayers, LegacyH5WithAllowCustomOpsSaysTheShapesAreNotRecorded) {
  REQUIRE_MODELS();
  tflc::testing::FakeHost host;
  ASSERT_TRUE(host.Register(&TflcFrontendKerasH5_Query, "frontend_keras_h5").ok());
  host.SetOption("allow_custom_ops", "true");
  Status st = host.LoadModel(Model("custom_registered_legacy_h5"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("layer 'attn': class 'my_pkg>Attention'"), std::string::npos) << st;
  EXPECT_NE(st.message().find("does not record their output shapes"), std::string::npos) << st;
}

}  // namespace
}  // namespace tflc::keras::testing
