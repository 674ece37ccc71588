#include "export/exporter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <unordered_map>

#include "flatbuffers/flatbuffers.h"
#include "flatbuffers/flexbuffers.h"
#include "ir/host_api.h"
#include "tflc/schema/conversion_metadata_generated.h"
#include "tflc/schema/tflite_generated.h"
#include "tflc/sdk/plugin.h"

#ifndef TFLC_VERSION_STRING
#define TFLC_VERSION_STRING "0.0.0"
#endif

namespace tflc::host {
namespace {

constexpr int32_t kCustomBuiltinCode = 32;  // BuiltinOperator_CUSTOM
constexpr size_t kAlign = 16;

uint64_t HashBytes(const uint8_t* p, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h ^= w * 0xff51afd7ed558ccdull;
    h = (h << 31 | h >> 33) * 0xc4ceb9fe1a85ec53ull;
  }
  for (; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h ^ (h >> 29);
}

// A cheap key for finding identical buffers: size plus the first and last 4 KiB. Candidates with
// equal keys are compared in full, so the result is exact while a large model's weights are not
// read an extra time.
uint64_t Fingerprint(const uint8_t* p, size_t n) {
  constexpr size_t kEdge = 4096;
  if (n <= 2 * kEdge) return HashBytes(p, n);
  return HashBytes(p, kEdge) * 31 + HashBytes(p + n - kEdge, kEdge) * 17 + n;
}

// Compares "1.14.0"-style versions numerically.
bool VersionLess(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  for (int i = 0; i < 4; ++i) {
    long x = 0, y = 0;
    char dot;
    if (!(sa >> x)) x = 0;
    if (!(sb >> y)) y = 0;
    if (x != y) return x < y;
    sa >> dot;
    sb >> dot;
  }
  return false;
}

struct OpCodeKey {
  int32_t builtin;
  std::string custom;
  int32_t version;
  bool operator<(const OpCodeKey& o) const {
    return std::tie(builtin, custom, version) < std::tie(o.builtin, o.custom, o.version);
  }
};

struct BufferSlot {
  std::shared_ptr<const ConstBuffer> data;
  std::vector<TflcValue*> values;  // every value stored in this buffer
  size_t size_after = 0;           // builder size right after its vector was reserved (inline mode)
};

struct GraphPlan {
  TflcGraph* graph;
  std::vector<TflcValue*> tensors;
  std::unordered_map<const TflcValue*, int32_t> index;
  std::vector<uint32_t> opcode_of_node;
};

struct Plan {
  std::vector<GraphPlan> graphs;  // entry graphs (one per signature), then the subgraphs they reach
  std::unordered_map<int64_t, int32_t> subgraph_index;  // TflcGraph id → index in the output
  std::vector<OpCodeKey> opcodes;
  std::vector<BufferSlot> buffers;  // index i here = buffer i + 1 in the file
  std::unordered_map<const TflcValue*, uint32_t> buffer_of;
  uint64_t const_bytes = 0;
  std::string min_runtime = "1.5.0";
};

// custom_options of a custom op: the bytes of its `__custom_options` attribute when a lowering set
// them (Select TF ops: [op name, NodeDef]), else its attributes as a FlexBuffer map with sorted keys,
// encoded as TensorFlow's converter encodes a custom op's NodeDef attributes: int, type (the TFLite
// TensorType value) -> Int; float -> Float; bool -> Bool; string -> String; non-empty int / float /
// string lists -> typed vectors. Shapes, type lists, empty lists and attributes named "_..." are
// not written (see docs/ir-contract.md).
std::vector<uint8_t> CustomOptions(const TflcNode* n) {
  if (auto it = n->attrs.find("__custom_options"); it != n->attrs.end()) {
    return std::vector<uint8_t>(it->second.s.begin(), it->second.s.end());
  }
  flexbuffers::Builder fb;
  size_t map = fb.StartMap();
  for (const auto& entry : n->attrs) {  // std::map: sorted by key
    const std::string& key = entry.first;
    const Attr& a = entry.second;  // a reference, not a structured binding: lambdas capture it
    if (key.empty() || key[0] == '_') continue;
    const char* k = key.c_str();
    switch (a.kind) {
      case TFLC_ATTR_INT:
      case TFLC_ATTR_TYPE: fb.Int(k, a.i); break;
      case TFLC_ATTR_FLOAT: fb.Float(k, static_cast<float>(a.f)); break;
      case TFLC_ATTR_BOOL: fb.Bool(k, a.i != 0); break;
      case TFLC_ATTR_STRING: fb.Key(k); fb.String(a.s.data(), a.s.size()); break;
      case TFLC_ATTR_INT_LIST:
        if (a.ints.empty()) break;
        fb.TypedVector(k, [&] { for (int64_t v : a.ints) fb.Int(v); });
        break;
      case TFLC_ATTR_FLOAT_LIST:
        if (a.floats.empty()) break;
        fb.TypedVector(k, [&] { for (double v : a.floats) fb.Float(static_cast<float>(v)); });
        break;
      case TFLC_ATTR_STRING_LIST:
        if (a.strings.empty()) break;
        fb.TypedVector(k, [&] { for (const std::string& v : a.strings) fb.String(v.data(), v.size()); });
        break;
      default: break;
    }
  }
  fb.EndMap(map);
  fb.Finish();
  return fb.GetBuffer();
}

const TflcOpsetEntry* EntryFor(const Registry& r, const TflcNode* n) {
  const OpRef* ref = r.FindOp(n->domain, n->op);
  return ref ? ref->entry : nullptr;
}

StatusOr<int32_t> OpVersion(const Registry& r, const TflcNode* n) {
  const OpRef* ref = r.FindOp(n->domain, n->op);
  if (!ref || !ref->entry->Version) return 1;
  TflcOpVersion_Args a{};
  a.struct_size = TflcOpVersion_Args_STRUCT_SIZE;
  a.host = HostApi();
  a.node = n;
  a.user_data = ref->entry->user_data;
  a.plugin_state = ref->plugin->state;
  a.version = 1;
  Status s = CallPlugin({ref->plugin, "Version", "opset entry", ref->entry->op, n}, [&] { return ref->entry->Version(&a); });
  if (!s.ok()) return s.message().find("node `") == std::string::npos ? s.WithContext(DescribeNode(n) + ": op version") : s;
  return a.version < 1 ? 1 : a.version;
}

StatusOr<Plan> MakePlan(const Registry& registry, TflcModel* model) {
  Plan plan;
  std::map<OpCodeKey, uint32_t> opcode_index;
  std::unordered_multimap<uint64_t, uint32_t> by_hash;
  std::unordered_map<const ConstBuffer*, uint32_t> by_ptr;
  TFLC_ASSIGN_OR_RETURN(std::vector<TflcGraph*> order, LiveGraphs(model));
  for (size_t i = 0; i < order.size(); ++i) plan.subgraph_index[order[i]->id] = static_cast<int32_t>(i);
  for (TflcGraph* g : order) {
    TFLC_RETURN_IF_ERROR(Sorted(g));
    GraphPlan p;
    p.graph = g;
    auto add = [&](TflcValue* v) {
      if (!v || p.index.count(v)) return;
      p.index[v] = static_cast<int32_t>(p.tensors.size());
      p.tensors.push_back(v);
    };
    for (TflcValue* v : g->inputs) add(v);
    for (auto& n : g->nodes) {
      for (TflcValue* v : n->inputs) add(v);
      for (TflcValue* v : n->outputs) add(v);
    }
    for (TflcValue* v : g->outputs) add(v);

    for (auto& n : g->nodes) {
      const TflcOpsetEntry* e = EntryFor(registry, n.get());
      OpCodeKey key;
      if (e) {
        key.builtin = e->builtin_code;
        key.custom = e->domain == TFLC_DOMAIN_CUSTOM ? n->op : "";
      } else if (n->domain == TFLC_DOMAIN_CUSTOM) {
        key.builtin = kCustomBuiltinCode;
        key.custom = n->op;
      } else {
        return NotFound(DescribeNode(n.get()) + ": no opset entry; cannot export op " + n->op);
      }
      TFLC_ASSIGN_OR_RETURN(key.version, OpVersion(registry, n.get()));
      if (e && e->min_runtime && key.version >= 1 && static_cast<size_t>(key.version) <= e->num_min_runtime) {
        const char* rt = e->min_runtime[key.version - 1];
        if (rt && *rt && VersionLess(plan.min_runtime, rt)) plan.min_runtime = rt;
      }
      auto [it, inserted] = opcode_index.emplace(key, static_cast<uint32_t>(plan.opcodes.size()));
      if (inserted) plan.opcodes.push_back(key);
      p.opcode_of_node.push_back(it->second);
    }

    for (TflcValue* v : p.tensors) {
      if (!v->is_const() || v->is_variable) continue;
      const ConstBuffer* cb = v->data.get();
      if (auto it = by_ptr.find(cb); it != by_ptr.end()) {
        plan.buffer_of[v] = it->second;
        plan.buffers[it->second - 1].values.push_back(v);
        continue;
      }
      uint64_t h = Fingerprint(cb->data(), cb->size());
      uint32_t found = 0;
      auto range = by_hash.equal_range(h);
      for (auto it = range.first; it != range.second; ++it) {
        const ConstBuffer* other = plan.buffers[it->second - 1].data.get();
        if (other->size() == cb->size() && std::memcmp(other->data(), cb->data(), cb->size()) == 0) {
          found = it->second;
          break;
        }
      }
      if (!found) {
        found = static_cast<uint32_t>(plan.buffers.size() + 1);
        plan.buffers.push_back(BufferSlot{v->data, {}});
        by_hash.emplace(h, found);
        plan.const_bytes += cb->size();
      }
      by_ptr[cb] = found;
      plan.buffer_of[v] = found;
      plan.buffers[found - 1].values.push_back(v);
    }
    plan.graphs.push_back(std::move(p));
  }
  return plan;
}

double AttrNumber(const Attr& a) { return a.kind == TFLC_ATTR_FLOAT ? a.f : static_cast<double>(a.i); }

StatusOr<flatbuffers::Offset<void>> BuildOptions(flatbuffers::FlatBufferBuilder& fbb, const TflcOpsetEntry* e,
                                                 const TflcNode* n, const Plan& plan) {
  std::vector<std::pair<int32_t, flatbuffers::Offset<flatbuffers::Vector<int32_t>>>> vectors;
  for (size_t i = 0; i < e->num_option_fields; ++i) {
    const TflcOptionField& f = *OptionField(e, i);
    if (f.kind != TFLC_OPTION_INT32_VECTOR) continue;
    auto it = n->attrs.find(f.attr);
    if (it == n->attrs.end()) continue;
    std::vector<int32_t> v(it->second.ints.begin(), it->second.ints.end());
    vectors.emplace_back(f.slot, fbb.CreateVector(v));
  }
  auto start = fbb.StartTable();
  for (size_t i = 0; i < e->num_option_fields; ++i) {
    const TflcOptionField& f = *OptionField(e, i);
    auto vo = static_cast<flatbuffers::voffset_t>(4 + 2 * f.slot);
    if (f.kind == TFLC_OPTION_INT32_VECTOR) {
      for (auto& [slot, off] : vectors) {
        if (slot == f.slot) fbb.AddOffset(vo, off);
      }
      continue;
    }
    auto it = n->attrs.find(f.attr);
    if (it == n->attrs.end()) continue;
    if (f.kind == TFLC_OPTION_SUBGRAPH) {
      auto sg = it->second.kind == TFLC_ATTR_GRAPH ? plan.subgraph_index.find(it->second.i) : plan.subgraph_index.end();
      if (sg == plan.subgraph_index.end())
        return Internal(DescribeNode(n) + ": option '" + f.attr + "' names no exported subgraph");
      fbb.AddElement<int32_t>(vo, sg->second, static_cast<int32_t>(f.default_value));
      continue;
    }
    double v = AttrNumber(it->second);
    double d = f.default_value;
    switch (f.kind) {
      case TFLC_OPTION_BOOL: fbb.AddElement<uint8_t>(vo, v != 0, d != 0); break;
      case TFLC_OPTION_INT8: fbb.AddElement<int8_t>(vo, static_cast<int8_t>(v), static_cast<int8_t>(d)); break;
      case TFLC_OPTION_UINT8: fbb.AddElement<uint8_t>(vo, static_cast<uint8_t>(v), static_cast<uint8_t>(d)); break;
      case TFLC_OPTION_INT16: fbb.AddElement<int16_t>(vo, static_cast<int16_t>(v), static_cast<int16_t>(d)); break;
      case TFLC_OPTION_INT32: fbb.AddElement<int32_t>(vo, static_cast<int32_t>(v), static_cast<int32_t>(d)); break;
      case TFLC_OPTION_INT64:
        fbb.AddElement<int64_t>(vo, it->second.kind == TFLC_ATTR_FLOAT ? static_cast<int64_t>(v) : it->second.i,
                                static_cast<int64_t>(d));
        break;
      case TFLC_OPTION_FLOAT32: fbb.AddElement<float>(vo, static_cast<float>(v), static_cast<float>(d)); break;
      default:
        return Internal(std::string("opset entry ") + e->op + ": option '" + f.attr + "' has an unknown kind");
    }
  }
  return flatbuffers::Offset<void>(fbb.EndTable(start));
}

std::string ConversionMetadataBytes(const TflcModel* model, const ExportOptions& o) {
  flatbuffers::FlatBufferBuilder fbb;
  tflite::ModelType type = tflite::ModelType_NONE;
  if (model->source_format == "keras") type = tflite::ModelType_KERAS_MODEL;
  if (model->source_format == "saved_model") type = tflite::ModelType_TF_SAVED_MODEL;
  if (model->source_format == "graph_def") type = tflite::ModelType_TF_GRAPH_DEF;
  auto env = tflite::CreateEnvironment(fbb, 0, 0, type);
  auto modes_vec = fbb.CreateVector(o.optimization_modes);
  tflite::ConversionOptionsBuilder ob(fbb);
  ob.add_model_optimization_modes(modes_vec);
  ob.add_allow_custom_ops(o.allow_custom_ops);
  ob.add_enable_select_tf_ops(o.enable_select_tf_ops);
  auto opts = ob.Finish();
  fbb.Finish(tflite::CreateConversionMetadata(fbb, env, opts));
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

// Output sink: a std::string or a file descriptor.
class Writer {
 public:
  virtual ~Writer() = default;
  virtual Status Write(const void* data, size_t size) = 0;
  Status Pad(uint64_t* pos, size_t align) {
    static const char zeros[kAlign] = {};
    size_t pad = (align - (*pos % align)) % align;
    *pos += pad;
    return pad ? Write(zeros, pad) : OkStatus();
  }
};

class StringWriter : public Writer {
 public:
  explicit StringWriter(std::string* out) : out_(out) {}
  Status Write(const void* d, size_t n) override {
    out_->append(static_cast<const char*>(d), n);
    return OkStatus();
  }

 private:
  std::string* out_;
};

// Writes a file through an aligned staging buffer with O_DIRECT where the filesystem allows it.
// Large models are mostly weight bytes; on VMs the page-cache copy of a buffered write is the
// slowest part of a conversion (measured here: 0.4-0.7 GB/s buffered, 1.6-1.8 GB/s direct). The
// last block is padded for the direct write and the file truncated to its real size in Finish().
class FdWriter : public Writer {
 public:
  FdWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
    staging_ = static_cast<char*>(std::aligned_alloc(kBlock, kStaging));
    int flags = ::fcntl(fd_, F_GETFL);
    direct_ = staging_ && flags >= 0 && ::fcntl(fd_, F_SETFL, flags | O_DIRECT) == 0;
  }
  ~FdWriter() override { std::free(staging_); }

  Status Write(const void* d, size_t n) override {
    const char* p = static_cast<const char*>(d);
    total_ += n;
    if (!staging_) return WriteAll(p, n);
    while (n > 0) {
      const size_t take = std::min(n, kStaging - fill_);
      std::memcpy(staging_ + fill_, p, take);
      fill_ += take;
      p += take;
      n -= take;
      if (fill_ == kStaging) {
        TFLC_RETURN_IF_ERROR(WriteAll(staging_, fill_));
        fill_ = 0;
      }
    }
    return OkStatus();
  }

  Status Finish() {
    if (!staging_ || fill_ == 0) return OkStatus();
    size_t n = fill_;
    if (direct_) {
      n = (fill_ + kBlock - 1) / kBlock * kBlock;
      std::memset(staging_ + fill_, 0, n - fill_);
    }
    TFLC_RETURN_IF_ERROR(WriteAll(staging_, n));
    fill_ = 0;
    if (direct_ && ::ftruncate(fd_, static_cast<off_t>(total_)) != 0) {
      return DataLoss("writing " + path_ + ": " + std::strerror(errno));
    }
    return OkStatus();
  }

 private:
  static constexpr size_t kBlock = 4096;
  static constexpr size_t kStaging = 8u << 20;

  Status WriteAll(const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EINVAL && direct_) {  // the filesystem refused direct I/O after all
          int flags = ::fcntl(fd_, F_GETFL);
          direct_ = false;
          if (flags >= 0 && ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) == 0) continue;
        }
        return DataLoss("writing " + path_ + ": " + std::strerror(errno));
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
    return OkStatus();
  }

