// Subgraphs (ABI 1.3, docs in sdk/include/tflc/abi/tflc_host_api.h): how the host lowers the
// subgraphs a node calls (LowerCalledSubgraphs: the LAST K node inputs give the K subgraph inputs
// their types and shapes, and the subgraph is lowered before the caller's row runs), which graphs
// survive RunPipeline and in which order they are written (LiveGraphs), and the host API calls
// Graph_Inline, Graph_ShareConst, Node_SetAttr (TFLC_ATTR_GRAPH), Node_Subgraph, Graph_Name, and
// DescribeNode / DescribeGraph naming the subgraph.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ir/host_api.h"
#include "ir/ir.h"
#include "tflc/sdk/plugin.h"
#include "tflc/testing/fake_host.h"

namespace tflc {
namespace {

using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;

// ---- a tiny plugin: Foo → FOO_OP (custom, same shape), Call(…; f) → CALL_OP(…; f) ----

// What the Call row saw of its subgraph `f` when it ran.
struct Seen {
  int calls = 0;
  std::vector<TflcDataType> types;
  std::vector<std::vector<int64_t>> dims;
  std::vector<int32_t> ranks;
  std::vector<std::string> sub_ops;  // the subgraph's ops at that moment
};
Seen g_seen;

TflcStatus* LowerFoo(TflcLowerNode_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    NodeView src(args->host, args->node);
    GraphBuilder g(args->host, args->graph);
    TFLC_ASSIGN_OR_RETURN(NodeView n, g.AddNode(TFLC_DOMAIN_CUSTOM, "FOO_OP", src.name(), {src.input(0)}));
    if (src.input(0).rank() >= 0) TFLC_RETURN_IF_ERROR(n.output(0).SetShape(src.input(0).type(), src.input(0).dims()));
    return src.output(0).ReplaceAllUsesWith(n.output(0));
  });
}

TflcStatus* LowerCall(TflcLowerNode_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    NodeView src(args->host, args->node);
    GraphBuilder g(args->host, args->graph);
    TFLC_ASSIGN_OR_RETURN(int64_t id, src.GraphAttr("f"));
    TflcGraph* f = src.Subgraph("f");
    if (!f) return InvalidArgument("no subgraph f");
    GraphBuilder sub(args->host, f);
    ++g_seen.calls;
    g_seen.types.clear();
    g_seen.dims.clear();
    g_seen.ranks.clear();
    g_seen.sub_ops.clear();
    for (size_t i = 0; i < sub.num_inputs(); ++i) {
      g_seen.types.push_back(sub.input(i).type());
      g_seen.ranks.push_back(sub.input(i).rank());
      g_seen.dims.push_back(sub.input(i).rank() >= 0 ? sub.input(i).dims() : std::vector<int64_t>{});
    }
    for (size_t i = 0; i < sub.num_nodes(); ++i) g_seen.sub_ops.emplace_back(sub.node(i).op());
    std::vector<ValueView> ins;
    for (size_t i = 0; i < src.num_inputs(); ++i) ins.push_back(src.input(i));
    TFLC_ASSIGN_OR_RETURN(NodeView n, g.AddNode(TFLC_DOMAIN_CUSTOM, "CALL_OP", src.name(), ins));
    TFLC_RETURN_IF_ERROR(n.SetGraph("f", id));
    const ValueView last = src.input(src.num_inputs() - 1);
    TFLC_RETURN_IF_ERROR(n.output(0).SetShape(last.type(), last.dims()));
    return src.output(0).ReplaceAllUsesWith(n.output(0));
  });
}

// Shape functions: FOO_OP keeps its input's shape; CALL_OP takes its subgraph's output 0.
TflcStatus* SameShape(TflcOpShape_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    NodeView n(args->host, args->node);
    return n.output(0).SetShape(n.input(0).type(), n.input(0).dims());
  });
}
TflcStatus* CallShape(TflcOpShape_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    NodeView n(args->host, args->node);
    TflcGraph* f = n.Subgraph("f");
    if (!f) return InvalidArgument("CALL_OP without subgraph");
    ValueView out = GraphBuilder(args->host, f).output(0);
    return n.output(0).SetShape(out.type(), out.dims());
  });
}

