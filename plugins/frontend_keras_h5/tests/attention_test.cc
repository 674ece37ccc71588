// EinsumDense, MultiHeadAttention, Attention, AdditiveAttention, LayerNormalization,
// GroupNormalization, UnitNormalization: the TF ops the frontend emits for the generated models
// (tests/models/gen_attention.py), the TFLite ops a LayerNormalization lowers to, and the shared
// transformer models.
#include <cmath>

#include "frontend.h"
#include "test_util.h"

#if TFLC_KERAS_HAVE_PIPELINE
extern "C" const TflcPluginApi* TflcLowerBuiltin_Query(const TflcPluginQuery_Args* args);
extern "C" const TflcPluginApi* TflcOpsetBuiltin_Query(const TflcPluginQuery_Args* args);
#endif

namespace tflc::keras::testing {
namespace {

using Ops = std::vector<std::string>;
using Dims = std::vector<int64_t>;

#define LOAD(var, name)                       \
  REQUIRE_MODELS();                           \
  Loaded var(Model(name));                    \
  ASSERT_TRUE(var.status().ok()) << var.status()

// Ops of the nodes whose name starts with `prefix`, in graph order.
Ops OpsUnder(Loaded& l, const std::string& prefix) {
  Ops ops;
  GraphBuilder g = l.g();
  for (size_t i = 0; i < g.num_nodes(); ++i)
    if (std::string(g.node(i).name()).rfind(prefix, 0) == 0) ops.emplace_back(g.node(i).op());
  return ops;
}

TEST(Attention, LayerNormalizationEmitsMomentsAndBatchNormForm) {
  LOAD(l, "layer_norm_axes");
  // tf.nn.moments + tf.nn.batch_normalization, as TF traces Keras' LayerNormalization.
  EXPECT_EQ(OpsUnder(l, "ln_last/"), (Ops{"Mean", "SquaredDifference", "Mean", "AddV2", "Rsqrt", "Mul", "Mul", "Mul",
                                          "Sub", "AddV2"}));
  EXPECT_EQ(I32(l.Input("ln_last/moments/mean", 1)), (std::vector<int32_t>{2}));
  EXPECT_EQ(l.Int("ln_last/moments/mean", "keep_dims"), 1);
  EXPECT_NEAR(First(l.Input("ln_last/batchnorm/add", 1)), 1e-6, 1e-12);
  EXPECT_EQ(l.InDims("ln_last/batchnorm/mul", 1), (Dims{6}));  // gamma (C,) broadcasts as is
  // axis [1, 2]: gamma (4, 6) reshaped to the broadcast shape (1, 4, 6); no beta → -mean*inv.
  EXPECT_EQ(I32(l.Input("ln_both/moments/mean", 1)), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(l.InDims("ln_both/batchnorm/mul", 1), (Dims{1, 4, 6}));
  EXPECT_EQ(OpsUnder(l, "ln_both/"), (Ops{"Mean", "SquaredDifference", "Mean", "AddV2", "Rsqrt", "Mul", "Mul", "Mul",
                                          "Neg", "AddV2"}));
  // axis 1 without gamma: beta (4,) as (1, 4, 1); inv not scaled.
  EXPECT_EQ(OpsUnder(l, "ln_time/"), (Ops{"Mean", "SquaredDifference", "Mean", "AddV2", "Rsqrt", "Mul", "Mul", "Sub",
                                          "AddV2"}));
  EXPECT_EQ(l.InDims("ln_time/batchnorm/sub", 0), (Dims{1, 4, 1}));
  EXPECT_NEAR(First(l.Input("ln_time/batchnorm/add", 1)), 1e-3, 1e-9);
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 4, 6}));
}

