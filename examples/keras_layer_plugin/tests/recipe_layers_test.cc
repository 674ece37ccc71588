// Unit tests of the keras_recipe_layers plugin in FakeHost (the real host in-process), next to the
// installed lower_builtin and opset_builtin plugins (dlopen'ed from TFLC_INSTALLED_PLUGIN_DIR), so
// a lowered layer runs on the opsets' reference kernels and is compared with a plain C++
// computation of the recipe written here from the Keras semantics (not from the plugin). Plus the
// shared plugin conformance suite. Built when the tflc install ships its testing component.
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "recipe_layers.h"
#include "tflc/testing/fake_host.h"
#ifdef RECIPE_HAVE_CONFORMANCE
#include "tflc/testing/conformance.h"
#endif

namespace {

using tflc::testing::FakeHost;
using tflc::testing::HostTensor;
using tflc::testing::SeededFloats;
using Dims = std::vector<int64_t>;

#ifdef RECIPE_HAVE_CONFORMANCE
TFLC_PLUGIN_CONFORMANCE_TEST(KerasRecipeLayers, KerasRecipeLayers_Query);
#endif

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The installed plugin `name`'s query function (dlopen; the library stays loaded).
TflcPluginQueryFn InstalledPlugin(const std::string& name) {
  const std::string path = std::string(TFLC_INSTALLED_PLUGIN_DIR) + "/lib" + name + ".so";
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) return nullptr;
  return reinterpret_cast<TflcPluginQueryFn>(dlsym(h, "TflcPlugin_Query"));
}

// A FakeHost with this plugin, and (when `with_builtins`) the installed lower_builtin + opset_builtin.
void AddPlugins(FakeHost& host, bool with_builtins = true) {
  ASSERT_TRUE(host.Register(&KerasRecipeLayers_Query).ok());
  if (!with_builtins) return;
  for (const char* name : {"opset_builtin", "lower_builtin"}) {
    TflcPluginQueryFn fn = InstalledPlugin(name);
    ASSERT_NE(fn, nullptr) << "cannot load lib" << name << ".so from " << TFLC_INSTALLED_PLUGIN_DIR;
    auto s = host.Register(fn, name);
    ASSERT_TRUE(s.ok()) << s.message();
  }
}

// Calls this plugin's SOURCE-domain InferShape for the node, as the Keras frontend does.
tflc::Status InferShape(FakeHost& host, const tflc::sdk::NodeView& node) {
  TflcPluginQuery_Args q{};
  q.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  q.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  q.host_abi_minor = TFLC_ABI_VERSION_MINOR;
  const TflcPluginApi* api = KerasRecipeLayers_Query(&q);
  for (size_t i = 0; i < api->num_ops; ++i) {
    const TflcOpsetEntry& e = api->ops[i];
    if (e.domain != TFLC_DOMAIN_SOURCE || node.op() != e.op) continue;
    TflcOpShape_Args a{};
    a.struct_size = TflcOpShape_Args_STRUCT_SIZE;
    a.host = host.api();
    a.node = node.get();
    a.user_data = e.user_data;
    return tflc::sdk::ValueView(host.api(), nullptr).Absorb(e.InferShape(&a));
  }
  return tflc::Status(TFLC_CODE_NOT_FOUND, "no SOURCE entry for " + std::string(node.op()));
}

// ---------------------------------------------------------------------------- the recipe in C++

struct Weight {
  std::string name;
  Dims dims;
  std::vector<float> values;
};

std::vector<float> Seeded(const Dims& dims, uint32_t seed, float scale = 0.6f) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return SeededFloats(static_cast<size_t>(n), seed, scale);
}

// Sizes: embed_dim E, num_heads H, ff_dim F, key_dim D (the recipe: D = E).
struct Tb {
  int64_t L = 5, E = 8, H = 2, F = 12, D = 8;
};

