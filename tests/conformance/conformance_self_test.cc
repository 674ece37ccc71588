// Tests of the plugin conformance suite itself (tflc/testing/conformance.h):
//   - the full GoogleTest suite passes for conforming plugins (tests/abi's good plugin, and an
//     example plugin here with every table kind and Create/Destroy);
//   - the check functions find the defects of deliberately broken plugins, each by name;
//   - Create/Destroy counting works through FakeHost.
#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "tflc/sdk/plugin.h"
#include "tflc/testing/conformance.h"
#include "tflc/testing/fake_host.h"

// tests/abi/plugins/good_plugin.cc, compiled into this test.
extern "C" const TflcPluginApi* TestGood_Query(const TflcPluginQuery_Args* args);

namespace {

using tflc::Status;
using tflc::sdk::Guard;
using tflc::sdk::NodeView;
using tflc::testing::FormatProblems;
using tflc::testing::Problems;

// Query arguments as the host passes them (without a service table: Negotiate does not need one).
const TflcPluginQuery_Args* HostArgs() {
  static const TflcPluginQuery_Args args{TflcPluginQuery_Args_STRUCT_SIZE, TFLC_ABI_VERSION_MAJOR,
                                         TFLC_ABI_VERSION_MINOR, nullptr};
  return &args;
}

// True when one problem line contains every needle.
bool Has(const Problems& problems, const std::vector<std::string>& needles) {
  for (const auto& line : problems) {
    bool all = true;
    for (const auto& n : needles) all = all && line.find(n) != std::string::npos;
    if (all) return true;
  }
  return false;
}

#define EXPECT_PROBLEM(problems, ...) \
  EXPECT_TRUE(Has(problems, {__VA_ARGS__})) << "expected a problem with " << #__VA_ARGS__ << "\n" << FormatProblems(problems)

// =================================================================================================
// A conforming example plugin: a frontend, lowering rows, opset entries, a quantizer and
// long-lived state. Create/Destroy count their calls.

int g_creates = 0;
int g_destroys = 0;
void* g_last_created = nullptr;
void* g_last_destroyed = nullptr;

struct ExampleState {
  int magic = 42;
};

Status RequireState(void* state) {
  if (!state || static_cast<ExampleState*>(state)->magic != 42) return tflc::Internal("plugin_state was not passed");
  return tflc::OkStatus();
}

TflcStatus* ExampleCreate(TflcPluginCreate_Args* args) {
  ++g_creates;
  args->plugin_state = g_last_created = new ExampleState;
  return nullptr;
}
void ExampleDestroy(void* state) {
  ++g_destroys;
  g_last_destroyed = state;
  delete static_cast<ExampleState*>(state);
}

TflcStatus* ExampleProbe(TflcFrontendProbe_Args* args) {
  return Guard(args->host, [&]() -> Status {
    TFLC_RETURN_IF_ERROR(RequireState(args->plugin_state));
    std::string path(tflc::sdk::Str(args->path));
    args->confidence = 0;
    if (path.size() < 4 || path.compare(path.size() - 4, 4, ".cfx") != 0) return tflc::OkStatus();
    args->confidence = 100;  // (a real frontend would read the header)
    return tflc::OkStatus();
  });
}
TflcStatus* ExampleLoad(TflcFrontendLoad_Args* args) {
  return Guard(args->host, [&]() -> Status {
    TFLC_RETURN_IF_ERROR(RequireState(args->plugin_state));
    std::string path(tflc::sdk::Str(args->path));
    if (access(path.c_str(), R_OK) != 0) return tflc::NotFound("cannot open model file '" + path + "'");
    return tflc::Unimplemented("example frontend: loading is not implemented");
  });
}

// Lowers a node to the builtin named by the row's user_data, forwarding its inputs.
TflcStatus* ExampleLower(TflcLowerNode_Args* args) {
  return Guard(args->host, args->node, [&]() -> Status {
    TFLC_RETURN_IF_ERROR(RequireState(args->plugin_state));
    NodeView n(args->host, args->node);
    if (n.num_inputs() != 1 || !n.input(0)) {
      return tflc::InvalidArgument("expects 1 input, got " + std::to_string(n.num_inputs()));
    }
    tflc::sdk::GraphBuilder g(args->host, args->graph);
    TFLC_ASSIGN_OR_RETURN(NodeView out, g.Builtin(static_cast<const char*>(args->user_data), n.name(), {n.input(0)}));
    return n.output(0).ReplaceAllUsesWith(out.output(0));
  });
}
TflcStatus* ExampleMatch(TflcLowerNode_Args* args) {
  return Guard(args->host, args->node, [&]() -> Status {
    NodeView n(args->host, args->node);
    args->matches = n.num_inputs() == 1 ? 1 : 0;
    return tflc::OkStatus();
  });
}

TflcStatus* ExampleShape(TflcOpShape_Args* args) {
  return Guard(args->host, args->node, [&]() -> Status {
    TFLC_RETURN_IF_ERROR(RequireState(args->plugin_state));
    NodeView n(args->host, args->node);
    if (n.num_inputs() != 1 || !n.input(0)) {
      return tflc::InvalidArgument("expects 1 input, got " + std::to_string(n.num_inputs()));
    }
    return n.output(0).SetShape(n.input(0).type(), n.input(0).dims());
  });
}

TflcStatus* ExampleQuantize(TflcQuantize_Args* args) { return nullptr; }

const TflcFrontend kExampleFrontends[] = {
    {TflcFrontend_STRUCT_SIZE, "example_cfx", "reads .cfx files", "cfx,example", ExampleProbe, ExampleLoad, nullptr},
};
char kRelu[] = "RELU";
const TflcLoweringEntry kExampleRows[] = {
    tflc::sdk::Row("ExampleRelu", TFLC_TARGET_BUILTIN, "RELU", 1, 1, 0, ExampleLower, nullptr, "note", kRelu),
    tflc::sdk::Row("ExampleRelu", TFLC_TARGET_BUILTIN, "RELU", 1, 1, 10, ExampleLower, ExampleMatch, nullptr, kRelu),
    tflc::sdk::Row("Relu", TFLC_TARGET_BUILTIN, "RELU", 1, 1, 0, ExampleLower, nullptr, nullptr, kRelu),
};
const char* const kReluRuntime[] = {"1.5.0", "2.1.0", ""};
const TflcOpsetEntry kExampleOps[] = {
    {TflcOpsetEntry_STRUCT_SIZE, "RELU", TFLC_DOMAIN_BUILTIN, 19, 0, nullptr, 0, ExampleShape, nullptr, nullptr,
     kReluRuntime, 3, /*activation_code=*/1, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
    {TflcOpsetEntry_STRUCT_SIZE, "ExampleVendorOp", TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, ExampleShape, nullptr,
     nullptr, nullptr, 0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
};
const TflcQuantizer kExampleQuantizers[] = {
    {TflcQuantizer_STRUCT_SIZE, "example_noop", "changes nothing", ExampleQuantize, nullptr, 0, nullptr},
};

const TflcPluginApi* Example_Query(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("conformance_example", "0.1.0", "every table kind, with state");
    a.Create = ExampleCreate;
    a.Destroy = ExampleDestroy;
    tflc::sdk::SetFrontends(a, kExampleFrontends);
    tflc::sdk::SetLowerings(a, kExampleRows);
    tflc::sdk::SetOps(a, kExampleOps);
    tflc::sdk::SetQuantizers(a, kExampleQuantizers);
    return a;
  }();
  return tflc::sdk::Negotiate(args, &api);
}

// =================================================================================================
// A broken plugin: one or more defects per row.

// Callbacks.
TflcStatus* LowerOk(TflcLowerNode_Args* args) {
  return Guard(args->host, args->node, [&]() -> Status { return tflc::InvalidArgument("expects 1 input"); });
}
TflcStatus* LowerCrash(TflcLowerNode_Args*) {
  std::raise(SIGSEGV);
  return nullptr;
}
TflcStatus* LowerThrow(TflcLowerNode_Args*) { throw std::runtime_error("boom from LowerThrow"); }
TflcStatus* LowerEmptyMessage(TflcLowerNode_Args* args) {
  return args->host->Status_Create(TFLC_CODE_INVALID_ARGUMENT, tflc::sdk::Sv(""), args->node);
}
TflcStatus* MatchOkCode(TflcLowerNode_Args* args) {
  return args->host->Status_Create(TFLC_CODE_OK, tflc::sdk::Sv("all good?"), nullptr);
}

TflcStatus* ShapeOk(TflcOpShape_Args* args) {
  return Guard(args->host, args->node, [&]() -> Status { return tflc::InvalidArgument("expects 1 input"); });
}
TflcStatus* ShapeCrash(TflcOpShape_Args*) {
  std::raise(SIGSEGV);
  return nullptr;
}
TflcStatus* ShapeThrow(TflcOpShape_Args*) { throw std::logic_error("boom from ShapeThrow"); }
TflcStatus* ShapeHang(TflcOpShape_Args*) {
  while (true) sleep(1);
}

TflcStatus* ProbeGreedy(TflcFrontendProbe_Args* args) {
  args->confidence = 100;
  return nullptr;
}
TflcStatus* ProbeError(TflcFrontendProbe_Args* args) {
  return args->host->Status_Create(TFLC_CODE_NOT_FOUND, tflc::sdk::Sv("no such file"), nullptr);
}
TflcStatus* ProbeCrash(TflcFrontendProbe_Args*) {
  std::raise(SIGSEGV);
  return nullptr;
}
TflcStatus* LoadSucceeds(TflcFrontendLoad_Args*) { return nullptr; }
TflcStatus* LoadVague(TflcFrontendLoad_Args* args) {
  return args->host->Status_Create(TFLC_CODE_NOT_FOUND, tflc::sdk::Sv("file not found"), nullptr);
}
TflcStatus* QuantizeNoop(TflcQuantize_Args*) { return nullptr; }
TflcStatus* CreateNoState(TflcPluginCreate_Args*) { return nullptr; }

const TflcFrontend kBrokenFrontends[] = {
    {TflcFrontend_STRUCT_SIZE, "greedy", "", "", ProbeGreedy, LoadSucceeds, nullptr},
    {TflcFrontend_STRUCT_SIZE, "greedy", "", "a,,b", ProbeError, LoadVague, nullptr},
    {TflcFrontend_STRUCT_SIZE, "crashy", nullptr, "x", ProbeCrash, nullptr, nullptr},
};

const TflcLoweringEntry kBrokenRows[] = {
    /*0*/ tflc::sdk::Row("Relu", TFLC_TARGET_BUILTIN, "RELU", 1, 1, 0, LowerOk),
    /*1*/ tflc::sdk::Row("Conv2D", TFLC_TARGET_BUILTIN, "CONV_2D", 1, 3, 0, LowerCrash),  // unsorted
    /*2*/ tflc::sdk::Row("Conv2D", TFLC_TARGET_BUILTIN, "CONV_2D", 1, 3, 0, LowerThrow),  // duplicate
    /*3*/ tflc::sdk::Row("DepthwiseConv2dNative", TFLC_TARGET_BUILTIN, nullptr, 0, 1, 0, LowerEmptyMessage),
    /*4*/ tflc::sdk::Row("Elu", static_cast<TflcTarget>(7), "ELU", 3, 2, 0, LowerOk, MatchOkCode),
    /*5*/ tflc::sdk::Row("Floor", TFLC_TARGET_BUILTIN, "FLOOR", 1, 1, 0, nullptr),
};

const TflcOptionField kBrokenFields[] = {
    /*0*/ tflc::sdk::Field("stride_w", 1, TFLC_OPTION_INT32),
    /*1*/ tflc::sdk::Field("stride_h", 1, TFLC_OPTION_INT32),  // slot of field 0
    /*2*/ tflc::sdk::Field("stride_w", 2, TFLC_OPTION_INT32),  // attr of field 0
    /*3*/ tflc::sdk::Field("", 3, TFLC_OPTION_INT32),
    /*4*/ tflc::sdk::Field("padding", -1, TFLC_OPTION_INT8),
    /*5*/ tflc::sdk::Field("x", 5, static_cast<TflcOptionKind>(99)),
};
const char* const kRt[] = {"1.5.0"};
const char* const kBadRt[] = {"1.14", ""};

TflcOpsetEntry OpEntry(const char* op, TflcOpDomain domain, int32_t code,
                       TflcStatus* (*shape)(TflcOpShape_Args*) = ShapeOk) {
  return TflcOpsetEntry{TflcOpsetEntry_STRUCT_SIZE, op, domain, code, 0, nullptr, 0, shape, nullptr, nullptr,
                        domain == TFLC_DOMAIN_BUILTIN ? kRt : nullptr, domain == TFLC_DOMAIN_BUILTIN ? 1u : 0u,
                        0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr};
}

const std::vector<TflcOpsetEntry>& BrokenOps() {
  static const std::vector<TflcOpsetEntry> ops = [] {
    std::vector<TflcOpsetEntry> v;
    v.push_back(OpEntry("ADD", TFLC_DOMAIN_BUILTIN, 0));                      // 0: fine
    v.push_back(OpEntry("ADD", TFLC_DOMAIN_BUILTIN, 0));                      // 1: op and code of 0
    v.push_back(OpEntry("BIG", TFLC_DOMAIN_BUILTIN, 250));                    // 2: code out of range
    v.push_back(OpEntry("VendorOp", TFLC_DOMAIN_CUSTOM, 5));                  // 3: custom, code != 32
    v.push_back(OpEntry("FAKE_CUSTOM", TFLC_DOMAIN_BUILTIN, 32));             // 4: builtin, code 32
    v.push_back(OpEntry("NO_SHAPE", TFLC_DOMAIN_BUILTIN, 100, nullptr));      // 5: InferShape NULL
    TflcOpsetEntry opts = OpEntry("OPTS", TFLC_DOMAIN_BUILTIN, 101);          // 6: option fields
    opts.option_fields = kBrokenFields;
    opts.num_option_fields = sizeof(kBrokenFields) / sizeof(kBrokenFields[0]);
    v.push_back(opts);
    TflcOpsetEntry rt = OpEntry("RT", TFLC_DOMAIN_BUILTIN, 102);              // 7: bad runtime string
    rt.min_runtime = kBadRt;
    rt.num_min_runtime = 2;
    v.push_back(rt);
    TflcOpsetEntry nort = OpEntry("NORT", TFLC_DOMAIN_BUILTIN, 103);          // 8: no runtime
    nort.min_runtime = nullptr;
    nort.num_min_runtime = 0;
    v.push_back(nort);
    TflcOpsetEntry fuse = OpEntry("FUSE", TFLC_DOMAIN_BUILTIN, 104);          // 9: half-set fusion facts
    fuse.bias_input = 2;
    fuse.fuses_activation = 1;
    v.push_back(fuse);
    TflcOpsetEntry fuse2 = OpEntry("FUSE2", TFLC_DOMAIN_BUILTIN, 105);        // 10: no output axis
    fuse2.bias_input = 2;
    fuse2.weight_input = 1;
    v.push_back(fuse2);
    v.push_back(OpEntry("CRASHY", TFLC_DOMAIN_BUILTIN, 106, ShapeCrash));    // 11
    v.push_back(OpEntry("Throwy", TFLC_DOMAIN_CUSTOM, 32, ShapeThrow));      // 12
    return v;
  }();
  return ops;
}

const TflcQuantizer kBrokenQuantizers[] = {
    {TflcQuantizer_STRUCT_SIZE, "q", "", nullptr, nullptr, 0, nullptr},
    {TflcQuantizer_STRUCT_SIZE, "q", nullptr, QuantizeNoop, nullptr, 0, nullptr},
};

const TflcPluginApi* BrokenApi() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("Broken-Plugin", "", nullptr);
    a.Create = CreateNoState;  // and no Destroy
    tflc::sdk::SetFrontends(a, kBrokenFrontends);
    tflc::sdk::SetLowerings(a, kBrokenRows);
    tflc::sdk::SetOps(a, BrokenOps().data(), BrokenOps().size());
    tflc::sdk::SetQuantizers(a, kBrokenQuantizers);
    return a;
  }();
  return &api;
}
// Accepts any ABI version (no tflc::sdk::Negotiate).
const TflcPluginApi* Broken_Query(const TflcPluginQuery_Args*) { return BrokenApi(); }