TEST(Attention, LayerNormalizationLowersToTheOfficialConvertersOps) {
#if !TFLC_KERAS_HAVE_PIPELINE
  GTEST_SKIP() << "lower_builtin / opset_builtin are not part of this build";
#else
  REQUIRE_MODELS();
  tflc::testing::FakeHost host;
  TFLC_ASSERT_OK(host.Register(&TflcFrontendKerasH5_Query, "frontend_keras_h5"));
  TFLC_ASSERT_OK(host.Register(&TflcLowerBuiltin_Query, "lower_builtin"));
  TFLC_ASSERT_OK(host.Register(&TflcOpsetBuiltin_Query, "opset_builtin"));
  TFLC_ASSERT_OK(host.LoadModel(Model("layer_norm_keras3")));
  {
    Status s = host.RunPipeline();
    ASSERT_TRUE(s.ok()) << s << "\n" << host.Dump();
  }
  Ops ops;
  GraphBuilder g = host.graph();
  for (size_t i = 0; i < g.num_nodes(); ++i) ops.emplace_back(g.node(i).op());
  // The TF converter's ops for Keras LayerNormalization (moments + batch_normalization form), then
  // the rms_scaling layer: moments, add, rsqrt, x * inv * gamma.
  EXPECT_EQ(ops, (Ops{"MEAN", "SQUARED_DIFFERENCE", "MEAN", "ADD", "RSQRT", "MUL", "MUL", "MUL", "SUB", "ADD",
                      "MEAN", "SQUARED_DIFFERENCE", "MEAN", "ADD", "RSQRT", "MUL", "MUL"}))
      << host.Dump();
#endif
}

TEST(Attention, GroupNormalizationReshapesIntoGroups) {
  LOAD(l, "group_norm");
  EXPECT_EQ(OpsUnder(l, "gn_seq/"), (Ops{"Reshape", "Mean", "SquaredDifference", "Mean", "AddV2", "Rsqrt", "Mul", "Mul",
                                         "Mul", "Sub", "AddV2", "Reshape"}));
  EXPECT_EQ(I32(l.Input("gn_seq/Reshape", 1)), (std::vector<int32_t>{1, 5, 3, 2}));
  EXPECT_EQ(I32(l.Input("gn_seq/moments/mean", 1)), (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(l.InDims("gn_seq/batchnorm/mul", 1), (Dims{1, 1, 3, 2}));
  EXPECT_EQ(I32(l.Input("gn_per_channel/Reshape", 1)), (std::vector<int32_t>{1, 5, 6, 1}));
  EXPECT_EQ(I32(l.Input("gn_image/Reshape", 1)), (std::vector<int32_t>{1, 3, 3, 2, 2}));
  EXPECT_EQ(I32(l.Input("gn_image/moments/mean", 1)), (std::vector<int32_t>{1, 2, 4}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 3, 3, 4}));
}

TEST(Attention, UnitNormalizationFormulaFollowsTheKerasVersion) {
  {
    LOAD(l, "unit_norm_tfkeras");  // tf.keras: rsqrt(max(sum, 1e-12))
    EXPECT_EQ(OpsUnder(l, "un_both/"), (Ops{"Square", "Sum", "Maximum", "Rsqrt", "Mul"}));
    EXPECT_EQ(I32(l.Input("un_both/Sum", 1)), (std::vector<int32_t>{1, 2}));
    EXPECT_NEAR(First(l.Input("un_both/Maximum", 1)), 1e-12, 1e-18);
  }
  {
    LOAD(l, "unit_norm_keras3");  // Keras >= 3.6: min(rsqrt(sum), 1e12)
    EXPECT_EQ(OpsUnder(l, "unit_normalization/"), (Ops{"Square", "Sum", "Rsqrt", "Minimum", "Mul"}));
    EXPECT_NEAR(First(l.Input("unit_normalization/Minimum", 1)), 1e12, 1e6);
  }
}

TEST(Attention, EinsumDenseKeepsTheEquationAndShapesTheBias) {
  LOAD(l, "einsum_dense");
  EXPECT_EQ(OpsUnder(l, "ed_left/"), (Ops{"Einsum", "AddV2", "Relu"}));
  EXPECT_EQ(l.Str("ed_left/einsum/Einsum", "equation"), "...b,bc->...c");
  EXPECT_EQ(l.Int("ed_left/einsum/Einsum", "N"), 2);
  EXPECT_TRUE(l.Input("ed_left/einsum/Einsum", 1).is_const());
  EXPECT_EQ(l.InDims("ed_left/einsum/Einsum", 1), (Dims{6, 5}));
  // Right ellipsis: bias (3,) + one 1 per elided dim.
  EXPECT_EQ(l.InDims("ed_right/einsum/Einsum", 1), (Dims{4, 3}));
  EXPECT_EQ(l.InDims("ed_right/add", 1), (Dims{3, 1}));
  EXPECT_EQ(l.InDims("ed_full/einsum/Einsum", 1), (Dims{6, 2, 3}));
  EXPECT_EQ(l.InDims("ed_full/add", 1), (Dims{2, 3}));
  EXPECT_EQ(OpsUnder(l, "ed_nobias/"), (Ops{"Einsum"}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 4, 5}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 3, 6}));
  EXPECT_EQ(l.g().output(2).dims(), (Dims{1, 4, 2, 3}));
  EXPECT_EQ(l.g().output(3).dims(), (Dims{1, 7}));
}

