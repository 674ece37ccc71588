// Representative-dataset reader: .npy / .npz parsing and validation against the model inputs.
// Fixtures are written from C++ (a tiny .npy writer and zip writer below); a few more are made by
// numpy itself when python3 with numpy is importable.
#include "quant/dataset.h"
#include "quant/sample_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace tflc::host {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// ---- fixture writers ----
std::string Shape(const std::vector<int64_t>& dims) {
  std::string s = "(";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  if (dims.size() == 1) s += ",";
  return s + ")";
}

std::string Npy(const std::string& descr, const std::vector<int64_t>& dims, const std::string& data,
                int major = 1, bool fortran = false) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + Shape(dims) + ", }";
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  uint32_t n = static_cast<uint32_t>(header.size());
  out += static_cast<char>(n & 0xFF);
  out += static_cast<char>((n >> 8) & 0xFF);
  if (major != 1) {
    out += static_cast<char>((n >> 16) & 0xFF);
    out += static_cast<char>((n >> 24) & 0xFF);
  }
  return out + header + data;
}

template <typename T>
std::string Bytes(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// n floats 0, 1, 2, ... (times `scale`).
std::string Iota(size_t n, float scale = 1.0f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i) * scale;
  return Bytes(v);
}

std::string NpyF32(const std::vector<int64_t>& dims, float scale = 1.0f) {
  size_t n = 1;
  for (int64_t d : dims) n *= static_cast<size_t>(d);
  return Npy("<f4", dims, Iota(n, scale));
}

void Put16(std::string* s, uint16_t v) {
  for (int i = 0; i < 2; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void Put32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void Put64(std::string* s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::string Deflate(const std::string& in) {
  z_stream z;
  std::memset(&z, 0, sizeof(z));
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

struct Member {
  std::string name;
  std::string data;
};

// A zip as np.savez writes it (stored) or np.savez_compressed (deflate). `zip64` saturates the
// central directory's 32-bit fields and adds the ZIP64 extra field and end records.
std::string Zip(const std::vector<Member>& members, bool deflate = false, bool zip64 = false) {
  std::string out, cd;
  for (const Member& m : members) {
    const std::string payload = deflate ? Deflate(m.data) : m.data;
    const uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(m.data.data()), static_cast<uInt>(m.data.size())));
    const uint64_t offset = out.size();
    const uint16_t method = deflate ? 8 : 0;
    Put32(&out, 0x04034b50);
    Put16(&out, zip64 ? 45 : 20);
    Put16(&out, 0);
    Put16(&out, method);
    Put32(&out, 0);  // time, date
    Put32(&out, crc);
    // np.savez's local headers carry ZIP64 extra fields too; the reader must use the central sizes.
    std::string local_extra;
    if (zip64) {
      Put16(&local_extra, 1);
      Put16(&local_extra, 16);
      Put64(&local_extra, m.data.size());
      Put64(&local_extra, payload.size());
    }
    Put32(&out, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(payload.size()));
    Put32(&out, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(m.data.size()));
    Put16(&out, static_cast<uint16_t>(m.name.size()));
    Put16(&out, static_cast<uint16_t>(local_extra.size()));
    out += m.name + local_extra + payload;

    std::string extra;
    if (zip64) {
      Put16(&extra, 1);
      Put16(&extra, 24);
      Put64(&extra, m.data.size());
      Put64(&extra, payload.size());
      Put64(&extra, offset);
    }
    Put32(&cd, 0x02014b50);
    Put16(&cd, zip64 ? 45 : 20);
    Put16(&cd, zip64 ? 45 : 20);
    Put16(&cd, 0);
    Put16(&cd, method);
    Put32(&cd, 0);
    Put32(&cd, crc);
    Put32(&cd, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(payload.size()));
    Put32(&cd, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(m.data.size()));
    Put16(&cd, static_cast<uint16_t>(m.name.size()));
    Put16(&cd, static_cast<uint16_t>(extra.size()));
    Put16(&cd, 0);  // comment
    Put16(&cd, 0);  // disk
    Put16(&cd, 0);  // internal attributes
    Put32(&cd, 0);  // external attributes
    Put32(&cd, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(offset));
    cd += m.name + extra;
  }
  const uint64_t cd_offset = out.size();
  out += cd;
  if (zip64) {
    const uint64_t rec = out.size();
    Put32(&out, 0x06064b50);
    Put64(&out, 44);
    Put16(&out, 45);
    Put16(&out, 45);
    Put32(&out, 0);
    Put32(&out, 0);
    Put64(&out, members.size());
    Put64(&out, members.size());
    Put64(&out, cd.size());
    Put64(&out, cd_offset);
    Put32(&out, 0x07064b50);
    Put32(&out, 0);
    Put64(&out, rec);
    Put32(&out, 1);
  }
  Put32(&out, 0x06054b50);
  Put16(&out, 0);
  Put16(&out, 0);
  Put16(&out, zip64 ? 0xFFFF : static_cast<uint16_t>(members.size()));
  Put16(&out, zip64 ? 0xFFFF : static_cast<uint16_t>(members.size()));
  Put32(&out, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(cd.size()));
  Put32(&out, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(cd_offset));
  Put16(&out, 0);
  return out;
}

float FloatAt(const void* p, size_t i) {
  float v;
  std::memcpy(&v, static_cast<const uint8_t*>(p) + i * 4, 4);
  return v;
}

DatasetInput Input(const std::string& name, std::vector<int64_t> dims, TflcDataType type = TFLC_TYPE_FLOAT32,
                   const std::string& tensor_name = "") {
  DatasetInput in;
  in.name = name;
  in.tensor_name = tensor_name.empty() ? name : tensor_name;
  in.type = type;
  in.dims = std::move(dims);
  return in;
}

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "tflc-dataset-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Write(const std::string& name, const std::string& bytes) {
    fs::path p = fs::path(dir_) / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p.string();
  }
  std::string Path(const std::string& name) const { return (fs::path(dir_) / name).string(); }
  // The error message of loading `path` (expects a failure).
  std::string LoadError(const std::string& path, const std::vector<DatasetInput>& inputs) {
    auto ds = Dataset::Load(path, inputs);
    EXPECT_FALSE(ds.ok());
    if (ds.ok()) return "";
    EXPECT_EQ(ds.status().code(), TFLC_CODE_INVALID_ARGUMENT);
    EXPECT_THAT(ds.status().message(), HasSubstr(path));
    return ds.status().message();
  }

  std::string dir_;
};

