// Squeeze, ConcatV2, Pack, Unpack, Split, SplitV, StridedSlice, MirrorPad, Gather(V2), Shape,
// Resize*, SpaceToDepth / DepthToSpace, and the 1:1 layout rows numerically.
#include <functional>
#include <numeric>

#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

std::vector<float> Iota(size_t n) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), 0.f);
  return v;
}

TEST_F(LowerTest, SqueezeDims) {
  TFLC_ASSERT_OK(h.Src("Squeeze", "sq", {h.In("x", {1, 3, 1})}).SetIntList("squeeze_dims", {0, 2}));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Harness::Ints(h.One("SQUEEZE"), "squeeze_dims"), (std::vector<int64_t>{0, 2}));
}

TEST_F(LowerTest, SqueezeAllWhenNoDims) {
  h.Src("Squeeze", "sq", {h.In("x", {1, 3, 1})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_TRUE(Harness::Ints(h.One("SQUEEZE"), "squeeze_dims").empty());
}

TEST_F(LowerTest, ConcatAxisBecomesAttribute) {
  h.Src("ConcatV2", "concat", {h.In("a", {2, 1}), h.In("b", {2, 2}), h.In("c", {2, 3}), h.Scalar("axis", -1)});
  TFLC_ASSERT_OK(h.Lower());
  NodeView c = h.One("CONCATENATION");
  ASSERT_EQ(c.num_inputs(), 3u);
  EXPECT_EQ(c.input(2).name(), "c");
  EXPECT_EQ(Harness::Int(c, "axis"), -1);
  EXPECT_EQ(Harness::Int(c, "fused_activation_function"), 0);
}

TEST_F(LowerTest, ConcatNeedsConstantAxis) {
  h.Src("ConcatV2", "concat", {h.In("a", {2, 1}), h.In("b", {2, 2}), h.In("axis", {}, TFLC_TYPE_INT32)});
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(s.message().find("concat axis"), std::string::npos) << s;
  EXPECT_NE(s.message().find("concat"), std::string::npos) << s;
}

TEST_F(LowerTest, PackAndUnpack) {
  TFLC_ASSERT_OK(h.Src("Pack", "pack", {h.In("a", {2}), h.In("b", {2}), h.In("c", {2})}).SetInt("axis", 1));
  TFLC_ASSERT_OK(h.Lower());
  NodeView p = h.One("PACK");
  EXPECT_EQ(Harness::Int(p, "values_count"), 3);
  EXPECT_EQ(Harness::Int(p, "axis"), 1);

  Harness h2;
  NodeView u = h2.Src("Unpack", "unpack", {h2.In("x", {3, 2})}, 3);
  TFLC_ASSERT_OK(u.SetInt("num", 3));
  TFLC_ASSERT_OK(u.SetInt("axis", 0));
  TFLC_ASSERT_OK(h2.Lower());
  NodeView un = h2.One("UNPACK");
  EXPECT_EQ(Harness::Int(un, "num"), 3);
  EXPECT_EQ(Harness::Int(un, "axis"), 0);
  ASSERT_EQ(un.num_outputs(), 3u);
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(h2.Output(k).get(), un.output(k).get());
}

TEST_F(LowerTest, SplitKeepsAxisFirst) {
  TFLC_ASSERT_OK(h.Src("Split", "split", {h.Scalar("axis", 1), h.In("x", {2, 4})}, 2).SetInt("num_split", 2));
  TFLC_ASSERT_OK(h.Lower());
  NodeView s = h.One("SPLIT");
  EXPECT_EQ(s.input(0).name(), "axis");
  EXPECT_EQ(s.input(1).name(), "x");
  EXPECT_EQ(Harness::Int(s, "num_splits"), 2);
  EXPECT_EQ(h.Output(1).get(), s.output(1).get());
}

TEST_F(LowerTest, SplitV) {
  TFLC_ASSERT_OK(h.Src("SplitV", "split", {h.In("x", {2, 4}), h.Iv("sizes", {1, 3}), h.Scalar("axis", 1)}, 2)
                     .SetInt("num_split", 2));
  TFLC_ASSERT_OK(h.Lower());
  NodeView s = h.One("SPLIT_V");
  EXPECT_EQ(s.input(0).name(), "x");
  EXPECT_EQ(s.input(1).name(), "sizes");
  EXPECT_EQ(s.input(2).name(), "axis");
  EXPECT_EQ(Harness::Int(s, "num_splits"), 2);
}

TEST_F(LowerTest, StridedSliceMasksPassThrough) {
  NodeView n = h.Src("StridedSlice", "ss", {h.In("x", {2, 3, 4}), h.Iv("b", {0, -1, 0}), h.Iv("e", {0, 0, 0}),
                                            h.Iv("s", {1, 1, 1})});
  TFLC_ASSERT_OK(n.SetInt("begin_mask", 5));
  TFLC_ASSERT_OK(n.SetInt("end_mask", 5));
  TFLC_ASSERT_OK(n.SetInt("shrink_axis_mask", 2));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "STRIDED_SLICE");
  NodeView s = h.One("STRIDED_SLICE");
  EXPECT_EQ(Harness::Int(s, "begin_mask"), 5);
  EXPECT_EQ(Harness::Int(s, "end_mask"), 5);
  EXPECT_EQ(Harness::Int(s, "shrink_axis_mask"), 2);
  EXPECT_EQ(Harness::Int(s, "ellipsis_mask"), 0);
  EXPECT_EQ(Harness::Int(s, "new_axis_mask"), 0);
  EXPECT_EQ(Harness::Int(s, "offset"), 0);
  EXPECT_EQ(s.input(1).name(), "b");
}

// x[..., 1:3, tf.newaxis] on a [2,3,4] input: the ellipsis covers dims 0-1, the new axis becomes
// an EXPAND_DIMS at position 3, and the slice is spelled out over the 4 resulting dims.
TEST_F(LowerTest, StridedSliceEllipsisAndNewAxisAreRewritten) {
  NodeView n = h.Src("StridedSlice", "ss", {h.In("x", {2, 3, 4}), h.Iv("b", {0, 1, 0}), h.Iv("e", {0, 3, 0}),
                                            h.Iv("s", {1, 1, 1})});
  TFLC_ASSERT_OK(n.SetInt("ellipsis_mask", 1));
  TFLC_ASSERT_OK(n.SetInt("new_axis_mask", 4));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "EXPAND_DIMS STRIDED_SLICE");
  NodeView e = h.One("EXPAND_DIMS");
  EXPECT_EQ(Harness::I32(e.input(1)), std::vector<int32_t>{3});
  NodeView s = h.One("STRIDED_SLICE");
  EXPECT_EQ(s.input(0).producer().get(), e.get());
  EXPECT_EQ(Harness::I32(s.input(1)), (std::vector<int32_t>{0, 0, 1, 0}));
  EXPECT_EQ(Harness::I32(s.input(2)), (std::vector<int32_t>{0, 0, 3, 0}));
  EXPECT_EQ(Harness::I32(s.input(3)), (std::vector<int32_t>{1, 1, 1, 1}));
  EXPECT_EQ(Harness::Int(s, "begin_mask"), 0b1011);
  EXPECT_EQ(Harness::Int(s, "end_mask"), 0b1011);
  EXPECT_EQ(Harness::Int(s, "ellipsis_mask"), 0);
  EXPECT_EQ(Harness::Int(s, "new_axis_mask"), 0);
  EXPECT_EQ(Harness::Int(s, "shrink_axis_mask"), 0);
}

