#include "quant/calibrate.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "ir/host_api.h"
#include "registry/registry.h"

namespace tflc::host {
namespace {

// One node's kernel call with every pointer bound to a worker's buffers.
struct Step {
  const TflcNode* node = nullptr;
  const TflcOpsetEntry* entry = nullptr;
  void* plugin_state = nullptr;
  std::vector<int> inputs;   // slot per input: >= 0 a buffer, -1 omitted, -2 - k constant k
  std::vector<int> outputs;  // buffer slot per output
};

struct Plan {
  std::vector<Step> steps;
  std::vector<TflcValue*> slots;            // value held in each buffer slot (its range is set)
  std::vector<const void*> constants;
  std::vector<int> input_slots;             // graph input k -> slot
  std::vector<int> variable_slots;          // zeroed before every sample
  std::vector<int> observed;                // float32 slots whose range is recorded
  // float32 slots that are the activation input of an op with weights (TflcOpsetEntry.weight_input
  // >= 0): their channel means are recorded too, for the quantizers' bias correction.
  std::vector<int> mean_slots;
};

StatusOr<Plan> MakePlan(const PassContext& ctx, TflcGraph* g) {
  Plan p;
  std::unordered_map<const TflcValue*, int> slot_of;
  auto slot = [&](TflcValue* v) -> StatusOr<int> {
    auto it = slot_of.find(v);
    if (it != slot_of.end()) return it->second;
    if (v->rank < 0 || NumElements(*v) < 0) {
      return FailedPrecondition("cannot calibrate: tensor '" + v->name + "' has an unknown shape " + ShapeString(*v));
    }
    int s = static_cast<int>(p.slots.size());
    p.slots.push_back(v);
    slot_of[v] = s;
    if (v->type == TFLC_TYPE_FLOAT32) p.observed.push_back(s);
    if (v->is_variable) p.variable_slots.push_back(s);
    return s;
  };
  for (TflcValue* in : g->inputs) {
    TFLC_ASSIGN_OR_RETURN(int s, slot(in));
    p.input_slots.push_back(s);
  }
  for (auto& n : g->nodes) {
    if (n->dead) continue;
    const OpRef* ref = ctx.registry->FindOp(n->domain, n->op);
    if (!ref || !ref->entry->Evaluate) {
      return Unimplemented("cannot calibrate: " + DescribeNode(n.get()) + " has no reference kernel" +
                           (ref ? " in plugin '" + ref->plugin->name() + "'" : std::string(" (no opset defines it)")) +
                           ". Drop --representative_dataset for dynamic-range quantization, or add a kernel for " +
                           n->op + " to the opset plugin");
    }
    Step st;
    st.node = n.get();
    st.entry = ref->entry;
    st.plugin_state = ref->plugin->state;
    for (TflcValue* v : n->inputs) {
      if (!v) {
        st.inputs.push_back(-1);
      } else if (v->is_const()) {
        st.inputs.push_back(-2 - static_cast<int>(p.constants.size()));
        p.constants.push_back(v->data->data());
      } else {
        TFLC_ASSIGN_OR_RETURN(int s, slot(v));
        st.inputs.push_back(s);
      }
    }
    for (TflcValue* v : n->outputs) {
      TFLC_ASSIGN_OR_RETURN(int s, slot(v));
      st.outputs.push_back(s);
    }
    p.steps.push_back(std::move(st));
  }
  std::vector<bool> mean_slot(p.slots.size(), false);
  for (const Step& st : p.steps) {
    if (st.entry->weight_input < 0) continue;
    for (size_t i = 0; i < st.inputs.size(); ++i) {
      const int s = st.inputs[i];
      if (s < 0 || static_cast<int32_t>(i) == st.entry->weight_input || static_cast<int32_t>(i) == st.entry->bias_input ||
          mean_slot[s] || p.slots[s]->type != TFLC_TYPE_FLOAT32 || p.slots[s]->dims.empty() || p.slots[s]->dims.back() <= 0) {
        continue;
      }
      mean_slot[s] = true;
      p.mean_slots.push_back(s);
    }
  }
  return p;
}

struct Range {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  void Merge(const Range& o) {
    min = std::min(min, o.min);
    max = std::max(max, o.max);
  }
};

// min / max of every output of every sample: on the calibration hot path, so eight independent
// lanes the compiler turns into vector min / max (the order does not change the result).
Range RangeOf(const float* x, size_t n) {
  constexpr size_t kLanes = 8;
  float lo[kLanes], hi[kLanes];
  for (size_t l = 0; l < kLanes; ++l) {
    lo[l] = std::numeric_limits<float>::infinity();
    hi[l] = -std::numeric_limits<float>::infinity();
  }
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) {
      // NaN compares false both ways and is skipped.
      lo[l] = x[i + l] < lo[l] ? x[i + l] : lo[l];
      hi[l] = x[i + l] > hi[l] ? x[i + l] : hi[l];
    }
  }
  for (; i < n; ++i) {
    lo[0] = x[i] < lo[0] ? x[i] : lo[0];
    hi[0] = x[i] > hi[0] ? x[i] : hi[0];
  }
  Range r{lo[0], hi[0]};
  for (size_t l = 1; l < kLanes; ++l) r.Merge({lo[l], hi[l]});
  return r;
}

