#include "ir/ir.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "tflc/sdk/plugin.h"

namespace tflc::host {

OwnedBuffer::OwnedBuffer(size_t size) : size_(size) {
  // Large buffers (weights being transformed) are mapped with MAP_POPULATE: the zeroed pages arrive
  // in one call instead of one page fault each, which dominates on VMs with costly faults.
  constexpr size_t kPopulateThreshold = 4u << 20;
  if (size >= kPopulateThreshold) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p != MAP_FAILED) {
      data_ = static_cast<uint8_t*>(p);
      mapped_ = size;
      return;
    }
  }
  // calloc: large blocks come straight from the kernel already zeroed (no second pass over the
  // pages); glibc aligns to 16 bytes on 64-bit targets, checked below.
  data_ = static_cast<uint8_t*>(std::calloc(size ? size : 1, 1));
  if (!data_) throw std::bad_alloc();
  if (reinterpret_cast<uintptr_t>(data_) % 16 != 0) {
    std::free(data_);
    data_ = static_cast<uint8_t*>(std::aligned_alloc(16, (size + 15) / 16 * 16 + 16));
    if (!data_) throw std::bad_alloc();
    std::memset(data_, 0, (size + 15) / 16 * 16 + 16);
  }
}

OwnedBuffer::~OwnedBuffer() {
  if (mapped_) {
    ::munmap(data_, mapped_);
  } else {
    std::free(data_);
  }
}

StatusOr<std::shared_ptr<MappedBuffer>> MappedBuffer::Map(const std::string& path, uint64_t offset, size_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("cannot open " + path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || offset > static_cast<uint64_t>(st.st_size) ||
      size > static_cast<uint64_t>(st.st_size) - offset) {
    ::close(fd);
    return OutOfRange(path + ": bytes [" + std::to_string(offset) + ", " + std::to_string(offset + size) +
                      ") lie beyond the end of the file (" + std::to_string(st.st_size) + " bytes); is it truncated?");
  }
  std::shared_ptr<MappedBuffer> b(new MappedBuffer());
  b->size_ = size;
  if (size == 0) {
    ::close(fd);
    static const uint8_t kEmpty[16] = {};
    b->data_ = kEmpty;
    return b;
  }
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t start = offset / page * page;
  b->map_size_ = static_cast<size_t>(offset - start + size);
  b->map_ = ::mmap(nullptr, b->map_size_, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(start));
  int err = errno;
  ::close(fd);
  if (b->map_ == MAP_FAILED) {
    b->map_ = nullptr;
    return Internal("cannot map " + path + ": " + std::strerror(err));
  }
  // Start reading the whole range now, in the background: the frontend maps every weight up front,
  // so the disk reads overlap the work on earlier weights instead of stalling each kernel.
  ::madvise(b->map_, b->map_size_, MADV_WILLNEED);
  b->data_ = static_cast<const uint8_t*>(b->map_) + (offset - start);
  return b;
}

MappedBuffer::~MappedBuffer() {
  if (map_) ::munmap(map_, map_size_);
}

TflcGraph* AddGraph(TflcModel* model, const std::string& signature_key) {
  auto g = std::make_unique<TflcGraph>();
  g->model = model;
  g->signature_key = signature_key;
  g->id = static_cast<int64_t>(model->graphs.size());
  model->graphs.push_back(std::move(g));
  return model->graphs.back().get();
}

TflcGraph* AddSubgraph(TflcModel* model, const std::string& name) {
  TflcGraph* g = AddGraph(model, "");
  g->is_subgraph = true;
  g->name = name;
  return g;
}

TflcGraph* SubgraphById(const TflcModel* model, int64_t id) {
  if (!model || id < 0 || id >= static_cast<int64_t>(model->graphs.size())) return nullptr;
  TflcGraph* g = model->graphs[static_cast<size_t>(id)].get();
  return g->is_subgraph ? g : nullptr;
}

std::vector<std::pair<std::string, TflcGraph*>> CalledSubgraphs(const TflcNode* n) {
  std::vector<std::pair<std::string, TflcGraph*>> out;
  for (const auto& [name, a] : n->attrs) {
    if (a.kind == TFLC_ATTR_GRAPH) out.emplace_back(name, SubgraphById(n->graph->model, a.i));
  }
  return out;
}