TEST_F(LowerTest, StridedSliceEllipsisWithUnknownRankPassesThrough) {
  // The RELU emitted for the first node has no shape yet while lowering (shapes come later).
  NodeView relu = h.Src("Relu", "relu", {h.In("x", {2, 3})}, 1, false);
  NodeView n = h.Src("StridedSlice", "ss", {relu.output(0), h.Iv("b", {0}), h.Iv("e", {1}), h.Iv("s", {1})});
  TFLC_ASSERT_OK(n.SetInt("ellipsis_mask", 1));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.OpsString(), "RELU STRIDED_SLICE");
  EXPECT_EQ(Harness::Int(h.One("STRIDED_SLICE"), "ellipsis_mask"), 1);
}

TEST_F(LowerTest, MirrorPadModes) {
  for (const auto& [mode, value] : {std::pair<const char*, int>{"REFLECT", 0}, {"SYMMETRIC", 1}}) {
    Harness hh;
    TFLC_ASSERT_OK(hh.Src("MirrorPad", "mp", {hh.In("x", {3}), hh.I("p", {1, 2}, {1, 1})}).SetString("mode", mode));
    TFLC_ASSERT_OK(hh.Lower());
    EXPECT_EQ(Harness::Int(hh.One("MIRROR_PAD"), "mode"), value) << mode;
  }
  TFLC_ASSERT_OK(h.Src("MirrorPad", "mp", {h.In("x", {3}), h.I("p", {1, 2}, {1, 1})}).SetString("mode", "EDGE"));
  Status s = h.Lower();
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED);
  EXPECT_NE(s.message().find("mode"), std::string::npos) << s;
}

