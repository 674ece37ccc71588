// TF2 control flow in the shared TF importer (plugins/tf_common/src/importer.cc), through the
// GraphDef frontend: While / If functions become subgraphs (TFLC_ATTR_GRAPH attributes) whose
// inputs are the function's arguments in signature order, unused ones included; a constant the
// call keeps unchanged (If: every argument; While: a loop variable the body passes through, directly
// or through Identity) is shared into the subgraph as a constant; calls of Keras RNN layer
// functions (api_implements lstm_* / gru_*) stay PartitionedCall nodes with subgraph `f`; a
// missing function or a wrong argument count is an error naming the node and the function.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include "frontend.h"
#include "tflc/testing/fake_host.h"

namespace tflc::graphdef {
namespace {

using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;
using tflc::testing::FakeHost;

std::string Write(const std::string& name, const std::string& text) {
  static std::string dir = [] {
    char tmpl[] = "/tmp/tflc_graphdef_cf_test_XXXXXX";
    return std::string(::mkdtemp(tmpl));
  }();
  std::string p = dir + "/" + name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

Status Load(FakeHost& h, const std::string& name, const std::string& text, const std::string& outputs) {
  TFLC_RETURN_IF_ERROR(h.Register(&TflcFrontendGraphDef_Query, "frontend_graphdef"));
  h.SetOption("output_arrays", outputs);
  return h.LoadModel(Write(name, text), "graph_def");
}

// The one node of the entry graph whose op is `op` (a test failure otherwise).
NodeView Find(FakeHost& h, const std::string& op) {
  GraphBuilder g = h.graph();
  NodeView found;
  int count = 0;
  for (size_t i = 0; i < g.num_nodes(); ++i) {
    if (g.node(i).op() == op) {
      found = g.node(i);
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << op << "\n" << h.Dump();
  return found;
}

// The first node of subgraph `g` whose op is `op` and whose input 0 has type `type` (any type when
// TFLC_TYPE_UNKNOWN).
NodeView FindIn(const GraphBuilder& g, const std::string& op, TflcDataType type = TFLC_TYPE_UNKNOWN) {
  for (size_t i = 0; i < g.num_nodes(); ++i)
    if (g.node(i).op() == op && (type == TFLC_TYPE_UNKNOWN || g.node(i).input(0).type() == type)) return g.node(i);
  ADD_FAILURE() << "no " << op << " in subgraph " << g.name();
  throw std::runtime_error("node not found");
  return NodeView();
}

template <typename T>
T Check(StatusOr<T> s) {
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(s).value() : T();
}

GraphBuilder Sub(const NodeView& n, const std::string& attr) {
  TflcGraph* g = n.Subgraph(attr);
  EXPECT_NE(g, nullptr) << attr;
  return GraphBuilder(n.host(), g);
}

const char* kAttrF = R"pb(attr { key: "T" value { type: DT_FLOAT } })pb";

// While(i = 0, x, w, z): cond = i < 3; body = (i + 1, x * w + z, Identity(w), z). w and z are constants
// the body passes through (through an Identity / directly); i is a constant that changes.
std::string WhileGraph(const std::string& cond_name = "cond_fn", const std::string& extra_body_arg = "") {
  return std::string(R"pb(
node { name: "i" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
       attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 0 } } } }
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: 1 } dim { size: 2 } } } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 0.5 float_val: 2 } } } }
node { name: "z" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 7 } } } }
node { name: "loop" op: "StatelessWhile" input: "i" input: "x" input: "w" input: "z"
       attr { key: "T" value { list { type: DT_INT32 type: DT_FLOAT type: DT_FLOAT type: DT_FLOAT } } }
       attr { key: "cond" value { func { name: ")pb") + cond_name + R"pb(" } } }
       attr { key: "body" value { func { name: "body_fn" } } } }
node { name: "y" op: "Identity" input: "loop:1" )pb" + kAttrF + R"pb( }
library {
  function {
    signature { name: "cond_fn" input_arg { name: "ci" type: DT_INT32 } input_arg { name: "cx" type: DT_FLOAT }
                input_arg { name: "cw" type: DT_FLOAT } input_arg { name: "cz" type: DT_FLOAT }
                output_arg { name: "c" type: DT_BOOL } }
    node_def { name: "three" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 3 } } } }
    node_def { name: "less" op: "Less" input: "ci" input: "three:output:0" attr { key: "T" value { type: DT_INT32 } } }
    ret { key: "c" value: "less:z:0" } }
  function {
    signature { name: "body_fn" input_arg { name: "bi" type: DT_INT32 } input_arg { name: "bx" type: DT_FLOAT }
                input_arg { name: "bw" type: DT_FLOAT } input_arg { name: "bz" type: DT_FLOAT } )pb" +
         extra_body_arg + R"pb(
                output_arg { name: "oi" type: DT_INT32 } output_arg { name: "ox" type: DT_FLOAT }
                output_arg { name: "ow" type: DT_FLOAT } output_arg { name: "oz" type: DT_FLOAT } }
    node_def { name: "one" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
               attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 1 } } } }
    node_def { name: "add" op: "AddV2" input: "bi" input: "one:output:0" attr { key: "T" value { type: DT_INT32 } } }
    node_def { name: "mul" op: "Mul" input: "bx" input: "bw" )pb" + kAttrF + R"pb( }
    node_def { name: "plus_z" op: "AddV2" input: "mul:z:0" input: "bz" )pb" + kAttrF + R"pb( }
    node_def { name: "keep_w" op: "Identity" input: "bw" )pb" + kAttrF + R"pb( }
    ret { key: "oi" value: "add:z:0" } ret { key: "ox" value: "plus_z:z:0" }
    ret { key: "ow" value: "keep_w:output:0" } ret { key: "oz" value: "bz" } }
})pb";
}

