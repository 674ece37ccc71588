// Containers (KERAS.md A): where each writer puts a layer's weights (.keras archives of Keras 3 and
// tf.keras 2.13-2.15, Windows backslash names, Keras >= 3.6 name attrs; legacy .h5 nested models
// with every weight in the outermost nested model's group) and stock-vs-custom classification.
#include <hdf5.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "h5_util.h"
#include "keras_file.h"
#include "layer_class.h"
#include "model_config.h"
#include "test_util.h"
#include "weights.h"

namespace tflc::keras::testing {
namespace {

using Names = std::vector<std::string>;

struct Opened {
  std::unique_ptr<KerasFile> file;
  std::unique_ptr<ModelDef> model;
};

Opened Open(const std::string& name) {
  Opened o;
  ScopedH5Silence silence;
  auto f = OpenKerasFile(Model(name));
  EXPECT_TRUE(f.ok()) << f.status();
  if (!f.ok()) return o;
  o.file = std::move(f).value();
  auto m = ParseModelConfig(o.file->config, o.file->keras_major);
  EXPECT_TRUE(m.ok()) << m.status();
  if (m.ok()) o.model = std::move(m).value();
  return o;
}

// The weights found for the layer reached through `path` (layer names, outermost first).
LayerWeights Find(const Opened& o, const Names& path) {
  LayerChain chain;
  const ModelDef* m = o.model.get();
  for (const auto& n : path) {
    const LayerDef* l = m ? m->Find(n) : nullptr;
    EXPECT_NE(l, nullptr) << n;
    if (!l) return {};
    chain.emplace_back(m, l);
    m = l->model.get();
  }
  ScopedH5Silence silence;
  auto w = FindLayerWeights(*o.file, chain);
  EXPECT_TRUE(w.ok()) << w.status();
  return w.ok() ? std::move(w).value() : LayerWeights();
}

Names RefNames(const LayerWeights& w) {
  Names out;
  for (const auto& r : w.refs()) out.push_back(r.name);
  return out;
}

Names Vars(const std::string& group, int n) {
  Names out;
  for (int i = 0; i < n; ++i) out.push_back(group + "/vars/" + std::to_string(i));
  return out;
}

const char kL13[] = "_layer_checkpoint_dependencies";

TEST(Containers, TfKeras213NumbersWeightedLayersTwice) {
  REQUIRE_MODELS();
  Opened o = Open("tfkeras213_archive");
  ASSERT_TRUE(o.model);
  const std::string p = kL13;
  EXPECT_EQ(RefNames(Find(o, {"dense"})), Vars(p + "/dense", 2));
  EXPECT_EQ(RefNames(Find(o, {"dense_1"})), Vars(p + "/dense_2", 2));
  EXPECT_EQ(RefNames(Find(o, {"dense_2"})), Vars(p + "/dense_4", 2));
  EXPECT_TRUE(Find(o, {"dropout"}).refs().empty());
}

TEST(Containers, TfKeras214And215) {
  REQUIRE_MODELS();
  Opened a = Open("tfkeras214_archive");
  ASSERT_TRUE(a.model);
  EXPECT_EQ(RefNames(Find(a, {"dense_1"})), Vars(std::string(kL13) + "/dense_1", 2));
  EXPECT_EQ(RefNames(Find(a, {"dense_2"})), Vars(std::string(kL13) + "/dense_2", 2));
  Opened b = Open("tfkeras215_archive");
  ASSERT_TRUE(b.model);
  EXPECT_EQ(RefNames(Find(b, {"dense_2"})), Vars("layers/dense_2", 2));
}

TEST(Containers, WindowsBackslashNames) {
  REQUIRE_MODELS();
  Opened o = Open("tfkeras215_windows_archive");
  ASSERT_TRUE(o.model);
  LayerWeights w = Find(o, {"dense_1"});
  EXPECT_EQ(RefNames(w), Vars("layers/dense_1", 2));  // names are normalized
  ASSERT_EQ(w.refs().size(), 2u);
  EXPECT_EQ(w.refs()[0].path, "layers\\dense_1/vars/0");  // the real link name
}

TEST(Containers, TfKeras213NestedContainer) {
  REQUIRE_MODELS();
  Opened o = Open("tfkeras213_nested_archive");
  ASSERT_TRUE(o.model);
  const std::string p = kL13;
  EXPECT_EQ(RefNames(Find(o, {"pre"})), Vars(p + "/dense", 2));
  EXPECT_EQ(RefNames(Find(o, {"sequential", "inner_a"})), Vars(p + "/sequential/" + p + "/dense", 2));
  EXPECT_EQ(RefNames(Find(o, {"sequential", "inner_b"})), Vars(p + "/sequential/" + p + "/dense_2", 2));
  EXPECT_EQ(RefNames(Find(o, {"head"})), Vars(p + "/dense_2", 2));
}

TEST(Containers, KeysComeFromClassNamesNotLayerNames) {
  REQUIRE_MODELS();
  Opened o = Open("keras30_archive");
  ASSERT_TRUE(o.model);
  EXPECT_EQ(RefNames(Find(o, {"body"})), Vars("layers/dense", 2));
  EXPECT_EQ(RefNames(Find(o, {"head"})), Vars("layers/dense_1", 2));
}

TEST(Containers, NameAttrsDecideWhenPresent) {
  REQUIRE_MODELS();
  Opened o = Open("keras36_name_attrs");
  ASSERT_TRUE(o.model);
  EXPECT_EQ(RefNames(Find(o, {"first"})), Vars("layers/dense_1", 2));
  EXPECT_EQ(RefNames(Find(o, {"second"})), Vars("layers/dense", 2));
}

TEST(Containers, NestedWeightsInTheOutermostGroupByPath) {
  REQUIRE_MODELS();
  Opened o = Open("nested_outer_group_paths");
  ASSERT_TRUE(o.model);
  EXPECT_EQ(RefNames(Find(o, {"outer_seq", "dense"})), (Names{"outer_seq/dense/kernel:0", "outer_seq/dense/bias:0"}));
  EXPECT_EQ(RefNames(Find(o, {"outer_seq", "inner_seq", "dense"})),
            (Names{"outer_seq/inner_seq/dense/kernel:0", "outer_seq/inner_seq/dense/bias:0"}));
  // trainable weights first in the file, but the layer's own order here
  EXPECT_EQ(RefNames(Find(o, {"outer_seq", "inner_seq", "bn"})),
            (Names{"outer_seq/inner_seq/bn/gamma:0", "outer_seq/inner_seq/bn/beta:0",
                   "outer_seq/inner_seq/bn/moving_mean:0", "outer_seq/inner_seq/bn/moving_variance:0"}));
  EXPECT_EQ(RefNames(Find(o, {"outer_seq", "inner_seq", "innermost", "leaf"})),
            (Names{"outer_seq/inner_seq/innermost/leaf/kernel:0", "outer_seq/inner_seq/innermost/leaf/bias:0"}));
  EXPECT_EQ(Find(o, {"outer_seq", "dense"}).where(), "model_weights/outer_seq");
}

TEST(Containers, NestedWeightsInTheOutermostGroupFlatNames) {
  REQUIRE_MODELS();
  Opened o = Open("nested_outer_group_flat");
  ASSERT_TRUE(o.model);
  EXPECT_EQ(RefNames(Find(o, {"outer_seq", "dense"})), (Names{"dense/kernel:0", "dense/bias:0"}));
  EXPECT_EQ(RefNames(Find(o, {"outer_seq", "inner_seq", "dense_1"})), (Names{"dense_1/kernel:0", "dense_1/bias:0"}));
  EXPECT_EQ(RefNames(Find(o, {"outer_seq", "inner_seq", "innermost", "leaf"})),
            (Names{"leaf/kernel:0", "leaf/bias:0"}));
}

// MultiHeadAttention's sub-layers (no converter needed to check where their weights are found):
// a weights file written here with the HDF5 API, in each writer's layout.
class SubLayerPaths : public ::testing::Test {
 protected:
  // Writes `datasets` (paths; each a 2-float dataset) and `groups` into a new HDF5 file.
  Opened Write(const std::string& version, const std::vector<std::string>& datasets,
               const std::vector<std::string>& groups, const char* config_json = nullptr) {
    const std::string p = ::testing::TempDir() + "/sublayers_" + std::to_string(counter_++) + ".h5";
    {
      hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
      EXPECT_GE(f, 0);
      hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
      H5Pset_create_intermediate_group(lcpl, 1);
      for (const auto& g : groups) H5Gclose(H5Gcreate2(f, g.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT));
      const hsize_t dims[1] = {2};
      const float data[2] = {1, 2};
      for (const auto& d : datasets) {
        hid_t space = H5Screate_simple(1, dims, nullptr);
        hid_t ds = H5Dcreate2(f, d.c_str(), H5T_IEEE_F32LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
        EXPECT_GE(ds, 0) << d;
        H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
        H5Dclose(ds);
        H5Sclose(space);
      }
      H5Pclose(lcpl);
      H5Fclose(f);
    }
    Opened o;
    o.file = std::make_unique<KerasFile>();
    o.file->path = p;
    o.file->kind = FileKind::kKerasZip;  // the layout of a .keras archive's model.weights.h5
    o.file->keras_version = version;
    o.file->keras_major = version[0] - '0';
    auto f = OpenH5File(p);
    EXPECT_TRUE(f.ok()) << f.status();
    if (!f.ok()) return o;
    o.file->file = std::move(f).value();
    o.file->weights_root = OpenGroup(o.file->file.get(), "/");
    const Json config = config_json ? Json::parse(config_json) : Json::parse(R"({"class_name": "Functional", "config": {"name": "f", "layers": [
        {"class_name": "InputLayer", "name": "q", "config": {"batch_input_shape": [null, 3, 4], "name": "q"},
         "inbound_nodes": []},
        {"module": "keras.layers", "class_name": "MultiHeadAttention", "name": "mha",
         "config": {"name": "mha", "num_heads": 1, "key_dim": 2},
         "inbound_nodes": [{"args": [], "kwargs": {}}]}],
        "input_layers": [["q", 0, 0]], "output_layers": [["mha", 0, 0]]}})");
    auto m = ParseModelConfig(config, o.file->keras_major);
    EXPECT_TRUE(m.ok()) << m.status();
    if (m.ok()) o.model = std::move(m).value();
    return o;
  }
  // MHA sub-layer datasets: `_query_dense` (Keras 3.0, tf.keras) or `query_dense` (Keras 3.1+).
  static std::vector<std::string> Mha(const std::string& prefix, const std::string& sep, bool underscore) {
    std::vector<std::string> out;
    for (const char* sub : {"query", "key", "value", "output"})
      for (int i = 0; i < 2; ++i)
        out.push_back(prefix + sep + "multi_head_attention" + sep + (underscore ? "_" : "") + sub + "_dense/vars/" +
                      std::to_string(i));
    return out;
  }
  static std::vector<std::string> Sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
  int counter_ = 0;
};

