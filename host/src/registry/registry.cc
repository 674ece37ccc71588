#include "registry/registry.h"

#include <algorithm>
#include <cstring>

#include "ir/host_api.h"

namespace tflc::host {
namespace {

template <typename T>
const T* At(const T* base, size_t stride, size_t i) {
  return reinterpret_cast<const T*>(reinterpret_cast<const char*>(base) + i * stride);
}

// Checks one table declaration: non-null when non-empty, a sane stride, and every element's
// struct_size covering the v1.0 fields.
template <typename T>
Status CheckTable(const char* what, const T* base, size_t count, size_t stride, size_t v1_size) {
  if (count == 0) return OkStatus();
  if (!base) return InvalidArgument(std::string(what) + " table is NULL but has " + std::to_string(count) + " entries");
  if (stride < v1_size) {
    return InvalidArgument(std::string(what) + " stride " + std::to_string(stride) + " is smaller than the v1.0 entry size");
  }
  for (size_t i = 0; i < count; ++i) {
    if (At(base, stride, i)->struct_size < v1_size) {
      return InvalidArgument(std::string(what) + " entry " + std::to_string(i) + " has struct_size " +
                             std::to_string(At(base, stride, i)->struct_size) + ", older than ABI v1.0");
    }
  }
  return OkStatus();
}

// Sizes of the v1.0 prefixes. A plugin built against v1.0 must keep loading when later minor
// versions append fields, so these are spelled with the v1.0 last fields, never the current macros.
constexpr size_t kPluginApiV1_0 = TFLC_STRUCT_SIZE(TflcPluginApi, quantizer_stride);
constexpr size_t kFrontendV1_0 = TFLC_STRUCT_SIZE(TflcFrontend, user_data);
constexpr size_t kLoweringEntryV1_0 = TFLC_STRUCT_SIZE(TflcLoweringEntry, note);
constexpr size_t kOpsetEntryV1_0 = TFLC_STRUCT_SIZE(TflcOpsetEntry, Query);
constexpr size_t kQuantizerV1_0 = TFLC_STRUCT_SIZE(TflcQuantizer, user_data);
constexpr size_t kOptionFieldV1_0 = TFLC_STRUCT_SIZE(TflcOptionField, default_value);

}  // namespace

const TflcOptionField* OptionField(const TflcOpsetEntry* e, size_t i) {
  size_t stride = e->option_field_stride ? e->option_field_stride : sizeof(TflcOptionField);
  return At(e->option_fields, stride, i);
}

Registry::~Registry() {
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    if ((*it)->api->Destroy && (*it)->created) (*it)->api->Destroy((*it)->state);
  }
}