TEST_F(LowerTest, GatherAxes) {
  h.Src("Gather", "g", {h.In("p", {4, 2}), h.Iv("i", {1})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Harness::Int(h.One("GATHER"), "axis"), 0);

  Harness h2;
  TFLC_ASSERT_OK(h2.Src("GatherV2", "g", {h2.In("p", {2, 4, 2}), h2.I("i", {2, 1}, {1, 0}), h2.Scalar("axis", 1)})
                     .SetInt("batch_dims", 1));
  TFLC_ASSERT_OK(h2.Lower());
  NodeView g = h2.One("GATHER");
  EXPECT_EQ(Harness::Int(g, "axis"), 1);
  EXPECT_EQ(Harness::Int(g, "batch_dims"), 1);
  EXPECT_EQ(g.num_inputs(), 2u);
}

TEST_F(LowerTest, ShapeOutType) {
  h.Src("Shape", "s", {h.In("x", {2, 3})});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Harness::Int(h.One("SHAPE"), "out_type"), TFLC_TYPE_INT32);
}

TEST_F(LowerTest, ResizeFlags) {
  NodeView n = h.Src("ResizeBilinear", "rs", {h.In("x", {1, 2, 2, 1}), h.Iv("size", {4, 4})});
  TFLC_ASSERT_OK(n.SetBool("half_pixel_centers", true));
  TFLC_ASSERT_OK(h.Lower());
  NodeView r = h.One("RESIZE_BILINEAR");
  EXPECT_EQ(Harness::Int(r, "half_pixel_centers"), 1);
  EXPECT_EQ(Harness::Int(r, "align_corners"), 0);
}

TEST_F(LowerTest, ResizeRejectsBothFlags) {
  NodeView n = h.Src("ResizeNearestNeighbor", "rs", {h.In("x", {1, 2, 2, 1}), h.Iv("size", {4, 4})});
  TFLC_ASSERT_OK(n.SetBool("half_pixel_centers", true));
  TFLC_ASSERT_OK(n.SetBool("align_corners", true));
  EXPECT_EQ(h.Lower().code(), TFLC_CODE_UNIMPLEMENTED);
}

TEST_F(LowerTest, SpaceToDepthBlockSize) {
  TFLC_ASSERT_OK(h.Src("SpaceToDepth", "s2d", {h.In("x", {1, 4, 4, 1})}).SetInt("block_size", 2));
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(Harness::Int(h.One("SPACE_TO_DEPTH"), "block_size"), 2);
  Harness h2;
  NodeView n = h2.Src("DepthToSpace", "d2s", {h2.In("x", {1, 4, 2, 2})});
  TFLC_ASSERT_OK(n.SetInt("block_size", 2));
  TFLC_ASSERT_OK(n.SetString("data_format", "NCHW"));
  EXPECT_EQ(h2.Lower().code(), TFLC_CODE_UNIMPLEMENTED);
}

