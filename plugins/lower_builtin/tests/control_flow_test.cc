// TF2 control flow rows (src/control_flow.cc): If → IF (a constant condition inlines its branch),
// While → WHILE, the TensorList ops → plain tensors, PartitionedCall → tflc.LSTM / tflc.GRU when
// the function is a tagged Keras RNN layer function, else inlined. The subgraphs are built here as
// the TF importer builds them (TFLC_ATTR_GRAPH attributes then_branch / else_branch, cond / body, f).
#include <cstdint>
#include <string>
#include <vector>

#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

constexpr TflcDataType kF32 = TFLC_TYPE_FLOAT32;
constexpr TflcDataType kI32 = TFLC_TYPE_INT32;

// A subgraph of the harness's model and its id.
struct Sub {
  GraphBuilder g{nullptr, nullptr};
  int64_t id = -1;
};

Sub NewSub(Harness& h, const std::string& name) {
  Sub s;
  s.g = Check(h.g().AddSubgraph(name, &s.id), "AddSubgraph");
  return s;
}

// fn(a) = Op(a), one input of `dims`, one output.
Sub UnarySub(Harness& h, const std::string& name, const std::string& op, const std::vector<int64_t>& dims) {
  Sub s = NewSub(h, name);
  ValueView a = Check(s.g.Input("a", kF32, dims), "Input");
  NodeView n = Check(s.g.Source(op, op == "Neg" ? "neg" : "relu", {a}), "Source");
  TFLC_EXPECT_OK(s.g.Output(n.output(0), "o"));
  return s;
}

ValueView BoolConst(Harness& h, const std::string& name, bool b) {
  const uint8_t v = b ? 1 : 0;
  return Check(h.g().Const(name, TFLC_TYPE_BOOL, {}, &v, 1), "bool const");
}

std::vector<std::string> SubOps(const GraphBuilder& g) {
  std::vector<std::string> ops;
  for (size_t i = 0; i < g.num_nodes(); ++i) ops.emplace_back(g.node(i).op());
  return ops;
}

// ---- If ----------------------------------------------------------------------------------------

NodeView IfNode(Harness& h, const ValueView& cond, const ValueView& a, const Sub& then_s, const Sub& else_s) {
  NodeView n = h.Src("If", "if", {cond, a});
  TFLC_EXPECT_OK(n.SetGraph("then_branch", then_s.id));
  TFLC_EXPECT_OK(n.SetGraph("else_branch", else_s.id));
  return n;
}

TEST_F(LowerTest, IfWithAConstantConditionInlinesTheTakenBranch) {
  for (bool truth : {true, false}) {
    SCOPED_TRACE(truth);
    Harness h;
    ValueView a = h.In("a", {2, 3});
    Sub t = UnarySub(h, "then_fn", "Neg", {2, 3});
    Sub e = UnarySub(h, "else_fn", "Relu", {2, 3});
    IfNode(h, BoolConst(h, "c", truth), a, t, e);
    TFLC_ASSERT_OK(h.Lower());
    EXPECT_EQ(h.OpsString(), truth ? "NEG" : "RELU");
    NodeView n = h.OutputProducer(0);
    EXPECT_EQ(n.name(), truth ? "if/then/neg" : "if/else/relu");
    EXPECT_EQ(n.input(0).get(), a.get());  // the branch input bound to the If's input 1
  }
}

// TF's truth value of a non-bool constant: non-zero is true.
TEST_F(LowerTest, IfWithAConstantIntConditionUsesItsTruthValue) {
  ValueView a = h.In("a", {2});
  Sub t = UnarySub(h, "then_fn", "Neg", {2});
  Sub e = UnarySub(h, "else_fn", "Relu", {2});
  IfNode(h, h.Scalar("c", 0), a, t, e);
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "RELU");
}