char kFoo[] = "FOO_OP";
char kCall[] = "CALL_OP";
const TflcLoweringEntry kRows[] = {sdk::Row("Call", TFLC_TARGET_CUSTOM, kCall, 1, 1, 0, LowerCall, nullptr, nullptr, nullptr),
                                   sdk::Row("Foo", TFLC_TARGET_CUSTOM, kFoo, 1, 1, 0, LowerFoo, nullptr, nullptr, nullptr)};
const TflcOpsetEntry kOps[] = {
    {TflcOpsetEntry_STRUCT_SIZE, kCall, TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, CallShape, nullptr, nullptr, nullptr,
     0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr},
    {TflcOpsetEntry_STRUCT_SIZE, kFoo, TFLC_DOMAIN_CUSTOM, 32, 0, nullptr, 0, SameShape, nullptr, nullptr, nullptr,
     0, 0, 0, -1, -1, -1, TFLC_ALGEBRA_NONE, nullptr, sizeof(TflcOptionField), 0, -1, nullptr, nullptr}};

extern "C" const TflcPluginApi* SubRows_Query(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("sub_rows", "1.0.0", "test");
    sdk::SetLowerings(a, kRows);
    sdk::SetOps(a, kOps);
    return a;
  }();
  return sdk::Negotiate(args, &api);
}

// A subgraph input of unknown type and rank (what an importer writes before shapes are known).
ValueView OpenInput(const GraphBuilder& g, const std::string& name) {
  TflcGraph_AddInput_Args a{};
  a.struct_size = TflcGraph_AddInput_Args_STRUCT_SIZE;
  a.graph = g.get();
  a.name = sdk::Sv(name);
  a.type = TFLC_TYPE_UNKNOWN;
  a.rank = -1;
  TflcStatus* s = g.host()->Graph_AddInput(&a);
  EXPECT_EQ(s, nullptr);
  return ValueView(g.host(), a.value);
}

template <typename T>
T Ok(StatusOr<T> s) {
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) throw std::runtime_error(s.status().message());
  return std::move(s).value();
}

// sub(p, q) = (Foo(p), Foo(q)), inputs open.
GraphBuilder TwoInputSub(const GraphBuilder& entry, const std::string& name, int64_t* id) {
  GraphBuilder sub = Ok(entry.AddSubgraph(name, id));
  ValueView p = OpenInput(sub, "p"), q = OpenInput(sub, "q");
  NodeView fp = Ok(sub.Source("Foo", name + "_fp", {p}));
  NodeView fq = Ok(sub.Source("Foo", name + "_fq", {q}));
  EXPECT_TRUE(sub.Output(fp.output(0), "o0").ok());
  EXPECT_TRUE(sub.Output(fq.output(0), "o1").ok());
  return sub;
}

class SubgraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_seen = Seen{};
    ASSERT_TRUE(host_.Register(SubRows_Query).ok());
  }
  testing::FakeHost host_;
};