// ---- numerics ----

TEST_F(LowerTest, StridedSliceNumeric) {
  REQUIRE_OPSET();
  // x[:, -1, :] on [2,3,2] → [2,2]
  NodeView n = h.Src("StridedSlice", "ss", {h.In("x", {2, 3, 2}), h.Iv("b", {0, -1, 0}), h.Iv("e", {0, 0, 0}),
                                            h.Iv("s", {1, 1, 1})});
  TFLC_ASSERT_OK(n.SetInt("begin_mask", 5));
  TFLC_ASSERT_OK(n.SetInt("end_mask", 5));
  TFLC_ASSERT_OK(n.SetInt("shrink_axis_mask", 2));
  RUN_OR_SKIP(out, h, {HostTensor::Float({2, 3, 2}, Iota(12))});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 2}));
  ExpectNear(out[0].floats(), {4, 5, 10, 11});
}

TEST_F(LowerTest, StridedSliceEllipsisNewAxisNumeric) {
  REQUIRE_OPSET();
  // x[..., 1:3, tf.newaxis] on [2,3,4]: [2,3,2,1]
  NodeView n = h.Src("StridedSlice", "ss", {h.In("x", {2, 3, 4}), h.Iv("b", {0, 1, 0}), h.Iv("e", {0, 3, 0}),
                                            h.Iv("s", {1, 1, 1})});
  TFLC_ASSERT_OK(n.SetInt("ellipsis_mask", 1));
  TFLC_ASSERT_OK(n.SetInt("new_axis_mask", 4));
  std::vector<float> expected;
  for (int i = 0; i < 6; ++i) {
    expected.push_back(static_cast<float>(i * 4 + 1));
    expected.push_back(static_cast<float>(i * 4 + 2));
  }
  RUN_OR_SKIP(out, h, {HostTensor::Float({2, 3, 4}, Iota(24))});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 3, 2, 1}));
  ExpectNear(out[0].floats(), expected);
}