TEST_F(LowerTest, IfBecomesIfWithBothBranchesLowered) {
  REQUIRE_OPSET();  // the rows read the shapes of the lowered subgraphs
  ValueView a = h.In("a", {2, 3});
  ValueView c = h.In("c", {}, TFLC_TYPE_BOOL);
  Sub t = UnarySub(h, "then_fn", "Neg", {2, 3});
  Sub e = UnarySub(h, "else_fn", "Relu", {2, 3});
  IfNode(h, c, a, t, e);
  TFLC_ASSERT_OK(h.LowerWithShapes());
  EXPECT_EQ(h.OpsString(), "IF");
  NodeView op = h.One("IF");
  EXPECT_EQ(op.input(0).get(), c.get());  // a bool condition is passed as is
  EXPECT_EQ(op.input(1).get(), a.get());
  EXPECT_EQ(Check(op.GraphAttr("then_subgraph_index")), t.id);
  EXPECT_EQ(Check(op.GraphAttr("else_subgraph_index")), e.id);
  EXPECT_EQ(SubOps(t.g), std::vector<std::string>{"NEG"});
  EXPECT_EQ(SubOps(e.g), std::vector<std::string>{"RELU"});
  EXPECT_EQ(op.output(0).dims(), (std::vector<int64_t>{2, 3}));
}

TEST_F(LowerTest, IfWithANonBoolConditionComparesItWithZero) {
  ValueView a = h.In("a", {2});
  ValueView c = h.In("c", {}, kI32);
  Sub t = UnarySub(h, "then_fn", "Neg", {2});
  Sub e = UnarySub(h, "else_fn", "Relu", {2});
  IfNode(h, c, a, t, e);
  TFLC_ASSERT_OK(h.Lower());
  NodeView op = h.One("IF");
  NodeView ne = op.input(0).producer();
  ASSERT_TRUE(ne);
  EXPECT_EQ(ne.op(), "NOT_EQUAL");
  EXPECT_EQ(ne.input(0).get(), c.get());
  EXPECT_EQ(Harness::I32(ne.input(1)), std::vector<int32_t>{0});
}

TEST_F(LowerTest, IfBranchesWithDifferentShapesAreAnErrorNamingBoth) {
  ValueView a = h.In("a", {2, 3});
  ValueView c = h.In("c", {}, TFLC_TYPE_BOOL);
  Sub t = NewSub(h, "then_fn");
  TFLC_ASSERT_OK(t.g.Output(Check(t.g.Input("a", kF32, {2, 3})), "o"));  // returns its input
  Sub e = NewSub(h, "else_fn");
  Check(e.g.Input("a", kF32, {2, 3}));
  TFLC_ASSERT_OK(e.g.Output(Check(e.g.ConstFloat("k", {3}, {1, 2, 3})), "o"));  // returns a [3]
  IfNode(h, c, a, t, e);
  Status s = h.Lower();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("the branches return different shapes for output 0: [2,3] (then branch `then_fn`) and "
                             "[3] (else branch `else_fn`)"),
            std::string::npos)
      << s;
  EXPECT_NE(s.message().find("`if`"), std::string::npos) << s;  // the node is named
}

TEST_F(LowerTest, IfBranchesWithDifferentTypesAreAnError) {
  ValueView a = h.In("a", {3});
  ValueView c = h.In("c", {}, TFLC_TYPE_BOOL);
  Sub t = NewSub(h, "then_fn");
  Check(t.g.Input("a", kF32, {3}));
  TFLC_ASSERT_OK(t.g.Output(Check(t.g.ConstFloat("k", {3}, {1, 2, 3})), "o"));
  Sub e = NewSub(h, "else_fn");
  Check(e.g.Input("a", kF32, {3}));
  TFLC_ASSERT_OK(e.g.Output(Check(e.g.ConstInt32("k", {3}, {1, 2, 3})), "o"));
  IfNode(h, c, a, t, e);
  Status s = h.Lower();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("different types for output 0"), std::string::npos) << s;
  EXPECT_NE(s.message().find("`then_fn`"), std::string::npos) << s;
  EXPECT_NE(s.message().find("`else_fn`"), std::string::npos) << s;
}

TEST_F(LowerTest, IfBranchTakingTheWrongNumberOfInputsIsAnError) {
  ValueView a = h.In("a", {3});
  ValueView c = h.In("c", {}, TFLC_TYPE_BOOL);
  Sub t = UnarySub(h, "then_fn", "Neg", {3});
  Sub e = NewSub(h, "else_fn");  // takes nothing
  TFLC_ASSERT_OK(e.g.Output(Check(e.g.ConstFloat("k", {3}, {1, 2, 3})), "o"));
  IfNode(h, c, a, t, e);
  Status s = h.Lower();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("branch `else_fn` takes 0 inputs and returns 1 values; the If passes 1"), std::string::npos)
      << s;
}