// ---- .npy ----
TEST_F(DatasetTest, ParsesNpyVersions) {
  for (int major : {1, 2, 3}) {
    std::string b = Npy("<f4", {2, 3}, Iota(6), major);
    auto a = ParseNpy("x", reinterpret_cast<const uint8_t*>(b.data()), b.size(), "mem");
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->name, "x");
    EXPECT_EQ(a->type, TFLC_TYPE_FLOAT32);
    EXPECT_EQ(a->descr, "<f4");
    EXPECT_EQ(a->dims, (std::vector<int64_t>{2, 3}));
    ASSERT_EQ(a->data.size(), 24u);
    EXPECT_EQ(FloatAt(a->data.data(), 5), 5.0f);
  }
}

TEST_F(DatasetTest, ParsesNpyTypes) {
  struct Case {
    const char* descr;
    TflcDataType type;
    size_t size;
  };
  for (const Case& c : {Case{"<f8", TFLC_TYPE_FLOAT64, 8}, Case{"<f2", TFLC_TYPE_FLOAT16, 2},
                        Case{"|i1", TFLC_TYPE_INT8, 1}, Case{"|u1", TFLC_TYPE_UINT8, 1},
                        Case{"<i2", TFLC_TYPE_INT16, 2}, Case{"<i4", TFLC_TYPE_INT32, 4},
                        Case{"<i8", TFLC_TYPE_INT64, 8}, Case{"|b1", TFLC_TYPE_BOOL, 1}}) {
    std::string b = Npy(c.descr, {3}, std::string(3 * c.size, '\0'));
    auto a = ParseNpy("x", reinterpret_cast<const uint8_t*>(b.data()), b.size(), "mem");
    ASSERT_TRUE(a.ok()) << c.descr << ": " << a.status();
    EXPECT_EQ(a->type, c.type) << c.descr;
    EXPECT_EQ(a->data.size(), 3 * c.size) << c.descr;
  }
  // A scalar.
  std::string b = Npy("<f4", {}, Iota(1));
  auto a = ParseNpy("s", reinterpret_cast<const uint8_t*>(b.data()), b.size(), "mem");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->dims.empty());
  EXPECT_EQ(a->data.size(), 4u);
}