// The recipe's 16 weights in the order the file lists them, named in the given dialect.
std::vector<Weight> TbWeights(const Tb& c, bool keras3) {
  const int64_t E = c.E, H = c.H, F = c.F, D = c.D;
  std::vector<std::pair<std::string, std::string>> names;  // (h5, .keras)
  const char* proj_h5[] = {"query", "key", "value", "attention_output"};
  const char* proj_k3[] = {"query_dense", "key_dense", "value_dense", "output_dense"};
  std::vector<Weight> w;
  uint32_t seed = 11;
  for (int i = 0; i < 4; ++i) {
    const Dims k = i < 3 ? Dims{E, H, D} : Dims{H, D, E};
    const Dims b = i < 3 ? Dims{H, D} : Dims{E};
    w.push_back({keras3 ? std::string("att/") + proj_k3[i] + "/vars/0" : std::string("multi_head_attention_1/") + proj_h5[i] + "/kernel", k, Seeded(k, seed++)});
    w.push_back({keras3 ? std::string("att/") + proj_k3[i] + "/vars/1" : std::string("multi_head_attention_1/") + proj_h5[i] + "/bias", b, Seeded(b, seed++, 0.2f)});
  }
  w.push_back({keras3 ? "ffn/layers/dense/vars/0" : "sequential_1/dense_2/kernel", {E, F}, Seeded({E, F}, seed++)});
  w.push_back({keras3 ? "ffn/layers/dense/vars/1" : "sequential_1/dense_2/bias", {F}, Seeded({F}, seed++, 0.2f)});
  w.push_back({keras3 ? "ffn/layers/dense_1/vars/0" : "sequential_1/dense_3/kernel", {F, E}, Seeded({F, E}, seed++)});
  w.push_back({keras3 ? "ffn/layers/dense_1/vars/1" : "sequential_1/dense_3/bias", {E}, Seeded({E}, seed++, 0.2f)});
  for (int i = 0; i < 2; ++i) {
    std::vector<float> g = Seeded({E}, seed++, 0.5f);
    for (float& v : g) v += 1.0f;
    w.push_back({keras3 ? "layernorm" + std::to_string(i + 1) + "/vars/0" : "layer_normalization_" + std::to_string(i + 2) + "/gamma", {E}, g});
    w.push_back({keras3 ? "layernorm" + std::to_string(i + 1) + "/vars/1" : "layer_normalization_" + std::to_string(i + 2) + "/beta", {E}, Seeded({E}, seed++, 0.2f)});
  }
  if (keras3) {
    // .keras lists the children sorted by name: att/key_dense, att/output_dense, att/query_dense, ...
    std::stable_sort(w.begin(), w.end(), [](const Weight& a, const Weight& b) { return a.name < b.name; });
  }
  return w;
}

const Weight& ByRole(const std::vector<Weight>& w, const std::string& h5_part, const std::string& k3_part) {
  for (const Weight& x : w) {
    if (Contains(x.name, h5_part) || Contains(x.name, k3_part)) return x;
  }
  static const Weight none;
  ADD_FAILURE() << "no weight " << h5_part;
  return none;
}

// y = x W + b for x [rows, in] and W [in, out].
std::vector<double> Dense(const std::vector<double>& x, int64_t rows, int64_t in, const Weight& w, const Weight& b,
                          int64_t out) {
  std::vector<double> y(static_cast<size_t>(rows * out));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double s = b.values[static_cast<size_t>(o)];
      for (int64_t i = 0; i < in; ++i) s += x[static_cast<size_t>(r * in + i)] * w.values[static_cast<size_t>(i * out + o)];
      y[static_cast<size_t>(r * out + o)] = s;
    }
  return y;
}

std::vector<double> LayerNorm(const std::vector<double>& x, int64_t rows, int64_t n, const Weight& g, const Weight& b) {
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < n; ++i) mean += x[static_cast<size_t>(r * n + i)];
    mean /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) var += std::pow(x[static_cast<size_t>(r * n + i)] - mean, 2);
    var /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i)
      y[static_cast<size_t>(r * n + i)] = (x[static_cast<size_t>(r * n + i)] - mean) / std::sqrt(var + 1e-6) *
                                              g.values[static_cast<size_t>(i)] + b.values[static_cast<size_t>(i)];
  }
  return y;
}