TEST_F(SubLayerPaths, Keras30PrivateNames) {
  Opened o = Write("3.0.5", Mha("layers", "/", true), {"layers/input_layer/vars", "vars"});
  ASSERT_TRUE(o.model);
  EXPECT_EQ(Sorted(RefNames(Find(o, {"mha"}))), Sorted(Mha("layers", "/", true)));
}

TEST_F(SubLayerPaths, Keras31PublicNamesAndEmptySubLayers) {
  Opened o = Write("3.9.2", Mha("layers", "/", false),
                   {"layers/multi_head_attention/_softmax/vars", "layers/multi_head_attention/_dropout_layer/vars"});
  ASSERT_TRUE(o.model);
  EXPECT_EQ(Sorted(RefNames(Find(o, {"mha"}))), Sorted(Mha("layers", "/", false)));
}

// Keras 3 operation layers (keras.src.ops.*) are not in model.layers: they take no key, while the
// layer keras.layers.Add does (Keras < 3.6: no name attrs to go by).
TEST_F(SubLayerPaths, OpLayersTakeNoKey) {
  const char* config = R"({"class_name": "Functional", "config": {"name": "f", "layers": [
      {"module": "keras.layers", "class_name": "InputLayer", "name": "in", "registered_name": null,
       "config": {"batch_shape": [null, 2], "name": "in"}, "inbound_nodes": []},
      {"module": "keras.layers", "class_name": "Dense", "name": "d1", "registered_name": null,
       "config": {"name": "d1", "units": 2}, "inbound_nodes": []},
      {"module": "keras.src.ops.numpy", "class_name": "Add", "name": "add", "registered_name": "Add",
       "config": {"name": "add"}, "inbound_nodes": []},
      {"module": "keras.src.ops.numpy", "class_name": "Dense", "name": "not_a_layer", "registered_name": "Dense",
       "config": {}, "inbound_nodes": []},
      {"module": "keras.layers", "class_name": "Add", "name": "add_layer", "registered_name": null,
       "config": {"name": "add_layer"}, "inbound_nodes": []},
      {"module": "keras.layers", "class_name": "Dense", "name": "d2", "registered_name": null,
       "config": {"name": "d2", "units": 2}, "inbound_nodes": []}],
      "input_layers": [["in", 0, 0]], "output_layers": [["d2", 0, 0]]}})";
  Opened o = Write("3.5.0", {"layers/dense/vars/0", "layers/dense_1/vars/0"},
                   {"layers/input_layer/vars", "layers/add/vars", "vars"}, config);
  ASSERT_TRUE(o.model);
  EXPECT_EQ(RefNames(Find(o, {"d1"})), (Names{"layers/dense/vars/0"}));
  EXPECT_EQ(RefNames(Find(o, {"d2"})), (Names{"layers/dense_1/vars/0"}));
  EXPECT_EQ(Find(o, {"add_layer"}).where(), "layers/add");
}