TEST_F(DatasetTest, RejectsBadNpy) {
  auto parse = [](const std::string& b) {
    return ParseNpy("x", reinterpret_cast<const uint8_t*>(b.data()), b.size(), "'mem'");
  };
  EXPECT_THAT(parse("hello world").status().message(), HasSubstr("not a valid .npy"));
  EXPECT_THAT(parse(Npy("<f4", {4}, Iota(3))).status().message(), HasSubstr("truncated"));
  EXPECT_THAT(parse(Npy(">f4", {2}, Iota(2))).status().message(), HasSubstr("big-endian"));
  EXPECT_THAT(parse(Npy(">f4", {2}, Iota(2))).status().message(), HasSubstr(".astype('<f4')"));
  EXPECT_THAT(parse(Npy("<f4", {2, 3}, Iota(6), 1, true)).status().message(), HasSubstr("Fortran order"));
  EXPECT_THAT(parse(Npy("<U3", {2}, std::string(24, '\0'))).status().message(), HasSubstr("not supported"));
  std::string b = Npy("<f4", {2}, Iota(2));
  b[6] = 4;  // version 4.0
  EXPECT_THAT(parse(b).status().message(), HasSubstr("version 4.0"));
  std::string structured = Npy("<f4", {2}, Iota(2));
  size_t pos = structured.find("'<f4'");
  structured.replace(pos, 5, "[('a', '<f4')]");
  EXPECT_THAT(parse(structured).status().message(), HasSubstr("structured"));
  // Every prefix fails; every flipped byte parses or fails cleanly.
  const std::string good = Npy("<f4", {2, 3}, Iota(6));
  for (size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(parse(good.substr(0, n)).ok()) << n;
  for (size_t i = 0; i < good.size(); ++i) {
    std::string damaged = good;
    damaged[i] = static_cast<char>(damaged[i] ^ 0xFF);
    (void)parse(damaged);
  }
}

TEST_F(DatasetTest, ReadsNpyFile) {
  std::string p = Write("x.npy", Npy("<i4", {2, 2}, Bytes(std::vector<int32_t>{1, 2, 3, 4})));
  auto a = ReadNpy(p);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->name, "x.npy");
  EXPECT_EQ(a->type, TFLC_TYPE_INT32);
  EXPECT_FALSE(ReadNpy(Path("missing.npy")).ok());
}

// ---- .npz ----
TEST_F(DatasetTest, ReadsStoredNpzInArchiveOrder) {
  std::string p = Write("d.npz", Zip({{"b.npy", NpyF32({2})}, {"a.npy", NpyF32({3})}}));
  auto arrays = ReadNpz(p);
  ASSERT_TRUE(arrays.ok()) << arrays.status();
  ASSERT_EQ(arrays->size(), 2u);
  EXPECT_EQ((*arrays)[0].name, "b");
  EXPECT_EQ((*arrays)[1].name, "a");
  EXPECT_EQ((*arrays)[1].dims, (std::vector<int64_t>{3}));
}

TEST_F(DatasetTest, ReadsDeflatedAndZip64Npz) {
  for (bool deflate : {false, true}) {
    for (bool zip64 : {false, true}) {
      std::string p = Write("d.npz", Zip({{"x.npy", NpyF32({1000, 10}, 0.5f)}, {"y.npy", NpyF32({3})}}, deflate, zip64));
      auto arrays = ReadNpz(p);
      ASSERT_TRUE(arrays.ok()) << "deflate=" << deflate << " zip64=" << zip64 << ": " << arrays.status();
      ASSERT_EQ(arrays->size(), 2u);
      EXPECT_EQ((*arrays)[0].dims, (std::vector<int64_t>{1000, 10}));
      EXPECT_EQ(FloatAt((*arrays)[0].data.data(), 9999), 9999 * 0.5f);
      EXPECT_EQ((*arrays)[1].name, "y");
    }
  }
}

TEST_F(DatasetTest, RejectsCorruptNpz) {
  std::string zip = Zip({{"x.npy", NpyF32({100})}});
  zip[zip.find("NUMPY") + 200] ^= 0x55;  // flip data bits: the CRC catches it
  EXPECT_THAT(ReadNpz(Write("crc.npz", zip)).status().message(), HasSubstr("CRC"));

  std::string deflated = Zip({{"x.npy", NpyF32({1000})}}, /*deflate=*/true);
  EXPECT_FALSE(ReadNpz(Write("cut.npz", deflated.substr(0, deflated.size() / 2))).ok());
  EXPECT_THAT(ReadNpz(Write("text.npz", "just some text, not a zip file")).status().message(),
              HasSubstr("not an .npz"));
}

