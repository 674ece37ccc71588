// A representative dataset as a stream of samples, which calibration pulls from.
//
// Calibration workers take the next sample under one lock and copy it straight into their own
// input buffers (the only copy a sample gets), then run the graph without the lock. Calibration
// statistics are order-independent (ranges are min/max, channel means are sums), so it does not
// matter which worker gets which sample.
//
// Two implementations: DatasetSource (a loaded .npz / .npy directory, quant/dataset.h) and the
// Python binding's generator source (python/src/module.cc), which validates each sample as it
// arrives with CheckSample (same checks and messages as Dataset::Load).
#ifndef TFLC_HOST_QUANT_SAMPLE_SOURCE_H_
#define TFLC_HOST_QUANT_SAMPLE_SOURCE_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "ir/ir.h"
#include "quant/dataset.h"
#include "tflc/sdk/status.h"

namespace tflc::host {

// Where a sample goes: one buffer per model input (graph input order), exactly `bytes` long.
struct SampleFeed {
  void* data;    // borrowed: a calibration worker's input buffer, valid during Next
  size_t bytes;  // product(input dims) * element size
};

class SampleSource {
 public:
  virtual ~SampleSource() = default;
  // The number of samples when known up front (for the progress bar); 0 when it is not (a stream).
  virtual size_t size_hint() const { return 0; }
  // Writes sample `index` (0, 1, 2, ... in call order) into `feeds` (one per input) and returns
  // true, or returns false when there are no more samples. Called by one thread at a time.
  // An error (a bad sample, a failing generator) stops the calibration with that status.
  virtual StatusOr<bool> Next(size_t index, const std::vector<SampleFeed>& feeds) = 0;
};

// A loaded file dataset as a source: sample i is copied from the loaded arrays.
class DatasetSource : public SampleSource {
 public:
  explicit DatasetSource(const Dataset& dataset) : dataset_(dataset) {}  // `dataset` must outlive this
  size_t size_hint() const override { return dataset_.num_samples(); }
  StatusOr<bool> Next(size_t index, const std::vector<SampleFeed>& feeds) override;

 private:
  const Dataset& dataset_;
};

// Opens the representative dataset of one graph (called once per graph that is calibrated), for
// datasets that are not a file: ConvertRequest::representative_dataset.
class SampleSourceFactory {
 public:
  virtual ~SampleSourceFactory() = default;
  // `inputs` are DatasetInputsOf(graph): what each sample must feed, in graph input order.
  virtual StatusOr<std::unique_ptr<SampleSource>> Open(const TflcGraph& graph,
                                                       const std::vector<DatasetInput>& inputs) const = 0;
};

}  // namespace tflc::host

#endif  // TFLC_HOST_QUANT_SAMPLE_SOURCE_H_
