// A minimal valid plugin: one opset entry, built exactly as a vendor would (SDK headers only).
#include "tflc/sdk/plugin.h"

namespace {
TflcStatus* Shape(TflcOpShape_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> tflc::Status {
    tflc::sdk::NodeView n(args->host, args->node);
    return n.output(0).SetShape(n.input(0).type(), n.input(0).dims());
  });
}
const TflcOpsetEntry kOps[] = {
    {TflcOpsetEntry_STRUCT_SIZE, "TestVendorOp", TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, Shape, nullptr, nullptr,
     nullptr, 0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
};
const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("test_good_plugin", "1.2.3", "a valid test plugin");
    tflc::sdk::SetOps(a, kOps);
    return a;
  }();
  return &api;
}
}  // namespace

extern "C" const TflcPluginApi* TestGood_Query(const TflcPluginQuery_Args* args) {
  return tflc::sdk::Negotiate(args, Api());
}
TFLC_PLUGIN_ENTRY(TestGood_Query)