// ---- While -------------------------------------------------------------------------------------

// cond(i, x) = Less(i, 3) (or i itself when int_cond); body(i, x) = (AddV2(i, 1), Neg(x)).
struct Loop {
  Sub cond, body;
  NodeView node;
};

Loop BuildLoop(Harness& h, bool int_cond, const std::vector<int64_t>& body_x_dims = {2},
               TflcDataType body_x_type = kF32) {
  Loop l;
  ValueView i = h.Scalar("i0", 0);
  ValueView x = h.In("x", {2});
  l.cond = NewSub(h, "loop_cond");
  {
    ValueView ci = Check(l.cond.g.Input("i", kI32, {}));
    Check(l.cond.g.Input("x", kF32, {2}));
    if (int_cond) {
      TFLC_EXPECT_OK(l.cond.g.Output(ci, "c"));
    } else {
      NodeView less = Check(l.cond.g.Source("Less", "less", {ci, Check(l.cond.g.ConstInt32("three", {}, {3}))}));
      TFLC_EXPECT_OK(l.cond.g.Output(less.output(0), "c"));
    }
  }
  l.body = NewSub(h, "loop_body");
  {
    ValueView bi = Check(l.body.g.Input("i", kI32, {}));
    ValueView bx = Check(l.body.g.Input("x", kF32, {2}));
    NodeView add = Check(l.body.g.Source("AddV2", "add", {bi, Check(l.body.g.ConstInt32("one", {}, {1}))}));
    TFLC_EXPECT_OK(l.body.g.Output(add.output(0), "i"));
    if (body_x_dims == std::vector<int64_t>{2} && body_x_type == kF32) {
      NodeView neg = Check(l.body.g.Source("Neg", "neg", {bx}));
      TFLC_EXPECT_OK(l.body.g.Output(neg.output(0), "x"));
    } else {
      const size_t n = static_cast<size_t>(sdk::NumElements(body_x_dims));
      ValueView k = body_x_type == kF32 ? Check(l.body.g.ConstFloat("k", body_x_dims, std::vector<float>(n, 1)))
                                        : Check(l.body.g.ConstInt32("k", body_x_dims, std::vector<int32_t>(n, 1)));
      TFLC_EXPECT_OK(l.body.g.Output(k, "x"));
    }
  }
  l.node = h.Src("While", "loop", {i, x}, 2);
  TFLC_EXPECT_OK(l.node.SetGraph("cond", l.cond.id));
  TFLC_EXPECT_OK(l.node.SetGraph("body", l.body.id));
  return l;
}

TEST_F(LowerTest, WhileBecomesWhileWithLoweredSubgraphs) {
  REQUIRE_OPSET();  // the rows read the shapes of the lowered subgraphs
  Loop l = BuildLoop(h, /*int_cond=*/false);
  TFLC_ASSERT_OK(h.LowerWithShapes());
  EXPECT_EQ(h.OpsString(), "WHILE");
  NodeView op = h.One("WHILE");
  EXPECT_EQ(Check(op.GraphAttr("cond_subgraph_index")), l.cond.id);
  EXPECT_EQ(Check(op.GraphAttr("body_subgraph_index")), l.body.id);
  EXPECT_EQ(op.num_inputs(), 2u);
  EXPECT_EQ(op.output(1).dims(), (std::vector<int64_t>{2}));
  EXPECT_EQ(op.output(0).type(), kI32);
  // A bool cond is kept: no NOT_EQUAL is added.
  EXPECT_EQ(SubOps(l.cond.g), std::vector<std::string>{"LESS"});
  EXPECT_EQ(SubOps(l.body.g), (std::vector<std::string>{"ADD", "NEG"}));
}

TEST_F(LowerTest, WhileWithAnIntConditionGetsNotEqualInsideTheCond) {
  REQUIRE_OPSET();  // the rows read the shapes of the lowered subgraphs
  Loop l = BuildLoop(h, /*int_cond=*/true);
  TFLC_ASSERT_OK(h.LowerWithShapes());
  h.One("WHILE");
  EXPECT_EQ(SubOps(l.cond.g), std::vector<std::string>{"NOT_EQUAL"});
  ValueView c = l.cond.g.output(0);
  EXPECT_EQ(c.type(), TFLC_TYPE_BOOL);
  NodeView ne = c.producer();
  ASSERT_TRUE(ne);
  EXPECT_EQ(ne.input(0).get(), l.cond.g.input(0).get());  // i != 0
  EXPECT_TRUE(ne.input(1).is_const());
}

