// The table itself, and a smoke test that lowers one typical node for every row (so a new row
// without a recipe here fails the build's tests). Family files check attributes, inputs and numbers.
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "lowerings.h"
#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

TEST(LoweringTable, SortedUniqueAndDocumented) {
  ASSERT_GT(NumRows(), 100u);
  for (size_t i = 0; i < NumRows(); ++i) {
    const TflcLoweringEntry& r = Rows()[i];
    SCOPED_TRACE(r.source_op);
    EXPECT_EQ(r.struct_size, TflcLoweringEntry_STRUCT_SIZE);
    EXPECT_EQ(r.target, TFLC_TARGET_BUILTIN);
    EXPECT_NE(r.Lower, nullptr);
    EXPECT_EQ(r.Match, nullptr);
    ASSERT_NE(r.note, nullptr);
    EXPECT_GT(std::strlen(r.note), 5u);
    EXPECT_EQ(std::strchr(r.note, '|'), nullptr) << "notes go into a markdown table (docs/ops.md)";
    ASSERT_NE(r.target_op, nullptr);
    EXPECT_GE(r.min_version, 1);
    EXPECT_GE(r.max_version, r.min_version);
    if (i > 0) {
      EXPECT_LT(std::strcmp(Rows()[i - 1].source_op, r.source_op), 0) << "rows must be sorted and unique";
    }
    if (r.Lower == LowerSimple) {
      ASSERT_NE(r.user_data, nullptr);
      EXPECT_STREQ(static_cast<const SimpleSpec*>(r.user_data)->op, r.target_op);
    }
  }
}

TEST(LoweringTable, QueryDeclinesOtherMajorVersions) {
  TflcPluginQuery_Args a{};
  a.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  a.host_abi_major = TFLC_ABI_VERSION_MAJOR + 1;
  EXPECT_EQ(TflcLowerBuiltin_Query(&a), nullptr);
  a.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  const TflcPluginApi* api = TflcLowerBuiltin_Query(&a);
  ASSERT_NE(api, nullptr);
  EXPECT_STREQ(api->name, "lower_builtin");
  EXPECT_EQ(api->num_lowerings, NumRows());
  EXPECT_EQ(api->lowerings, Rows());
}

// ---- recipes: one typical source node per row --------------------------------------------------

using Recipe = std::function<void(Harness&, const std::string& op)>;