// The node passes 3 inputs (c, a, b); the subgraph takes 2: it gets a's and b's types and shapes
// (the LAST two), and its Foo nodes are already FOO_OP when the Call row runs.
TEST_F(SubgraphTest, LowerCalledSubgraphsBindsTheLastKInputsAndLowersFirst) {
  GraphBuilder g = host_.graph();
  ValueView c = Ok(g.Input("c", TFLC_TYPE_BOOL, {}));
  ValueView a = Ok(g.Input("a", TFLC_TYPE_FLOAT32, {2, 3}));
  ValueView b = Ok(g.Input("b", TFLC_TYPE_INT32, {5}));
  int64_t id = -1;
  GraphBuilder sub = TwoInputSub(g, "fn", &id);
  NodeView call = Ok(g.Source("Call", "call", {c, a, b}));
  ASSERT_TRUE(call.SetGraph("f", id).ok());
  ASSERT_TRUE(g.Output(call.output(0), "y").ok());
  Status st = host_.Lower();
  ASSERT_TRUE(st.ok()) << st << "\n" << host_.Dump();
  ASSERT_EQ(g_seen.calls, 1);
  EXPECT_EQ(g_seen.types, (std::vector<TflcDataType>{TFLC_TYPE_FLOAT32, TFLC_TYPE_INT32}));
  EXPECT_EQ(g_seen.ranks, (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(g_seen.dims, (std::vector<std::vector<int64_t>>{{2, 3}, {5}}));
  EXPECT_EQ(g_seen.sub_ops, (std::vector<std::string>{"FOO_OP", "FOO_OP"}));
  // The lowered subgraph's values carry the propagated shapes too.
  EXPECT_EQ(sub.output(1).type(), TFLC_TYPE_INT32);
  EXPECT_EQ(sub.output(1).dims(), (std::vector<int64_t>{5}));
  // The dump names the subgraph and the attribute that calls it.
  const std::string dump = host_.Dump();
  EXPECT_NE(dump.find("subgraph @" + std::to_string(id) + " \"fn\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("CALL_OP \"call\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("{f=@" + std::to_string(id) + "}"), std::string::npos) << dump;
}

// An input the node leaves of unknown type keeps the subgraph input as it was.
TEST_F(SubgraphTest, LowerCalledSubgraphsSkipsUnknownInputs) {
  GraphBuilder g = host_.graph();
  ValueView a = Ok(g.Input("a", TFLC_TYPE_FLOAT32, {4}));
  int64_t id = -1;
  TwoInputSub(g, "fn", &id);
  ValueView unknown = OpenInput(g, "u");
  NodeView call = Ok(g.Source("Call", "call", {unknown, a}));
  ASSERT_TRUE(call.SetGraph("f", id).ok());
  ASSERT_TRUE(g.Output(call.output(0), "y").ok());
  ASSERT_TRUE(host_.Lower().ok());
  EXPECT_EQ(g_seen.types, (std::vector<TflcDataType>{TFLC_TYPE_UNKNOWN, TFLC_TYPE_FLOAT32}));
  EXPECT_EQ(g_seen.ranks, (std::vector<int32_t>{-1, 1}));
}

TEST_F(SubgraphTest, LowerCalledSubgraphsRefusesTooFewInputs) {
  GraphBuilder g = host_.graph();
  ValueView a = Ok(g.Input("a", TFLC_TYPE_FLOAT32, {4}));
  int64_t id = -1;
  TwoInputSub(g, "fn", &id);
  NodeView call = Ok(g.Source("Call", "call", {a}));
  ASSERT_TRUE(call.SetGraph("f", id).ok());
  ASSERT_TRUE(g.Output(call.output(0), "y").ok());
  Status st = host_.Lower();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("node `call` (Call) calls subgraph `fn`, which takes 2 inputs, with 1"), std::string::npos)
      << st;
  EXPECT_EQ(g_seen.calls, 0);
}

// An op no row lowers inside a subgraph: the error says which subgraph and which node called it.
TEST_F(SubgraphTest, ErrorsInsideASubgraphNameItAndItsCaller) {
  GraphBuilder g = host_.graph();
  ValueView a = Ok(g.Input("a", TFLC_TYPE_FLOAT32, {2}));
  int64_t id = -1;
  GraphBuilder sub = Ok(g.AddSubgraph("body_fn", &id));
  ValueView p = OpenInput(sub, "p");
  NodeView odd = Ok(sub.Source("NoSuchOp", "odd", {p}));
  ASSERT_TRUE(sub.Output(odd.output(0), "o").ok());
  NodeView call = Ok(g.Source("Call", "call", {a}));
  ASSERT_TRUE(call.SetGraph("f", id).ok());
  ASSERT_TRUE(g.Output(call.output(0), "y").ok());
  Status st = host_.RunPipeline();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("NoSuchOp"), std::string::npos) << st;
  EXPECT_NE(st.message().find("lowering subgraph `body_fn`, called by node `call` (Call)"), std::string::npos) << st;
  EXPECT_EQ(g_seen.calls, 0);  // the caller's row never ran
}

// RunPipeline: a subgraph nothing calls, and one whose only caller is pruned (its result unused),
// are emptied and left out of LiveGraphs; the called one is lowered and kept.
TEST_F(SubgraphTest, RunPipelineDropsSubgraphsNothingCalls) {
  GraphBuilder g = host_.graph();
  ValueView a = Ok(g.Input("a", TFLC_TYPE_FLOAT32, {2}));
  ValueView b = Ok(g.Input("b", TFLC_TYPE_FLOAT32, {3}));
  int64_t orphan_id = -1, used_id = -1, pruned_id = -1;
  GraphBuilder orphan = TwoInputSub(g, "orphan", &orphan_id);
  GraphBuilder used = TwoInputSub(g, "used", &used_id);
  GraphBuilder pruned = TwoInputSub(g, "pruned", &pruned_id);
  NodeView call = Ok(g.Source("Call", "call", {a, b}));
  ASSERT_TRUE(call.SetGraph("f", used_id).ok());
  NodeView dead = Ok(g.Source("Call", "dead_call", {a, b}));
  ASSERT_TRUE(dead.SetGraph("f", pruned_id).ok());
  ASSERT_TRUE(g.Output(call.output(0), "y").ok());
  Status st = host_.RunPipeline();
  ASSERT_TRUE(st.ok()) << st << "\n" << host_.Dump();
  EXPECT_EQ(g_seen.calls, 1);
  EXPECT_EQ(orphan.num_nodes(), 0u);
  EXPECT_EQ(pruned.num_nodes(), 0u);
  EXPECT_EQ(used.num_nodes(), 2u);
  EXPECT_EQ(used.node(0).op(), "FOO_OP");
  // The row gave CALL_OP the last input's shape ([3]); shape inference, run after lowering, took
  // the lowered subgraph's output 0 (Foo(p), p bound to a: [2]).
  EXPECT_EQ(g.output(0).dims(), (std::vector<int64_t>{2}));
  auto live = host::LiveGraphs(host_.model());
  ASSERT_TRUE(live.ok()) << live.status();
  ASSERT_EQ(live->size(), 2u);
  EXPECT_FALSE((*live)[0]->is_subgraph);
  EXPECT_EQ((*live)[1]->name, "used");
}

// ---- LiveGraphs: entries first (creation order), then the reached subgraphs in creation order ----

TEST(LiveGraphs, EntriesFirstThenReachedSubgraphsInCreationOrder) {
  TflcModel m;
  TflcGraph* e1 = host::AddGraph(&m, "first");
  TflcGraph* s_inner = host::AddSubgraph(&m, "inner");     // reached only through s_outer
  TflcGraph* s_unused = host::AddSubgraph(&m, "unused");   // called only by a dead node
  TflcGraph* s_outer = host::AddSubgraph(&m, "outer");     // called by e2
  TflcGraph* e2 = host::AddGraph(&m, "second");             // an entry created after subgraphs
  TflcGraph* s_direct = host::AddSubgraph(&m, "direct");   // called by e1
  auto call = [](TflcGraph* g, const std::string& name, TflcGraph* callee) {
    TflcNode* n = host::NewNode(g, TFLC_DOMAIN_BUILTIN, "CALL", name, {}, 1);
    host::Attr a;
    a.kind = TFLC_ATTR_GRAPH;
    a.i = callee->id;
    n->attrs["f"] = a;
    g->outputs.push_back(n->outputs[0]);
    n->outputs[0]->output_uses++;
    return n;
  };
  call(e1, "c1", s_direct);
  call(e2, "c2", s_outer);
  call(s_outer, "c3", s_inner);
  TflcNode* dead = call(e1, "c4", s_unused);
  e1->outputs.pop_back();
  dead->outputs[0]->output_uses--;
  host::RemoveNode(dead);
  auto live = host::LiveGraphs(&m);
  ASSERT_TRUE(live.ok()) << live.status();
  std::vector<TflcGraph*> want{e1, e2, s_inner, s_outer, s_direct};
  EXPECT_EQ(*live, want);
  (void)s_unused;
}

TEST(LiveGraphs, AnAttributeNamingNoSubgraphIsAnError) {
  TflcModel m;
  TflcGraph* e = host::AddGraph(&m, "serving_default");
  TflcNode* n = host::NewNode(e, TFLC_DOMAIN_BUILTIN, "WHILE", "loop", {}, 1);
  host::Attr a;
  a.kind = TFLC_ATTR_GRAPH;
  a.i = 0;  // the entry graph itself: not a subgraph
  n->attrs["body_subgraph_index"] = a;
  auto live = host::LiveGraphs(&m);
  ASSERT_FALSE(live.ok());
  EXPECT_NE(live.status().message().find("node `loop` (WHILE): attribute 'body_subgraph_index' names no subgraph"),
            std::string::npos)
      << live.status();
}

// ---- host API ----

class HostApiSubgraphTest : public ::testing::Test {
 protected:
  void SetUp() override { g_ = host::AddGraph(&m_, "serving_default"); }
  GraphBuilder Entry() { return GraphBuilder(host::HostApi(), g_); }
  TflcModel m_;
  TflcGraph* g_ = nullptr;
};

TEST_F(HostApiSubgraphTest, AddSubgraphNameAndDescriptions) {
  GraphBuilder e = Entry();
  int64_t id = -1;
  GraphBuilder body = Ok(e.AddSubgraph("while_body_7", &id));
  EXPECT_EQ(id, 1);
  EXPECT_TRUE(body.get()->is_subgraph);
  EXPECT_EQ(body.name(), "while_body_7");
  EXPECT_EQ(e.name(), "serving_default");
  EXPECT_EQ(host::SubgraphById(&m_, id), body.get());
  EXPECT_EQ(host::SubgraphById(&m_, 0), nullptr);  // an entry graph is no subgraph
  EXPECT_EQ(host::SubgraphById(&m_, 2), nullptr);
  ValueView x = Ok(body.Input("x", TFLC_TYPE_FLOAT32, {1}));
  NodeView in_body = Ok(body.Builtin("RELU", "relu", {x}));
  ValueView y = Ok(e.Input("y", TFLC_TYPE_FLOAT32, {1}));
  NodeView in_entry = Ok(e.Builtin("RELU", "relu0", {y}));
  EXPECT_EQ(host::DescribeNode(in_body.get()), "node `relu` (RELU) in subgraph `while_body_7`");
  EXPECT_EQ(host::DescribeNode(in_entry.get()), "node `relu0` (RELU)");
  EXPECT_EQ(host::DescribeGraph(body.get()), "subgraph `while_body_7`");
  EXPECT_EQ(host::DescribeGraph(g_), "graph `serving_default`");
}

TEST_F(HostApiSubgraphTest, SetGraphAttrRefusesAnIdThatNamesNoSubgraph) {
  GraphBuilder e = Entry();
  int64_t id = -1;
  GraphBuilder body = Ok(e.AddSubgraph("body", &id));
  ValueView x = Ok(e.Input("x", TFLC_TYPE_FLOAT32, {1}));
  NodeView n = Ok(e.Builtin("WHILE", "loop", {x}));
  for (int64_t bad : {int64_t{0}, int64_t{2}, int64_t{-1}, int64_t{99}}) {
    SCOPED_TRACE(bad);
    Status st = n.SetGraph("body_subgraph_index", bad);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), TFLC_CODE_INVALID_ARGUMENT);
    EXPECT_NE(st.message().find("attribute 'body_subgraph_index' of node `loop` (WHILE) names no subgraph of the model (id " +
                                std::to_string(bad) + ")"),
              std::string::npos)
        << st;
  }
  EXPECT_EQ(n.Subgraph("body_subgraph_index"), nullptr);  // nothing was stored
  ASSERT_TRUE(n.SetGraph("body_subgraph_index", id).ok());
  EXPECT_EQ(n.Subgraph("body_subgraph_index"), body.get());
  EXPECT_EQ(Ok(n.GraphAttr("body_subgraph_index")), id);
  // Node_Subgraph: NULL for a missing attribute and for an attribute of another kind.
  ASSERT_TRUE(n.SetInt("other", id).ok());
  EXPECT_EQ(n.Subgraph("other"), nullptr);
  EXPECT_EQ(n.Subgraph("missing"), nullptr);
  EXPECT_FALSE(n.GraphAttr("other").ok());
  // CalledSubgraphs lists the graph attributes only.
  auto called = host::CalledSubgraphs(n.get());
  ASSERT_EQ(called.size(), 1u);
  EXPECT_EQ(called[0].first, "body_subgraph_index");
  EXPECT_EQ(called[0].second, body.get());
}

