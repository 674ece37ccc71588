// The representative dataset for post-training quantization (--representative_dataset PATH).
//
// PATH is either
//  - an .npz (np.savez / np.savez_compressed) holding one array per model input, named after the
//    input (signature name or graph tensor name) or positionally arr_0, arr_1, ... in input order,
//    with the samples on the first axis; or
//  - a directory of .npy files, one sample per file, read in sorted file-name order (models with a
//    single input only).
// Everything is validated up front (dtype, shape, sample counts, NaN/Inf), so calibration never
// sees a bad sample. The data is held once: samples point into the loaded arrays.
#ifndef TFLC_HOST_QUANT_DATASET_H_
#define TFLC_HOST_QUANT_DATASET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tflc/abi/tflc_types.h"
#include "tflc/sdk/status.h"

namespace tflc::host {

// One array read from a .npy file or an .npz member.
struct NpyArray {
  std::string name;          // npz member name without ".npy", or the file name
  TflcDataType type = TFLC_TYPE_UNKNOWN;
  std::string descr;         // the dtype as written ("<f8"), for messages
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // little-endian, C order; exactly product(dims) * element size bytes
};

// Reads a .npy file (format versions 1.0, 2.0 and 3.0). Fortran-order, big-endian, structured and
// object arrays are refused with a message saying how to re-save them.
StatusOr<NpyArray> ReadNpy(const std::string& path);
// Parses .npy bytes held in memory; `where` names them in messages (a path, "a.npz member x.npy").
StatusOr<NpyArray> ParseNpy(const std::string& name, const uint8_t* data, size_t size,
                            const std::string& where);
// Reads every member of an .npz (stored or deflated, ZIP64 included), in archive order.
StatusOr<std::vector<NpyArray>> ReadNpz(const std::string& path);

// numpy's name for a type ("float32"), as used in `.astype(np.float32)`.
const char* NumpyTypeName(TflcDataType type);

// One model input the dataset must feed.
struct DatasetInput {
  std::string name;         // signature name ("input_1")
  std::string tensor_name;  // graph tensor name (may differ; also accepted as an array name)
  TflcDataType type = TFLC_TYPE_UNKNOWN;
  std::vector<int64_t> dims;  // the model input shape, e.g. [1, 28, 28, 1]; -1 batch counts as 1
};

// Checks one sample of input `in` that arrives at run time (a streamed dataset such as a Python
// generator) as Dataset::Load checks the samples of a file: dtype, shape (the model shape, or
// without its leading batch 1), NaN/Inf. `source` names the dataset in messages
// ("representative_dataset"), `index` the sample; `got_type_name` is the dtype as the user wrote it
// (e.g. "float64"). `fed_bytes` is what calibration feeds for the input. Errors are InvalidArgument.
Status CheckSample(const std::string& source, size_t index, const DatasetInput& in, TflcDataType got_type,
                   const std::string& got_type_name, const std::vector<int64_t>& got_dims, const void* data,
                   size_t bytes, size_t fed_bytes);

class Dataset {
 public:
  // Loads `path` and checks it against `inputs`. Every error is InvalidArgument, names the dataset
  // path (and the input or array concerned) and says how to fix the data.
  static StatusOr<Dataset> Load(const std::string& path, const std::vector<DatasetInput>& inputs);

  size_t num_samples() const { return num_samples_; }
  size_t num_inputs() const { return feeds_.size(); }
  // Bytes of input k for sample i: exactly product(sample_dims(k)) * element size, ready to feed.
  // Valid while the Dataset lives.
  const void* sample(size_t i, size_t k) const;
  size_t sample_bytes(size_t k) const { return feeds_[k].sample_bytes; }
  // The shape input k is fed with: the model input shape, a -1 batch as 1 and other -1 dimensions
  // resolved from the data.
  const std::vector<int64_t>& sample_dims(size_t k) const { return feeds_[k].dims; }

 private:
  struct Feed {
    // Directory datasets: sample i of the input is all of arrays_[i]. Otherwise sample i is bytes
    // [i * sample_bytes, (i + 1) * sample_bytes) of arrays_[array].
    bool array_per_sample = false;
    size_t array = 0;
    size_t sample_bytes = 0;
    std::vector<int64_t> dims;
  };
  std::vector<NpyArray> arrays_;  // owns the data; offsets (not pointers) keep copies valid
  std::vector<Feed> feeds_;
  size_t num_samples_ = 0;
};

}  // namespace tflc::host

#endif  // TFLC_HOST_QUANT_DATASET_H_