void Unary(Harness& h, const std::string& op) { h.Src(op, "m/" + op, {h.In("x", {2, 3})}); }
void Binary(Harness& h, const std::string& op) { h.Src(op, "m/" + op, {h.In("x", {2, 3}), h.In("y", {2, 3})}); }
void BoolBinary(Harness& h, const std::string& op) {
  h.Src(op, "m/" + op, {h.In("x", {2, 3}, TFLC_TYPE_BOOL), h.In("y", {2, 3}, TFLC_TYPE_BOOL)});
}
void Reduce(Harness& h, const std::string& op) {
  TflcDataType t = (op == "Any" || op == "All") ? TFLC_TYPE_BOOL : TFLC_TYPE_FLOAT32;
  NodeView n = h.Src(op, "m/" + op, {h.In("x", {2, 3}, t), h.Iv("axes", {1})});
  TFLC_EXPECT_OK(n.SetBool("keep_dims", true));
}
void Pool(Harness& h, const std::string& op) {
  NodeView n = h.Src(op, "m/" + op, {h.In("x", {1, 4, 4, 2})});
  TFLC_EXPECT_OK(n.SetIntList("ksize", {1, 2, 2, 1}));
  TFLC_EXPECT_OK(n.SetIntList("strides", {1, 2, 2, 1}));
  TFLC_EXPECT_OK(n.SetString("padding", "VALID"));
}
void BatchMatMul(Harness& h, const std::string& op) {
  NodeView n = h.Src(op, "m/" + op, {h.In("x", {2, 2, 3}), h.In("y", {2, 3, 4})});
  if (op == "BatchMatMulV3") {
    TFLC_EXPECT_OK(n.SetType("Ta", TFLC_TYPE_FLOAT32));
    TFLC_EXPECT_OK(n.SetType("Tout", TFLC_TYPE_FLOAT32));
  }
}
void BatchNorm(Harness& h, const std::string& op) {
  NodeView n = h.Src(op, "m/" + op,
                     {h.In("x", {1, 2, 2, 2}), h.F("scale", {2}, {1, 2}), h.F("offset", {2}, {0, 1}),
                      h.F("mean", {2}, {0.5f, 0}), h.F("var", {2}, {1, 4})},
                     op == "FusedBatchNormV3" ? 6 : 5, /*mark_outputs=*/false);
  TFLC_EXPECT_OK(h.g().Output(n.output(0), "y"));
  TFLC_EXPECT_OK(n.SetFloat("epsilon", 0.001));
  TFLC_EXPECT_OK(n.SetBool("is_training", false));
}
void Removed(Harness& h, const std::string& op) { h.Src(op, "m/" + op, {h.In("x", {2, 3})}); }
void Resize(Harness& h, const std::string& op) { h.Src(op, "m/" + op, {h.In("x", {1, 2, 2, 1}), h.Iv("size", {4, 4})}); }
void Rnn(Harness& h, const std::string& op, int gates) {
  const int u = 2, in = 3;
  std::vector<float> k(in * gates * u, 0.1f), r(u * gates * u, 0.2f), b(gates * u, 0.0f);
  NodeView n = h.Src(op, "m/rnn", {h.In("x", {1, 4, in}), h.F("kernel", {in, gates * u}, k),
                                   h.F("recurrent_kernel", {u, gates * u}, r), h.F("bias", {gates * u}, b)});
  TFLC_EXPECT_OK(n.SetInt("units", u));
  TFLC_EXPECT_OK(n.SetBool("reset_after", false));
}

