// tflc::Status / tflc::StatusOr<T>: error values used inside C++ code (host, SDK, plugins).
// They never cross the C ABI; tflc::sdk::Guard turns them into host-owned TflcStatus objects.
#ifndef TFLC_SDK_STATUS_H_
#define TFLC_SDK_STATUS_H_

#include <cassert>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>

#include "tflc/abi/tflc_types.h"

namespace tflc {

class Status {
 public:
  Status() = default;
  Status(TflcStatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == TFLC_CODE_OK; }
  TflcStatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy with `context` put in front of the message ("context: message").
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

  std::string ToString() const;

 private:
  TflcStatusCode code_ = TFLC_CODE_OK;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgument(std::string m) { return Status(TFLC_CODE_INVALID_ARGUMENT, std::move(m)); }
inline Status NotFound(std::string m) { return Status(TFLC_CODE_NOT_FOUND, std::move(m)); }
inline Status Unimplemented(std::string m) { return Status(TFLC_CODE_UNIMPLEMENTED, std::move(m)); }
inline Status FailedPrecondition(std::string m) { return Status(TFLC_CODE_FAILED_PRECONDITION, std::move(m)); }
inline Status Internal(std::string m) { return Status(TFLC_CODE_INTERNAL, std::move(m)); }
inline Status DataLoss(std::string m) { return Status(TFLC_CODE_DATA_LOSS, std::move(m)); }
inline Status OutOfRange(std::string m) { return Status(TFLC_CODE_OUT_OF_RANGE, std::move(m)); }
inline Status AlreadyExists(std::string m) { return Status(TFLC_CODE_ALREADY_EXISTS, std::move(m)); }

inline const char* StatusCodeName(TflcStatusCode code) {
  switch (code) {
    case TFLC_CODE_OK: return "OK";
    case TFLC_CODE_CANCELLED: return "CANCELLED";
    case TFLC_CODE_UNKNOWN: return "UNKNOWN";
    case TFLC_CODE_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case TFLC_CODE_NOT_FOUND: return "NOT_FOUND";
    case TFLC_CODE_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case TFLC_CODE_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case TFLC_CODE_OUT_OF_RANGE: return "OUT_OF_RANGE";
    case TFLC_CODE_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case TFLC_CODE_INTERNAL: return "INTERNAL";
    case TFLC_CODE_DATA_LOSS: return "DATA_LOSS";
  }
  return "UNKNOWN";
}

inline std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

inline std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

template <typename T>
class StatusOr {
 public:
  StatusOr(const Status& status) : status_(status) { assert(!status.ok()); }  // NOLINT
  StatusOr(Status&& status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT
  StatusOr(const T& value) : value_(value) {}  // NOLINT
  StatusOr(T&& value) : value_(std::move(value)) {}  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace tflc

#define TFLC_STATUS_CONCAT_INNER_(a, b) a##b
#define TFLC_STATUS_CONCAT_(a, b) TFLC_STATUS_CONCAT_INNER_(a, b)

#define TFLC_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::tflc::Status tflc_status_ = (expr);   \
    if (!tflc_status_.ok()) return tflc_status_; \
  } while (0)

#define TFLC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#define TFLC_ASSIGN_OR_RETURN(lhs, expr) \
  TFLC_ASSIGN_OR_RETURN_IMPL_(TFLC_STATUS_CONCAT_(tflc_statusor_, __LINE__), lhs, expr)

#endif  // TFLC_SDK_STATUS_H_