TEST_F(LowerTest, LayoutOpsNumeric) {
  REQUIRE_OPSET();
  const std::vector<float> x = Iota(6);  // [2,3]
  struct Case {
    const char* name;
    std::function<void(Harness&, ValueView)> build;
    std::vector<int64_t> dims;
    std::vector<float> expected;
  };
  const Case cases[] = {
      {"Transpose", [](Harness& h, ValueView v) { h.Src("Transpose", "t", {v, h.Iv("perm", {1, 0})}); }, {3, 2},
       {0, 3, 1, 4, 2, 5}},
      {"Reshape", [](Harness& h, ValueView v) { h.Src("Reshape", "r", {v, h.I64("s", {2}, {3, -1})}); }, {3, 2},
       {0, 1, 2, 3, 4, 5}},
      {"ExpandDims", [](Harness& h, ValueView v) { h.Src("ExpandDims", "e", {v, h.Scalar("a", 1)}); }, {2, 1, 3},
       {0, 1, 2, 3, 4, 5}},
      {"Slice", [](Harness& h, ValueView v) { h.Src("Slice", "s", {v, h.Iv("b", {1, 1}), h.Iv("z", {1, 2})}); }, {1, 2},
       {4, 5}},
      {"Pad", [](Harness& h, ValueView v) { h.Src("Pad", "p", {v, h.I("p", {2, 2}, {0, 0, 1, 0})}); }, {2, 4},
       {0, 0, 1, 2, 0, 3, 4, 5}},
      {"PadV2", [](Harness& h, ValueView v) { h.Src("PadV2", "p", {v, h.I("p", {2, 2}, {0, 0, 0, 1}), h.F("c", {}, {9})}); },
       {2, 4}, {0, 1, 2, 9, 3, 4, 5, 9}},
      {"MirrorPad",
       [](Harness& h, ValueView v) {
         TFLC_EXPECT_OK(h.Src("MirrorPad", "p", {v, h.I("p", {2, 2}, {0, 0, 1, 1})}).SetString("mode", "REFLECT"));
       },
       {2, 5}, {1, 0, 1, 2, 1, 4, 3, 4, 5, 4}},
      {"Tile", [](Harness& h, ValueView v) { h.Src("Tile", "t", {v, h.Iv("m", {1, 2})}); }, {2, 6},
       {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}},
      {"ReverseV2", [](Harness& h, ValueView v) { h.Src("ReverseV2", "r", {v, h.Iv("a", {1})}); }, {2, 3},
       {2, 1, 0, 5, 4, 3}},
      {"ConcatV2", [](Harness& h, ValueView v) { h.Src("ConcatV2", "c", {v, h.F("k", {2, 1}, {7, 8}), h.Scalar("a", 1)}); },
       {2, 4}, {0, 1, 2, 7, 3, 4, 5, 8}},
      {"Pack",
       [](Harness& h, ValueView v) { TFLC_EXPECT_OK(h.Src("Pack", "p", {v, v}).SetInt("axis", 1)); },
       {2, 2, 3}, {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}},
      {"GatherV2", [](Harness& h, ValueView v) { h.Src("GatherV2", "g", {v, h.Iv("i", {2, 0}), h.Scalar("a", 1)}); },
       {2, 2}, {2, 0, 5, 3}},
      {"Gather", [](Harness& h, ValueView v) { h.Src("Gather", "g", {v, h.Iv("i", {1})}); }, {1, 3}, {3, 4, 5}},
      {"GatherNd", [](Harness& h, ValueView v) { h.Src("GatherNd", "g", {v, h.I("i", {2, 2}, {1, 2, 0, 1})}); }, {2},
       {5, 1}},
      {"BroadcastTo", [](Harness& h, ValueView v) { h.Src("BroadcastTo", "b", {v, h.Iv("s", {2, 2, 3})}); }, {2, 2, 3},
       {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}},
      {"Squeeze",
       [](Harness& h, ValueView v) {
         NodeView e = h.Src("ExpandDims", "e", {v, h.Scalar("a", 0)}, 1, false);
         h.Src("Squeeze", "s", {e.output(0)});
       },
       {2, 3}, {0, 1, 2, 3, 4, 5}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Harness hh;
    c.build(hh, hh.In("x", {2, 3}));
    RUN_OR_SKIP(out, hh, {HostTensor::Float({2, 3}, x)});
    EXPECT_EQ(out[0].dims, c.dims);
    ExpectNear(out[0].floats(), c.expected);
  }
}

TEST_F(LowerTest, SplitAndUnpackNumeric) {
  REQUIRE_OPSET();
  TFLC_ASSERT_OK(h.Src("SplitV", "s", {h.In("x", {2, 3}), h.Iv("sizes", {2, 1}), h.Scalar("axis", 1)}, 2)
                     .SetInt("num_split", 2));
  RUN_OR_SKIP(out, h, {HostTensor::Float({2, 3}, Iota(6))});
  ASSERT_EQ(out.size(), 2u);
  ExpectNear(out[0].floats(), {0, 1, 3, 4});
  ExpectNear(out[1].floats(), {2, 5});

  Harness h2;
  TFLC_ASSERT_OK(h2.Src("Split", "s", {h2.Scalar("axis", 0), h2.In("x", {2, 3})}, 2).SetInt("num_split", 2));
  RUN_OR_SKIP(out2, h2, {HostTensor::Float({2, 3}, Iota(6))});
  ExpectNear(out2[1].floats(), {3, 4, 5});

  Harness h3;
  TFLC_ASSERT_OK(h3.Src("Unpack", "u", {h3.In("x", {2, 3})}, 3).SetInt("axis", 1));
  RUN_OR_SKIP(out3, h3, {HostTensor::Float({2, 3}, Iota(6))});
  ASSERT_EQ(out3.size(), 3u);
  ExpectNear(out3[2].floats(), {2, 5});
}

TEST_F(LowerTest, ShapeFillRangeNumeric) {
  REQUIRE_OPSET();
  h.Src("Shape", "s", {h.In("x", {2, 3})});
  RUN_OR_SKIP(out, h, {HostTensor::Float({2, 3}, Iota(6))});
  EXPECT_EQ(out[0].int32s(), (std::vector<int32_t>{2, 3}));

  // (A RANGE with a non-constant limit has a data-dependent shape, which Interpret cannot run;
  // with constants the kernel runs in constant folding.)
  Harness h2;
  h2.Src("Range", "r", {h2.Scalar("start", 1), h2.Scalar("limit", 8), h2.Scalar("delta", 2)});
  RUN_OR_SKIP(out2, h2, {});
  EXPECT_EQ(out2[0].int32s(), (std::vector<int32_t>{1, 3, 5, 7}));

  Harness h3;
  h3.Src("Fill", "f", {h3.Iv("dims", {2, 2}), h3.In("v", {})});
  RUN_OR_SKIP(out3, h3, {HostTensor::Float({}, {1.5f})});
  ExpectNear(out3[0].floats(), {1.5f, 1.5f, 1.5f, 1.5f});
}

TEST_F(LowerTest, SpaceBatchDepthNumeric) {
  REQUIRE_OPSET();
  // SpaceToDepth on [1,2,2,1] block 2 → [1,1,1,4] with the 4 pixels in order.
  TFLC_ASSERT_OK(h.Src("SpaceToDepth", "s", {h.In("x", {1, 2, 2, 1})}).SetInt("block_size", 2));
  RUN_OR_SKIP(out, h, {HostTensor::Float({1, 2, 2, 1}, {1, 2, 3, 4})});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{1, 1, 1, 4}));
  ExpectNear(out[0].floats(), {1, 2, 3, 4});

  Harness h2;
  TFLC_ASSERT_OK(h2.Src("DepthToSpace", "d", {h2.In("x", {1, 1, 1, 4})}).SetInt("block_size", 2));
  RUN_OR_SKIP(out2, h2, {HostTensor::Float({1, 1, 1, 4}, {1, 2, 3, 4})});
  EXPECT_EQ(out2[0].dims, (std::vector<int64_t>{1, 2, 2, 1}));

  Harness h3;
  h3.Src("SpaceToBatchND", "s", {h3.In("x", {1, 2, 2, 1}), h3.Iv("b", {2, 2}), h3.I("p", {2, 2}, {0, 0, 0, 0})});
  RUN_OR_SKIP(out3, h3, {HostTensor::Float({1, 2, 2, 1}, {1, 2, 3, 4})});
  EXPECT_EQ(out3[0].dims, (std::vector<int64_t>{4, 1, 1, 1}));
  ExpectNear(out3[0].floats(), {1, 2, 3, 4});

  Harness h4;
  h4.Src("BatchToSpaceND", "b", {h4.In("x", {4, 1, 1, 1}), h4.Iv("b", {2, 2}), h4.I("c", {2, 2}, {0, 0, 0, 0})});
  RUN_OR_SKIP(out4, h4, {HostTensor::Float({4, 1, 1, 1}, {1, 2, 3, 4})});
  EXPECT_EQ(out4[0].dims, (std::vector<int64_t>{1, 2, 2, 1}));
  ExpectNear(out4[0].floats(), {1, 2, 3, 4});
}

TEST_F(LowerTest, ResizeNumeric) {
  REQUIRE_OPSET();
  h.Src("ResizeNearestNeighbor", "r", {h.In("x", {1, 2, 2, 1}), h.Iv("size", {4, 4})});
  RUN_OR_SKIP(out, h, {HostTensor::Float({1, 2, 2, 1}, {1, 2, 3, 4})});
  ExpectNear(out[0].floats(), {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});

  Harness h2;
  h2.Src("ResizeBilinear", "r", {h2.In("x", {1, 1, 2, 1}), h2.Iv("size", {1, 4})});
  RUN_OR_SKIP(out2, h2, {HostTensor::Float({1, 1, 2, 1}, {0, 4})});
  ExpectNear(out2[0].floats(), {0, 2, 4, 4});  // legacy (no half-pixel) sampling: x·in/out
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
