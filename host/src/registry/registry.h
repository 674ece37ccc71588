// Plugin registry: validated views of every loaded plugin's tables, and lookups by op.
#ifndef TFLC_HOST_REGISTRY_REGISTRY_H_
#define TFLC_HOST_REGISTRY_REGISTRY_H_

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/host_api.h"
#include "tflc/abi/tflc_plugin.h"
#include "tflc/sdk/status.h"

namespace tflc::host {

struct Plugin {
  const TflcPluginApi* api = nullptr;
  std::string origin;  // file path (or "<in-process>")
  void* state = nullptr;
  bool created = false;  // Create ran and succeeded: Destroy runs once at shutdown
  std::string name() const { return api->name ? api->name : "?"; }
};

struct FrontendRef {
  const Plugin* plugin;
  const TflcFrontend* frontend;
};
struct LoweringRef {
  const Plugin* plugin;
  const TflcLoweringEntry* row;
};
struct OpRef {
  const Plugin* plugin;
  const TflcOpsetEntry* entry;
};
struct QuantizerRef {
  const Plugin* plugin;
  const TflcQuantizer* quantizer;
};

// One call into a plugin, for diagnostics: which plugin, which callback of which row, on which node.
struct PluginCall {
  const Plugin* plugin;
  const char* callback;           // "Lower", "InferShape", ...
  const char* table = nullptr;    // "lowering row", "opset entry", "frontend", "quantizer", or nullptr
  const char* row = nullptr;      // the row's op or name (static storage of the plugin), or nullptr
  const TflcNode* node = nullptr; // the node being worked on, or nullptr
};

// The INTERNAL status for a plugin callback that let a C++ exception escape. `what` is the
// exception's what(), or nullptr when it was not a std::exception. Names the node, the plugin and
// its file, the callback and the row, and says what to do.
Status PluginThrew(const PluginCall& call, const char* what);

// Calls a plugin callback that returns a TflcStatus*. Plugins built with the SDK go through
// tflc::sdk::Guard and never throw, but one written against the raw C ABI may: the exception is
// caught here, at the boundary, and becomes an error naming the plugin, so the conversion fails
// cleanly instead of unwinding through (or terminating) the host. Every call site uses this.
// `threw`, when given, tells a thrown exception apart from an error status the plugin returned.
template <typename Fn>
Status CallPlugin(const PluginCall& call, Fn&& fn, bool* threw = nullptr) {
  if (threw) *threw = true;
  try {
    Status s = TakeStatus(fn());
    if (threw) *threw = false;
    return s;
  } catch (const std::exception& e) {
    return PluginThrew(call, e.what());
  } catch (...) {
    return PluginThrew(call, nullptr);
  }
}

// Option field `i` of an opset entry, walked with the entry's option_field_stride.
const TflcOptionField* OptionField(const TflcOpsetEntry* e, size_t i);

class Registry {
 public:
  Registry() = default;
  ~Registry();  // calls each plugin's Destroy
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Negotiates with `query`, validates the tables, runs Create and indexes everything.
  // Warnings (conflicts) are reported through `warn`; errors make the plugin not register.
  Status Register(TflcPluginQueryFn query, const std::string& origin,
                  const std::function<void(const std::string&)>& warn);

  const std::vector<std::unique_ptr<Plugin>>& plugins() const { return plugins_; }
  const std::vector<FrontendRef>& frontends() const { return frontends_; }
  const std::vector<QuantizerRef>& quantizers() const { return quantizers_; }
  // Rows for `source_op`, best first (priority desc, then load order); "*" rows come last.
  std::vector<LoweringRef> LoweringsFor(const std::string& source_op) const;
  const std::vector<LoweringRef>& all_lowerings() const { return lowerings_; }
  const OpRef* FindOp(TflcOpDomain domain, const std::string& op) const;
  const std::map<std::pair<int, std::string>, OpRef>& ops() const { return ops_; }

 private:
  std::vector<std::unique_ptr<Plugin>> plugins_;
  std::vector<FrontendRef> frontends_;
  std::vector<LoweringRef> lowerings_;
  std::map<std::string, std::vector<LoweringRef>> lowerings_by_op_;
  std::map<std::pair<int, std::string>, OpRef> ops_;
  std::vector<QuantizerRef> quantizers_;
};

}  // namespace tflc::host

#endif  // TFLC_HOST_REGISTRY_REGISTRY_H_