std::map<std::string, Recipe> Recipes() {
  std::map<std::string, Recipe> m;
  for (const char* op : {"Abs", "Ceil", "Cos", "Elu", "Exp", "Floor", "Log", "LogSoftmax", "Neg", "Relu", "Relu6",
                         "Round", "Rsqrt", "Selu", "Sigmoid", "Sin", "Softmax", "Softplus", "Sqrt", "Square", "Tanh",
                         "ZerosLike", "LeakyRelu", "tflc.Gelu"}) {
    m[op] = Unary;
  }
  for (const char* op : {"Add", "AddV2", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "FloorMod", "Maximum", "Minimum",
                         "SquaredDifference", "Pow", "Equal", "NotEqual", "Less", "LessEqual", "Greater",
                         "GreaterEqual"}) {
    m[op] = Binary;
  }
  m["LogicalAnd"] = m["LogicalOr"] = BoolBinary;
  m["LogicalNot"] = [](Harness& h, const std::string& op) { h.Src(op, "m/not", {h.In("x", {2}, TFLC_TYPE_BOOL)}); };
  for (const char* op : {"All", "Any", "Max", "Mean", "Min", "Prod", "Sum"}) m[op] = Reduce;
  m["AvgPool"] = m["MaxPool"] = Pool;
  m["BatchMatMul"] = m["BatchMatMulV2"] = m["BatchMatMulV3"] = BatchMatMul;
  m["FusedBatchNorm"] = m["FusedBatchNormV2"] = m["FusedBatchNormV3"] = BatchNorm;
  for (const char* op : {"CheckNumerics", "Identity", "PreventGradient", "Snapshot", "StopGradient"}) m[op] = Removed;
  m["ResizeBilinear"] = m["ResizeNearestNeighbor"] = Resize;
  m["tflc.LSTM"] = [](Harness& h, const std::string& op) { Rnn(h, op, 4); };
  m["tflc.GRU"] = [](Harness& h, const std::string& op) { Rnn(h, op, 3); };
  m["tflc.SimpleRNN"] = [](Harness& h, const std::string& op) { Rnn(h, op, 1); };
  m["AddN"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/addn", {h.In("a", {2}), h.In("b", {2}), h.In("c", {2})});
  };
  m["ArgMax"] = m["ArgMin"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/arg", {h.In("x", {2, 3}), h.Scalar("dim", 1)});
  };
  m["BatchToSpaceND"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/b2s", {h.In("x", {4, 1, 1, 1}), h.Iv("block", {2, 2}), h.I("crops", {2, 2}, {0, 0, 0, 0})});
  };
  m["SpaceToBatchND"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/s2b", {h.In("x", {1, 2, 2, 1}), h.Iv("block", {2, 2}), h.I("pads", {2, 2}, {0, 0, 0, 0})});
  };
  m["BiasAdd"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/bias", {h.In("x", {1, 2, 2, 3}), h.F("b", {3}, {1, 2, 3})});
  };
  m["BroadcastTo"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/bcast", {h.In("x", {3}), h.Iv("shape", {2, 3})});
  };
  m["Cast"] = [](Harness& h, const std::string& op) {
    TFLC_EXPECT_OK(h.Src(op, "m/cast", {h.In("x", {3})}).SetType("DstT", TFLC_TYPE_INT32));
  };
  m["ConcatV2"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/concat", {h.In("a", {2, 1}), h.In("b", {2, 2}), h.Scalar("axis", 1)});
  };
  m["Conv2D"] = [](Harness& h, const std::string& op) {
    NodeView n = h.Src(op, "m/conv", {h.In("x", {1, 3, 3, 1}), h.F("w", {2, 2, 1, 2}, std::vector<float>(8, 1))});
    TFLC_EXPECT_OK(n.SetIntList("strides", {1, 1, 1, 1}));
    TFLC_EXPECT_OK(n.SetString("padding", "SAME"));
  };
  m["Conv3D"] = [](Harness& h, const std::string& op) {
    NodeView n = h.Src(op, "m/conv3d", {h.In("x", {1, 2, 3, 3, 1}), h.F("w", {1, 2, 2, 1, 2}, std::vector<float>(8, 1))});
    TFLC_EXPECT_OK(n.SetIntList("strides", {1, 1, 1, 1, 1}));
    TFLC_EXPECT_OK(n.SetString("padding", "SAME"));
  };
  m["DepthwiseConv2dNative"] = [](Harness& h, const std::string& op) {
    NodeView n = h.Src(op, "m/dw", {h.In("x", {1, 3, 3, 2}), h.F("w", {2, 2, 2, 1}, std::vector<float>(8, 1))});
    TFLC_EXPECT_OK(n.SetIntList("strides", {1, 1, 1, 1}));
    TFLC_EXPECT_OK(n.SetString("padding", "VALID"));
  };
  m["Conv2DBackpropInput"] = [](Harness& h, const std::string& op) {
    NodeView n = h.Src(op, "m/deconv", {h.Iv("sizes", {1, 4, 4, 1}), h.F("w", {2, 2, 1, 2}, std::vector<float>(8, 1)),
                                        h.In("dy", {1, 2, 2, 2})});
    TFLC_EXPECT_OK(n.SetIntList("strides", {1, 2, 2, 1}));
    TFLC_EXPECT_OK(n.SetString("padding", "VALID"));
  };
  m["Cumsum"] = [](Harness& h, const std::string& op) { h.Src(op, "m/cumsum", {h.In("x", {2, 3}), h.Scalar("axis", 1)}); };
  m["DepthToSpace"] = m["SpaceToDepth"] = [](Harness& h, const std::string& op) {
    TFLC_EXPECT_OK(h.Src(op, "m/d2s", {h.In("x", {1, 2, 2, 4})}).SetInt("block_size", 2));
  };
  m["ExpandDims"] = [](Harness& h, const std::string& op) { h.Src(op, "m/expand", {h.In("x", {2}), h.Scalar("axis", 0)}); };
  m["Fill"] = [](Harness& h, const std::string& op) { h.Src(op, "m/fill", {h.Iv("dims", {2, 3}), h.F("v", {}, {1.5f})}); };
  m["Gather"] = [](Harness& h, const std::string& op) { h.Src(op, "m/gather", {h.In("p", {4, 2}), h.Iv("i", {0, 3})}); };
  m["GatherV2"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/gather", {h.In("p", {4, 2}), h.Iv("i", {1}), h.Scalar("axis", 1)});
  };
  m["GatherNd"] = [](Harness& h, const std::string& op) { h.Src(op, "m/gnd", {h.In("p", {4, 2}), h.I("i", {1, 2}, {1, 1})}); };
  m["IdentityN"] = [](Harness& h, const std::string& op) { h.Src(op, "m/idn", {h.In("a", {2}), h.In("b", {3})}, 2); };
  m["NoOp"] = [](Harness& h, const std::string& op) { h.Src(op, "m/noop", {}, 0); };
  m["LRN"] = [](Harness& h, const std::string& op) { h.Src(op, "m/lrn", {h.In("x", {1, 2, 2, 4})}); };
  m["MirrorPad"] = [](Harness& h, const std::string& op) {
    TFLC_EXPECT_OK(h.Src(op, "m/mpad", {h.In("x", {3}), h.I("p", {1, 2}, {1, 1})}).SetString("mode", "REFLECT"));
  };
  m["OneHot"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/onehot", {h.In("i", {2}, TFLC_TYPE_INT32), h.Scalar("depth", 3), h.F("on", {}, {1}), h.F("off", {}, {0})});
  };
  m["Pack"] = [](Harness& h, const std::string& op) { h.Src(op, "m/pack", {h.In("a", {2}), h.In("b", {2})}); };
  m["Unpack"] = [](Harness& h, const std::string& op) {
    TFLC_EXPECT_OK(h.Src(op, "m/unpack", {h.In("x", {2, 3})}, 2).SetInt("num", 2));
  };
  m["Pad"] = [](Harness& h, const std::string& op) { h.Src(op, "m/pad", {h.In("x", {3}), h.I("p", {1, 2}, {1, 2})}); };
  m["PadV2"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/pad", {h.In("x", {3}), h.I("p", {1, 2}, {1, 2}), h.F("c", {}, {5})});
  };
  m["RandomUniform"] = [](Harness& h, const std::string& op) {
    NodeView n = h.Src(op, "m/random", {h.Iv("shape", {2, 3})});
    TFLC_EXPECT_OK(n.SetType("dtype", TFLC_TYPE_FLOAT32));
    TFLC_EXPECT_OK(n.SetInt("seed", 1));
    TFLC_EXPECT_OK(n.SetInt("seed2", 2));
  };
  m["Range"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/range", {h.Scalar("start", 0), h.Scalar("limit", 5), h.Scalar("delta", 1)});
  };
  m["Reshape"] = [](Harness& h, const std::string& op) { h.Src(op, "m/reshape", {h.In("x", {2, 3}), h.Iv("s", {3, 2})}); };
  m["ReverseV2"] = [](Harness& h, const std::string& op) { h.Src(op, "m/rev", {h.In("x", {2, 3}), h.Iv("axis", {1})}); };
  m["Select"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/select", {h.In("c", {2}, TFLC_TYPE_BOOL), h.In("x", {2}), h.In("y", {2})});
  };
  m["SelectV2"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/select", {h.In("c", {2}, TFLC_TYPE_BOOL), h.In("x", {3, 2}), h.F("y", {}, {0})});
  };
  m["Shape"] = [](Harness& h, const std::string& op) { h.Src(op, "m/shape", {h.In("x", {2, 3})}); };
  m["Slice"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/slice", {h.In("x", {2, 3}), h.Iv("b", {0, 1}), h.Iv("s", {2, 2})});
  };
  m["Split"] = [](Harness& h, const std::string& op) {
    TFLC_EXPECT_OK(h.Src(op, "m/split", {h.Scalar("axis", 1), h.In("x", {2, 4})}, 2).SetInt("num_split", 2));
  };
  m["SplitV"] = [](Harness& h, const std::string& op) {
    TFLC_EXPECT_OK(h.Src(op, "m/splitv", {h.In("x", {2, 4}), h.Iv("sizes", {1, 3}), h.Scalar("axis", 1)}, 2)
                       .SetInt("num_split", 2));
  };
  m["Squeeze"] = [](Harness& h, const std::string& op) {
    TFLC_EXPECT_OK(h.Src(op, "m/squeeze", {h.In("x", {1, 3})}).SetIntList("squeeze_dims", {0}));
  };
  m["StridedSlice"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/ss", {h.In("x", {2, 3}), h.Iv("b", {0, 1}), h.Iv("e", {2, 3}), h.Iv("s", {1, 1})});
  };
  m["Tile"] = [](Harness& h, const std::string& op) { h.Src(op, "m/tile", {h.In("x", {2}), h.Iv("m", {3})}); };
  m["TopKV2"] = [](Harness& h, const std::string& op) { h.Src(op, "m/topk", {h.In("x", {5}), h.Scalar("k", 2)}, 2); };
  m["Transpose"] = [](Harness& h, const std::string& op) { h.Src(op, "m/t", {h.In("x", {2, 3}), h.Iv("perm", {1, 0})}); };
  m["MatMul"] = [](Harness& h, const std::string& op) { h.Src(op, "m/mm", {h.In("a", {2, 3}), h.In("b", {3, 4})}); };
  m["Einsum"] = [](Harness& h, const std::string& op) {
    NodeView n = h.Src(op, "m/einsum", {h.In("x", {2, 2, 3}), h.In("y", {2, 3, 4})});
    TFLC_EXPECT_OK(n.SetString("equation", "bij,bjk->bik"));
  };
  // Control flow (control_flow.cc; control_flow_test.cc checks them in detail). Subgraphs that
  // return their inputs unchanged: their types and shapes are known without shape inference.
  auto pass_through = [](Harness& h, const std::string& name, const std::vector<std::pair<TflcDataType, std::vector<int64_t>>>& ins,
                         size_t num_outputs) {
    int64_t id = -1;
    GraphBuilder sub = Check(h.g().AddSubgraph(name, &id), "AddSubgraph");
    std::vector<ValueView> args;
    for (size_t i = 0; i < ins.size(); ++i) args.push_back(Check(sub.Input("a" + std::to_string(i), ins[i].first, ins[i].second)));
    for (size_t i = 0; i < num_outputs; ++i) TFLC_EXPECT_OK(sub.Output(args[i], "o" + std::to_string(i)));
    return id;
  };
  auto if_recipe = [pass_through](Harness& h, const std::string& op) {
    const int64_t t = pass_through(h, "then_fn", {{TFLC_TYPE_FLOAT32, {2, 3}}}, 1);
    const int64_t e = pass_through(h, "else_fn", {{TFLC_TYPE_FLOAT32, {2, 3}}}, 1);
    NodeView n = h.Src(op, "m/if", {h.In("c", {}, TFLC_TYPE_BOOL), h.In("x", {2, 3})});
    TFLC_EXPECT_OK(n.SetGraph("then_branch", t));
    TFLC_EXPECT_OK(n.SetGraph("else_branch", e));
  };
  m["If"] = if_recipe;
  m["StatelessIf"] = if_recipe;
  auto while_recipe = [pass_through](Harness& h, const std::string& op) {
    const std::vector<std::pair<TflcDataType, std::vector<int64_t>>> vars{{TFLC_TYPE_BOOL, {}}, {TFLC_TYPE_FLOAT32, {2}}};
    const int64_t c = pass_through(h, "cond_fn", vars, 1);
    const int64_t b = pass_through(h, "body_fn", vars, 2);
    NodeView n = h.Src(op, "m/while", {h.In("go", {}, TFLC_TYPE_BOOL), h.In("x", {2})}, 2);
    TFLC_EXPECT_OK(n.SetGraph("cond", c));
    TFLC_EXPECT_OK(n.SetGraph("body", b));
  };
  m["While"] = while_recipe;
  m["StatelessWhile"] = while_recipe;
  // A Keras 2 LSTM layer function (api_implements lstm_*): fused into UNIDIRECTIONAL_SEQUENCE_LSTM.
  auto call_recipe = [](Harness& h, const std::string& op) {
    int64_t id = -1;
    GraphBuilder f = Check(h.g().AddSubgraph("lstm_fn", &id), "AddSubgraph");
    ValueView x = Check(f.Input("x", TFLC_TYPE_FLOAT32, {1, 3, 2}));
    ValueView h0 = Check(f.Input("h0", TFLC_TYPE_FLOAT32, {1, 2}));
    ValueView c0 = Check(f.Input("c0", TFLC_TYPE_FLOAT32, {1, 2}));
    Check(f.Input("k", TFLC_TYPE_FLOAT32, {2, 8}));
    Check(f.Input("r", TFLC_TYPE_FLOAT32, {2, 8}));
    Check(f.Input("b", TFLC_TYPE_FLOAT32, {8}));
    for (const ValueView& v : {h0, x, h0, c0, h0}) TFLC_EXPECT_OK(f.Output(v, "o"));
    NodeView n = h.Src(op, "m/call",
                       {h.In("x", {1, 3, 2}), h.F("h0", {1, 2}, std::vector<float>(2, 0)), h.F("c0", {1, 2}, std::vector<float>(2, 0)),
                        h.F("k", {2, 8}, std::vector<float>(16, 0.1f)), h.F("r", {2, 8}, std::vector<float>(16, 0.2f)),
                        h.F("b", {8}, std::vector<float>(8, 0.0f))},
                       5, false);
    TFLC_EXPECT_OK(h.g().Output(n.output(1), "y"));
    TFLC_EXPECT_OK(n.SetGraph("f", id));
    TFLC_EXPECT_OK(n.SetString("api_implements", "lstm_0a1b"));
  };
  m["PartitionedCall"] = call_recipe;
  m["StatefulPartitionedCall"] = call_recipe;
  auto reserve = [](Harness& h, const std::string& op, const std::string& name, bool mark) {
    NodeView n = h.Src(op, name, {h.Iv(name + "/es", {3}), h.Scalar(name + "/n", 4)}, 1, mark);
    TFLC_EXPECT_OK(n.SetType("element_dtype", TFLC_TYPE_FLOAT32));
    return n;
  };
  m["TensorListReserve"] = [reserve](Harness& h, const std::string& op) { reserve(h, op, "m/list", true); };
  m["EmptyTensorList"] = [reserve](Harness& h, const std::string& op) { reserve(h, op, "m/list", true); };
  auto from_tensor = [](Harness& h) {
    return h.Src("TensorListFromTensor", "m/from", {h.In("t", {4, 3}), h.Iv("m/es", {3})}, 1, false).output(0);
  };
  m["TensorListFromTensor"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/from", {h.In("t", {4, 3}), h.Iv("m/es", {3})});
  };
  m["TensorListGetItem"] = [from_tensor](Harness& h, const std::string& op) {
    h.Src(op, "m/get", {from_tensor(h), h.In("i", {}, TFLC_TYPE_INT32), h.Iv("m/es2", {3})});
  };
  m["TensorListSetItem"] = [reserve](Harness& h, const std::string& op) {
    h.Src(op, "m/set", {reserve(h, "TensorListReserve", "m/list", false).output(0), h.In("i", {}, TFLC_TYPE_INT32), h.In("x", {3})});
  };
  m["TensorListPushBack"] = [reserve](Harness& h, const std::string& op) {
    h.Src(op, "m/push", {reserve(h, "TensorListReserve", "m/list", false).output(0), h.In("x", {3})});
  };
  m["TensorListPopBack"] = [from_tensor](Harness& h, const std::string& op) {
    h.Src(op, "m/pop", {from_tensor(h), h.Iv("m/es2", {3})}, 2);
  };
  m["TensorListStack"] = [reserve](Harness& h, const std::string& op) {
    h.Src(op, "m/stack", {reserve(h, "TensorListReserve", "m/list", false).output(0), h.Iv("m/es2", {3})});
  };
  m["TensorListLength"] = [from_tensor](Harness& h, const std::string& op) { h.Src(op, "m/len", {from_tensor(h)}); };
  m["TensorListElementShape"] = [from_tensor](Harness& h, const std::string& op) {
    TFLC_EXPECT_OK(h.Src(op, "m/shape", {from_tensor(h)}).SetType("shape_type", TFLC_TYPE_INT32));
  };
  m["tflc.PRelu"] = [](Harness& h, const std::string& op) {
    h.Src(op, "m/prelu", {h.In("x", {1, 2, 3}), h.F("alpha", {1, 3}, {0.1f, 0.2f, 0.3f})});
  };
  return m;
}