TEST_F(LowerTest, WhileLoopVariableChangingShapeIsAnError) {
  REQUIRE_OPSET();  // the rows read the shapes of the lowered subgraphs
  BuildLoop(h, false, /*body_x_dims=*/{3});
  Status s = h.LowerWithShapes();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("loop variable 1 (`x`) enters the loop with shape [2] but the body returns shape [3]"),
            std::string::npos)
      << s;
}

TEST_F(LowerTest, WhileLoopVariableChangingTypeIsAnError) {
  REQUIRE_OPSET();  // the rows read the shapes of the lowered subgraphs
  BuildLoop(h, false, {2}, kI32);
  Status s = h.LowerWithShapes();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("loop variable 1 (`x`) enters as"), std::string::npos) << s;
  EXPECT_NE(s.message().find("but the body returns"), std::string::npos) << s;
}

// ---- TensorLists -------------------------------------------------------------------------------

NodeView Reserve(Harness& h, const std::vector<int32_t>& element_shape, int32_t n, bool mark = true,
                 const std::string& op = "TensorListReserve") {
  ValueView es = element_shape.size() == 1 && element_shape[0] == -1 && op == "scalar"
                     ? h.Scalar("es", -1)
                     : h.Iv("es", element_shape);
  NodeView r = h.Src(op == "scalar" ? "TensorListReserve" : op, "list", {es, h.Scalar("n", n)}, 1, mark);
  TFLC_EXPECT_OK(r.SetType("element_dtype", kF32));
  return r;
}

TEST_F(LowerTest, TensorListReserveBecomesZerosWithTheBatchGuessedAsOne) {
  Reserve(h, {-1, 3}, 4);
  TFLC_ASSERT_OK(h.Lower());
  ValueView out = h.Output(0);
  EXPECT_TRUE(out.is_const());
  EXPECT_EQ(out.type(), kF32);
  EXPECT_EQ(out.dims(), (std::vector<int64_t>{4, 1, 3}));
  EXPECT_EQ(Harness::F32(out), std::vector<float>(12, 0.0f));
}

TEST_F(LowerTest, EmptyTensorListIsAZeroLengthTensor) {
  Reserve(h, {3}, 8, true, "EmptyTensorList");
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.Output(0).dims(), (std::vector<int64_t>{0, 3}));
}

TEST_F(LowerTest, TensorListReserveWithADynamicElementShapeIsAnError) {
  {
    Harness g;
    Reserve(g, {2, -1}, 4);
    Status s = g.Lower();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("element shape is [2,-1]"), std::string::npos) << s;
    EXPECT_NE(s.message().find("--input_shapes"), std::string::npos) << s;
  }
  {
    Harness g;
    Reserve(g, {-1}, 4, true, "scalar");  // element shape -1: unknown rank
    Status s = g.Lower();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("element shape is unknown (rank -1)"), std::string::npos) << s;
  }
  {
    Harness g;
    Reserve(g, {3}, -1);
    Status s = g.Lower();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("num_elements must be a known count"), std::string::npos) << s;
  }
}

// list = Reserve([3], 4); SetItem(list, 2, x); Stack → rows 0, 1, 3 zero, row 2 = x.
TEST_F(LowerTest, TensorListSetItemSelectsTheRow) {
  NodeView list = Reserve(h, {3}, 4, false);
  ValueView x = h.In("x", {3});
  NodeView set = h.Src("TensorListSetItem", "set", {list.output(0), h.Scalar("idx", 2), x}, 1, false);
  h.Src("TensorListStack", "stack", {set.output(0), h.Iv("es2", {3})});
  TFLC_ASSERT_OK(h.Lower());
  NodeView sel = h.One("SELECT_V2");
  EXPECT_EQ(h.OutputProducer(0).get(), sel.get());  // Stack is the list itself
  EXPECT_EQ(sel.output(0).dims(), (std::vector<int64_t>{4, 3}));
  EXPECT_TRUE(sel.input(2).is_const());  // the reserved zeros
  REQUIRE_OPSET();
  RUN_OR_SKIP(out, h, {HostTensor::Float({3}, {1, 2, 3})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{4, 3}));
  ExpectNear(out[0].floats(), {0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0});
}

