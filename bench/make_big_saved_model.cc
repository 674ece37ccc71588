// make_big_saved_model: writes a large TF1-style SavedModel for benchmarks (the SavedModel
// counterpart of bench/make_big_keras.py).
//
// Usage: make_big_saved_model OUT_DIR TARGET_BYTES [WIDTH]
//
// OUT_DIR/saved_model.pb: one MetaGraphDef tagged "serve" with a "serving_default" signature
// x -> y; the graph is Placeholder x -> N x (MatMul(VariableV2 kernel [W,W]) -> BiasAdd(VariableV2
// bias [W]) -> Relu), plus the TF1 saver (save/RestoreV2 + save/Assign_k + save/restore_all).
// OUT_DIR/variables/variables.{index,data-00000-of-00001}: the TensorBundle, written as
// BundleWriter does (index = a leveldb table, kNoCompression, 256 KiB blocks, keys sorted
// bytewise, header under ""; data packed back to back, masked CRC-32C per tensor).
//
// Weights come from a seeded xorshift generator, uniform in [-1/sqrt(W), 1/sqrt(W)), written in
// 16 MiB chunks, so memory stays small at any size. When the weights are small (<= 64 MiB) the
// generator also computes y for x[j] = sin(j) in double precision and writes it, with x, to
// OUT_DIR/reference.txt (two lines of space-separated floats) for checking a converter's output.
#include <boost/crc.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "graph.pb.h"
#include "leveldb/env.h"
#include "leveldb/options.h"
#include "leveldb/table_builder.h"
#include "saved_model.pb.h"
#include "tensor_bundle.pb.h"

namespace tf = tflc::tf;

namespace {

using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;
uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "make_big_saved_model: %s\n", msg.c_str());
  std::exit(1);
}

// xorshift64*: cheap, deterministic, the same sequence in the writer and the reference check.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  float Next(float scale) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    uint64_t r = s * 0x2545F4914F6CDD1Dull;
    return (static_cast<float>(r >> 40) * (1.0f / 8388608.0f) - 1.0f) * scale;  // [-scale, scale)
  }
};

std::string Name(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "dense_%d", i);
  return buf;
}

tf::TensorShapeProto Shape(std::initializer_list<int64_t> dims) {
  tf::TensorShapeProto s;
  for (int64_t d : dims) s.add_dim()->set_size(d);
  return s;
}

tf::NodeDef* Node(tf::GraphDef* g, const std::string& name, const std::string& op,
                  std::initializer_list<std::string> inputs) {
  tf::NodeDef* n = g->add_node();
  n->set_name(name);
  n->set_op(op);
  for (const auto& i : inputs) n->add_input(i);
  return n;
}
void SetType(tf::NodeDef* n, const char* attr, tf::DataType t) { (*n->mutable_attr())[attr].set_type(t); }

struct Entry {
  std::vector<int64_t> dims;
  uint64_t offset = 0, size = 0;
  uint32_t crc = 0;
};