TEST(TfControlFlow, WhileFunctionsBecomeSubgraphsWithArgumentsInSignatureOrder) {
  FakeHost h;
  Status s = Load(h, "while.pbtxt", WhileGraph(), "y");
  ASSERT_TRUE(s.ok()) << s;
  NodeView loop = Find(h, "StatelessWhile");
  ASSERT_TRUE(loop);
  ASSERT_EQ(loop.num_inputs(), 4u);
  GraphBuilder cond = Sub(loop, "cond"), body = Sub(loop, "body");
  EXPECT_EQ(cond.name(), "cond_fn");
  EXPECT_EQ(body.name(), "body_fn");
  EXPECT_EQ(Check(loop.GraphAttr("cond")) == Check(loop.GraphAttr("body")), false);
  // Every argument, in signature order, unused ones included (cond reads only ci).
  ASSERT_EQ(cond.num_inputs(), 4u);
  ASSERT_EQ(body.num_inputs(), 4u);
  const std::vector<TflcDataType> types{TFLC_TYPE_INT32, TFLC_TYPE_FLOAT32, TFLC_TYPE_FLOAT32, TFLC_TYPE_FLOAT32};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(cond.input(i).type(), types[i]) << i;
    EXPECT_EQ(body.input(i).type(), types[i]) << i;
  }
  EXPECT_EQ(body.input(1).dims(), (std::vector<int64_t>{1, 2}));  // the shape of the value bound to it
  EXPECT_EQ(cond.num_outputs(), 1u);
  EXPECT_EQ(body.num_outputs(), 4u);
  EXPECT_EQ(FindIn(cond, "Less").input(0).get(), cond.input(0).get());
  // i changes in the loop: the body reads its input, not the constant 0.
  NodeView add = FindIn(body, "AddV2", TFLC_TYPE_INT32);
  EXPECT_EQ(add.input(0).get(), body.input(0).get());
  EXPECT_FALSE(add.input(0).is_const());
}

// w (through Identity) and z (directly) pass through the body unchanged: constants of the body
// sharing the entry graph's bytes. i (changed by the body) and x (not constant) stay inputs.
TEST(TfControlFlow, WhileSharesConstantsTheBodyPassesThrough) {
  FakeHost h;
  Status s = Load(h, "while_inv.pbtxt", WhileGraph(), "y");
  ASSERT_TRUE(s.ok()) << s;
  NodeView loop = Find(h, "StatelessWhile");
  ASSERT_TRUE(loop);
  GraphBuilder body = Sub(loop, "body");
  const ValueView w = loop.input(2), z = loop.input(3);
  ASSERT_TRUE(w.is_const());
  ASSERT_TRUE(z.is_const());
  NodeView mul = FindIn(body, "Mul");
  EXPECT_FALSE(mul.input(0).is_const());
  ASSERT_TRUE(mul.input(1).is_const()) << h.Dump();
  EXPECT_EQ(mul.input(1).data(), w.data());  // shared, not copied
  // z is returned directly (ret names the argument): shared too.
  NodeView plus = body.output(1).producer();  // x * w + z
  ASSERT_TRUE(plus);
  EXPECT_EQ(plus.op(), "AddV2");
  ASSERT_TRUE(plus.input(1).is_const()) << h.Dump();
  EXPECT_EQ(plus.input(1).data(), z.data());
  // The body returns its argument, not the shared constant: the WHILE keeps a loop variable.
  EXPECT_EQ(body.output(3).get(), body.input(3).get());
  // The cond gets the invariant constants too (same rule).
  GraphBuilder cond = Sub(loop, "cond");
  EXPECT_EQ(cond.num_inputs(), 4u);
}

// If(c, x, k): then(a, b) = Neg(a) (b unused), else(a, b) = Mul(a, b). Every If argument keeps
// its value: the constant k is shared into both branches.
const char* kIfGraph = R"pb(
node { name: "c" op: "Placeholder" attr { key: "dtype" value { type: DT_BOOL } }
       attr { key: "shape" value { shape { } } } }
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: 1 } dim { size: 2 } } } } }
node { name: "k" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 3 float_val: 4 } } } }
node { name: "branch" op: "StatelessIf" input: "c" input: "x" input: "k"
       attr { key: "Tcond" value { type: DT_BOOL } }
       attr { key: "Tin" value { list { type: DT_FLOAT type: DT_FLOAT } } }
       attr { key: "Tout" value { list { type: DT_FLOAT } } }
       attr { key: "then_branch" value { func { name: "then_fn" } } }
       attr { key: "else_branch" value { func { name: "else_fn" } } } }