Status Registry::Register(TflcPluginQueryFn query, const std::string& origin,
                          const std::function<void(const std::string&)>& warn) {
  TflcPluginQuery_Args qa{};
  qa.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  qa.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  qa.host_abi_minor = TFLC_ABI_VERSION_MINOR;
  qa.host = HostApi();
  const TflcPluginApi* api = query(&qa);
  if (!api) {
    return FailedPrecondition("the plugin declined the host's ABI version " + std::to_string(TFLC_ABI_VERSION_MAJOR) +
                              "." + std::to_string(TFLC_ABI_VERSION_MINOR) +
                              " (built for another major version? rebuild it against this tflc SDK)");
  }
  if (api->struct_size < kPluginApiV1_0) {
    return FailedPrecondition("plugin table is too small (struct_size " + std::to_string(api->struct_size) + ")");
  }
  if (api->abi_major != TFLC_ABI_VERSION_MAJOR) {
    return FailedPrecondition("plugin was built for ABI major version " + std::to_string(api->abi_major) +
                              ", this host speaks " + std::to_string(TFLC_ABI_VERSION_MAJOR));
  }
  if (!api->name || !*api->name) return InvalidArgument("plugin has no name");
  for (const auto& p : plugins_) {
    if (p->name() == api->name) {
      return AlreadyExists("a plugin named '" + std::string(api->name) + "' is already loaded from " + p->origin);
    }
  }
  TFLC_RETURN_IF_ERROR(CheckTable("frontend", api->frontends, api->num_frontends, api->frontend_stride, kFrontendV1_0));
  TFLC_RETURN_IF_ERROR(CheckTable("lowering", api->lowerings, api->num_lowerings, api->lowering_stride, kLoweringEntryV1_0));
  TFLC_RETURN_IF_ERROR(CheckTable("opset", api->ops, api->num_ops, api->op_stride, kOpsetEntryV1_0));
  TFLC_RETURN_IF_ERROR(CheckTable("quantizer", api->quantizers, api->num_quantizers, api->quantizer_stride, kQuantizerV1_0));
  for (size_t i = 0; i < api->num_frontends; ++i) {
    const TflcFrontend* f = At(api->frontends, api->frontend_stride, i);
    if (!f->name || !f->Probe || !f->Load) return InvalidArgument("frontend " + std::to_string(i) + " lacks a name, Probe or Load");
  }
  for (size_t i = 0; i < api->num_lowerings; ++i) {
    const TflcLoweringEntry* r = At(api->lowerings, api->lowering_stride, i);
    if (!r->source_op || !r->Lower) return InvalidArgument("lowering row " + std::to_string(i) + " lacks source_op or Lower");
  }
  for (size_t i = 0; i < api->num_ops; ++i) {
    const TflcOpsetEntry* o = At(api->ops, api->op_stride, i);
    if (!o->op || !o->InferShape) return InvalidArgument("opset entry " + std::to_string(i) + " lacks op or InferShape");
    if (o->num_option_fields && !o->option_fields) return InvalidArgument(std::string("opset entry ") + o->op + ": option_fields is NULL");
    if (o->option_field_stride && o->option_field_stride < kOptionFieldV1_0) {
      return InvalidArgument(std::string("opset entry ") + o->op + ": option_field_stride is smaller than the v1.0 field size");
    }
  }
  for (size_t i = 0; i < api->num_quantizers; ++i) {
    const TflcQuantizer* q = At(api->quantizers, api->quantizer_stride, i);
    if (!q->name || !q->Apply) return InvalidArgument("quantizer " + std::to_string(i) + " lacks a name or Apply");
  }

  auto plugin = std::make_unique<Plugin>();
  plugin->api = api;
  plugin->origin = origin;
  if (api->Create) {
    TflcPluginCreate_Args ca{};
    ca.struct_size = TflcPluginCreate_Args_STRUCT_SIZE;
    ca.host = HostApi();
    TFLC_RETURN_IF_ERROR(TakeStatus(api->Create(&ca)).WithContext("plugin Create failed"));
    plugin->state = ca.plugin_state;
    plugin->created = true;
  }
  const Plugin* p = plugin.get();
  plugins_.push_back(std::move(plugin));

  for (size_t i = 0; i < api->num_frontends; ++i) frontends_.push_back({p, At(api->frontends, api->frontend_stride, i)});
  for (size_t i = 0; i < api->num_quantizers; ++i) quantizers_.push_back({p, At(api->quantizers, api->quantizer_stride, i)});
  for (size_t i = 0; i < api->num_lowerings; ++i) {
    LoweringRef ref{p, At(api->lowerings, api->lowering_stride, i)};
    auto& rows = lowerings_by_op_[ref.row->source_op];
    for (const auto& other : rows) {
      if (other.row->target == ref.row->target && other.row->priority == ref.row->priority &&
          other.plugin != p) {
        warn("lowering conflict: plugins '" + other.plugin->name() + "' (" + other.plugin->origin + ") and '" +
             p->name() + "' (" + origin + ") both lower " + ref.row->source_op + " at priority " +
             std::to_string(ref.row->priority) + "; '" + other.plugin->name() +
             "' (loaded first) wins — give one row a higher priority");
      }
    }
    rows.push_back(ref);
    std::stable_sort(rows.begin(), rows.end(), [](const LoweringRef& a, const LoweringRef& b) {
      return a.row->priority > b.row->priority;
    });
    lowerings_.push_back(ref);
  }
  for (size_t i = 0; i < api->num_ops; ++i) {
    OpRef ref{p, At(api->ops, api->op_stride, i)};
    auto key = std::make_pair(static_cast<int>(ref.entry->domain), std::string(ref.entry->op));
    auto it = ops_.find(key);
    if (it != ops_.end()) {
      if (it->second.plugin != p) {
        warn("opset conflict: plugins '" + it->second.plugin->name() + "' and '" + p->name() + "' both define op " +
             key.second + "; keeping '" + it->second.plugin->name() + "' (loaded first)");
      }
      continue;
    }
    ops_.emplace(key, ref);
  }
  return OkStatus();
}

std::vector<LoweringRef> Registry::LoweringsFor(const std::string& source_op) const {
  std::vector<LoweringRef> out;
  if (auto it = lowerings_by_op_.find(source_op); it != lowerings_by_op_.end()) out = it->second;
  if (auto it = lowerings_by_op_.find("*"); it != lowerings_by_op_.end()) {
    out.insert(out.end(), it->second.begin(), it->second.end());
  }
  return out;
}

const OpRef* Registry::FindOp(TflcOpDomain domain, const std::string& op) const {
  auto it = ops_.find({static_cast<int>(domain), op});
  return it == ops_.end() ? nullptr : &it->second;
}

}  // namespace tflc::host