  int fd_;
  std::string path_;
  char* staging_ = nullptr;
  size_t fill_ = 0;
  uint64_t total_ = 0;
  bool direct_ = false;
};

Status Serialize(const Registry& registry, TflcModel* model, const ExportOptions& o, Writer* out) {
  if (model->graphs.empty()) return InvalidArgument("the model has no graphs to export");
  TFLC_ASSIGN_OR_RETURN(Plan plan, MakePlan(registry, model));
  const bool large = plan.const_bytes > o.large_model_threshold;

  // Constant data is never copied into the builder: each constant's vector is reserved
  // uninitialized (its pages are never touched), and at write time the file is assembled from the
  // builder's bytes around those holes and the constants' own bytes. The builder is pre-sized so it
  // never reallocates (the holes are virtual memory only).
  size_t initial = large ? (1u << 20) : static_cast<size_t>(plan.const_bytes + plan.buffers.size() * 32 + (4u << 20));
  flatbuffers::FlatBufferBuilder fbb(initial);

  // Buffers: 0 is the empty sentinel; then constants; then metadata.
  std::vector<flatbuffers::Offset<tflite::Buffer>> buffers;
  buffers.push_back(tflite::CreateBuffer(fbb));
  for (BufferSlot& slot : plan.buffers) {
    if (large) {
      buffers.push_back(tflite::CreateBuffer(fbb, 0, /*offset=*/1, /*size=*/1));  // patched below
      continue;
    }
    fbb.ForceVectorAlignment(slot.data->size(), 1, kAlign);
    uint8_t* hole = nullptr;
    auto data = fbb.CreateUninitializedVector(slot.data->size(), 1, &hole);
    slot.size_after = fbb.GetSize();
    buffers.push_back(tflite::CreateBuffer(fbb, data));
  }
  std::vector<flatbuffers::Offset<tflite::Metadata>> metadata;
  auto add_metadata = [&](const std::string& name, const std::string& bytes) {
    fbb.ForceVectorAlignment(bytes.size(), 1, kAlign);
    auto data = fbb.CreateVector(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    uint32_t index = static_cast<uint32_t>(buffers.size());
    buffers.push_back(tflite::CreateBuffer(fbb, data));
    metadata.push_back(tflite::CreateMetadata(fbb, fbb.CreateString(name), index));
  };
  std::string runtime(16, '\0');
  std::memcpy(&runtime[0], plan.min_runtime.data(), std::min<size_t>(plan.min_runtime.size(), 15));
  add_metadata("min_runtime_version", runtime);
  if (o.conversion_metadata) add_metadata("CONVERSION_METADATA", ConversionMetadataBytes(model, o));
  if (large) add_metadata("buffer_location", "outside flatbuffers");

  std::vector<flatbuffers::Offset<tflite::SubGraph>> subgraphs;
  std::vector<flatbuffers::Offset<tflite::SignatureDef>> signatures;
  for (size_t gi = 0; gi < plan.graphs.size(); ++gi) {
    GraphPlan& p = plan.graphs[gi];
    TflcGraph* g = p.graph;
    std::vector<flatbuffers::Offset<tflite::Tensor>> tensors;
    for (size_t ti = 0; ti < p.tensors.size(); ++ti) {
      TflcValue* v = p.tensors[ti];
      // Unknown rank is allowed only on outputs of custom ops with no opset (Verify checks): TFLite
      // writes such a tensor with an empty shape and no shape_signature; its kernel resizes it.
      if (v->type == TFLC_TYPE_UNKNOWN) return Internal("tensor '" + v->name + "' has no known type at export");
      std::vector<int32_t> shape, signature;
      bool dynamic = false;
      for (size_t k = 0; k < v->dims.size(); ++k) {
        const int64_t d = v->dims[k];
        if (d > INT32_MAX) return OutOfRange("tensor '" + v->name + "' has a dimension beyond int32");
        const int64_t declared = v->signature.size() == v->dims.size() ? v->signature[k] : d;
        shape.push_back(d < 0 ? 1 : static_cast<int32_t>(d));
        signature.push_back(static_cast<int32_t>(declared < 0 ? -1 : d));
        dynamic = dynamic || d < 0 || declared < 0;
      }
      flatbuffers::Offset<tflite::QuantizationParameters> q = 0;
      if (!v->quant.empty()) {
        q = tflite::CreateQuantizationParameters(fbb, 0, 0, fbb.CreateVector(v->quant.scales),
                                                 fbb.CreateVector(v->quant.zero_points), tflite::QuantizationDetails_NONE,
                                                 0, v->quant.quantized_dimension);
      }
      uint32_t buffer = 0;
      if (auto it = plan.buffer_of.find(v); it != plan.buffer_of.end()) buffer = it->second;
      std::string name = v->name.empty() ? "tensor_" + std::to_string(ti) : v->name;
      tensors.push_back(tflite::CreateTensor(fbb, fbb.CreateVector(shape), static_cast<tflite::TensorType>(v->type),
                                             buffer, fbb.CreateString(name), q, v->is_variable, 0,
                                             dynamic ? fbb.CreateVector(signature) : 0));
    }
    std::vector<flatbuffers::Offset<tflite::Operator>> ops;
    for (size_t ni = 0; ni < g->nodes.size(); ++ni) {
      TflcNode* n = g->nodes[ni].get();
      std::vector<int32_t> ins, outs;
      for (TflcValue* v : n->inputs) ins.push_back(v ? p.index.at(v) : -1);
      for (TflcValue* v : n->outputs) outs.push_back(p.index.at(v));
      const TflcOpsetEntry* e = EntryFor(registry, n);
      tflite::BuiltinOptions t1 = tflite::BuiltinOptions_NONE;
      tflite::BuiltinOptions2 t2 = tflite::BuiltinOptions2_NONE;
      flatbuffers::Offset<void> o1 = 0, o2 = 0;
      if (e && e->options_type > 0) {
        TFLC_ASSIGN_OR_RETURN(auto table, BuildOptions(fbb, e, n, plan));
        if (e->options_type >= 1000) {
          t2 = static_cast<tflite::BuiltinOptions2>(e->options_type - 1000);
          o2 = table;
        } else {
          t1 = static_cast<tflite::BuiltinOptions>(e->options_type);
          o1 = table;
        }
      }
      flatbuffers::Offset<flatbuffers::Vector<uint8_t>> custom = 0;
      if (n->domain == TFLC_DOMAIN_CUSTOM) custom = fbb.CreateVector(CustomOptions(n));
      ops.push_back(tflite::CreateOperator(fbb, p.opcode_of_node[ni], fbb.CreateVector(ins), fbb.CreateVector(outs),
                                           t1, o1, custom, tflite::CustomOptionsFormat_FLEXBUFFERS, 0, 0, 0, 0, t2, o2));
    }
    std::vector<int32_t> ins, outs;
    for (TflcValue* v : g->inputs) ins.push_back(p.index.at(v));
    for (TflcValue* v : g->outputs) outs.push_back(p.index.at(v));
    subgraphs.push_back(tflite::CreateSubGraph(fbb, fbb.CreateVector(tensors), fbb.CreateVector(ins),
                                               fbb.CreateVector(outs), fbb.CreateVector(ops),
                                               fbb.CreateString(g->is_subgraph ? g->name : gi == 0 ? "main" : g->signature_key)));
    if (g->is_subgraph) continue;  // a function body: no SignatureDef
    std::vector<flatbuffers::Offset<tflite::TensorMap>> sig_in, sig_out;
    for (size_t i = 0; i < g->inputs.size(); ++i) {
      sig_in.push_back(tflite::CreateTensorMap(fbb, fbb.CreateString(g->input_signature_names[i]),
                                               static_cast<uint32_t>(p.index.at(g->inputs[i]))));
    }
    for (size_t i = 0; i < g->outputs.size(); ++i) {
      sig_out.push_back(tflite::CreateTensorMap(fbb, fbb.CreateString(g->output_signature_names[i]),
                                                static_cast<uint32_t>(p.index.at(g->outputs[i]))));
    }
    signatures.push_back(tflite::CreateSignatureDef(fbb, fbb.CreateVector(sig_in), fbb.CreateVector(sig_out),
                                                    fbb.CreateString(g->signature_key),
                                                    static_cast<uint32_t>(gi)));
  }

  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes;
  for (const OpCodeKey& k : plan.opcodes) {
    int8_t deprecated = static_cast<int8_t>(k.builtin < 127 ? k.builtin : 127);
    codes.push_back(tflite::CreateOperatorCode(fbb, deprecated, k.custom.empty() ? 0 : fbb.CreateString(k.custom),
                                               k.version, static_cast<tflite::BuiltinOperator>(k.builtin)));
  }
  auto root = tflite::CreateModel(fbb, /*version=*/3, fbb.CreateVector(codes), fbb.CreateVector(subgraphs),
                                  fbb.CreateString(std::string("tflc ") + TFLC_VERSION_STRING), fbb.CreateVector(buffers),
                                  0, fbb.CreateVector(metadata), fbb.CreateVector(signatures));
  tflite::FinishModelBuffer(fbb, root);
  if (fbb.GetSize() > 0x7fffffffu) {
    return OutOfRange("the FlatBuffer part of the model exceeds 2 GiB even with constants stored outside it");
  }

  if (!large) {
    // Builder bytes up to each hole, then the constant's bytes (data index = size - size_after + 4,
    // past the vector's length prefix), in file order.
    const uint8_t* base = fbb.GetBufferPointer();
    const size_t total = fbb.GetSize();
    std::vector<BufferSlot*> order;
    for (BufferSlot& slot : plan.buffers) order.push_back(&slot);
    std::sort(order.begin(), order.end(), [](const BufferSlot* a, const BufferSlot* b) { return a->size_after > b->size_after; });
    size_t cursor = 0;
    for (BufferSlot* slot : order) {
      const size_t at = total - slot->size_after + 4;
      TFLC_RETURN_IF_ERROR(out->Write(base + cursor, at - cursor));
      TFLC_RETURN_IF_ERROR(out->Write(slot->data->data(), slot->data->size()));
      cursor = at + slot->data->size();
      if (o.release_constants) {
        for (TflcValue* v : slot->values) v->data.reset();
        slot->data.reset();
      }
    }
    return out->Write(base + cursor, total - cursor);
  }

  // Large model: patch each constant buffer's absolute offset/size, then append the data.
  uint8_t* base = fbb.GetBufferPointer();
  auto* m = tflite::GetMutableModel(base);
  uint64_t pos = (fbb.GetSize() + kAlign - 1) / kAlign * kAlign;
  for (size_t i = 0; i < plan.buffers.size(); ++i) {
    auto* b = m->mutable_buffers()->GetMutableObject(static_cast<flatbuffers::uoffset_t>(i + 1));
    if (!b->mutate_offset(pos) || !b->mutate_size(plan.buffers[i].data->size())) {
      return Internal("could not patch buffer offsets in large-model mode");
    }
    pos += plan.buffers[i].data->size();
    pos = (pos + kAlign - 1) / kAlign * kAlign;
  }
  uint64_t written = fbb.GetSize();
  TFLC_RETURN_IF_ERROR(out->Write(base, fbb.GetSize()));
  TFLC_RETURN_IF_ERROR(out->Pad(&written, kAlign));
  for (BufferSlot& slot : plan.buffers) {
    TFLC_RETURN_IF_ERROR(out->Write(slot.data->data(), slot.data->size()));
    written += slot.data->size();
    TFLC_RETURN_IF_ERROR(out->Pad(&written, kAlign));
    if (o.release_constants) {
      for (TflcValue* v : slot.values) v->data.reset();
      slot.data.reset();
    }
  }
  static const char zeros[kAlign] = {};
  return out->Write(zeros, kAlign);
}

}  // namespace