TEST_F(HostApiSubgraphTest, ShareConstSharesTheBuffer) {
  GraphBuilder e = Entry();
  int64_t id = -1;
  GraphBuilder body = Ok(e.AddSubgraph("body", &id));
  ValueView w = Ok(e.ConstFloat("w", {2, 2}, {1, 2, 3, 4}));
  ValueView shared = Ok(body.ShareConst(w, "w_in_body"));
  EXPECT_EQ(shared.get()->graph, body.get());
  EXPECT_EQ(shared.name(), "w_in_body");
  EXPECT_EQ(shared.data(), w.data());  // the same bytes, no copy
  EXPECT_EQ(shared.get()->data.get(), w.get()->data.get());
  EXPECT_EQ(shared.type(), TFLC_TYPE_FLOAT32);
  EXPECT_EQ(shared.dims(), (std::vector<int64_t>{2, 2}));
  // Default name: the constant's own.
  EXPECT_EQ(Ok(body.ShareConst(w)).name(), "w");
  // Not a constant, or a constant of another model: refused.
  ValueView x = Ok(e.Input("x", TFLC_TYPE_FLOAT32, {1}));
  EXPECT_FALSE(body.ShareConst(x).ok());
  TflcModel other;
  GraphBuilder o(host::HostApi(), host::AddGraph(&other, "serving_default"));
  ValueView foreign = Ok(o.ConstFloat("f", {1}, {1}));
  EXPECT_FALSE(body.ShareConst(foreign).ok());
  EXPECT_EQ(host::HostApi()->Graph_ShareConst(body.get(), foreign.get(), sdk::Sv("")), nullptr);
}

