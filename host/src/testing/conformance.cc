// The plugin conformance suite (see tflc/testing/conformance.h).
//
// Static checks read the plugin's tables exactly as the host does (by stride, guarded by
// struct_size). Robustness checks call the plugin's callbacks with hostile input through FakeHost,
// each call in a forked child so that a crash, an escaped exception or a hang becomes one problem
// line naming the callback.
#include "tflc/testing/conformance.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tflc/abi/tflc_plugin.h"
#include "tflc/sdk/plugin.h"
#include "tflc/testing/fake_host.h"

namespace tflc::testing {
namespace {

// Sizes of the v1.0 structs (their last v1.0 field). Entries are never allowed to be smaller than
// these, whatever the ABI version this suite is compiled with.
constexpr size_t kPluginApiV1 = TFLC_STRUCT_SIZE(TflcPluginApi, quantizer_stride);
constexpr size_t kFrontendV1 = TFLC_STRUCT_SIZE(TflcFrontend, user_data);
constexpr size_t kLoweringV1 = TFLC_STRUCT_SIZE(TflcLoweringEntry, note);
constexpr size_t kOpsetV1 = TFLC_STRUCT_SIZE(TflcOpsetEntry, user_data);
constexpr size_t kQuantizerV1 = TFLC_STRUCT_SIZE(TflcQuantizer, user_data);
constexpr size_t kOptionFieldV1 = TFLC_STRUCT_SIZE(TflcOptionField, default_value);

// BuiltinOperator values the schema defines (schema/tflite.fbs), and CUSTOM.
constexpr int32_t kMaxBuiltinCode = 209;
constexpr int32_t kCustomBuiltinCode = 32;

constexpr const char* kProbeNodeName = "conformance_probe";
constexpr const char* kWildcardProbeOp = "TflcConformanceProbe";  // for "*" rows

// ------------------------------------------------------------------------------------------------
// Small helpers.

template <typename T>
const T* At(const T* base, size_t stride, size_t i) {
  return reinterpret_cast<const T*>(reinterpret_cast<const char*>(base) + i * stride);
}

bool Empty(const char* s) { return s == nullptr || *s == '\0'; }
std::string Str(const char* s) { return s ? s : ""; }
std::string Quoted(const char* s) { return s ? "'" + std::string(s) + "'" : "NULL"; }

bool IsPluginName(const char* s) {
  if (Empty(s)) return false;
  for (const char* p = s; *p; ++p) {
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
  }
  return true;
}

// "1.14.0": three dot-separated runs of digits.
bool IsVersionTriple(const char* s) {
  if (!s) return false;
  int parts = 0;
  const char* p = s;
  while (true) {
    const char* start = p;
    while (*p >= '0' && *p <= '9') ++p;
    if (p == start) return false;
    ++parts;
    if (*p == '\0') break;
    if (*p != '.') return false;
    ++p;
  }
  return parts == 3;
}

const char* TargetName(TflcTarget t) {
  switch (t) {
    case TFLC_TARGET_BUILTIN: return "BUILTIN";
    case TFLC_TARGET_SELECT_TF: return "SELECT_TF";
    case TFLC_TARGET_CUSTOM: return "CUSTOM";
  }
  return nullptr;
}
std::string TargetString(TflcTarget t) {
  const char* n = TargetName(t);
  return n ? n : "target " + std::to_string(static_cast<int>(t));
}

std::string DescribeRow(size_t i, const TflcLoweringEntry* r) {
  std::string s = "lowering row " + std::to_string(i);
  if (r->struct_size >= kLoweringV1) s += " (" + Str(r->source_op) + " -> " + TargetString(r->target) + ")";
  return s;
}
std::string DescribeOp(size_t i, const TflcOpsetEntry* e) {
  std::string s = "opset entry " + std::to_string(i);
  if (e->struct_size >= kOpsetV1 && e->op) s += " (" + std::string(e->op) + ")";
  return s;
}
std::string DescribeFrontend(size_t i, const TflcFrontend* f) {
  std::string s = "frontend " + std::to_string(i);
  if (f->struct_size >= kFrontendV1 && f->name) s += " (" + std::string(f->name) + ")";
  return s;
}
std::string DescribeQuantizer(size_t i, const TflcQuantizer* q) {
  std::string s = "quantizer " + std::to_string(i);
  if (q->struct_size >= kQuantizerV1 && q->name) s += " (" + std::string(q->name) + ")";
  return s;
}

// A table as the host sees it. `usable()` is false when walking it would read garbage; the checks
// of its contents then report one line instead of crashing (TableLayout says what is wrong).
template <typename T>
struct Table {
  const char* what;
  const T* base;
  size_t count;
  size_t stride;
  size_t v1_size;

