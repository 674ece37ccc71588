#include "select_tf.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "flatbuffers/flexbuffers.h"
#include "tf_common/stand_in.h"
#include "tflc/sdk/plugin.h"

namespace tflc::select_tf {
namespace {

constexpr const char* kAllowlist[] = {
#include "flex_allowlist.inc"
};

TflcStatus* Match(TflcLowerNode_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    args->matches = IsAllowlisted(sdk::NodeView(args->host, args->node).op()) ? 1 : 0;
    return OkStatus();
  });
}

TflcStatus* Lower(TflcLowerNode_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    sdk::NodeView src(args->host, args->node);
    sdk::GraphBuilder graph(args->host, args->graph);
    TFLC_ASSIGN_OR_RETURN(std::string node_def, tf::SourceNodeDef(src));
    const std::string op(src.op());
    TFLC_ASSIGN_OR_RETURN(sdk::NodeView flex, tf::EmitStandIn(graph, src, "Flex" + op));
    return flex.SetString("__custom_options", FlexOptions(op, node_def));
  });
}

const TflcLoweringEntry kRows[] = {
    sdk::Row("*", TFLC_TARGET_SELECT_TF, "Flex<Op>", 1, 1, /*priority=*/0, Lower, Match,
             "any op in TensorFlow's Flex allowlist without a builtin lowering → Flex<Op> carrying its NodeDef "
             "(--enable_select_tf_ops)"),
};

}  // namespace

bool IsAllowlisted(std::string_view op) {
  const std::string key(op);
  return std::binary_search(std::begin(kAllowlist), std::end(kAllowlist), key.c_str(),
                            [](const char* a, const char* b) { return std::strcmp(a, b) < 0; });
}

std::string FlexOptions(std::string_view op, const std::string& node_def) {
  flexbuffers::Builder fb;
  fb.Vector([&] {
    fb.String(op.data(), op.size());
    fb.String(node_def.data(), node_def.size());
  });
  fb.Finish();
  const std::vector<uint8_t>& buf = fb.GetBuffer();
  return std::string(buf.begin(), buf.end());
}

}  // namespace tflc::select_tf

extern "C" const TflcPluginApi* TflcLowerSelectTf_Query(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi(
        "lower_select_tf", "0.1.0", "Select TF ops: TensorFlow ops without a builtin become Flex<Op> custom ops");
    tflc::sdk::SetLowerings(a, tflc::select_tf::kRows);
    return a;
  }();
  return tflc::sdk::Negotiate(args, &api);
}