TEST_F(DatasetTest, SurvivesTruncatedAndDamagedArchives) {
  // Prefixes, and bytes flipped, read or fail cleanly (no crash, no huge allocation). Every 7th
  // position keeps the test fast where temp files are slow (every position passes under ASan).
  for (bool deflate : {false, true}) {
    for (bool zip64 : {false, true}) {
      const std::string zip = Zip({{"x.npy", NpyF32({3, 2})}, {"y.npy", NpyF32({2})}}, deflate, zip64);
      const size_t step = std::getenv("TFLC_DATASET_EXHAUSTIVE") ? 1 : 7;
      for (size_t n = 0; n < zip.size(); n += step) {
        EXPECT_FALSE(ReadNpz(Write("t.npz", zip.substr(0, n))).ok()) << n;
      }
      for (size_t i = 0; i < zip.size(); i += step) {
        std::string damaged = zip;
        damaged[i] = static_cast<char>(damaged[i] ^ 0xFF);
        (void)ReadNpz(Write("t.npz", damaged));
      }
    }
  }
}

// ---- Dataset: .npz ----
TEST_F(DatasetTest, LoadsNpzByName) {
  std::string p = Write("d.npz", Zip({{"b.npy", NpyF32({4, 3}, 2.0f)}, {"a.npy", NpyF32({4, 28, 28, 1})}}));
  auto ds = Dataset::Load(p, {Input("a", {1, 28, 28, 1}), Input("b", {-1, 3})});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_samples(), 4u);
  EXPECT_EQ(ds->num_inputs(), 2u);
  EXPECT_EQ(ds->sample_bytes(0), 28u * 28 * 4);
  EXPECT_EQ(ds->sample_bytes(1), 12u);
  EXPECT_EQ(ds->sample_dims(0), (std::vector<int64_t>{1, 28, 28, 1}));
  EXPECT_EQ(ds->sample_dims(1), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(FloatAt(ds->sample(2, 0), 0), 2.0f * 784);
  EXPECT_EQ(FloatAt(ds->sample(3, 1), 2), 2.0f * 11);
  // Copies stay valid (samples are offsets into the copy's own arrays).
  Dataset copy = *ds;
  EXPECT_EQ(FloatAt(copy.sample(3, 1), 2), 2.0f * 11);
  EXPECT_NE(copy.sample(3, 1), ds->sample(3, 1));
}

TEST_F(DatasetTest, LoadsNpzByTensorName) {
  std::string p = Write("d.npz", Zip({{"serving_default_x.npy", NpyF32({2, 5})}}));
  auto ds = Dataset::Load(p, {Input("x", {1, 5}, TFLC_TYPE_FLOAT32, "serving_default_x:0")});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_samples(), 2u);
}

TEST_F(DatasetTest, LoadsPositionalNpz) {
  // np.savez(f, a, b) names them arr_0, arr_1 in argument order = input order.
  std::string p = Write("d.npz", Zip({{"arr_1.npy", NpyF32({3, 2}, -1.0f)}, {"arr_0.npy", NpyF32({3, 4})}}));
  auto ds = Dataset::Load(p, {Input("first", {1, 4}), Input("second", {1, 2})});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->sample_bytes(0), 16u);
  EXPECT_EQ(ds->sample_bytes(1), 8u);
  EXPECT_EQ(FloatAt(ds->sample(1, 1), 1), -3.0f);

  std::string m = LoadError(p, {Input("only", {1, 4})});
  EXPECT_THAT(m, HasSubstr("2 unnamed arrays"));
  EXPECT_THAT(m, HasSubstr("1 inputs ('only'"));
}

TEST_F(DatasetTest, AcceptsSamplesWithBatchAxisAndWildcards) {
  std::string p = Write("d.npz", Zip({{"x.npy", NpyF32({5, 1, 8, 6, 3})}}));
  auto ds = Dataset::Load(p, {Input("x", {-1, -1, -1, 3})});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->sample_dims(0), (std::vector<int64_t>{1, 8, 6, 3}));
  EXPECT_EQ(ds->sample_bytes(0), 8u * 6 * 3 * 4);
  // A fixed batch > 1: each sample is a whole batch.
  std::string q = Write("b.npz", Zip({{"x.npy", NpyF32({2, 4, 3})}}));
  auto fixed = Dataset::Load(q, {Input("x", {4, 3})});
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  EXPECT_EQ(fixed->sample_bytes(0), 48u);
}