  bool usable() const {
    if (count == 0) return true;
    return base != nullptr && stride >= v1_size && stride % alignof(T) == 0;
  }
  // Entry i, or NULL when it is older than v1.0 or larger than the stride (reported by TableLayout).
  const T* entry(size_t i) const {
    const T* e = At(base, stride, i);
    return e->struct_size >= v1_size && e->struct_size <= stride ? e : nullptr;
  }
};

Table<TflcFrontend> Frontends(const TflcPluginApi* a) {
  return {"frontend", a->frontends, a->num_frontends, a->frontend_stride, kFrontendV1};
}
Table<TflcLoweringEntry> Lowerings(const TflcPluginApi* a) {
  return {"lowering", a->lowerings, a->num_lowerings, a->lowering_stride, kLoweringV1};
}
Table<TflcOpsetEntry> Ops(const TflcPluginApi* a) {
  return {"opset", a->ops, a->num_ops, a->op_stride, kOpsetV1};
}
Table<TflcQuantizer> Quantizers(const TflcPluginApi* a) {
  return {"quantizer", a->quantizers, a->num_quantizers, a->quantizer_stride, kQuantizerV1};
}

// Adds a problem and returns false when `api` cannot be read at all.
bool ApiReadable(const TflcPluginApi* api, Problems* p) {
  if (!api) {
    p->push_back("the plugin declined the host's ABI version " + std::to_string(TFLC_ABI_VERSION_MAJOR) + "." +
                 std::to_string(TFLC_ABI_VERSION_MINOR) + " (query returned NULL); nothing else checked");
    return false;
  }
  if (api->struct_size < kPluginApiV1) {
    p->push_back("TflcPluginApi.struct_size is " + std::to_string(api->struct_size) + ", smaller than the v1.0 size " +
                 std::to_string(kPluginApiV1) + " (fill it with TflcPluginApi_STRUCT_SIZE or use "
                 "tflc::sdk::NewPluginApi); nothing else checked");
    return false;
  }
  return true;
}

template <typename T>
bool TableReadable(const Table<T>& t, Problems* p) {
  if (t.usable()) return true;
  p->push_back(std::string(t.what) + " table: entries not checked because the table layout is invalid (see the "
               "TableLayout check)");
  return false;
}

template <typename T>
void CheckLayout(const Table<T>& t, Problems* p) {
  const std::string what = std::string(t.what) + " table";
  if (t.count == 0) return;
  if (!t.base) {
    p->push_back(what + " is NULL but has " + std::to_string(t.count) + " entries");
    return;
  }
  if (t.stride < t.v1_size) {
    p->push_back(what + ": stride " + std::to_string(t.stride) + " is smaller than the v1.0 entry size " +
                 std::to_string(t.v1_size) + " (set it to sizeof the entry, as tflc::sdk::NewPluginApi does)");
    return;
  }
  if (t.stride % alignof(T) != 0) {
    p->push_back(what + ": stride " + std::to_string(t.stride) + " is not a multiple of the entry alignment " +
                 std::to_string(alignof(T)));
    return;
  }
  for (size_t i = 0; i < t.count; ++i) {
    const T* e = At(t.base, t.stride, i);
    if (e->struct_size < t.v1_size) {
      p->push_back(std::string(t.what) + " entry " + std::to_string(i) + ": struct_size " +
                   std::to_string(e->struct_size) + " is smaller than the v1.0 size " + std::to_string(t.v1_size) +
                   " (fill it with the *_STRUCT_SIZE macro)");
    } else if (e->struct_size > t.stride) {
      p->push_back(std::string(t.what) + " entry " + std::to_string(i) + ": struct_size " +
                   std::to_string(e->struct_size) + " is larger than the table stride " + std::to_string(t.stride));
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Calling plugin code in a child process.

struct CallOutcome {
  enum Kind : int32_t { kReturned = 0, kThrew = 1, kCrashed = 2, kTimedOut = 3, kExited = 4, kHarness = 5 };
  Kind kind = kReturned;
  bool has_status = false;  // the callback returned a non-NULL status
  int32_t code = TFLC_CODE_OK;
  std::string message;
  int64_t out = 0;          // confidence / matches
  std::string detail;       // what went wrong for kinds other than kReturned
};

bool ForkEnabled() {
  const char* v = std::getenv("TFLC_CONFORMANCE_FORK");
  return !(v && (std::strcmp(v, "0") == 0 || std::strcmp(v, "false") == 0 || std::strcmp(v, "off") == 0));
}

int TimeoutSeconds() {
  const char* v = std::getenv("TFLC_CONFORMANCE_TIMEOUT");
  int t = v ? std::atoi(v) : 0;
  return t > 0 ? t : 60;
}

CallOutcome RunGuarded(const std::function<CallOutcome()>& fn) {
  CallOutcome o;
  try {
    o = fn();
  } catch (const std::exception& e) {
    o = CallOutcome{};
    o.kind = CallOutcome::kThrew;
    o.detail = e.what();
  } catch (...) {
    o = CallOutcome{};
    o.kind = CallOutcome::kThrew;
    o.detail = "an exception that is not a std::exception";
  }
  return o;
}

void Put(std::string* buf, const void* data, size_t n) { buf->append(static_cast<const char*>(data), n); }
void PutString(std::string* buf, const std::string& s) {
  uint64_t n = s.size();
  Put(buf, &n, sizeof n);
  buf->append(s);
}

std::string Serialize(const CallOutcome& o) {
  std::string b;
  int32_t kind = o.kind, has = o.has_status ? 1 : 0, code = o.code;
  Put(&b, &kind, sizeof kind);
  Put(&b, &has, sizeof has);
  Put(&b, &code, sizeof code);
  Put(&b, &o.out, sizeof o.out);
  PutString(&b, o.message);
  PutString(&b, o.detail);
  return b;
}

bool Deserialize(const std::string& b, CallOutcome* o) {
  size_t pos = 0;
  auto get = [&](void* dst, size_t n) {
    if (b.size() - pos < n) return false;
    std::memcpy(dst, b.data() + pos, n);
    pos += n;
    return true;
  };
  auto get_string = [&](std::string* s) {
    uint64_t n = 0;
    if (!get(&n, sizeof n) || b.size() - pos < n) return false;
    s->assign(b.data() + pos, n);
    pos += n;
    return true;
  };
  int32_t kind = 0, has = 0, code = 0;
  if (!get(&kind, sizeof kind) || !get(&has, sizeof has) || !get(&code, sizeof code) || !get(&o->out, sizeof o->out) ||
      !get_string(&o->message) || !get_string(&o->detail)) {
    return false;
  }
  o->kind = static_cast<CallOutcome::Kind>(kind);
  o->has_status = has != 0;
  o->code = code;
  return pos == b.size();
}

std::string SignalDescription(int sig) {
  const char* name = strsignal(sig);
  return "signal " + std::to_string(sig) + (name ? std::string(", ") + name : std::string());
}

// Runs `fn` in a forked child (or in-process when TFLC_CONFORMANCE_FORK=0).
CallOutcome RunIsolated(const std::function<CallOutcome()>& fn) {
  if (!ForkEnabled()) return RunGuarded(fn);

  std::fflush(nullptr);
  std::cout.flush();
  std::cerr.flush();
  int fds[2];
  if (pipe(fds) != 0) {
    CallOutcome o;
    o.kind = CallOutcome::kHarness;
    o.detail = std::string("pipe() failed: ") + std::strerror(errno);
    return o;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    CallOutcome o;
    o.kind = CallOutcome::kHarness;
    o.detail = std::string("fork() failed: ") + std::strerror(errno);
    return o;
  }
  if (pid == 0) {  // child: run, report through the pipe, leave without running any destructors
    close(fds[0]);
    std::string bytes = Serialize(RunGuarded(fn));
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
      ssize_t n = write(fds[1], p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) _exit(3);
      p += n;
      left -= static_cast<size_t>(n);
    }
    close(fds[1]);
    _exit(0);
  }

  close(fds[1]);
  std::string bytes;
  bool timed_out = false;
  const int timeout_ms = TimeoutSeconds() * 1000;
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  while (true) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long elapsed_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (elapsed_ms >= timeout_ms) {
      timed_out = true;
      break;
    }
    struct pollfd pfd{fds[0], POLLIN, 0};
    int r = poll(&pfd, 1, static_cast<int>(timeout_ms - elapsed_ms));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      timed_out = true;
      break;
    }
    char buf[4096];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child finished or died
    bytes.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }

  CallOutcome o;
  if (timed_out) {
    o.kind = CallOutcome::kTimedOut;
    o.detail = "did not return within " + std::to_string(TimeoutSeconds()) + " s (TFLC_CONFORMANCE_TIMEOUT)";
    return o;
  }
  if (WIFSIGNALED(wstatus)) {
    o.kind = CallOutcome::kCrashed;
    o.detail = SignalDescription(WTERMSIG(wstatus));
    return o;
  }
  if (!Deserialize(bytes, &o)) {
    o = CallOutcome{};
    o.kind = CallOutcome::kExited;
    o.detail = "the process ended during the call (exit code " +
               std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1) + ")";
  }
  return o;
}

// Takes a status returned by a callback: records it and frees it through the host.
void TakeStatus(const TflcHostApi* host, TflcStatus* s, CallOutcome* o) {
  if (!s) return;
  o->has_status = true;
  o->code = host->Status_Code(s);
  TflcStringView m = host->Status_Message(s);
  o->message.assign(m.data ? m.data : "", m.size);
  host->Status_Destroy(s);
}

// What went wrong with a call that did not return normally; empty when it did.
std::string Abnormal(const CallOutcome& o) {
  switch (o.kind) {
    case CallOutcome::kReturned: return "";
    case CallOutcome::kThrew:
      return "let an exception escape across the C boundary (" + o.detail +
             "); wrap the entry point in tflc::sdk::Guard";
    case CallOutcome::kCrashed: return "crashed (" + o.detail + ")";
    case CallOutcome::kTimedOut: return o.detail;
    case CallOutcome::kExited: return "ended the process: " + o.detail;
    case CallOutcome::kHarness: return "could not be checked: " + o.detail;
  }
  return "?";
}

// A status returned for a malformed node must be a real error with something to say.
// `node_prefix` is what the host puts in front of messages created with the node.
void CheckErrorStatus(const std::string& where, const CallOutcome& o, const std::string& node_prefix,
                      Problems* p) {
  if (!o.has_status) return;
  if (o.code == TFLC_CODE_OK) {
    p->push_back(where + " returned a status with code OK; return NULL for success");
    return;
  }
  if (o.code == TFLC_CODE_UNKNOWN) {
    p->push_back(where + " returned code UNKNOWN (was Status_Create called with TFLC_CODE_OK?); use the closest "
                 "code: INVALID_ARGUMENT, NOT_FOUND, UNIMPLEMENTED, FAILED_PRECONDITION or INTERNAL");
  }
  std::string m = o.message;
  if (!node_prefix.empty() && m.rfind(node_prefix, 0) == 0) m = m.substr(node_prefix.size());
  if (m.find_first_not_of(" \t\r\n:") == std::string::npos) {
    p->push_back(where + " returned an error (" + StatusCodeName(static_cast<TflcStatusCode>(o.code)) +
                 ") with an empty message; say what is wrong and what to do");
  }
}

// Calls Create directly (not through a registry) so the robustness checks can pass the plugin's
// state to its callbacks, as the host does; Destroy on scope exit.
class DirectPluginState {
 public:
  DirectPluginState(const TflcPluginApi* api, Problems* p) : api_(api) {
    if (!api->Create) return;
    TflcPluginCreate_Args ca{};
    ca.struct_size = TflcPluginCreate_Args_STRUCT_SIZE;
    FakeHost fh;
    ca.host = fh.api();
    TflcStatus* s = api->Create(&ca);
    if (s) {
      CallOutcome o;
      TakeStatus(fh.api(), s, &o);
      p->push_back("Create failed (" + std::string(StatusCodeName(static_cast<TflcStatusCode>(o.code))) +
                   ": " + o.message + "); callbacks not called");
      ok_ = false;
      return;
    }
    state_ = ca.plugin_state;
  }
  ~DirectPluginState() {
    if (ok_ && api_->Destroy && state_) api_->Destroy(state_);
  }
  DirectPluginState(const DirectPluginState&) = delete;
  DirectPluginState& operator=(const DirectPluginState&) = delete;