StatusOr<std::vector<TflcGraph*>> LiveGraphs(TflcModel* model) {
  std::vector<TflcGraph*> order;
  std::vector<bool> reached(model->graphs.size(), false);
  std::vector<TflcGraph*> stack;
  for (auto& g : model->graphs) {
    if (g->is_subgraph) continue;
    order.push_back(g.get());
    stack.push_back(g.get());
  }
  while (!stack.empty()) {
    TflcGraph* g = stack.back();
    stack.pop_back();
    TFLC_RETURN_IF_ERROR(Sorted(g));
    for (auto& n : g->nodes) {
      if (n->dead) continue;
      for (const auto& [attr, sub] : CalledSubgraphs(n.get())) {
        if (!sub) return Internal(DescribeNode(n.get()) + ": attribute '" + attr + "' names no subgraph");
        if (reached[static_cast<size_t>(sub->id)]) continue;
        reached[static_cast<size_t>(sub->id)] = true;
        stack.push_back(sub);
      }
    }
  }
  for (auto& g : model->graphs) {
    if (g->is_subgraph && reached[static_cast<size_t>(g->id)]) order.push_back(g.get());
  }
  return order;
}

std::string DescribeGraph(const TflcGraph* g) {
  if (g->is_subgraph) return "subgraph `" + g->name + "`";
  return "graph `" + (g->signature_key.empty() ? std::string("main") : g->signature_key) + "`";
}

TflcValue* NewValue(TflcGraph* g, const std::string& name) {
  auto v = std::make_unique<TflcValue>();
  v->graph = g;
  v->name = name;
  v->id = g->next_id++;
  g->values.push_back(std::move(v));
  return g->values.back().get();
}

TflcNode* NewNode(TflcGraph* g, TflcOpDomain domain, const std::string& op, const std::string& name,
                  const std::vector<TflcValue*>& inputs, size_t num_outputs) {
  auto n = std::make_unique<TflcNode>();
  n->graph = g;
  n->domain = domain;
  n->op = op;
  n->name = name;
  n->id = g->next_id++;
  n->inputs = inputs;
  for (TflcValue* in : inputs) {
    if (in) in->users.push_back(n.get());
  }
  for (size_t k = 0; k < num_outputs; ++k) {
    TflcValue* out = NewValue(g, k == 0 ? name : name + ":" + std::to_string(k));
    out->producer = n.get();
    out->producer_index = k;
    n->outputs.push_back(out);
  }
  g->nodes.push_back(std::move(n));
  g->order_dirty = true;
  if (g->created) g->created->push_back(g->nodes.back().get());
  return g->nodes.back().get();
}

static void DropUse(TflcValue* v, TflcNode* user) {
  auto it = std::find(v->users.begin(), v->users.end(), user);
  if (it != v->users.end()) v->users.erase(it);
}

void SetInput(TflcNode* node, size_t index, TflcValue* value) {
  if (index >= node->inputs.size()) node->inputs.resize(index + 1, nullptr);
  if (node->inputs[index]) DropUse(node->inputs[index], node);
  node->inputs[index] = value;
  if (value) value->users.push_back(node);
  node->graph->order_dirty = true;
}

void ReplaceAllUses(TflcValue* from, TflcValue* to) {
  if (from == to) return;
  std::vector<TflcNode*> users = from->users;
  for (TflcNode* n : users) {
    for (auto& in : n->inputs) {
      if (in == from) {
        in = to;
        to->users.push_back(n);
      }
    }
  }
  from->users.clear();
  TflcGraph* g = from->graph;
  for (auto& out : g->outputs) {
    if (out == from) {
      out = to;
      from->output_uses--;
      to->output_uses++;
    }
  }
  if (to->name.empty()) to->name = from->name;
  g->order_dirty = true;
}

void RemoveNode(TflcNode* node) {
  for (TflcValue* in : node->inputs) {
    if (in) DropUse(in, node);
  }
  node->inputs.clear();
  node->dead = true;
  node->graph->order_dirty = true;
}