TEST_F(LowerTest, TensorListSetItemChecksTheItemShape) {
  NodeView list = Reserve(h, {3}, 4, false);
  h.Src("TensorListSetItem", "set", {list.output(0), h.Scalar("idx", 0), h.In("x", {2})});
  Status s = h.Lower();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("writes an element of shape [2]"), std::string::npos) << s;
  EXPECT_NE(s.message().find("into a list whose elements are [3]"), std::string::npos) << s;
}

// A leading -1 is guessed as batch 1; an item with batch 2 shows the guess wrong: an error.
TEST_F(LowerTest, TensorListSetItemRefusesAnItemContradictingTheBatchGuess) {
  NodeView list = Reserve(h, {-1, 3}, 4, false);
  h.Src("TensorListSetItem", "set", {list.output(0), h.Scalar("idx", 0), h.In("x", {2, 3})});
  Status s = h.Lower();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("into a list whose elements are [1,3]"), std::string::npos) << s;
  EXPECT_NE(s.message().find("a leading -1 as the batch of the graph inputs"), std::string::npos) << s;
}

TEST_F(LowerTest, TensorListGetItemIsAGather) {
  ValueView t = h.In("t", {4, 3});
  NodeView list = h.Src("TensorListFromTensor", "from", {t, h.Iv("es", {3})}, 1, false);
  ValueView idx = h.In("idx", {}, kI32);
  h.Src("TensorListGetItem", "get", {list.output(0), idx, h.Iv("es2", {3})});
  TFLC_ASSERT_OK(h.Lower());
  NodeView g = h.One("GATHER");
  EXPECT_EQ(g.input(0).get(), t.get());  // FromTensor is the tensor itself
  EXPECT_EQ(g.input(1).get(), idx.get());
  EXPECT_EQ(Harness::Int(g, "axis"), 0);
  REQUIRE_OPSET();
  std::vector<float> tv(12);
  for (size_t i = 0; i < tv.size(); ++i) tv[i] = static_cast<float>(i);
  RUN_OR_SKIP(out, h, {HostTensor::Float({4, 3}, tv), HostTensor::Int32({}, {2})});
  ExpectNear(out[0].floats(), {6, 7, 8});
}

TEST_F(LowerTest, TensorListLengthAndElementShapeAreConstants) {
  ValueView t = h.In("t", {4, 2, 3});
  NodeView list = h.Src("TensorListFromTensor", "from", {t, h.Iv("es", {2, 3})}, 1, false);
  h.Src("TensorListLength", "len", {list.output(0)});
  NodeView es32 = h.Src("TensorListElementShape", "shape32", {list.output(0)}, 1, false);
  TFLC_ASSERT_OK(es32.SetType("shape_type", kI32));
  TFLC_ASSERT_OK(h.g().Output(es32.output(0), "s32"));
  NodeView es64 = h.Src("TensorListElementShape", "shape64", {list.output(0)}, 1, false);
  TFLC_ASSERT_OK(es64.SetType("shape_type", TFLC_TYPE_INT64));
  TFLC_ASSERT_OK(h.g().Output(es64.output(0), "s64"));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Harness::I32(h.Output(0)), std::vector<int32_t>{4});
  EXPECT_EQ(h.Output(0).rank(), 0);
  EXPECT_EQ(Harness::I32(h.Output(1)), (std::vector<int32_t>{2, 3}));
  ValueView s64 = h.Output(2);
  ASSERT_TRUE(s64.is_const());
  EXPECT_EQ(s64.type(), TFLC_TYPE_INT64);
  EXPECT_EQ(Check(s64.ConstVector<int64_t>()), (std::vector<int64_t>{2, 3}));
}