// sub(a, b) = (ADD(MUL(a, w), b), MUL(a, w)): inlined on (x, y) with prefix "pre".
class InlineTest : public HostApiSubgraphTest {
 protected:
  void SetUp() override {
    HostApiSubgraphTest::SetUp();
    GraphBuilder e = Entry();
    sub_ = Ok(e.AddSubgraph("branch", &id_));
    ValueView a = Ok(sub_.Input("a", TFLC_TYPE_FLOAT32, {2}));
    ValueView b = Ok(sub_.Input("b", TFLC_TYPE_FLOAT32, {2}));
    w_ = Ok(sub_.ConstFloat("w", {2}, {3, 4}));
    NodeView mul = Ok(sub_.Builtin("MUL", "mul", {a, w_}));
    ASSERT_TRUE(mul.SetInt("fused_activation_function", 1).ok());
    ASSERT_TRUE(mul.output(0).SetShape(TFLC_TYPE_FLOAT32, {2}).ok());
    NodeView add = Ok(sub_.Builtin("ADD", "add", {mul.output(0), b}));
    ASSERT_TRUE(add.output(0).SetShape(TFLC_TYPE_FLOAT32, {2}).ok());
    ASSERT_TRUE(sub_.Output(add.output(0), "o0").ok());
    ASSERT_TRUE(sub_.Output(mul.output(0), "o1").ok());
    x_ = Ok(e.Input("x", TFLC_TYPE_FLOAT32, {2}));
    y_ = Ok(e.Input("y", TFLC_TYPE_FLOAT32, {2}));
  }
  GraphBuilder sub_{nullptr, nullptr};
  int64_t id_ = -1;
  ValueView w_, x_, y_;
};

