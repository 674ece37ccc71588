#include "registry/registry.h"

#include <algorithm>
#include <cstring>
#include <iostream>

#include "ir/host_api.h"
#include "ir/ir.h"

namespace tflc::host {
namespace {

template <typename T>
const T* At(const T* base, size_t stride, size_t i) {
  return reinterpret_cast<const T*>(reinterpret_cast<const char*>(base) + i * stride);
}

// "lowering row 2 ('Conv2D')": how diagnostics name row `i` of a table; `name` may be NULL.
std::string RowLabel(const char* table, size_t i, const char* name) {
  std::string s = std::string(table) + " " + std::to_string(i);
  if (name && *name) s += std::string(" ('") + name + "')";
  return s;
}

// The C type of each table's rows and the field that names a row, for diagnostics. A row's name is
// read only when its struct_size covers that field.
const char* TypeName(const TflcFrontend*) { return "TflcFrontend"; }
const char* TypeName(const TflcLoweringEntry*) { return "TflcLoweringEntry"; }
const char* TypeName(const TflcOpsetEntry*) { return "TflcOpsetEntry"; }
const char* TypeName(const TflcQuantizer*) { return "TflcQuantizer"; }
const char* NameOf(const TflcFrontend* e) { return TFLC_HAS_FIELD(e, TflcFrontend, name) ? e->name : nullptr; }
const char* NameOf(const TflcLoweringEntry* e) { return TFLC_HAS_FIELD(e, TflcLoweringEntry, source_op) ? e->source_op : nullptr; }
const char* NameOf(const TflcOpsetEntry* e) { return TFLC_HAS_FIELD(e, TflcOpsetEntry, op) ? e->op : nullptr; }
const char* NameOf(const TflcQuantizer* e) { return TFLC_HAS_FIELD(e, TflcQuantizer, name) ? e->name : nullptr; }

// Checks one table declaration: non-null when non-empty, a sane stride, and every element's
// struct_size covering the v1.0 fields.
template <typename T>
Status CheckTable(const char* what, const char* stride_field, const T* base, size_t count, size_t stride, size_t v1_size) {
  if (count == 0) return OkStatus();
  const std::string type = TypeName(base);
  if (!base) {
    return InvalidArgument(std::string(what) + " table is NULL but has " + std::to_string(count) +
                           " entries: fix the plugin's TflcPluginApi");
  }
  if (stride < v1_size) {
    return InvalidArgument(std::string(stride_field) + " is " + std::to_string(stride) + ", smaller than ABI v1.0's " +
                           type + " (" + std::to_string(v1_size) + " bytes): set it to sizeof(" + type +
                           ") (tflc::sdk::NewPluginApi does) and rebuild the plugin");
  }
  for (size_t i = 0; i < count; ++i) {
    const T* e = At(base, stride, i);
    if (e->struct_size < v1_size) {
      return InvalidArgument(RowLabel(what, i, NameOf(e)) + " has struct_size " + std::to_string(e->struct_size) +
                             ", smaller than ABI v1.0's " + type + " (" + std::to_string(v1_size) +
                             " bytes): set struct_size to " + type + "_STRUCT_SIZE and rebuild the plugin against the tflc SDK");
    }
  }
  return OkStatus();
}

const char* TargetLabel(TflcTarget t) {
  switch (t) {
    case TFLC_TARGET_BUILTIN: return "builtin";
    case TFLC_TARGET_SELECT_TF: return "Select TF";
    case TFLC_TARGET_CUSTOM: return "custom";
  }
  return "unknown target";
}

// A required callback or name that is NULL in row `i`.
Status MissingField(const char* table, size_t i, const char* name, const char* field, const char* rule) {
  return InvalidArgument(RowLabel(table, i, name) + " has a NULL " + field + " (" + rule +
                         "): fix the plugin's table and rebuild it");
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

Status PluginThrew(const PluginCall& call, const char* what) {
  std::string m;
  if (call.node) m = DescribeNode(call.node) + ": ";
  m += "plugin '" + (call.plugin && call.plugin->api ? call.plugin->name() : std::string("?")) + "' (" +
       (call.plugin ? call.plugin->origin : std::string("?")) + ") failed unexpectedly: its " + call.callback +
       " callback";
  if (call.table) m += std::string(" of ") + call.table + (call.row ? std::string(" '") + call.row + "'" : std::string());
  m += " threw a C++ exception (";
  m += what ? what : "not a std::exception";
  m += "), which must never cross the C ABI (plugins built with the tflc SDK wrap every callback in "
       "tflc::sdk::Guard). This is a bug in the plugin: report it to its authors, or remove it from the plugin "
       "path (`tflc plugins` lists what is loaded)";
  return Internal(m);
}

Registry::~Registry() {
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    const Plugin& p = **it;
    if (!p.api->Destroy || !p.created) continue;
    // A destructor must not throw: a plugin's Destroy that does is reported and otherwise ignored.
    try {
      p.api->Destroy(p.state);
    } catch (const std::exception& e) {
      std::cerr << "tflc: warning: " << PluginThrew({&p, "Destroy"}, e.what()).message() << "\n";
    } catch (...) {
      std::cerr << "tflc: warning: " << PluginThrew({&p, "Destroy"}, nullptr).message() << "\n";
    }
  }
}

Status Registry::Register(TflcPluginQueryFn query, const std::string& origin,
                          const std::function<void(const std::string&)>& warn) {
  TflcPluginQuery_Args qa{};
  qa.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  qa.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  qa.host_abi_minor = TFLC_ABI_VERSION_MINOR;
  qa.host = HostApi();
  // The entry point of a raw-C-ABI plugin may throw: the library is then skipped, not the host.
  const TflcPluginApi* api = nullptr;
  bool threw = true;
  std::string thrown = "not a std::exception";
  try {
    api = query(&qa);
    threw = false;
  } catch (const std::exception& e) {
    thrown = e.what();
  } catch (...) {
  }
  if (threw) {
    return Internal("TflcPlugin_Query threw a C++ exception (" + thrown +
                    "), which must never cross the C ABI. This is a bug in the plugin: report it to its authors, "
                    "or remove it from the plugin path");
  }
  if (!api) {
    return FailedPrecondition("the plugin declined the host's ABI version " + std::to_string(TFLC_ABI_VERSION_MAJOR) +
                              "." + std::to_string(TFLC_ABI_VERSION_MINOR) +
                              " (built for another major version? rebuild it against this tflc SDK)");
  }
  if (api->struct_size < kPluginApiV1_0) {
    return FailedPrecondition("its TflcPluginApi has struct_size " + std::to_string(api->struct_size) +
                              ", smaller than ABI v1.0's " + std::to_string(kPluginApiV1_0) +
                              " bytes: set struct_size to TflcPluginApi_STRUCT_SIZE (tflc::sdk::NewPluginApi does) "
                              "and rebuild the plugin against the tflc SDK");
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
  TFLC_RETURN_IF_ERROR(CheckTable("frontend", "frontend_stride", api->frontends, api->num_frontends,
                                  api->frontend_stride, kFrontendV1_0));
  TFLC_RETURN_IF_ERROR(CheckTable("lowering row", "lowering_stride", api->lowerings, api->num_lowerings,
                                  api->lowering_stride, kLoweringEntryV1_0));
  TFLC_RETURN_IF_ERROR(CheckTable("opset entry", "op_stride", api->ops, api->num_ops, api->op_stride, kOpsetEntryV1_0));
  TFLC_RETURN_IF_ERROR(CheckTable("quantizer", "quantizer_stride", api->quantizers, api->num_quantizers,
                                  api->quantizer_stride, kQuantizerV1_0));
  for (size_t i = 0; i < api->num_frontends; ++i) {
    const TflcFrontend* f = At(api->frontends, api->frontend_stride, i);
    constexpr const char* kRule = "every frontend needs a name, Probe and Load";
    if (!f->name) return MissingField("frontend", i, nullptr, "name", kRule);
    if (!f->Probe) return MissingField("frontend", i, f->name, "Probe callback", kRule);
    if (!f->Load) return MissingField("frontend", i, f->name, "Load callback", kRule);
  }
  for (size_t i = 0; i < api->num_lowerings; ++i) {
    const TflcLoweringEntry* r = At(api->lowerings, api->lowering_stride, i);
    constexpr const char* kRule = "every lowering row needs source_op and Lower; only Match may be NULL";
    if (!r->source_op) return MissingField("lowering row", i, nullptr, "source_op", kRule);
    if (!r->Lower) return MissingField("lowering row", i, r->source_op, "Lower callback", kRule);
  }
  for (size_t i = 0; i < api->num_ops; ++i) {
    const TflcOpsetEntry* o = At(api->ops, api->op_stride, i);
    constexpr const char* kRule = "every opset entry needs op and InferShape; Evaluate, Version and Query may be NULL";
    if (!o->op) return MissingField("opset entry", i, nullptr, "op", kRule);
    if (!o->InferShape) return MissingField("opset entry", i, o->op, "InferShape callback", kRule);
    if (o->num_option_fields && !o->option_fields) {
      return InvalidArgument(RowLabel("opset entry", i, o->op) + ": option_fields is NULL but num_option_fields is " +
                             std::to_string(o->num_option_fields) + ": fix the plugin's table and rebuild it");
    }
    if (o->option_field_stride && o->option_field_stride < kOptionFieldV1_0) {
      return InvalidArgument(RowLabel("opset entry", i, o->op) + ": option_field_stride is " +
                             std::to_string(o->option_field_stride) + ", smaller than ABI v1.0's TflcOptionField (" +
                             std::to_string(kOptionFieldV1_0) + " bytes): set it to sizeof(TflcOptionField)");
    }
    for (size_t k = 0; k < o->num_option_fields; ++k) {
      const TflcOptionField* f = OptionField(o, k);
      if (f->struct_size < kOptionFieldV1_0) {
        return InvalidArgument(RowLabel("opset entry", i, o->op) + ": option field " + std::to_string(k) +
                               " has struct_size " + std::to_string(f->struct_size) +
                               ", smaller than ABI v1.0's TflcOptionField (" + std::to_string(kOptionFieldV1_0) +
                               " bytes): set struct_size to TflcOptionField_STRUCT_SIZE and rebuild the plugin");
      }
    }
  }
  for (size_t i = 0; i < api->num_quantizers; ++i) {
    const TflcQuantizer* q = At(api->quantizers, api->quantizer_stride, i);
    constexpr const char* kRule = "every quantizer needs a name and Apply";
    if (!q->name) return MissingField("quantizer", i, nullptr, "name", kRule);
    if (!q->Apply) return MissingField("quantizer", i, q->name, "Apply callback", kRule);
  }

  auto plugin = std::make_unique<Plugin>();
  plugin->api = api;
  plugin->origin = origin;
  if (api->Create) {
    TflcPluginCreate_Args ca{};
    ca.struct_size = TflcPluginCreate_Args_STRUCT_SIZE;
    ca.host = HostApi();
    Status st = CallPlugin({plugin.get(), "Create"}, [&] { return api->Create(&ca); }, &threw);
    if (!st.ok()) return threw ? st : st.WithContext("plugin Create failed");
    plugin->state = ca.plugin_state;
    plugin->created = true;
  }
  const Plugin* p = plugin.get();
  plugins_.push_back(std::move(plugin));

  for (size_t i = 0; i < api->num_frontends; ++i) frontends_.push_back({p, At(api->frontends, api->frontend_stride, i)});
  for (size_t i = 0; i < api->num_quantizers; ++i) quantizers_.push_back({p, At(api->quantizers, api->quantizer_stride, i)});
  const std::string me = "'" + p->name() + "' (" + origin + ")";
  for (size_t i = 0; i < api->num_lowerings; ++i) {
    LoweringRef ref{p, At(api->lowerings, api->lowering_stride, i)};
    auto& rows = lowerings_by_op_[ref.row->source_op];
    for (const auto& other : rows) {
      if (other.row->target != ref.row->target || other.row->priority != ref.row->priority) continue;
      const std::string what = std::string(ref.row->source_op) + " → " + TargetLabel(ref.row->target) +
                               " at priority " + std::to_string(ref.row->priority);
      if (other.plugin != p) {
        warn("lowering conflict: plugins '" + other.plugin->name() + "' (" + other.plugin->origin + ") and " + me +
             " both lower " + what + "; '" + other.plugin->name() +
             "' (loaded first) is tried first — give one row a higher priority");
      } else if (!other.row->Match) {
        // Within one plugin, rows for the same op at equal priority are fine when the earlier one
        // has a Match predicate (it declines some nodes); without one the later row is dead.
        warn("lowering conflict: plugin " + me + " has two rows for " + what + " and the first has no Match, so " +
             RowLabel("lowering row", i, ref.row->source_op) +
             " is never used — give it a different priority, a Match on the first row, or remove it");
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
      const std::string kind = ref.entry->domain == TFLC_DOMAIN_CUSTOM ? "custom op " : "builtin op ";
      if (it->second.plugin != p) {
        warn("opset conflict: plugins '" + it->second.plugin->name() + "' (" + it->second.plugin->origin + ") and " +
             me + " both define " + kind + key.second + "; keeping '" + it->second.plugin->name() +
             "' (loaded first) — remove the op from one of them");
      } else {
        warn("opset conflict: plugin " + me + " defines " + kind + key.second + " twice; " +
             RowLabel("opset entry", i, ref.entry->op) + " is ignored — remove it");
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