// The recipe's TransformerBlock.call on x [1, L, E] (dropout = identity).
std::vector<double> ReferenceTb(const Tb& c, const std::vector<Weight>& w, const std::vector<float>& xf) {
  const int64_t L = c.L, E = c.E, H = c.H, F = c.F, D = c.D;
  std::vector<double> x(xf.begin(), xf.end());
  // Projections: [L, E] x [E, H*D] (the kernel [E, H, D] flattened) + bias [H*D].
  auto proj = [&](const char* h5, const char* k3) {
    return Dense(x, L, E, ByRole(w, std::string(h5) + "/kernel", std::string(k3) + "/vars/0"),
                 ByRole(w, std::string(h5) + "/bias", std::string(k3) + "/vars/1"), H * D);
  };
  const std::vector<double> q = proj("/query", "query_dense"), k = proj("/key", "key_dense"),
                            v = proj("/value", "value_dense");
  std::vector<double> ctx(static_cast<size_t>(L * H * D), 0.0);
  for (int64_t h = 0; h < H; ++h)
    for (int64_t t = 0; t < L; ++t) {
      std::vector<double> s(static_cast<size_t>(L));
      double mx = -1e300;
      for (int64_t u = 0; u < L; ++u) {
        double d = 0;
        for (int64_t j = 0; j < D; ++j) d += q[static_cast<size_t>((t * H + h) * D + j)] * k[static_cast<size_t>((u * H + h) * D + j)];
        s[static_cast<size_t>(u)] = d / std::sqrt(static_cast<double>(D));
        mx = std::max(mx, s[static_cast<size_t>(u)]);
      }
      double sum = 0;
      for (double& e : s) sum += (e = std::exp(e - mx));
      for (int64_t u = 0; u < L; ++u)
        for (int64_t j = 0; j < D; ++j)
          ctx[static_cast<size_t>((t * H + h) * D + j)] += s[static_cast<size_t>(u)] / sum * v[static_cast<size_t>((u * H + h) * D + j)];
    }
  const std::vector<double> attn = Dense(ctx, L, H * D, ByRole(w, "attention_output/kernel", "output_dense/vars/0"),
                                         ByRole(w, "attention_output/bias", "output_dense/vars/1"), E);
  std::vector<double> r1(x.size());
  for (size_t i = 0; i < x.size(); ++i) r1[i] = x[i] + attn[i];
  const std::vector<double> out1 = LayerNorm(r1, L, E, ByRole(w, "layer_normalization_2/gamma", "layernorm1/vars/0"),
                                             ByRole(w, "layer_normalization_2/beta", "layernorm1/vars/1"));
  std::vector<double> h = Dense(out1, L, E, ByRole(w, "dense_2/kernel", "/dense/vars/0"), ByRole(w, "dense_2/bias", "/dense/vars/1"), F);
  for (double& e : h) e = std::max(e, 0.0);
  const std::vector<double> f = Dense(h, L, F, ByRole(w, "dense_3/kernel", "/dense_1/vars/0"),
                                      ByRole(w, "dense_3/bias", "/dense_1/vars/1"), E);
  std::vector<double> r2(x.size());
  for (size_t i = 0; i < x.size(); ++i) r2[i] = out1[i] + f[i];
  return LayerNorm(r2, L, E, ByRole(w, "layer_normalization_3/gamma", "layernorm2/vars/0"),
                   ByRole(w, "layer_normalization_3/beta", "layernorm2/vars/1"));
}

// ---------------------------------------------------------------------------- graphs

