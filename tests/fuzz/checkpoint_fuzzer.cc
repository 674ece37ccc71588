// Fuzz target: the TensorBundle checkpoint reader (plugins/tf_common/src/checkpoint.cc), the one the
// SavedModel frontend freezes variables with: the variables.index table (libleveldb's reader with
// checksums), the BundleHeaderProto / BundleEntryProto of each key, shard bounds, masked CRC-32C
// checks and the file-backed constants handed to the host (FakeHost).
//
// Two input forms:
//  * raw: the input is the variables.index file, and also the single data shard
//    (variables.data-00000-of-00001), so entries may point into it.
//  * records (the input starts with "TFLCCKPT"): the index is built from the input with libleveldb's
//    TableBuilder, so it is always a valid table and mutations reach the entry parsing and the
//    data checks behind the table's block checksums. After the magic: records
//      u8 key_size (0xFF ends the records), key, u16le value_size, value
//    then the data shard's bytes (the rest). Keys are sorted and deduplicated (last wins) for the
//    builder. make_checkpoint_seed turns a real checkpoint into this form.
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "fuzz_util.h"
#include "leveldb/env.h"
#include "leveldb/options.h"
#include "leveldb/table_builder.h"
#include "tf_common/checkpoint.h"
#include "tflc/testing/fake_host.h"

namespace {

constexpr char kMagic[] = "TFLCCKPT";
constexpr size_t kMagicSize = sizeof(kMagic) - 1;

// Builds the index from records; returns false for inputs that are not records.
bool WriteRecords(const uint8_t* data, size_t size, const std::string& index, const std::string& shard) {
  if (size < kMagicSize || std::memcmp(data, kMagic, kMagicSize) != 0) return false;
  size_t p = kMagicSize;
  std::map<std::string, std::string> kv;
  while (p < size) {
    const size_t klen = data[p++];
    if (klen == 0xFF) break;
    if (klen > size - p) break;
    std::string key(reinterpret_cast<const char*>(data + p), klen);
    p += klen;
    if (size - p < 2) break;
    const size_t vlen = data[p] | (static_cast<size_t>(data[p + 1]) << 8);
    p += 2;
    if (vlen > size - p) break;
    kv[key] = std::string(reinterpret_cast<const char*>(data + p), vlen);
    p += vlen;
  }
  leveldb::Env* env = leveldb::Env::Default();
  leveldb::WritableFile* raw = nullptr;
  if (!env->NewWritableFile(index, &raw).ok()) std::abort();
  std::unique_ptr<leveldb::WritableFile> file(raw);
  leveldb::Options options;
  options.compression = leveldb::kNoCompression;  // as TF's BundleWriter
  leveldb::TableBuilder builder(options, file.get());
  for (const auto& [k, v] : kv) builder.Add(k, v);
  if (!builder.Finish().ok() || !file->Close().ok()) std::abort();
  const size_t rest = p < size ? size - p : 0;
  tflc::fuzz::WriteFile(shard, reinterpret_cast<const char*>(data + size - rest), rest);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tflc::fuzz::QuietProtobufLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string prefix = tflc::fuzz::TempDir() + "/variables";
  const std::string index = prefix + ".index", shard = prefix + ".data-00000-of-00001";
  if (!WriteRecords(data, size, index, shard)) {
    tflc::fuzz::WriteFile(index, reinterpret_cast<const char*>(data), size);
    tflc::fuzz::WriteFile(shard, reinterpret_cast<const char*>(data), size);
  }
  auto ckpt = tflc::tf::Checkpoint::Open(prefix);
  if (!ckpt.ok()) {
    if (ckpt.status().message().empty()) __builtin_trap();  // a failure must say why
    return 0;
  }
  tflc::testing::FakeHost h;
  for (const std::string& key : (*ckpt)->Keys()) {
    if (!(*ckpt)->Entry(key)) __builtin_trap();
    auto bytes = (*ckpt)->ReadBytes(key);
    if (bytes.ok() && bytes->size() != (*ckpt)->Entry(key)->size) __builtin_trap();
    auto v = (*ckpt)->EmitConst(key, "v/" + key, h.graph());
    if (!v.ok() && v.status().message().empty()) __builtin_trap();
  }
  return 0;
}
