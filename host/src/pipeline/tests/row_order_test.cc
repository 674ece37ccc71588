// Which lowering row the host picks for a node (docs/abi.md "Which row lowers a node"): exact rows
// before wildcards, higher priority first, then builtin > vendor > Select TF > custom, and which
// targets the options enable (a vendor row — CUSTOM with an opset-defined target op — needs none).
#include <gtest/gtest.h>

#include <string>

#include "tflc/sdk/plugin.h"
#include "tflc/testing/fake_host.h"

namespace tflc {
namespace {

// Every row emits a custom op named by its user_data, so the dump shows which row ran.
TflcStatus* Emit(TflcLowerNode_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    sdk::NodeView src(args->host, args->node);
    sdk::GraphBuilder g(args->host, args->graph);
    TFLC_ASSIGN_OR_RETURN(sdk::NodeView n, g.AddNode(TFLC_DOMAIN_CUSTOM, static_cast<const char*>(args->user_data),
                                                     src.name(), {src.input(0)}));
    TFLC_RETURN_IF_ERROR(n.output(0).SetShape(src.input(0).type(), src.input(0).dims()));
    return src.output(0).ReplaceAllUsesWith(n.output(0));
  });
}

TflcStatus* SameShape(TflcOpShape_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    sdk::NodeView n(args->host, args->node);
    return n.output(0).SetShape(n.input(0).type(), n.input(0).dims());
  });
}

char kBuiltin[] = "BY_BUILTIN_ROW";
char kVendor[] = "VENDOR_OP";
char kVendorHigh[] = "VENDOR_OP_HIGH";
char kSelect[] = "BY_SELECT_TF_ROW";
char kCustom[] = "BY_CUSTOM_ROW";
char kUnknown[] = "NO_OPSET_OP";

TflcLoweringEntry R(const char* op, TflcTarget t, const char* target_op, int32_t priority, char* label) {
  return sdk::Row(op, t, target_op, 1, 1, priority, Emit, nullptr, nullptr, label);
}

// A "builtin" plugin: rows for Foo and Qux at priority 0.
const TflcLoweringEntry kBuiltinRows[] = {R("Foo", TFLC_TARGET_BUILTIN, "X", 0, kBuiltin),
                                          R("Qux", TFLC_TARGET_BUILTIN, "X", 0, kBuiltin)};
// A vendor: its op VENDOR_OP (with an opset entry) for Foo and Bar at priority 0, and for Qux at
// priority 10 (an override); a CUSTOM row to an op no opset defines (Baz).
const TflcLoweringEntry kVendorRows[] = {R("Bar", TFLC_TARGET_CUSTOM, kVendor, 0, kVendor),
                                         R("Baz", TFLC_TARGET_CUSTOM, kUnknown, 0, kUnknown),
                                         R("Foo", TFLC_TARGET_CUSTOM, kVendor, 0, kVendor),
                                         R("Qux", TFLC_TARGET_CUSTOM, kVendorHigh, 10, kVendorHigh)};
const TflcOpsetEntry kVendorOps[] = {
    {TflcOpsetEntry_STRUCT_SIZE, kVendor, TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, SameShape, nullptr, nullptr, nullptr,
     0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
    {TflcOpsetEntry_STRUCT_SIZE, kVendorHigh, TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, SameShape, nullptr, nullptr,
     nullptr, 0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr}};
// Fallbacks, declared in the order opposite to the precedence to show the order is not load order.
const TflcLoweringEntry kFallbackRows[] = {R("*", TFLC_TARGET_CUSTOM, "<Op>", 0, kCustom),
                                          R("*", TFLC_TARGET_SELECT_TF, "Flex<Op>", 0, kSelect)};

extern "C" const TflcPluginApi* BuiltinLike_Query(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("builtin_like", "1.0.0", "test");
    sdk::SetLowerings(a, kBuiltinRows);
    return a;
  }();
  return sdk::Negotiate(args, &api);
}
extern "C" const TflcPluginApi* Vendor_Query(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("vendor", "1.0.0", "test");
    sdk::SetLowerings(a, kVendorRows);
    sdk::SetOps(a, kVendorOps);
    return a;
  }();
  return sdk::Negotiate(args, &api);
}
extern "C" const TflcPluginApi* Fallbacks_Query(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("fallbacks", "1.0.0", "test");
    sdk::SetLowerings(a, kFallbackRows);
    return a;
  }();
  return sdk::Negotiate(args, &api);
}

// Lowers one `op` node; returns the custom op that replaced it, or the error.
std::string LowerOne(const std::string& op, bool select_tf, bool custom) {
  testing::FakeHost host;
  // The vendor loads first: precedence must not depend on load order.
  for (auto q : {&Vendor_Query, &Fallbacks_Query, &BuiltinLike_Query}) EXPECT_TRUE(host.Register(q).ok());
  if (select_tf) host.SetOption("enable_select_tf_ops", "true");
  if (custom) host.SetOption("allow_custom_ops", "true");
  auto g = host.graph();
  auto x = g.Input("x", TFLC_TYPE_FLOAT32, {1, 4});
  auto n = g.Source(op, "n", {*x});
  EXPECT_TRUE(g.Output(n->output(0), "y").ok());
  Status st = host.Lower();
  if (!st.ok()) return "error: " + st.message();
  const std::string dump = host.Dump();
  for (const char* label : {kBuiltin, kVendor, kVendorHigh, kSelect, kCustom, kUnknown}) {
    if (dump.find(std::string(label) + " \"n\"") != std::string::npos) return label;
  }
  return "?? " + dump;
}

TEST(RowOrder, BuiltinBeatsVendorAtEqualPriority) {
  EXPECT_EQ(LowerOne("Foo", true, true), kBuiltin);
}

TEST(RowOrder, HigherPriorityVendorRowOverridesTheBuiltin) {
  EXPECT_EQ(LowerOne("Qux", false, false), kVendorHigh);
}

TEST(RowOrder, VendorOpNeedsNoFlagAndBeatsSelectTfAndCustom) {
  EXPECT_EQ(LowerOne("Bar", false, false), kVendor);
  EXPECT_EQ(LowerOne("Bar", true, true), kVendor);
}

TEST(RowOrder, CustomRowToAnOpNoOpsetDefinesNeedsAllowCustomOps) {
  EXPECT_NE(LowerOne("Baz", false, false).find("error: "), std::string::npos);
  EXPECT_EQ(LowerOne("Baz", false, true), kUnknown);
  // An exact row comes before the wildcard Select TF row.
  EXPECT_EQ(LowerOne("Baz", true, true), kUnknown);
}

TEST(RowOrder, SelectTfBeatsCustomAmongFallbacks) {
  EXPECT_EQ(LowerOne("Other", true, true), kSelect);
  EXPECT_EQ(LowerOne("Other", false, true), kCustom);
  EXPECT_EQ(LowerOne("Other", true, false), kSelect);
  const std::string refused = LowerOne("Other", false, false);
  EXPECT_NE(refused.find("Other x1 (first: 'n')"), std::string::npos) << refused;
  EXPECT_NE(refused.find("--enable_select_tf_ops"), std::string::npos) << refused;
}

}  // namespace
}  // namespace tflc