TEST(LoweringTable, EveryRowLowersATypicalNode) {
  const std::map<std::string, Recipe> recipes = Recipes();
  std::set<std::string> seen;
  for (size_t i = 0; i < NumRows(); ++i) {
    const TflcLoweringEntry& r = Rows()[i];
    SCOPED_TRACE(r.source_op);
    seen.insert(r.source_op);
    auto it = recipes.find(r.source_op);
    ASSERT_NE(it, recipes.end()) << "no test recipe for row " << r.source_op;
    Harness h;
    try {
      it->second(h, r.source_op);
    } catch (const std::exception&) {
      continue;  // already reported
    }
    Status s = h.Lower();
    ASSERT_TRUE(s.ok()) << s;
    const bool removed = std::string(r.target_op) == "(none)";
    bool found = removed;
    for (const NodeView& n : h.Nodes()) {
      EXPECT_EQ(n.domain(), TFLC_DOMAIN_BUILTIN) << n.op();
      found = found || n.op() == r.target_op;
    }
    EXPECT_TRUE(found) << "expected a " << r.target_op << " in: " << h.OpsString();
    if (removed) {
      // The recipe's node maps a graph input to a graph output: the output keeps a tensor of its
      // own (RESHAPE copies, see LowerIdentity); anywhere else the node simply disappears.
      for (const NodeView& n : h.Nodes()) EXPECT_EQ(n.op(), "RESHAPE") << h.OpsString();
    }
  }
  for (const auto& [op, recipe] : recipes) EXPECT_TRUE(seen.count(op)) << "recipe for an op without a row: " << op;
}

// With the opset: every typical node also survives shape inference, folding and verification.
TEST(LoweringTable, EveryRowPassesThePipeline) {
  REQUIRE_OPSET();
  const std::map<std::string, Recipe> recipes = Recipes();
  std::vector<std::string> missing;
  for (size_t i = 0; i < NumRows(); ++i) {
    const TflcLoweringEntry& r = Rows()[i];
    SCOPED_TRACE(r.source_op);
    Harness h;
    try {
      recipes.at(r.source_op)(h, r.source_op);
    } catch (const std::exception&) {
      continue;
    }
    if (std::string(r.source_op) == "NoOp") continue;  // no outputs: nothing to run
    Status s = h.host().RunPipeline();
    if (!s.ok() && s.message().find("no opset plugin defines") != std::string::npos) {
      missing.push_back(r.source_op);
      continue;
    }
    EXPECT_TRUE(s.ok()) << s << "\n" << h.host().Dump();
  }
  if (!missing.empty()) {
    std::string m;
    for (const auto& op : missing) m += " " + op;
    std::cout << "[   INFO   ] opset lacks ops emitted for:" << m << "\n";
  }
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