StatusOr<std::string> ExportToString(const Registry& registry, TflcModel* model, const ExportOptions& options) {
  std::string out;
  StringWriter w(&out);
  TFLC_RETURN_IF_ERROR(Serialize(registry, model, options, &w));
  return out;
}

Status ExportToFile(const Registry& registry, TflcModel* model, const ExportOptions& options, const std::string& path) {
  std::string dir = ".";
  if (auto slash = path.find_last_of('/'); slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return NotFound("cannot write " + path + ": directory " + dir + " does not exist");
  }
  std::string tmp = path + ".tmp-XXXXXX";
  std::vector<char> tmpl(tmp.begin(), tmp.end());
  tmpl.push_back('\0');
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return FailedPrecondition("cannot create a file next to " + path + ": " + std::strerror(errno));
  std::string tmp_path(tmpl.data());
  ::fchmod(fd, 0644);
  FdWriter w(fd, path);
  Status s = Serialize(registry, model, options, &w);
  if (s.ok()) s = w.Finish();
  if (::close(fd) != 0 && s.ok()) s = DataLoss("closing " + path + ": " + std::strerror(errno));
  if (s.ok() && ::rename(tmp_path.c_str(), path.c_str()) != 0) {
    s = FailedPrecondition("cannot move the output into place at " + path + ": " + std::strerror(errno));
  }
  if (!s.ok()) ::unlink(tmp_path.c_str());
  return s;
}

}  // namespace tflc::host