// ---- Streams: DatasetSource and CheckSample (the Python generator's per-sample checks) ----
TEST_F(DatasetTest, DatasetSourceCopiesSamplesInOrderThenEnds) {
  std::string p = Write("d.npz", Zip({{"x.npy", NpyF32({3, 2})}}));
  auto ds = Dataset::Load(p, {Input("x", {1, 2})});
  ASSERT_TRUE(ds.ok()) << ds.status();
  DatasetSource source(*ds);
  EXPECT_EQ(source.size_hint(), 3u);
  float buf[2] = {0, 0};
  std::vector<SampleFeed> feeds{{buf, sizeof(buf)}};
  for (size_t i = 0; i < 3; ++i) {
    auto more = source.Next(i, feeds);
    ASSERT_TRUE(more.ok()) << more.status();
    EXPECT_TRUE(*more);
    EXPECT_EQ(buf[1], static_cast<float>(2 * i + 1));
  }
  auto end = source.Next(3, feeds);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
  std::vector<SampleFeed> wrong{{buf, 4}};
  EXPECT_FALSE(source.Next(0, wrong).ok());
}

TEST_F(DatasetTest, CheckSampleAcceptsBatchedOrNotAndNamesProblems) {
  const DatasetInput in = Input("input_1", {1, 28, 28, 1}, TFLC_TYPE_FLOAT32, "serving_default_input_1:0");
  std::vector<float> data(28 * 28, 0.5f);
  const size_t bytes = data.size() * 4;
  EXPECT_TRUE(CheckSample("representative_dataset", 0, in, TFLC_TYPE_FLOAT32, "float32", {1, 28, 28, 1}, data.data(),
                          bytes, bytes).ok());
  EXPECT_TRUE(CheckSample("representative_dataset", 0, in, TFLC_TYPE_FLOAT32, "float32", {28, 28, 1}, data.data(),
                          bytes, bytes).ok());
  Status dtype = CheckSample("representative_dataset", 7, in, TFLC_TYPE_FLOAT64, "float64", {1, 28, 28, 1},
                             data.data(), bytes * 2, bytes);
  EXPECT_EQ(dtype.code(), TFLC_CODE_INVALID_ARGUMENT);
  EXPECT_THAT(dtype.message(), HasSubstr("representative_dataset: sample 7, input 'input_1'"));
  EXPECT_THAT(dtype.message(), HasSubstr("dtype is float64 but the input is float32"));
  EXPECT_THAT(dtype.message(), HasSubstr(".astype(np.float32)"));
  Status shape = CheckSample("representative_dataset", 2, in, TFLC_TYPE_FLOAT32, "float32", {1, 32, 32, 1},
                             data.data(), 32 * 32 * 4, bytes);
  EXPECT_THAT(shape.message(), HasSubstr("sample 2"));
  EXPECT_THAT(shape.message(), HasSubstr("shape is (1, 32, 32, 1) but the input takes samples of shape (1, 28, 28, 1)"));
  data[5] = std::numeric_limits<float>::infinity();
  Status inf = CheckSample("representative_dataset", 1, in, TFLC_TYPE_FLOAT32, "float32", {28, 28, 1}, data.data(),
                           bytes, bytes);
  EXPECT_THAT(inf.message(), HasSubstr("contains Inf"));
}

TEST_F(DatasetTest, NpzMissingAndExtraArrays) {
  std::string p = Write("d.npz", Zip({{"a.npy", NpyF32({2, 3})}, {"zz.npy", NpyF32({2, 3})}}));
  std::string m = LoadError(p, {Input("a", {1, 3}), Input("b", {1, 3}, TFLC_TYPE_FLOAT32, "serving_b:0")});
  EXPECT_THAT(m, HasSubstr("no array for input 'b' (tensor 'serving_b:0')"));
  EXPECT_THAT(m, HasSubstr("arrays found: 'a', 'zz'"));
  EXPECT_THAT(m, HasSubstr("named 'a', 'b'"));
  EXPECT_THAT(m, HasSubstr("np.savez(path, a=..., b=...)"));

  m = LoadError(p, {Input("a", {1, 3})});
  EXPECT_THAT(m, HasSubstr("'zz' match no model input"));
  EXPECT_THAT(m, HasSubstr("the model inputs are 'a'"));
}

TEST_F(DatasetTest, NpzWrongDtype) {
  std::string p = Write("d.npz", Zip({{"x.npy", Npy("<f8", {2, 3}, std::string(48, '\0'))}}));
  std::string m = LoadError(p, {Input("x", {1, 3})});
  EXPECT_THAT(m, HasSubstr("array 'x' is float64 but input 'x' is float32: save it with .astype(np.float32)"));
}