node { name: "y" op: "Identity" input: "branch" attr { key: "T" value { type: DT_FLOAT } } }
library {
  function {
    signature { name: "then_fn" input_arg { name: "ta" type: DT_FLOAT } input_arg { name: "tb" type: DT_FLOAT }
                output_arg { name: "o" type: DT_FLOAT } }
    node_def { name: "neg" op: "Neg" input: "ta" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "o" value: "neg:y:0" } }
  function {
    signature { name: "else_fn" input_arg { name: "ea" type: DT_FLOAT } input_arg { name: "eb" type: DT_FLOAT }
                output_arg { name: "o" type: DT_FLOAT } }
    node_def { name: "mul" op: "Mul" input: "ea" input: "eb" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "o" value: "mul:z:0" } }
})pb";

TEST(TfControlFlow, IfBranchesBecomeSubgraphsWithUnusedArgumentsKept) {
  FakeHost h;
  Status s = Load(h, "if.pbtxt", kIfGraph, "y");
  ASSERT_TRUE(s.ok()) << s;
  NodeView n = Find(h, "StatelessIf");
  ASSERT_TRUE(n);
  ASSERT_EQ(n.num_inputs(), 3u);  // the condition, then the branch arguments
  GraphBuilder then_g = Sub(n, "then_branch"), else_g = Sub(n, "else_branch");
  EXPECT_EQ(then_g.name(), "then_fn");
  EXPECT_EQ(else_g.name(), "else_fn");
  // then_fn ignores tb, yet takes both arguments, in order: the IF binds its last 2 inputs to them.
  ASSERT_EQ(then_g.num_inputs(), 2u);
  ASSERT_EQ(else_g.num_inputs(), 2u);
  EXPECT_EQ(then_g.input(0).dims(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(FindIn(then_g, "Neg").input(0).get(), then_g.input(0).get());
  NodeView mul = FindIn(else_g, "Mul");
  EXPECT_EQ(mul.input(0).get(), else_g.input(0).get());
  ASSERT_TRUE(mul.input(1).is_const()) << h.Dump();
  EXPECT_EQ(mul.input(1).data(), n.input(2).data());
}

// A function tagged api_implements "lstm_..." (Keras 2 LSTM layer) stays a call with subgraph f
// and the tags; an untagged one is inlined (GraphDefFunctions.InlinesCalls).
TEST(TfControlFlow, KerasRnnFunctionCallsAreKeptWithSubgraphF) {
  for (const char* tag : {"lstm_5a0e", "gru_77c1"}) {
    SCOPED_TRACE(tag);
    FakeHost h;
    const std::string g = std::string(R"pb(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: 1 } dim { size: 2 } } } } }
node { name: "call" op: "StatefulPartitionedCall" input: "x" attr { key: "f" value { func { name: "rnn_fn" } } } }
node { name: "y" op: "Identity" input: "call:0" attr { key: "T" value { type: DT_FLOAT } } }
library { function {
  signature { name: "rnn_fn" input_arg { name: "a" type: DT_FLOAT } output_arg { name: "o" type: DT_FLOAT } }
  attr { key: "api_implements" value { s: ")pb") + tag + R"pb(" } }
  attr { key: "time_major" value { b: false } }
  node_def { name: "n" op: "Neg" input: "a" attr { key: "T" value { type: DT_FLOAT } } }
  ret { key: "o" value: "n:y:0" } } })pb";
    Status s = Load(h, "rnn.pbtxt", g, "y");
    ASSERT_TRUE(s.ok()) << s;
    NodeView call = Find(h, "StatefulPartitionedCall");
    ASSERT_TRUE(call);
    GraphBuilder f = Sub(call, "f");
    EXPECT_EQ(f.name(), "rnn_fn");
    EXPECT_EQ(f.num_inputs(), 1u);
    EXPECT_EQ(FindIn(f, "Neg").input(0).get(), f.input(0).get());
    EXPECT_EQ(Check(call.StringAttr("api_implements")), tag);
    EXPECT_EQ(Check(call.BoolAttr("time_major")), false);
    EXPECT_EQ(h.Dump().find("call/n"), std::string::npos);  // not inlined
  }
}

TEST(TfControlFlow, MissingFunctionIsAnError) {
  FakeHost h;
  Status s = Load(h, "while_missing.pbtxt", WhileGraph("no_such_fn"), "y");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("node 'loop' (StatelessWhile) calls function 'no_such_fn' as its cond, which is not in "
                             "the function library"),
            std::string::npos)
      << s;
}

TEST(TfControlFlow, ArgumentCountMismatchIsAnError) {
  FakeHost h;
  Status s = Load(h, "while_args.pbtxt", WhileGraph("cond_fn", R"pb(input_arg { name: "extra" type: DT_FLOAT })pb"), "y");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("node 'loop' (StatelessWhile) passes 4 values to its body 'body_fn', which takes 5"),
            std::string::npos)
      << s;
}

}  // namespace
}  // namespace tflc::graphdef