  bool ok() const { return ok_; }
  void* state() const { return state_; }

 private:
  const TflcPluginApi* api_;
  void* state_ = nullptr;
  bool ok_ = true;
};

// A fresh temporary directory, removed on scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tflc-conformance-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data())) path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  std::string path(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

std::string NodePrefix(const TflcHostApi* host, const TflcNode* node) {
  return "node `" + std::string(sdk::Str(host->Node_Name(node))) + "` (" + std::string(sdk::Str(host->Node_Op(node))) +
         "): ";
}

// ------------------------------------------------------------------------------------------------
// Create/Destroy counting: wraps a plugin's table so FakeHost's registry calls our trampolines.
// Query functions are plain C function pointers without user data, hence the one global.

struct LifecycleProbe {
  TflcPluginQueryFn inner = nullptr;
  const TflcPluginApi* original = nullptr;
  TflcPluginApi wrapped{};
  int creates = 0;
  int destroys = 0;
  bool create_failed = false;
  void* created_state = nullptr;
  std::vector<void*> destroyed_states;
};
LifecycleProbe* g_lifecycle = nullptr;

TflcStatus* CountingCreate(TflcPluginCreate_Args* args) {
  LifecycleProbe& lp = *g_lifecycle;
  ++lp.creates;
  TflcStatus* s = lp.original->Create(args);
  if (s) {
    lp.create_failed = true;
  } else {
    lp.created_state = args->plugin_state;
  }
  return s;
}

void CountingDestroy(void* state) {
  LifecycleProbe& lp = *g_lifecycle;
  ++lp.destroys;
  lp.destroyed_states.push_back(state);
  lp.original->Destroy(state);
}

const TflcPluginApi* WrappingQuery(const TflcPluginQuery_Args* args) {
  LifecycleProbe& lp = *g_lifecycle;
  const TflcPluginApi* api = lp.inner(args);
  if (!api || api->struct_size < kPluginApiV1) return api;  // the registry reports these
  lp.original = api;
  lp.wrapped = TflcPluginApi{};
  std::memcpy(&lp.wrapped, api, std::min(api->struct_size, sizeof(TflcPluginApi)));
  lp.wrapped.struct_size = std::min(api->struct_size, sizeof(TflcPluginApi));
  if (api->Create) lp.wrapped.Create = CountingCreate;
  if (api->Destroy) lp.wrapped.Destroy = CountingDestroy;
  return &lp.wrapped;
}

std::string PtrString(const void* p) {
  std::ostringstream os;
  os << p;
  return os.str();
}

}  // namespace