TEST_F(LowerTest, TensorListStackIsTheListAndChecksNumElements) {
  {
    Harness g;
    ValueView t = g.In("t", {4, 3});
    NodeView list = g.Src("TensorListFromTensor", "from", {t, g.Iv("es", {3})}, 1, false);
    NodeView st = g.Src("TensorListStack", "stack", {list.output(0), g.Iv("es2", {3})});
    TFLC_ASSERT_OK(st.SetInt("num_elements", 4));
    TFLC_ASSERT_OK(g.Lower());
    EXPECT_EQ(g.Output(0).get(), t.get());
  }
  {
    Harness g;
    ValueView t = g.In("t", {4, 3});
    NodeView list = g.Src("TensorListFromTensor", "from", {t, g.Iv("es", {3})}, 1, false);
    NodeView st = g.Src("TensorListStack", "stack", {list.output(0), g.Iv("es2", {3})});
    TFLC_ASSERT_OK(st.SetInt("num_elements", 5));
    Status s = g.Lower();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("stacks num_elements = 5 but the list has 4"), std::string::npos) << s;
  }
}

TEST_F(LowerTest, TensorListPushBackConcatenates) {
  NodeView list = Reserve(h, {3}, 2, false);
  h.Src("TensorListPushBack", "push", {list.output(0), h.In("x", {3})});
  TFLC_ASSERT_OK(h.Lower());
  NodeView cat = h.One("CONCATENATION");
  EXPECT_EQ(Harness::Int(cat, "axis"), 0);
  EXPECT_EQ(cat.output(0).dims(), (std::vector<int64_t>{3, 3}));
  REQUIRE_OPSET();
  RUN_OR_SKIP(out, h, {HostTensor::Float({3}, {7, 8, 9})});
  ExpectNear(out[0].floats(), {0, 0, 0, 0, 0, 0, 7, 8, 9});
}

TEST_F(LowerTest, TensorListPopBackSplitsOffTheLastElement) {
  ValueView t = h.In("t", {4, 3});
  NodeView list = h.Src("TensorListFromTensor", "from", {t, h.Iv("es", {3})}, 1, false);
  h.Src("TensorListPopBack", "pop", {list.output(0), h.Iv("es2", {3})}, 2);
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.All("SLICE").size(), 2u);
  REQUIRE_OPSET();
  std::vector<float> tv(12);
  for (size_t i = 0; i < tv.size(); ++i) tv[i] = static_cast<float>(i);
  RUN_OR_SKIP(out, h, {HostTensor::Float({4, 3}, tv)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{3, 3}));
  ExpectNear(out[0].floats(), std::vector<float>(tv.begin(), tv.begin() + 9));
  EXPECT_EQ(out[1].dims, (std::vector<int64_t>{3}));
  ExpectNear(out[1].floats(), {9, 10, 11});
}

TEST_F(LowerTest, TensorListPopBackFromAnEmptyListIsAnError) {
  NodeView list = Reserve(h, {3}, 0, false);
  h.Src("TensorListPopBack", "pop", {list.output(0), h.Iv("es2", {3})}, 2);
  Status s = h.Lower();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("pops from a list that is empty"), std::string::npos) << s;
}

// ---- PartitionedCall ---------------------------------------------------------------------------

