// The host's service table for plugins, and status conversion helpers.
#ifndef TFLC_HOST_IR_HOST_API_H_
#define TFLC_HOST_IR_HOST_API_H_

#include <functional>
#include <string>

#include "tflc/abi/tflc_host_api.h"
#include "tflc/sdk/status.h"

namespace tflc::host {

// The one service table, valid for the process lifetime.
const TflcHostApi* HostApi();

// Where host->Log messages go (stderr by default).
using LogSink = std::function<void(TflcLogLevel, const std::string&)>;
void SetLogSink(LogSink sink);

// Takes ownership of a status returned through the ABI (NULL = OK).
Status TakeStatus(TflcStatus* s);
TflcStatus* NewStatus(const Status& s);

}  // namespace tflc::host

#endif  // TFLC_HOST_IR_HOST_API_H_
