// make_checkpoint_seed PREFIX OUT: writes the checkpoint PREFIX.{index,data-00000-of-00001} in the
// records form of checkpoint_fuzzer.cc (a seed whose entries and checksums are valid). Entries
// whose key or value does not fit the record form (key > 254 bytes, value > 65535) are left out;
// only shard 0 is kept.
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "leveldb/env.h"
#include "leveldb/iterator.h"
#include "leveldb/options.h"
#include "leveldb/table.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_checkpoint_seed PREFIX OUT\n");
    return 2;
  }
  const std::string prefix = argv[1], index = prefix + ".index";
  leveldb::Env* env = leveldb::Env::Default();
  uint64_t size = 0;
  leveldb::RandomAccessFile* raw = nullptr;
  if (!env->GetFileSize(index, &size).ok() || !env->NewRandomAccessFile(index, &raw).ok()) {
    std::fprintf(stderr, "make_checkpoint_seed: cannot read %s\n", index.c_str());
    return 1;
  }
  std::unique_ptr<leveldb::RandomAccessFile> file(raw);
  leveldb::Table* table_raw = nullptr;
  if (!leveldb::Table::Open(leveldb::Options(), file.get(), size, &table_raw).ok()) {
    std::fprintf(stderr, "make_checkpoint_seed: %s is not a table\n", index.c_str());
    return 1;
  }
  std::unique_ptr<leveldb::Table> table(table_raw);
  std::string out = "TFLCCKPT";
  std::unique_ptr<leveldb::Iterator> it(table->NewIterator(leveldb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const leveldb::Slice k = it->key(), v = it->value();
    if (k.size() >= 0xFF || v.size() > 0xFFFF) continue;
    out += static_cast<char>(k.size());
    out.append(k.data(), k.size());
    out += static_cast<char>(v.size() & 0xFF);
    out += static_cast<char>(v.size() >> 8);
    out.append(v.data(), v.size());
  }
  out += static_cast<char>(0xFF);
  std::ifstream data(prefix + ".data-00000-of-00001", std::ios::binary);
  std::ostringstream ss;
  ss << data.rdbuf();
  out += ss.str();
  std::ofstream(argv[2], std::ios::binary) << out;
  return 0;
}