TEST_F(InlineTest, BindsInputsSharesConstantsPrefixesNamesReturnsOutputs) {
  GraphBuilder e = Entry();
  std::vector<ValueView> outs = Ok(e.Inline(sub_, "pre", {x_, y_}));
  ASSERT_EQ(outs.size(), 2u);
  NodeView add = outs[0].producer();
  NodeView mul = outs[1].producer();
  EXPECT_EQ(add.op(), "ADD");
  EXPECT_EQ(add.name(), "pre/add");
  EXPECT_EQ(mul.op(), "MUL");
  EXPECT_EQ(mul.name(), "pre/mul");
  EXPECT_EQ(outs[1].name(), std::string("pre/") + std::string(sub_.node(0).output(0).name()));
  EXPECT_EQ(add.get()->graph, g_);
  // Inputs bound: the copies read x and y.
  EXPECT_EQ(mul.input(0).get(), x_.get());
  EXPECT_EQ(add.input(1).get(), y_.get());
  EXPECT_EQ(add.input(0).get(), outs[1].get());
  // The constant is shared (same bytes), renamed with the prefix, and lives in the entry graph.
  ValueView w = mul.input(1);
  EXPECT_TRUE(w.is_const());
  EXPECT_EQ(w.get()->graph, g_);
  EXPECT_EQ(w.name(), "pre/w");
  EXPECT_EQ(w.data(), w_.data());
  // Attributes and shapes are copied; the subgraph itself is untouched.
  EXPECT_EQ(Ok(mul.IntAttr("fused_activation_function")), 1);
  EXPECT_EQ(outs[0].dims(), (std::vector<int64_t>{2}));
  EXPECT_EQ(sub_.num_nodes(), 2u);
  EXPECT_EQ(sub_.node(0).input(0).get(), sub_.input(0).get());
  // An empty prefix keeps the names.
  std::vector<ValueView> again = Ok(e.Inline(sub_, "", {y_, x_}));
  EXPECT_EQ(again[0].producer().name(), "add");
  EXPECT_EQ(again[1].producer().input(0).get(), y_.get());
}