TEST(Attention, MultiHeadAttentionKwargsMaskAndScores) {
  LOAD(l, "mha_tfkeras_kwargs");
  const std::string m = "multi_head_attention/";
  EXPECT_EQ(l.Str(m + "query/einsum/Einsum", "equation"), "abc,cde->abde");
  EXPECT_EQ(l.InDims(m + "query/einsum/Einsum", 1), (Dims{6, 2, 3}));
  EXPECT_EQ(l.InDims(m + "key/einsum/Einsum", 1), (Dims{2, 2, 3}));    // key input dim 2
  EXPECT_EQ(l.InDims(m + "value/einsum/Einsum", 1), (Dims{3, 2, 4}));  // value_dim 4
  EXPECT_EQ(l.InDims(m + "query/add", 1), (Dims{2, 3}));
  EXPECT_NEAR(First(l.Input(m + "Mul", 1)), 1.0 / std::sqrt(3.0), 1e-7);
  EXPECT_EQ(l.Str(m + "einsum/Einsum", "equation"), "aecd,abcd->acbe");
  EXPECT_EQ(l.Str(m + "einsum_1/Einsum", "equation"), "acbe,aecd->abcd");
  EXPECT_EQ(l.Str(m + "attention_output/einsum/Einsum", "equation"), "abcd,cde->abe");
  EXPECT_EQ(l.InDims(m + "attention_output/einsum/Einsum", 1), (Dims{2, 4, 7}));
  // attention_mask (B, T, S) → (1 - mask) * -1e9 added to the (B, N, T, S) scores.
  EXPECT_EQ(OpsUnder(l, m + "attention_mask/"), (Ops{"NotEqual", "Cast"}));
  EXPECT_EQ(I32(l.Input(m + "ExpandDims", 1)), (std::vector<int32_t>{-3}));
  EXPECT_NEAR(First(l.Input(m + "softmax/mul", 1)), -1e9, 1);
  EXPECT_EQ(l.Count("Softmax"), 2);
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 4, 7}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 2, 4, 5}));  // return_attention_scores
  // use_causal_mask: a constant lower-triangular (1, T, S) mask.
  std::vector<float> causal = F32(l.Input("self_attention/ExpandDims", 0));
  ASSERT_EQ(causal.size(), 16u);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_EQ(causal[static_cast<size_t>(i * 4 + j)], i >= j ? 1.0f : 0.0f) << i << "," << j;
}

TEST(Attention, MultiHeadAttentionRank4AttentionAxes) {
  LOAD(l, "mha_rank4_axes");
  EXPECT_EQ(l.Str("mha_hw/query/einsum/Einsum", "equation"), "abcd,def->abcef");
  EXPECT_EQ(l.Str("mha_hw/einsum/Einsum", "equation"), "afgde,abcde->adbcfg");
  EXPECT_EQ(l.Str("mha_hw/einsum_1/Einsum", "equation"), "adbcfg,afgde->abcde");
  // Softmax over two axes: merged by a reshape and restored.
  EXPECT_EQ(OpsUnder(l, "mha_hw/softmax/"), (Ops{"Reshape", "Softmax", "Reshape"}));
  EXPECT_EQ(I32(l.Input("mha_hw/softmax/Reshape", 1)), (std::vector<int32_t>{1, 2, 3, 4, 12}));
  // output_shape [2, 3]: kernel (N, dv, 2, 3), equation with two output letters.
  EXPECT_EQ(l.Str("mha_hw/attention_output/einsum/Einsum", "equation"), "abcde,defg->abcfg");
  EXPECT_EQ(l.InDims("mha_hw/attention_output/einsum/Einsum", 1), (Dims{2, 2, 2, 3}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 3, 4, 2, 3}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 2, 3, 4, 3, 4}));
  EXPECT_EQ(l.Str("mha_w/einsum/Einsum", "equation"), "abfde,abcde->abdcf");
  EXPECT_EQ(l.g().output(2).dims(), (Dims{1, 3, 4, 5}));
}

