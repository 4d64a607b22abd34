// Preloaded with `node --require`: a failed console.assert ends the run with a
// non-zero exit (Node only prints a warning), so assertion-based tests can fail.
"use strict";
const util = require("util");
console.assert = function themisAssert(condition, ...message) {
  if (condition) return;
  const detail = message.length ? ": " + util.format(...message) : "";
  process.stderr.write("AssertionError: console.assert failed" + detail + "\n" + new Error().stack + "\n");
  process.exit(1);
};