TEST_F(SubLayerPaths, TfKeras213OnWindows) {
  // tf.keras 2.13 on Windows: `_layer_checkpoint_dependencies\multi_head_attention\_query_dense`
  // is one root-level link; the MHA has variables, so the next MHA would be number 2.
  const auto real = Mha("_layer_checkpoint_dependencies", "\\", true);
  Opened o = Write("2.13.1", real, {"_layer_checkpoint_dependencies\\input_layer/vars"});
  ASSERT_TRUE(o.model);
  LayerWeights w = Find(o, {"mha"});
  EXPECT_EQ(Sorted(RefNames(w)), Sorted(Mha("_layer_checkpoint_dependencies", "/", true)));
  std::vector<std::string> paths;
  for (const auto& r : w.refs()) paths.push_back(r.path);
  EXPECT_EQ(Sorted(paths), Sorted(real));
}

LayerDef Def(const std::string& cls, const std::string& module = "", const std::string& registered = "") {
  LayerDef l;
  l.class_name = cls;
  l.name = "x";
  l.module = module;
  l.registered_name = registered;
  return l;
}

TEST(Containers, StockOrCustom) {
  auto stock = [](const LayerDef& l) { return ClassifyLayer(l).origin == LayerOrigin::kStock; };
  // Keras 3 / tf.keras .keras: exported classes, Keras-internal classes
  EXPECT_TRUE(stock(Def("Dense", "keras.layers")));
  EXPECT_TRUE(stock(Def("Attention", "keras.layers")));
  EXPECT_TRUE(stock(Def("Add", "keras.src.ops.numpy", "Add")));
  EXPECT_TRUE(stock(Def("TFOpLambda", "keras.src.layers.core.tf_op_layer", "TFOpLambda")));
  EXPECT_TRUE(stock(Def("Dense", "keras.src.layers.core.dense")));
  // user classes sharing a stock name
  EXPECT_FALSE(stock(Def("Attention", "my_layers", "Custom>Attention")));
  EXPECT_FALSE(stock(Def("Attention", "my_layers", "MyAttn")));
  EXPECT_FALSE(stock(Def("Attention", "keras.layers", "MyAttn")));
  EXPECT_FALSE(stock(Def("Add", "", "Add")));  // "module": null: defined in __main__
  EXPECT_FALSE(stock(Def("QDense", "qkeras.qlayers", "qkeras>QDense")));
  EXPECT_FALSE(stock(Def("Dense", "keras_extras.layers")));
  // legacy .h5: "package>Name" is custom; bare names by the Keras class list
  EXPECT_FALSE(stock(Def("my_pkg>Attention")));
  EXPECT_FALSE(stock(Def("QDense")));
  EXPECT_TRUE(stock(Def("Attention")));
  EXPECT_TRUE(stock(Def("Conv3D")));
  EXPECT_TRUE(stock(Def("Dense")));
  const LayerClass c = ClassifyLayer(Def("Attention", "my_layers", "MyAttn"));
  EXPECT_EQ(c.description, "class 'Attention' from module 'my_layers' (registered as 'MyAttn')");
}