// =================================================================================================
// Conforming plugins run the whole GoogleTest suite.

}  // namespace

TFLC_PLUGIN_CONFORMANCE_TEST(GoodPlugin, TestGood_Query);
TFLC_PLUGIN_CONFORMANCE_TEST(ExamplePlugin, Example_Query);

namespace {

// CheckPlugin is every check in one list (GoodPlugin itself is covered by the suite above).
TEST(ConformanceSelfTest, CheckPluginRunsEveryCheck) {
  Problems example = tflc::testing::CheckPlugin(Example_Query);
  EXPECT_TRUE(example.empty()) << FormatProblems(example);
  Problems broken = tflc::testing::CheckPlugin(Broken_Query);
  EXPECT_PROBLEM(broken, "accepted a host with ABI major version 2");                  // negotiation
  EXPECT_PROBLEM(broken, "name 'Broken-Plugin' must be lowercase");                    // descriptor
  EXPECT_PROBLEM(broken, "frontend 0 (greedy): formats is empty");                     // frontends
  EXPECT_PROBLEM(broken, "frontend 0 (greedy): Load(", "succeeded");                   // robustness
  EXPECT_PROBLEM(broken, "lowering row 2 (Conv2D -> BUILTIN): duplicates");            // rows
  EXPECT_PROBLEM(broken, "lowering row 1 (Conv2D -> BUILTIN): Lower", "crashed");      // hygiene
  EXPECT_PROBLEM(broken, "opset entry 6 (OPTS)", "slot 1 is also used");               // opset
  EXPECT_PROBLEM(broken, "opset entry 11 (CRASHY): InferShape", "crashed");            // hygiene
  EXPECT_PROBLEM(broken, "quantizer 0 (q): Apply is NULL");                            // quantizers
  EXPECT_PROBLEM(broken, "Create is set but Destroy is NULL");                         // Create/Destroy
}

// ---- descriptor and negotiation ----

TEST(ConformanceSelfTest, FindsNegotiationProblems) {
  Problems p = tflc::testing::CheckNegotiation(Broken_Query);
  EXPECT_PROBLEM(p, "accepted a host with ABI major version 2");
  EXPECT_EQ(p.size(), 1u) << FormatProblems(p);

  Problems declines = tflc::testing::CheckNegotiation([](const TflcPluginQuery_Args*) -> const TflcPluginApi* {
    return nullptr;
  });
  const std::string host_version = std::to_string(TFLC_ABI_VERSION_MAJOR) + "." + std::to_string(TFLC_ABI_VERSION_MINOR);
  const std::string newer = std::to_string(TFLC_ABI_VERSION_MAJOR) + "." + std::to_string(TFLC_ABI_VERSION_MINOR + 1);
  EXPECT_PROBLEM(declines, "declined the host's ABI version " + host_version);
  EXPECT_PROBLEM(declines, "declined a host with a newer minor version " + newer);

  Problems fresh = tflc::testing::CheckNegotiation([](const TflcPluginQuery_Args* args) -> const TflcPluginApi* {
    static TflcPluginApi tables[2];
    static int n = 0;
    const TflcPluginApi* api = Example_Query(args);
    if (!api) return nullptr;
    tables[n % 2] = *api;
    return &tables[n++ % 2];
  });
  EXPECT_PROBLEM(fresh, "a second query returned a different table");
}

TEST(ConformanceSelfTest, FindsDescriptorProblems) {
  Problems p = tflc::testing::CheckDescriptor(BrokenApi());
  EXPECT_PROBLEM(p, "name 'Broken-Plugin' must be lowercase");
  EXPECT_PROBLEM(p, "version is empty");
  EXPECT_PROBLEM(p, "description is NULL");
  EXPECT_EQ(p.size(), 3u) << FormatProblems(p);

  TflcPluginApi a = *BrokenApi();
  a.abi_major = 2;
  a.abi_minor = 7;
  a.name = nullptr;
  a.num_frontends = a.num_lowerings = a.num_ops = a.num_quantizers = 0;
  Problems q = tflc::testing::CheckDescriptor(&a);
  EXPECT_PROBLEM(q, "abi_major is 2");
  EXPECT_PROBLEM(q, "abi_minor is 7");
  EXPECT_PROBLEM(q, "name is NULL");
  EXPECT_PROBLEM(q, "provides nothing");

  a.struct_size = 16;
  Problems tiny = tflc::testing::CheckPluginTables(&a);
  EXPECT_PROBLEM(tiny, "struct_size is 16", "nothing else checked");
  EXPECT_EQ(tiny.size(), 1u) << FormatProblems(tiny);

  Problems none = tflc::testing::CheckPluginTables(nullptr);
  EXPECT_PROBLEM(none, "declined");
}

TEST(ConformanceSelfTest, FindsTableLayoutProblems) {
  TflcPluginApi a = *Example_Query(HostArgs());
  a.lowerings = nullptr;                       // NULL with entries
  a.op_stride = 8;                             // below v1.0 size
  a.frontend_stride = sizeof(TflcFrontend) + 1;  // misaligned
  static TflcQuantizer small_quantizer[1] = {kExampleQuantizers[0]};
  small_quantizer[0].struct_size = 8;          // older than v1.0
  a.quantizers = small_quantizer;
  Problems p = tflc::testing::CheckTableLayout(&a);
  EXPECT_PROBLEM(p, "lowering table is NULL but has 3 entries");
  EXPECT_PROBLEM(p, "opset table: stride 8 is smaller than the v1.0 entry size");
  EXPECT_PROBLEM(p, "frontend table: stride", "not a multiple of the entry alignment");
  EXPECT_PROBLEM(p, "quantizer entry 0: struct_size 8 is smaller than the v1.0 size");
  EXPECT_EQ(p.size(), 4u) << FormatProblems(p);

  // Content checks do not walk unusable tables; they say so instead of passing silently.
  EXPECT_PROBLEM(tflc::testing::CheckLoweringRows(&a), "lowering table: entries not checked");
  EXPECT_PROBLEM(tflc::testing::CheckOpsetEntries(&a), "opset table: entries not checked");
  EXPECT_PROBLEM(tflc::testing::CheckLoweringStatusHygiene(&a), "lowering table: entries not checked");
}

// ---- tables ----

TEST(ConformanceSelfTest, FindsFrontendDescriptorProblems) {
  Problems p = tflc::testing::CheckFrontendEntries(BrokenApi());
  EXPECT_PROBLEM(p, "frontend 0 (greedy): formats is empty");
  EXPECT_PROBLEM(p, "frontend 1 (greedy): name 'greedy' is also used by frontend 0");
  EXPECT_PROBLEM(p, "frontend 1 (greedy): formats 'a,,b' must be a comma list");
  EXPECT_PROBLEM(p, "frontend 2 (crashy): description is NULL");
  EXPECT_PROBLEM(p, "frontend 2 (crashy): Load is NULL");
  EXPECT_EQ(p.size(), 5u) << FormatProblems(p);
}

TEST(ConformanceSelfTest, FindsLoweringRowProblems) {
  Problems p = tflc::testing::CheckLoweringRows(BrokenApi());
  EXPECT_PROBLEM(p, "lowering row 1 (Conv2D -> BUILTIN)", "not sorted", "'Conv2D' comes after 'Relu' (row 0)");
  EXPECT_PROBLEM(p, "lowering row 2 (Conv2D -> BUILTIN)", "duplicates lowering row 1", "priority 0");
  EXPECT_PROBLEM(p, "lowering row 3 (DepthwiseConv2dNative -> BUILTIN)", "target_op is NULL");
  EXPECT_PROBLEM(p, "lowering row 3 (DepthwiseConv2dNative -> BUILTIN)", "min_version 0 is below 1");
  EXPECT_PROBLEM(p, "lowering row 4 (Elu -> target 7)", "not a TflcTarget");
  EXPECT_PROBLEM(p, "lowering row 4 (Elu -> target 7)", "min_version 3 is above max_version 2");
  EXPECT_PROBLEM(p, "lowering row 5 (Floor -> BUILTIN)", "Lower is NULL");
  EXPECT_EQ(p.size(), 7u) << FormatProblems(p);
}

TEST(ConformanceSelfTest, FindsOpsetEntryProblems) {
  Problems p = tflc::testing::CheckOpsetEntries(BrokenApi());
  EXPECT_PROBLEM(p, "opset entry 1 (ADD): op 'ADD' is also defined by opset entry 0");
  EXPECT_PROBLEM(p, "opset entry 1 (ADD): builtin_code 0 is also used by opset entry 0");
  EXPECT_PROBLEM(p, "opset entry 2 (BIG): builtin_code 250 is outside");
  EXPECT_PROBLEM(p, "opset entry 3 (VendorOp): a CUSTOM entry must have builtin_code 32");
  EXPECT_PROBLEM(p, "opset entry 4 (FAKE_CUSTOM): a BUILTIN entry has builtin_code 32");
  EXPECT_PROBLEM(p, "opset entry 5 (NO_SHAPE): InferShape is NULL");
  EXPECT_PROBLEM(p, "opset entry 6 (OPTS): has 6 option fields but options_type 0");
  EXPECT_PROBLEM(p, "option field 1 (stride_h): slot 1 is also used by option field 0");
  EXPECT_PROBLEM(p, "option field 2 (stride_w): attr 'stride_w' is also written by option field 0");
  EXPECT_PROBLEM(p, "option field 3", "attr is empty");
  EXPECT_PROBLEM(p, "option field 4 (padding): slot -1 is negative");
  EXPECT_PROBLEM(p, "option field 5 (x): kind 99 is not a TflcOptionKind");
  EXPECT_PROBLEM(p, "opset entry 7 (RT): min_runtime[0] '1.14' is not a version");
  EXPECT_PROBLEM(p, "opset entry 8 (NORT): num_min_runtime is 0");
  EXPECT_PROBLEM(p, "opset entry 9 (FUSE): bias_input 2 and weight_input -1 must both be -1");
  EXPECT_PROBLEM(p, "opset entry 9 (FUSE): fuses_activation is 1 but no option field writes");
  EXPECT_PROBLEM(p, "opset entry 10 (FUSE2): weight_output_axis -1 must be >= 0");
  EXPECT_EQ(p.size(), 17u) << FormatProblems(p);
}

TEST(ConformanceSelfTest, FindsQuantizerProblems) {
  Problems p = tflc::testing::CheckQuantizers(BrokenApi());
  EXPECT_PROBLEM(p, "quantizer 0 (q): Apply is NULL");
  EXPECT_PROBLEM(p, "quantizer 1 (q): name 'q' is also used by quantizer 0");
  EXPECT_PROBLEM(p, "quantizer 1 (q): description is NULL");
  EXPECT_EQ(p.size(), 3u) << FormatProblems(p);
}

// ---- robustness: crashes, exceptions, hangs and bad statuses are found, not fatal ----

TEST(ConformanceSelfTest, FindsFrontendRobustnessProblems) {
  Problems p = tflc::testing::CheckFrontendRobustness(BrokenApi());
  EXPECT_PROBLEM(p, "frontend 0 (greedy): Probe(", "does_not_exist.h5", "returned confidence 100");
  EXPECT_PROBLEM(p, "frontend 0 (greedy): Probe(", "model.h5\") (an empty file) returned confidence 100");
  EXPECT_PROBLEM(p, "frontend 0 (greedy): Probe(", "empty_dir\") (an empty directory) returned confidence 100");
  EXPECT_PROBLEM(p, "frontend 0 (greedy): Load(", "succeeded; it must return an error");
  EXPECT_PROBLEM(p, "frontend 1 (greedy): Probe(", "returned an error (NOT_FOUND: no such file)");
  EXPECT_PROBLEM(p, "frontend 1 (greedy): Load(", "does not name the path: \"file not found\"");
  EXPECT_PROBLEM(p, "frontend 2 (crashy): Probe(", "crashed (signal 11");
}

TEST(ConformanceSelfTest, FindsLoweringStatusHygieneProblems) {
  Problems p = tflc::testing::CheckLoweringStatusHygiene(BrokenApi());
  EXPECT_PROBLEM(p, "lowering row 1 (Conv2D -> BUILTIN): Lower on a Conv2D node with no inputs", "crashed (signal 11");
  EXPECT_PROBLEM(p, "lowering row 2 (Conv2D -> BUILTIN): Lower", "let an exception escape", "boom from LowerThrow");
  EXPECT_PROBLEM(p, "lowering row 3 (DepthwiseConv2dNative -> BUILTIN): Lower",
                 "returned an error (INVALID_ARGUMENT) with an empty message");
  EXPECT_PROBLEM(p, "lowering row 4 (Elu -> target 7): Match", "code UNKNOWN");
  EXPECT_EQ(p.size(), 4u) << FormatProblems(p);
}

TEST(ConformanceSelfTest, FindsOpsetStatusHygieneProblems) {
  Problems p = tflc::testing::CheckOpsetStatusHygiene(BrokenApi());
  EXPECT_PROBLEM(p, "opset entry 11 (CRASHY): InferShape on a node with no inputs crashed (signal 11");
  EXPECT_PROBLEM(p, "opset entry 12 (Throwy): InferShape", "let an exception escape", "boom from ShapeThrow");
  EXPECT_EQ(p.size(), 2u) << FormatProblems(p);
}

TEST(ConformanceSelfTest, FindsHangs) {
  static const TflcOpsetEntry kHangs[] = {OpEntry("HANGS", TFLC_DOMAIN_BUILTIN, 107, ShapeHang)};
  TflcPluginApi a = tflc::sdk::NewPluginApi("hangs", "1", "");
  tflc::sdk::SetOps(a, kHangs);
  setenv("TFLC_CONFORMANCE_TIMEOUT", "1", 1);
  Problems p = tflc::testing::CheckOpsetStatusHygiene(&a);
  unsetenv("TFLC_CONFORMANCE_TIMEOUT");
  EXPECT_PROBLEM(p, "opset entry 0 (HANGS): InferShape", "did not return within 1 s");
}

TEST(ConformanceSelfTest, InProcessModeStillReportsExceptions) {
  static const TflcOpsetEntry kThrows[] = {OpEntry("Throwy", TFLC_DOMAIN_CUSTOM, 32, ShapeThrow)};
  TflcPluginApi a = tflc::sdk::NewPluginApi("throws", "1", "");
  tflc::sdk::SetOps(a, kThrows);
  setenv("TFLC_CONFORMANCE_FORK", "0", 1);
  Problems p = tflc::testing::CheckOpsetStatusHygiene(&a);
  unsetenv("TFLC_CONFORMANCE_FORK");
  EXPECT_PROBLEM(p, "opset entry 0 (Throwy): InferShape", "let an exception escape", "boom from ShapeThrow");
}

// ---- Create/Destroy ----

TEST(ConformanceSelfTest, FakeHostRunsDestroyOnceWhenItGoesAway) {
  const int creates = g_creates, destroys = g_destroys;
  {
    tflc::testing::FakeHost fh;
    ASSERT_TRUE(fh.Register(Example_Query).ok());
    EXPECT_EQ(g_creates - creates, 1);
    EXPECT_EQ(g_destroys - destroys, 0);
  }
  EXPECT_EQ(g_destroys - destroys, 1);
  EXPECT_EQ(g_last_destroyed, g_last_created);
}

TEST(ConformanceSelfTest, CreateDestroyCheckCountsThroughFakeHost) {
  const int creates = g_creates, destroys = g_destroys;
  Problems p = tflc::testing::CheckCreateDestroy(Example_Query);
  EXPECT_TRUE(p.empty()) << FormatProblems(p);
  EXPECT_EQ(g_creates - creates, 1);
  EXPECT_EQ(g_destroys - destroys, 1);
  EXPECT_EQ(g_last_destroyed, g_last_created);
}

TEST(ConformanceSelfTest, FindsCreateDestroyProblems) {
  Problems p = tflc::testing::CheckCreateDestroy(Broken_Query);
  EXPECT_PROBLEM(p, "Create is set but Destroy is NULL");
  // The host's own validation rejects the broken tables, as the loader would.
  EXPECT_PROBLEM(p, "registering the plugin in FakeHost failed", "has a NULL");

  auto failing_query = [](const TflcPluginQuery_Args* args) -> const TflcPluginApi* {
    static const TflcPluginApi api = [] {
      TflcPluginApi a = *Example_Query(HostArgs());
      a.name = "fails_create";
      a.Create = [](TflcPluginCreate_Args* ca) -> TflcStatus* {
        return ca->host->Status_Create(TFLC_CODE_FAILED_PRECONDITION, tflc::sdk::Sv("no license found"), nullptr);
      };
      return a;
    }();
    return tflc::sdk::Negotiate(args, &api);
  };
  Problems q = tflc::testing::CheckCreateDestroy(failing_query);
  EXPECT_PROBLEM(q, "registering the plugin in FakeHost failed", "no license found");
  EXPECT_PROBLEM(tflc::testing::CheckLoweringStatusHygiene(failing_query(HostArgs())), "Create failed",
                 "no license found");
  EXPECT_PROBLEM(tflc::testing::CheckOpsetStatusHygiene(nullptr), "declined");

  static const TflcLoweringEntry kRow[] = {tflc::sdk::Row("Relu", TFLC_TARGET_BUILTIN, "RELU", 1, 1, 0, LowerOk)};
  auto destroy_only = [](const TflcPluginQuery_Args* args) -> const TflcPluginApi* {
    static const TflcPluginApi api = [] {
      TflcPluginApi a = tflc::sdk::NewPluginApi("destroy_only", "1", "");
      a.Destroy = [](void*) {};
      tflc::sdk::SetLowerings(a, kRow);
      return a;
    }();
    return tflc::sdk::Negotiate(args, &api);
  };
  EXPECT_PROBLEM(tflc::testing::CheckCreateDestroy(destroy_only), "Destroy is set but Create is NULL");
}

}  // namespace