// x [1, L, E] → keras.TransformerBlock "transformer_block" (+ weights) → y. Returns the node.
tflc::sdk::NodeView BuildTb(FakeHost& host, const Tb& c, const std::vector<Weight>& w,
                            const std::vector<std::pair<std::string, int64_t>>& int_config = {}) {
  auto g = host.graph();
  auto x = g.Input("x", TFLC_TYPE_FLOAT32, {1, c.L, c.E});
  EXPECT_TRUE(x.ok());
  std::vector<tflc::sdk::ValueView> in = {*x};
  std::vector<std::string> names;
  for (const Weight& wt : w) {
    auto v = g.ConstFloat("transformer_block/" + wt.name, wt.dims, wt.values);
    EXPECT_TRUE(v.ok());
    in.push_back(*v);
    names.push_back(wt.name);
  }
  auto node = g.Source("keras.TransformerBlock", "transformer_block/call", in);
  EXPECT_TRUE(node.ok()) << node.status().message();
  EXPECT_TRUE(node->SetInt("_keras_inputs", 1).ok());
  EXPECT_TRUE(node->SetStringList("_keras_weights", names).ok());
  EXPECT_TRUE(node->SetString("_keras_class", "TransformerBlock").ok());
  EXPECT_TRUE(node->SetString("name", "transformer_block").ok());
  EXPECT_TRUE(node->SetBool("trainable", true).ok());
  EXPECT_TRUE(node->SetString("dtype", "{\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"}}").ok());
  EXPECT_TRUE(node->SetFloat("rate", 0.1).ok());
  std::vector<std::pair<std::string, int64_t>> cfg = {{"embed_dim", c.E}, {"num_heads", c.H}, {"ff_dim", c.F}};
  for (const auto& kv : int_config) {
    bool replaced = false;
    for (auto& e : cfg) {
      if (e.first == kv.first) {
        e.second = kv.second;
        replaced = true;
      }
    }
    if (!replaced) cfg.push_back(kv);
  }
  for (const auto& kv : cfg) EXPECT_TRUE(node->SetInt(kv.first, kv.second).ok());
  EXPECT_TRUE(g.Output(node->output(0), "y").ok());
  return *node;
}

void ExpectNear(const std::vector<float>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  EXPECT_LE(worst, tol);
}

// ---------------------------------------------------------------------------- TransformerBlock

void RunTb(bool keras3, const Tb& c, void (*rename)(std::string*) = nullptr) {
  FakeHost host;
  AddPlugins(host);
  std::vector<Weight> w = TbWeights(c, keras3);
  if (rename) {
    for (Weight& x : w) rename(&x.name);
  }
  tflc::sdk::NodeView node = BuildTb(host, c, w);
  ASSERT_TRUE(InferShape(host, node).ok()) << InferShape(host, node).message();
  EXPECT_EQ(node.output(0).dims(), (Dims{1, c.L, c.E}));
  EXPECT_EQ(node.output(0).type(), TFLC_TYPE_FLOAT32);
  const tflc::Status s = host.RunPipeline();
  ASSERT_TRUE(s.ok()) << s.message() << "\n" << host.Dump();
  const std::string dump = host.Dump();
  EXPECT_FALSE(Contains(dump, "keras.TransformerBlock")) << dump;
  EXPECT_TRUE(Contains(dump, "SOFTMAX")) << dump;
  EXPECT_TRUE(Contains(dump, "FULLY_CONNECTED")) << dump;
  const std::vector<float> x = Seeded({1, c.L, c.E}, 99, 2.0f);
  auto out = host.Interpret({HostTensor::Float({1, c.L, c.E}, x)});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  ExpectNear((*out)[0].floats(), ReferenceTb(c, w, x), 2e-5);
}

TEST(TransformerBlock, KerasDialectLowersAndMatchesTheRecipe) { RunTb(true, Tb{}); }
TEST(TransformerBlock, LegacyH5DialectLowersAndMatchesTheRecipe) { RunTb(false, Tb{}); }
TEST(TransformerBlock, KeyDimEmbedDimOverHeadsIsTakenFromTheWeights) {
  Tb c;
  c.D = c.E / c.H;
  RunTb(true, c);
}

