// The plugin conformance suite: checks every tflc plugin (ours and vendors') must pass.
//
// In a plugin's unit test (linked with `tflc_plugin_conformance`), at namespace scope:
//
//   TFLC_PLUGIN_CONFORMANCE_TEST(LowerBuiltin, TflcLowerBuiltin_Query);
//
// That instantiates one GoogleTest per check (Negotiation, Descriptor, TableLayout, Frontends,
// FrontendRobustness, LoweringRows, OpsetEntries, Quantizers, LoweringStatusHygiene,
// OpsetStatusHygiene, CreateDestroy), named `LowerBuiltin/TflcPluginConformance.<Check>/0`.
// A failing check prints every problem it found, one line each.
//
// The checks are also plain functions returning the problems found (empty = conforms), so tests can
// assert on them directly (tests/conformance/ does, against deliberately broken plugins).
//
// Robustness checks call plugin callbacks with hostile input (no inputs, no attributes, missing
// and empty files). Each such call runs in a forked child process, so a crash, an escaped
// exception or a hang is reported as a problem naming the callback instead of killing the test.
// Environment:
//   TFLC_CONFORMANCE_FORK=0        run those calls in-process (for a debugger; a crash then aborts)
//   TFLC_CONFORMANCE_TIMEOUT=<s>   per-call time limit in the child (default 60)
#ifndef TFLC_TESTING_CONFORMANCE_H_
#define TFLC_TESTING_CONFORMANCE_H_

#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tflc/abi/tflc_plugin.h"

namespace tflc::testing {

// One line per problem: where ("lowering row 3 (Conv2D -> BUILTIN)") and what is wrong.
using Problems = std::vector<std::string>;

// ---- the checks --------------------------------------------------------------------------------
// Functions taking the query function call it themselves; the others take the table the plugin
// returned for the host's ABI version (a NULL `api` is itself reported as a problem).

// Accepts the host's major (also with a newer minor), declines major + 1, returns the same
// static table every time.
Problems CheckNegotiation(TflcPluginQueryFn query);
// struct_size, ABI version, name ([a-z0-9_]+), version, description, Create/Destroy pairing,
// at least one non-empty table.
Problems CheckDescriptor(const TflcPluginApi* api);
// Every table: non-NULL when non-empty, stride and every entry's struct_size >= the v1.0 size.
Problems CheckTableLayout(const TflcPluginApi* api);
// Frontend descriptors: name, formats, Probe, Load; unique names.
Problems CheckFrontendEntries(const TflcPluginApi* api);
// Lowering rows: source/target op, Lower, version range, target, no duplicate
// (source_op, target, priority), sorted by source_op.
Problems CheckLoweringRows(const TflcPluginApi* api);
// Opset entries: unique ops and builtin codes, domain/code agreement (BUILTIN, CUSTOM, or SOURCE for
// a source op's shapes, without options), InferShape, option fields, min_runtime strings, fusion facts.
Problems CheckOpsetEntries(const TflcPluginApi* api);
// Quantizers: name, Apply, unique names.
Problems CheckQuantizers(const TflcPluginApi* api);
// All the static checks above that take `api`: Descriptor, TableLayout, Frontends, LoweringRows,
// OpsetEntries, Quantizers.
Problems CheckPluginTables(const TflcPluginApi* api);

// Probe of a missing path, empty files and an empty directory: no error, confidence 0.
// Load of a missing path: an error whose message names the path.
Problems CheckFrontendRobustness(const TflcPluginApi* api);
// Every row's Lower (and Match) on a source node of its op with no inputs and no attributes:
// no crash, no exception; a returned status has a real code and a message.
Problems CheckLoweringStatusHygiene(const TflcPluginApi* api);
// Every entry's InferShape on a node of its op with no inputs: same rules.
Problems CheckOpsetStatusHygiene(const TflcPluginApi* api);
// Registers the plugin in a FakeHost exactly as the loader would and destroys the FakeHost:
// registration succeeds, Create runs once, Destroy runs once with Create's state.
Problems CheckCreateDestroy(TflcPluginQueryFn query);

// Everything (what TFLC_PLUGIN_CONFORMANCE_TEST runs, as one list).
Problems CheckPlugin(TflcPluginQueryFn query);

// Queries `query` as the host does (host ABI version, FakeHost's service table).
const TflcPluginApi* QueryPlugin(TflcPluginQueryFn query);

// "N problem(s):\n  - ...\n  - ..." (empty string for none).
std::string FormatProblems(const Problems& problems);

namespace internal {

struct ConformanceParam {
  const char* suite;
  TflcPluginQueryFn query;
};
void PrintTo(const ConformanceParam& param, std::ostream* os);

// Defined in conformance.cc. TFLC_PLUGIN_CONFORMANCE_TEST calls it, which is also what makes the
// linker keep the object file holding the TEST_P definitions.
ConformanceParam MakeConformanceParam(const char* suite, TflcPluginQueryFn query);

class PluginConformanceFixture : public ::testing::TestWithParam<ConformanceParam> {};

}  // namespace internal
}  // namespace tflc::testing

// GoogleTest matches INSTANTIATE_TEST_SUITE_P to TEST_P by the suite's spelled name, so the
// fixture has one unqualified global name used by both.
using TflcPluginConformance = ::tflc::testing::internal::PluginConformanceFixture;

// Instantiates the conformance suite for one plugin query function. Use at namespace scope, once
// per plugin, with a unique `suite_name` (a C++ identifier).
#define TFLC_PLUGIN_CONFORMANCE_TEST(suite_name, query_fn)                  \
  INSTANTIATE_TEST_SUITE_P(                                                 \
      suite_name, TflcPluginConformance,                                    \
      ::testing::Values(::tflc::testing::internal::MakeConformanceParam(    \
          #suite_name, static_cast<TflcPluginQueryFn>(&(query_fn)))))

#endif  // TFLC_TESTING_CONFORMANCE_H_