// Appends one float tensor of `count` values from `rng` to the data file, in chunks.
Entry WriteTensor(std::FILE* f, uint64_t* offset, std::vector<int64_t> dims, uint64_t count, Rng& rng, float scale,
                  std::vector<float>* keep) {
  static std::vector<float> buf(4u << 20);  // 16 MiB
  Crc32c crc;
  Entry e;
  e.dims = std::move(dims);
  e.offset = *offset;
  for (uint64_t done = 0; done < count;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), count - done));
    for (size_t i = 0; i < n; ++i) buf[i] = rng.Next(scale);
    if (keep) keep->insert(keep->end(), buf.begin(), buf.begin() + n);
    crc.process_bytes(buf.data(), n * 4);
    if (std::fwrite(buf.data(), 4, n, f) != n) Die("write failed (disk full?)");
    done += n;
  }
  e.size = count * 4;
  e.crc = Mask(crc.checksum());
  *offset += e.size;
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: make_big_saved_model OUT_DIR TARGET_BYTES [WIDTH]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const uint64_t target = static_cast<uint64_t>(std::strtod(argv[2], nullptr));
  const int64_t width = argc > 3 ? std::atoll(argv[3]) : 8192;
  if (width <= 0) Die("WIDTH must be positive");
  const uint64_t per_layer = static_cast<uint64_t>(width) * width * 4 + static_cast<uint64_t>(width) * 4;
  const int layers = static_cast<int>(std::max<uint64_t>(1, (target + per_layer - 1) / per_layer));
  const bool reference = per_layer * layers <= (64u << 20);
  const float scale = 1.0f / std::sqrt(static_cast<float>(width));

  std::error_code ec;
  std::filesystem::create_directories(dir + "/variables", ec);
  if (ec) Die("cannot create " + dir + "/variables: " + ec.message());

  // --- variables.data-00000-of-00001, in layer order (BundleWriter's Add order) ---
  const std::string prefix = dir + "/variables/variables";
  std::FILE* data = std::fopen((prefix + ".data-00000-of-00001").c_str(), "wb");
  if (!data) Die("cannot create " + prefix + ".data-00000-of-00001");
  std::map<std::string, Entry> entries;  // sorted bytewise, as the table needs
  std::vector<std::vector<float>> kernels(reference ? layers : 0), biases(reference ? layers : 0);
  uint64_t offset = 0;
  Rng rng(1);
  for (int i = 0; i < layers; ++i) {
    entries[Name(i) + "/kernel"] = WriteTensor(data, &offset, {width, width}, static_cast<uint64_t>(width) * width,
                                               rng, scale, reference ? &kernels[i] : nullptr);
    entries[Name(i) + "/bias"] =
        WriteTensor(data, &offset, {width}, static_cast<uint64_t>(width), rng, 0.1f, reference ? &biases[i] : nullptr);
  }
  if (std::fclose(data) != 0) Die("write failed on close (disk full?)");

  // --- variables.index: a leveldb table as BundleWriter writes it ---
  leveldb::Env* env = leveldb::Env::Default();
  leveldb::WritableFile* index_file = nullptr;
  if (!env->NewWritableFile(prefix + ".index", &index_file).ok()) Die("cannot create " + prefix + ".index");
  leveldb::Options options;
  options.compression = leveldb::kNoCompression;
  options.block_size = 256 * 1024;
  {
    leveldb::TableBuilder table(options, index_file);
    tf::BundleHeaderProto header;
    header.set_num_shards(1);
    header.set_endianness(tf::BundleHeaderProto::LITTLE);
    header.mutable_version()->set_producer(1);
    table.Add("", header.SerializeAsString());
    for (const auto& [key, e] : entries) {
      tf::BundleEntryProto p;
      p.set_dtype(tf::DT_FLOAT);
      for (int64_t d : e.dims) p.mutable_shape()->add_dim()->set_size(d);
      p.set_shard_id(0);
      p.set_offset(static_cast<int64_t>(e.offset));
      p.set_size(static_cast<int64_t>(e.size));
      p.set_crc32c(e.crc);
      table.Add(key, p.SerializeAsString());
    }
    if (!table.Finish().ok()) Die("cannot write " + prefix + ".index");
  }
  if (!index_file->Close().ok()) Die("cannot close " + prefix + ".index");
  delete index_file;

  // --- saved_model.pb ---
  tf::SavedModel sm;
  sm.set_saved_model_schema_version(1);
  tf::MetaGraphDef* mg = sm.add_meta_graphs();
  mg->mutable_meta_info_def()->add_tags("serve");
  mg->mutable_meta_info_def()->set_tensorflow_version("1.15.0");
  tf::GraphDef* g = mg->mutable_graph_def();
  g->mutable_versions()->set_producer(134);
  tf::NodeDef* x = Node(g, "x", "Placeholder", {});
  SetType(x, "dtype", tf::DT_FLOAT);
  *(*x->mutable_attr())["shape"].mutable_shape() = Shape({-1, width});
  std::string prev = "x";
  std::vector<std::string> var_names;
  for (int i = 0; i < layers; ++i) {
    const std::string n = Name(i);
    for (const char* w : {"kernel", "bias"}) {
      const std::string v = n + "/" + w;
      var_names.push_back(v);
      tf::NodeDef* var = Node(g, v, "VariableV2", {});
      SetType(var, "dtype", tf::DT_FLOAT);
      *(*var->mutable_attr())["shape"].mutable_shape() =
          std::strcmp(w, "kernel") == 0 ? Shape({width, width}) : Shape({width});
      (*var->mutable_attr())["container"].set_s("");
      (*var->mutable_attr())["shared_name"].set_s("");
      SetType(Node(g, v + "/read", "Identity", {v}), "T", tf::DT_FLOAT);
    }
    tf::NodeDef* mm = Node(g, n + "/MatMul", "MatMul", {prev, n + "/kernel/read"});
    SetType(mm, "T", tf::DT_FLOAT);
    (*mm->mutable_attr())["transpose_a"].set_b(false);
    (*mm->mutable_attr())["transpose_b"].set_b(false);
    tf::NodeDef* ba = Node(g, n + "/BiasAdd", "BiasAdd", {n + "/MatMul", n + "/bias/read"});
    SetType(ba, "T", tf::DT_FLOAT);
    (*ba->mutable_attr())["data_format"].set_s("NHWC");
    SetType(Node(g, n + "/Relu", "Relu", {n + "/BiasAdd"}), "T", tf::DT_FLOAT);
    prev = n + "/Relu";
  }
  // TF1 saver: save/RestoreV2 reads every variable by its node name; save/restore_all assigns them.
  auto string_const = [&](const std::string& name, const std::vector<std::string>& values, bool scalar) {
    tf::NodeDef* c = Node(g, name, "Const", {});
    SetType(c, "dtype", tf::DT_STRING);
    tf::TensorProto* t = (*c->mutable_attr())["value"].mutable_tensor();
    t->set_dtype(tf::DT_STRING);
    if (!scalar) t->mutable_tensor_shape()->add_dim()->set_size(static_cast<int64_t>(values.size()));
    for (const auto& v : values) t->add_string_val(v);
  };
  string_const("save/Const", {"model"}, true);
  string_const("save/RestoreV2/tensor_names", var_names, false);
  string_const("save/RestoreV2/shape_and_slices", std::vector<std::string>(var_names.size(), ""), false);
  tf::NodeDef* restore =
      Node(g, "save/RestoreV2", "RestoreV2", {"save/Const", "save/RestoreV2/tensor_names", "save/RestoreV2/shape_and_slices"});
  auto* dtypes = (*restore->mutable_attr())["dtypes"].mutable_list();
  for (size_t k = 0; k < var_names.size(); ++k) dtypes->add_type(tf::DT_FLOAT);
  tf::NodeDef* restore_all = Node(g, "save/restore_all", "NoOp", {});
  for (size_t k = 0; k < var_names.size(); ++k) {
    const std::string a = k == 0 ? "save/Assign" : "save/Assign_" + std::to_string(k);
    tf::NodeDef* as = Node(g, a, "Assign", {var_names[k], "save/RestoreV2:" + std::to_string(k)});
    SetType(as, "T", tf::DT_FLOAT);
    (*as->mutable_attr())["use_locking"].set_b(true);
    (*as->mutable_attr())["validate_shape"].set_b(true);
    restore_all->add_input("^" + a);
  }
  mg->mutable_saver_def()->set_filename_tensor_name("save/Const:0");
  mg->mutable_saver_def()->set_restore_op_name("save/restore_all");
  tf::SignatureDef& sig = (*mg->mutable_signature_def())["serving_default"];
  sig.set_method_name("tensorflow/serving/predict");
  tf::TensorInfo& in = (*sig.mutable_inputs())["x"];
  in.set_name("x:0");
  in.set_dtype(tf::DT_FLOAT);
  *in.mutable_tensor_shape() = Shape({-1, width});
  tf::TensorInfo& out = (*sig.mutable_outputs())["y"];
  out.set_name(prev + ":0");
  out.set_dtype(tf::DT_FLOAT);
  *out.mutable_tensor_shape() = Shape({-1, width});
  {
    std::ofstream f(dir + "/saved_model.pb", std::ios::binary);
    if (!sm.SerializeToOstream(&f) || !f.flush()) Die("cannot write " + dir + "/saved_model.pb");
  }

  // --- reference output for x[j] = sin(j) (small models only) ---
  if (reference) {
    std::vector<double> h(static_cast<size_t>(width)), next(static_cast<size_t>(width));
    for (int64_t j = 0; j < width; ++j) h[j] = static_cast<float>(std::sin(static_cast<double>(j)));
    std::ofstream f(dir + "/reference.txt");
    for (double v : h) f << static_cast<float>(v) << ' ';
    f << '\n';
    for (int i = 0; i < layers; ++i) {
      for (int64_t o = 0; o < width; ++o) {
        double s = biases[i][o];
        for (int64_t k = 0; k < width; ++k) s += h[k] * kernels[i][k * width + o];  // kernel is [in, out]
        next[o] = std::max(0.0, s);
      }
      h.swap(next);
    }
    f.precision(9);
    for (double v : h) f << static_cast<float>(v) << ' ';
    f << '\n';
  }
  std::printf("wrote %s: %d x (MatMul %lldx%lld + BiasAdd + Relu), %.2f GB of variables\n", dir.c_str(), layers,
              static_cast<long long>(width), static_cast<long long>(width), per_layer * layers / 1e9);
  return 0;
}