// One thread's buffers and argument arrays.
class Worker {
 public:
  explicit Worker(const Plan& p) : p_(p) {
    for (const TflcValue* v : p.slots) {
      buffers_.push_back(std::make_unique<OwnedBuffer>(std::max<size_t>(1, static_cast<size_t>(NumElements(*v)) * ElementSize(v->type))));
    }
    ranges_.resize(p.observed.size());
    for (int s : p.mean_slots) sums_.emplace_back(static_cast<size_t>(p.slots[s]->dims.back()), 0.0);
    for (const Step& st : p.steps) {
      std::vector<const void*> in;
      for (int s : st.inputs) in.push_back(s >= 0 ? buffers_[s]->data() : s == -1 ? nullptr : p.constants[-2 - s]);
      std::vector<void*> out;
      for (int s : st.outputs) out.push_back(buffers_[s]->mutable_data());
      ins_.push_back(std::move(in));
      outs_.push_back(std::move(out));
    }
  }

  Status Run(const Dataset& ds, size_t sample) {
    for (size_t k = 0; k < p_.input_slots.size(); ++k) {
      OwnedBuffer& b = *buffers_[p_.input_slots[k]];
      std::memcpy(b.mutable_data(), ds.sample(sample, k), b.size());
    }
    for (int s : p_.variable_slots) std::memset(buffers_[s]->mutable_data(), 0, buffers_[s]->size());
    for (size_t i = 0; i < p_.steps.size(); ++i) {
      const Step& st = p_.steps[i];
      TflcOpEval_Args a{};
      a.struct_size = TflcOpEval_Args_STRUCT_SIZE;
      a.host = HostApi();
      a.node = st.node;
      a.inputs = ins_[i].data();
      a.num_inputs = ins_[i].size();
      a.outputs = outs_[i].data();
      a.num_outputs = outs_[i].size();
      a.user_data = st.entry->user_data;
      a.plugin_state = st.plugin_state;
      Status s = TakeStatus(st.entry->Evaluate(&a));
      if (!s.ok()) return s.WithContext("calibration sample " + std::to_string(sample) + ": " + DescribeNode(st.node));
    }
    for (size_t j = 0; j < p_.observed.size(); ++j) {
      const OwnedBuffer& b = *buffers_[p_.observed[j]];
      ranges_[j].Merge(RangeOf(reinterpret_cast<const float*>(b.data()), b.size() / sizeof(float)));
    }
    for (size_t m = 0; m < p_.mean_slots.size(); ++m) AddChannelSums(m);
    return OkStatus();
  }
  const std::vector<Range>& ranges() const { return ranges_; }
  // Per mean slot: the sum of each channel over this worker's samples and positions.
  const std::vector<std::vector<double>>& channel_sums() const { return sums_; }