TEST(Containers, CustomClassNeverDispatchedToTheStockConverter) {
  REQUIRE_MODELS();
  Loaded l(Model("custom_shares_stock_name"));
  ASSERT_FALSE(l.status().ok());
  EXPECT_EQ(l.status().code(), TFLC_CODE_UNIMPLEMENTED);
  const std::string& m = l.status().message();
  EXPECT_NE(m.find("layer 'my_add': class 'Add' from module 'my_layers' (registered as 'MyAdd')"), std::string::npos)
      << m;
  EXPECT_NE(m.find("custom Keras layer that no loaded plugin implements"), std::string::npos) << m;
  EXPECT_NE(m.find("--saved_model_dir"), std::string::npos) << m;
  EXPECT_NE(m.find("keras.<Class>"), std::string::npos) << m;  // the op a Keras layer plugin claims
}

TEST(Containers, StockUnsupportedSaysSo) {
  REQUIRE_MODELS();
  Loaded l(Model("stock_unsupported_layer"));
  ASSERT_FALSE(l.status().ok());
  const std::string& m = l.status().message();
  EXPECT_NE(m.find("layer 'conv3d_transpose' (class Conv3DTranspose): a stock Keras layer tflc does not support yet"), std::string::npos)
      << m;
  EXPECT_NE(m.find("file an issue"), std::string::npos) << m;
  EXPECT_EQ(m.find("custom"), std::string::npos) << m;
}

TEST(Containers, SameModelSameGraphFromBothContainers) {
  REQUIRE_MODELS();
  Loaded a(Model("container_pair_h5"));
  Loaded b(Model("container_pair_keras"));
  ASSERT_TRUE(a.status().ok()) << a.status();
  ASSERT_TRUE(b.status().ok()) << b.status();
  EXPECT_EQ(a.Ops(), b.Ops());
  EXPECT_EQ(a.InputSignatures(), b.InputSignatures());
  EXPECT_EQ(a.OutputSignatures(), b.OutputSignatures());
  for (const char* node : {"dense/MatMul", "shared/MatMul", "conv2d/Conv2D"})
    EXPECT_EQ(F32(a.Input(node, 1)), F32(b.Input(node, 1))) << node;
}

}  // namespace
}  // namespace tflc::keras::testing
