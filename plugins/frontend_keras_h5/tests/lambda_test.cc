// Lambda layers: marshal reading, version detection and one-expression decoding of code objects
// written by the real CPython 3.7–3.13 interpreters (base64 of marshal.dumps(f.__code__), as
// Keras' func_dump stores it), robustness on truncated / corrupted bytes, and the conversion of
// the generated models (tests/models/gen_lambda.py).
#include <set>

#include "lambda_code.h"
#include "layers.h"
#include "test_util.h"

namespace tflc::keras::testing {
namespace {

using pycode::Base64Decode;
using pycode::DecodeExpression;
using pycode::ReadCodeObject;

struct Dump {
  const char* version;  // "37" .. "313" (the interpreter that wrote it)
  const char* fn;
  const char* b64;
};

// Written by ~/.pyenv/versions/3.X/bin/python3 with base64.b64encode(marshal.dumps(f.__code__)):
//   expand  lambda x: tf.expand_dims(x, -1)
//   closure lambda x, b=0.25: x * scale + b        (scale a closure variable)
//   kwargs  lambda x: K.sum(x, axis=1)
//   slice   lambda x: x[:, -1, :]
//   reshape lambda x: tf.reshape(x, [-1, 4, 5])
//   ops     lambda x: (x < 2) + x[1:3] - (-x)
//   two     lambda t: t[0] * t[1]
//   cond    lambda x: x if x else 0                (a jump: refused)
//   comp    lambda x: [y for y in x]               (a comprehension: refused)
constexpr Dump kDumps[] = {
    {"37", "expand", "4wEAAAAAAAAAAQAAAAQAAABDAAAAcwwAAAB0AKABfABkAaECUwApAk7p/////ykC2gJ0ZtoLZXhwYW5kX2RpbXMpAdoBeKkAcgUAAAD6EC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+BgAAAPMAAAAA"},
    {"37", "closure", "4wIAAAAAAAAAAgAAAAIAAAATAAAAcwwAAAB8AIgAFAB8ARcAUwApAU6pACkC2gF42gFiKQHaBXNjYWxlcgEAAAD6EC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+BAAAAPMAAAAA"},
    {"37", "kwargs", "4wEAAAAAAAAAAQAAAAQAAABDAAAAcw4AAAB0AGoBfABkAWQCjQJTACkDTukBAAAAKQHaBGF4aXMpAtoBS9oDc3VtKQHaAXipAHIGAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPggAAADzAAAAAA=="},
    {"37", "slice", "4wEAAAAAAAAAAQAAAAUAAABDAAAAcxYAAAB8AGQAZACFAmQBZABkAIUCZgMZAFMAKQJO6f////+pACkB2gF4cgIAAAByAgAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4JAAAA8wAAAAA="},
    {"37", "reshape", "4wEAAAAAAAAAAQAAAAYAAABDAAAAcxIAAAB0AKABfABkAWQCZANnA6ECUwApBE7p/////+kEAAAA6QUAAAApAtoCdGbaB3Jlc2hhcGUpAdoBeKkAcgcAAAD6EC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+CgAAAPMAAAAA"},
    {"37", "ops", "4wEAAAAAAAAAAQAAAAQAAABDAAAAcxoAAAB8AGQBawB8AGQCZAOFAhkAFwB8AAsAGABTACkETukCAAAA6QEAAADpAwAAAKkAKQHaAXhyBAAAAHIEAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgsAAADzAAAAAA=="},
    {"37", "two", "4wEAAAAAAAAAAQAAAAMAAABDAAAAcxAAAAB8AGQBGQB8AGQCGQAUAFMAKQNO6QAAAADpAQAAAKkAKQHaAXRyAwAAAHIDAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgwAAADzAAAAAA=="},
    {"37", "cond", "4wEAAAAAAAAAAQAAAAEAAABDAAAAcwwAAAB8AHIIfABTAGQBUwApAk7pAAAAAKkAKQHaAXhyAgAAAHICAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPg0AAADzAAAAAA=="},
    {"37", "comp", "4wEAAAAAAAAAAQAAAAIAAABDAAAAcw4AAABkAWQChAB8AEQAgwFTACkDTmMBAAAAAAAAAAIAAAADAAAAUwAAAHMQAAAAZwB8AF0IfQF8AZECcQRTAKkAcgEAAAApAtoCLjDaAXlyAQAAAHIBAAAA+hAvdG1wL2xtYi9kdW1wLnB5+go8bGlzdGNvbXA+DgAAAHMCAAAABgB6HDxsYW1iZGE+Ljxsb2NhbHM+LjxsaXN0Y29tcD5yAQAAACkB2gF4cgEAAAByAQAAAHIEAAAA2gg8bGFtYmRhPg4AAADzAAAAAA=="},
    {"38", "expand", "4wEAAAAAAAAAAAAAAAEAAAAEAAAAQwAAAHMMAAAAdACgAXwAZAGhAlMAqQJO6f////8pAtoCdGbaC2V4cGFuZF9kaW1zqQHaAXipAHIHAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgYAAADzAAAAAA=="},
    {"38", "closure", "4wIAAAAAAAAAAAAAAAIAAAACAAAAEwAAAHMMAAAAfACIABQAfAEXAFMAKQFOqQApAtoBeNoBYqkB2gVzY2FsZXIBAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgQAAADzAAAAAA=="},
    {"38", "kwargs", "4wEAAAAAAAAAAAAAAAEAAAAEAAAAQwAAAHMOAAAAdABqAXwAZAFkAo0CUwApA07pAQAAACkB2gRheGlzKQLaAUvaA3N1bakB2gF4qQByBwAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4IAAAA8wAAAAA="},
    {"38", "slice", "4wEAAAAAAAAAAAAAAAEAAAAFAAAAQwAAAHMWAAAAfABkAGQAhQJkAWQAZACFAmYDGQBTAKkCTun/////qQCpAdoBeHIDAAAAcgMAAAD6EC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+CQAAAPMAAAAA"},
    {"38", "reshape", "4wEAAAAAAAAAAAAAAAEAAAAGAAAAQwAAAHMSAAAAdACgAXwAZAFkAmQDZwOhAlMAKQRO6f/////pBAAAAOkFAAAAKQLaAnRm2gdyZXNoYXBlqQHaAXipAHIIAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgoAAADzAAAAAA=="},
    {"38", "ops", "4wEAAAAAAAAAAAAAAAEAAAAEAAAAQwAAAHMaAAAAfABkAWsAfABkAmQDhQIZABcAfAALABgAUwApBE7pAgAAAOkBAAAA6QMAAACpAKkB2gF4cgQAAAByBAAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4LAAAA8wAAAAA="},
    {"38", "two", "4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMQAAAAfABkARkAfABkAhkAFABTACkDTukAAAAA6QEAAACpACkB2gF0cgMAAAByAwAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4MAAAA8wAAAAA="},
    {"38", "cond", "4wEAAAAAAAAAAAAAAAEAAAABAAAAQwAAAHMMAAAAfAByCHwAUwBkAVMAKQJO6QAAAACpAKkB2gF4cgIAAAByAgAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4NAAAA8wAAAAA="},
    {"38", "comp", "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMOAAAAZAFkAoQAfABEAIMBUwApA05jAQAAAAAAAAAAAAAAAgAAAAMAAABTAAAAcxAAAABnAHwAXQh9AXwBkQJxBFMAqQByAQAAACkC2gIuMNoBeXIBAAAAcgEAAAD6EC90bXAvbG1iL2R1bXAucHnaCjxsaXN0Y29tcD4OAAAAcwQAAAAGAAIAehw8bGFtYmRhPi48bG9jYWxzPi48bGlzdGNvbXA+cgEAAACpAdoBeHIBAAAAcgEAAAByBAAAANoIPGxhbWJkYT4OAAAA8wAAAAA="},
    {"39", "expand", "4wEAAAAAAAAAAAAAAAEAAAAEAAAAQwAAAHMMAAAAdACgAXwAZAGhAlMAqQJO6f////8pAtoCdGbaC2V4cGFuZF9kaW1zqQHaAXipAHIHAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgYAAADzAAAAAA=="},
    {"39", "closure", "4wIAAAAAAAAAAAAAAAIAAAACAAAAEwAAAHMMAAAAfACIABQAfAEXAFMAKQFOqQApAtoBeNoBYqkB2gVzY2FsZXIBAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgQAAADzAAAAAA=="},
    {"39", "kwargs", "4wEAAAAAAAAAAAAAAAEAAAAEAAAAQwAAAHMOAAAAdABqAXwAZAFkAo0CUwApA07pAQAAACkB2gRheGlzKQLaAUvaA3N1bakB2gF4qQByBwAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4IAAAA8wAAAAA="},
    {"39", "slice", "4wEAAAAAAAAAAAAAAAEAAAAFAAAAQwAAAHMWAAAAfABkAGQAhQJkAWQAZACFAmYDGQBTAKkCTun/////qQCpAdoBeHIDAAAAcgMAAAD6EC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+CQAAAPMAAAAA"},
    {"39", "reshape", "4wEAAAAAAAAAAAAAAAEAAAAFAAAAQwAAAHMQAAAAdACgAXwAZwBkAaIBoQJTACkCTikD6f/////pBAAAAOkFAAAAKQLaAnRm2gdyZXNoYXBlqQHaAXipAHIIAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgoAAADzAAAAAA=="},
    {"39", "ops", "4wEAAAAAAAAAAAAAAAEAAAAEAAAAQwAAAHMaAAAAfABkAWsAfABkAmQDhQIZABcAfAALABgAUwApBE7pAgAAAOkBAAAA6QMAAACpAKkB2gF4cgQAAAByBAAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4LAAAA8wAAAAA="},
    {"39", "two", "4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMQAAAAfABkARkAfABkAhkAFABTACkDTukAAAAA6QEAAACpACkB2gF0cgMAAAByAwAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4MAAAA8wAAAAA="},
    {"39", "cond", "4wEAAAAAAAAAAAAAAAEAAAABAAAAQwAAAHMMAAAAfAByCHwAUwBkAVMAKQJO6QAAAACpAKkB2gF4cgIAAAByAgAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4NAAAA8wAAAAA="},
    {"39", "comp", "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMOAAAAZAFkAoQAfABEAIMBUwApA05jAQAAAAAAAAAAAAAAAgAAAAMAAABTAAAAcxAAAABnAHwAXQh9AXwBkQJxBFMAqQByAQAAACkC2gIuMNoBeXIBAAAAcgEAAAD6EC90bXAvbG1iL2R1bXAucHnaCjxsaXN0Y29tcD4OAAAA8wAAAAB6HDxsYW1iZGE+Ljxsb2NhbHM+LjxsaXN0Y29tcD5yAQAAAKkB2gF4cgEAAAByAQAAAHIEAAAA2gg8bGFtYmRhPg4AAAByBgAAAA=="},
    {"310", "expand", "4wEAAAAAAAAAAAAAAAEAAAAEAAAAQwAAAHMMAAAAdACgAXwAZAGhAlMAqQJO6f////8pAtoCdGbaC2V4cGFuZF9kaW1zqQHaAXipAHIHAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgYAAADzAgAAAAwA"},
    {"310", "closure", "4wIAAAAAAAAAAAAAAAIAAAACAAAAEwAAAHMMAAAAfACIABQAfAEXAFMAKQFOqQApAtoBeNoBYqkB2gVzY2FsZXIBAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgQAAADzAgAAAAwA"},
    {"310", "kwargs", "4wEAAAAAAAAAAAAAAAEAAAAEAAAAQwAAAHMOAAAAdABqAXwAZAFkAo0CUwApA07pAQAAACkB2gRheGlzKQLaAUvaA3N1bakB2gF4qQByBwAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4IAAAA8wIAAAAOAA=="},
    {"310", "slice", "4wEAAAAAAAAAAAAAAAEAAAAFAAAAQwAAAHMWAAAAfABkAGQAhQJkAWQAZACFAmYDGQBTAKkCTun/////qQCpAdoBeHIDAAAAcgMAAAD6EC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+CQAAAHMCAAAAFgA="},
    {"310", "reshape", "4wEAAAAAAAAAAAAAAAEAAAAFAAAAQwAAAHMQAAAAdACgAXwAZwBkAaIBoQJTACkCTikD6f/////pBAAAAOkFAAAAKQLaAnRm2gdyZXNoYXBlqQHaAXipAHIIAAAA+hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPgoAAADzAgAAABAA"},
    {"310", "ops", "4wEAAAAAAAAAAAAAAAEAAAAEAAAAQwAAAHMaAAAAfABkAWsAfABkAmQDhQIZABcAfAALABgAUwApBE7pAgAAAOkBAAAA6QMAAACpAKkB2gF4cgQAAAByBAAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4LAAAAcwIAAAAaAA=="},
    {"310", "two", "4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMQAAAAfABkARkAfABkAhkAFABTACkDTukAAAAA6QEAAACpACkB2gF0cgMAAAByAwAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4MAAAA8wIAAAAQAA=="},
    {"310", "cond", "4wEAAAAAAAAAAAAAAAEAAAABAAAAQwAAAHMMAAAAfAByBHwAUwBkAVMAKQJO6QAAAACpAKkB2gF4cgIAAAByAgAAAPoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT4NAAAA8wIAAAAMAA=="},
    {"310", "comp", "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMOAAAAZAFkAoQAfABEAIMBUwApA05jAQAAAAAAAAAAAAAAAgAAAAMAAABTAAAAcxAAAABnAHwAXQR9AXwBkQJxAlMAqQByAQAAACkC2gIuMNoBeXIBAAAAcgEAAAD6EC90bXAvbG1iL2R1bXAucHnaCjxsaXN0Y29tcD4OAAAA8wIAAAAQAHocPGxhbWJkYT4uPGxvY2Fscz4uPGxpc3Rjb21wPnIBAAAAqQHaAXhyAQAAAHIBAAAAcgQAAADaCDxsYW1iZGE+DgAAAPMCAAAADgA="},
    {"311", "expand", "4wEAAAAAAAAAAAAAAAQAAAADAAAA8zgAAACXAHQAAAAAAAAAAAAAAKABAAAAAAAAAAAAAAAAAAAAAAAAAAB8AGQBpgIAAKsCAAAAAAAAAABTAKkCTun/////KQLaAnRm2gtleHBhbmRfZGltc6kB2gF4cwEAAAAg+hAvdG1wL2xtYi9kdW1wLnB5+gg8bGFtYmRhPnIJAAAABgAAAHMUAAAAgACVUpdekl6gQaBy0RUq1BUqgADzAAAAAA=="},
    {"311", "closure", "4wIAAAAAAAAAAAAAAAIAAAATAAAA8xQAAACVAZcAfACJAnoFAAB8AXoAAABTACkBTqkAKQPaAXjaAWLaBXNjYWxlcwMAAAAgIID6EC90bXAvbG1iL2R1bXAucHn6CDxsYW1iZGE++hRtay48bG9jYWxzPi48bGFtYmRhPgQAAABzDwAAAPiAAJhRoBWZWagRmV2AAPMAAAAA"},
    {"311", "kwargs", "4wEAAAAAAAAAAAAAAAQAAAADAAAA8zoAAACXAHQAAAAAAAAAAAAAAKABAAAAAAAAAAAAAAAAAAAAAAAAAAB8AGQBrAKmAgAAqwIAAAAAAAAAAFMAKQNO6QEAAAApAdoEYXhpcykC2gFL2gNzdW2pAdoBeHMBAAAAIPoQL3RtcC9sbWIvZHVtcC5wefoIPGxhbWJkYT5yCQAAAAgAAABzFgAAAIAAlVGXVZJVmDGgMZBV0RUl1BUlgADzAAAAAA=="},
    {"311", "slice", "4wEAAAAAAAAAAAAAAAUAAAADAAAA8yAAAACXAHwAZABkAIUCZAFkAGQAhQJmAxkAAAAAAAAAAABTAKkCTun/////qQCpAdoBeHMBAAAAIPoQL3RtcC9sbWIvZHVtcC5wefoIPGxhbWJkYT5yCAAAAAkAAABzGAAAAIAAkEGQYZBhkGGYEphRmFGYUZBolEuAAPMAAAAA"},
    {"311", "reshape", "4wEAAAAAAAAAAAAAAAUAAAADAAAA8zwAAACXAHQAAAAAAAAAAAAAAKABAAAAAAAAAAAAAAAAAAAAAAAAAAB8AGcAZAGiAaYCAACrAgAAAAAAAAAAUwApAk4pA+n/////6QQAAADpBQAAACkC2gJ0ZtoHcmVzaGFwZakB2gF4cwEAAAAg+hAvdG1wL2xtYi9kdW1wLnB5+gg8bGFtYmRhPnIKAAAACgAAAHMYAAAAgACVYpdqkmqgEaBKoEqgStEWL9QWL4AA8wAAAAA="},
    {"311", "ops", "4wEAAAAAAAAAAAAAAAQAAAADAAAA8ywAAACXAHwAZAFrAAAAAAB8AGQCZAOFAhkAAAAAAAAAAAB6AAAAfAALAHoKAABTACkETukCAAAA6QEAAADpAwAAAKkAqQHaAXhzAQAAACD6EC90bXAvbG1iL2R1bXAucHn6CDxsYW1iZGE+cgkAAAALAAAAcx4AAACAAJAxkHGSNZhBmGGgAZhjnEbREiKgcaBi0RIpgADzAAAAAA=="},
    {"311", "two", "4wEAAAAAAAAAAAAAAAMAAAADAAAA8yQAAACXAHwAZAEZAAAAAAAAAAAAfABkAhkAAAAAAAAAAAB6BQAAUwApA07pAAAAAOkBAAAAqQApAdoBdHMBAAAAIPoQL3RtcC9sbWIvZHVtcC5wefoIPGxhbWJkYT5yBwAAAAwAAABzEgAAAIAAkCGQQZQkmBGYMZwUkSuAAPMAAAAA"},
    {"311", "cond", "4wEAAAAAAAAAAAAAAAEAAAADAAAA8w4AAACXAHwAcgJ8AG4BZAFTACkCTukAAAAAqQCpAdoBeHMBAAAAIPoQL3RtcC9sbWIvZHVtcC5wefoIPGxhbWJkYT5yBwAAAA0AAABzDgAAAIAAmAGQPZAxkDGYcYAA8wAAAAA="},
    {"311", "comp", "4wEAAAAAAAAAAAAAAAIAAAADAAAA8xoAAACXAGQBhAB8AEQApgAAAKsAAAAAAAAAAABTACkCTmMBAAAAAAAAAAAAAAADAAAAEwAAAPMSAAAAlwBnAHwAXQR9AXwBkQKMBVMAqQByAwAAACkC2gIuMNoBeXMCAAAAICD6EC90bXAvbG1iL2R1bXAucHn6CjxsaXN0Y29tcD56HDxsYW1iZGE+Ljxsb2NhbHM+LjxsaXN0Y29tcD4OAAAAcxIAAACAAJA+kD6QPpghkEGQPpA+kD7zAAAAAHIDAAAAqQHaAXhzAQAAACByBgAAAPoIPGxhbWJkYT5yCwAAAA4AAABzEAAAAIAAkD6QPphxkD6RPpQ+gAByCAAAAA=="},
    {"312", "expand", "4wEAAAAAAAAAAAAAAAQAAAADAAAA8y4AAACXAHQAAAAAAAAAAABqAwAAAAAAAAAAAAAAAAAAAAAAAHwAZAGrAgAAAAAAAFMAqQJO6f////8pAtoCdGbaC2V4cGFuZF9kaW1zqQHaAXhzAQAAACD6EC90bXAvbG1iL2R1bXAucHn6CDxsYW1iZGE+cgkAAAAGAAAAcxEAAACAAJRSl16RXqBBoHLTFSqAAPMAAAAA"},
    {"312", "closure", "4wIAAAAAAAAAAAAAAAIAAAATAAAA8xQAAACVAZcAfACJAnoFAAB8AXoAAABTAKkBTqkAKQPaAXjaAWLaBXNjYWxlcwMAAAAgIID6EC90bXAvbG1iL2R1bXAucHn6CDxsYW1iZGE++hRtay48bG9jYWxzPi48bGFtYmRhPgQAAABzDwAAAPiAAJhRoBWZWagRmV2AAPMAAAAA"},
    {"312", "kwargs", "4wEAAAAAAAAAAAAAAAQAAAADAAAA8zAAAACXAHQAAAAAAAAAAABqAwAAAAAAAAAAAAAAAAAAAAAAAHwAZAGsAqsCAAAAAAAAUwApA07pAQAAACkB2gRheGlzKQLaAUvaA3N1bakB2gF4cwEAAAAg+hAvdG1wL2xtYi9kdW1wLnB5+gg8bGFtYmRhPnIJAAAACAAAAHMTAAAAgACUUZdVkVWYMaAxkFXTFSWAAPMAAAAA"},
    {"312", "slice", "4wEAAAAAAAAAAAAAAAUAAAADAAAA8xoAAACXAHwAZABkAIUCZAFkAGQAhQJmAxkAAABTAKkCTun/////qQCpAdoBeHMBAAAAIPoQL3RtcC9sbWIvZHVtcC5wefoIPGxhbWJkYT5yCAAAAAkAAABzEAAAAIAAkEGSYZgSmlGQaJFLgADzAAAAAA=="},
    {"312", "reshape", "4wEAAAAAAAAAAAAAAAUAAAADAAAA8zIAAACXAHQAAAAAAAAAAABqAwAAAAAAAAAAAAAAAAAAAAAAAHwAZwBkAaIBqwIAAAAAAABTACkCTikD6f/////pBAAAAOkFAAAAKQLaAnRm2gdyZXNoYXBlqQHaAXhzAQAAACD6EC90bXAvbG1iL2R1bXAucHn6CDxsYW1iZGE+cgoAAAAKAAAAcxEAAACAAJRil2qRaqARokrTFi+AAPMAAAAA"},
    {"312", "ops", "4wEAAAAAAAAAAAAAAAQAAAADAAAA8yAAAACXAHwAZAFrAgAAfABkAmQDGgB6AAAAfAALAHoKAABTACkETukCAAAA6QEAAADpAwAAAKkAqQHaAXhzAQAAACD6EC90bXAvbG1iL2R1bXAucHn6CDxsYW1iZGE+cgkAAAALAAAAcxwAAACAAJAxkHGRNZhBmGGgAZhG0RIioHGgYtESKYAA8wAAAAA="},
    {"312", "two", "4wEAAAAAAAAAAAAAAAMAAAADAAAA8xgAAACXAHwAZAEZAAAAfABkAhkAAAB6BQAAUwApA07pAAAAAOkBAAAAqQApAdoBdHMBAAAAIPoQL3RtcC9sbWIvZHVtcC5wefoIPGxhbWJkYT5yBwAAAAwAAABzEgAAAIAAkCGQQZEkmBGYMZkUkSuAAPMAAAAA"},
    {"312", "cond", "4wEAAAAAAAAAAAAAAAEAAAADAAAA8w4AAACXAHwAcgJ8AFMAZAFTACkCTukAAAAAqQCpAdoBeHMBAAAAIPoQL3RtcC9sbWIvZHVtcC5wefoIPGxhbWJkYT5yBwAAAA0AAABzDAAAAIAAmQGQMYAAmHGAAPMAAAAA"},
    {"312", "comp", "4wEAAAAAAAAAAAAAAAQAAAADAAAA8ywAAACXAHwARACPAWMCZwBjAl0EAAB9AXwBkQKMBgQAYwJ9AVMAYwIBAGMCfQF3AKkBTqkAKQLaAXjaAXlzAgAAACAg+hAvdG1wL2xtYi9kdW1wLnB5+gg8bGFtYmRhPnIHAAAADgAAAHMRAAAAgACYcZY+mCGSQZI+gAD5kj5zBAAAAIUJEQQ="},
    {"313", "expand", "4wEAAAAAAAAAAAAAAAQAAAADAAAA8y4AAACVAFsAAAAAAAAAAABSAwAAAAAAAAAAAAAAAAAAAAAAAFUAUwE1AgAAAAAAACQAqQJO6f////8pAtoCdGbaC2V4cGFuZF9kaW1zqQHaAXhzAQAAACDaEC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+cgkAAAAGAAAAcw8AAACAAJRSl16RXqBBoHLUFSrzAAAAAA=="},
    {"313", "closure", "4wIAAAAAAAAAAAAAAAIAAAATAAAA8xQAAAA+AZUAVQBUAi0FAABVAS0AAAAkAKkBTqkAKQPaAXjaAWLaBXNjYWxlcwMAAAAgIIDaEC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+2hRtay48bG9jYWxzPi48bGFtYmRhPgQAAABzDQAAAPiAAJhRoBWZWagRml3zAAAAAA=="},
    {"313", "kwargs", "4wEAAAAAAAAAAAAAAAUAAAADAAAA8yoAAACVAFsAAAAAAAAAAABSAwAAAAAAAAAAAAAAAAAAAAAAAFUAUwFTAjkCJAApA07pAQAAACkB2gRheGlzKQLaAUvaA3N1bakB2gF4cwEAAAAg2hAvdG1wL2xtYi9kdW1wLnB52gg8bGFtYmRhPnIJAAAACAAAAHMRAAAAgACUUZdVkVWYMaAxkFXRFSXzAAAAAA=="},
    {"313", "slice", "4wEAAAAAAAAAAAAAAAUAAAADAAAA8xoAAACVAFUAUwBTADICUwFTAFMAMgI0AwUAAAAkAKkCTun/////qQCpAdoBeHMBAAAAINoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT5yCAAAAAkAAABzDgAAAIAAkEGSYZgSmlGQaJJL8wAAAAA="},
    {"313", "reshape", "4wEAAAAAAAAAAAAAAAUAAAADAAAA8zIAAACVAFsAAAAAAAAAAABSAwAAAAAAAAAAAAAAAAAAAAAAAFUALwBTAVEBNQIAAAAAAAAkACkCTikD6f/////pBAAAAOkFAAAAKQLaAnRm2gdyZXNoYXBlqQHaAXhzAQAAACDaEC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+cgoAAAAKAAAAcw8AAACAAJRil2qRaqARokrUFi/zAAAAAA=="},
    {"313", "ops", "4wEAAAAAAAAAAAAAAAQAAAADAAAA8yAAAACVAFUAUwE6AgAAVQBTAlMDBAAtAAAAVQAqAC0KAAAkACkETukCAAAA6QEAAADpAwAAAKkAqQHaAXhzAQAAACDaEC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+cgkAAAALAAAAcxoAAACAAJAxkHGRNZhBmGGgAZhG0RIioHGgYtISKfMAAAAA"},
    {"313", "two", "4wEAAAAAAAAAAAAAAAMAAAADAAAA8xgAAACVAFUAUwEFAAAAVQBTAgUAAAAtBQAAJAApA07pAAAAAOkBAAAAqQApAdoBdHMBAAAAINoQL3RtcC9sbWIvZHVtcC5wedoIPGxhbWJkYT5yBwAAAAwAAABzEAAAAIAAkCGQQZEkmBGYMZkUkivzAAAAAA=="},
    {"313", "cond", "4wEAAAAAAAAAAAAAAAEAAAADAAAA8xgAAACVAFUAKAAAAAAAAABhAgAAVQAkAFMBJAApAk7pAAAAAKkAqQHaAXhzAQAAACDaEC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+cgcAAAANAAAAcwwAAACAAJ4BkDGQPZhxkD3zAAAAAA=="},
    {"313", "comp", "4wEAAAAAAAAAAAAAAAQAAAADAAAA8y4AAACVAFUAEwBWAXMCLwBzAkgEAABvEVACTQYAAAsAIABzAm4BJABzAiAAcwJuAWYAqQFOqQApAtoBeNoBeXMCAAAAICDaEC90bXAvbG1iL2R1bXAucHnaCDxsYW1iZGE+cgcAAAAOAAAAcxMAAACAAJlxkz6ZcZghkkGZcZI++ZI+cwQAAACFChIE"},
};

const std::map<std::string, std::string>& Expected() {
  static const std::map<std::string, std::string> m = {
      {"expand", "tf.expand_dims(x, -1)"},
      {"closure", "((x * scale) + b)"},
      {"kwargs", "K.sum(x, axis=1)"},
      {"slice", "x[(:, -1, :)]"},
      {"reshape", "tf.reshape(x, [-1, 4, 5])"},
      {"ops", "(((x < 2) + x[1:3]) - -x)"},
      {"two", "(t[0] * t[1])"},
  };
  return m;
}

std::string VersionOf(const std::string& v) {
  if (v == "37") return "3.7";
  if (v == "38" || v == "39") return "3.8 or 3.9";
  if (v == "310") return "3.10";
  if (v == "311") return "3.11";
  if (v == "312") return "3.12";
  return "?";
}

std::string Bytes(const char* b64) {
  auto b = Base64Decode(b64);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : std::string();
}

TEST(LambdaCode, DecodesRealInterpreterDumps) {
  std::set<std::string> versions;
  for (const Dump& d : kDumps) {
    SCOPED_TRACE(std::string("Python ") + d.version + " " + d.fn);
    const std::string bytes = Bytes(d.b64);
    auto code = ReadCodeObject(bytes);
    if (std::string(d.version) == "313") {
      ASSERT_FALSE(code.ok());
      EXPECT_NE(code.status().message().find("3.13"), std::string::npos) << code.status();
      EXPECT_NE(code.status().message().find("3.7, 3.8, 3.9, 3.10, 3.11 and 3.12"), std::string::npos) << code.status();
      versions.insert(d.version);
      continue;
    }
    ASSERT_TRUE(code.ok()) << code.status();
    // Lambdas without any instruction whose caches differ between 3.11 and 3.12 are read as either.
    if ((*code)->version == pycode::kVersion311Or312)
      EXPECT_TRUE(std::string(d.version) == "311" || std::string(d.version) == "312") << d.version;
    else
      EXPECT_EQ(pycode::VersionName((*code)->version), VersionOf(d.version));
    auto e = DecodeExpression(**code);
    auto it = Expected().find(d.fn);
    if (it == Expected().end()) {
      ASSERT_FALSE(e.ok()) << pycode::ExprText(**e);
      EXPECT_EQ(e.status().code(), TFLC_CODE_UNIMPLEMENTED) << e.status();
      const std::string m = e.status().message();
      if (std::string(d.fn) == "cond") {
        EXPECT_NE(m.find("POP_JUMP"), std::string::npos) << m;
      }
      if (std::string(d.fn) == "comp") {
        EXPECT_TRUE(m.find("comprehension") != std::string::npos || m.find("GET_ITER") != std::string::npos) << m;
      }
    } else {
      ASSERT_TRUE(e.ok()) << e.status();
      EXPECT_EQ(pycode::ExprText(**e), it->second);
    }
    versions.insert(d.version);
  }
  EXPECT_EQ(versions.size(), 7u);
}

TEST(LambdaCode, ClosureAndArgumentNames) {
  for (const Dump& d : kDumps) {
    if (std::string(d.fn) != "closure" || std::string(d.version) == "313") continue;
    SCOPED_TRACE(d.version);
    auto code = ReadCodeObject(Bytes(d.b64));
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ((*code)->argcount, 2);
    ASSERT_EQ((*code)->freevars.size(), 1u);
    EXPECT_EQ((*code)->freevars[0], "scale");
    EXPECT_EQ((*code)->varnames[0], "x");
    EXPECT_EQ((*code)->varnames[1], "b");
    EXPECT_EQ(pycode::ReferencedNames(**code), "scale (closure)");
  }
}

TEST(LambdaCode, TruncatedAndCorruptBytesAreErrorsNotCrashes) {
  uint32_t seed = 12345;
  auto next = [&]() {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
  };
  int decoded_after_flip = 0;
  for (const Dump& d : kDumps) {
    const std::string bytes = Bytes(d.b64);
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto c = ReadCodeObject(bytes.substr(0, n));
      EXPECT_FALSE(c.ok()) << d.version << " " << d.fn << " truncated to " << n;
    }
    for (int k = 0; k < 200; ++k) {
      std::string b = bytes;
      b[next() % b.size()] = static_cast<char>(next() & 0xFF);
      if (k % 3 == 0) b[next() % b.size()] = static_cast<char>(next() & 0xFF);
      auto c = ReadCodeObject(b);
      if (!c.ok()) continue;
      auto e = DecodeExpression(**c);  // any result, never a crash
      if (e.ok()) ++decoded_after_flip, (void)pycode::ExprText(**e);
    }
  }
  EXPECT_GT(decoded_after_flip, 0);  // flips inside strings still decode
}

TEST(LambdaCode, HostileMarshal) {
  // Deeply nested tuples inside co_consts, a back-reference to nothing, a huge length.
  EXPECT_FALSE(ReadCodeObject(std::string(40, '(')).ok());
  std::string nested = "\xe3" + std::string(20, '\0') + "s" + std::string(4, '\0');
  for (int k = 0; k < 5000; ++k) nested += ")\x01";
  EXPECT_FALSE(ReadCodeObject(nested).ok());
  std::string badref = "\xe3" + std::string(20, '\0') + "r" + std::string("\x05\x00\x00\x00", 4) + std::string(10, 'N');
  EXPECT_FALSE(ReadCodeObject(badref).ok());
  std::string huge = "\xe3" + std::string(20, '\0') + "s" + std::string("\xff\xff\xff\x7f", 4) + std::string(10, 'N');
  EXPECT_FALSE(ReadCodeObject(huge).ok());
  EXPECT_FALSE(Base64Decode("4w*A").ok());
}

// A 3.8 code object for `lambda x: <body>`: co_code = `code` + RETURN_VALUE (D.4 layout, no refs).
std::string Code38(const std::string& code, const std::string& consts = std::string(")\x01N", 3),
                   const std::string& filename = "f") {
  auto i32 = [](int32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
  std::string c = "c" + i32(1) + i32(0) + i32(0) + i32(1) + i32(2) + i32(0x43);
  c += "s" + i32(static_cast<int32_t>(code.size() + 2)) + code + std::string("\x53\x00", 2);
  c += consts;                              // default (None,)
  c += std::string(")\x00", 2);            // names
  c += std::string(")\x01z\x01x", 5);       // varnames ('x',)
  c += std::string(")\x00)\x00", 4);        // freevars, cellvars
  c += "z" + std::string(1, static_cast<char>(filename.size())) + filename + std::string("z\x08<lambda>", 10) + i32(1) +
       "s" + i32(0);
  return c;
}

TEST(LambdaCode, DeepExpressionsAreRefused) {
  std::string body = std::string("\x7c\x00", 2);  // LOAD_FAST x
  for (int k = 0; k < 50; ++k) body += std::string("\x0b\x00", 2);  // UNARY_NEGATIVE
  auto shallow = ReadCodeObject(Code38(body));
  ASSERT_TRUE(shallow.ok()) << shallow.status();
  EXPECT_EQ((*shallow)->version, 38);
  auto e = DecodeExpression(**shallow);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ((*e)->depth, 51);
  for (int k = 0; k < 100000; ++k) body += std::string("\x0b\x00", 2);
  auto deep = ReadCodeObject(Code38(body));
  ASSERT_TRUE(deep.ok()) << deep.status();
  auto d = DecodeExpression(**deep);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("levels deep"), std::string::npos) << d.status();
}

TEST(LambdaCode, WindowsDumpsWithSlashBytesAreRefused) {
  // lambda x: x + 47 → LOAD_FAST 0; LOAD_CONST 1; BINARY_ADD; consts (None, 47).
  const std::string body = std::string("\x7c\x00\x64\x01\x17\x00", 6);
  const std::string consts47 = std::string(")\x02Ni\x2f\x00\x00\x00", 8);
  const std::string consts3 = std::string(")\x02Ni\x03\x00\x00\x00", 8);
  // Saved elsewhere: 47 is 47.
  auto unix = ReadCodeObject(Code38(body, consts47, "/home/u/m.py"));
  ASSERT_TRUE(unix.ok()) << unix.status();
  // Saved on Windows (co_filename C:\... became C:/...): 47 may have been 92.
  auto win = ReadCodeObject(Code38(body, consts47, "C:/Users/u/m.py"));
  ASSERT_FALSE(win.ok());
  EXPECT_NE(win.status().message().find("Windows"), std::string::npos) << win.status();
  // Windows without any 0x2F byte outside the file name: read.
  auto win_ok = ReadCodeObject(Code38(body, consts3, "C:/Users/u/m.py"));
  ASSERT_TRUE(win_ok.ok()) << win_ok.status();
  auto e = DecodeExpression(**win_ok);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(pycode::ExprText(**e), "(x + 3)");
}

// ------------------------------------------------------------------ generated models

#define LOAD(var, name)                       \
  REQUIRE_MODELS();                           \
  Loaded var(Model(name));                    \
  ASSERT_TRUE(var.status().ok()) << var.status()

TEST(Lambda, Python38And311ModelsEmitTheTfOps) {
  for (const char* name : {"lambda_py38", "lambda_py311"}) {
    SCOPED_TRACE(name);
    LOAD(l, name);
    EXPECT_EQ(l.Count("Relu6"), 1);
    EXPECT_EQ(l.Count("RealDiv"), 1);
    EXPECT_EQ(l.Count("Mean"), 1);
    EXPECT_EQ(l.Count("StridedSlice"), 1);
    EXPECT_EQ(l.Count("Mul"), 1);
    EXPECT_EQ(l.Count("AddV2"), 1);
  }
}

TEST(Lambda, TwoInputsIndexThePythonList) {
  LOAD(l, "lambda_two_inputs");
  EXPECT_EQ(l.Count("StridedSlice"), 0);  // t[0] is the first input, not a slice
  EXPECT_EQ(l.Count("Mul"), 1);
  EXPECT_EQ(l.Count("Sub"), 1);
  EXPECT_EQ(l.Count("Mean"), 1);
}

TEST(Lambda, RefusalsNameTheFunctionAndTheRoutes) {
  REQUIRE_MODELS();
  Loaded bad(Model("bad_lambda_unsupported"));
  ASSERT_FALSE(bad.status().ok());
  const std::string m = bad.status().message();
  EXPECT_NE(m.find("layer 'lambda'"), std::string::npos) << m;
  EXPECT_NE(m.find("tf.signal.stft"), std::string::npos) << m;
  EXPECT_NE(m.find("the code refers to: tf, signal, stft"), std::string::npos) << m;
  EXPECT_NE(m.find("--saved_model_dir"), std::string::npos) << m;
  Loaded old(Model("bad_lambda_py313"));
  ASSERT_FALSE(old.status().ok());
  EXPECT_NE(old.status().message().find("3.13"), std::string::npos) << old.status();
}

}  // namespace
}  // namespace tflc::keras::testing