// ================================================================================================
// The checks.

const TflcPluginApi* QueryPlugin(TflcPluginQueryFn query) {
  if (!query) return nullptr;
  FakeHost fh;
  TflcPluginQuery_Args qa{};
  qa.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  qa.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  qa.host_abi_minor = TFLC_ABI_VERSION_MINOR;
  qa.host = fh.api();  // the host's table lives for the process, not just for `fh`
  return query(&qa);
}

Problems CheckNegotiation(TflcPluginQueryFn query) {
  Problems p;
  if (!query) {
    p.push_back("the query function is NULL");
    return p;
  }
  FakeHost fh;
  auto ask = [&](int32_t major, int32_t minor) {
    TflcPluginQuery_Args qa{};
    qa.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
    qa.host_abi_major = major;
    qa.host_abi_minor = minor;
    qa.host = fh.api();
    return query(&qa);
  };
  const std::string host_version = std::to_string(TFLC_ABI_VERSION_MAJOR) + "." + std::to_string(TFLC_ABI_VERSION_MINOR);
  const TflcPluginApi* first = ask(TFLC_ABI_VERSION_MAJOR, TFLC_ABI_VERSION_MINOR);
  if (!first) {
    p.push_back("declined the host's ABI version " + host_version +
                " (query returned NULL); accept the major version the plugin was built for (tflc::sdk::Negotiate)");
  } else {
    const TflcPluginApi* second = ask(TFLC_ABI_VERSION_MAJOR, TFLC_ABI_VERSION_MINOR);
    if (second != first) {
      p.push_back("a second query returned a different table (" + PtrString(second) + " vs " + PtrString(first) +
                  "); return a pointer to static storage that lives until exit");
    }
  }
  if (!ask(TFLC_ABI_VERSION_MAJOR, TFLC_ABI_VERSION_MINOR + 1)) {
    p.push_back("declined a host with a newer minor version " + std::to_string(TFLC_ABI_VERSION_MAJOR) + "." +
                std::to_string(TFLC_ABI_VERSION_MINOR + 1) +
                "; minor versions only append, so decline only another major version (tflc::sdk::Negotiate)");
  }
  if (const TflcPluginApi* other = ask(TFLC_ABI_VERSION_MAJOR + 1, 0)) {
    p.push_back("accepted a host with ABI major version " + std::to_string(TFLC_ABI_VERSION_MAJOR + 1) +
                " (returned a table with abi_major " +
                (other->struct_size >= kPluginApiV1 ? std::to_string(other->abi_major) : std::string("?")) +
                "); return NULL for a major version the plugin was not built for (tflc::sdk::Negotiate)");
  }
  return p;
}

Problems CheckDescriptor(const TflcPluginApi* api) {
  Problems p;
  if (!ApiReadable(api, &p)) return p;
  if (api->abi_major != TFLC_ABI_VERSION_MAJOR) {
    p.push_back("abi_major is " + std::to_string(api->abi_major) + ", the SDK's is " +
                std::to_string(TFLC_ABI_VERSION_MAJOR) + " (set it to TFLC_ABI_VERSION_MAJOR)");
  }
  if (api->abi_minor < 0 || api->abi_minor > TFLC_ABI_VERSION_MINOR) {
    p.push_back("abi_minor is " + std::to_string(api->abi_minor) + "; it must be between 0 and the SDK's " +
                std::to_string(TFLC_ABI_VERSION_MINOR) + " (set it to TFLC_ABI_VERSION_MINOR)");
  }
  if (Empty(api->name)) {
    p.push_back("name is " + std::string(api->name ? "empty" : "NULL"));
  } else if (!IsPluginName(api->name)) {
    p.push_back("name " + Quoted(api->name) + " must be lowercase letters, digits and '_' (e.g. 'lower_builtin')");
  }
  if (Empty(api->version)) p.push_back("version is " + std::string(api->version ? "empty" : "NULL"));
  if (!api->description) p.push_back("description is NULL (use \"\" if there is nothing to say)");
  if (api->num_frontends == 0 && api->num_lowerings == 0 && api->num_ops == 0 && api->num_quantizers == 0) {
    p.push_back("the plugin provides nothing: no frontends, lowering rows, opset entries or quantizers");
  }
  return p;
}

Problems CheckTableLayout(const TflcPluginApi* api) {
  Problems p;
  if (!ApiReadable(api, &p)) return p;
  CheckLayout(Frontends(api), &p);
  CheckLayout(Lowerings(api), &p);
  CheckLayout(Ops(api), &p);
  CheckLayout(Quantizers(api), &p);
  return p;
}