// A Keras 2 LSTM layer function f(x, h0, c0, kernel, recurrent, bias) → (last, outputs, h, c,
// runtime), as the importer keeps it; the body is a stand-in (its Neg shows whether it was inlined)
// whose `outputs` result has the sequence shape [1,3,*] (return_sequences).
// GRU: f(x, h0, kernel, recurrent, bias) → (last, outputs, h, runtime).
NodeView KerasRnnCall(Harness& h, bool lstm, const std::string& api, bool const_kernel = true) {
  const int64_t units = 4, in = 2, gates = lstm ? 4 : 3;
  Sub f = NewSub(h, lstm ? "lstm_fn" : "gru_fn");
  ValueView fx = Check(f.g.Input("x", kF32, {1, 3, in}));
  ValueView fh = Check(f.g.Input("h0", kF32, {1, units}));
  ValueView fc;
  if (lstm) fc = Check(f.g.Input("c0", kF32, {1, units}));
  Check(f.g.Input("kernel", kF32, {in, gates * units}));
  Check(f.g.Input("recurrent", kF32, {units, gates * units}));
  Check(f.g.Input("bias", kF32, lstm ? std::vector<int64_t>{gates * units} : std::vector<int64_t>{2, gates * units}));
  NodeView neg = Check(f.g.Source("Neg", "neg", {fh}));
  TFLC_EXPECT_OK(f.g.Output(neg.output(0), "last"));
  TFLC_EXPECT_OK(f.g.Output(fx, "outputs"));
  TFLC_EXPECT_OK(f.g.Output(fh, "h"));
  if (lstm) TFLC_EXPECT_OK(f.g.Output(fc, "c"));
  TFLC_EXPECT_OK(f.g.Output(Check(f.g.ConstFloat("rt", {}, {1})), "runtime"));

  std::vector<ValueView> ins{h.In("x", {1, 3, in}), h.F("h0", {1, units}, std::vector<float>(units, 0))};
  if (lstm) ins.push_back(h.F("c0", {1, units}, std::vector<float>(units, 0)));
  const size_t k = static_cast<size_t>(in * gates * units), r = static_cast<size_t>(units * gates * units);
  ins.push_back(const_kernel ? h.F("kernel", {in, gates * units}, tflc::testing::SeededFloats(k, 1, 1.0f))
                             : h.In("kernel", {in, gates * units}));
  ins.push_back(h.F("recurrent", {units, gates * units}, tflc::testing::SeededFloats(r, 2, 1.0f)));
  if (lstm) {
    ins.push_back(h.F("bias", {gates * units}, std::vector<float>(static_cast<size_t>(gates * units), 0.1f)));
  } else {
    ins.push_back(h.F("bias", {2, gates * units}, std::vector<float>(static_cast<size_t>(2 * gates * units), 0.1f)));
  }
  NodeView call = h.Src("PartitionedCall", "call", ins, lstm ? 5 : 4, false);
  TFLC_EXPECT_OK(h.g().Output(call.output(1), "seq"));
  TFLC_EXPECT_OK(call.SetGraph("f", f.id));
  if (!api.empty()) TFLC_EXPECT_OK(call.SetString("api_implements", api));
  return call;
}

bool AnyNameStartsWith(Harness& h, const std::string& prefix) {
  for (const NodeView& n : h.Nodes())
    if (std::string(n.name()).rfind(prefix, 0) == 0) return true;
  return false;
}

TEST_F(LowerTest, TaggedLstmCallIsFusedIntoTheLstmComposite) {
  KerasRnnCall(h, true, "lstm_5f2a");
  TFLC_ASSERT_OK(h.Lower());
  NodeView l = h.One("UNIDIRECTIONAL_SEQUENCE_LSTM");
  EXPECT_EQ(h.All("NEG").size(), 0u) << h.OpsString();  // the function body was not inlined
  EXPECT_EQ(h.Output(0).dims(), (std::vector<int64_t>{1, 3, 4}));
  EXPECT_EQ(l.input(0).name(), "x");
}

TEST_F(LowerTest, TaggedGruCallIsFusedIntoTheGruComposite) {
  KerasRnnCall(h, false, "gru_77c1");
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.All("NEG").size(), 0u) << h.OpsString();
  EXPECT_TRUE(AnyNameStartsWith(h, "call/gru")) << h.host().Dump();
  EXPECT_EQ(h.All("UNIDIRECTIONAL_SEQUENCE_LSTM").size(), 0u);
  EXPECT_EQ(h.Output(0).dims(), (std::vector<int64_t>{1, 3, 4}));
}

TEST_F(LowerTest, UntaggedCallIsInlined) {
  KerasRnnCall(h, true, "");
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.All("UNIDIRECTIONAL_SEQUENCE_LSTM").size(), 0u);
  EXPECT_EQ(h.Output(0).name(), "x");  // the function returns its input x as `outputs`
  EXPECT_EQ(h.One("NEG").name(), "call/neg");
  EXPECT_FALSE(AnyNameStartsWith(h, "call/lstm"));
}

// Fusion needs constant weights; a call that does not match is inlined instead.
TEST_F(LowerTest, TaggedCallWithNonConstantWeightsIsInlined) {
  NodeView call = KerasRnnCall(h, true, "lstm_5f2a", /*const_kernel=*/false);
  TFLC_ASSERT_OK(h.g().Output(call.output(0), "last"));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.All("UNIDIRECTIONAL_SEQUENCE_LSTM").size(), 0u);
  NodeView neg = h.One("NEG");
  EXPECT_EQ(neg.name(), "call/neg");
  EXPECT_EQ(h.Output(1).producer().get(), neg.get());
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
