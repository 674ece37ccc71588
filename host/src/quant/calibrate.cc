#include "quant/calibrate.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ir/host_api.h"
#include "registry/registry.h"

namespace tflc::host {
namespace {

// One node's kernel call with every pointer bound to a worker's buffers.
struct Step {
  const TflcNode* node = nullptr;
  const TflcOpsetEntry* entry = nullptr;
  const Plugin* plugin = nullptr;
  void* plugin_state = nullptr;
  std::vector<int> inputs;   // slot per input: >= 0 a buffer, -1 omitted, -2 - k constant k
  std::vector<int> outputs;  // buffer slot per output
};

// How to run one graph: the entry graph being calibrated, or a subgraph a kernel runs through
// Graph_Run (a loop body, a branch), possibly many times per sample.
struct Plan {
  const TflcGraph* graph = nullptr;
  std::vector<Step> steps;
  std::vector<TflcValue*> slots;            // value held in each buffer slot (its range is set)
  std::vector<const void*> constants;
  std::vector<int> input_slots;             // graph input k -> slot
  std::vector<int> output_slots;            // graph output k -> slot (>= 0) or constant k (-2 - k)
  std::vector<int> variable_slots;          // zeroed before every sample
  std::vector<int> observed;                // float32 slots whose range is recorded
  // float32 slots that are the activation input of an op with weights (TflcOpsetEntry.weight_input
  // >= 0): their channel means are recorded too, for the quantizers' bias correction.
  std::vector<int> mean_slots;
  // Per step: the observed indices of its outputs whose buffers nothing writes afterwards in a
  // sample (not variables); their range is taken right after the step, while the output is still
  // in cache. The other observed slots are measured after the sample, as before.
  std::vector<std::vector<int>> observe_after_step;
  std::vector<int> observe_after_sample;
  // The same for the channel sums of mean_slots (indices into mean_slots).
  std::vector<std::vector<int>> means_after_step;
  std::vector<int> means_after_sample;
};

// When to read each of `slots` (indices into it): right after the step that writes it (still in
// cache), unless it is a variable or written by no step (graph inputs): then after the sample.
void ScheduleObservations(const Plan& p, const std::vector<int>& slots, std::vector<std::vector<int>>* after_step,
                          std::vector<int>* after_sample) {
  std::vector<int> index_of_slot(p.slots.size(), -1);
  for (size_t j = 0; j < slots.size(); ++j) index_of_slot[slots[j]] = static_cast<int>(j);
  std::vector<bool> scheduled(slots.size(), false);
  for (const Step& st : p.steps) {
    std::vector<int> now;
    for (int s : st.outputs) {
      const int j = index_of_slot[s];
      if (j < 0 || p.slots[s]->is_variable || scheduled[j]) continue;
      scheduled[j] = true;
      now.push_back(j);
    }
    after_step->push_back(std::move(now));
  }
  for (size_t j = 0; j < slots.size(); ++j) {
    if (!scheduled[j]) after_sample->push_back(static_cast<int>(j));
  }
}

StatusOr<std::unique_ptr<Plan>> MakePlan(const Registry& registry, TflcGraph* g, bool channel_means) {
  auto plan = std::make_unique<Plan>();
  Plan& p = *plan;
  p.graph = g;
  std::unordered_map<const TflcValue*, int> slot_of;
  const std::string where = g->is_subgraph ? " of " + DescribeGraph(g) : std::string();
  auto slot = [&](TflcValue* v) -> StatusOr<int> {
    auto it = slot_of.find(v);
    if (it != slot_of.end()) return it->second;
    if (v->rank < 0 || NumElements(*v) < 0) {
      return FailedPrecondition("cannot calibrate: tensor '" + v->name + "'" + where + " has an unknown shape " +
                                ShapeString(*v));
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
    const OpRef* ref = registry.FindOp(n->domain, n->op);
    if (!ref || !ref->entry->Evaluate) {
      return Unimplemented("cannot calibrate: " + DescribeNode(n.get()) + where + " has no reference kernel" +
                           (ref ? " in plugin '" + ref->plugin->name() + "'" : std::string(" (no opset defines it)")) +
                           ". Drop --representative_dataset for dynamic-range quantization, or add a kernel for " +
                           n->op + " to the opset plugin");
    }
    Step st;
    st.node = n.get();
    st.entry = ref->entry;
    st.plugin = ref->plugin;
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
  for (TflcValue* v : g->outputs) {
    if (v->is_const()) {
      p.output_slots.push_back(-2 - static_cast<int>(p.constants.size()));
      p.constants.push_back(v->data->data());
      continue;
    }
    auto it = slot_of.find(v);
    if (it == slot_of.end()) {
      return Internal("cannot calibrate: output '" + v->name + "' of " + DescribeGraph(g) + " is computed by no node");
    }
    p.output_slots.push_back(it->second);
  }
  std::vector<bool> mean_slot(p.slots.size(), false);
  for (const Step& st : p.steps) {
    if (!channel_means || st.entry->weight_input < 0) continue;
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
  ScheduleObservations(p, p.observed, &p.observe_after_step, &p.observe_after_sample);
  ScheduleObservations(p, p.mean_slots, &p.means_after_step, &p.means_after_sample);
  return plan;
}

// The plans of a calibration: [0] the entry graph, then every subgraph it calls (directly or
// through other subgraphs), found through the nodes' graph attributes.
struct Plans {
  std::vector<std::unique_ptr<Plan>> plans;
  std::unordered_map<const TflcGraph*, size_t> index;
};

StatusOr<Plans> MakePlans(const Registry& registry, TflcGraph* entry, bool channel_means) {
  Plans out;
  std::vector<TflcGraph*> todo{entry};
  out.index[entry] = 0;
  for (size_t i = 0; i < todo.size(); ++i) {
    TflcGraph* g = todo[i];
    TFLC_RETURN_IF_ERROR(Sorted(g));
    TFLC_ASSIGN_OR_RETURN(std::unique_ptr<Plan> p, MakePlan(registry, g, channel_means));
    out.plans.push_back(std::move(p));
    for (auto& n : g->nodes) {
      if (n->dead) continue;
      for (const auto& [attr, sub] : CalledSubgraphs(n.get())) {
        if (sub && out.index.emplace(sub, todo.size()).second) todo.push_back(sub);
      }
    }
  }
  return out;
}

struct Range {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  void Merge(const Range& o) {
    min = std::min(min, o.min);
    max = std::max(max, o.max);
  }
};

// min / max of every output of every sample: on the calibration hot path. The result is that of
// one sequential pass with eight lanes (element i in lane i % 8, the tail in lane 0, the lanes
// merged in order), which fixes which of two equal values (+0 / -0) is kept. Folding a lane's
// elements is associative in this sense: fold(A then B) == Merge(fold(A), fold(B)) with Merge
// keeping its left side on ties. So the blocks of eight are cut into two halves folded side by
// side (twice the work in flight: each min / max waits on the previous one), then merged in
// order. With GCC / Clang the lanes are vectors held in registers.
struct Lanes8 {
  float lo[8], hi[8];
};

void FoldBlocks(const float* x, size_t blocks, Lanes8* out) {
  for (size_t l = 0; l < 8; ++l) {
    out->lo[l] = std::numeric_limits<float>::infinity();
    out->hi[l] = -std::numeric_limits<float>::infinity();
  }
#if defined(__GNUC__)
  // Four-float vectors are native on every x86-64 (an eight-float vector is split into scalar
  // code without AVX): a0 / a1 are lanes 0-3 / 4-7 of the first half, b0 / b1 of the second.
  typedef float V4 __attribute__((vector_size(4 * sizeof(float))));
  const size_t half = blocks / 2;
  const float* y = x + half * 8;
  V4 lo_a0, lo_a1, hi_a0, hi_a1;
  std::memcpy(&lo_a0, out->lo, sizeof(V4));
  std::memcpy(&lo_a1, out->lo + 4, sizeof(V4));
  std::memcpy(&hi_a0, out->hi, sizeof(V4));
  std::memcpy(&hi_a1, out->hi + 4, sizeof(V4));
  V4 lo_b0 = lo_a0, lo_b1 = lo_a1, hi_b0 = hi_a0, hi_b1 = hi_a1;
  // NaN compares false both ways and is skipped.
#define TFLC_FOLD4(v, lo, hi) \
  lo = v < lo ? v : lo;       \
  hi = v > hi ? v : hi
  for (size_t b = 0; b < half; ++b) {
    V4 a0, a1, b0, b1;
    std::memcpy(&a0, x + b * 8, sizeof(V4));
    std::memcpy(&a1, x + b * 8 + 4, sizeof(V4));
    std::memcpy(&b0, y + b * 8, sizeof(V4));
    std::memcpy(&b1, y + b * 8 + 4, sizeof(V4));
    TFLC_FOLD4(a0, lo_a0, hi_a0);
    TFLC_FOLD4(a1, lo_a1, hi_a1);
    TFLC_FOLD4(b0, lo_b0, hi_b0);
    TFLC_FOLD4(b1, lo_b1, hi_b1);
  }
  if (blocks % 2) {  // an odd last block continues the second half
    V4 b0, b1;
    std::memcpy(&b0, x + (blocks - 1) * 8, sizeof(V4));
    std::memcpy(&b1, x + (blocks - 1) * 8 + 4, sizeof(V4));
    TFLC_FOLD4(b0, lo_b0, hi_b0);
    TFLC_FOLD4(b1, lo_b1, hi_b1);
  }
#undef TFLC_FOLD4
  float a_lo[8], a_hi[8], b_lo[8], b_hi[8];
  std::memcpy(a_lo, &lo_a0, sizeof(V4));
  std::memcpy(a_lo + 4, &lo_a1, sizeof(V4));
  std::memcpy(a_hi, &hi_a0, sizeof(V4));
  std::memcpy(a_hi + 4, &hi_a1, sizeof(V4));
  std::memcpy(b_lo, &lo_b0, sizeof(V4));
  std::memcpy(b_lo + 4, &lo_b1, sizeof(V4));
  std::memcpy(b_hi, &hi_b0, sizeof(V4));
  std::memcpy(b_hi + 4, &hi_b1, sizeof(V4));
  for (size_t l = 0; l < 8; ++l) {
    // Merge(first half, second half): the first half wins ties, as in one sequential pass.
    out->lo[l] = b_lo[l] < a_lo[l] ? b_lo[l] : a_lo[l];
    out->hi[l] = b_hi[l] > a_hi[l] ? b_hi[l] : a_hi[l];
  }
#else
  for (size_t b = 0; b < blocks; ++b) {
    for (size_t l = 0; l < 8; ++l) {
      const float v = x[b * 8 + l];
      out->lo[l] = v < out->lo[l] ? v : out->lo[l];
      out->hi[l] = v > out->hi[l] ? v : out->hi[l];
    }
  }
#endif
}

Range RangeOf(const float* x, size_t n) {
  Lanes8 lanes;
  FoldBlocks(x, n / 8, &lanes);
  for (size_t i = n / 8 * 8; i < n; ++i) {
    lanes.lo[0] = x[i] < lanes.lo[0] ? x[i] : lanes.lo[0];
    lanes.hi[0] = x[i] > lanes.hi[0] ? x[i] : lanes.hi[0];
  }
  Range r{lanes.lo[0], lanes.hi[0]};
  for (size_t l = 1; l < 8; ++l) r.Merge({lanes.lo[l], lanes.hi[l]});
  return r;
}

// One graph's buffers and argument arrays on one thread, and what it observed.
class Runner {
 public:
  Runner(const Plan& p, bool record) : p_(p), record_(record) {
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

  // Where the next sample's inputs go (SampleSource::Next writes them).
  const std::vector<SampleFeed>& feeds() {
    if (feeds_.empty()) {
      for (int s : p_.input_slots) feeds_.push_back({buffers_[s]->mutable_data(), buffers_[s]->size()});
    }
    return feeds_;
  }

  // Before each sample: variables start at zero, the channel sums and the run count at 0.
  void StartSample() {
    for (int s : p_.variable_slots) std::memset(buffers_[s]->mutable_data(), 0, buffers_[s]->size());
    for (std::vector<double>& sum : sums_) std::fill(sum.begin(), sum.end(), 0.0);
    runs_ = 0;
  }

  // Runs the graph on the data in its input buffers. Errors name the calibration sample (entry
  // graph, `sample` >= 0) or the subgraph (`sample` < 0).
  Status Execute(int64_t sample) {
    ++runs_;
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
      // Runs on a worker thread: an exception escaping here would terminate the process.
      Status s = CallPlugin({st.plugin, "Evaluate", "opset entry", st.entry->op, st.node}, [&] { return st.entry->Evaluate(&a); });
      if (!s.ok()) {
        return s.WithContext((sample >= 0 ? "calibration sample " + std::to_string(sample) : DescribeGraph(p_.graph)) +
                             ": " + DescribeNode(st.node));
      }
      if (!record_) continue;
      for (int j : p_.observe_after_step[i]) Observe(j);
      for (int m : p_.means_after_step[i]) AddChannelSums(static_cast<size_t>(m));
    }
    if (record_) {
      for (int j : p_.observe_after_sample) Observe(j);
      for (int m : p_.means_after_sample) AddChannelSums(static_cast<size_t>(m));
    }
    return OkStatus();
  }

  // One run on the caller's buffers (Graph_Run): inputs copied in, outputs copied out.
  Status RunWith(const void* const* inputs, size_t num_inputs, void* const* outputs, size_t num_outputs) {
    const TflcGraph* g = p_.graph;
    if (num_inputs != p_.input_slots.size() || num_outputs != p_.output_slots.size()) {
      return InvalidArgument("Graph_Run: " + DescribeGraph(g) + " takes " + std::to_string(p_.input_slots.size()) +
                             " inputs and gives " + std::to_string(p_.output_slots.size()) + " outputs, the call has " +
                             std::to_string(num_inputs) + " and " + std::to_string(num_outputs));
    }
    if (busy_) return FailedPrecondition("Graph_Run: " + DescribeGraph(g) + " calls itself (recursion is not supported)");
    busy_ = true;
    struct Reset {
      bool* b;
      ~Reset() { *b = false; }
    } reset{&busy_};
    for (size_t k = 0; k < num_inputs; ++k) {
      OwnedBuffer& b = *buffers_[p_.input_slots[k]];
      if (!inputs[k]) return InvalidArgument("Graph_Run: no data for input " + std::to_string(k) + " of " + DescribeGraph(g));
      std::memcpy(b.mutable_data(), inputs[k], ValueBytes(*p_.slots[p_.input_slots[k]]));
    }
    TFLC_RETURN_IF_ERROR(Execute(-1));
    for (size_t k = 0; k < num_outputs; ++k) {
      const int s = p_.output_slots[k];
      const TflcValue* v = s >= 0 ? p_.slots[s] : g->outputs[k];
      const void* src = s >= 0 ? buffers_[s]->data() : p_.constants[-2 - s];
      if (!outputs[k]) return InvalidArgument("Graph_Run: no buffer for output " + std::to_string(k) + " of " + DescribeGraph(g));
      std::memmove(outputs[k], src, ValueBytes(*v));
    }
    return OkStatus();
  }

  const Plan& plan() const { return p_; }
  const std::vector<Range>& ranges() const { return ranges_; }
  // Per mean slot: the sum of each channel over the positions of every run since StartSample.
  const std::vector<std::vector<double>>& channel_sums() const { return sums_; }
  size_t runs() const { return runs_; }

 private:
  static size_t ValueBytes(const TflcValue& v) { return static_cast<size_t>(NumElements(v)) * ElementSize(v.type); }

  void Observe(int j) {
    const OwnedBuffer& b = *buffers_[p_.observed[j]];
    ranges_[j].Merge(RangeOf(reinterpret_cast<const float*>(b.data()), ValueBytes(*p_.slots[p_.observed[j]]) / sizeof(float)));
  }

  // Channel c of a [..., C] value is every C-th element from c.
  void AddChannelSums(size_t m) {
    const OwnedBuffer& b = *buffers_[p_.mean_slots[m]];
    const float* x = reinterpret_cast<const float*>(b.data());
    std::vector<double>& sum = sums_[m];
    const size_t c = sum.size(), n = ValueBytes(*p_.slots[p_.mean_slots[m]]) / sizeof(float);
    const size_t rows = c == 0 ? 0 : n / c;
    double* s = sum.data();
    size_t k = 0;
#if defined(__SSE2__)
    // Blocks of 16 then 8 channels held in registers (two per instruction) down all the rows:
    // each lane is still sum[k] += x[i + k], in row order.
    for (; k + 16 <= c; k += 16) SumColumns<8>(x + k, c, rows, s + k);
    for (; k + 8 <= c; k += 8) SumColumns<4>(x + k, c, rows, s + k);
#endif
    for (size_t i = 0; i < rows; ++i) {
      for (size_t j = k; j < c; ++j) s[j] += x[i * c + j];
    }
  }

#if defined(__SSE2__)
  // s[0, 2 * kPairs) += column sums of the rows x[r * stride + (0 .. 2 * kPairs)], r < rows.
  template <int kPairs>
  static void SumColumns(const float* x, size_t stride, size_t rows, double* s) {
    __m128d acc[kPairs];
#pragma GCC unroll 8
    for (int q = 0; q < kPairs; ++q) acc[q] = _mm_loadu_pd(s + 2 * q);
    for (size_t r = 0; r < rows; ++r) {
      const float* row = x + r * stride;
#pragma GCC unroll 8
      for (int q = 0; q < kPairs; q += 2) {
        const __m128 f = _mm_loadu_ps(row + 2 * q);
        acc[q] = _mm_add_pd(acc[q], _mm_cvtps_pd(f));
        acc[q + 1] = _mm_add_pd(acc[q + 1], _mm_cvtps_pd(_mm_movehl_ps(f, f)));
      }
    }
#pragma GCC unroll 8
    for (int q = 0; q < kPairs; ++q) _mm_storeu_pd(s + 2 * q, acc[q]);
  }
#endif

  const Plan& p_;
  const bool record_;
  bool busy_ = false;
  size_t runs_ = 0;
  std::vector<std::unique_ptr<OwnedBuffer>> buffers_;
  std::vector<std::vector<const void*>> ins_;
  std::vector<std::vector<void*>> outs_;
  std::vector<Range> ranges_;
  std::vector<std::vector<double>> sums_;
  std::vector<SampleFeed> feeds_;
};

class Worker;
// The calibration worker running on this thread (Graph_Run records into its runners), or null.
thread_local Worker* t_worker = nullptr;
// Graph_Run calls nested outside calibration (each makes a fresh plan), to stop runaway nesting.
thread_local int t_standalone_depth = 0;

// One thread's runners: the entry graph's and one per subgraph it may call.
class Worker {
 public:
  explicit Worker(const Plans& plans) : plans_(plans) {
    for (const auto& p : plans.plans) runners_.push_back(std::make_unique<Runner>(*p, /*record=*/true));
  }

  const std::vector<SampleFeed>& feeds() { return runners_[0]->feeds(); }

  // Runs the entry graph on the sample in its input buffers (`sample` names it in messages);
  // the subgraphs its kernels run through Graph_Run are recorded too.
  Status Run(size_t sample) {
    for (auto& r : runners_) r->StartSample();
    Worker* outer = t_worker;
    t_worker = this;
    Status s = runners_[0]->Execute(static_cast<int64_t>(sample));
    t_worker = outer;
    return s;
  }

  Runner* RunnerFor(const TflcGraph* g) {
    auto it = plans_.index.find(g);
    return it == plans_.index.end() ? nullptr : runners_[it->second].get();
  }
  const std::vector<std::unique_ptr<Runner>>& runners() const { return runners_; }

 private:
  const Plans& plans_;
  std::vector<std::unique_ptr<Runner>> runners_;
};

// What one sample added to the channel sums: per plan, per mean slot, and the runs of each plan.
struct SampleSums {
  std::vector<std::vector<std::vector<double>>> sums;
  std::vector<size_t> runs;
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

StatusOr<bool> DatasetSource::Next(size_t index, const std::vector<SampleFeed>& feeds) {
  if (index >= dataset_.num_samples()) return false;
  if (feeds.size() != dataset_.num_inputs()) {
    return Internal("calibration: the dataset feeds " + std::to_string(dataset_.num_inputs()) + " inputs, the graph has " +
                    std::to_string(feeds.size()));
  }
  for (size_t k = 0; k < feeds.size(); ++k) {
    if (feeds[k].bytes != dataset_.sample_bytes(k)) {
      return Internal("calibration: input " + std::to_string(k) + " takes " + std::to_string(feeds[k].bytes) +
                      " bytes per sample, the dataset has " + std::to_string(dataset_.sample_bytes(k)));
    }
    std::memcpy(feeds[k].data, dataset_.sample(index, k), feeds[k].bytes);
  }
  return true;
}

Status Calibrate(const PassContext& ctx, TflcGraph* g, const Dataset& dataset, unsigned threads, bool channel_means,
                 const std::function<void(size_t, size_t)>& progress) {
  if (dataset.num_inputs() != g->inputs.size()) {
    return Internal("calibration: the dataset feeds " + std::to_string(dataset.num_inputs()) + " inputs, the graph has " +
                    std::to_string(g->inputs.size()));
  }
  DatasetSource source(dataset);
  return Calibrate(ctx, g, source, threads, channel_means, progress);
}

Status Calibrate(const PassContext& ctx, TflcGraph* g, SampleSource& source, unsigned threads, bool channel_means,
                 const std::function<void(size_t, size_t)>& progress, size_t* num_samples) {
  TFLC_ASSIGN_OR_RETURN(Plans plans, MakePlans(*ctx.registry, g, channel_means));
  const size_t hint = source.size_hint();
  if (hint > 0) threads = std::min<unsigned>(threads, static_cast<unsigned>(std::min<size_t>(hint, 1024)));
  threads = std::max(1u, threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned t = 0; t < threads; ++t) workers.push_back(std::make_unique<Worker>(plans));
  // `mu` guards the source (one Next at a time), `taken`, `finished`, `first_error` and progress.
  std::mutex mu;
  size_t taken = 0;
  bool finished = false;
  std::atomic<size_t> done{0};
  Status first_error;
  // Channel sums are added up sample by sample in sample order, whichever worker ran which sample,
  // so the means (and the bias corrections made from them) do not depend on thread timing. A
  // sample finished early waits in `pending` (a few at most: about one per worker). A subgraph's
  // values count once per run (every iteration of a loop).
  bool any_means = false;
  SampleSums total;
  for (const auto& p : plans.plans) {
    std::vector<std::vector<double>> sums;
    for (int s : p->mean_slots) sums.emplace_back(static_cast<size_t>(p->slots[s]->dims.back()), 0.0);
    any_means = any_means || !sums.empty();
    total.sums.push_back(std::move(sums));
    total.runs.push_back(0);
  }
  std::map<size_t, SampleSums> pending;
  size_t next_merge = 0;
  auto merge = [&](size_t i, const Worker& w) {  // with `mu` held
    if (!any_means) return;
    SampleSums one;
    for (const auto& r : w.runners()) {
      one.sums.push_back(r->channel_sums());
      one.runs.push_back(r->runs());
    }
    pending.emplace(i, std::move(one));
    for (auto it = pending.find(next_merge); it != pending.end(); it = pending.find(next_merge)) {
      for (size_t p = 0; p < total.sums.size(); ++p) {
        total.runs[p] += it->second.runs[p];
        for (size_t m = 0; m < total.sums[p].size(); ++m) {
          for (size_t k = 0; k < total.sums[p][m].size(); ++k) total.sums[p][m][k] += it->second.sums[p][m][k];
        }
      }
      pending.erase(it);
      ++next_merge;
    }
  };
  auto work = [&](Worker* w) {
    for (;;) {
      size_t i;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (finished) return;
        i = taken;
        StatusOr<bool> more = source.Next(i, w->feeds());
        if (!more.ok() || !*more) {
          if (!more.ok() && first_error.ok()) first_error = more.status();
          finished = true;
          return;
        }
        ++taken;
      }
      Status s = w->Run(i);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = s;
        finished = true;
        return;
      }
      const size_t d = ++done;
      std::lock_guard<std::mutex> lock(mu);
      merge(i, *w);
      if (progress) progress(d, hint);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, workers[t].get());
  work(workers[0].get());
  for (auto& t : pool) t.join();
  TFLC_RETURN_IF_ERROR(first_error);
  const size_t samples = done;
  if (num_samples) *num_samples = samples;
  if (samples == 0) {
    return InvalidArgument("the representative dataset gave no samples: calibration needs at least one");
  }

  for (size_t pi = 0; pi < plans.plans.size(); ++pi) {
    const Plan& plan = *plans.plans[pi];
    const bool shared = plan.graph->is_subgraph;  // may be calibrated from several entry graphs
    for (size_t m = 0; m < plan.mean_slots.size() && total.runs[pi] > 0; ++m) {
      TflcValue* v = plan.slots[plan.mean_slots[m]];
      const std::vector<double>& sum = total.sums[pi][m];
      const double count = static_cast<double>(total.runs[pi]) * static_cast<double>(NumElements(*v) / v->dims.back());
      v->channel_means.resize(sum.size());
      for (size_t k = 0; k < sum.size(); ++k) v->channel_means[k] = static_cast<float>(sum[k] / count);
    }
    for (size_t j = 0; j < plan.observed.size(); ++j) {
      Range r;
      for (auto& w : workers) r.Merge(w->runners()[pi]->ranges()[j]);
      TflcValue* v = plan.slots[plan.observed[j]];
      if (!(r.min <= r.max)) continue;  // only NaN seen, or a subgraph that never ran
      if (shared && v->has_range) r.Merge({v->range_min, v->range_max});
      v->has_range = true;
      v->range_min = r.min;
      v->range_max = r.max;
    }
  }
  return OkStatus();
}

Status RunGraph(const TflcGraph* g, const void* const* inputs, size_t num_inputs, void* const* outputs,
                size_t num_outputs) {
  if (!g) return InvalidArgument("Graph_Run: no graph");
  if (t_worker) {
    if (Runner* r = t_worker->RunnerFor(g)) return r->RunWith(inputs, num_inputs, outputs, num_outputs);
  }
  // Outside calibration (or a graph the calibration did not plan): a fresh plan, nothing recorded.
  if (!g->model || !g->model->registry) {
    return FailedPrecondition("Graph_Run: " + DescribeGraph(g) + " belongs to no model with plugins");
  }
  if (t_standalone_depth >= 64) {
    return FailedPrecondition("Graph_Run: subgraph calls nested more than 64 deep at " + DescribeGraph(g));
  }
  TflcGraph* mg = const_cast<TflcGraph*>(g);  // Sorted only reorders the node list
  TFLC_RETURN_IF_ERROR(Sorted(mg));
  TFLC_ASSIGN_OR_RETURN(std::unique_ptr<Plan> plan, MakePlan(*g->model->registry, mg, /*channel_means=*/false));
  Runner runner(*plan, /*record=*/false);
  Worker* outer = t_worker;
  t_worker = nullptr;
  ++t_standalone_depth;
  Status s = runner.RunWith(inputs, num_inputs, outputs, num_outputs);
  --t_standalone_depth;
  t_worker = outer;
  return s;
}

}  // namespace tflc::host
