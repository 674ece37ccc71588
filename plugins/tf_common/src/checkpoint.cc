#include "tf_common/checkpoint.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <snappy.h>

#include <algorithm>

#include <boost/crc.hpp>
#include <cstdio>

#include "leveldb/env.h"
#include "leveldb/iterator.h"
#include "leveldb/options.h"
#include "leveldb/table.h"
#include "tensor_bundle.pb.h"
#include "tf_common/tensor.h"

namespace tflc::tf {

#if defined(__x86_64__)
// CRC-32C with the SSE4.2 instruction, 8 bytes at a time (~6 GB/s against ~0.4 GB/s for the
// byte-wise table): checking every variable of a 1 GB checkpoint otherwise dominates a conversion.
__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(const uint8_t* p, size_t n) {
  uint64_t crc = 0xFFFFFFFFu;
  while (n > 0 && reinterpret_cast<uintptr_t>(p) % 8 != 0) {
    crc = _mm_crc32_u8(static_cast<uint32_t>(crc), *p++);
    --n;
  }
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    crc = _mm_crc32_u64(crc, w);
  }
  for (; n > 0; --n) crc = _mm_crc32_u8(static_cast<uint32_t>(crc), *p++);
  return static_cast<uint32_t>(crc) ^ 0xFFFFFFFFu;
}
#endif

uint32_t Crc32c(const void* data, size_t size) {
#if defined(__x86_64__)
  static const bool sse42 = __builtin_cpu_supports("sse4.2");
  if (sse42) return Crc32cSse42(static_cast<const uint8_t*>(data), size);
#endif
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(data, size);
  return crc.checksum();
}

uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

namespace {

// libleveldb's table reader trusts the block sizes it reads from the file: it allocates what the
// footer or the index block claims (a few damaged bytes can claim gigabytes) before it reads the
// block and checks its checksum, and what a snappy block claims to expand to. CheckTableBlocks
// checks the footer, the index block and every data block handle of the file (in memory) first:
// each block must lie inside the file and a snappy block may claim only what snappy can produce.
constexpr uint64_t kTableMagic = 0xdb4775248b80fb57ull;  // leveldb/table/format.h
constexpr size_t kFooterSize = 48;                       // two padded BlockHandles + magic
constexpr size_t kBlockTrailerSize = 5;                  // type byte + masked CRC-32C
constexpr uint64_t kMaxSnappyExpansion = 32;             // snappy expands at most ~22x

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;
};