TEST_F(InlineTest, WrongCountsAndForeignGraphsAreErrors) {
  GraphBuilder e = Entry();
  auto few = e.Inline(sub_, "p", {x_});
  ASSERT_FALSE(few.ok());
  EXPECT_NE(few.status().message().find("Graph_Inline: subgraph `branch` has 2 inputs and 2 outputs"), std::string::npos)
      << few.status();
  // Too few output slots (through the C API: the SDK sizes them from the subgraph).
  TflcValue* ins[2] = {x_.get(), y_.get()};
  TflcValue* outs[1] = {nullptr};
  TflcStatus* s = host::HostApi()->Graph_Inline(g_, sub_.get(), sdk::Sv("p"), ins, 2, outs, 1);
  ASSERT_NE(s, nullptr);
  EXPECT_NE(s->message.find("has 2 inputs and 2 outputs"), std::string::npos) << s->message;
  host::HostApi()->Status_Destroy(s);
  // An input of another graph (here: the subgraph's own input).
  auto foreign_input = e.Inline(sub_, "p", {x_, sub_.input(1)});
  ASSERT_FALSE(foreign_input.ok());
  EXPECT_NE(foreign_input.status().message().find("input 1 is not a value of the graph"), std::string::npos)
      << foreign_input.status();
  // A subgraph of another model, and a graph inlined into itself.
  TflcModel other;
  TflcGraph* og = host::AddGraph(&other, "serving_default");
  GraphBuilder ob(host::HostApi(), og);
  int64_t oid = 0;
  GraphBuilder osub = Ok(ob.AddSubgraph("elsewhere", &oid));
  auto foreign = e.Inline(osub, "p", {});
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("not a subgraph of the same model"), std::string::npos) << foreign.status();
  auto self = sub_.Inline(sub_, "p", {sub_.input(0), sub_.input(1)});
  ASSERT_FALSE(self.ok());
  // Nothing was added to the entry graph by the failed calls.
  EXPECT_EQ(e.num_nodes(), 0u);
}

}  // namespace
}  // namespace tflc