// Other H5 writers: the ffn's Dense layers without the `sequential/` scope, and an outer scope.
TEST(TransformerBlock, LegacyH5NamesWithOtherScopesAreAccepted) {
  RunTb(false, Tb{}, [](std::string* n) {
    if (n->rfind("sequential_1/", 0) == 0) n->erase(0, 13);
    else *n = "functional/" + *n;
  });
}

// tf.keras 2.13 / 2.14 .keras: a Sequential's layers under _layer_checkpoint_dependencies.
TEST(TransformerBlock, TfKeras213SequentialPathIsAccepted) {
  RunTb(true, Tb{}, [](std::string* n) {
    if (n->rfind("ffn/layers/", 0) == 0) n->replace(4, 6, "_layer_checkpoint_dependencies");
  });
}

TEST(TransformerBlock, TensorflowKeras3PrivateNamesAreAccepted) {
  FakeHost host;
  AddPlugins(host, false);
  Tb c;
  std::vector<Weight> w = TbWeights(c, true);
  for (Weight& x : w) {
    for (const char* p : {"query_dense", "key_dense", "value_dense", "output_dense"}) {
      const size_t at = x.name.find(p);
      if (at != std::string::npos) x.name.insert(at, "_");
    }
  }
  tflc::sdk::NodeView node = BuildTb(host, c, w);
  const tflc::Status s = InferShape(host, node);
  EXPECT_TRUE(s.ok()) << s.message();
}

// The refusals: InferShape and the lowering both fail, naming the layer and what differs.
void ExpectRefusal(FakeHost& host, const tflc::sdk::NodeView& node, const std::vector<std::string>& parts) {
  const tflc::Status s = InferShape(host, node);
  ASSERT_FALSE(s.ok());
  for (const std::string& p : parts) EXPECT_TRUE(Contains(s.message(), p)) << s.message();
  // The layer by its scope name (the node's name without the frontend's "/call") and class.
  EXPECT_TRUE(Contains(s.message(), "layer 'transformer_block' (class TransformerBlock)") ||
              Contains(s.message(), "layer 'token_and_position_embedding' (class TokenAndPositionEmbedding)"))
      << s.message();
  EXPECT_TRUE(Contains(s.message(), "SavedModel")) << s.message();
  const tflc::Status l = host.RunPipeline();
  ASSERT_FALSE(l.ok());
  for (const std::string& p : parts) EXPECT_TRUE(Contains(l.message(), p)) << l.message();
}

TEST(TransformerBlock, RefusesAConfigKeyTheRecipeDoesNotHave) {
  FakeHost host;
  AddPlugins(host);
  Tb c;
  tflc::sdk::NodeView node = BuildTb(host, c, TbWeights(c, true));
  ASSERT_TRUE(node.SetFloat("epsilon", 1e-3).ok());
  ExpectRefusal(host, node, {"config key 'epsilon' is not an argument of the keras.io recipe's TransformerBlock"});
}

TEST(TransformerBlock, RefusesAConfigThatDisagreesWithTheWeights) {
  FakeHost host;
  AddPlugins(host);
  Tb c;
  tflc::sdk::NodeView node = BuildTb(host, c, TbWeights(c, false), {{"ff_dim", 16}});
  ExpectRefusal(host, node, {"weight 'sequential_1/dense_2/kernel'", "has shape [8,12]",
                             "TransformerBlock(embed_dim=8, num_heads=2, ff_dim=16) has [8,16]"});
}

TEST(TransformerBlock, RefusesAnExtraWeight) {
  FakeHost host;
  AddPlugins(host);
  Tb c;
  std::vector<Weight> w = TbWeights(c, true);
  w.push_back({"ffn/layers/dense_2/vars/0", {c.E, c.E}, Seeded({c.E, c.E}, 5)});
  tflc::sdk::NodeView node = BuildTb(host, c, w);
  ExpectRefusal(host, node, {"ffn/layers/dense_2/vars/0", "does not have"});
}