TEST(Attention, MultiHeadAttentionWeightPathsOfEveryWriter) {
  for (const char* name : {"mha_keras3_block", "mha_keras30_block", "mha_keras3_legacy_h5"}) {
    LOAD(l, name);
    EXPECT_EQ(l.Count("Einsum"), 6) << name;
  }
  LOAD(g, "mha_keras314_gate");
  EXPECT_EQ(g.Count("Einsum"), 7);
  EXPECT_EQ(OpsUnder(g, "multi_head_attention/gate/"), (Ops{"Einsum", "AddV2", "Sigmoid"}));
  EXPECT_EQ(g.InDims("multi_head_attention/gate/einsum/Einsum", 1), (Dims{4, 2, 3}));
}

TEST(Attention, DenseAttentionLayers) {
  LOAD(l, "dense_attention");
  EXPECT_EQ(OpsUnder(l, "att_dot/"), (Ops{"BatchMatMulV2", "Mul", "Sub", "Mul", "AddV2", "Softmax", "BatchMatMulV2"}));
  EXPECT_EQ(l.Int("att_dot/MatMul", "adj_y"), 1);
  EXPECT_EQ(OpsUnder(l, "att_add/"), (Ops{"ExpandDims", "ExpandDims", "AddV2", "Tanh", "Mul", "Sum", "Softmax",
                                          "BatchMatMulV2"}));
  EXPECT_EQ(l.InDims("att_add/mul", 0), (Dims{6}));
  EXPECT_EQ(OpsUnder(l, "att_concat/"), (Ops{"ExpandDims", "ExpandDims", "AddV2", "Mul", "Tanh", "Sum", "Mul", "Softmax",
                                             "BatchMatMulV2"}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 4, 5}));
  LOAD(k3, "dense_attention_keras3");
  EXPECT_EQ(OpsUnder(k3, "attention/value_mask/"), (Ops{"NotEqual", "Cast", "ExpandDims"}));
  EXPECT_EQ(k3.g().output(1).dims(), (Dims{1, 4, 4}));
}

// The shared transformer models (third-party files; no official .tflite exists for them).
TEST(Attention, SharedTransformers) {
  if (SharedModelsDir().empty()) GTEST_SKIP() << "the shared model corpus (../shared/models) is absent";
  for (const char* f : {"bitcoin_mha_keras39_h5_and_keras/transformer_model.h5",
                        "bitcoin_mha_keras39_h5_and_keras/transformer_model.keras"}) {
    Loaded l(SharedModelsDir() + "/" + f);
    ASSERT_TRUE(l.status().ok()) << f << ": " << l.status();
    EXPECT_EQ(l.Count("Einsum"), 6) << f;
    EXPECT_EQ(l.Count("Rsqrt"), 2) << f;
    EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 7, 13})) << f;
  }
  Loaded ts(SharedModelsDir() + "/ts_transformer_keras39_mha/transformer_model.keras");
  ASSERT_TRUE(ts.status().ok()) << ts.status();
  EXPECT_EQ(ts.Count("Einsum"), 12);
  EXPECT_EQ(ts.Count("Rsqrt"), 4);
#if TFLC_KERAS_HAVE_PIPELINE
  // The same model saved as legacy H5 and .keras converts to the same bytes.
  std::string bytes[2];
  int k = 0;
  for (const char* f : {"bitcoin_mha_keras39_h5_and_keras/transformer_model.h5",
                        "bitcoin_mha_keras39_h5_and_keras/transformer_model.keras"}) {
    tflc::testing::FakeHost host;
    TFLC_ASSERT_OK(host.Register(&TflcFrontendKerasH5_Query, "frontend_keras_h5"));
    TFLC_ASSERT_OK(host.Register(&TflcLowerBuiltin_Query, "lower_builtin"));
    TFLC_ASSERT_OK(host.Register(&TflcOpsetBuiltin_Query, "opset_builtin"));
    TFLC_ASSERT_OK(host.LoadModel(SharedModelsDir() + "/" + f));
    Status s = host.RunPipeline();
    if (!s.ok() && s.message().find("Einsum") != std::string::npos) GTEST_SKIP() << "no Einsum lowering in this build";
    ASSERT_TRUE(s.ok()) << s;
    auto out = host.Export();
    ASSERT_TRUE(out.ok()) << out.status();
    bytes[k++] = *out;
  }
  EXPECT_FALSE(bytes[0].empty());
  EXPECT_EQ(bytes[0], bytes[1]);
#endif
}

}  // namespace
}  // namespace tflc::keras::testing
