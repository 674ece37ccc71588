// Calibration: runs the float graph with the opsets' reference kernels over the representative
// dataset and records the range every float value takes (read by quantizers via Value_GetRange),
// and the channel means of the activation inputs of ops with weights (Value_GetChannelMeans).
#ifndef TFLC_HOST_QUANT_CALIBRATE_H_
#define TFLC_HOST_QUANT_CALIBRATE_H_

#include <cstddef>
#include <functional>
#include <vector>

#include "ir/ir.h"
#include "pipeline/passes.h"
#include "quant/dataset.h"
#include "quant/sample_source.h"
#include "tflc/sdk/status.h"

namespace tflc::host {

// The inputs a dataset must feed for `g`, in graph input order.
std::vector<DatasetInput> DatasetInputsOf(const TflcGraph* g);

// Runs `g` once per sample of `dataset` (whose inputs are DatasetInputsOf(g)) and sets
// has_range / range_min / range_max on every float32 value, and with `channel_means` the
// channel_means of the float activation inputs of ops with weights. The same for the values of
// every subgraph `g` calls, over all the runs the callers' kernels make (Graph_Run): all loop
// iterations, only the branches taken; a subgraph also calibrated from another entry graph
// widens its ranges (its means are those of the last calibration). Samples run on up to `threads`
// threads. `progress(done, total)` is called after each sample (may be empty).
Status Calibrate(const PassContext& ctx, TflcGraph* g, const Dataset& dataset, unsigned threads, bool channel_means,
                 const std::function<void(size_t, size_t)>& progress);

// The same over a stream: pulls samples from `source` until it ends (workers take the next sample
// under a lock, then run it in parallel). `progress(done, total)` gets total = size_hint (0: unknown).
// `num_samples` (may be null) receives how many samples ran. No samples at all is an error.
Status Calibrate(const PassContext& ctx, TflcGraph* g, SampleSource& source, unsigned threads, bool channel_means,
                 const std::function<void(size_t, size_t)>& progress, size_t* num_samples = nullptr);

// Graph_Run: runs `g` once with the opsets' reference kernels on the caller's buffers (one per
// graph input / output, laid out as that value). Called by the kernels of ops that call subgraphs.
// During Calibrate, a subgraph the calibrated graph calls (through nodes' graph attributes) runs
// in the calling worker's buffers and its float values are recorded on every run; otherwise the
// graph runs alone and nothing is recorded.
Status RunGraph(const TflcGraph* g, const void* const* inputs, size_t num_inputs, void* const* outputs,
                size_t num_outputs);

}  // namespace tflc::host

#endif  // TFLC_HOST_QUANT_CALIBRATE_H_
