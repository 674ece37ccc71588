// WHILE and IF reference kernels: they run their subgraphs through the host (Graph_Run). Graphs
// are built in FakeHost with real subgraphs and run with Interpret; expected values are written by
// hand from the loop / branch semantics (LiteRT tflite/kernels/while.cc, if.cc).
#include <cstdint>
#include <string>
#include <vector>

#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

using tflc::testing::HostTensor;

HostTensor BoolScalar(bool b) {
  HostTensor t;
  t.type = TFLC_TYPE_BOOL;
  t.bytes = {static_cast<uint8_t>(b ? 1 : 0)};
  return t;
}

class ControlFlowTest : public OpsetTest {
 protected:
  // cond(i, v) = i < limit; body(i, v) = (i + 1, v * 2). Returns the cond / body subgraph ids.
  std::pair<int64_t, int64_t> LoopSubgraphs(int32_t limit) {
    int64_t cond_id = -1, body_id = -1;
    auto cond = g().AddSubgraph("cond", &cond_id);
    auto body = g().AddSubgraph("body", &body_id);
    EXPECT_TRUE(cond.ok() && body.ok());
    if (!cond.ok() || !body.ok()) return {-1, -1};
    for (sdk::GraphBuilder* sub : {&*cond, &*body}) {
      EXPECT_TRUE(sub->Input("i", TFLC_TYPE_INT32, {}).ok());
      EXPECT_TRUE(sub->Input("v", TFLC_TYPE_FLOAT32, {2}).ok());
    }
    const int32_t one = 1;
    const float two = 2.f;
    auto lim = cond->Const("limit", TFLC_TYPE_INT32, {}, &limit, sizeof(limit));
    auto less = cond->Builtin("LESS", "less", {cond->input(0), *lim});
    EXPECT_TRUE(less.ok());
    EXPECT_TRUE(cond->Output(less->output(0), "go").ok());
    auto c1 = body->Const("one", TFLC_TYPE_INT32, {}, &one, sizeof(one));
    auto c2 = body->Const("two", TFLC_TYPE_FLOAT32, {}, &two, sizeof(two));
    auto add = body->Builtin("ADD", "add", {body->input(0), *c1});
    auto mul = body->Builtin("MUL", "mul", {body->input(1), *c2});
    EXPECT_TRUE(add.ok() && mul.ok());
    EXPECT_TRUE(body->Output(add->output(0), "i_next").ok());
    EXPECT_TRUE(body->Output(mul->output(0), "v_next").ok());
    // Shapes as the host leaves them after lowering the subgraphs (before their caller's shapes):
    // FakeHost infers the main graph first.
    EXPECT_TRUE(less->output(0).SetShape(TFLC_TYPE_BOOL, {}).ok());
    EXPECT_TRUE(add->output(0).SetShape(TFLC_TYPE_INT32, {}).ok());
    EXPECT_TRUE(mul->output(0).SetShape(TFLC_TYPE_FLOAT32, {2}).ok());
    return {cond_id, body_id};
  }

  NodeView While(const std::vector<ValueView>& in, std::pair<int64_t, int64_t> ids) {
    NodeView w = Node("WHILE", in, {}, in.size());
    EXPECT_TRUE(w.SetGraph("cond_subgraph_index", ids.first).ok());
    EXPECT_TRUE(w.SetGraph("body_subgraph_index", ids.second).ok());
    for (size_t k = 0; k < in.size(); ++k) EXPECT_TRUE(g().Output(w.output(k), "out" + std::to_string(k)).ok());
    return w;
  }

  // Shape inference of every graph; twice, as the main graph comes before the subgraphs whose
  // output shapes WHILE / IF read.
  Status InferAll() {
    TFLC_RETURN_IF_ERROR(host().InferShapes());
    return host().InferShapes();
  }
};

TEST_F(ControlFlowTest, WhileRunsBodyUntilCondIsFalse) {
  auto ids = LoopSubgraphs(3);
  ValueView i0 = Const(Scalar(0));
  ValueView x = Input(TFLC_TYPE_FLOAT32, {2});
  While({i0, x}, ids);
  TFLC_ASSERT_OK(InferAll());
  auto out = host().Interpret({HostTensor::Float({2}, {1.5f, -0.25f})});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].int32s(), std::vector<int32_t>{3});
  EXPECT_EQ((*out)[1].floats(), (std::vector<float>{12.f, -2.f}));  // three doublings
}