 private:
  // Channel c of a [..., C] value is every C-th element from c.
  void AddChannelSums(size_t m) {
    const OwnedBuffer& b = *buffers_[p_.mean_slots[m]];
    const float* x = reinterpret_cast<const float*>(b.data());
    std::vector<double>& sum = sums_[m];
    const size_t c = sum.size(), n = b.size() / sizeof(float);
    for (size_t i = 0; i + c <= n; i += c) {
      for (size_t k = 0; k < c; ++k) sum[k] += x[i + k];
    }
  }

  const Plan& p_;
  std::vector<std::unique_ptr<OwnedBuffer>> buffers_;
  std::vector<std::vector<const void*>> ins_;
  std::vector<std::vector<void*>> outs_;
  std::vector<Range> ranges_;
  std::vector<std::vector<double>> sums_;
};

}  // namespace

std::vector<DatasetInput> DatasetInputsOf(const TflcGraph* g) {
  std::vector<DatasetInput> out;
  for (size_t k = 0; k < g->inputs.size(); ++k) {
    const TflcValue* v = g->inputs[k];
    DatasetInput d;
    d.name = k < g->input_signature_names.size() && !g->input_signature_names[k].empty() ? g->input_signature_names[k] : v->name;
    d.tensor_name = v->name;
    d.type = v->type;
    d.dims = v->dims;
    out.push_back(std::move(d));
  }
  return out;
}

Status Calibrate(const PassContext& ctx, TflcGraph* g, const Dataset& dataset, unsigned threads,
                 const std::function<void(size_t, size_t)>& progress) {
  TFLC_RETURN_IF_ERROR(Sorted(g));
  TFLC_ASSIGN_OR_RETURN(Plan plan, MakePlan(ctx, g));
  if (dataset.num_inputs() != plan.input_slots.size()) {
    return Internal("calibration: the dataset feeds " + std::to_string(dataset.num_inputs()) + " inputs, the graph has " +
                    std::to_string(plan.input_slots.size()));
  }
  const size_t total = dataset.num_samples();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(total)));
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned t = 0; t < threads; ++t) workers.push_back(std::make_unique<Worker>(plan));
  std::atomic<size_t> next{0}, done{0};
  std::mutex mu;
  Status first_error;
  auto work = [&](Worker* w) {
    for (size_t i = next++; i < total; i = next++) {
      Status s = w->Run(dataset, i);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = s;
        next = total;
        return;
      }
      size_t d = ++done;
      if (progress) {
        std::lock_guard<std::mutex> lock(mu);
        progress(d, total);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, workers[t].get());
  work(workers[0].get());
  for (auto& t : pool) t.join();
  TFLC_RETURN_IF_ERROR(first_error);

  for (size_t m = 0; m < plan.mean_slots.size(); ++m) {
    TflcValue* v = plan.slots[plan.mean_slots[m]];
    std::vector<double> sum(static_cast<size_t>(v->dims.back()), 0.0);
    for (auto& w : workers) {
      for (size_t k = 0; k < sum.size(); ++k) sum[k] += w->channel_sums()[m][k];
    }
    const double count = static_cast<double>(total) * static_cast<double>(NumElements(*v) / v->dims.back());
    v->channel_means.resize(sum.size());
    for (size_t k = 0; k < sum.size(); ++k) v->channel_means[k] = static_cast<float>(sum[k] / count);
  }
  for (size_t j = 0; j < plan.observed.size(); ++j) {
    Range r;
    for (auto& w : workers) r.Merge(w->ranges()[j]);
    TflcValue* v = plan.slots[plan.observed[j]];
    if (!(r.min <= r.max)) continue;  // only NaN seen
    v->has_range = true;
    v->range_min = r.min;
    v->range_max = r.max;
  }
  return OkStatus();
}

}  // namespace tflc::host