Problems CheckFrontendEntries(const TflcPluginApi* api) {
  Problems p;
  if (!ApiReadable(api, &p)) return p;
  auto t = Frontends(api);
  if (!TableReadable(t, &p)) return p;
  std::map<std::string, size_t> names;
  for (size_t i = 0; i < t.count; ++i) {
    const TflcFrontend* f = t.entry(i);
    if (!f) continue;
    const std::string where = DescribeFrontend(i, f);
    if (Empty(f->name)) {
      p.push_back(where + ": name is " + (f->name ? "empty" : "NULL"));
    } else if (auto [it, inserted] = names.emplace(f->name, i); !inserted) {
      p.push_back(where + ": name " + Quoted(f->name) + " is also used by frontend " + std::to_string(it->second));
    }
    if (!f->description) p.push_back(where + ": description is NULL");
    if (Empty(f->formats)) {
      p.push_back(where + ": formats is " + (f->formats ? "empty" : "NULL") +
                  "; list what --input_format values it reads (\"keras\")");
    } else {
      std::string formats = f->formats;
      size_t start = 0;
      while (true) {
        size_t comma = formats.find(',', start);
        std::string item = formats.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (item.empty() || item.find_first_of(" \t") != std::string::npos) {
          p.push_back(where + ": formats " + Quoted(f->formats) +
                      " must be a comma list of non-empty names without spaces (\"keras,h5\")");
          break;
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    if (!f->Probe) p.push_back(where + ": Probe is NULL");
    if (!f->Load) p.push_back(where + ": Load is NULL");
  }
  return p;
}

Problems CheckLoweringRows(const TflcPluginApi* api) {
  Problems p;
  if (!ApiReadable(api, &p)) return p;
  auto t = Lowerings(api);
  if (!TableReadable(t, &p)) return p;
  std::map<std::tuple<std::string, int, int32_t>, size_t> keys;
  const TflcLoweringEntry* prev = nullptr;
  size_t prev_index = 0;
  for (size_t i = 0; i < t.count; ++i) {
    const TflcLoweringEntry* r = t.entry(i);
    if (!r) continue;
    const std::string where = DescribeRow(i, r);
    if (Empty(r->source_op)) p.push_back(where + ": source_op is " + (r->source_op ? "empty" : "NULL"));
    if (Empty(r->target_op)) {
      p.push_back(where + ": target_op is " + (r->target_op ? "empty" : "NULL") +
                  "; name the main op emitted (\"CONV_2D\")");
    }
    if (!r->Lower) p.push_back(where + ": Lower is NULL");
    if (!TargetName(r->target)) {
      p.push_back(where + ": target " + std::to_string(static_cast<int>(r->target)) +
                  " is not a TflcTarget (BUILTIN, SELECT_TF or CUSTOM)");
    }
    if (r->min_version < 1) p.push_back(where + ": min_version " + std::to_string(r->min_version) + " is below 1");
    if (r->min_version > r->max_version) {
      p.push_back(where + ": min_version " + std::to_string(r->min_version) + " is above max_version " +
                  std::to_string(r->max_version));
    }
    if (!Empty(r->source_op)) {
      auto key = std::make_tuple(std::string(r->source_op), static_cast<int>(r->target), r->priority);
      if (auto [it, inserted] = keys.emplace(key, i); !inserted) {
        p.push_back(where + ": duplicates lowering row " + std::to_string(it->second) + " (same source op " +
                    Quoted(r->source_op) + ", target " + TargetString(r->target) + " and priority " +
                    std::to_string(r->priority) + "); keep one row per (op, target) or give one a higher priority");
      }
      if (prev && std::strcmp(prev->source_op, r->source_op) > 0) {
        p.push_back(where + ": rows are not sorted by source_op: " + Quoted(r->source_op) + " comes after " +
                    Quoted(prev->source_op) + " (row " + std::to_string(prev_index) + "); sort the table (strcmp order)");
      }
      prev = r;
      prev_index = i;
    }
  }
  return p;
}

Problems CheckOpsetEntries(const TflcPluginApi* api) {
  Problems p;
  if (!ApiReadable(api, &p)) return p;
  auto t = Ops(api);
  if (!TableReadable(t, &p)) return p;
  std::map<std::pair<int, std::string>, size_t> ops;
  std::map<int32_t, size_t> builtin_codes;
  for (size_t i = 0; i < t.count; ++i) {
    const TflcOpsetEntry* e = t.entry(i);
    if (!e) continue;
    const std::string where = DescribeOp(i, e);
    if (Empty(e->op)) {
      p.push_back(where + ": op is " + (e->op ? "empty" : "NULL"));
    } else if (auto [it, inserted] = ops.emplace(std::make_pair(static_cast<int>(e->domain), std::string(e->op)), i);
               !inserted) {
      p.push_back(where + ": op " + Quoted(e->op) + " is also defined by opset entry " + std::to_string(it->second));
    }
    if (!e->InferShape) p.push_back(where + ": InferShape is NULL (it is required)");

    // Domain and code.
    if (e->domain == TFLC_DOMAIN_BUILTIN) {
      if (e->builtin_code < 0 || e->builtin_code > kMaxBuiltinCode) {
        p.push_back(where + ": builtin_code " + std::to_string(e->builtin_code) + " is outside the schema's 0.." +
                    std::to_string(kMaxBuiltinCode));
      } else if (e->builtin_code == kCustomBuiltinCode) {
        p.push_back(where + ": a BUILTIN entry has builtin_code 32 (CUSTOM); custom ops use domain CUSTOM");
      } else if (auto [it, inserted] = builtin_codes.emplace(e->builtin_code, i); !inserted) {
        p.push_back(where + ": builtin_code " + std::to_string(e->builtin_code) + " is also used by opset entry " +
                    std::to_string(it->second));
      }
    } else if (e->domain == TFLC_DOMAIN_CUSTOM) {
      if (e->builtin_code != kCustomBuiltinCode) {
        p.push_back(where + ": a CUSTOM entry must have builtin_code 32 (CUSTOM), not " +
                    std::to_string(e->builtin_code));
      }
    } else if (e->domain == TFLC_DOMAIN_SOURCE) {
      // Describes a source op (its shapes before lowering, e.g. a Keras layer plugin's
      // keras.<Class>, asked through Node_InferShape); it is lowered, never written to a file.
      if (e->options_type != 0 || e->num_option_fields > 0)
        p.push_back(where + ": a SOURCE entry describes an op that is lowered, never written: it has no options "
                    "(options_type 0, no option fields)");
    } else {
      p.push_back(where + ": domain " + std::to_string(static_cast<int>(e->domain)) +
                  " is not TFLC_DOMAIN_BUILTIN, TFLC_DOMAIN_CUSTOM or TFLC_DOMAIN_SOURCE");
    }

    // Options.
    if (e->options_type < 0) p.push_back(where + ": options_type " + std::to_string(e->options_type) + " is negative");
    bool has_fused_activation_field = false;
    if (e->num_option_fields > 0 && !e->option_fields) {
      p.push_back(where + ": option_fields is NULL but num_option_fields is " + std::to_string(e->num_option_fields));
    } else if (e->num_option_fields > 0) {
      if (e->options_type == 0) {
        p.push_back(where + ": has " + std::to_string(e->num_option_fields) +
                    " option fields but options_type 0 (no options table to write them into)");
      }
      std::map<int32_t, size_t> slots;
      std::map<std::string, size_t> attrs;
      for (size_t k = 0; k < e->num_option_fields; ++k) {
        const TflcOptionField& f = e->option_fields[k];
        const std::string fwhere =
            where + ": option field " + std::to_string(k) + (f.struct_size >= kOptionFieldV1 && f.attr ? " (" + std::string(f.attr) + ")" : "");
        if (f.struct_size < kOptionFieldV1) {
          p.push_back(fwhere + ": struct_size " + std::to_string(f.struct_size) + " is smaller than the v1.0 size " +
                      std::to_string(kOptionFieldV1) + " (use tflc::sdk::Field)");
          continue;
        }
        if (Empty(f.attr)) {
          p.push_back(fwhere + ": attr is " + (f.attr ? "empty" : "NULL"));
        } else {
          if (std::strcmp(f.attr, "fused_activation_function") == 0) has_fused_activation_field = true;
          if (auto [it, inserted] = attrs.emplace(f.attr, k); !inserted) {
            p.push_back(fwhere + ": attr " + Quoted(f.attr) + " is also written by option field " +
                        std::to_string(it->second));
          }
        }
        if (f.slot < 0) {
          p.push_back(fwhere + ": slot " + std::to_string(f.slot) + " is negative");
        } else if (auto [it, inserted] = slots.emplace(f.slot, k); !inserted) {
          p.push_back(fwhere + ": slot " + std::to_string(f.slot) + " is also used by option field " +
                      std::to_string(it->second));
        }
        if (f.kind < TFLC_OPTION_BOOL || f.kind > TFLC_OPTION_SUBGRAPH) {
          p.push_back(fwhere + ": kind " + std::to_string(static_cast<int>(f.kind)) + " is not a TflcOptionKind");
        }
      }
    }

    // Runtime versions: min_runtime[v-1] for each op version v ("" = no known requirement).
    if (e->num_min_runtime > 0 && !e->min_runtime) {
      p.push_back(where + ": min_runtime is NULL but num_min_runtime is " + std::to_string(e->num_min_runtime));
    } else {
      if (e->num_min_runtime == 0 && (e->domain == TFLC_DOMAIN_BUILTIN || e->Version)) {
        p.push_back(where + ": num_min_runtime is 0; give at least the minimum TFLite runtime of version 1 "
                    "(min_runtime[0], e.g. \"1.5.0\")");
      }
      for (size_t k = 0; k < e->num_min_runtime; ++k) {
        const char* rt = e->min_runtime[k];
        if (!rt) {
          p.push_back(where + ": min_runtime[" + std::to_string(k) + "] is NULL (use \"\" for unknown)");
        } else if (*rt && !IsVersionTriple(rt)) {
          p.push_back(where + ": min_runtime[" + std::to_string(k) + "] " + Quoted(rt) +
                      " is not a version like \"1.14.0\"");
        }
      }
    }

    // Fusion facts.
    if (e->activation_code < 0) {
      p.push_back(where + ": activation_code " + std::to_string(e->activation_code) + " is negative (0 = none)");
    }
    if (e->fuses_activation != 0 && e->fuses_activation != 1) {
      p.push_back(where + ": fuses_activation must be 0 or 1, not " + std::to_string(e->fuses_activation));
    } else if (e->fuses_activation == 1 && !has_fused_activation_field) {
      p.push_back(where + ": fuses_activation is 1 but no option field writes 'fused_activation_function'");
    }
    if (e->bias_input < -1 || e->weight_input < -1) {
      p.push_back(where + ": bias_input " + std::to_string(e->bias_input) + " / weight_input " +
                  std::to_string(e->weight_input) + ": use -1 for none");
    } else if ((e->bias_input == -1) != (e->weight_input == -1)) {
      p.push_back(where + ": bias_input " + std::to_string(e->bias_input) + " and weight_input " +
                  std::to_string(e->weight_input) + " must both be -1 or both be input indices");
    } else if (e->weight_input >= 0) {
      if (e->bias_input == e->weight_input) {
        p.push_back(where + ": bias_input and weight_input are both input " + std::to_string(e->weight_input));
      }
      if (e->weight_output_axis < 0) {
        p.push_back(where + ": weight_output_axis " + std::to_string(e->weight_output_axis) +
                    " must be >= 0 when weight_input is set");
      }
    }
    if (e->algebra < TFLC_ALGEBRA_NONE || e->algebra > TFLC_ALGEBRA_MUL) {
      p.push_back(where + ": algebra " + std::to_string(static_cast<int>(e->algebra)) + " is not a TflcAlgebra");
    }
  }
  return p;
}

Problems CheckQuantizers(const TflcPluginApi* api) {
  Problems p;
  if (!ApiReadable(api, &p)) return p;
  auto t = Quantizers(api);
  if (!TableReadable(t, &p)) return p;
  std::map<std::string, size_t> names;
  for (size_t i = 0; i < t.count; ++i) {
    const TflcQuantizer* q = t.entry(i);
    if (!q) continue;
    const std::string where = DescribeQuantizer(i, q);
    if (Empty(q->name)) {
      p.push_back(where + ": name is " + (q->name ? "empty" : "NULL"));
    } else if (auto [it, inserted] = names.emplace(q->name, i); !inserted) {
      p.push_back(where + ": name " + Quoted(q->name) + " is also used by quantizer " + std::to_string(it->second));
    }
    if (!q->description) p.push_back(where + ": description is NULL");
    if (!q->Apply) p.push_back(where + ": Apply is NULL");
  }
  return p;
}

Problems CheckPluginTables(const TflcPluginApi* api) {
  Problems p;
  if (!ApiReadable(api, &p)) return p;
  for (Problems part : {CheckDescriptor(api), CheckTableLayout(api), CheckFrontendEntries(api), CheckLoweringRows(api),
                        CheckOpsetEntries(api), CheckQuantizers(api)}) {
    p.insert(p.end(), part.begin(), part.end());
  }
  return p;
}

Problems CheckFrontendRobustness(const TflcPluginApi* api) {
  Problems p;
  if (!ApiReadable(api, &p)) return p;
  auto t = Frontends(api);
  if (t.count == 0 || !TableReadable(t, &p)) return p;
  DirectPluginState plugin(api, &p);
  if (!plugin.ok()) return p;
  TempDir dir;
  if (!dir.ok()) {
    p.push_back("could not create a temporary directory; frontend robustness not checked");
    return p;
  }
  // Empty files under names each format's frontend would look at: empty input must be "not mine".
  const std::vector<std::string> empty_files = {"empty", "model.h5", "model.keras", "saved_model.pb", "model.pb",
                                                "model.pbtxt", "model.json"};
  for (const auto& name : empty_files) std::ofstream(dir.path(name)).flush();
  std::filesystem::create_directory(dir.path("empty_dir"));
  std::vector<std::pair<std::string, std::string>> probes;  // path, what it is
  probes.emplace_back(dir.path("does_not_exist.h5"), "a path that does not exist");
  for (const auto& name : empty_files) probes.emplace_back(dir.path(name), "an empty file");
  probes.emplace_back(dir.path("empty_dir"), "an empty directory");

  for (size_t i = 0; i < t.count; ++i) {
    const TflcFrontend* f = t.entry(i);
    if (!f) continue;
    const std::string where = DescribeFrontend(i, f);
    if (f->Probe) {
      for (const auto& [path, what] : probes) {
        CallOutcome o = RunIsolated([&, path = path]() {
          FakeHost fh;
          TflcFrontendProbe_Args a{};
          a.struct_size = TflcFrontendProbe_Args_STRUCT_SIZE;
          a.host = fh.api();
          a.path = sdk::Sv(path);
          a.user_data = f->user_data;
          a.plugin_state = plugin.state();
          a.confidence = 0;  // as the host initializes it
          CallOutcome r;
          TakeStatus(fh.api(), f->Probe(&a), &r);
          r.out = a.confidence;
          return r;
        });
        const std::string call = where + ": Probe(\"" + path + "\") (" + what + ")";
        if (std::string bad = Abnormal(o); !bad.empty()) {
          p.push_back(call + " " + bad);
        } else if (o.has_status) {
          p.push_back(call + " returned an error (" + StatusCodeName(static_cast<TflcStatusCode>(o.code)) + ": " +
                      o.message + "); Probe answers 'not mine' with confidence 0 and no error");
        } else if (o.out != 0) {
          p.push_back(call + " returned confidence " + std::to_string(o.out) +
                      "; input that cannot be read must get confidence 0");
        }
      }
    }
    if (f->Load) {
      const std::string path = dir.path("does_not_exist.h5");
      CallOutcome o = RunIsolated([&]() {
        FakeHost fh;
        TflcFrontendLoad_Args a{};
        a.struct_size = TflcFrontendLoad_Args_STRUCT_SIZE;
        a.host = fh.api();
        a.path = sdk::Sv(path);
        a.options = fh.options();
        a.model = fh.model();
        a.user_data = f->user_data;
        a.plugin_state = plugin.state();
        CallOutcome r;
        TakeStatus(fh.api(), f->Load(&a), &r);
        return r;
      });
      const std::string call = where + ": Load(\"" + path + "\") (a path that does not exist)";
      if (std::string bad = Abnormal(o); !bad.empty()) {
        p.push_back(call + " " + bad);
      } else if (!o.has_status) {
        p.push_back(call + " succeeded; it must return an error");
      } else {
        CheckErrorStatus(call, o, "", &p);
        if (o.message.find(path) == std::string::npos) {
          p.push_back(call + " returned an error that does not name the path: \"" + o.message + "\"");
        }
      }
    }
  }
  return p;
}

Problems CheckLoweringStatusHygiene(const TflcPluginApi* api) {
  Problems p;
  if (!ApiReadable(api, &p)) return p;
  auto t = Lowerings(api);
  if (t.count == 0 || !TableReadable(t, &p)) return p;
  DirectPluginState plugin(api, &p);
  if (!plugin.ok()) return p;
  for (size_t i = 0; i < t.count; ++i) {
    const TflcLoweringEntry* r = t.entry(i);
    if (!r || Empty(r->source_op)) continue;  // reported by LoweringRows
    const std::string where = DescribeRow(i, r);
    const std::string op = std::strcmp(r->source_op, "*") == 0 ? kWildcardProbeOp : r->source_op;
    for (bool match : {true, false}) {
      auto fn = match ? r->Match : r->Lower;
      if (!fn) continue;
      CallOutcome o = RunIsolated([&]() {
        FakeHost fh;
        auto node = fh.graph().Source(op, kProbeNodeName, {}, 1);
        CallOutcome res;
        if (!node.ok()) {
          res.kind = CallOutcome::kHarness;
          res.detail = node.status().ToString();
          return res;
        }
        const std::string prefix = NodePrefix(fh.api(), node->get());
        TflcLowerNode_Args a{};
        a.struct_size = TflcLowerNode_Args_STRUCT_SIZE;
        a.host = fh.api();
        a.options = fh.options();
        a.graph = fh.graph().get();
        a.node = node->get();
        a.user_data = r->user_data;
        a.plugin_state = plugin.state();
        TakeStatus(fh.api(), fn(&a), &res);
        res.out = a.matches;
        res.detail = prefix;  // the node prefix travels back from the child in `detail`
        return res;
      });
      const std::string call = where + ": " + (match ? "Match" : "Lower") + " on a " + op +
                               " node with no inputs and no attributes";
      if (std::string bad = Abnormal(o); !bad.empty()) {
        p.push_back(call + " " + bad);
        continue;
      }
      CheckErrorStatus(call, o, o.detail, &p);
      if (match && !o.has_status && o.out != 0 && o.out != 1) {
        p.push_back(call + " set matches to " + std::to_string(o.out) + "; use 0 or 1");
      }
    }
  }
  return p;
}

Problems CheckOpsetStatusHygiene(const TflcPluginApi* api) {
  Problems p;
  if (!ApiReadable(api, &p)) return p;
  auto t = Ops(api);
  if (t.count == 0 || !TableReadable(t, &p)) return p;
  DirectPluginState plugin(api, &p);
  if (!plugin.ok()) return p;
  for (size_t i = 0; i < t.count; ++i) {
    const TflcOpsetEntry* e = t.entry(i);
    if (!e || Empty(e->op) || !e->InferShape) continue;  // reported by OpsetEntries
    const std::string where = DescribeOp(i, e);
    CallOutcome o = RunIsolated([&]() {
      FakeHost fh;
      auto node = fh.graph().AddNode(e->domain, e->op, kProbeNodeName, {}, 1);
      CallOutcome res;
      if (!node.ok()) {
        res.kind = CallOutcome::kHarness;
        res.detail = node.status().ToString();
        return res;
      }
      std::string prefix = NodePrefix(fh.api(), node->get());
      TflcOpShape_Args a{};
      a.struct_size = TflcOpShape_Args_STRUCT_SIZE;
      a.host = fh.api();
      a.node = node->get();
      a.user_data = e->user_data;
      a.plugin_state = plugin.state();
      TakeStatus(fh.api(), e->InferShape(&a), &res);
      res.detail = prefix;
      return res;
    });
    const std::string call = where + ": InferShape on a node with no inputs";
    if (std::string bad = Abnormal(o); !bad.empty()) {
      p.push_back(call + " " + bad);
      continue;
    }
    CheckErrorStatus(call, o, o.detail, &p);
  }
  return p;
}

Problems CheckCreateDestroy(TflcPluginQueryFn query) {
  Problems p;
  const TflcPluginApi* api = QueryPlugin(query);
  if (!ApiReadable(api, &p)) return p;
  if (api->Create && !api->Destroy) {
    p.push_back("Create is set but Destroy is NULL: state made by Create is never released");
  }
  if (api->Destroy && !api->Create) {
    p.push_back("Destroy is set but Create is NULL: Destroy would never be called (the host passes it the state "
                "Create made)");
  }
  if (g_lifecycle) {
    p.push_back("CheckCreateDestroy is not reentrant; called from inside a plugin?");
    return p;
  }
  LifecycleProbe lp;
  lp.inner = query;
  g_lifecycle = &lp;
  int destroys_before_shutdown = 0;
  {
    FakeHost fh;
    Status st = fh.Register(WrappingQuery, "<conformance>");
    if (!st.ok()) {
      p.push_back("registering the plugin in FakeHost failed, as the loader would: " + st.ToString());
    }
    destroys_before_shutdown = lp.destroys;
  }  // ~FakeHost: the registry calls Destroy
  g_lifecycle = nullptr;

  if (api->Create && lp.creates != 1) {
    p.push_back("Create ran " + std::to_string(lp.creates) + " times during registration; expected once");
  }
  if (destroys_before_shutdown != 0) {
    p.push_back("Destroy ran " + std::to_string(destroys_before_shutdown) + " times before the host shut down");
  }
  if (api->Create && api->Destroy && lp.creates == 1 && !lp.create_failed) {
    if (lp.created_state) {
      if (lp.destroys != 1) {
        p.push_back("Destroy ran " + std::to_string(lp.destroys) +
                    " times when the host shut down; expected exactly once");
      } else if (lp.destroyed_states[0] != lp.created_state) {
        p.push_back("Destroy received state " + PtrString(lp.destroyed_states[0]) + ", Create made " +
                    PtrString(lp.created_state));
      }
    } else if (lp.destroys > 1) {
      p.push_back("Destroy ran " + std::to_string(lp.destroys) + " times; expected at most once");
    }
  }
  return p;
}

Problems CheckPlugin(TflcPluginQueryFn query) {
  Problems p = CheckNegotiation(query);
  const TflcPluginApi* api = QueryPlugin(query);
  if (!api) return p;  // CheckNegotiation said it declined
  for (Problems part : {CheckPluginTables(api), CheckFrontendRobustness(api), CheckLoweringStatusHygiene(api),
                        CheckOpsetStatusHygiene(api), CheckCreateDestroy(query)}) {
    p.insert(p.end(), part.begin(), part.end());
  }
  return p;
}

std::string FormatProblems(const Problems& problems) {
  if (problems.empty()) return "";
  std::string s = std::to_string(problems.size()) + (problems.size() == 1 ? " problem:" : " problems:");
  for (const auto& line : problems) s += "\n  - " + line;
  return s;
}

namespace internal {

void PrintTo(const ConformanceParam& param, std::ostream* os) {
  *os << (param.suite ? param.suite : "?");
}

ConformanceParam MakeConformanceParam(const char* suite, TflcPluginQueryFn query) {
  return ConformanceParam{suite, query};
}

}  // namespace internal
}  // namespace tflc::testing

// ================================================================================================
// The GoogleTest suite (instantiated by TFLC_PLUGIN_CONFORMANCE_TEST).

namespace {

using tflc::testing::Problems;

std::string PluginLabel(const tflc::testing::internal::ConformanceParam& param) {
  const TflcPluginApi* api = tflc::testing::QueryPlugin(param.query);
  std::string label = param.suite ? param.suite : "?";
  if (api && api->struct_size >= TFLC_STRUCT_SIZE(TflcPluginApi, quantizer_stride) && api->name) {
    label += " (plugin '" + std::string(api->name) + "')";
  }
  return label;
}

void ExpectConforms(const tflc::testing::internal::ConformanceParam& param, const Problems& problems) {
  EXPECT_TRUE(problems.empty()) << PluginLabel(param) << ": " << tflc::testing::FormatProblems(problems);
}

const TflcPluginApi* Api(const tflc::testing::internal::ConformanceParam& param) {
  return tflc::testing::QueryPlugin(param.query);
}

}  // namespace

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(TflcPluginConformance);

TEST_P(TflcPluginConformance, Negotiation) {
  ExpectConforms(GetParam(), tflc::testing::CheckNegotiation(GetParam().query));
}
TEST_P(TflcPluginConformance, Descriptor) {
  ExpectConforms(GetParam(), tflc::testing::CheckDescriptor(Api(GetParam())));
}
TEST_P(TflcPluginConformance, TableLayout) {
  ExpectConforms(GetParam(), tflc::testing::CheckTableLayout(Api(GetParam())));
}
TEST_P(TflcPluginConformance, Frontends) {
  ExpectConforms(GetParam(), tflc::testing::CheckFrontendEntries(Api(GetParam())));
}
TEST_P(TflcPluginConformance, FrontendRobustness) {
  ExpectConforms(GetParam(), tflc::testing::CheckFrontendRobustness(Api(GetParam())));
}
TEST_P(TflcPluginConformance, LoweringRows) {
  ExpectConforms(GetParam(), tflc::testing::CheckLoweringRows(Api(GetParam())));
}
TEST_P(TflcPluginConformance, OpsetEntries) {
  ExpectConforms(GetParam(), tflc::testing::CheckOpsetEntries(Api(GetParam())));
}
TEST_P(TflcPluginConformance, Quantizers) {
  ExpectConforms(GetParam(), tflc::testing::CheckQuantizers(Api(GetParam())));
}
TEST_P(TflcPluginConformance, LoweringStatusHygiene) {
  ExpectConforms(GetParam(), tflc::testing::CheckLoweringStatusHygiene(Api(GetParam())));
}
TEST_P(TflcPluginConformance, OpsetStatusHygiene) {
  ExpectConforms(GetParam(), tflc::testing::CheckOpsetStatusHygiene(Api(GetParam())));
}
TEST_P(TflcPluginConformance, CreateDestroy) {
  ExpectConforms(GetParam(), tflc::testing::CheckCreateDestroy(GetParam().query));
}
