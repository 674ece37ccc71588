// TensorBundle checkpoints (SavedModel variables/variables.index + variables.data-*-of-*).
//
// The index is an SSTable read with libleveldb's table reader (leveldb::Table::Open: block
// checksums and snappy blocks handled there). Each tensor's bytes are checked against the entry's
// masked CRC-32C, then handed to the host as a file-backed constant (memory-mapped, not copied).
#ifndef TFLC_PLUGINS_TF_COMMON_CHECKPOINT_H_
#define TFLC_PLUGINS_TF_COMMON_CHECKPOINT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tflc/sdk/plugin.h"

namespace tflc::tf {

struct BundleEntry {
  int dtype = 0;  // TF DataType
  std::vector<int64_t> dims;
  int shard_id = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t masked_crc32c = 0;
  bool sliced = false;
};

// CRC-32C (Castagnoli) and TF's masking of stored checksums.
uint32_t Crc32c(const void* data, size_t size);
uint32_t MaskCrc(uint32_t crc);

class Checkpoint {
 public:
  // `prefix` = ".../variables/variables" (reads prefix + ".index").
  static StatusOr<std::unique_ptr<Checkpoint>> Open(const std::string& prefix);
  ~Checkpoint();

  bool Has(const std::string& key) const { return entries_.count(key) != 0; }
  std::vector<std::string> Keys() const;
  const BundleEntry* Entry(const std::string& key) const;
  std::string DataPath(int shard) const;

  // Verifies the tensor's checksum and adds it to the graph as a file-backed constant (`name`).
  StatusOr<sdk::ValueView> EmitConst(const std::string& key, const std::string& name, const sdk::GraphBuilder& gb);
  // The checked bytes of a tensor (for tests and small reads), copied.
  StatusOr<std::string> ReadBytes(const std::string& key);

 private:
  struct Shard;
  StatusOr<const Shard*> MapShard(int id);
  StatusOr<std::pair<const char*, const BundleEntry*>> Checked(const std::string& key);

  std::string prefix_;
  int num_shards_ = 1;
  std::map<std::string, BundleEntry> entries_;
  std::map<int, std::unique_ptr<Shard>> shards_;
  std::map<std::string, bool> verified_;
};

}  // namespace tflc::tf

#endif  // TFLC_PLUGINS_TF_COMMON_CHECKPOINT_H_
