// Lowering to a fixed point (passes.cc LowerGraph): a row may emit source ops that other rows lower
// in turn, each right after the node that emitted it and with the shapes of its lowered inputs; a
// chain that comes back to an op it is lowering is a cycle and an error; an emitted op no row takes
// is reported with the chain that emitted it.
#include <gtest/gtest.h>

#include <string>

#include "tflc/sdk/plugin.h"
#include "tflc/testing/fake_host.h"

namespace tflc {
namespace {

std::string Label(const TflcLowerNode_Args* args) { return static_cast<const char*>(args->user_data); }

// "A>B": emits source op B on the node's input (a rewrite into another source op).
// "A=OP": emits custom op OP (a target op), after checking its input has a shape (eager shapes).
TflcStatus* Rewrite(TflcLowerNode_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    sdk::NodeView src(args->host, args->node);
    sdk::GraphBuilder g(args->host, args->graph);
    const std::string label = Label(args);
    const size_t at = label.find_first_of(">=");
    const std::string to = label.substr(at + 1);
    sdk::ValueView in = src.input(0);
    if (label[at] == '>') {
      TFLC_ASSIGN_OR_RETURN(sdk::NodeView n, g.Source(to, std::string(src.name()) + "/" + to, {in}));
      return src.output(0).ReplaceAllUsesWith(n.output(0));
    }
    if (!in.has_shape()) return Status(TFLC_CODE_INTERNAL, "input of " + std::string(src.op()) + " has no shape yet");
    TFLC_ASSIGN_OR_RETURN(sdk::NodeView n, g.AddNode(TFLC_DOMAIN_CUSTOM, to, std::string(src.name()) + "/" + to, {in}));
    return src.output(0).ReplaceAllUsesWith(n.output(0));
  });
}

// Composite: two source ops in a chain, Mid then Leaf (Leaf reads Mid's output).
TflcStatus* Composite(TflcLowerNode_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    sdk::NodeView src(args->host, args->node);
    sdk::GraphBuilder g(args->host, args->graph);
    TFLC_ASSIGN_OR_RETURN(sdk::NodeView mid, g.Source("Mid", "c/mid", {src.input(0)}));
    TFLC_ASSIGN_OR_RETURN(sdk::NodeView leaf, g.Source("Leaf", "c/leaf", {mid.output(0)}));
    return src.output(0).ReplaceAllUsesWith(leaf.output(0));
  });
}

TflcStatus* SameShape(TflcOpShape_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    sdk::NodeView n(args->host, args->node);
    return n.output(0).SetShape(n.input(0).type(), n.input(0).dims());
  });
}

char kMid[] = "Mid=MID_DONE";
char kLeaf[] = "Leaf=LEAF_DONE";
char kOuter[] = "Outer>Composite";
char kPing[] = "Ping>Pong";
char kPong[] = "Pong>Ping";
char kSelf[] = "Self>Self";
char kLost[] = "Lost>Nowhere";
char kMidDone[] = "MID_DONE";
char kLeafDone[] = "LEAF_DONE";

TflcLoweringEntry R(const char* op, char* label) {
  return sdk::Row(op, TFLC_TARGET_CUSTOM, "X", 1, 1, 0, Rewrite, nullptr, nullptr, label);
}

const TflcLoweringEntry kRows[] = {
    sdk::Row("Composite", TFLC_TARGET_CUSTOM, "X", 1, 1, 0, Composite, nullptr, nullptr, nullptr),
    R("Leaf", kLeaf), R("Lost", kLost), R("Mid", kMid), R("Outer", kOuter),
    R("Ping", kPing), R("Pong", kPong), R("Self", kSelf)};
const TflcOpsetEntry kOps[] = {
    {TflcOpsetEntry_STRUCT_SIZE, kMidDone, TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, SameShape, nullptr, nullptr, nullptr,
     0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
    {TflcOpsetEntry_STRUCT_SIZE, kLeafDone, TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, SameShape, nullptr, nullptr,
     nullptr, 0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr}};

extern "C" const TflcPluginApi* Rewrites_Query(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("rewrites", "1.0.0", "test");
    sdk::SetLowerings(a, kRows);
    sdk::SetOps(a, kOps);
    return a;
  }();
  return sdk::Negotiate(args, &api);
}

// Lowers one `op` node on a [1, 4] input (eager shapes, as the converter does); the dump or the error.
std::string LowerOp(const std::string& op) {
  testing::FakeHost host;
  EXPECT_TRUE(host.Register(&Rewrites_Query).ok());
  host.SetOption("allow_custom_ops", "true");  // the rows emit custom ops
  auto g = host.graph();
  auto x = g.Input("x", TFLC_TYPE_FLOAT32, {1, 4});
  auto n = g.Source(op, "n", {*x});
  EXPECT_TRUE(g.Output(n->output(0), "y").ok());
  Status st = host.LowerWithShapes();
  if (!st.ok()) return "error: " + st.message();
  return host.Dump();
}

TEST(FixedPoint, EmittedSourceOpsAreLoweredByOtherRowsInTurn) {
  // Outer → Composite → (Mid → MID_DONE, Leaf → LEAF_DONE): three rounds of rewriting.
  const std::string dump = LowerOp("Outer");
  ASSERT_EQ(dump.find("error"), std::string::npos) << dump;
  EXPECT_NE(dump.find("MID_DONE \"c/mid/MID_DONE\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("LEAF_DONE \"c/leaf/LEAF_DONE\""), std::string::npos) << dump;
  // No source op is left, and the chain reads x → MID_DONE → LEAF_DONE → y.
  for (const char* op : {"Outer", "Composite", "\"Mid\"", "\"Leaf\""}) EXPECT_EQ(dump.find(op), std::string::npos) << op << "\n" << dump;
  EXPECT_LT(dump.find("MID_DONE"), dump.find("LEAF_DONE")) << dump;
  // Leaf's row required a shaped input: Mid was lowered (and shaped) before Leaf.
  EXPECT_NE(dump.find("LEAF_DONE \"c/leaf/LEAF_DONE\" (c/mid/MID_DONE"), std::string::npos) << dump;
}

TEST(FixedPoint, ACycleBetweenRowsIsAnError) {
  const std::string err = LowerOp("Ping");
  EXPECT_NE(err.find("error: "), std::string::npos) << err;
  EXPECT_NE(err.find("lowering cycle Ping → Pong → Ping"), std::string::npos) << err;
  EXPECT_NE(err.find("plugin 'rewrites'"), std::string::npos) << err;
}

TEST(FixedPoint, ARowEmittingItsOwnOpIsACycle) {
  const std::string err = LowerOp("Self");
  EXPECT_NE(err.find("lowering cycle Self → Self"), std::string::npos) << err;
}

TEST(FixedPoint, AnEmittedOpNoRowTakesIsReportedWithItsChain) {
  const std::string err = LowerOp("Lost");
  EXPECT_NE(err.find("Nowhere x1"), std::string::npos) << err;
  EXPECT_NE(err.find("emitted while lowering Lost → Nowhere"), std::string::npos) << err;
}

}  // namespace
}  // namespace tflc
