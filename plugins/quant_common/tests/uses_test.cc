// GraphUses and FindOptionField.
#include "quant_common/uses.h"

#include <gtest/gtest.h>

#include "tflc/testing/fake_host.h"

namespace tflc::quant {
namespace {

TEST(GraphUses, ListsEveryInputSlotInNodeOrder) {
  testing::FakeHost host;
  sdk::GraphBuilder g = host.graph();
  auto x = g.Input("x", TFLC_TYPE_FLOAT32, {2});
  auto w = g.ConstFloat("w", {2}, {1, 2});
  ASSERT_TRUE(x.ok() && w.ok());
  auto a = g.Source("Mul", "a", {*x, *w});
  ASSERT_TRUE(a.ok());
  auto b = g.Source("Mul", "b", {a->output(0), *w});
  ASSERT_TRUE(b.ok());
  auto c = g.Source("AddN", "c", {*w, b->output(0), *w});
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(g.Output(c->output(0), "y").ok());

  GraphUses uses(g);
  ASSERT_EQ(uses.nodes().size(), 3u);
  const auto& uw = uses.of(*w);
  ASSERT_EQ(uw.size(), 4u);
  EXPECT_EQ(uw[0].node.name(), "a");
  EXPECT_EQ(uw[0].input, 1u);
  EXPECT_EQ(uw[1].node.name(), "b");
  EXPECT_EQ(uw[2].node.name(), "c");
  EXPECT_EQ(uw[2].input, 0u);
  EXPECT_EQ(uw[3].input, 2u);
  EXPECT_EQ(uses.of(*x).size(), 1u);
  EXPECT_TRUE(uses.of(c->output(0)).empty());  // a graph output only
}

// An option field as a newer plugin might compile it: bigger than ours.
struct WideField {
  TflcOptionField f;
  double extra;
};

TEST(FindOptionField, WalksWithTheEntryStride) {
  static const WideField kFields[] = {
      {sdk::Field("fused_activation_function", 0, TFLC_OPTION_INT8), 1.0},
      {sdk::Field("keep_num_dims", 2, TFLC_OPTION_BOOL), 2.0},
      {sdk::Field("asymmetric_quantize_inputs", 3, TFLC_OPTION_BOOL), 3.0},
  };
  TflcOpsetEntry e{};
  e.struct_size = TflcOpsetEntry_STRUCT_SIZE;
  e.option_fields = &kFields[0].f;
  e.num_option_fields = 3;
  e.option_field_stride = sizeof(WideField);
  const TflcOptionField* f = FindOptionField(&e, "asymmetric_quantize_inputs");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->slot, 3);
  EXPECT_EQ(FindOptionField(&e, "keep_num_dims")->slot, 2);
  EXPECT_EQ(FindOptionField(&e, "asymmetric"), nullptr);
  EXPECT_EQ(FindOptionField(nullptr, "keep_num_dims"), nullptr);

  static const TflcOptionField kPlain[] = {sdk::Field("asymmetric_quantize_inputs", 4, TFLC_OPTION_BOOL)};
  TflcOpsetEntry p{};
  p.struct_size = TflcOpsetEntry_STRUCT_SIZE;
  p.option_fields = kPlain;
  p.num_option_fields = 1;  // stride 0: the v1.0 size
  ASSERT_NE(FindOptionField(&p, "asymmetric_quantize_inputs"), nullptr);
  EXPECT_EQ(FindOptionField(&p, "asymmetric_quantize_inputs")->slot, 4);
}

}  // namespace
}  // namespace tflc::quant