TEST_F(ControlFlowTest, WhileWhoseCondIsFalseAtOnceReturnsItsInputs) {
  auto ids = LoopSubgraphs(3);
  ValueView x = Input(TFLC_TYPE_FLOAT32, {2});
  While({Const(Scalar(7)), x}, ids);
  TFLC_ASSERT_OK(InferAll());
  auto out = host().Interpret({HostTensor::Float({2}, {1.5f, -0.25f})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].int32s(), std::vector<int32_t>{7});
  EXPECT_EQ((*out)[1].floats(), (std::vector<float>{1.5f, -0.25f}));
}

TEST_F(ControlFlowTest, WhileOnConstantsIsNotFolded) {
  auto ids = LoopSubgraphs(2);
  While({Const(Scalar(0)), Const(F({2}, {1.f, 2.f}))}, ids);
  TFLC_ASSERT_OK(InferAll());
  TFLC_ASSERT_OK(host().FoldConstants());
  size_t whiles = 0;
  for (size_t i = 0; i < g().num_nodes(); ++i) whiles += g().node(i).op() == "WHILE";
  EXPECT_EQ(whiles, 1u) << "a node that calls subgraphs stays for the runtime\n" << host().Dump();
  auto out = host().Interpret({});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[1].floats(), (std::vector<float>{4.f, 8.f}));
}

TEST_F(ControlFlowTest, IfRunsTheBranchTheConditionPicks) {
  int64_t then_id = -1, else_id = -1;
  auto then_g = g().AddSubgraph("then", &then_id);
  auto else_g = g().AddSubgraph("else", &else_id);
  ASSERT_TRUE(then_g.ok() && else_g.ok());
  const float one = 1.f;
  for (sdk::GraphBuilder* sub : {&*then_g, &*else_g}) ASSERT_TRUE(sub->Input("v", TFLC_TYPE_FLOAT32, {3}).ok());
  auto c = then_g->Const("one", TFLC_TYPE_FLOAT32, {}, &one, sizeof(one));
  auto add = then_g->Builtin("ADD", "add", {then_g->input(0), *c});
  ASSERT_TRUE(add.ok());
  ASSERT_TRUE(then_g->Output(add->output(0), "r").ok());
  auto neg = else_g->Builtin("NEG", "neg", {else_g->input(0)});
  ASSERT_TRUE(neg.ok());
  ASSERT_TRUE(else_g->Output(neg->output(0), "r").ok());

  ValueView pred = Input(TFLC_TYPE_BOOL, {});
  ValueView x = Input(TFLC_TYPE_FLOAT32, {3});
  NodeView n = Node("IF", {pred, x});
  ASSERT_TRUE(n.SetGraph("then_subgraph_index", then_id).ok());
  ASSERT_TRUE(n.SetGraph("else_subgraph_index", else_id).ok());
  ASSERT_TRUE(g().Output(n.output(0), "y").ok());
  TFLC_ASSERT_OK(InferAll());
  const HostTensor xs = HostTensor::Float({3}, {1.f, -2.f, 0.5f});
  auto t = host().Interpret({BoolScalar(true), xs});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)[0].floats(), (std::vector<float>{2.f, -1.f, 1.5f}));
  auto e = host().Interpret({BoolScalar(false), xs});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ((*e)[0].floats(), (std::vector<float>{-1.f, 2.f, -0.5f}));
}

TEST_F(ControlFlowTest, ALoopVariableThatChangesSizeIsAnErrorNamingTheBody) {
  auto ids = LoopSubgraphs(3);
  ValueView x = Input(TFLC_TYPE_FLOAT32, {2});
  NodeView w = While({Const(Scalar(0)), x}, ids);
  TFLC_ASSERT_OK(InferAll());
  // The body now returns 3 values for the 2 it takes (a shape only a dynamic runtime could follow).
  sdk::GraphBuilder body(host().api(), w.Subgraph("body_subgraph_index"));
  TFLC_ASSERT_OK(body.output(1).SetShape(TFLC_TYPE_FLOAT32, {3}));
  auto out = host().Interpret({HostTensor::Float({2}, {1.f, 2.f})});
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(StatusHas(out.status(), TFLC_CODE_FAILED_PRECONDITION, "loop variable 1"));
  EXPECT_TRUE(StatusHas(out.status(), TFLC_CODE_FAILED_PRECONDITION, "subgraph `body`"));
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