TEST_F(DatasetTest, NpzWrongShape) {
  std::string p = Write("d.npz", Zip({{"x.npy", NpyF32({10, 28, 28})}}));
  std::string m = LoadError(p, {Input("x", {1, 28, 28, 1})});
  EXPECT_THAT(m, HasSubstr("array 'x' has shape (10, 28, 28)"));
  EXPECT_THAT(m, HasSubstr("input 'x' takes samples of shape (28, 28, 1)"));
  EXPECT_THAT(m, HasSubstr("model input shape is [1, 28, 28, 1]"));
  EXPECT_THAT(m, HasSubstr("(N, 28, 28, 1)"));

  std::string s = Write("s.npz", Zip({{"x.npy", Npy("<f4", {}, Iota(1))}}));
  EXPECT_THAT(LoadError(s, {Input("x", {1, 3})}), HasSubstr("has shape ()"));
}

TEST_F(DatasetTest, NpzSampleCounts) {
  std::string p = Write("d.npz", Zip({{"a.npy", NpyF32({10, 3})}, {"b.npy", NpyF32({12, 3})}}));
  std::string m = LoadError(p, {Input("a", {1, 3}), Input("b", {1, 3})});
  EXPECT_THAT(m, HasSubstr("array 'b' (input 'b') has 12 samples but array 'a' (input 'a') has 10"));

  std::string e = Write("e.npz", Zip({{"a.npy", NpyF32({0, 3})}}));
  EXPECT_THAT(LoadError(e, {Input("a", {1, 3})}), HasSubstr("0 samples"));
  std::string none = Write("none.npz", Zip({}));
  EXPECT_THAT(LoadError(none, {Input("a", {1, 3})}), HasSubstr("contains no arrays"));
}

TEST_F(DatasetTest, NanAndInf) {
  std::vector<float> v(20 * 3, 1.0f);
  v[17 * 3 + 1] = std::numeric_limits<float>::quiet_NaN();
  std::string p = Write("nan.npz", Zip({{"x.npy", Npy("<f4", {20, 3}, Bytes(v))}}));
  EXPECT_THAT(LoadError(p, {Input("x", {1, 3})}), HasSubstr("sample 17 of input 'x' contains NaN"));

  v[17 * 3 + 1] = 1.0f;
  v[4 * 3] = -std::numeric_limits<float>::infinity();
  p = Write("inf.npz", Zip({{"x.npy", Npy("<f4", {20, 3}, Bytes(v))}}));
  EXPECT_THAT(LoadError(p, {Input("x", {1, 3})}), HasSubstr("sample 4 of input 'x' contains Inf"));

  std::vector<uint16_t> h(6, 0x3C00);
  h[5] = 0x7E00;  // float16 NaN
  p = Write("half.npz", Zip({{"x.npy", Npy("<f2", {2, 3}, Bytes(h))}}));
  EXPECT_THAT(LoadError(p, {Input("x", {1, 3}, TFLC_TYPE_FLOAT16)}), HasSubstr("sample 1 of input 'x' contains NaN"));

  std::vector<double> d(4, 0.0);
  d[2] = std::numeric_limits<double>::infinity();
  p = Write("double.npz", Zip({{"x.npy", Npy("<f8", {4}, Bytes(d))}}));
  EXPECT_THAT(LoadError(p, {Input("x", {1}, TFLC_TYPE_FLOAT64)}), HasSubstr("sample 2 of input 'x' contains Inf"));
}

TEST_F(DatasetTest, FileErrors) {
  EXPECT_THAT(LoadError(Path("missing.npz"), {Input("x", {1, 3})}), HasSubstr("does not exist"));
  EXPECT_THAT(LoadError(Write("t.npz", "not a zip at all, just text"), {Input("x", {1, 3})}),
              HasSubstr("not an .npz"));
  EXPECT_THAT(LoadError(Write("single.npy", NpyF32({2, 3})), {Input("x", {1, 3})}),
              HasSubstr("is a .npy file, not an .npz"));
  std::string big = Write("big.npz", Zip({{"x.npy", Npy(">f4", {2, 3}, Iota(6))}}));
  std::string m = LoadError(big, {Input("x", {1, 3})});
  EXPECT_THAT(m, HasSubstr("big-endian"));
  EXPECT_THAT(m, HasSubstr("member 'x.npy'"));
  std::string fortran = Write("f.npz", Zip({{"x.npy", Npy("<f4", {2, 3}, Iota(6), 1, true)}}));
  EXPECT_THAT(LoadError(fortran, {Input("x", {1, 3})}), HasSubstr("np.ascontiguousarray"));
  std::string bad = Write("bad.npz", Zip({{"x.npy", "garbage"}}));
  EXPECT_THAT(LoadError(bad, {Input("x", {1, 3})}), HasSubstr("not a valid .npy"));
}