TEST(TransformerBlock, RefusesAnUnknownWeightAndAMissingOne) {
  FakeHost host;
  AddPlugins(host);
  Tb c;
  std::vector<Weight> w = TbWeights(c, false);
  w.back().name = "layer_normalization_3/moving_mean";  // not a LayerNormalization weight
  tflc::sdk::NodeView node = BuildTb(host, c, w);
  ExpectRefusal(host, node, {"weight 'layer_normalization_3/moving_mean' is not one of the weights"});

  FakeHost host2;
  AddPlugins(host2);
  std::vector<Weight> w2 = TbWeights(c, true);
  w2.pop_back();
  tflc::sdk::NodeView node2 = BuildTb(host2, c, w2);
  ExpectRefusal(host2, node2, {"it has no", "weight"});
}

TEST(TransformerBlock, RefusesAnInputThatIsNotEmbedDimWide) {
  FakeHost host;
  AddPlugins(host);
  Tb c;
  tflc::sdk::NodeView node = BuildTb(host, c, TbWeights(c, true), {{"embed_dim", 16}});
  ExpectRefusal(host, node, {"config embed_dim is 16"});
}

// ---------------------------------------------------------------------------- TokenAndPositionEmbedding

struct Emb {
  int64_t L = 6, M = 7, V = 11, E = 4;
};

tflc::sdk::NodeView BuildEmb(FakeHost& host, const Emb& c, bool keras3, std::vector<float>* token,
                             std::vector<float>* pos, bool extra_key = false) {
  auto g = host.graph();
  auto x = g.Input("x", TFLC_TYPE_FLOAT32, {1, c.L});
  *token = Seeded({c.V, c.E}, 3);
  *pos = Seeded({c.M, c.E}, 4);
  // .keras sorts children by name (pos_emb before token_emb); H5 lists them in tracking order.
  std::vector<std::pair<std::string, std::pair<Dims, std::vector<float>*>>> ws;
  if (keras3) {
    ws = {{"pos_emb/vars/0", {{c.M, c.E}, pos}}, {"token_emb/vars/0", {{c.V, c.E}, token}}};
  } else {
    ws = {{"embedding_4/embeddings", {{c.V, c.E}, token}}, {"embedding_5/embeddings", {{c.M, c.E}, pos}}};
  }
  std::vector<tflc::sdk::ValueView> in = {*x};
  std::vector<std::string> names;
  for (auto& [name, spec] : ws) {
    auto v = g.ConstFloat("token_and_position_embedding/" + name, spec.first, *spec.second);
    in.push_back(*v);
    names.push_back(name);
  }
  auto node = g.Source("keras.TokenAndPositionEmbedding", "token_and_position_embedding/call", in);
  EXPECT_TRUE(node.ok());
  EXPECT_TRUE(node->SetInt("_keras_inputs", 1).ok());
  EXPECT_TRUE(node->SetStringList("_keras_weights", names).ok());
  EXPECT_TRUE(node->SetString("_keras_class", "TokenAndPositionEmbedding").ok());
  EXPECT_TRUE(node->SetString("name", "token_and_position_embedding").ok());
  EXPECT_TRUE(node->SetString("dtype", "float32").ok());
  EXPECT_TRUE(node->SetInt("maxlen", c.M).ok());
  EXPECT_TRUE(node->SetInt("vocab_size", c.V).ok());
  EXPECT_TRUE(node->SetInt("embed_dim", c.E).ok());
  if (extra_key) {
    EXPECT_TRUE(node->SetBool("mask_zero", true).ok());
  }
  EXPECT_TRUE(g.Output(node->output(0), "y").ok());
  return *node;
}

