#include "custom.h"

#include <algorithm>
#include <utility>

#include "flatbuffers/flexbuffers.h"
#include "graph.pb.h"
#include "tf_common/importer.h"
#include "tf_common/stand_in.h"
#include "tf_common/tensor.h"
#include "tflc/sdk/plugin.h"

namespace tflc::lower_custom {
namespace {

TflcStatus* Lower(TflcLowerNode_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    sdk::NodeView src(args->host, args->node);
    sdk::GraphBuilder graph(args->host, args->graph);
    TFLC_ASSIGN_OR_RETURN(sdk::NodeView custom, tf::EmitStandIn(graph, src, src.op()));
    TflcAttrValue def;
    if (src.GetAttr(tf::kNodeDefAttr, &def) && def.kind == TFLC_ATTR_STRING) {
      std::string options;
      std::vector<std::string> skipped;
      if (!AttrMapOptions(std::string(sdk::Str(def.s)), &options, &skipped)) {
        return DataLoss("the NodeDef the frontend recorded does not parse");
      }
      if (!skipped.empty()) {
        std::string keys;
        for (const std::string& k : skipped) keys += (keys.empty() ? "" : ", ") + k;
        const std::string m = "custom op '" + std::string(src.name()) + "' (" + std::string(src.op()) +
                              "): attributes left out of custom_options (kinds TFLite custom options do not "
                              "carry): " + keys;
        args->host->Log(TFLC_LOG_WARNING, sdk::Sv(m));
      }
      return custom.SetString("__custom_options", options);
    }
    // No NodeDef (a frontend that builds TF ops itself): the host writes the attributes.
    for (const std::string& key : src.AttrNames()) {
      if (key.empty() || key[0] == '_') continue;
      TflcAttrValue v;
      if (src.GetAttr(key, &v)) TFLC_RETURN_IF_ERROR(custom.SetAttr(key, v));
    }
    return OkStatus();
  });
}

const TflcLoweringEntry kRows[] = {
    sdk::Row("*", TFLC_TARGET_CUSTOM, "<Op>", 1, 1, /*priority=*/0, Lower, nullptr,
             "any op nothing else lowers → custom op <Op> with its attributes as a FlexBuffer map "
             "(--allow_custom_ops)"),
};

}  // namespace

bool AttrMapOptions(const std::string& node_def, std::string* options, std::vector<std::string>* skipped) {
  tf::NodeDef def;
  if (!def.ParseFromString(node_def)) return false;
  std::vector<std::pair<std::string, const tf::AttrValue*>> attrs;
  for (const auto& [k, v] : def.attr()) {
    if (!k.empty() && k[0] != '_') attrs.emplace_back(k, &v);  // not TF's internal "_output_shapes", "_class"...
  }
  std::sort(attrs.begin(), attrs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  flexbuffers::Builder fb;
  const size_t map = fb.StartMap();
  for (const auto& [key, attr] : attrs) {
    const char* k = key.c_str();
    switch (attr->value_case()) {
      case tf::AttrValue::kS: fb.Key(k); fb.String(attr->s().data(), attr->s().size()); break;
      case tf::AttrValue::kI: fb.Int(k, attr->i()); break;
      case tf::AttrValue::kF: fb.Float(k, attr->f()); break;
      case tf::AttrValue::kB: fb.Bool(k, attr->b()); break;
      case tf::AttrValue::kType: {
        const TflcDataType t = tf::FromTfType(attr->type());
        if (t == TFLC_TYPE_UNKNOWN) {
          skipped->push_back(key);
        } else {
          fb.Int(k, t);
        }
        break;
      }
      case tf::AttrValue::kList: {
        const auto& l = attr->list();
        if (l.s_size() > 0) {
          fb.TypedVector(k, [&] { for (const auto& v : l.s()) fb.String(v.data(), v.size()); });
        } else if (l.i_size() > 0) {
          fb.TypedVector(k, [&] { for (int64_t v : l.i()) fb.Int(v); });
        } else if (l.f_size() > 0) {
          fb.TypedVector(k, [&] { for (float v : l.f()) fb.Float(v); });
        } else {
          skipped->push_back(key);
        }
        break;
      }
      default: skipped->push_back(key); break;
    }
  }
  fb.EndMap(map);
  fb.Finish();
  const std::vector<uint8_t>& buf = fb.GetBuffer();
  options->assign(buf.begin(), buf.end());
  return true;
}

}  // namespace tflc::lower_custom

extern "C" const TflcPluginApi* TflcLowerCustom_Query(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("lower_custom", "0.1.0",
                                              "--allow_custom_ops: ops nothing else lowers become custom ops");
    tflc::sdk::SetLowerings(a, tflc::lower_custom::kRows);
    return a;
  }();
  return tflc::sdk::Negotiate(args, &api);
}