// ---- Dataset: directory of .npy ----
TEST_F(DatasetTest, LoadsDirectoryInSortedOrder) {
  // Written out of order; a non-.npy file is ignored.
  Write("ds/sample_2.npy", NpyF32({28, 28, 1}, 3.0f));
  Write("ds/sample_0.npy", NpyF32({1, 28, 28, 1}, 1.0f));
  Write("ds/sample_1.npy", NpyF32({28, 28, 1}, 2.0f));
  Write("ds/README.txt", "not a sample");
  auto ds = Dataset::Load(Path("ds"), {Input("img", {-1, 28, 28, 1})});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_samples(), 3u);
  EXPECT_EQ(ds->num_inputs(), 1u);
  EXPECT_EQ(ds->sample_bytes(0), 784u * 4);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(FloatAt(ds->sample(i, 0), 1), static_cast<float>(i + 1)) << i;
}

TEST_F(DatasetTest, DirectoryErrors) {
  fs::create_directories(Path("empty"));
  EXPECT_THAT(LoadError(Path("empty"), {Input("x", {1, 3})}), HasSubstr("contains no .npy files"));
  Write("other/a.txt", "x");
  EXPECT_THAT(LoadError(Path("other"), {Input("x", {1, 3})}), HasSubstr("contains no .npy files"));

  Write("ds/a.npy", NpyF32({3}));
  std::string m = LoadError(Path("ds"), {Input("x", {1, 3}), Input("y", {1, 3})});
  EXPECT_THAT(m, HasSubstr("only feed a model with one input"));
  EXPECT_THAT(m, HasSubstr("'x', 'y'"));

  Write("ds/b.npy", NpyF32({4}));
  m = LoadError(Path("ds"), {Input("x", {1, 3})});
  EXPECT_THAT(m, HasSubstr("file 'b.npy' has shape (4,)"));
  EXPECT_THAT(m, HasSubstr("input 'x' takes samples of shape (3,)"));
  EXPECT_THAT(m, HasSubstr("model input shape is [1, 3]"));

  Write("ds/b.npy", Npy("|u1", {3}, "abc"));
  EXPECT_THAT(LoadError(Path("ds"), {Input("x", {1, 3})}),
              HasSubstr("file 'b.npy' is uint8 but input 'x' is float32: save it with .astype(np.float32)"));

  std::vector<float> nan = {1.0f, std::nanf(""), 2.0f};
  Write("ds/b.npy", Npy("<f4", {3}, Bytes(nan)));
  EXPECT_THAT(LoadError(Path("ds"), {Input("x", {1, 3})}), HasSubstr("sample 1 of input 'x' contains NaN"));

  // Wildcard dimensions resolve from the first sample; the others must agree.
  Write("dyn/a.npy", NpyF32({4, 3}));
  Write("dyn/b.npy", NpyF32({5, 3}));
  EXPECT_THAT(LoadError(Path("dyn"), {Input("x", {1, -1, 3})}), HasSubstr("must have the same shape"));
}

// ---- fixtures written by numpy itself ----
std::string Python() {
  static const std::string py = [] {
    for (const char* candidate : {"/usr/bin/python3", "python3"}) {
      std::string cmd = std::string(candidate) + " -c 'import numpy' >/dev/null 2>&1";
      if (std::system(cmd.c_str()) == 0) return std::string(candidate);
    }
    return std::string();
  }();
  return py;
}

class NumpyFixtureTest : public DatasetTest {
 protected:
  void SetUp() override {
    if (Python().empty()) GTEST_SKIP() << "python3 with numpy is not importable (apt-get install python3-numpy)";
    DatasetTest::SetUp();
  }
  // Runs a numpy script with `d` bound to the temp dir.
  void RunNumpy(const std::string& body) {
    std::string script = Write("gen.py", "import numpy as np, os\nd = " + std::string("'") + dir_ + "'\n" + body);
    std::string cmd = Python() + " " + script;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << body;
  }
};

