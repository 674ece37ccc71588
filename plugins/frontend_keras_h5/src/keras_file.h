// Opening a Keras model file: legacy full-model HDF5 (.h5) or a Keras 3 `.keras` zip archive.
// Facts: shared/reference/FORMATS.md §3.
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_KERAS_FILE_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_KERAS_FILE_H_

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "h5_util.h"
#include "tflc/sdk/status.h"

namespace tflc::keras {

class WeightsIndex;  // weights.cc: the .keras weights file's groups under normalized names

enum class FileKind { kNone, kHdf5, kKerasZip };

// What the first bytes say: HDF5 signature at offset 0, 512, 1024, ... or a zip local header.
// Never fails: unreadable or unknown files give kNone.
FileKind SniffFile(const std::string& path);

// Probe confidence for `path`: 90 for HDF5 or a zip holding config.json + model.weights.h5, else 0.
int ProbeConfidence(const std::string& path);

struct KerasFile {
  std::string path;
  FileKind kind = FileKind::kNone;
  nlohmann::json config;        // {"class_name": ..., "config": {...}}
  std::string keras_version;    // "2.8.0", "3.8.0"; "1" when the file does not say
  int keras_major = 2;

  // Declaration order matters: destroyed bottom-up, so objects close before the file and the file
  // before the memory image it reads from.
  std::vector<unsigned char> image;  // .keras: model.weights.h5 bytes (HDF5 reads them in place)
  // .keras whose model.weights.h5 is stored uncompressed (as Keras writes it): the member is
  // memory-mapped instead of read into `image`, and `image_offset` is its first byte in the archive,
  // so weights can be mapped in place like a legacy .h5's (-1 otherwise).
  std::shared_ptr<void> mapping;
  int64_t image_offset = -1;
  H5Id file;
  H5Id weights_root;  // /model_weights (legacy .h5) or / (model.weights.h5 of a .keras archive)
  // .keras: built on first use by FindLayerWeights (holds no HDF5 handle).
  mutable std::shared_ptr<WeightsIndex> weights_index;
};

// Opens and validates the file; messages do not include the path (the caller adds it).
StatusOr<std::unique_ptr<KerasFile>> OpenKerasFile(const std::string& path);

}  // namespace tflc::keras

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_KERAS_FILE_H_