Status Compact(TflcGraph* g) {
  // Remove dead nodes whose outputs are unused; a dead node with used outputs is a bug.
  std::vector<std::unique_ptr<TflcNode>> live;
  live.reserve(g->nodes.size());
  for (auto& n : g->nodes) {
    if (n->dead) {
      for (TflcValue* out : n->outputs) {
        if (out->num_uses() != 0) {
          return Internal("removed " + DescribeNode(n.get()) + " but its output '" + out->name +
                          "' is still used");
        }
        out->producer = nullptr;
      }
      g->graveyard.push_back(std::move(n));
      continue;
    }
    live.push_back(std::move(n));
  }

  // Stable topological sort: repeatedly take nodes in current order whose producers are placed.
  std::unordered_map<const TflcNode*, size_t> pending;  // unplaced producer count
  std::unordered_map<const TflcNode*, std::vector<TflcNode*>> succ;
  for (auto& n : live) {
    size_t count = 0;
    std::unordered_set<const TflcNode*> seen;
    for (TflcValue* in : n->inputs) {
      if (in && in->producer && !in->producer->dead && seen.insert(in->producer).second) {
        ++count;
        succ[in->producer].push_back(n.get());
      }
    }
    pending[n.get()] = count;
  }
  std::vector<std::unique_ptr<TflcNode>> sorted;
  sorted.reserve(live.size());
  std::unordered_map<const TflcNode*, size_t> index_of;
  for (size_t i = 0; i < live.size(); ++i) index_of[live[i].get()] = i;
  // Min-heap on original position keeps the order stable.
  std::vector<size_t> ready;
  for (size_t i = 0; i < live.size(); ++i) {
    if (pending[live[i].get()] == 0) ready.push_back(i);
  }
  std::make_heap(ready.begin(), ready.end(), std::greater<size_t>());
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), std::greater<size_t>());
    size_t i = ready.back();
    ready.pop_back();
    TflcNode* n = live[i].get();
    for (TflcNode* s : succ[n]) {
      if (--pending[s] == 0) {
        ready.push_back(index_of[s]);
        std::push_heap(ready.begin(), ready.end(), std::greater<size_t>());
      }
    }
    sorted.push_back(std::move(live[i]));
  }
  if (sorted.size() != live.size()) {
    std::string names;
    int shown = 0;
    for (auto& n : live) {
      if (n && shown < 5) {
        names += (shown ? ", " : "") + std::string("'") + n->name + "'";
        ++shown;
      }
    }
    // Keep the graph intact for diagnostics.
    for (auto& n : live) {
      if (n) sorted.push_back(std::move(n));
    }
    g->nodes = std::move(sorted);
    return InvalidArgument("the graph has a cycle through " + names +
                           "; a dataflow graph must be acyclic (TF1 control flow loops are not supported)");
  }
  g->nodes = std::move(sorted);

  // Drop values nothing refers to (frees constant memory).
  std::unordered_set<const TflcValue*> keep;
  for (TflcValue* v : g->inputs) keep.insert(v);
  for (TflcValue* v : g->outputs) keep.insert(v);
  for (auto& n : g->nodes) {
    for (TflcValue* v : n->inputs) if (v) keep.insert(v);
    for (TflcValue* v : n->outputs) keep.insert(v);
  }
  g->values.erase(std::remove_if(g->values.begin(), g->values.end(),
                                 [&](const std::unique_ptr<TflcValue>& v) { return !keep.count(v.get()); }),
                  g->values.end());
  g->order_dirty = false;
  return OkStatus();
}

void ClearGraveyard(TflcGraph* g) { g->graveyard.clear(); }

Status Sorted(TflcGraph* g) {
  if (!g->order_dirty) return OkStatus();
  return Compact(g);
}

size_t ElementSize(TflcDataType type) { return sdk::ElementSize(type); }

int64_t NumElements(const TflcValue& v) {
  if (v.rank < 0) return -1;
  int64_t n = 1;
  for (int64_t d : v.dims) {
    if (d < 0) return -1;
    n *= d;
  }
  return n;
}

std::string ShapeString(const TflcValue& v) {
  if (v.rank < 0) return "[?]";
  std::string s = "[";
  for (size_t i = 0; i < v.dims.size(); ++i) {
    if (i) s += ",";
    s += v.dims[i] < 0 ? "?" : std::to_string(v.dims[i]);
  }
  return s + "]";
}

std::string DescribeNode(const TflcNode* node) {
  if (!node) return "";
  std::string where;
  if (node->graph && node->graph->is_subgraph) where = " in subgraph `" + node->graph->name + "`";
  return "node `" + node->name + "` (" + node->op + ")" + where;
}

}  // namespace tflc::host