TEST_F(NumpyFixtureTest, SavezByName) {
  RunNumpy(
      "x = (np.arange(6 * 28 * 28, dtype=np.float32) / 100).reshape(6, 28, 28, 1)\n"
      "t = np.arange(6 * 4, dtype=np.int32).reshape(6, 4)\n"
      "np.savez(os.path.join(d, 'd.npz'), tokens=t, image=x)\n");
  auto ds = Dataset::Load(Path("d.npz"), {Input("image", {1, 28, 28, 1}), Input("tokens", {1, 4}, TFLC_TYPE_INT32)});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_samples(), 6u);
  EXPECT_FLOAT_EQ(FloatAt(ds->sample(5, 0), 783), (5 * 784 + 783) / 100.0f);
  int32_t tok;
  std::memcpy(&tok, static_cast<const uint8_t*>(ds->sample(2, 1)) + 4, 4);
  EXPECT_EQ(tok, 9);
}

TEST_F(NumpyFixtureTest, SavezPositional) {
  RunNumpy(
      "a = np.ones((3, 2), np.float32)\n"
      "b = np.full((3, 5), 7, np.int8)\n"
      "np.savez(os.path.join(d, 'd.npz'), a, b)\n");
  auto ds = Dataset::Load(Path("d.npz"), {Input("in_a", {1, 2}), Input("in_b", {-1, 5}, TFLC_TYPE_INT8)});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(static_cast<const int8_t*>(ds->sample(2, 1))[4], 7);
}

TEST_F(NumpyFixtureTest, SavezCompressed) {
  // Large and random enough that inflate runs over many input chunks.
  RunNumpy(
      "rng = np.random.default_rng(1)\n"
      "x = rng.standard_normal((200, 32, 32, 3)).astype(np.float32)\n"
      "np.savez_compressed(os.path.join(d, 'd.npz'), x=x)\n"
      "np.save(os.path.join(d, 'ref.npy'), x[199, 31, 31])\n");
  auto ds = Dataset::Load(Path("d.npz"), {Input("x", {1, 32, 32, 3})});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_samples(), 200u);
  auto ref = ReadNpy(Path("ref.npy"));
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(std::memcmp(static_cast<const uint8_t*>(ds->sample(199, 0)) + (32 * 32 * 3 - 3) * 4, ref->data.data(), 12),
            0);
}

TEST_F(NumpyFixtureTest, SaveDirectoryAndNumpyErrors) {
  RunNumpy(
      "os.makedirs(os.path.join(d, 'ds'))\n"
      "for i in [10, 2, 1]:\n"
      "    np.save(os.path.join(d, 'ds', 's%02d.npy' % i), np.full((1, 4), i, np.float32))\n"
      "np.savez(os.path.join(d, 'f64.npz'), x=np.zeros((2, 4)))\n"
      "np.savez(os.path.join(d, 'fortran.npz'), x=np.asfortranarray(np.zeros((2, 4), np.float32)))\n"
      "np.savez(os.path.join(d, 'big.npz'), x=np.zeros((2, 4), '>f4'))\n"
      "np.savez(os.path.join(d, 'nan.npz'), x=np.array([[0, 1, 2, 3], [0, np.nan, 0, 0]], np.float32))\n");
  auto ds = Dataset::Load(Path("ds"), {Input("x", {1, 4})});
  ASSERT_TRUE(ds.ok()) << ds.status();
  ASSERT_EQ(ds->num_samples(), 3u);
  EXPECT_EQ(FloatAt(ds->sample(0, 0), 0), 1.0f);  // s01, s02, s10
  EXPECT_EQ(FloatAt(ds->sample(1, 0), 0), 2.0f);
  EXPECT_EQ(FloatAt(ds->sample(2, 0), 0), 10.0f);

  EXPECT_THAT(LoadError(Path("f64.npz"), {Input("x", {1, 4})}),
              HasSubstr("array 'x' is float64 but input 'x' is float32: save it with .astype(np.float32)"));
  EXPECT_THAT(LoadError(Path("fortran.npz"), {Input("x", {1, 4})}), HasSubstr("Fortran order"));
  EXPECT_THAT(LoadError(Path("big.npz"), {Input("x", {1, 4})}), HasSubstr("big-endian"));
  EXPECT_THAT(LoadError(Path("nan.npz"), {Input("x", {1, 4})}), HasSubstr("sample 1 of input 'x' contains NaN"));
}

}  // namespace
}  // namespace tflc::host