void RunEmb(bool keras3) {
  FakeHost host;
  AddPlugins(host);
  Emb c;
  std::vector<float> token, pos;
  tflc::sdk::NodeView node = BuildEmb(host, c, keras3, &token, &pos);
  ASSERT_TRUE(InferShape(host, node).ok());
  EXPECT_EQ(node.output(0).dims(), (Dims{1, c.L, c.E}));
  const tflc::Status s = host.RunPipeline();
  ASSERT_TRUE(s.ok()) << s.message() << "\n" << host.Dump();
  EXPECT_TRUE(Contains(host.Dump(), "GATHER")) << host.Dump();
  // Float ids (layers.Input is float32): cast to int32 truncates 3.7 → 3.
  const std::vector<float> x = {0.f, 3.7f, 10.f, 1.f, 5.2f, 9.f};
  auto out = host.Interpret({HostTensor::Float({1, c.L}, x)});
  ASSERT_TRUE(out.ok()) << out.status().message();
  std::vector<double> want;
  for (int64_t t = 0; t < c.L; ++t) {
    const int64_t id = static_cast<int64_t>(x[static_cast<size_t>(t)]);
    for (int64_t j = 0; j < c.E; ++j)
      want.push_back(static_cast<double>(token[static_cast<size_t>(id * c.E + j)]) + pos[static_cast<size_t>(t * c.E + j)]);
  }
  ExpectNear((*out)[0].floats(), want, 1e-6);
}

TEST(TokenAndPositionEmbedding, KerasDialectLowersAndMatchesTheRecipe) { RunEmb(true); }
TEST(TokenAndPositionEmbedding, LegacyH5DialectLowersAndMatchesTheRecipe) { RunEmb(false); }

TEST(TokenAndPositionEmbedding, RefusesAnExtraConfigKey) {
  FakeHost host;
  AddPlugins(host);
  std::vector<float> token, pos;
  tflc::sdk::NodeView node = BuildEmb(host, Emb{}, true, &token, &pos, /*extra_key=*/true);
  ExpectRefusal(host, node, {"config key 'mask_zero' is not an argument of the keras.io recipe's TokenAndPositionEmbedding"});
}

TEST(TokenAndPositionEmbedding, RefusesASequenceLongerThanMaxlen) {
  FakeHost host;
  AddPlugins(host);
  Emb c;
  c.L = 9;
  std::vector<float> token, pos;
  tflc::sdk::NodeView node = BuildEmb(host, c, false, &token, &pos);
  ExpectRefusal(host, node, {"longer than maxlen 7"});
}

TEST(TokenAndPositionEmbedding, RefusesATableThatDisagreesWithTheConfig) {
  FakeHost host;
  AddPlugins(host);
  Emb c;
  std::vector<float> token, pos;
  tflc::sdk::NodeView node = BuildEmb(host, c, true, &token, &pos);
  ASSERT_TRUE(node.SetInt("vocab_size", 20000).ok());
  ExpectRefusal(host, node, {"weight 'token_emb/vars/0' (token_emb) has shape [11,4]", "vocab_size=20000", "[20000,4]"});
}

TEST(KerasRecipeLayers, TablesClaimBothOpsInTheSourceDomain) {
  TflcPluginQuery_Args q{};
  q.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  q.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  q.host_abi_minor = TFLC_ABI_VERSION_MINOR;
  const TflcPluginApi* api = KerasRecipeLayers_Query(&q);
  ASSERT_NE(api, nullptr);
  ASSERT_EQ(api->num_ops, 2u);
  ASSERT_EQ(api->num_lowerings, 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(api->ops[i].domain, TFLC_DOMAIN_SOURCE);
    EXPECT_STREQ(api->ops[i].op, api->lowerings[i].source_op);  // every claimed op has its shape entry
  }
  EXPECT_STREQ(api->lowerings[0].source_op, "keras.TokenAndPositionEmbedding");
  EXPECT_STREQ(api->lowerings[1].source_op, "keras.TransformerBlock");
}

}  // namespace