bool GetVarint64(const char** p, const char* end, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift <= 63 && *p < end; shift += 7) {
    const uint64_t b = static_cast<uint8_t>(*(*p)++);
    *v |= (b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

bool GetHandle(const char** p, const char* end, BlockHandle* h) {
  return GetVarint64(p, end, &h->offset) && GetVarint64(p, end, &h->size);
}

// Checks that block `h` (and its trailer) lies in `file`; when `contents` is given, stores the
// block's uncompressed bytes there.
Status CheckBlock(const std::string& file, const BlockHandle& h, const std::string& what, std::string* contents) {
  const uint64_t n = file.size();
  if (h.offset > n || h.size > n - h.offset || kBlockTrailerSize > n - h.offset - h.size)
    return DataLoss(what + " [" + std::to_string(h.offset) + ", +" + std::to_string(h.size) +
                    " bytes) lies outside the " + std::to_string(n) + "-byte file");
  const char* b = file.data() + h.offset;
  const size_t size = static_cast<size_t>(h.size);
  switch (b[size]) {
    case 0:  // kNoCompression
      if (contents) contents->assign(b, size);
      return OkStatus();
    case 1: {  // kSnappyCompression
      size_t ulen = 0;
      if (!snappy::GetUncompressedLength(b, size, &ulen) || ulen > kMaxSnappyExpansion * (h.size + 1))
        return DataLoss(what + " is a corrupt snappy block");
      if (contents && !snappy::Uncompress(b, size, contents)) return DataLoss(what + " is a corrupt snappy block");
      return OkStatus();
    }
    default:
      return DataLoss(what + " has an unknown block type " + std::to_string(static_cast<uint8_t>(b[size])));
  }
}

Status CheckTableBlocks(const std::string& file) {
  if (file.size() < kFooterSize) return DataLoss("the file is too short to be a table");
  const char* footer = file.data() + file.size() - kFooterSize;
  uint64_t magic = 0;
  for (int i = 7; i >= 0; --i) magic = (magic << 8) | static_cast<uint8_t>(footer[40 + i]);
  if (magic != kTableMagic) return DataLoss("the table footer has a bad magic number");
  BlockHandle meta, index;
  const char* p = footer;
  if (!GetHandle(&p, footer + 40, &meta) || !GetHandle(&p, footer + 40, &index))
    return DataLoss("the table footer is corrupt");
  TFLC_RETURN_IF_ERROR(CheckBlock(file, meta, "the metaindex block", nullptr));
  std::string block;
  TFLC_RETURN_IF_ERROR(CheckBlock(file, index, "the index block", &block));
  // Block: entries (varint shared, varint non_shared, varint value_size, key delta, value), then
  // uint32 restarts[num_restarts], uint32 num_restarts. Index block values are BlockHandles.
  if (block.size() < 4) return DataLoss("the index block is corrupt");
  uint32_t num_restarts = 0;
  for (int i = 3; i >= 0; --i) num_restarts = (num_restarts << 8) | static_cast<uint8_t>(block[block.size() - 4 + i]);
  if (num_restarts > (block.size() - 4) / 4) return DataLoss("the index block is corrupt");
  p = block.data();
  const char* end = block.data() + block.size() - 4 - 4 * static_cast<size_t>(num_restarts);
  while (p < end) {
    uint64_t shared = 0, non_shared = 0, value_size = 0;
    if (!GetVarint64(&p, end, &shared) || !GetVarint64(&p, end, &non_shared) || !GetVarint64(&p, end, &value_size) ||
        non_shared > static_cast<uint64_t>(end - p) || value_size > static_cast<uint64_t>(end - p) - non_shared)
      return DataLoss("the index block is corrupt");
    p += non_shared;
    const char* v = p;
    p += value_size;
    BlockHandle h;
    if (!GetHandle(&v, p, &h)) return DataLoss("the index block is corrupt");
    TFLC_RETURN_IF_ERROR(CheckBlock(file, h, "a data block", nullptr));
  }
  return OkStatus();
}

}  // namespace

struct Checkpoint::Shard {
  std::string path;
  const char* data = nullptr;
  size_t size = 0;
  ~Shard() {
    if (data && size) ::munmap(const_cast<char*>(data), size);
  }
};

Checkpoint::~Checkpoint() = default;

StatusOr<std::unique_ptr<Checkpoint>> Checkpoint::Open(const std::string& prefix) {
  const std::string index = prefix + ".index";
  leveldb::Env* env = leveldb::Env::Default();
  uint64_t file_size = 0;
  if (!env->GetFileSize(index, &file_size).ok())
    return NotFound("the checkpoint index " + index + " is missing (a SavedModel keeps its variables there)");
  leveldb::RandomAccessFile* raw = nullptr;
  leveldb::Status s = env->NewRandomAccessFile(index, &raw);
  if (!s.ok()) return NotFound("cannot open " + index + ": " + s.ToString());
  std::unique_ptr<leveldb::RandomAccessFile> file(raw);
  {
    std::string bytes(static_cast<size_t>(file_size), '\0');
    leveldb::Slice got;
    s = file->Read(0, bytes.size(), &got, bytes.data());
    if (!s.ok()) return DataLoss("cannot read " + index + ": " + s.ToString());
    if (got.data() != bytes.data()) bytes.assign(got.data(), got.size());
    bytes.resize(got.size());
    Status checked = CheckTableBlocks(bytes);
    if (!checked.ok())
      return DataLoss(index + " is not a valid checkpoint index (truncated or corrupt): " + checked.message());
  }
  leveldb::Options options;
  options.paranoid_checks = true;
  leveldb::Table* table_raw = nullptr;
  s = leveldb::Table::Open(options, file.get(), file_size, &table_raw);
  if (!s.ok()) return DataLoss(index + " is not a valid checkpoint index (truncated or corrupt): " + s.ToString());
  std::unique_ptr<leveldb::Table> table(table_raw);
  auto cp = std::unique_ptr<Checkpoint>(new Checkpoint());
  cp->prefix_ = prefix;
  leveldb::ReadOptions ro;
  ro.verify_checksums = true;
  std::unique_ptr<leveldb::Iterator> it(table->NewIterator(ro));
  bool have_header = false;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    const leveldb::Slice v = it->value();
    if (key.empty()) {
      BundleHeaderProto h;
      if (!h.ParseFromArray(v.data(), static_cast<int>(v.size())))
        return DataLoss(index + ": the header entry is not a BundleHeaderProto");
      if (h.endianness() != BundleHeaderProto::LITTLE)
        return Unimplemented(index + ": big-endian checkpoints are not supported");
      cp->num_shards_ = h.num_shards() > 0 ? h.num_shards() : 1;
      have_header = true;
      continue;
    }
    BundleEntryProto e;
    if (!e.ParseFromArray(v.data(), static_cast<int>(v.size())))
      return DataLoss(index + ": the entry for '" + key + "' is not a BundleEntryProto");
    BundleEntry b;
    b.dtype = e.dtype();
    for (const auto& d : e.shape().dim()) b.dims.push_back(d.size());
    b.shard_id = e.shard_id();
    b.offset = static_cast<uint64_t>(e.offset());
    b.size = static_cast<uint64_t>(e.size());
    b.masked_crc32c = e.crc32c();
    b.sliced = e.slices_size() > 0;
    cp->entries_[key] = std::move(b);
  }
  if (!it->status().ok())
    return DataLoss(index + " is corrupt (truncated or bad block checksum): " + it->status().ToString());
  if (!have_header) return DataLoss(index + " has no bundle header entry; it is not a TensorFlow checkpoint index");
  return cp;
}

std::vector<std::string> Checkpoint::Keys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : entries_) out.push_back(k);
  return out;
}

const BundleEntry* Checkpoint::Entry(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::string Checkpoint::DataPath(int shard) const {
  char buf[64];
  std::snprintf(buf, sizeof buf, ".data-%05d-of-%05d", shard, num_shards_);
  return prefix_ + buf;
}

StatusOr<const Checkpoint::Shard*> Checkpoint::MapShard(int id) {
  auto it = shards_.find(id);
  if (it != shards_.end()) return it->second.get();
  auto sh = std::make_unique<Shard>();
  sh->path = DataPath(id);
  int fd = ::open(sh->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("the checkpoint data file " + sh->path + " is missing");
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return NotFound("cannot stat " + sh->path);
  }
  sh->size = static_cast<size_t>(st.st_size);
  if (sh->size > 0) {
    void* p = ::mmap(nullptr, sh->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      return Internal("cannot memory-map " + sh->path);
    }
    sh->data = static_cast<const char*>(p);
  }
  ::close(fd);
  const Shard* out = sh.get();
  shards_[id] = std::move(sh);
  return out;
}

StatusOr<std::pair<const char*, const BundleEntry*>> Checkpoint::Checked(const std::string& key) {
  const BundleEntry* e = Entry(key);
  if (!e) return NotFound("checkpoint key '" + key + "' is not in " + prefix_ + ".index");
  if (e->sliced) return Unimplemented("variable '" + key + "' is partitioned (sliced) in the checkpoint; not supported");
  if (e->shard_id < 0 || e->shard_id >= num_shards_)
    return DataLoss("checkpoint entry '" + key + "' names shard " + std::to_string(e->shard_id) + " of " +
                    std::to_string(num_shards_));
  TFLC_ASSIGN_OR_RETURN(const Shard* sh, MapShard(e->shard_id));
  if (e->offset > sh->size || e->size > sh->size - e->offset)
    return DataLoss("the checkpoint data file " + sh->path + " is truncated: tensor '" + key + "' needs bytes [" +
                    std::to_string(e->offset) + ", " + std::to_string(e->offset + e->size) + ") but the file has " +
                    std::to_string(sh->size) + " bytes");
  const char* p = sh->data ? sh->data + e->offset : "";
  if (!verified_[key]) {
    uint32_t got = MaskCrc(Crc32c(p, e->size));
    if (got != e->masked_crc32c)
      return DataLoss("checksum mismatch for tensor '" + key + "' in " + sh->path + " (bytes [" +
                      std::to_string(e->offset) + ", " + std::to_string(e->offset + e->size) +
                      ")): the checkpoint is corrupt");
    verified_[key] = true;
  }
  return std::make_pair(p, e);
}

StatusOr<std::string> Checkpoint::ReadBytes(const std::string& key) {
  TFLC_ASSIGN_OR_RETURN(auto pe, Checked(key));
  return std::string(pe.first, pe.second->size);
}

StatusOr<sdk::ValueView> Checkpoint::EmitConst(const std::string& key, const std::string& name,
                                               const sdk::GraphBuilder& gb) {
  TFLC_ASSIGN_OR_RETURN(auto pe, Checked(key));
  const BundleEntry& e = *pe.second;
  TflcDataType type = FromTfType(e.dtype);
  size_t esize = sdk::ElementSize(type);
  if (esize == 0)
    return Unimplemented("variable '" + key + "' has type " + TfTypeName(e.dtype) + ", which tflc cannot freeze");
  // Elements of the shape, without overflow: a shape whose size exceeds the entry's cannot match.
  uint64_t n = 1;
  bool too_big = false;
  for (int64_t d : e.dims) {
    if (d < 0) return DataLoss("checkpoint entry '" + key + "' has a negative dimension (" + std::to_string(d) + ")");
  }
  if (std::find(e.dims.begin(), e.dims.end(), 0) != e.dims.end()) {
    n = 0;  // an empty tensor, whatever its other dimensions
  } else {
    for (int64_t d : e.dims) {
      if (n > e.size / static_cast<uint64_t>(d)) too_big = true;
      n *= static_cast<uint64_t>(d);
    }
  }
  if (too_big || e.size % esize != 0 || n != e.size / esize)
    return DataLoss("checkpoint entry '" + key + "' has " + std::to_string(e.size) + " bytes but its shape needs " +
                    (too_big ? std::string("more") : std::to_string(n * esize)));
  if (e.size == 0) return gb.Const(name, type, e.dims, nullptr, 0);
  return gb.FileConst(name, type, e.dims, DataPath(e.shard_id), e.offset, e.size);
}

}  // namespace tflc::tf
